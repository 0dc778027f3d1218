"""Settings > General and Profile fields; Settings > Integrations lives in integrations.urls."""

from django.urls import path

from . import custom_field_views, views

app_name = "settings"
urlpatterns = [
    path("", views.settings_index, name="index"),
    path("general/", views.settings_general, name="general"),
    path("fields/", custom_field_views.field_list, name="fields"),
    path("fields/new/", custom_field_views.field_add, name="field-add"),
    path("fields/<int:pk>/", custom_field_views.field_edit, name="field-edit"),
    path("fields/<int:pk>/archive/", custom_field_views.field_archive, name="field-archive"),
    path("fields/<int:pk>/delete/", custom_field_views.field_delete, name="field-delete"),
]
