from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("integrations/", views.integrations_index, name="index"),
    path("integrations/alerts/", views.alert_preferences, name="alert-preferences"),
    path("integrations/retention/", views.activity_retention, name="activity-retention"),
    # One page per provider (integrations.providers); Okta's keeps its own name and address.
    path("integrations/okta/", views.provider_page, {"provider": "okta"}, name="okta"),
    path("integrations/brake/", views.brake_update, name="brake"),
    path("integrations/connections/<int:pk>/held/", views.held_decide, name="held-decide"),
    path("integrations/employees/<int:pk>/owner/", views.employee_owner, name="employee-owner"),
    path(
        "integrations/okta/connections/new/",
        views.connection_create,
        {"provider": "okta"},
        name="connection-create",
    ),
    path("integrations/<slug:provider>/", views.provider_page, name="provider"),
    path(
        "integrations/<slug:provider>/connections/new/",
        views.connection_create,
        name="provider-connection-create",
    ),
    # A connection's pages, whatever its provider.
    path("integrations/connections/<int:pk>/", views.connection_detail, name="connection"),
    path("integrations/connections/<int:pk>/delete/", views.connection_delete, name="connection-delete"),
    path("integrations/connections/<int:pk>/mapping/", views.connection_mapping, name="connection-mapping"),
    path("integrations/connections/<int:pk>/tokens/", views.token_create, name="token-create"),
    path(
        "integrations/connections/<int:pk>/tokens/<int:token_pk>/credentials/",
        views.credentials,
        name="credentials",
    ),
    path(
        "integrations/connections/<int:pk>/tokens/<int:token_pk>/revoke/",
        views.token_revoke,
        name="token-revoke",
    ),
    path(
        "integrations/connections/<int:pk>/activity/<int:request_pk>/",
        views.activity_detail,
        name="activity-detail",
    ),
    path("integrations/connections/<int:pk>/activity.csv", views.activity_export, name="activity-export"),
]
