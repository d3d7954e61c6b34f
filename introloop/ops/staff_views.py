"""Staff pages about accounts: who sends mail to other people, and blocking an abuser."""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from introloop import access
from introloop.accounts.models import User
from introloop.accounts.requests import AuthedRequest
from introloop.accounts.services import block_account, unblock_account
from introloop.outbox.models import Message


def _staff_only(view):
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not access.is_staff(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@_staff_only
def account_list(request: AuthedRequest) -> HttpResponse:
    """Accounts, those that sent the most mail to other people lately first."""
    q = request.GET.get("q", "").strip()[:200]
    accounts = _with_mail_to_others(access.staff_scope(User, request.user), timezone.now())
    if q:
        accounts = accounts.filter(Q(email__icontains=q) | Q(name__icontains=q))
    ordered = accounts.order_by("-sent_day", "-sent_week", "-date_joined")
    page = Paginator(ordered, 50).get_page(request.GET.get("page"))
    return render(request, "ops/account_list.html", {"page": page, "q": q, "nav": "accounts"})


def _with_mail_to_others(users, now):
    """Each account with how many emails went to others for it in the last day and week."""

    def sent_since(moment):
        counted = (
            Message.objects.filter(sent_for=OuterRef("pk"), created_at__gt=moment)
            .values("sent_for")
            .annotate(n=Count("id"))
            .values("n")
        )
        return Coalesce(Subquery(counted), 0)

    return users.annotate(
        sent_day=sent_since(now - timedelta(days=1)), sent_week=sent_since(now - timedelta(days=7))
    )


@_staff_only
@require_POST
def account_block(request: AuthedRequest, user_id: int) -> HttpResponse:
    account = get_object_or_404(access.staff_scope(User, request.user), pk=user_id)
    if account.pk == request.user.pk:
        messages.error(request, "You cannot block your own account.")
    elif request.POST.get("action") == "unblock":
        unblock_account(account)
        messages.success(request, f"{account.email} can log in again.")
    else:
        dropped = block_account(account)
        messages.success(
            request,
            f"{account.email} is blocked: no more log-ins or API calls; {dropped} queued "
            f"email{'s' * (dropped != 1)} to others dropped.",
        )
    return redirect("ops:accounts")
