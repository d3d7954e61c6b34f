"""Introductions: three parties, a lifecycle of milestones, and the history of every event.

An introduction is one row with its parties inline (each a name and an email, linked to the
user whose verified address it is, where there is one), its current state, the date of each
milestone, and the next step denormalised (`next_step`, `next_owner`, `next_due_at`) so that
lists filter and sort by what is due in the database. `lifecycle.py` holds the rules.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class State(models.TextChoices):
    REQUESTED = "requested", "Requested"
    ASKED = "asked", "Target asked"
    ACCEPTED = "accepted", "Target accepted"
    DECLINED = "declined", "Target declined"
    INTRODUCED = "introduced", "Introduced"
    REACHED_OUT = "reached_out", "Seeker reached out"
    SCHEDULED = "scheduled", "Conversation booked"
    MET = "met", "Met"
    THANKED = "thanked", "Thanked"
    LOOP_CLOSED = "loop_closed", "Loop closed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DROPPED = "dropped", "Dropped"


class EventType(models.TextChoices):
    REQUESTED = "requested", "Introduction requested"
    ASKED = "asked", "Target asked"
    ACCEPTED = "accepted", "Target accepted"
    DECLINED = "declined", "Target declined"
    INTRODUCED = "introduced", "Introduced"
    REACHED_OUT = "reached_out", "Seeker reached out"
    FOLLOWED_UP = "followed_up", "Seeker followed up"
    SCHEDULED = "scheduled", "Conversation booked"
    MET = "met", "Met"
    THANKED = "thanked", "Seeker said thank you"
    LOOP_CLOSED = "loop_closed", "Loop closed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DROPPED = "dropped", "Dropped"
    NOTE = "note", "Note"
    UNDONE = "undone", "Undone"  # an earlier step taken back (intros/corrections.py)


class NextStepKind(models.TextChoices):
    ASK_TARGET = "ask_target", "Ask the target"
    INTRODUCE = "introduce", "Introduce them"
    ANSWER = "answer", "Answer the request"
    REACH_OUT = "reach_out", "Reach out"
    FOLLOW_UP = "follow_up", "Follow up"
    MEET = "meet", "Have the conversation"
    THANK = "thank", "Say thank you"
    CLOSE_LOOP = "close_loop", "Close the loop"


class Role(models.TextChoices):
    CONNECTOR = "connector", "Connector"
    SEEKER = "seeker", "Seeker"
    TARGET = "target", "Target"


# Role.values is computed on every access; hot loops read this instead.
ROLES: tuple[str, ...] = tuple(Role.values)


# The state in which the target is asked, a week after the introduction, whether the seeker
# got in touch: once the seeker recorded that they wrote, there is nothing to ask.
CHECKIN_STATES = ["introduced"]


class Intro(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intros_created"
    )
    connector_name = models.CharField(max_length=200)
    connector_email = models.CharField(max_length=254)
    connector_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intros_as_connector",
    )
    seeker_name = models.CharField(max_length=200)
    seeker_email = models.CharField(max_length=254)
    seeker_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intros_as_seeker",
    )
    target_name = models.CharField(max_length=200)
    # May be "" while a seeker's request waits on the connector, who supplies it when acting.
    target_email = models.CharField(max_length=254, blank=True)
    # The connector supplied the address (the seeker asked by name): the seeker sees it only
    # once the target agrees (access.target_shown).
    target_email_by_connector = models.BooleanField(default=False)
    # What the seeker knows of the target, to help the connector place them.
    target_company = models.CharField(max_length=200, blank=True)
    target_url = models.CharField(max_length=500, blank=True)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intros_as_target",
    )
    # The creator's own contacts for each party, where they have one.
    connector_contact = models.ForeignKey(
        "network.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seeker_contact = models.ForeignKey(
        "network.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_contact = models.ForeignKey(
        "network.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The part the person who logged it plays. A seeker who brought the target themselves
    # sees the target in full; this stays true when accounts are deleted and handed over.
    logged_as = models.CharField(max_length=10, choices=Role.choices, blank=True)
    purpose = models.TextField()
    # Two or three lines about the seeker from their brief, taken when the introduction was
    # created, and the brief's public address if they share it: what the connector and the
    # target read about them.
    seeker_about = models.TextField(blank=True)
    seeker_brief_url = models.CharField(max_length=300, blank=True)
    # When the connector was emailed a seeker's request (once; reminders.kinds.connector_request).
    connector_asked_at = models.DateTimeField(null=True, blank=True)
    double_opt_in = models.BooleanField(default=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.REQUESTED)
    outcome = models.TextField(blank=True)
    # When each milestone happened (as recorded; may be in the past).
    requested_at = models.DateTimeField(null=True, blank=True)
    asked_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    introduced_at = models.DateTimeField(null=True, blank=True)
    reached_out_at = models.DateTimeField(null=True, blank=True)
    last_follow_up_at = models.DateTimeField(null=True, blank=True)
    follow_ups = models.PositiveSmallIntegerField(default=0)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # When the current step's clock started, in real time: the moment its event was recorded
    # (logged after the fact, an event's `at` may lie days before). Nobody else hears that a
    # step is late before its owner could have been reminded of it (lifecycle.others_hear_at).
    clock_at = models.DateTimeField(null=True, blank=True)
    # When the target was sent the "did they get in touch?" check (once per introduction).
    checkin_sent_at = models.DateTimeField(null=True, blank=True)
    # The most urgent open step, kept by lifecycle.record_event; NULL once the loop is over.
    next_step = models.CharField(max_length=20, choices=NextStepKind.choices, blank=True)
    next_owner = models.CharField(max_length=10, choices=Role.choices, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    # When the second open step falls due: only a met introduction has one (thank, then close
    # the loop, or the other way round), kept with next_due_at so lists read it in the database.
    later_due_at = models.DateTimeField(null=True, blank=True)
    # Due-date rules in force for this introduction (days), from its creator's settings.
    rules = models.JSONField(default=dict)
    # Incremented by every state change, so two concurrent changes cannot both apply.
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["seeker_user", "next_due_at"], name="intros_seeker_due_idx"),
            models.Index(fields=["connector_user", "next_due_at"], name="intros_connector_due_idx"),
            models.Index(fields=["target_user", "next_due_at"], name="intros_target_due_idx"),
            models.Index(fields=["created_by", "next_due_at"], name="intros_creator_due_idx"),
            models.Index(fields=["target_email", "created_at"], name="intros_target_email_idx"),
            # Captured mail finds the introductions of the people on it (capture/matching.py).
            models.Index(fields=["seeker_email"], name="intros_seeker_email_idx"),
            models.Index(fields=["connector_email"], name="intros_connector_email_idx"),
            models.Index(fields=["next_due_at"], name="intros_next_due_idx"),
            models.Index(fields=["closed_at"], name="intros_closed_idx"),
            # The sweep's check-ins: introductions still open whose target was not asked yet.
            models.Index(
                fields=["introduced_at"],
                condition=models.Q(checkin_sent_at__isnull=True, state__in=CHECKIN_STATES),
                name="intros_checkin_due_idx",
            ),
            # The sweep's requests to connectors not emailed yet.
            models.Index(
                fields=["created_at"],
                condition=models.Q(
                    connector_asked_at__isnull=True, state="requested", logged_as="seeker"
                ),
                name="intros_request_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seeker_name} → {self.target_name} (via {self.connector_name})"

    def party(self, role: str) -> tuple[str, str]:
        return getattr(self, f"{role}_name"), getattr(self, f"{role}_email")

    @property
    def creator_role(self) -> str:
        return self.logged_as or Role.CONNECTOR

    @property
    def is_open(self) -> bool:
        return self.state not in ENDED_STATES

    @property
    def target_declined(self) -> bool:
        return self.state == State.DECLINED

    @property
    def target_agreed(self) -> bool:
        """Whether the target said yes, or was introduced without being asked first."""
        return self.state not in (State.REQUESTED, State.ASKED, State.DECLINED)


ENDED_STATES = {State.DECLINED, State.WITHDRAWN, State.DROPPED, State.LOOP_CLOSED}

# What an event may change on its introduction: kept on the event as it was just before
# (`IntroEvent.before`), so that the event can be undone. The next step is recomputed.
MILESTONES = (
    "requested_at", "asked_at", "answered_at", "introduced_at", "reached_out_at",
    "last_follow_up_at", "scheduled_for", "met_at", "thanked_at", "closed_at", "ended_at",
)  # fmt: skip
Snapshot = dict[str, str | int | None]


def snapshot(intro: Intro) -> Snapshot:
    """The introduction's state, outcome, follow-ups and milestones, as JSON."""
    taken: Snapshot = {
        "state": intro.state,
        "outcome": intro.outcome,
        "follow_ups": intro.follow_ups,
    }
    for name in MILESTONES:
        moment = getattr(intro, name)
        taken[name] = moment.isoformat() if moment else None
    return taken


