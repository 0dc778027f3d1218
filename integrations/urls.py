from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("integrations/", views.integrations_index, name="index"),
    path("integrations/okta/", views.okta, name="okta"),
    path("integrations/alerts/", views.alert_preferences, name="alert-preferences"),
    path("integrations/okta/connections/new/", views.connection_create, name="connection-create"),
    path("integrations/okta/connections/<int:pk>/", views.connection_detail, name="connection"),
    path("integrations/okta/connections/<int:pk>/delete/", views.connection_delete, name="connection-delete"),
    path("integrations/okta/connections/<int:pk>/tokens/", views.token_create, name="token-create"),
    path(
        "integrations/okta/connections/<int:pk>/tokens/<int:token_pk>/credentials/",
        views.credentials,
        name="credentials",
    ),
    path(
        "integrations/okta/connections/<int:pk>/activity/<int:request_pk>/",
        views.activity_detail,
        name="activity-detail",
    ),
    path(
        "integrations/okta/connections/<int:pk>/activity.csv", views.activity_export, name="activity-export"
    ),
    path(
        "integrations/okta/connections/<int:pk>/tokens/<int:token_pk>/revoke/",
        views.token_revoke,
        name="token-revoke",
    ),
]
