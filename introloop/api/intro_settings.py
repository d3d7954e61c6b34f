"""/api/v1/me/intro-settings and /message-templates: when the steps of the introductions you
log fall due, and how the messages drafted for them read (Settings → Introductions, Messages)."""

from ninja import Router, Schema

from introloop.accounts.requests import ApiRequest
from introloop.intros import messages
from introloop.intros.forms import IntroSettingsForm, MessageTemplateForm
from introloop.intros.messages import DEFAULTS, PLACEHOLDERS
from introloop.intros.models import RULE_FIELDS
from introloop.intros.services import (
    reset_message_template,
    save_intro_settings,
    save_message_template,
    settings_for,
)

from .contacts import _form_errors
from .parser import Input

router = Router(tags=["introductions"])

SETTING_FIELDS = (*RULE_FIELDS, "cooldown_days")


class IntroSettingsOut(Schema):
    connector_days: int  # the connector asks the target (or introduces) within
    answer_days: int  # the target answers within
    reach_out_days: int  # the seeker reaches out within, after the introduction
    follow_up_days: int  # the seeker follows up a silent target after
    thank_days: int  # the seeker thanks within, after meeting
    close_loop_days: int  # the seeker closes the loop within, after meeting
    cooldown_days: int  # warn before asking the same person again within


class IntroSettingsPatch(Input):
    connector_days: int | None = None
    answer_days: int | None = None
    reach_out_days: int | None = None
    follow_up_days: int | None = None
    thank_days: int | None = None
    close_loop_days: int | None = None
    cooldown_days: int | None = None


class TemplateOut(Schema):
    key: str
    label: str  # who writes it to whom
    subject: str
    body: str
    customised: bool  # false: Introloop's own wording
    default_subject: str
    default_body: str


class PlaceholderOut(Schema):
    name: str  # written {name} in a subject or body
    meaning: str


class TemplateList(Schema):
    items: list[TemplateOut]
    placeholders: list[PlaceholderOut]


class TemplateIn(Input):
    subject: str = ""
    body: str = ""


@router.get(
    "/me/intro-settings", response=IntroSettingsOut, summary="Your introductions' due dates"
)
def get_intro_settings(request: ApiRequest):
    current = settings_for(request.auth)
    return {f: getattr(current, f) for f in SETTING_FIELDS}


@router.patch(
    "/me/intro-settings",
    response=IntroSettingsOut,
    summary="Change some due dates (1 to 365 days); new introductions use them",
)
def patch_intro_settings(request: ApiRequest, payload: IntroSettingsPatch):
    current = settings_for(request.auth)
    values = {**{f: getattr(current, f) for f in SETTING_FIELDS}, **payload.changes()}
    form = IntroSettingsForm(values, instance=current)
    if not form.is_valid():
        raise _form_errors(form)
    saved = save_intro_settings(request.auth, {f: form.cleaned_data[f] for f in SETTING_FIELDS})
    return {f: getattr(saved, f) for f in SETTING_FIELDS}


def _template_out(user, key: str, own: dict | None = None) -> dict:
    """One drafted message as the user words it; `own`: their wordings, read beforehand."""
    own = messages.own_templates([user.pk]) if own is None else own
    label, default_subject, default_body = DEFAULTS[key]
    subject, body = messages.template_for(user, key, own)
    customised = (user.pk, key) in own
    return {"key": key, "label": label, "subject": subject, "body": body,
            "customised": customised, "default_subject": default_subject,
            "default_body": default_body}  # fmt: skip


@router.get(
    "/message-templates", response=TemplateList, summary="The drafted messages, in your words"
)
def list_message_templates(request: ApiRequest):
    own = messages.own_templates([request.auth.pk])
    return {
        "items": [_template_out(request.auth, key, own) for key in DEFAULTS],
        "placeholders": [{"name": n, "meaning": m} for n, m in PLACEHOLDERS.items()],
    }


def _save_template(request: ApiRequest, key: str, payload: TemplateIn) -> dict:
    form = MessageTemplateForm({"key": key, "subject": payload.subject, "body": payload.body})
    if not form.is_valid():
        raise _form_errors(form)
    data = form.cleaned_data
    save_message_template(request.auth, key, data["subject"], data["body"])
    return _template_out(request.auth, key)


def _reset_template(request: ApiRequest, key: str) -> dict:
    reset_message_template(request.auth, key)
    return _template_out(request.auth, key)


def _template_routes(key: str) -> None:
    # One path per template rather than /message-templates/{key}: the keys are a fixed
    # table, not objects of yours, and an unknown one is then simply no route (404).
    label = DEFAULTS[key][0]

    @router.put(
        f"/message-templates/{key}",
        response=TemplateOut,
        summary=f"Your wording of “{label}”",
        operation_id=f"save_message_template_{key}",
    )
    def save(request: ApiRequest, payload: TemplateIn):
        """`subject` (up to 200 characters) and `body` (up to 5,000), with {placeholders}."""
        return _save_template(request, key, payload)

    @router.delete(
        f"/message-templates/{key}",
        response=TemplateOut,
        summary=f"“{label}” back to Introloop's wording",
        operation_id=f"reset_message_template_{key}",
    )
    def reset(request: ApiRequest):
        return _reset_template(request, key)


for _key in DEFAULTS:
    _template_routes(_key)
