"""The contact book: people, their emails and tags, and interactions with them.

Contacts are third parties who never signed up: every row belongs to one owner and is only
ever read through that owner. A few columns are derived and kept up to date by the services
(`search_text`, `name_key`, `last_interaction_on`, `reconnect_due_on`) so that the list, its
filters and its sorting are single indexed queries even with tens of thousands of contacts.
"""

import unicodedata
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class _DropCombining(dict[int, int | None]):
    """str.translate's table: combining marks to None (dropped), every other character to
    itself. Filled as characters are met, so that no start-up pays for all of Unicode; a
    character seen once is then looked up in C."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_DROP_COMBINING = _DropCombining()


def fold(text: str) -> str:
    """Lower-case and strip accents, so "José" is found by "jose"."""
    if text.isascii():
        return text.lower()
    # Lower-cased last, as before: "İ".lower() would bring a combining dot back.
    return unicodedata.normalize("NFKD", text).translate(_DROP_COMBINING).lower()


def new_uid() -> str:
    return str(uuid.uuid4())


class Strength(models.TextChoices):
    CLOSE = "close", "Close"
    WARM = "warm", "Warm"
    ACQUAINTANCE = "acquaintance", "Acquaintance"
    COLD = "cold", "Cold"


class Source(models.TextChoices):
    MANUAL = "manual", "Added by hand"
    LINKEDIN = "linkedin", "LinkedIn"
    VCARD = "vcard", "vCard"
    GOOGLE = "google", "Google Contacts"
    CSV = "csv", "CSV"


class Tag(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=50)
    key = models.CharField(max_length=50)  # fold(name): one tag whatever the letter case

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="network_tag_owner_key"),
        ]
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    # No index of its own: every index below starts with the owner.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contacts", db_index=False
    )
    # Stable identity across exports and re-imports (a vCard's UID when it came with one).
    uid = models.CharField(max_length=255, default=new_uid)
    # uids of contacts merged into this one, so re-importing their files finds this contact.
    merged_uids = models.JSONField(default=list, blank=True)
    full_name = models.CharField(max_length=300)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    phones = models.JSONField(default=list, blank=True)  # [{"number": "...", "kind": "..."}]
    linkedin_url = models.CharField("LinkedIn profile", max_length=300, blank=True)
    company = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    industry = models.CharField(max_length=120, blank=True)
    location = models.CharField(max_length=200, blank=True)
    tags = models.ManyToManyField(Tag, through="ContactTag", related_name="contacts", blank=True)
    how_we_met = models.TextField(blank=True)
    # Indexed only where set (network_contact_introducer_idx): indexes slow down big imports.
    introduced_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="introduced",
        db_index=False,
    )
    how_they_can_help = models.TextField("how they could help", blank=True)
    strength = models.CharField("relationship", max_length=12, choices=Strength.choices, blank=True)
    notes = models.TextField(blank=True)
    keep_in_touch_days = models.PositiveIntegerField(
        "keep in touch every (days)", null=True, blank=True
    )
    # A connector's cap on how many introductions this person receives through them a month.
    intro_cap_per_month = models.PositiveSmallIntegerField(
        "introductions a month at most", null=True, blank=True
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    connected_on = models.DateField(null=True, blank=True)
    birthday = models.CharField(max_length=10, blank=True)  # YYYY-MM-DD or --MM-DD
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # Derived, maintained by network.services.
    name_key = models.CharField(max_length=300, editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    last_interaction_on = models.DateField(null=True, blank=True, editable=False)
    reconnect_due_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "uid"], name="network_contact_owner_uid"),
            models.UniqueConstraint(
                fields=["owner", "linkedin_url"],
                condition=~Q(linkedin_url=""),
                name="network_contact_owner_linkedin",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "name_key", "id"], name="network_contact_name_idx"),
            models.Index(fields=["owner", "reconnect_due_on"], name="network_contact_due_idx"),
            # For the reminder sweep, which looks across everyone's contacts.
            models.Index(fields=["reconnect_due_on"], name="network_contact_due_all_idx"),
            # Deleting a contact looks for those it introduced: without an index, once per
            # contact through the whole table (undoing a 20,000-row import took minutes).
            # Partial: the few contacts with an introducer, so imports do not pay for it.
            models.Index(
                fields=["introduced_by"],
                condition=Q(introduced_by__isnull=False),
                name="network_contact_introducer_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def headline(self) -> str:
        """ "Title at Company", or whichever of the two is known."""
        if self.title and self.company:
            return f"{self.title} at {self.company}"
        return self.title or self.company


class ContactEmail(models.Model):
    # The owner is repeated here so "which of my contacts has this address" is one index hit.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    email = models.CharField(max_length=254)  # lower-cased
    kind = models.CharField(max_length=30, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "email"], name="network_email_unique"),
        ]
        indexes = [models.Index(fields=["owner", "email"], name="network_email_owner_idx")]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.email


class ContactTag(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "tag"], name="network_contact_tag_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}:{self.tag_id}"


class Interaction(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        CALL = "call", "Call"
        VIDEO = "video", "Video call"
        MEETING = "meeting", "Meeting"
        COFFEE = "coffee", "Coffee"
        MESSAGE = "message", "Message"
        EVENT = "event", "Event"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interactions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    occurred_on = models.DateField()
    notes = models.TextField(blank=True)
    contacts = models.ManyToManyField(Contact, related_name="interactions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["owner", "occurred_on"], name="network_interaction_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"


class NotDuplicate(models.Model):
    """Two contacts the owner said are different people, so they are not suggested again."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    first = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="network_notduplicate_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ≠ {self.second_id}"


