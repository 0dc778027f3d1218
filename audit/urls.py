from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("audit/", views.audit_trail, name="trail"),
    path("audit.csv", views.audit_export, name="export"),
]
