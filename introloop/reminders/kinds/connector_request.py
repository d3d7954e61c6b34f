"""A seeker's request for an introduction, emailed to the connector at once: who asks, what
for, the seeker's record, and one link to answer (ask the target first, introduce now, or
pass). Queued as the introduction is created (receivers.py) and, for a request that could not
be sent then (an address not yet confirmed, the day's allowance spent), by the sweep."""

from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings

from introloop.accounts.models import User
from introloop.intros import lifecycle, queries
from introloop.intros.links import make_link
from introloop.intros.models import ActionLink, Intro, Role
from introloop.intros.notices import notices_for
from introloop.intros.sending import sender
from introloop.intros.services import is_request
from introloop.intros.steps import REQUEST_ANSWERS
from introloop.lookups import any_of
from introloop.outbox.services import OutgoingEmail, sent_for_lately
from introloop.routes import url_template

from .base import (
    Candidate,
    Compose,
    SweepInput,
    first_name,
    intro_candidate,
    opted_out,
    reminder_email,
)

KIND = "connector_request"
LABEL = "requests for introductions"
SETTING = None  # stopped by address: a connector need not have an account
# A request the sweep could not send within a fortnight is stale: the seeker sees it waiting.
MAX_AGE = timedelta(days=14)


def collect(sweep: SweepInput) -> list[Candidate]:
    # Sharded by the seeker's account: each shard spends whole daily allowances.
    pending = list(
        sweep.in_shard(Intro.objects.all(), "created_by_id")
        .filter(
            # The condition of the partial index intros_request_due_idx, word for word.
            connector_asked_at__isnull=True,
            state="requested",
            logged_as="seeker",
            created_at__gte=sweep.now - MAX_AGE,
            created_by__is_active=True,
            created_by__email_verified_at__isnull=False,
        )
        .select_related("created_by")
    )
    return candidates_for([i for i in pending if is_request(i)], sweep.now)


def candidates_for(intros: list[Intro], now: datetime) -> list[Candidate]:
    """The requests among `intros` that may go now: not to an address that stopped them,
    and within each seeker's daily allowance of mail to others."""
    stopped = opted_out({i.connector_email for i in intros}, KIND)
    left: Counter[int] = Counter()
    for user in {i.created_by for i in intros}:
        new = user.date_joined > now - timedelta(days=settings.NEW_ACCOUNT_DAYS)
        limit = settings.OTHERS_EMAILS_PER_DAY_NEW if new else settings.OTHERS_EMAILS_PER_DAY
        left[user.pk] = limit - sent_for_lately(user, now)
    found = []
    for intro in intros:
        if intro.connector_email in stopped or left[intro.created_by_id] <= 0:
            continue
        left[intro.created_by_id] -= 1
        candidate = intro_candidate(KIND, intro, Role.CONNECTOR, "", _composer(intro))
        step = lifecycle.next_steps(intro)[0]
        candidate.step, candidate.due_at = step.step, step.due_at
        found.append(candidate)
    return found


def claimed(candidates: list[Candidate], now: datetime) -> None:
    """Stamp the introductions whose request went out, so that it goes once."""
    ids = [c.intro_id for c in candidates]
    Intro.objects.filter(any_of("id", ids)).update(connector_asked_at=now)


def record_line(seeker: User, first: str, intro: Intro) -> str:
    """The seeker's follow-through record, in one line for the connector."""
    earlier = Intro.objects.filter(seeker_user=seeker).exclude(pk=intro.pk)
    records = queries.follow_through(earlier)
    if not records:
        return f"{first} is new to Introloop: this is their first introduction here."
    r = records[0]
    parts = [f"{r.introductions} introduction{'s' * (r.introductions != 1)}"]
    if r.on_time_share is not None:
        parts.append(f"{r.steps_done} steps done, {round(r.on_time_share * 100)}% on time")
    parts.append(f"{r.loops_closed} loop{'s' * (r.loops_closed != 1)} closed")
    return f"{first}'s record on Introloop: {', '.join(parts)}."


def _composer(intro: Intro) -> Compose:
    def compose(now: datetime, links: list[ActionLink]) -> OutgoingEmail:
        seeker_first = first_name(intro.seeker_name)
        step = lifecycle.next_steps(intro)[0]
        link = make_link(intro, Role.CONNECTOR, list(REQUEST_ANSWERS), now, links)
        intro_url = ""
        if intro.connector_user_id:
            intro_url = settings.SITE_URL + url_template("intros:detail").format(intro.id)
        context = {
            "connector_first": first_name(intro.connector_name),
            "seeker": intro.seeker_name,
            "seeker_first": seeker_first,
            "target": intro.target_name,
            "target_first": first_name(intro.target_name),
            "target_company": intro.target_company,
            "target_url": intro.target_url,
            "purpose": intro.purpose,
            "about": intro.seeker_about,
            "brief_url": intro.seeker_brief_url,
            "record": record_line(intro.created_by, seeker_first, intro),
            "link": link,
            "intro_url": intro_url,
            "notices": notices_for(intro, [Role.CONNECTOR]),
        }
        email = reminder_email(
            "intros/connector_request",
            context,
            to=intro.connector_email,
            kind=KIND,
            what=LABEL,
            user_id=intro.connector_user_id,
            topic=lifecycle.topic(intro, step.step),
        )
        email.from_email = sender(intro.seeker_name)
        email.reply_to = [intro.seeker_email]
        email.sent_for_id = intro.created_by_id
        return email

    return compose
