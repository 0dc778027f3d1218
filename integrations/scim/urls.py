"""SCIM 2.0 routes under /scim/v2/<connection public id>/, each with and without a trailing slash.

No redirects (Okta does not follow them): every path resolves, unknown ones to a SCIM 404.
"""

from django.urls import path, re_path

from .discovery import (
    NotFoundView,
    NotImplementedView,
    ResourceTypesView,
    SchemasView,
    ServiceProviderConfigView,
    UnknownConnectionView,
)
from .groups import GroupDetailView, GroupListView, GroupSearchView
from .search import RootSearchView
from .users import UserDetailView, UserListView, UserSearchView

app_name = "scim"

BASE = r"^(?P<public_id>[A-Za-z0-9_-]+)"
ID = r"(?P<pk>[^/]+)"

urlpatterns = [
    path("<str:public_id>", NotFoundView.as_view(), name="root"),
    path("<str:public_id>/", NotFoundView.as_view()),
    re_path(BASE + r"/Users/?$", UserListView.as_view(), name="users"),
    # Before the detail routes, whose id pattern would take ".search" for an id.
    re_path(BASE + r"/Users/\.search/?$", UserSearchView.as_view(), name="user-search"),
    re_path(BASE + r"/Groups/\.search/?$", GroupSearchView.as_view(), name="group-search"),
    re_path(BASE + r"/\.search/?$", RootSearchView.as_view(), name="search"),
    re_path(BASE + rf"/Users/{ID}/?$", UserDetailView.as_view(), name="user-detail"),
    re_path(BASE + r"/Groups/?$", GroupListView.as_view(), name="groups"),
    re_path(BASE + rf"/Groups/{ID}/?$", GroupDetailView.as_view(), name="group-detail"),
    re_path(
        BASE + r"/ServiceProviderConfig/?$",
        ServiceProviderConfigView.as_view(),
        name="service-provider-config",
    ),
    re_path(BASE + r"/ResourceTypes/?$", ResourceTypesView.as_view(), name="resource-types"),
    re_path(BASE + rf"/ResourceTypes/{ID}/?$", ResourceTypesView.as_view(), name="resource-type"),
    re_path(BASE + r"/Schemas/?$", SchemasView.as_view(), name="schemas"),
    re_path(BASE + rf"/Schemas/{ID}/?$", SchemasView.as_view(), name="schema"),
    re_path(BASE + r"/(Me|Bulk)(/.*)?$", NotImplementedView.as_view(), name="not-implemented"),
    re_path(BASE + r"/.*$", NotFoundView.as_view(), name="not-found"),
    re_path(r"^.*$", UnknownConnectionView.as_view(), name="unknown"),
]
