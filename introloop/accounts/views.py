from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from introloop import access

from . import services, throttle
from .forms import (
    ApiTokenForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
    SignUpForm,
)
from .models import ApiToken
from .requests import AuthedRequest
from .tokens import email_verification_token


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    if not settings.REGISTRATION_OPEN:
        return render(request, "accounts/signup_closed.html", status=403)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.sign_up(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            name=form.cleaned_data["name"],
            time_zone=form.cleaned_data["time_zone"],
            now=timezone.now(),
        )
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(
            request,
            f"Welcome to Introloop! We sent a link to {user.email} to confirm your address.",
        )
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "now": timezone.now()}


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "now": timezone.now()}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        if form.cleaned_data["revoke_tokens"]:
            services.revoke_api_tokens(form.user)
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        revoked = services.revoke_api_tokens(form.user) if form.cleaned_data["revoke_tokens"] else 0
        tokens = f" {revoked} API token{'s' * (revoked != 1)} revoked." if revoked else ""
        messages.success(self.request, f"Your password was changed.{tokens}")
        return super().form_valid(form)


def verify_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET shows a confirm button (mail scanners follow links); POST verifies."""
    user = services.user_for_link(uidb64)
    now = timezone.now()
    if request.method == "POST" and user and services.verify_email(user, token, now):
        messages.success(request, f"Thank you: {user.email} is confirmed.")
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return redirect("accounts:login")
    valid = user is not None and email_verification_token.check_token(user, token)
    status = 200 if valid else 400
    return render(
        request, "accounts/verify_email.html", {"valid": valid, "link_user": user}, status=status
    )


@login_required
@require_POST
def resend_verification(request: AuthedRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    if user.is_verified:
        messages.info(request, "Your email address is already confirmed.")
    else:
        attempt = throttle.Attempt({throttle.email_key("verify", user.email): 3}, now, 3600)
        if attempt.blocked_until is not None:
            messages.error(request, "We sent several links already. Please try again in an hour.")
        else:
            services.queue_verification_email(user, now)
            messages.success(request, f"We sent a new confirmation link to {user.email}.")
    return redirect(request.POST.get("next") or "accounts:profile")


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    user = request.user
    old_email = user.email
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["email"]
        user.email = old_email  # the form set it; the service decides what changing it means
        user.save(update_fields=["name", "time_zone"])
        if services.change_email(user, new_email, timezone.now()):
            # The session hash covers the email; keep this browser logged in.
            update_session_auth_hash(request, user)
            messages.success(request, f"Saved. We sent a link to {user.email} to confirm it.")
        else:
            messages.success(request, "Your profile was saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "section": "profile"})


def _get_token_for_user(request: HttpRequest, token_id: int) -> ApiToken:
    return access.get_or_404(ApiToken, request.user, id=token_id)


@login_required
def api_tokens(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_raw_token = None
    if request.method == "POST" and form.is_valid():
        _, new_raw_token = services.create_api_token(
            request.user, form.cleaned_data["name"], timezone.now()
        )
        form = ApiTokenForm()
    context = {
        "form": form,
        "tokens": access.scope(ApiToken, request.user),
        "new_raw_token": new_raw_token,
        "section": "tokens",
        "api_base": settings.SITE_URL + "/api/v1/",
    }
    return render(request, "accounts/api_tokens.html", context)


@login_required
@require_POST
def revoke_api_token(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = _get_token_for_user(request, token_id)
    services.revoke_api_token(token)
    messages.success(request, f"Token “{token.name}” was revoked; it no longer works.")
    return redirect("accounts:api_tokens")
