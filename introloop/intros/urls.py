from django.urls import path

from . import new_views, views

app_name = "intros"

urlpatterns = [
    path("intros/", views.my_intros, name="mine"),
    path("intros/made/", views.intros_made, name="made"),
    path("intros/to-me/", views.intros_to_me, name="to_me"),
    path("intros/new/", new_views.intro_new, name="new"),
    path("intros/new/check/", new_views.intro_new_check, name="new_check"),
    path("intros/<int:intro_id>/", views.intro_detail, name="detail"),
    path("intros/<int:intro_id>/events/", views.intro_event, name="event"),
    path("intros/<int:intro_id>/undo/", views.intro_undo, name="undo"),
    path(
        "intros/<int:intro_id>/events/<int:event_id>/time/",
        views.intro_event_time,
        name="event_time",
    ),
    path("intros/<int:intro_id>/send/<str:what>/", views.intro_send, name="send"),
    path("links/<str:token>/", views.action_link, name="link"),
    path("settings/introductions/", views.intro_settings, name="settings"),
    path("settings/messages/", views.message_templates, name="messages"),
]
