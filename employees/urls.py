from django.urls import path

from . import views

app_name = "employees"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.detail, name="detail"),
]
