"""The portal's side of single sign-on: /sso/<public id>/... (start, callback, ACS, metadata)."""

from django.urls import path

from .views import flows

app_name = "sso"
urlpatterns = [
    path("<str:public_id>/start/", flows.start, name="start"),
    path("<str:public_id>/oidc/callback/", flows.oidc_callback, name="oidc-callback"),
    path("<str:public_id>/saml/acs/", flows.saml_acs, name="saml-acs"),
    path("<str:public_id>/saml/metadata/", flows.saml_metadata, name="saml-metadata"),
]