class IntroEvent(models.Model):
    """One thing that happened to an introduction: a milestone, an ending, or a note."""

    intro = models.ForeignKey(Intro, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=EventType.choices)
    at = models.DateTimeField()  # when it happened, as the actor said
    recorded_at = models.DateTimeField(default=timezone.now)
    actor_role = models.CharField(max_length=10, choices=Role.choices, blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(max_length=200, blank=True)
    via = models.CharField(max_length=10, default="web")  # web, api, link, system
    note = models.TextField(blank=True)
    # For the follow-through record: the step's due date then, and whether it was on time.
    due_at = models.DateTimeField(null=True, blank=True)
    on_time = models.BooleanField(null=True)
    # The introduction just before this event (`snapshot`), to undo it; None for the first.
    before = models.JSONField(null=True, blank=True)
    # Undone: when, and the "undone" entry that took it back (which points here as `undoes`).
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undoes"
    )
    # When its time (`at`) was last corrected by whoever recorded it.
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["intro", "at"], name="intros_event_intro_idx")]

    def __str__(self) -> str:
        return f"{self.type} at {self.at:%Y-%m-%d}"


def new_link_key() -> str:
    return secrets.token_urlsafe(24)


class ActionLink(models.Model):
    """A one-click action for someone without an account, sent in an email.

    The URL carries `key` signed with the site's secret; the row makes it single-use (a
    conditional UPDATE of used_at) and lets it expire.
    """

    key = models.CharField(max_length=64, unique=True, default=new_link_key)
    intro = models.ForeignKey(Intro, on_delete=models.CASCADE, related_name="links")
    role = models.CharField(max_length=10, choices=Role.choices)
    # The events this link may record, e.g. ["accepted", "declined"]: choosing one spends it.
    actions = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_for = models.CharField(max_length=20, blank=True)

    def __str__(self) -> str:
        return f"{self.role}: {', '.join(self.actions)}"


