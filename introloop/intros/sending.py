"""The emails the app writes for the connector (asking the target, the introduction, passing
on a seeker's request), the connector's answers to a request, and the notes to a seeker or a
connector without an account that carry their one-click links."""

from dataclasses import dataclass
from datetime import datetime
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from introloop import access
from introloop.accounts.models import User, normalize_email
from introloop.outbox.services import queue_email

from . import lifecycle, links, messages, notices
from .allowance import SendRefused, check_may_email_others
from .links import links_for, make_link
from .models import Intro, Role, State
from .services import verified_user
from .steps import REQUEST_ANSWERS, STEPS, choices_for, lower_first


def _step_draft(step: str, intro: Intro, user: User | None) -> messages.Draft:
    """The drafted message of a step that has one (asking the target, introducing)."""
    key = STEPS[step].draft
    if key is None:
        raise AssertionError(f"The step {step} has no drafted message to send")
    return messages.draft(key, intro, user)


@dataclass
class Acting:
    """Who has the app write for the connector: the connector's account, or the connector
    through the link of a seeker's request (then the seeker's account answers for the mail)."""

    roles: set[str]
    user: User | None
    name: str
    via: str
    sent_for: User

    @classmethod
    def account(cls, intro: Intro, user: User) -> "Acting":
        return cls(access.roles_of(intro, user), user, "", "web", user)

    @classmethod
    def link(cls, intro: Intro) -> "Acting":
        return cls({Role.CONNECTOR}, None, intro.connector_name, "link", intro.created_by)


def about(intro: Intro) -> str:
    """The outbox topic of an email about the introduction but about none of its steps: it
    carries the reply key (outbox/replykeys.py), and no change of state cancels it
    (lifecycle.cancel_stale_mail cancels only `intro:<id>:<step>`)."""
    return f"intro:{intro.pk}"


def sender(name: str) -> str:
    """ "Cora Lindqvist via Introloop" <the instance's address>: mail the app sends for someone
    shows their name, from the instance's own address (so that it is delivered)."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((f"{name} via {settings.SITE_NAME}", address))


def send_opt_in_request(intro: Intro, user: User, now: datetime) -> Intro:
    """Email the target the connector's question, with accept/decline links; record "asked"."""
    return ask_target(intro, Acting.account(intro, user), now)


def ask_target(intro: Intro, acting: Acting, now: datetime) -> Intro:
    if reason := notices.stop_refusal([intro.party(Role.TARGET)]):
        raise SendRefused(reason)
    check_may_email_others(acting.sent_for, now)
    with transaction.atomic():
        intro = lifecycle.record_event(
            intro.pk,
            "asked",
            roles=acting.roles,
            now=now,
            actor_user=acting.user,
            actor_name=acting.name,
            via=acting.via,
            note="Asked by email through Introloop.",
        )
        answer = STEPS["answer"]
        link = make_link(intro, Role.TARGET, [c.event for c in answer.choices], now)
        draft = _step_draft("ask_target", intro, acting.user)
        queue_email(
            "intros/opt_in_question",
            {
                "subject": draft.subject,
                "body": draft.body,
                "link": link,
                "seeker": intro.seeker_name,
                "about": intro.seeker_about,
                "brief_url": intro.seeker_brief_url,
                "notices": notices.notices_for(intro, [Role.TARGET]),
            },
            to=[intro.target_email],
            from_email=sender(intro.connector_name),
            reply_to=[intro.connector_email],
            user=intro.target_user,
            sent_for=acting.sent_for,
            topic=lifecycle.topic(intro, "answer"),
            now=now,
        )
    return intro


def send_introduction(intro: Intro, user: User, now: datetime) -> Intro:
    """Email the introduction to the seeker and the target together; record "introduced"."""
    return introduce(intro, Acting.account(intro, user), now)


def introduce(intro: Intro, acting: Acting, now: datetime) -> Intro:
    """Addressed to the seeker and the target, the connector in Cc, and Reply-To all three:
    the target's plain Reply reaches the seeker, Reply all everyone. A seeker without an
    account also gets a private note with one-click links for their next step."""
    if reason := notices.stop_refusal([intro.party(Role.SEEKER), intro.party(Role.TARGET)]):
        raise SendRefused(reason)
    check_may_email_others(acting.sent_for, now, count=2 if intro.seeker_user_id is None else 1)
    with transaction.atomic():
        intro = lifecycle.record_event(
            intro.pk,
            "introduced",
            roles=acting.roles,
            now=now,
            actor_user=acting.user,
            actor_name=acting.name,
            via=acting.via,
            note="Introduction emailed through Introloop.",
        )
        draft = _step_draft("introduce", intro, acting.user)
        queue_email(
            "intros/introduction",
            {
                "subject": draft.subject,
                "body": draft.body,
                "notices": notices.notices_for(intro, [Role.SEEKER, Role.TARGET], shared=True),
            },
            to=[intro.seeker_email, intro.target_email],
            cc=[intro.connector_email],
            from_email=sender(intro.connector_name),
            reply_to=[intro.seeker_email, intro.target_email, intro.connector_email],
            sent_for=acting.sent_for,
            topic=about(intro),
            now=now,
        )
        if intro.seeker_user_id is None:
            queue_seeker_step_email(intro, now, sent_for=acting.sent_for)
    return intro


REASON_MAX = 2000


