"""Forms validate input at the edge; each error is shown inline beside its field."""

import math
from datetime import datetime

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.urls import reverse

from introloop.outbox.services import queue_email

from . import throttle
from .models import User, normalize_email, time_zone_choices


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=time_zone_choices, **kwargs)


class SignUpForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    # Filled in by the browser's own time zone (static/introloop/app.js); UTC without script.
    time_zone = TimeZoneField(initial="UTC", required=False, widget=forms.HiddenInput)

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(
                "An account with this email already exists. Log in, or reset your password."
            )
        return email

    def clean_time_zone(self) -> str:
        return self.cleaned_data.get("time_zone") or "UTC"

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        password = cleaned.get("password")
        if password:
            probe = User(email=cleaned.get("email") or "", name=cleaned.get("name") or "")
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


def _wait_message(until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return (
        f"Too many failed attempts. Please wait {minutes} minute{'s' if minutes > 1 else ''} "
        "before trying again, or reset your password."
    )


class LoginForm(auth_forms.AuthenticationForm):
    """Django's log-in form, throttled per address and per client IP in the database."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account. Check both and try "
        "again.",
    }

    def __init__(self, request=None, *args, now: datetime, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.now = now

    def clean(self):
        email = normalize_email(self.cleaned_data.get("username") or "")
        ip = throttle.client_ip(self.request) if self.request else ""
        limits = throttle.login_limits(email, ip)
        attempt = throttle.Attempt(limits, self.now, settings.LOGIN_FAILURE_WINDOW)
        if attempt.blocked_until is not None:
            raise forms.ValidationError(
                _wait_message(attempt.blocked_until, self.now), code="throttled"
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if not email:
                attempt.cancel()
            raise
        attempt.cancel()
        throttle.forget(throttle.email_key("login", email))
        return cleaned


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending through the outbox and at most 3 mails per address an hour."""

    def __init__(self, *args, now: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now

    def save(self, *args, **kwargs):
        email = self.cleaned_data["email"]
        attempt = throttle.Attempt({throttle.email_key("reset", email): 3}, self.now, 3600)
        if attempt.blocked_until is not None:
            return  # same answer as for an unknown address: no hint, no extra mail
        super().save(*args, **kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        queue_email(
            "accounts/password_reset",
            {
                "user": context["user"],
                "reset_url": settings.SITE_URL
                + reverse(
                    "accounts:password_reset_confirm", args=[context["uid"], context["token"]]
                ),
            },
            to=[to_email],
            user=context["user"],
            now=self.now,
        )


class ProfileForm(forms.ModelForm):
    time_zone = TimeZoneField(label="Time zone")

    class Meta:
        model = User
        fields = ["name", "email", "time_zone"]
        help_texts = {
            "time_zone": "Due dates, reminders and digests follow this time zone.",
            "email": "You log in with this address. Changing it asks you to verify the new one.",
        }

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another account already uses this email.")
        return email


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="Say where you will use it, e.g. “laptop script”.",
    )


class ConfirmPasswordForm(forms.Form):
    """Asks for the current password before something irreversible."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password


REVOKE_TOKENS_HELP = (
    "If you changed it because someone else may know it, they may also have made a token: "
    "this stops every script and app that uses one."
)


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    revoke_tokens = forms.BooleanField(
        label="Also revoke all my API tokens", required=False, help_text=REVOKE_TOKENS_HELP
    )


class SetPasswordForm(auth_forms.SetPasswordForm):
    revoke_tokens = forms.BooleanField(
        label="Also revoke all my API tokens", required=False, help_text=REVOKE_TOKENS_HELP
    )
