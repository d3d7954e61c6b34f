from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from introloop import access
from introloop.accounts.requests import AuthedRequest
from introloop.network.queries import local_today

from . import services
from .forms import ApplicationForm, AskForm, BriefForm, GoalForm, NeedForm, TargetsForm
from .models import Application, Ask, Brief, Goal, Need
from .suggestions import suggestions


def _get_goal_for_user(request: AuthedRequest, goal_id: int) -> Goal:
    return access.get_or_404(Goal, request.user, id=goal_id)


def _today(request: AuthedRequest) -> date:
    return local_today(request.user, timezone.now())


@login_required
def goal_list(request: AuthedRequest) -> HttpResponse:
    goals = access.scope(Goal, request.user).prefetch_related("needs")
    context = {
        "goals": goals,
        "brief_text": services.brief_text(request.user),
        "brief": services.brief_for(request.user),
        "nav": "goals",
    }
    return render(request, "goals/goal_list.html", context)


@login_required
def goal_new(request: AuthedRequest) -> HttpResponse:
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        goal = form.save(commit=False)
        goal.owner = request.user
        services.save_goal(goal, now=timezone.now())
        messages.success(request, "Goal saved. Here is who in your network fits it.")
        return redirect("goals:detail", goal_id=goal.id)
    return render(request, "goals/goal_form.html", {"form": form, "nav": "goals"})


@login_required
def goal_edit(request: AuthedRequest, goal_id: int) -> HttpResponse:
    goal = _get_goal_for_user(request, goal_id)
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        services.save_goal(form.save(commit=False), now=timezone.now())
        messages.success(request, "Saved.")
        return redirect("goals:detail", goal_id=goal.id)
    return render(request, "goals/goal_form.html", {"form": form, "goal": goal, "nav": "goals"})


@login_required
def goal_delete(request: AuthedRequest, goal_id: int) -> HttpResponse:
    goal = _get_goal_for_user(request, goal_id)
    if request.method == "POST":
        goal.delete()
        messages.success(request, f"Deleted the goal “{goal.title}”; asks linked to it stay.")
        return redirect("goals:list")
    return render(request, "goals/goal_delete.html", {"goal": goal, "nav": "goals"})


@login_required
def goal_detail(request: AuthedRequest, goal_id: int) -> HttpResponse:
    goal = _get_goal_for_user(request, goal_id)
    context = {
        "goal": goal,
        "needs": goal.needs.all(),
        "need_form": NeedForm(),
        "suggestions": suggestions(goal, _today(request), limit=25),
        "nav": "goals",
    }
    return render(request, "goals/goal_detail.html", context)


@login_required
@require_POST
def need_add(request: AuthedRequest, goal_id: int) -> HttpResponse:
    goal = _get_goal_for_user(request, goal_id)
    form = NeedForm(request.POST)
    if form.is_valid():
        services.add_need(goal, form.cleaned_data["kind"], form.cleaned_data["text"])
    else:
        messages.error(request, "Say what you need, in up to 300 characters.")
    return redirect("goals:detail", goal_id=goal.id)


@login_required
@require_POST
def need_toggle(request: AuthedRequest, need_id: int) -> HttpResponse:
    need = access.get_or_404(Need, request.user, id=need_id)
    services.tick_need(need, not need.done)
    return redirect("goals:detail", goal_id=need.goal_id)


@login_required
@require_POST
def need_delete(request: AuthedRequest, need_id: int) -> HttpResponse:
    need = access.get_or_404(Need, request.user, id=need_id)
    services.delete_need(need)
    messages.success(request, f"Removed “{need.text}” from the checklist.")
    return redirect("goals:detail", goal_id=need.goal_id)


def _confirm_delete(request: HttpRequest, obj, *, what: str, done_url: str, back_url: str):
    """GET asks for confirmation; POST deletes. Nothing else hangs off asks or applications."""
    if request.method == "POST":
        obj.delete()
        messages.success(request, f"Deleted {what}.")
        return redirect(done_url)
    context = {"what": what, "back_url": back_url, "nav": "goals"}
    return render(request, "goals/confirm_delete.html", context)


@login_required
def brief_settings(request: AuthedRequest) -> HttpResponse:
    brief = services.brief_for(request.user)
    form = BriefForm(request.POST or None, initial={"intro_text": brief.intro_text})
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "share":
            services.share_brief(request.user, True)
            messages.success(request, "Your brief is public at its link. Share it freely.")
        elif action == "unshare":
            services.share_brief(request.user, False)
            messages.success(request, "Your brief is private again; its link shows nothing.")
        elif action == "new_address":
            services.new_brief_address(request.user)
            messages.success(request, "New link made; the old one no longer works.")
        elif form.is_valid():
            services.share_brief(request.user, brief.shared, form.cleaned_data["intro_text"])
            messages.success(request, "Saved.")
        return redirect("goals:brief")
    context = {
        "form": form,
        "brief": brief,
        "brief_text": services.brief_text(request.user),
        "public_url": request.build_absolute_uri(f"/b/{brief.token}/") if brief.pk else "",
        "nav": "goals",
    }
    return render(request, "goals/brief.html", context)


