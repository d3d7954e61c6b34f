from collections.abc import Sequence
from typing import Any, overload

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from introloop import access
from introloop.accounts.requests import AuthedRequest
from introloop.goals.stats import outreach_for_today
from introloop.intros import confirmations
from introloop.intros.queries import get_visible
from introloop.intros.steps import lower_first

from . import calendar, services
from .due import DueItem, add_words, item_for
from .forms import NotificationSettingsForm
from .kinds import escalation
from .models import NotificationSettings
from .promises import promises
from .today import GROUP_CAP, GROUP_PAGE, GROUPS, RECONNECTS_SHOWN, Upcoming


class _Group(Sequence[DueItem]):
    """A group of Today as the paginator sees it: a length and slices, read when asked."""

    def __init__(self, upcoming: Upcoming, name: str) -> None:
        self.upcoming, self.name = upcoming, name

    def __len__(self) -> int:
        return self.upcoming.page(self.name, 0, 0)[0]

    @overload
    def __getitem__(self, index: int) -> DueItem: ...
    @overload
    def __getitem__(self, index: slice) -> list[DueItem]: ...
    def __getitem__(self, index: int | slice) -> DueItem | list[DueItem]:
        if isinstance(index, int):
            return self.upcoming.page(self.name, index, 1)[1][0]
        start, stop = index.start or 0, index.stop or 0
        return self.upcoming.page(self.name, start, stop - start)[1]


def _today_context(request: AuthedRequest, show: str = "", page: str = "1") -> dict[str, Any]:
    """Today's groups, each capped at GROUP_CAP; `show` names the one group to page through."""
    now = timezone.now()
    upcoming = Upcoming.read(request.user, now, days_ahead=7, reconnects=RECONNECTS_SHOWN)
    groups: list[dict[str, Any]] = []
    for name, title in GROUPS.items():
        if show and name != show:
            continue
        paged: Page[DueItem] | None = None
        if show:
            paged = Paginator(_Group(upcoming, name), GROUP_PAGE).get_page(page)
            count, shown = paged.paginator.count, list(paged.object_list)
        else:
            count, shown = upcoming.page(name, 0, GROUP_CAP)
        groups.append({"name": name, "title": title, "count": count, "page": paged,
                       "items": shown})  # fmt: skip
    add_words(request.user, [i for g in groups for i in g["items"]])
    by_name = {g["name"]: g["items"] for g in groups}
    return {
        **outreach_for_today(request.user, now),
        "more_reconnects": upcoming.more_reconnects,
        "groups": groups,
        "show": show,
        "overdue": by_name.get("overdue", []),
        "due_today": by_name.get("today", []),
        "this_week": by_name.get("week", []),
        "snoozes": services.SNOOZES,
        "today": upcoming.today,
        "nav": "today",
    }


@login_required
def today(request: AuthedRequest) -> HttpResponse:
    """Today; `?show=overdue` (or today, week) pages through all of one group."""
    show = request.GET.get("show", "")
    context = _today_context(request, show if show in GROUPS else "", request.GET.get("page", "1"))
    if request.htmx and request.htmx.target == "today-items":
        return render(request, "reminders/_today_items.html", context)
    return render(request, "reminders/today.html", context)


@login_required
def item_draft(request: AuthedRequest, key: str) -> HttpResponse:
    """An item's drafted message, drafted when someone opens it on Today (HTMX); without
    JavaScript, the item's own page, which shows the draft too."""
    item = item_for(request.user, key, timezone.now(), draft=bool(request.htmx))
    if item is None:
        raise Http404
    if not request.htmx:
        return redirect(item.url)
    return render(request, "reminders/_draft.html", {"item": item})


def _item_or_404(request: AuthedRequest, key: str) -> DueItem:
    item = item_for(request.user, key, timezone.now())
    if item is None:
        raise Http404
    return item


def _back(request: AuthedRequest) -> HttpResponse:
    if request.htmx:
        return render(request, "reminders/_today_items.html", _today_context(request))
    return redirect("today")


@login_required
@require_POST
def item_done(request: AuthedRequest, key: str) -> HttpResponse:
    item = _item_or_404(request, key)
    try:
        services.mark_done(request.user, item, timezone.now())
    except services.NotDoable as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"Done: {item.title}. " + _next_after(request, item))
    return _back(request)


def _next_after(request: AuthedRequest, item: DueItem) -> str:
    """What is next on the introduction whose step was just done (nothing for other items)."""
    if item.intro_id is None:
        return ""
    intro = get_visible(request.user, item.intro_id)
    roles = access.roles_of(intro, request.user)
    return confirmations.whats_next(intro, roles, request.user.zone, on_today=False)


