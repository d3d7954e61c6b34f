"""The demo dataset: believable people, built step by step; later capabilities add steps."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from introloop.accounts.models import User
from introloop.accounts.services import create_api_token
from introloop.goals.demo import add_goals
from introloop.intros.demo import add_introductions
from introloop.network.demo import DEMO_DOMAIN, add_contacts

DEMO_PASSWORD = "introloop-demo"  # noqa: S105 - printed on purpose; demo accounts only


@dataclass
class DemoWorld:
    now: datetime
    users: dict[str, User] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


# Never staff: their password is in the README, and staff read everyone's outbox.
DEMO_PEOPLE = [
    # key, name, time zone
    ("maya", "Maya Chen", "Europe/London"),
    ("sam", "Sam Okafor", "America/New_York"),
    ("lena", "Lena Fischer", "Europe/Berlin"),
]


def add_users(world: DemoWorld) -> None:
    for key, name, zone in DEMO_PEOPLE:
        user = User.objects.create_user(
            email=f"{key}@{DEMO_DOMAIN}",
            password=DEMO_PASSWORD,
            name=name,
            time_zone=zone,
            is_staff=False,
            email_verified_at=world.now - timedelta(days=60),
            date_joined=world.now - timedelta(days=60),
        )
        world.users[key] = user
    create_api_token(world.users["maya"], "demo script", world.now - timedelta(days=10))
    world.log.append(f"{len(DEMO_PEOPLE)} accounts (password {DEMO_PASSWORD!r})")


# Each step adds one kind of data; later capabilities append theirs.
STEPS: list[Callable[[DemoWorld], None]] = [add_users, add_contacts, add_introductions, add_goals]


def demo_users():
    return User.objects.filter(email__endswith="@" + DEMO_DOMAIN)


@transaction.atomic
def build_demo(now: datetime, reset: bool = False) -> DemoWorld | None:
    """Create the demo dataset; None if it exists already and `reset` is false."""
    if demo_users().exists():
        if not reset:
            return None
        demo_users().delete()
    world = DemoWorld(now=now)
    for step in STEPS:
        step(world)
    return world
