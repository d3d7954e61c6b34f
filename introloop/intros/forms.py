from django import forms
from django.core.exceptions import ValidationError

from .lifecycle import TRANSITIONS
from .messages import DEFAULTS
from .models import RULE_FIELDS, ActionLink, IntroSettings, Role
from .sending import REASON_MAX


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

    def clean(self):
        super().clean()
        data = self.cleaned_data
        # Said here too (lifecycle refuses them as well) so the error sits beside its field.
        booking = data.get("type") == "scheduled" and "scheduled_for" not in self.errors
        if booking and not data.get("scheduled_for"):
            self.add_error("scheduled_for", "Say when the call is booked for.")
        if data.get("type") == "loop_closed" and not (data.get("outcome") or "").strip():
            self.add_error(
                "outcome", "Say what came of it: that is what the connector wants to hear."
            )
        return data


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
