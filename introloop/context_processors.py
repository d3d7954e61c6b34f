from django.conf import settings
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from introloop.accounts.models import User
from introloop.ops import health


def site(request) -> dict:
    return {
        "site_name": settings.SITE_NAME,
        "registration_open": settings.REGISTRATION_OPEN,
        # Read only by the pages that show it (Today, the outbox): a few queries, when used.
        "health_problems": SimpleLazyObject(lambda: _health_problems(request)),
    }


def _health_problems(request) -> list[str]:
    """For staff, and for the one person of a single-user installation: what stops reminders
    from going out, and what to run. Everyone else never sees the operator's business."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    if not user.is_staff and User.objects.filter(is_active=True).count() > 1:
        return []
    return health.check(timezone.now()).problems
