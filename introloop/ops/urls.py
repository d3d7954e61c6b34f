from django.urls import path

from . import views

app_name = "ops"

urlpatterns = [
    path("health", views.health_view, name="health"),
]
