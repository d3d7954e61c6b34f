from datetime import datetime, timedelta

from introloop.intros import lifecycle
from introloop.intros.services import NewIntro, Party, create_intro


def introduced(creator, at: datetime, *, seeker: Party | None = None,
               connector: Party | None = None, target: Party | None = None):  # fmt: skip
    """An introduction made at `at` (so reaching out is due two days later)."""
    me = Party(creator.display_name, creator.email)
    new = NewIntro(
        connector=connector or Party("Sam Okafor", "sam@example.com"),
        seeker=seeker or me,
        target=target or Party("Tom Hale", "tom@example.org"),
        purpose="Advice on data teams",
        double_opt_in=False,
        start="introduced",
        at=at,
    )
    if seeker is not None and connector is None:
        new.connector = me
    return create_intro(creator, new, at + timedelta(minutes=1))[0]


def step(intro, event: str, roles: set[str], at: datetime, **kw):
    return lifecycle.record_event(intro.id, event, roles=roles, now=at, at=at, **kw)