def answer_request(
    intro: Intro,
    action: str,
    acting: Acting,
    now: datetime,
    *,
    target_email: str = "",
    reason: str = "",
) -> Intro:
    """The connector answers a seeker's request: ask the target first ("asked"), introduce
    now ("introduced"), or pass ("withdrawn", with a reason the seeker reads)."""
    if action == "withdrawn":
        return pass_request(intro, acting, now, reason)
    if acting.user is not None and Role.CONNECTOR not in acting.roles:
        raise lifecycle.EventRefused("Only the connector can have Introloop write for them.")
    if action not in ("asked", "introduced"):
        raise lifecycle.EventRefused("Choose one of the answers on the page.")
    if not intro.target_email:
        intro = _supply_target_email(intro, target_email)
    if action == "introduced" and intro.double_opt_in and intro.state == State.REQUESTED:
        # "Introduce now" is the connector's call: they know the target well enough.
        Intro.objects.filter(pk=intro.pk).update(double_opt_in=False)
        intro.double_opt_in = False
    if action == "asked":
        return ask_target(intro, acting, now)
    return introduce(intro, acting, now)


def _supply_target_email(intro: Intro, email: str) -> Intro:
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise lifecycle.EventRefused(
            f"Give {intro.target_name}'s email address: Introloop writes to them for you."
        ) from None
    if email == intro.seeker_email:
        raise lifecycle.EventRefused("That is the seeker's own address.")
    Intro.objects.filter(pk=intro.pk).update(
        target_email=email, target_user=verified_user(email), target_email_by_connector=True
    )
    intro.refresh_from_db()
    return intro


def answer_by_link(
    token: str,
    action: str,
    now: datetime,
    *,
    outcome: str = "",
    target_email: str = "",
    reason: str = "",
) -> Intro:
    """Spend a one-click link on `action` and do it; links.LinkProblem says why not (and
    links.AlreadyDone, kindly, when it was done already)."""
    with transaction.atomic():
        link = links.link_for_token(token, now)
        if link.role == Role.TARGET and action in ("accepted", "declined"):
            intro = links.use_link(token, action, now)
            tell_connector_the_answer(intro, now)
            return intro
        if link.role != Role.CONNECTOR or action not in REQUEST_ANSWERS:
            return links.use_link(token, action, now, outcome=outcome)
        links.spend(token, action, now)
        try:
            return answer_request(
                link.intro, action, Acting.link(link.intro), now,
                target_email=target_email, reason=reason,
            )  # fmt: skip
        except lifecycle.EventRefused as refusal:
            raise links.refused(link, str(refusal)) from None
        except SendRefused as refusal:
            raise links.LinkProblem(str(refusal)) from None


def tell_connector_the_answer(intro: Intro, now: datetime) -> None:
    """The target answered the connector's question: the connector hears at once, with a
    link to introduce them (or to pass) when they said yes."""
    if not intro.connector_email or intro.connector_email == intro.seeker_email:
        return
    accepted = intro.state == State.ACCEPTED
    context = {
        "connector_first": intro.connector_name.split()[0],
        "seeker": intro.seeker_name,
        "target": intro.target_name,
        "accepted": accepted,
        "link": make_link(intro, Role.CONNECTOR, ["introduced", "withdrawn"], now)
        if accepted
        else "",
        "intro_url": settings.SITE_URL + reverse("intros:detail", args=[intro.pk])
        if intro.connector_user_id
        else "",
    }
    queue_email(
        "intros/target_answered",
        context,
        to=[intro.connector_email],
        user=intro.connector_user,
        topic=lifecycle.topic(intro, "introduce") if accepted else about(intro),
        now=now,
    )


def pass_request(intro: Intro, acting: Acting, now: datetime, reason: str) -> Intro:
    """The connector passes: the introduction ends as withdrawn, the reason in its history,
    and the seeker hears it kindly."""
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise lifecycle.EventRefused(
            f"Keep the reason under {REASON_MAX:,} characters; a sentence or two is plenty."
        )
    with transaction.atomic():
        intro = lifecycle.record_event(
            intro.pk,
            "withdrawn",
            roles=acting.roles,
            now=now,
            actor_user=acting.user,
            actor_name=acting.name,
            via=acting.via,
            note=reason or f"{intro.connector_name} passed on this request.",
        )
        queue_email(
            "intros/request_passed",
            {
                "seeker_first": intro.seeker_name.split()[0] if intro.seeker_name else "",
                "connector": intro.connector_name,
                "connector_first": intro.connector_name.split()[0],
                "target": intro.target_name,
                "reason": reason,
            },
            to=[intro.seeker_email],
            from_email=sender(intro.connector_name),
            reply_to=[intro.connector_email],
            user=intro.seeker_user,
            topic=about(intro),
            now=now,
        )
    return intro


def queue_seeker_step_email(intro: Intro, now: datetime, sent_for: User | None = None) -> None:
    """A note to a seeker without an account: their next step, with a link per choice."""
    steps = lifecycle.next_steps(intro)
    choices = choices_for([s.step for s in steps])
    if not choices:
        return
    context = {
        "seeker": intro.seeker_name,
        "connector": intro.connector_name,
        "target": intro.target_name,
        "next": lower_first(steps[0].title(intro)),
        "choices": links_for(intro, Role.SEEKER, choices, now),
        "notices": notices.notices_for(intro, [Role.SEEKER]),
    }
    queue_email(
        "intros/seeker_step",
        context,
        to=[intro.seeker_email],
        sent_for=sent_for,
        topic=lifecycle.topic(intro, steps[0].step),
        now=now,
    )
