"""Logging a new introduction: the form, started blank or prefilled from a link, and the
warnings it shows live as the target is picked."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from introloop.accounts.models import User
from introloop.accounts.requests import AuthedRequest

from . import confirmations, services
from .new_form import ROLE_WORDS, NewIntroForm, prefill


def _target_warnings(user: User, name: str, email: str, role: str) -> list[str]:
    """What saving would warn of (or refuse) about this target: the same functions as
    create_intro, so the words before and after saving are one and the same."""
    try:
        validate_email(email)
    except ValidationError:
        return []
    target, now = services.Party(name.strip() or email, email), timezone.now()
    found = [services.cooldown_warning(target, user, now)]
    if role == "connector":
        found.insert(0, services.cap_refusal(user, target, now))
    return [w for w in found if w]


@login_required
def intro_new(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        form = NewIntroForm(request.user, request.POST)
    else:
        form = NewIntroForm(request.user, initial=prefill(request.user, request.GET))
    if request.method == "POST" and form.is_valid():
        try:
            intro, warnings = services.create_intro(request.user, form.new_intro(), timezone.now())
        except services.IntroRefused as refused:
            form.add_error(None, str(refused))
        else:
            for warning in warnings:
                messages.warning(request, warning)
            messages.success(request, confirmations.logged(intro, request.user))
            return redirect("intros:detail", intro_id=intro.id)
    values = form.data if form.is_bound else form.initial
    warnings = []
    if not form.non_field_errors():  # a refusal already says it
        warnings = _target_warnings(
            request.user,
            values.get("target_name", ""),
            values.get("target_email", ""),
            values.get("my_role", "seeker"),
        )
    context = {"form": form, "role_words": ROLE_WORDS, "warnings": warnings, "nav": "intros"}
    return render(request, "intros/intro_form.html", context)


@login_required
@require_GET
def intro_new_check(request: AuthedRequest) -> HttpResponse:
    """The form's live warnings about the target (an HTML fragment; empty when none)."""
    params = request.GET
    warnings = _target_warnings(
        request.user,
        params.get("target_name", "")[:200],
        params.get("target_email", "")[:254],
        params.get("my_role", ""),
    )
    return render(request, "intros/_new_warnings.html", {"warnings": warnings})
