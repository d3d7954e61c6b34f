from django.urls import path

from . import views

app_name = "capture"

urlpatterns = [
    path("capture/", views.inbox, name="inbox"),
    path("capture/today/", views.today_proposals, name="today"),
    path("capture/keep/", views.keep_messages, name="keep"),
    path("capture/address/", views.new_address, name="new_address"),
    path("capture/<int:captured_id>/accept/", views.accept, name="accept"),
    path("capture/<int:captured_id>/dismiss/", views.dismiss, name="dismiss"),
]
