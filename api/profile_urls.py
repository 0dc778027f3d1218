from django.urls import path

from . import profile_views

app_name = "api-keys"
urlpatterns = [
    path("", profile_views.api_keys, name="list"),
    path("<int:pk>/revoke/", profile_views.api_key_revoke, name="revoke"),
]
