from django.urls import path

from . import views

app_name = "timeline"

urlpatterns = [
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact"),
]
