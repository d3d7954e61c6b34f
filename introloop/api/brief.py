"""/api/v1/goals/brief: what you are looking for, in a few sentences, and its public link."""

from django.conf import settings
from django.urls import reverse
from ninja import Router, Schema

from introloop.accounts.requests import ApiRequest
from introloop.goals import services
from introloop.goals.forms import BriefForm

from .contacts import _form_errors
from .parser import Input

router = Router(tags=["goals"])


class BriefOut(Schema):
    text: str  # the brief as others read it; "" while you have no active goal
    intro_text: str  # your sentence about yourself, in it
    shared: bool
    public_url: str | None  # null until it was first shared; it shows nothing unless shared


class BriefPatch(Input):
    intro_text: str | None = None


def _brief_out(user) -> dict:
    brief = services.brief_for(user)
    url = settings.SITE_URL + reverse("goals:public_brief", args=[brief.token])
    return {
        "text": services.brief_text(user),
        "intro_text": brief.intro_text,
        "shared": brief.shared,
        "public_url": url if brief.pk else None,
    }


@router.get("/goals/brief", response=BriefOut, summary="Your brief: what you are looking for")
def get_brief(request: ApiRequest):
    """Written from your active goals and their open checklist items."""
    return _brief_out(request.auth)


@router.patch("/goals/brief", response=BriefOut, summary="Change the sentence about you")
def patch_brief(request: ApiRequest, payload: BriefPatch):
    changes = payload.changes()
    if "intro_text" in changes:
        form = BriefForm({"intro_text": changes["intro_text"]})
        if not form.is_valid():
            raise _form_errors(form)
        brief = services.brief_for(request.auth)
        services.share_brief(request.auth, brief.shared, form.cleaned_data["intro_text"])
    return _brief_out(request.auth)


@router.post("/goals/brief/share", response=BriefOut, summary="Share your brief at its link")
def share_brief(request: ApiRequest):
    services.share_brief(request.auth, True)
    return _brief_out(request.auth)


@router.post(
    "/goals/brief/unshare", response=BriefOut, summary="Stop sharing: its link shows nothing"
)
def unshare_brief(request: ApiRequest):
    services.share_brief(request.auth, False)
    return _brief_out(request.auth)


@router.post(
    "/goals/brief/new-link",
    response=BriefOut,
    summary="A new link for your brief; the old one stops working",
)
def new_brief_link(request: ApiRequest):
    services.new_brief_address(request.auth)
    return _brief_out(request.auth)
