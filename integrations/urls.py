from django.urls import path

from . import guard_views, views

app_name = "integrations"
urlpatterns = [
    path("integrations/", views.integrations_index, name="index"),
    path("integrations/okta/", views.okta, name="okta"),
    path("integrations/brake/", guard_views.brake_update, name="brake"),
    path("integrations/okta/connections/<int:pk>/held/", guard_views.held_decide, name="held-decide"),
    path("integrations/employees/<int:pk>/owner/", guard_views.employee_owner, name="employee-owner"),
    path("integrations/okta/connections/new/", views.connection_create, name="connection-create"),
    path("integrations/okta/connections/<int:pk>/", views.connection_detail, name="connection"),
    path("integrations/okta/connections/<int:pk>/delete/", views.connection_delete, name="connection-delete"),
    path("integrations/okta/connections/<int:pk>/tokens/", views.token_create, name="token-create"),
    path(
        "integrations/okta/connections/<int:pk>/tokens/<int:token_pk>/revoke/",
        views.token_revoke,
        name="token-revoke",
    ),
]
