"""`introloop check --deploy`: what an operator must not forget."""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def demo_accounts(app_configs, **kwargs) -> list[Warning]:
    """Demo accounts have a published password: an instance people use must not have them."""
    from .demo import DEMO_DOMAIN, demo_users

    try:
        count = demo_users().count()
    except DatabaseError:
        return []  # no tables yet: nothing to warn about
    if not count:
        return []
    return [
        Warning(
            f"{count} demo accounts (@{DEMO_DOMAIN}) exist; their password is published in "
            "the README, so anyone can log in as them.",
            hint="Remove them with `introloop demo --remove` before people use this instance.",
            id="introloop.W001",
        )
    ]
