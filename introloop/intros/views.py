from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from introloop import access
from introloop.accounts.models import User
from introloop.accounts.requests import AuthedRequest
from introloop.routes import url_template

from . import (
    allowance,
    confirmations,
    corrections,
    guided,
    lifecycle,
    links,
    queries,
    sending,
    services,
)
from .forms import (
    EventForm,
    EventTimeForm,
    IntroSettingsForm,
    LinkAnswerForm,
    MessageTemplateForm,
)
from .messages import DEFAULTS, PLACEHOLDERS, draft_for_step, template_for
from .models import Intro, MessageTemplate, Role, State
from .steps import link_label

PAGE_SIZE = 50
ROLE_PAGES = {
    "seeker": ("My introductions", "Introductions you asked for."),
    "connector": ("Introductions I made", "Introductions you are making or made for others."),
    "target": ("Introduced to me", "People introduced to you."),
}


def _get_intro_for_user(request: AuthedRequest, intro_id: int) -> Intro:
    return queries.get_visible(request.user, intro_id)


def _list(request: AuthedRequest, role: str) -> HttpResponse:
    now = timezone.now()
    state = request.GET.get("state", "open")
    if state not in queries.LIST_FILTERS and state not in State.values:
        state = "open"
    intros = queries.intros_for(request.user, role, state, now)
    page = Paginator(intros, PAGE_SIZE).get_page(request.GET.get("page"))
    detail = url_template("intros:detail")
    for intro in page:
        # The list shows each target as this viewer may see them; the template reads it here.
        intro.target_seen = access.target_shown(  # type: ignore[attr-defined]
            intro, access.roles_of(intro, request.user)
        ).name
        intro.url = detail.format(intro.id)  # type: ignore[attr-defined]
    title, lead = ROLE_PAGES[role]
    records = []
    if role in ("seeker", "connector"):
        records = queries.follow_through(queries.intros_for(request.user, role, "all", now))
    context = {
        "page": page,
        "role": role,
        "title": title,
        "lead": lead,
        "state": state,
        "filters": queries.LIST_FILTERS,
        "states": State.choices,
        "now": now,
        "follow_through": records,
        "nav": "intros",
    }
    return render(request, "intros/intro_list.html", context)


@login_required
def my_intros(request: AuthedRequest) -> HttpResponse:
    return _list(request, "seeker")


@login_required
def intros_made(request: AuthedRequest) -> HttpResponse:
    return _list(request, "connector")


@login_required
def intros_to_me(request: AuthedRequest) -> HttpResponse:
    return _list(request, "target")


def _as_seen(intros: Iterable[Intro], viewer: User) -> list[tuple[Intro, str]]:
    """Introductions with their target's name as `viewer` may see it."""
    return [(i, access.target_shown(i, access.roles_of(i, viewer)).name) for i in intros]


@login_required
def intro_detail(request: AuthedRequest, intro_id: int) -> HttpResponse:
    return _detail_page(request, _get_intro_for_user(request, intro_id))


def _detail_page(
    request: AuthedRequest, intro: Intro, failed: EventForm | None = None, button: bool = False
) -> HttpResponse:
    """The introduction's page; with `failed`, the event form that was refused, its errors
    shown beside its fields (in a guided button's form if `button`, else "Something else")."""
    now = timezone.now()
    roles = access.roles_of(intro, request.user)
    target = access.target_shown(intro, roles)
    actions = _guided_forms(intro, roles, failed if button else None)
    steps = []
    for step in lifecycle.next_steps(intro):
        mine = step.owner in roles
        steps.append(
            {
                "step": step,
                "title": step.title(intro, target.name),
                "owner_name": intro.party(step.owner)[0],
                "mine": mine,
                "overdue": step.overdue(now),
                # Since when it waits on its owner: the moment its event was recorded.
                "since": intro.clock_at or intro.updated_at,
                # The seeker's step that the connector hears of, if it is late: the page
                # says when (reminders answers, as it knows the connector's settings).
                "heads_up": mine
                and step.kind.heads_up is not None
                and Role.CONNECTOR not in roles
                and bool(intro.connector_email),
                "draft": draft_for_step(step.step, intro, request.user, bool(target.email))
                if mine
                else None,
                "actions": [a for a in actions if a["action"].step == step.step],
            }
        )
    allowed = lifecycle.allowed_events(intro, roles)
    history = list(intro.events.select_related("actor_user"))
    back_role = next((r for r in ("seeker", "connector", "target") if r in roles), "seeker")
    context = {
        "back_url": {"seeker": "intros:mine", "connector": "intros:made", "target": "intros:to_me"}[
            back_role
        ],
        "intro": intro,
        "roles": roles,
        "role_names": [dict(Role.choices)[r] for r in sorted(roles)],
        "target": target,
        "steps": steps,
        "other_actions": [a for a in actions if not a["action"].primary],
        "allowed": [(e, lifecycle.TRANSITIONS[e].label) for e in allowed],
        "events": [
            (
                event,
                access.actor_name(intro, event, roles),
                lifecycle.done_by(event.type, event.actor_role),
            )
            for event in history
        ],
        "offers": corrections.offers_for(history, request.user.pk, roles),
        "chain": _as_seen(queries.chain(intro), request.user),
        "children": _as_seen(
            access.scope(Intro.objects, request.user).filter(parent=intro), request.user
        ),
        "can_send_ask": "asked" in allowed and Role.CONNECTOR in roles,
        # A seeker's request may be introduced at once: the connector's call.
        "can_send_intro": ("introduced" in allowed or services.is_request(intro))
        and Role.CONNECTOR in roles,
        "can_pass": "withdrawn" in allowed
        and Role.CONNECTOR in roles
        and Role.SEEKER not in roles
        and services.seeker_led(intro),
        "event_form": failed if failed is not None and not button else EventForm(),
        "now": now,
        "nav": "intros",
    }
    status = 200 if failed is None else 422
    return render(request, "intros/intro_detail.html", context, status=status)


