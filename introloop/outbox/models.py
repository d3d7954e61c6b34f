"""The outbox: every email Introloop sends is a row here before it is an SMTP transaction."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Message(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

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
