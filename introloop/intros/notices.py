"""Why someone without an account got an email about an introduction, and who holds their
address: the line, with its stop link, that ends every such email (outbox/stops.py)."""

from collections.abc import Iterable

from django.conf import settings

from introloop.outbox.stops import Notice, address_key, notice, stopped_among

from .models import Intro, Role


def why(intro: Intro, role: str) -> str:
    """What completes "You received this because …" for the party `role` of `intro`."""
    site = settings.SITE_NAME
    connector, seeker, target = intro.connector_name, intro.seeker_name, intro.target_name
    if role == Role.CONNECTOR:
        if intro.creator_role == Role.SEEKER and intro.introduced_at is None:
            return f"{seeker} asked you, through {site}, to introduce them to {target}"
        return f"you introduced {seeker} to {target}, and {site} keeps track of it"
    if role == Role.TARGET and intro.introduced_at is None:
        return f"{connector} asked you, through {site}, whether you would talk to {seeker}"
    other = seeker if role == Role.TARGET else target
    return f"{connector} introduced you to {other}, and {site} keeps track of it"


def holder(intro: Intro) -> str:
    """Who gave Introloop the addresses of an introduction's parties: whoever logged it."""
    return intro.party(intro.creator_role)[0] or "The person who logged this introduction"


def notices_for(intro: Intro, roles: Iterable[str], *, shared: bool = False) -> list[Notice]:
    """The why-and-stop lines for those of `roles` who get the email without an account;
    `shared` for an email that several people receive (the introduction itself)."""
    found = []
    for role in roles:
        name, email = intro.party(role)
        if email and getattr(intro, f"{role}_user_id") is None:
            found.append(notice(name, email, why(intro, role), holder(intro), shared=shared))
    return found


def stop_refusal(people: Iterable[tuple[str, str]]) -> str | None:
    """Why nothing may be sent to, or started with, these (name, email): one of them asked,
    through the link in an email, for no more introduction emails. Says nothing of who else
    asked to introduce them, before or how often."""
    people = [(name, email) for name, email in people if email]
    stopped = stopped_among(email for _, email in people)
    for name, email in people:
        if address_key(email) in stopped:
            return (
                f"{name or email} has asked not to receive introduction emails from this instance."
            )
    return None