def _guided_forms(intro: Intro, roles: set[str], failed: EventForm | None) -> list[dict]:
    """The guided buttons, each with what was typed in its field and the error beside it
    when `failed` is the form it sent."""
    forms = []
    for action in guided.guided_actions(intro, roles):
        error = value = ""
        if failed is not None and failed.data.get("type") == action.event and action.field:
            error = " ".join(map(str, failed.errors.get(action.field, [])))
            value = failed.data.get(action.field, "")
        forms.append({"action": action, "error": error, "value": value})
    return forms


@login_required
@require_POST
def intro_event(request: AuthedRequest, intro_id: int) -> HttpResponse:
    """Record an event, from a guided button (`guided`) or the "Something else" form. A
    refused event comes back as a message; a missing or bad field, beside the field."""
    intro = _get_intro_for_user(request, intro_id)
    form = EventForm(request.POST)
    roles = access.roles_of(intro, request.user)
    event = form.data.get("type", "")
    refused = (
        "Choose what happened." if "type" in form.errors else lifecycle.refusal(intro, event, roles)
    )
    if refused:
        messages.error(request, refused)
        return redirect("intros:detail", intro_id=intro.id)
    if not form.is_valid():
        return _detail_page(request, intro, failed=form, button=request.POST.get("guided") == "1")
    data = form.cleaned_data
    now = timezone.now()
    try:
        changed = lifecycle.record_event(
            intro.id,
            data["type"],
            roles=roles,
            now=now,
            at=data["at"],
            actor_user=request.user,
            note=data["note"],
            outcome=data["outcome"],
            scheduled_for=data["scheduled_for"],
        )
    except lifecycle.EventRefused as refusal:
        messages.error(request, str(refusal))
    else:
        at = data["at"] or now
        messages.success(request, confirmations.recorded(changed, data["type"], at, request.user))
    return redirect("intros:detail", intro_id=intro.id)


@login_required
@require_POST
def intro_undo(request: AuthedRequest, intro_id: int) -> HttpResponse:
    """Undo the viewer's latest step, or reopen an ended introduction (the step the page
    offered, `event`: nothing else if something was recorded since)."""
    intro = _get_intro_for_user(request, intro_id)
    event_id = request.POST.get("event", "")
    try:
        _, undone = corrections.undo(
            intro.id,
            request.user,
            now=timezone.now(),
            event_id=int(event_id) if event_id.isdigit() else None,
        )
    except corrections.CorrectionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, corrections.described(undone))
    return redirect("intros:detail", intro_id=intro.id)


@login_required
@require_POST
def intro_event_time(request: AuthedRequest, intro_id: int, event_id: int) -> HttpResponse:
    """Correct when a step the viewer recorded happened."""
    intro = _get_intro_for_user(request, intro_id)
    form = EventTimeForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"When it happened: {' '.join(map(str, form.errors['at']))}")
        return redirect("intros:detail", intro_id=intro.id)
    try:
        corrections.correct_time(
            intro.id, event_id, request.user, at=form.cleaned_data["at"], now=timezone.now()
        )
    except corrections.CorrectionRefused as refused:
        if refused.kind == "not_found":
            raise Http404 from None
        messages.error(request, str(refused))
    else:
        messages.success(request, "Time corrected.")
    return redirect("intros:detail", intro_id=intro.id)


