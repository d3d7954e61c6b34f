from django.urls import path

from . import views

app_name = "portability"

urlpatterns = [
    path("settings/data/", views.export_page, name="export"),
    path("settings/data/export.json", views.export_download, name="export_download"),
    path("settings/data/delete/", views.delete_account, name="delete_account"),
]
