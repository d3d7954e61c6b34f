"""Capture from email: each account's private address, and every message that reached it.

A message is stored raw, once, by whichever way it came in (SMTP, IMAP, upload); the worker
then reads it (parsing.py), decides what it means (matching.py) and acts (services.py). What
was decided stays on the row, for the review inbox; the raw bytes stay too, so that a parser
fix can be replayed over stored mail (`introloop capture-replay`).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# Lower-case letters and digits without look-alikes: an address survives being read aloud,
# and mail systems that lower-case local parts do not change it. 20 of 32 = 100 bits.
_TOKEN_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet


def new_token() -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(20))


class CaptureAddress(models.Model):
    """An account's capture token; a new one (revoking the old) is a new row's value."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="capture_address"
    )
    token = models.CharField(max_length=40, unique=True, default=new_token)
    # Opted in: whole messages are kept; otherwise only what was read of them once
    # CAPTURE_KEEP_DAYS have passed (long enough to replay a parser fix over them).
    keep_whole_messages = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.token[:4] + "…"


class CapturedMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be read"
        PROCESSING = "processing", "Being read"
        DONE = "done", "Read"

    class Action(models.TextChoices):
        APPLIED = "applied", "Applied"
        PROPOSED = "proposed", "Proposed"
        IGNORED = "ignored", "Ignored"

    class Resolution(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="captured_messages"
    )
    source = models.CharField(max_length=10)  # smtp, imap, webhook, upload
    raw = models.BinaryField()  # emptied CAPTURE_KEEP_DAYS after reading, unless opted in
    raw_dropped_at = models.DateTimeField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)
    message_id = models.CharField(max_length=255, blank=True)  # without <>; "" when missing
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)

    # The worker's claim (processing) and its end.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)  # which worker's batch holds it
    # It came only to an introduction's record address, which everyone on the introduction's
    # email knows: it proposes, unless the mail server vouches for its sender (DMARC).
    by_record = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    # What was read: the original's, for a forwarded message.
    subject = models.CharField(max_length=500, blank=True)
    from_name = models.CharField(max_length=300, blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    participants = models.JSONField(default=list, blank=True)  # [{"name", "email", "field"}]
    new_text = models.TextField(blank=True)

    # What was decided, and why.
    action = models.CharField(max_length=10, choices=Action.choices, blank=True)
    reason = models.TextField(blank=True)
    intro = models.ForeignKey(
        "intros.Intro", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.CharField(max_length=20, blank=True)  # the event applied or proposed
    proposal = models.JSONField(default=dict, blank=True)  # what accepting it does
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    interaction = models.ForeignKey(
        "network.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "message_id"],
                condition=~Q(message_id=""),
                name="capture_message_once_by_id",
            ),
            models.UniqueConstraint(
                fields=["owner", "sha256"], name="capture_message_once_by_hash"
            ),
        ]
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=Q(status="pending") | Q(status="processing"),
                name="capture_message_todo_idx",
            ),
            models.Index(fields=["owner", "received_at"], name="capture_message_owner_idx"),
            # Threading (matching._by_thread) looks up several Message-IDs at once; SQLite
            # does not use the partial unique index for an IN list.
            models.Index(fields=["owner", "message_id"], name="capture_message_ref_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id or f"message {self.pk}"

    @property
    def open_proposal(self) -> bool:
        return self.action == self.Action.PROPOSED and not self.resolution