@login_required
@require_POST
def intro_send(request: AuthedRequest, intro_id: int, what: str) -> HttpResponse:
    """The connector has the app ask the target, introduce both, or pass (a seeker's
    request), in their name; the target's address is asked for when the seeker did not know it."""
    intro = _get_intro_for_user(request, intro_id)
    action = {"ask": "asked", "introduction": "introduced", "pass": "withdrawn"}.get(what)
    if action is None:
        raise Http404
    reason = request.POST.get("reason", "")
    try:
        intro = sending.answer_request(
            intro, action, sending.Acting.account(intro, request.user), timezone.now(),
            target_email=request.POST.get("target_email", ""), reason=reason,
        )  # fmt: skip
    except (lifecycle.EventRefused, allowance.SendRefused) as refused:
        messages.error(request, str(refused))
    else:
        sent_to = {
            "ask": intro.target_name,
            "introduction": f"{intro.seeker_name} and {intro.target_name}",
            "pass": intro.seeker_name,
        }[what]
        roles = access.roles_of(intro, request.user)
        next_words = confirmations.whats_next(intro, roles, request.user.zone)
        messages.success(request, f"Sent to {sent_to}. {next_words}")
    return redirect("intros:detail", intro_id=intro.id)


def action_link(request: HttpRequest, token: str) -> HttpResponse:
    """A one-click action from an email: GET shows the choice, POST records it."""
    now = timezone.now()
    try:
        link = links.link_for_token(token, now)
    except links.AlreadyDone as done:
        return render(request, "intros/link.html", {"already": str(done)})
    except links.LinkProblem as problem:
        return render(request, "intros/link.html", {"problem": str(problem)}, status=410)
    form = LinkAnswerForm(link, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            intro = sending.answer_by_link(
                token, data["action"], now, outcome=data["outcome"],
                target_email=data["target_email"], reason=data["reason"],
            )  # fmt: skip
        except links.AlreadyDone as done:
            return render(request, "intros/link.html", {"already": str(done)})
        except links.LinkProblem as problem:
            return render(request, "intros/link.html", {"problem": str(problem)}, status=409)
        zone = intro.created_by.zone if intro.created_by else timezone.get_default_timezone()
        roles = {link.role}
        context = {
            "done": data["action"],
            "intro": intro,
            "link": link,
            "next": confirmations.whats_next(intro, roles, zone, on_today=False),
        }
        return render(request, "intros/link.html", context)
    target_first = link.intro.target_name.split()[0] if link.intro.target_name else ""
    context = {
        "intro": link.intro,
        "link": link,
        "form": form,
        "request_answer": link.role == Role.CONNECTOR and "withdrawn" in link.actions,
        "choices": [
            (a, link_label(a, link.role).format(target=target_first)) for a in link.actions
        ],
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "intros/link.html", context, status=status)


@login_required
def intro_settings(request: AuthedRequest) -> HttpResponse:
    current = services.settings_for(request.user)
    form = IntroSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        fields = IntroSettingsForm.Meta.fields
        services.save_intro_settings(request.user, {f: form.cleaned_data[f] for f in fields})
        messages.success(request, "Saved. New introductions use these due dates.")
        return redirect("intros:settings")
    return render(request, "intros/settings.html", {"form": form, "section": "intros"})


@login_required
def message_templates(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        form = MessageTemplateForm(request.POST)
        if form.is_valid():
            key = form.cleaned_data["key"]
            if "reset" in request.POST:
                services.reset_message_template(request.user, key)
                messages.success(request, f"“{DEFAULTS[key][0]}” is back to Introloop's wording.")
            else:
                services.save_message_template(
                    request.user, key, form.cleaned_data["subject"], form.cleaned_data["body"]
                )
                messages.success(request, f"Saved your wording for “{DEFAULTS[key][0]}”.")
            return redirect("intros:messages")
        messages.error(request, "Both a subject and a message are needed.")
    own = set(access.scope(MessageTemplate, request.user).values_list("key", flat=True))
    templates = []
    for key, (label, _, _) in DEFAULTS.items():
        subject, body = template_for(request.user, key)
        templates.append({
            "key": key, "label": label, "customised": key in own,
            "form": MessageTemplateForm(initial={"key": key, "subject": subject, "body": body},
                                        auto_id=f"id_{key}_%s"),
        })  # fmt: skip
    context = {"templates": templates, "placeholders": PLACEHOLDERS, "section": "messages"}
    return render(request, "intros/messages.html", context)
