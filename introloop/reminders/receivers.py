from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from introloop.accounts.models import User
from introloop.goals.services import brief_about
from introloop.intros.allowance import SendRefused, check_may_email_others
from introloop.intros.models import Intro
from introloop.intros.services import is_request
from introloop.intros.signals import intro_created

from .kinds import connector_request
from .models import NotificationSettings
from .sweep import queue_now


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_notification_settings(
    sender: type[User], instance: User, created: bool, **kwargs: Any
) -> None:
    """Every account starts with default notifications and its own calendar address."""
    if created:
        NotificationSettings.objects.get_or_create(user=instance)


@receiver(intro_created)
def tell_the_connector(sender: type[Intro], intro: Intro, now: datetime, **kwargs: Any) -> None:
    """What the seeker's brief says of them goes with the introduction; a seeker's request
    goes to the connector at once (the sweep sends it later if it may not go now)."""
    if intro.seeker_user is not None:
        about, url = brief_about(intro.seeker_user)
        if about or url:
            Intro.objects.filter(pk=intro.pk).update(seeker_about=about, seeker_brief_url=url)
            intro.seeker_about, intro.seeker_brief_url = about, url
    if not is_request(intro):
        return
    try:
        check_may_email_others(intro.created_by, now)
    except SendRefused:
        return
    queue_now(connector_request.candidates_for([intro], now), now)
