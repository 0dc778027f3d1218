"""The portal's side of single sign-on: /sso/<public id>/... (start, callback, ACS, metadata)."""

from django.urls import path

from .views import flows

app_name = "sso"
urlpatterns = [
    path("<str:public_id>/start/", flows.start, name="start"),
]