def public_brief(request: HttpRequest, token: str) -> HttpResponse:
    brief = Brief.objects.select_related("owner").filter(token=token, shared=True).first()
    if brief is None or not brief.owner.is_active:
        raise Http404
    text = services.brief_text(brief.owner)
    context = {"owner": brief.owner, "brief_text": text}
    return render(request, "goals/public_brief.html", context)


@login_required
def ask_list(request: AuthedRequest) -> HttpResponse:
    asks = access.scope(Ask, request.user).select_related("contact")
    direction = request.GET.get("direction", "")
    if direction in Ask.Direction.values:
        asks = asks.filter(direction=direction)
    context = {"asks": asks[:200], "direction": direction, "nav": "goals"}
    return render(request, "goals/ask_list.html", context)


def _ask_form(request: AuthedRequest, ask: Ask | None) -> HttpResponse:
    initial: dict[str, int | str] = {}
    contact_id = request.GET.get("contact", "")
    if ask is None and contact_id.isdigit():
        initial["contact"] = int(contact_id)
        initial["direction"] = request.GET.get("direction", Ask.Direction.ASKED)
    form = AskForm(request.user, request.POST or None, instance=ask, initial=initial,
                   today=_today(request))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.owner = request.user
        saved, warnings = services.save_ask(saved)
        for warning in warnings:
            messages.warning(request, warning)
        messages.success(request, "Saved.")
        return redirect("timeline:contact", contact_id=saved.contact_id)
    return render(request, "goals/ask_form.html", {"form": form, "ask": ask, "nav": "goals"})


@login_required
def ask_new(request: AuthedRequest) -> HttpResponse:
    return _ask_form(request, None)


@login_required
def ask_edit(request: AuthedRequest, ask_id: int) -> HttpResponse:
    return _ask_form(request, access.get_or_404(Ask, request.user, id=ask_id))


@login_required
def ask_delete(request: AuthedRequest, ask_id: int) -> HttpResponse:
    ask = access.get_or_404(Ask.objects.select_related("contact"), request.user, id=ask_id)
    label = "favour" if ask.direction == Ask.Direction.GIVEN else "ask"
    what = f"the {label} “{ask.get_kind_display().lower()}” with {ask.contact.full_name}"
    contact_url = reverse("timeline:contact", args=[ask.contact_id])
    back = reverse("goals:ask_edit", args=[ask.id])
    return _confirm_delete(request, ask, what=what, done_url=contact_url, back_url=back)


@login_required
def application_list(request: AuthedRequest) -> HttpResponse:
    applications = access.scope(Application, request.user)
    context = {"applications": applications[:500], "nav": "goals"}
    return render(request, "goals/application_list.html", context)


def _application_form(request: AuthedRequest, application: Application | None) -> HttpResponse:
    form = ApplicationForm(request.user, request.POST or None, instance=application,
                           today=_today(request))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.owner = request.user
        services.save_application(saved)
        messages.success(request, f"Saved: {saved.role} at {saved.company}.")
        return redirect("goals:applications")
    context = {"form": form, "application": application, "nav": "goals"}
    return render(request, "goals/application_form.html", context)


@login_required
def application_new(request: AuthedRequest) -> HttpResponse:
    return _application_form(request, None)


@login_required
def application_edit(request: AuthedRequest, application_id: int) -> HttpResponse:
    found = access.get_or_404(Application, request.user, id=application_id)
    return _application_form(request, found)


@login_required
def application_delete(request: AuthedRequest, application_id: int) -> HttpResponse:
    found = access.get_or_404(Application, request.user, id=application_id)
    what = f"the application for {found.role} at {found.company}"
    back = reverse("goals:application_edit", args=[found.id])
    done = reverse("goals:applications")
    return _confirm_delete(request, found, what=what, done_url=done, back_url=back)


@login_required
def targets_settings(request: AuthedRequest) -> HttpResponse:
    form = TargetsForm(request.POST or None, instance=services.targets_for(request.user))
    if request.method == "POST" and form.is_valid():
        services.save_targets(request.user, {f: form.cleaned_data[f] for f in form.Meta.fields})
        messages.success(request, "Saved.")
        return redirect("goals:targets")
    return render(request, "goals/targets.html", {"form": form, "section": "targets"})
