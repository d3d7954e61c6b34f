from django.dispatch import receiver

from introloop.accounts.signals import email_verified

from .services import link_intros_to


@receiver(email_verified)
def attach_introductions(sender, user, **kwargs) -> None:
    """Introductions that name a newly verified address now show in that account."""
    link_intros_to(user)
