from django.urls import path

from . import dashboard_views, views

app_name = "goals"

urlpatterns = [
    path("goals/", views.goal_list, name="list"),
    path("goals/new/", views.goal_new, name="new"),
    path("goals/brief/", views.brief_settings, name="brief"),
    path("goals/<int:goal_id>/", views.goal_detail, name="detail"),
    path("goals/<int:goal_id>/edit/", views.goal_edit, name="edit"),
    path("goals/<int:goal_id>/delete/", views.goal_delete, name="delete"),
    path("goals/<int:goal_id>/needs/", views.need_add, name="need_add"),
    path("goals/needs/<int:need_id>/toggle/", views.need_toggle, name="need_toggle"),
    path("goals/needs/<int:need_id>/delete/", views.need_delete, name="need_delete"),
    path("b/<str:token>/", views.public_brief, name="public_brief"),
    path("asks/", views.ask_list, name="asks"),
    path("asks/new/", views.ask_new, name="ask_new"),
    path("asks/<int:ask_id>/edit/", views.ask_edit, name="ask_edit"),
    path("asks/<int:ask_id>/delete/", views.ask_delete, name="ask_delete"),
    path("applications/", views.application_list, name="applications"),
    path("applications/new/", views.application_new, name="application_new"),
    path(
        "applications/<int:application_id>/edit/", views.application_edit, name="application_edit"
    ),
    path(
        "applications/<int:application_id>/delete/",
        views.application_delete,
        name="application_delete",
    ),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("settings/targets/", views.targets_settings, name="targets"),
]
