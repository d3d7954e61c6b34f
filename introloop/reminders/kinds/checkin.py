"""About a week after an introduction, the target is asked once: did they get in touch?

Only while the seeker has not recorded that they wrote (a queued check-in is cancelled when
they do), and never before the seeker was reminded to write and had time to."""

from datetime import datetime, timedelta

from introloop.intros import lifecycle
from introloop.intros.lifecycle import next_steps
from introloop.intros.links import links_for
from introloop.intros.models import CHECKIN_STATES, ActionLink, Intro, Role
from introloop.intros.notices import notices_for
from introloop.intros.steps import CHECKIN_CHOICES
from introloop.lookups import any_of
from introloop.outbox.services import OutgoingEmail

from .base import Candidate, Compose, SweepInput, intro_candidate, opted_out, reminder_email

KIND = "checkin"
LABEL = "check-ins about introductions made to you"
SETTING = None  # stopped by address, like nudges
AFTER = timedelta(days=7)


def collect(sweep: SweepInput) -> list[Candidate]:
    due = list(
        sweep.in_shard(Intro.objects.all(), "id")
        .filter(
            # The condition of the partial index intros_checkin_due_idx, word for word.
            checkin_sent_at__isnull=True,
            state__in=CHECKIN_STATES,
            introduced_at__lte=sweep.now - AFTER,
            # Only for introductions logged by a confirmed account that is not blocked.
            created_by__is_active=True,
            created_by__email_verified_at__isnull=False,
        )
        .exclude(target_email="")
    )
    due = [intro for intro in due if _asks_now(intro, sweep.now)]
    stopped = opted_out({i.target_email for i in due}, KIND)
    # It asks about the seeker's first open step (their answer records it): that is its step.
    return [
        intro_candidate(KIND, intro, Role.TARGET, "", _composer(intro), step=next_steps(intro)[0])
        for intro in due
        if intro.target_email not in stopped
    ]


def _asks_now(intro: Intro, now: datetime) -> bool:
    """A week after the introduction, and only once the seeker was reminded to write and had
    time to: an introduction logged after the fact does not make the target ask at once."""
    steps = lifecycle.next_steps(intro)
    if not steps or steps[0].step != "reach_out":
        return False
    return now >= lifecycle.others_hear_at(intro, steps[0], grace=timedelta(0))


def claimed(candidates: list[Candidate], now: datetime) -> None:
    """Stamp the introductions whose check-in this sweep queued, so later sweeps skip them."""
    ids = [c.intro_id for c in candidates]
    Intro.objects.filter(any_of("id", ids)).update(checkin_sent_at=now)


def _composer(intro: Intro) -> Compose:
    def compose(now: datetime, links: list[ActionLink]) -> OutgoingEmail:
        context = {
            "target": intro.target_name,
            "seeker": intro.seeker_name,
            "connector": intro.connector_name,
            "choices": links_for(intro, Role.TARGET, list(CHECKIN_CHOICES), now, links),
            "notices": notices_for(intro, [Role.TARGET]),
        }
        return reminder_email(
            "reminders/checkin",
            context,
            to=intro.target_email,
            kind=KIND,
            what="check-ins about introductions",
            user_id=intro.target_user_id,
            # The check-in asks whether the seeker wrote: it is about their first step.
            topic=lifecycle.topic(intro, "reach_out"),
        )

    return compose
