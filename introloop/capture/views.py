"""The capture page: your private address (and a new one), and the review inbox of what
captured mail did, with its proposals accepted or dismissed in one click."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from introloop import access
from introloop.accounts.requests import AuthedRequest

from . import intake, queries, services
from .models import CapturedMessage

TODAY_SHOWN = 5  # proposals on Today; all of them on the capture page


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    rows = access.scope(CapturedMessage, request.user).defer("raw").select_related("intro")
    page = Paginator(rows.order_by("-received_at", "-id"), 50).get_page(request.GET.get("page"))
    context = {
        "section": "capture",
        "address": intake.capture_address(request.user),
        "keep": intake.address_row(request.user).keep_whole_messages,
        "keep_days": settings.CAPTURE_KEEP_DAYS,
        "page": page,
    }
    return render(request, "capture/inbox.html", context)


@login_required
def today_proposals(request: AuthedRequest) -> HttpResponse:
    """Today's "From your email" section (an HTMX fragment Today loads beside itself)."""
    found = queries.proposals(request.user.id, limit=TODAY_SHOWN)
    return render(request, "capture/_today_proposals.html", {"capture_proposals": found})


@login_required
@require_POST
def keep_messages(request: AuthedRequest) -> HttpResponse:
    keep = request.POST.get("keep") == "on"
    services.keep_whole_messages(request.user, keep)
    messages.success(request, "Whole messages are kept." if keep else "Saved.")
    return redirect("capture:inbox")


@login_required
@require_POST
def new_address(request: AuthedRequest) -> HttpResponse:
    if intake.new_address(request.user):
        messages.success(request, "New capture address made; mail to the old one is refused.")
    return redirect("capture:inbox")


def _decide(request: AuthedRequest, captured_id: int, accept: bool) -> HttpResponse:
    row = access.get_or_404(CapturedMessage.objects.defer("raw"), request.user, id=captured_id)
    try:
        if accept:
            services.accept(row.pk, request.user, timezone.now())
            messages.success(request, "Accepted: it is on the introduction's history.")
        else:
            services.dismiss(row.pk, request.user)
            messages.success(request, "Dismissed.")
    except services.ProposalRefused as refused:
        messages.error(request, str(refused))
    return redirect("capture:inbox")


@login_required
@require_POST
def accept(request: AuthedRequest, captured_id: int) -> HttpResponse:
    return _decide(request, captured_id, accept=True)


@login_required
@require_POST
def dismiss(request: AuthedRequest, captured_id: int) -> HttpResponse:
    return _decide(request, captured_id, accept=False)