@login_required
@require_POST
def item_snooze(request: AuthedRequest, key: str) -> HttpResponse:
    item = _item_or_404(request, key)
    days = request.POST.get("days", "")
    if days not in services.SNOOZES:
        messages.error(request, "Snooze for 1 day, 3 days or a week.")
        return _back(request)
    until = services.snooze(request.user, item, days, timezone.now())
    local = until.astimezone(request.user.zone)
    messages.success(request, f"Snoozed until {local:%a %-d %b}: {item.title}.")
    return _back(request)


@login_required
def notification_settings(request: AuthedRequest) -> HttpResponse:
    current = services.settings_for(request.user)
    form = NotificationSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        fields = NotificationSettingsForm.Meta.fields
        services.save_notification_settings(request.user, {f: form.cleaned_data[f] for f in fields})
        messages.success(request, "Saved.")
        return redirect("reminders:settings")
    feed_url = request.build_absolute_uri(
        reverse("reminders:calendar", args=[current.calendar_token])
    )
    context = {"form": form, "feed_url": feed_url, "section": "notifications"}
    return render(request, "reminders/settings.html", context)


@login_required
@require_POST
def regenerate_calendar(request: AuthedRequest) -> HttpResponse:
    services.regenerate_calendar_token(request.user)
    messages.success(request, "New calendar address made; the old one no longer works.")
    return redirect("reminders:settings")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    prefs = NotificationSettings.objects.select_related("user").filter(calendar_token=token).first()
    if prefs is None or not prefs.user.is_active:
        raise Http404
    response = HttpResponse(calendar.feed(prefs.user, timezone.now()),
                            content_type="text/calendar; charset=utf-8")  # fmt: skip
    response["Content-Disposition"] = 'inline; filename="introloop.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@csrf_exempt  # RFC 8058 one-click: mail apps POST without a session; the token authenticates
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        details = services.unsubscribe_details(token)
    except services.BadUnsubscribeLink:
        return render(request, "reminders/unsubscribe.html", {"invalid": True}, status=400)
    context = {"what": details["label"], "email": details["email"], "kind": details["kind"]}
    if request.method != "POST":
        return render(request, "reminders/unsubscribe.html", context)
    services.unsubscribe(token)
    return render(request, "reminders/unsubscribe.html", {**context, "done": True})


def digest_link(request: HttpRequest, token: str) -> HttpResponse:
    """A digest's Done or Snooze link: GET names the item and asks, POST does it. The signed
    link says whose item it is, so no login is needed."""
    now = timezone.now()
    template = "reminders/digest_link.html"
    try:
        opened = services.open_digest_link(token, now)
        if request.method == "POST":
            opened = services.use_digest_link(token, now)
            context = {"item": opened.item, "action": opened.link.action, "done": True}
            if opened.until is not None:  # in the account's zone, logged in or not
                context["until"] = f"{opened.until.astimezone(opened.user.zone):%a %-d %b, %H:%M}"
            return render(request, template, context)
    except services.BadDigestLink as bad:
        return render(request, template, {"problem": str(bad)}, status=bad.status)
    except services.AlreadyRecorded as already:
        return render(request, template, {"already": str(already)})
    except services.NotDoable as problem:
        return render(request, template, {"item": opened.item, "needs_more": str(problem)})
    context = {"item": opened.item, "action": opened.link.action,
               "snooze_for": services.SNOOZES[services.DIGEST_SNOOZE][0]}  # fmt: skip
    return render(request, template, context)


@login_required
def who_is_reminded(request: AuthedRequest, intro_id: int) -> HttpResponse:
    """The introduction's page says who Introloop reminds of the steps that are not yours."""
    intro = get_visible(request.user, intro_id)
    lines = promises(intro, request.user, timezone.now(), only=request.GET.get("step", ""))
    return render(request, "reminders/who_is_reminded.html", {"lines": lines})


@login_required
def heads_up_when(request: AuthedRequest, intro_id: int) -> HttpResponse:
    """The seeker's page says when the connector would hear that their step is late."""
    intro = get_visible(request.user, intro_id)
    now = timezone.now()
    found = escalation.heads_up_at(intro) if intro.seeker_user_id == request.user.pk else None
    if found is None:
        return HttpResponse("")
    step, hear_at = found
    context = {
        "connector": intro.connector_name.split()[0],
        "hear_at": max(hear_at, now).astimezone(request.user.zone),
        "step": lower_first(step.title(intro)),
        "past": hear_at <= now,
    }
    return render(request, "reminders/heads_up_when.html", context)
