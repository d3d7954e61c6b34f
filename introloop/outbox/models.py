"""The outbox: every email Introloop sends is a row here before it is an SMTP transaction."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Message(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # No longer true before it left (the step it was about was done meanwhile).
        CANCELED = "canceled", "Canceled"

    # The account the message concerns, if any: exported with it and deleted with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
    )
    # The account on whose behalf it went to someone else (an introduction, an opt-in
    # question): what the per-account limit on mail to people without accounts counts.
    sent_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the message is about, for cancelling it if that stops being true before it
    # leaves: "intro:<id>:<step>" for a reminder about one step of an introduction.
    topic = models.CharField(max_length=100, blank=True)
    from_email = models.CharField(max_length=320)
    to = models.JSONField()
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # Fixed when queued, so a retried delivery is recognisably the same message.
    message_id = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker delivering the message holds it until then; past it, another may retry.
    leased_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # A constraint rather than unique=True: PostgreSQL then builds no extra LIKE index.
        constraints = [
            models.UniqueConstraint(fields=["message_id"], name="outbox_message_id_unique"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="queued"),
                name="outbox_queued_due_idx",
            ),
            models.Index(fields=["sent_for", "created_at"], name="outbox_sent_for_idx"),
            models.Index(
                fields=["topic"],
                condition=models.Q(status="queued") & ~models.Q(topic=""),
                name="outbox_queued_topic_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"


class ForgottenSent(models.Model):
    """Sent messages deleted with the account they concerned, counted per day: the outbox
    keeps no address or name of a deleted person, only how much mail went out."""

    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day"], name="outbox_forgotten_day")]

    def __str__(self) -> str:
        return f"{self.count} sent on {self.day}"


class StoppedAddress(models.Model):
    """An address that asked for no more introduction emails from this instance: the outbox
    queues nothing to it (an account's own verification and password reset aside)."""

    email = models.CharField(max_length=254)  # normalized: stripped, lower-cased
    created_at = models.DateTimeField(default=timezone.now)
    # They also asked for their data to be erased: staff see it on the stop list.
    erasure_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["email"], name="outbox_stopped_email")]

    def __str__(self) -> str:
        return self.email
