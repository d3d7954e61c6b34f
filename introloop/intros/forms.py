from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from introloop.accounts.models import User

from .lifecycle import STARTS, TRANSITIONS
from .messages import DEFAULTS
from .models import RULE_FIELDS, ActionLink, IntroSettings, Role
from .sending import REASON_MAX
from .services import NewIntro, Party

ROLE_CHOICES = [
    ("seeker", "I asked for it (I'm the seeker)"),
    ("connector", "I'm making it (I'm the connector)"),
]
START_CHOICES = [
    ("requested", "Just asked for: nothing has happened yet"),
    ("introduced", "Already introduced"),
    ("met", "We have already met"),
]


class NewIntroForm(forms.Form):
    my_role = forms.ChoiceField(
        label="Your part", choices=ROLE_CHOICES, widget=forms.RadioSelect, initial="seeker"
    )
    connector_name = forms.CharField(label="Connector's name", max_length=200, required=False)
    connector_email = forms.EmailField(label="Connector's email", required=False)
    seeker_name = forms.CharField(label="Seeker's name", max_length=200, required=False)
    seeker_email = forms.EmailField(label="Seeker's email", required=False)
    target_name = forms.CharField(label="Who is being introduced", max_length=200)
    target_email = forms.EmailField(
        label="Their email",
        required=False,
        help_text="Asking for an introduction? Leave it empty if you don't know it: the "
        "connector supplies it.",
    )
    target_company = forms.CharField(label="Their company", max_length=200, required=False)
    target_url = forms.URLField(
        label="Their LinkedIn (or other) page", max_length=500, required=False,
        assume_scheme="https",
    )  # fmt: skip
    purpose = forms.CharField(
        label="What the seeker hopes to learn about",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="A phrase that follows “hopes to learn about”, such as “how platform teams "
        "at Acme hire”. The drafted messages use it in the seeker's words and in the "
        "connector's.",
    )
    double_opt_in = forms.BooleanField(
        label="Ask the target first (double opt-in)",
        required=False,
        initial=True,
        help_text="The target says yes before the introduction; the seeker sees their email "
        "address only then.",
    )
    start = forms.ChoiceField(label="Where it stands", choices=START_CHOICES, initial="requested")
    on = forms.DateField(
        label="When",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for today.",
    )

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_on(self):
        day = self.cleaned_data.get("on")
        if day and day > timezone.now().astimezone(self.user.zone).date():
            raise ValidationError(
                "That date is in the future; log an introduction once it happened."
            )
        return day

    def clean(self):
        super().clean()
        data = self.cleaned_data
        role = data.get("my_role")
        other = "connector" if role == "seeker" else "seeker"
        if role in ("seeker", "connector"):
            for part in ("name", "email"):
                if not data.get(f"{other}_{part}"):
                    self.add_error(f"{other}_{part}", "This field is required.")
        if data.get("start") not in STARTS:
            self.add_error("start", "Choose where it stands.")
        asking = role == "seeker" and data.get("start") == "requested"
        if not data.get("target_email") and not asking and "target_email" not in self.errors:
            self.add_error(
                "target_email",
                "Their email is needed, unless you are the seeker asking for the introduction.",
            )
        return data

    def new_intro(self) -> NewIntro:
        data = self.cleaned_data
        me = Party(self.user.display_name, self.user.email)
        role = data["my_role"]
        parties = {
            "connector": me if role == "connector" else Party(data["connector_name"],
                                                              data["connector_email"]),
            "seeker": me if role == "seeker" else Party(data["seeker_name"], data["seeker_email"]),
        }  # fmt: skip
        at = None
        now = timezone.now()
        if data.get("on") and data["on"] < now.astimezone(self.user.zone).date():
            # A past day without a time: noon that day, in the user's time zone.
            at = timezone.make_aware(datetime.combine(data["on"], time(12)), self.user.zone)
        return NewIntro(
            connector=parties["connector"],
            seeker=parties["seeker"],
            target=Party(
                data["target_name"],
                data["target_email"],
                data["target_company"],
                data["target_url"],
            ),
            purpose=data["purpose"],
            double_opt_in=data["double_opt_in"],
            start=data["start"],
            at=at,
        )


class EventForm(forms.Form):
    type = forms.ChoiceField(choices=[(k, t.label) for k, t in TRANSITIONS.items()])
    at = forms.DateTimeField(
        label="When",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Leave empty for now.",
    )
    scheduled_for = forms.DateTimeField(
        label="Booked for",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    outcome = forms.CharField(
        label="What came of it", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )  # fmt: skip

    def clean_type(self) -> str:
        value = self.cleaned_data["type"]
        if value not in TRANSITIONS:
            raise ValidationError("Unknown event.")
        return value


class IntroSettingsForm(forms.ModelForm):
    class Meta:
        model = IntroSettings
        fields = [*RULE_FIELDS, "cooldown_days"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        for name, value in list(data.items()):
            if isinstance(value, int) and not 0 < value <= 365:
                self.add_error(name, "Between 1 and 365 days.")
        return data


class MessageTemplateForm(forms.Form):
    key = forms.ChoiceField(
        choices=[(k, v[0]) for k, v in DEFAULTS.items()], widget=forms.HiddenInput
    )
    subject = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=5000)


class LinkAnswerForm(forms.Form):
    """The answer given on the page of a one-click link (no account needed)."""

    action = forms.CharField(max_length=20)
    outcome = forms.CharField(
        label="What came of it?", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    target_email = forms.EmailField(label="Their email", required=False)
    reason = forms.CharField(
        label="A line for the seeker (optional)", required=False, max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="They will read it: a kind word goes a long way.",
    )  # fmt: skip

    def __init__(self, link: ActionLink, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.link = link
        self.fields["target_email"].label = f"{link.intro.target_name}'s email"

    def clean(self):
        super().clean()
        data, intro = self.cleaned_data, self.link.intro
        action = data.get("action")
        if action not in self.link.actions:
            raise ValidationError("Choose one of the answers below.")
        needs_address = action in ("asked", "introduced") and self.link.role == Role.CONNECTOR
        if needs_address and not intro.target_email and not data.get("target_email"):
            self.add_error(
                "target_email",
                f"Give {intro.target_name}'s email address: Introloop writes to them for you.",
            )
        if action == "loop_closed" and not (data.get("outcome") or "").strip():
            self.add_error("outcome", "Say what came of it: that is what the connector wants.")
        return data


class EventTimeForm(forms.Form):
    """When a recorded step really happened (intros/corrections.py checks it fits)."""

    at = forms.DateTimeField(
        label="When it happened", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
