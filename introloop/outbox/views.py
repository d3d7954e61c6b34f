"""Staff pages: the outbox, so a local install without SMTP is usable end to end, and the
stop list. The one public page: where someone without an account stops all introduction
emails to their address (the link in every email to them)."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from introloop import access

from . import delivery, services, stops
from .models import Message, StoppedAddress

P = ParamSpec("P")


# The views take a plain HttpRequest: accounts, with its AuthedRequest, sits above outbox.
def _staff_only(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Staff see the outbox; to anyone else it does not exist."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not access.is_staff(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@_staff_only
def message_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    messages_qs = access.staff_scope(Message, request.user).only(
        "id", "to", "subject", "status", "attempts", "created_at", "sent_at", "last_error"
    )
    if status in Message.Status.values:
        messages_qs = messages_qs.filter(status=status)
    page = Paginator(messages_qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": Message.Status.choices,
        "smtp_configured": delivery.smtp_connection() is not None,
        "failed_count": access.staff_scope(Message, request.user)
        .filter(status=Message.Status.FAILED)
        .count(),
        "nav": "outbox",
    }
    return render(request, "outbox/message_list.html", context)


@_staff_only
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(access.staff_scope(Message, request.user), id=message_id)
    return render(request, "outbox/message_detail.html", {"message": message, "nav": "outbox"})


@_staff_only
@require_POST
def message_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(access.staff_scope(Message, request.user), id=message_id)
    delivery.retry_now(message, timezone.now())
    messages.success(request, "The message is queued again; the worker will send it shortly.")
    return redirect("outbox:detail", message_id=message.id)


@_staff_only
@require_POST
def retry_failed(request: HttpRequest) -> HttpResponse:
    count = delivery.retry_all_failed(timezone.now())
    messages.success(request, f"{count} failed message(s) queued again.")
    return redirect("outbox:list")


@_staff_only
def stopped_list(request: HttpRequest) -> HttpResponse:
    """The addresses that asked for no more introduction emails, newest first."""
    stopped = access.staff_scope(StoppedAddress, request.user)
    page = Paginator(stopped, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "erasure_count": stopped.filter(erasure_requested_at__isnull=False).count(),
        "nav": "stopped",
    }
    return render(request, "outbox/stopped_list.html", context)


@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every email to someone without an account. Opening it only asks; the
    button stops all introduction emails to the address (and may ask for erasure)."""
    try:
        email, confirm = stops.read_stop_token(token)
    except stops.BadStopLink:
        return render(request, "outbox/stop.html", {"invalid": True}, status=400)
    context: dict[str, object] = {"email": email, "confirm": confirm}
    if confirm and request.method == "POST" and not stops.stop_status(email):
        # From an email others received too: the owner of the address confirms from theirs.
        context["sent"] = services.send_stop_confirmation(email, timezone.now())
        context["asked"] = True
    elif request.method == "POST":
        erase = request.POST.get("action") == "erase"
        context["changed"] = stops.stop(email, timezone.now(), erase=erase)
        context["done"] = "erase" if erase else "stop"
    context["stopped"] = stops.stop_status(email)
    return render(request, "outbox/stop.html", context)
