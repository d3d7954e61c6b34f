from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("today/items/<str:key>/done/", views.item_done, name="done"),
    path("today/items/<str:key>/draft/", views.item_draft, name="draft"),
    path("today/items/<str:key>/snooze/", views.item_snooze, name="snooze"),
    path("settings/notifications/", views.notification_settings, name="settings"),
    path("settings/notifications/calendar/", views.regenerate_calendar, name="regenerate_calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("intros/<int:intro_id>/heads-up/", views.heads_up_when, name="heads_up_when"),
    path("intros/<int:intro_id>/who-is-reminded/", views.who_is_reminded, name="who_is_reminded"),
    path("digest/<str:token>/", views.digest_link, name="digest_link"),
]