class IntroSettings(models.Model):
    """A user's due-date rules and cooldown; introductions they create use these."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intro_settings"
    )
    connector_days = models.PositiveSmallIntegerField("connector acts within (days)", default=5)
    answer_days = models.PositiveSmallIntegerField("target answers within (days)", default=7)
    reach_out_days = models.PositiveSmallIntegerField(
        "seeker reaches out within (days of the introduction)", default=2
    )
    follow_up_days = models.PositiveSmallIntegerField(
        "seeker follows up a silent target after (days)", default=5
    )
    thank_days = models.PositiveSmallIntegerField(
        "seeker thanks within (days after meeting)", default=1
    )
    close_loop_days = models.PositiveSmallIntegerField(
        "seeker closes the loop within (days after meeting)", default=7
    )
    cooldown_days = models.PositiveSmallIntegerField(
        "warn before asking the same person again within (days)", default=30
    )

    def __str__(self) -> str:
        return f"Introduction settings of {self.user_id}"

    def rules(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in RULE_FIELDS}


RULE_FIELDS = (
    "connector_days",
    "answer_days",
    "reach_out_days",
    "follow_up_days",
    "thank_days",
    "close_loop_days",
)


def _default_days(name: str) -> int:
    field = IntroSettings._meta.get_field(name)
    assert isinstance(field, models.Field)  # a column of IntroSettings, not a relation
    return field.default


DEFAULT_RULES = {f: _default_days(f) for f in RULE_FIELDS}


class MessageTemplate(models.Model):
    """A user's own wording for one of the drafted messages."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=30)
    subject = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="intros_template_user_key")
        ]

    def __str__(self) -> str:
        return self.key
