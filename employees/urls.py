from django.urls import path

from . import views

app_name = "employees"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", views.add, name="add"),
    path("invite/", views.invite_all, name="invite-all"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/invite/", views.invite, name="invite"),
]
