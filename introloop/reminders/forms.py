from django import forms

from .models import NotificationSettings


# ModelForm takes a model type only in django-stubs; at run time it is not subscriptable.
class NotificationSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    digest_hour = forms.TypedChoiceField(
        label="Send the digest at",
        coerce=int,
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        help_text="In your own time zone (Settings → Profile).",
    )
    escalation_grace_days = forms.IntegerField(
        label="Days late before a heads-up", min_value=1, max_value=30
    )

    class Meta:
        model = NotificationSettings
        fields = [
            "digest_enabled",
            "digest_hour",
            "escalations_enabled",
            "escalation_grace_days",
            "outcomes_enabled",
        ]
