from django.urls import path

from . import account_views

app_name = "accounts"
urlpatterns = [
    path("password/forgot/", account_views.password_forgot, name="password-forgot"),
    path("password/set/<str:uidb64>/<str:token>/", account_views.password_set, name="password-set"),
]
