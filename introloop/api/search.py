"""/api/v1/search: the web app's search everywhere, the same groups, as JSON."""

from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema

from introloop.accounts.requests import ApiRequest
from introloop.search import queries

from .errors import invalid

router = Router(tags=["search"])


class SearchRow(Schema):
    title: str
    detail: str
    url: str  # the record's page in the web app, from the site's root


class SearchGroup(Schema):
    key: str  # contacts, intros, asks, goals, applications
    label: str
    count: int  # every match (at least this many when `at_least`)
    at_least: bool
    rows: list[SearchRow]
    all_url: str  # the web page that lists every match


class SearchOut(Schema):
    q: str  # the query as searched for: control characters dropped, spaces collapsed
    groups: list[SearchGroup]


@router.get("/search", response=SearchOut, summary="Search contacts, introductions and the rest")
def search(
    request: ApiRequest,
    q: str = Query(..., max_length=queries.MAX_LENGTH),
    group: Literal["contacts", "intros", "asks", "goals", "applications"] | None = None,
    limit: int = Query(10, ge=1, le=100),
):
    """Every word of `q` must match; targets are matched only as far as you may see them."""
    try:
        cleaned = queries.clean(q)
    except queries.BadQuery as bad:
        raise invalid("q", str(bad), source="query") from None
    found = queries.search(request.auth, cleaned, limit, timezone.now(), group or "")
    return {"q": cleaned, "groups": found}
