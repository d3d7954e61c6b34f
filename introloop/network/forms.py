import re
from datetime import date, timedelta
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from introloop import access
from introloop.accounts.models import User

from .importers.decoding import normalize_email, normalize_linkedin_url
from .importers.records import FORMATS, ContactRecord
from .models import Contact, Interaction, Strength
from .services import INTRO_CAP_MAX, INTRO_CAP_MIN, InvalidContact, clean_intro_cap, clean_tag

_LABELLED = re.compile(r"^(?P<value>.*?)\s*\((?P<kind>[^()]{1,30})\)\s*$")


def split_labelled(text: str) -> list[tuple[str, str]]:
    """ "ann@acme.com (work)" lines -> [("ann@acme.com", "work")]."""
    items = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        match = _LABELLED.match(line)
        value, kind = (match["value"], match["kind"].strip().lower()) if match else (line, "")
        items.append((value.strip(), kind))
    return items


def _contact_choice(form: forms.BaseForm, name: str) -> "forms.ModelChoiceField[Contact]":
    """The form's field `name`, a choice among contacts (declared so, or made by ModelForm
    from a relation to Contact)."""
    # ModelChoiceField is generic only in django-stubs, hence the quoted type.
    return cast("forms.ModelChoiceField[Contact]", form.fields[name])


def join_labelled(items: list[tuple[str, str]]) -> str:
    return "\n".join(f"{value} ({kind})" if kind else value for value, kind in items)


class ContactPicker(forms.SelectMultiple):
    """Search-as-you-type choice among the owner's contacts (thousands won't fit a <select>)."""

    template_name = "network/widgets/contact_picker.html"

    def __init__(self, multiple: bool = True, attrs=None):
        super().__init__(attrs)
        self.multiple = multiple

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        ids = [v for v in self.format_value(value) if str(v).isdigit()]
        queryset = self.choices.queryset if hasattr(self.choices, "queryset") else None
        picked = list(queryset.filter(pk__in=ids).only("id", "full_name")) if queryset else []
        context["widget"].update(picked=picked, multiple=self.multiple)
        return context

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if self.multiple:
            return values
        values = [v for v in (values or []) if v]
        return values[-1] if values else None

    def format_value(self, value):
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        return [str(v) for v in value if v not in ("", None)]


def without_blank(field: forms.Field) -> None:
    """A required choice of a model's field offers its choices only (the first is picked),
    without the blank "---------" Django puts before them."""
    choice = cast(forms.ChoiceField, field)
    offered = cast(list[tuple[str, str]], choice.choices)
    choice.choices = [(value, label) for value, label in offered if value != ""]


class OwnedContactChoice(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Contact.objects.none(), widget=ContactPicker(False), **kwargs)


class ContactForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=300)
    emails = forms.CharField(
        label="Emails",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line; add a label in parentheses if you like: ann@acme.com (work).",
    )
    phones = forms.CharField(
        label="Phones",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line, e.g. +44 20 7946 0018 (mobile).",
    )
    linkedin_url = forms.CharField(
        label="LinkedIn profile", required=False, max_length=300,
        widget=forms.URLInput(attrs={"placeholder": "https://www.linkedin.com/in/…"}),
    )  # fmt: skip
    company = forms.CharField(required=False, max_length=200)
    title = forms.CharField(required=False, max_length=200)
    industry = forms.CharField(required=False, max_length=120)
    location = forms.CharField(required=False, max_length=200)
    tags = forms.CharField(required=False, max_length=1000, help_text="Separate tags with commas.")
    strength = forms.ChoiceField(
        label="Relationship", required=False, choices=[("", "Not set"), *Strength.choices]
    )
    how_we_met = forms.CharField(
        label="How we met", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    introduced_by = OwnedContactChoice(label="Introduced by", required=False)
    how_they_can_help = forms.CharField(
        label="How they could help",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Advice, an introduction, a referral at their company…",
    )
    keep_in_touch_days = forms.IntegerField(
        label="Keep in touch every (days)",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Introloop tells you when it has been longer than this since you last spoke.",
    )
    intro_cap_per_month = forms.IntegerField(
        label="Introductions a month at most",
        required=False,
        # The rule is the service's (clean_intro_cap); these only guide the browser.
        widget=forms.NumberInput(attrs={"min": INTRO_CAP_MIN, "max": INTRO_CAP_MAX}),
        help_text="Protect a busy contact: Introloop refuses introductions you make to them "
        "beyond this.",
    )
    birthday = forms.CharField(
        required=False, max_length=10, help_text="YYYY-MM-DD, or MM-DD without the year."
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, owner: User, *args, contact: Contact | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.contact = contact
        others = Contact.objects.filter(owner=owner)
        if contact is not None:
            others = others.exclude(pk=contact.pk)
        _contact_choice(self, "introduced_by").queryset = others

    @classmethod
    def initial_for(cls, contact: Contact) -> dict:
        return {
            **{
                f: getattr(contact, f) or ""
                for f in (
                    "full_name",
                    "linkedin_url",
                    "company",
                    "title",
                    "industry",
                    "location",
                    "strength",
                    "how_we_met",
                    "how_they_can_help",
                    "birthday",
                    "notes",
                )
            },
            "emails": join_labelled([(e.email, e.kind) for e in contact.emails.all()]),
            "phones": join_labelled(
                [(p.get("number", ""), p.get("kind", "")) for p in contact.phones]
            ),
            "tags": ", ".join(t.name for t in contact.tags.all()),
            "introduced_by": contact.introduced_by_id,
            "keep_in_touch_days": contact.keep_in_touch_days,
            "intro_cap_per_month": contact.intro_cap_per_month,
        }

    # Text fields a link may fill in (the share page's "New contact"), by their own names.
    PREFILLED_BY_LINK = (
        "full_name", "emails", "phones", "linkedin_url", "company", "title", "industry",
        "location", "tags", "how_we_met", "how_they_can_help", "notes",
    )  # fmt: skip

    @classmethod
    def initial_from_query(cls, query) -> dict[str, str]:
        """What a GET request's parameters fill in: only shown, saved when the form is."""
        return {name: query[name][:5000] for name in cls.PREFILLED_BY_LINK if query.get(name, "")}

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise ValidationError("Enter a name.")
        return name

    def clean_emails(self) -> list[tuple[str, str]]:
        emails: list[tuple[str, str]] = []
        bad: list[str] = []
        for value, kind in split_labelled(self.cleaned_data["emails"]):
            email = normalize_email(value)
            if not email:
                bad.append(value)
            elif email not in {e for e, _ in emails}:
                emails.append((email, kind))
        if bad:
            raise ValidationError(f"Not an email address: {', '.join(bad)}")
        return emails

    def clean_phones(self) -> list[tuple[str, str]]:
        phones = []
        for value, kind in split_labelled(self.cleaned_data["phones"]):
            digits = sum(c.isdigit() for c in value)
            if digits < 3 or len(value) > 64 or re.search(r"[^\d\s()+\-./x#*extEXT]", value):
                raise ValidationError(f"Not a phone number: {value}")
            phones.append((value, kind))
        return phones

    def clean_linkedin_url(self) -> str:
        raw = self.cleaned_data["linkedin_url"].strip()
        if not raw:
            return ""
        url = normalize_linkedin_url(raw)
        if not url:
            raise ValidationError(
                "That is not a LinkedIn profile address (https://www.linkedin.com/in/…)."
            )
        taken = Contact.objects.filter(owner=self.owner, linkedin_url=url)
        if self.contact is not None:
            taken = taken.exclude(pk=self.contact.pk)
        other = taken.first()
        if other is not None:
            raise ValidationError(f"{other.full_name} already has this LinkedIn profile.")
        return url

    def clean_tags(self) -> list[str]:
        tags: list[str] = []
        for tag in self.cleaned_data["tags"].split(","):
            tag = " ".join(tag.split())
            if len(tag) > 50:
                raise ValidationError(f"Tags are at most 50 characters: {tag[:50]}…")
            if tag and tag.lower() not in {t.lower() for t in tags}:
                tags.append(tag)
        return tags

    def clean_intro_cap_per_month(self) -> int | None:
        try:
            return clean_intro_cap(self.cleaned_data["intro_cap_per_month"])
        except InvalidContact as invalid:
            raise ValidationError(str(invalid)) from None

    def clean_birthday(self) -> str:
        value = self.cleaned_data["birthday"].strip()
        if not value:
            return ""
        match = re.fullmatch(r"(?:(\d{4})-)?(\d{1,2})-(\d{1,2})", value.lstrip("-"))
        if match:
            year, month, day = match.groups()
            try:
                date(int(year or 2000), int(month), int(day))  # 2000: leap year, 29 Feb is fine
            except ValueError:
                match = None
        if not match:
            raise ValidationError("Use YYYY-MM-DD, or MM-DD when you don't know the year.")
        return (
            f"{year}-{int(month):02d}-{int(day):02d}"
            if year
            else f"--{int(month):02d}-{int(day):02d}"
        )

    def to_record(self) -> ContactRecord:
        data = self.cleaned_data
        record = ContactRecord(line=0, source=self.contact.source if self.contact else "manual")
        for field in (
            "full_name", "emails", "phones", "linkedin_url", "company", "title", "industry",
            "location", "tags", "strength", "how_we_met", "how_they_can_help",
            "keep_in_touch_days", "birthday", "notes",
        ):  # fmt: skip
            value = data[field]
            setattr(record, field, value.strip() if isinstance(value, str) else value)
        if self.contact is not None:
            # Edits keep what the form does not show.
            record.given_name, record.family_name = (
                self.contact.given_name,
                self.contact.family_name,
            )
            if record.full_name != self.contact.full_name:
                record.given_name = record.family_name = ""
            record.connected_on = self.contact.connected_on
            record.uid = self.contact.uid
        return record


class InteractionForm(forms.ModelForm):
    contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(), widget=ContactPicker(True), label="With"
    )

    class Meta:
        model = Interaction
        fields = ["kind", "occurred_on", "contacts", "notes"]
        labels = {"kind": "What", "occurred_on": "When"}
        widgets = {
            "occurred_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, owner: User, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        _contact_choice(self, "contacts").queryset = access.scope(Contact, owner)
        self.fields["occurred_on"].initial = today
        without_blank(self.fields["kind"])

    def clean_occurred_on(self) -> date:
        day = self.cleaned_data["occurred_on"]
        if day > self.today + timedelta(days=366):
            raise ValidationError("That is more than a year ahead; log it once it happened.")
        if day.year < 1900:
            raise ValidationError("Enter a date after 1900.")
        return day


class BulkTagForm(forms.Form):
    contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(),
        error_messages={"required": "Tick the contacts to tag first."},
    )
    tag = forms.CharField(max_length=50)
    action = forms.ChoiceField(choices=[("add", "Add tag"), ("remove", "Remove tag")])

    def __init__(self, owner: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _contact_choice(self, "contacts").queryset = access.scope(Contact, owner)

    def clean_tag(self) -> str:
        # Commas separate tags: "," alone is no tag at all.
        tag = clean_tag(self.cleaned_data["tag"])
        if not tag:
            raise ValidationError("Enter a tag.")
        return tag


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="LinkedIn's Connections.csv or its whole export ZIP, a vCard (.vcf), a Google "
        "Contacts CSV, an Introloop export, or any CSV.",
    )
    format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[
            ("", "Detect it for me"),
            ("linkedin", "LinkedIn connections (CSV or ZIP)"),
            ("vcard", "vCard (.vcf)"),
            ("google", "Google Contacts CSV"),
            ("csv", "Another CSV (you map its columns)"),
            ("json", "Introloop JSON export"),
        ],
    )

    def clean_format(self) -> str:
        value = self.cleaned_data["format"]
        if value and value not in FORMATS:
            raise ValidationError("Unknown format.")
        return value


class MergeForm(forms.Form):
    """For each field both contacts fill differently: which value to keep."""

    def __init__(self, keep: Contact, other: Contact, conflicts: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in conflicts:
            model_field = Contact._meta.get_field(field)
            assert isinstance(model_field, models.Field)  # a column of Contact, not a relation
            label = str(model_field.verbose_name).capitalize()
            mine, theirs = getattr(keep, field), getattr(other, field)
            self.fields[field] = forms.ChoiceField(
                label=label,
                choices=[("keep", str(mine)), ("other", str(theirs))],
                initial="keep",
                widget=forms.RadioSelect,
            )

    def take_from_other(self) -> list[str]:
        return [field for field, choice in self.cleaned_data.items() if choice == "other"]
