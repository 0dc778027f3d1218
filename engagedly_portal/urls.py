from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from django.views.generic import RedirectView

from sso.views.sign_in import sign_in

from .health import background_health, background_probe

urlpatterns = [
    # First: identity providers' calls are most of the traffic, and resolving stops at the first match.
    path("scim/v2/", include("integrations.scim.urls")),
    path("api/v1/", include("api.urls")),
    path("healthz", lambda request: JsonResponse({"status": "ok"}), name="healthz"),
    path("healthz/background", background_health, name="background-health"),
    # For monitors: no session; a token or an allowed network (HEALTH_PROBE_TOKEN / _NETWORKS).
    path("healthz/background/probe", background_probe, name="background-probe"),
    path("", RedirectView.as_view(pattern_name="employees:directory", permanent=False)),
    path("login/", sign_in, name="login"),
    path("accounts/", include("employees.account_urls")),
    path("sso/", include("sso.urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("employees/", include("employees.urls")),
    path("settings/integrations/sso/", include("sso.settings_urls")),
    path("settings/", include("employees.settings_urls")),
    path("settings/", include("integrations.urls")),
    path("profile/api-keys/", include("api.profile_urls")),
    path("settings/", include("audit.urls")),
    path("admin/", admin.site.urls),
]