class ImportUpload(models.Model):
    """A file waiting between the preview and the commit of an import, or until the worker
    has imported it (`ImportJob.upload`).

    Kept in the database, not on a web server's disk, so the commit may land on another
    web process than the preview did, and any worker on any host can run a job.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    filename = models.CharField(max_length=255)
    data = models.BinaryField()
    format = models.CharField(max_length=10, blank=True)  # chosen by the user, or "" to detect
    mapping = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.filename


class ImportRun(models.Model):
    """One committed import, for the history shown on the import page."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=10)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-finished_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.format})"


class ImportJob(models.Model):
    """A large import, run by the worker in batches (network/import_jobs.py).

    Its file is an ImportUpload, a row of its own (updating this row after each batch must not
    rewrite 20 MB on SQLite), deleted once the job has ended. `processed` and `total` count the
    contacts the import writes (new and updated); `total` is known once the file is read.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    upload = models.OneToOneField(
        ImportUpload, null=True, blank=True, on_delete=models.SET_NULL, related_name="job"
    )
    filename = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    read_as = models.CharField(max_length=10, blank=True)  # the format found, once read
    rows = models.PositiveIntegerField(default=0)  # rows read, skipped ones included
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # skipped rows: [{"line", "message"}]
    warnings = models.JSONField(default=list, blank=True)  # rows kept with a note
    # Why it failed, for its owner; set first, then the batches written are undone.
    failure = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    # Batches written and not undone: the next batch is number batches_done + 1.
    batches_done = models.PositiveIntegerField(default=0)
    # The worker running the job holds it until leased_until; only its token may write.
    lease_token = models.CharField(max_length=32, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # claims, including resumptions
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="network_importjob_due_idx")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def ended(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELED)

    @property
    def stopping(self) -> bool:
        """Running, but undoing what it wrote: it failed, or its owner canceled it."""
        return self.status == self.Status.RUNNING and bool(self.cancel_requested or self.failure)

    @property
    def percent(self) -> int:
        return 100 * self.processed // self.total if self.total else 0


class ImportJobBatch(models.Model):
    """One batch a job wrote, and what undoing it takes; written in the batch's transaction.

    Deleted when the job is done; a canceled or failed job undoes its batches, last first.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField()
    created_ids = models.JSONField(default=list)  # contacts this batch created
    # Contacts it updated, as they were: their columns, emails and tag ids.
    previous = models.JSONField(default=list)
    created_tag_ids = models.JSONField(default=list)  # tags that did not exist before it

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="network_importjobbatch_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.number}"
