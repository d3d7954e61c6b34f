from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from introloop.accounts.models import User

from .models import NotificationSettings


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_notification_settings(
    sender: type[User], instance: User, created: bool, **kwargs: Any
) -> None:
    """Every account starts with default notifications and its own calendar address."""
    if created:
        NotificationSettings.objects.get_or_create(user=instance)
