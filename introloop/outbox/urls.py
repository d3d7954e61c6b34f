from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("staff/outbox/", views.message_list, name="list"),
    path("staff/outbox/retry-failed/", views.retry_failed, name="retry_failed"),
    path("staff/outbox/<int:message_id>/", views.message_detail, name="detail"),
    path("staff/outbox/<int:message_id>/retry/", views.message_retry, name="retry"),
    path("staff/stopped/", views.stopped_list, name="stopped"),
    path("stop/<str:token>/", views.stop, name="stop"),
]
