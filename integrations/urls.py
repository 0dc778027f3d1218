from django.urls import path

from . import mapping_views, views

app_name = "integrations"
urlpatterns = [
    path("integrations/", views.integrations_index, name="index"),
    path("integrations/okta/", views.okta, name="okta"),
    path("integrations/okta/connections/new/", views.connection_create, name="connection-create"),
    path("integrations/okta/connections/<int:pk>/", views.connection_detail, name="connection"),
    path(
        "integrations/okta/connections/<int:pk>/mapping/",
        mapping_views.connection_mapping,
        name="connection-mapping",
    ),
    path("integrations/okta/connections/<int:pk>/delete/", views.connection_delete, name="connection-delete"),
    path("integrations/okta/connections/<int:pk>/tokens/", views.token_create, name="token-create"),
    path(
        "integrations/okta/connections/<int:pk>/tokens/<int:token_pk>/revoke/",
        views.token_revoke,
        name="token-revoke",
    ),
]
