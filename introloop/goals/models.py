"""Goals and the brief, asks and favours, applications, and a seeker's targets."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

MAX_ITEMS = 200  # companies, roles, industries or locations in one goal


class Goal(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals"
    )
    title = models.CharField(max_length=200)
    roles = models.JSONField(default=list, blank=True)
    industries = models.JSONField(default=list, blank=True)
    companies = models.JSONField(default=list, blank=True)
    locations = models.JSONField(default=list, blank=True)
    # "PM = Product Manager, Product Owner" lines: titles that count as one another, on top of
    # the built-in table (goals/matching.py).
    also_counts_as = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-active", "created_at", "id"]

    def __str__(self) -> str:
        return self.title


class Need(models.Model):
    """Something specific the seeker needs to learn or get for a goal; ticked off once learnt."""

    class Kind(models.TextChoices):
        INFORMATION = "information", "Information"
        ADVICE = "advice", "Advice"
        FEEDBACK = "feedback", "Feedback"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INFORMATION)
    text = models.CharField(max_length=300)
    done = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["done", "position", "id"]

    def __str__(self) -> str:
        return self.text


def new_brief_token() -> str:
    return secrets.token_urlsafe(24)


class Brief(models.Model):
    """The seeker's public "what I'm looking for" page, at an unguessable address."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brief"
    )
    token = models.CharField(max_length=64, unique=True, default=new_brief_token)
    shared = models.BooleanField(default=False)
    intro_text = models.TextField("a sentence about you", blank=True)

    def __str__(self) -> str:
        return f"Brief of {self.owner_id}"


class Ask(models.Model):
    """A favour asked of a contact, or one done for them."""

    class Kind(models.TextChoices):
        ADVICE = "advice", "Advice"
        RESUME = "resume_feedback", "Feedback on my résumé"
        INTRODUCTION = "introduction", "An introduction"
        REFERRAL = "referral", "A referral"
        OTHER = "other", "Something else"

    class Direction(models.TextChoices):
        ASKED = "asked", "I asked them"
        GIVEN = "given", "I helped them"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ASKED = "asked", "Asked"
        DONE = "done", "Done"
        DECLINED = "declined", "Declined"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="asks"
    )
    contact = models.ForeignKey("network.Contact", on_delete=models.CASCADE, related_name="asks")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    direction = models.CharField(max_length=5, choices=Direction.choices, default=Direction.ASKED)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ASKED)
    intro = models.ForeignKey(
        "intros.Intro", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="asks"
    )
    note = models.TextField(blank=True)
    result = models.TextField(blank=True)
    on = models.DateField()  # when it was asked or given
    follow_up_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [
            models.Index(fields=["owner", "contact", "direction"], name="goals_ask_contact_idx"),
            models.Index(fields=["owner", "follow_up_on"], name="goals_ask_followup_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.direction})"


class Application(models.Model):
    class Source(models.TextChoices):
        COLD = "cold", "Cold application"
        REFERRAL = "referral", "Referral"

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        INTERVIEWING = "interviewing", "Interviewing"
        OFFER = "offer", "Offer"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    company = models.CharField(max_length=200)
    role = models.CharField(max_length=200)
    applied_on = models.DateField()
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.COLD)
    intro = models.ForeignKey(
        "intros.Intro", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        "network.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.APPLIED)
    # Set once the application reached an interview, so the rate survives later rejections.
    interviewed = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-applied_on", "-id"]

    def __str__(self) -> str:
        return f"{self.role} at {self.company}"


class Targets(models.Model):
    """A seeker's own targets and the weekly summary email."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="targets"
    )
    weekly_outreach = models.PositiveSmallIntegerField("new conversations a week", default=5)
    referrals = models.PositiveSmallIntegerField(
        "referrals and introductions to collect", default=100
    )
    weekly_summary = models.BooleanField("weekly summary email", default=True)

    def __str__(self) -> str:
        return f"Targets of {self.user_id}"
