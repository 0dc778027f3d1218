"""Settings > General (the organization itself); Settings > Integrations lives in integrations.urls."""

from django.urls import path

from . import views

app_name = "settings"
urlpatterns = [
    path("", views.settings_index, name="index"),
    path("general/", views.settings_general, name="general"),
]
