"""The admin REST API, /api/v1/. The SCIM endpoints for identity providers are elsewhere (scim/v2/)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .errors import not_found
from .views import activity, audit, connections, employees, held

app_name = "api"
urlpatterns = [
    path("connections/", connections.ConnectionListView.as_view(), name="connection-list"),
    path("connections/<int:pk>/", connections.ConnectionDetailView.as_view(), name="connection-detail"),
    path("connections/<int:pk>/tokens/", connections.TokenListView.as_view(), name="token-list"),
    path(
        "connections/<int:pk>/tokens/<int:token_pk>/",
        connections.TokenDetailView.as_view(),
        name="token-detail",
    ),
    path("connections/<int:pk>/activity/", activity.ActivityListView.as_view(), name="activity-list"),
    path("connections/<int:pk>/activity.csv", activity.ActivityCsvView.as_view(), name="activity-csv"),
    path("connections/<int:pk>/held/", held.HeldListView.as_view(), name="held-list"),
    path("connections/<int:pk>/held/apply/", held.HeldApplyView.as_view(), name="held-apply"),
    path("connections/<int:pk>/held/keep/", held.HeldKeepView.as_view(), name="held-keep"),
    path("employees/", employees.EmployeeListView.as_view(), name="employee-list"),
    path("employees/<int:pk>/", employees.EmployeeDetailView.as_view(), name="employee-detail"),
    path("audit/", audit.AuditListView.as_view(), name="audit-list"),
    path("audit.csv", audit.AuditCsvView.as_view(), name="audit-csv"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", not_found),
]
