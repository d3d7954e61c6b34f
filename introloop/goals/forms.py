from datetime import date
from typing import cast

from django import forms
from django.core.exceptions import ValidationError

from introloop import access
from introloop.intros.models import Intro
from introloop.network.forms import OwnedContactChoice, without_blank
from introloop.network.models import Contact

from .matching import VARIANTS_HELP, BadVariants, format_variants, parse_variants
from .models import Application, Ask, Goal, Need, Targets
from .services import TooMany, clean_items

LIST_HELP = "One per line, or separated by commas."
COMPANIES_HELP = "One per line; a comma stays part of the name, as in “Acme, Inc.”."


class ListField(forms.CharField):
    def __init__(self, label: str, help_text: str = LIST_HELP, **kwargs):
        super().__init__(
            label=label,
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=help_text,
            max_length=20000,
            **kwargs,
        )

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class GoalForm(forms.ModelForm):
    roles = ListField("Roles")
    industries = ListField("Industries")
    companies = ListField("Target companies", help_text=COMPANIES_HELP)
    locations = ListField("Locations")
    also_counts_as = forms.CharField(
        label="Also counts as",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=VARIANTS_HELP,
    )

    class Meta:
        model = Goal
        fields = [
            "title",
            "roles",
            "industries",
            "companies",
            "locations",
            "also_counts_as",
            "active",
        ]
        labels = {"title": "Goal", "active": "Working on it now"}
        help_texts = {"title": "In a few words, e.g. “Product role in climate tech”."}

    def _items(self, name: str, label: str, *, commas: bool = True) -> list[str]:
        try:
            return clean_items(self.cleaned_data.get(name) or "", label, commas=commas)
        except TooMany as too_many:
            raise ValidationError(str(too_many)) from None

    def clean_also_counts_as(self) -> str:
        try:
            rows = parse_variants(self.cleaned_data.get("also_counts_as") or "")
        except BadVariants as bad:
            raise ValidationError(str(bad)) from None
        return format_variants(rows)

    def clean_roles(self):
        return self._items("roles", "roles")

    def clean_industries(self):
        return self._items("industries", "industries")

    def clean_companies(self):
        return self._items("companies", "companies", commas=False)

    def clean_locations(self):
        return self._items("locations", "locations")

    def clean(self):
        data = super().clean() or {}
        if not self.errors and not any(
            data.get(f) for f in ("roles", "industries", "companies", "locations")
        ):
            raise ValidationError(
                "Say at least one role, industry, company or place: that is what lets people "
                "(and Introloop) see who can help."
            )
        return data


class NeedForm(forms.ModelForm):
    class Meta:
        model = Need
        fields = ["kind", "text"]
        labels = {"kind": "What kind", "text": "What you need to learn or get"}


class BriefForm(forms.Form):
    intro_text = forms.CharField(
        label="A sentence about you",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="E.g. “Eight years in data engineering, most recently at a fintech scale-up.”",
    )


def _valid_day(day: date | None) -> date | None:
    if day and not date(1990, 1, 1) <= day <= date(2100, 1, 1):
        raise ValidationError("Enter a date between 1990 and 2100.")
    return day


def seeker_intros(owner):
    """The introductions the owner asked for, newest first: what an ask or application can
    name."""
    return access.scope(Intro, owner).filter(seeker_user=owner).order_by("-id")


def _choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's field `name`, a choice among model instances (a ModelForm's relation)."""
    return cast(forms.ModelChoiceField, form.fields[name])


def intro_choice(field, owner) -> None:
    """Offer the owner's introductions, each named as the owner may see it."""
    field.queryset = seeker_intros(owner)
    field.required = False
    field.empty_label = "No introduction"
    field.label_from_instance = lambda intro: (
        f"{intro.seeker_name} → "
        f"{access.target_shown(intro, access.roles_of(intro, owner)).name} "
        f"(via {intro.connector_name})"
    )


class AskForm(forms.ModelForm):
    contact = OwnedContactChoice(label="Who")

    class Meta:
        model = Ask
        fields = [
            "contact",
            "direction",
            "kind",
            "status",
            "on",
            "follow_up_on",
            "intro",
            "goal",
            "note",
            "result",
        ]
        labels = {
            "on": "When",
            "follow_up_on": "Follow up on",
            "intro": "Introduction",
            "note": "Notes",
            "result": "What came of it",
        }
        widgets = {
            "on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2}),
            "result": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, owner, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        _choice(self, "contact").queryset = access.scope(Contact, owner)
        intro_choice(self.fields["intro"], owner)
        _choice(self, "goal").queryset = access.scope(Goal, owner)
        _choice(self, "goal").empty_label = "No goal"
        self.fields["goal"].required = False
        self.fields["on"].initial = today
        # A kind is required: offer the kinds, not a blank "---------" before them.
        without_blank(self.fields["kind"])

    def clean_on(self):
        return _valid_day(self.cleaned_data.get("on"))

    def clean_follow_up_on(self):
        return _valid_day(self.cleaned_data.get("follow_up_on"))

    def clean(self):
        data = super().clean() or {}
        on, follow_up = data.get("on"), data.get("follow_up_on")
        if on and follow_up and follow_up < on:
            self.add_error("follow_up_on", "The follow-up comes after the ask.")
        return data


class ApplicationForm(forms.ModelForm):
    contact = OwnedContactChoice(label="Referred by (a contact)", required=False)

    class Meta:
        model = Application
        fields = ["company", "role", "applied_on", "source", "intro", "contact", "status", "notes"]
        labels = {"applied_on": "Applied on", "intro": "Through the introduction"}
        widgets = {
            "applied_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, owner, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        _choice(self, "contact").queryset = access.scope(Contact, owner)
        intro_choice(self.fields["intro"], owner)
        self.fields["applied_on"].initial = today

    def clean_applied_on(self):
        return _valid_day(self.cleaned_data.get("applied_on"))


class TargetsForm(forms.ModelForm):
    class Meta:
        model = Targets
        fields = ["weekly_outreach", "referrals", "weekly_summary"]

    def clean_weekly_outreach(self):
        value = self.cleaned_data["weekly_outreach"]
        if not 1 <= value <= 100:
            raise ValidationError("Between 1 and 100 a week.")
        return value

    def clean_referrals(self):
        value = self.cleaned_data["referrals"]
        if not 1 <= value <= 1000:
            raise ValidationError("Between 1 and 1,000.")
        return value
