from django.urls import path

from . import chart_views, team_views, views

app_name = "employees"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", views.add, name="add"),
    path("invite/", views.invite_all, name="invite-all"),
    path("export.csv", views.directory_export, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/restore-reports/", views.restore_reports, name="restore-reports"),
    path("chart/", chart_views.chart, name="chart"),
    path("chart/<int:pk>/reports/", chart_views.chart_branch, name="chart-branch"),
    path("teams/", team_views.team_list, name="teams"),
    path("teams/new/", team_views.team_add, name="team-add"),
    path("teams/<int:pk>/", team_views.team_detail, name="team"),
    path("teams/<int:pk>/members/", team_views.team_members, name="team-members"),
    path("teams/<int:pk>/delete/", team_views.team_delete, name="team-delete"),
]
