from django.urls import path

from .views import settings

app_name = "sso_settings"
urlpatterns = [
    path("", settings.sso_settings, name="index"),
]
