from django.urls import path

from . import staff_views, views

app_name = "ops"

urlpatterns = [
    path("health", views.health_view, name="health"),
    path("staff/accounts/", staff_views.account_list, name="accounts"),
    path("staff/accounts/<int:user_id>/block/", staff_views.account_block, name="account_block"),
]
