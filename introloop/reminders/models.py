"""Reminders: each person's notification settings, snoozes, and the record of every reminder
queued, whose unique key makes queueing exactly-once even with several workers."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class NotificationSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    digest_enabled = models.BooleanField("daily digest of what is due", default=True)
    digest_hour = models.PositiveSmallIntegerField(
        "send it at (hour, in your time zone)", default=8
    )
    escalations_enabled = models.BooleanField(
        "heads-ups when someone I introduced is late", default=True
    )
    outcomes_enabled = models.BooleanField(
        "what came of introductions I made, when the loop is closed", default=True
    )
    escalation_grace_days = models.PositiveSmallIntegerField(
        "days late before a heads-up", default=3
    )
    # The private calendar feed's address; regenerating it kills the old one.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    def __str__(self) -> str:
        return f"Notification settings of {self.user_id}"


class Snooze(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=100)  # a due item's key, e.g. "intro:12:reach_out"
    until = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="reminders_snooze_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} until {self.until:%Y-%m-%d %H:%M}"


class Reminder(models.Model):
    """A reminder queued through the outbox. The key names (kind, recipient, item, step, due
    date); a second attempt to queue the same reminder hits the unique constraint."""

    key = models.CharField(max_length=255)
    kind = models.CharField(max_length=20)  # digest, nudge, escalation, outcome
    recipient = models.CharField(max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    # No index of its own: reminders_intro_kind_idx starts with it.
    intro = models.ForeignKey(
        "intros.Intro",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # A constraint rather than unique=True: PostgreSQL then builds no extra LIKE index.
        constraints = [models.UniqueConstraint(fields=["key"], name="reminders_reminder_key")]
        indexes = [models.Index(fields=["intro", "kind"], name="reminders_intro_kind_idx")]

    def __str__(self) -> str:
        return self.key


class EmailOptOut(models.Model):
    """Someone without an account who asked for no more reminders of a kind."""

    email = models.CharField(max_length=254)
    kind = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email", "kind"], name="reminders_optout_email_kind")
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.kind})"


class DigestLinkUse(models.Model):
    """A Done or Snooze link of a daily digest, once followed. The sweep only signs the links
    (no row per link for thousands of digests); this row, unique per link, makes each one
    single-use: of two clicks at once, the second insert fails."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=100)  # the due item's key, e.g. "intro:12:reach_out"
    action = models.CharField(max_length=10)  # done, snooze
    digest_on = models.DateField()  # the digest's day, in the user's time zone
    used_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key", "action", "digest_on"], name="reminders_digestlinkuse_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.key} (digest of {self.digest_on})"


class SweepShard(models.Model):
    """One shard of the reminder sweep (sweep.py): a worker sweeps it while holding this row's
    lock, so that concurrent workers split the work instead of all doing all of it. The row
    says when it was last swept: for which `as_of`, and the database time its read began."""

    id = models.PositiveSmallIntegerField(primary_key=True)  # the shard's number, 0 to S-1
    as_of = models.DateTimeField(null=True)
    read_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"Sweep shard {self.id}"
