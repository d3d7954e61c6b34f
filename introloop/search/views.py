from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from introloop.accounts.requests import AuthedRequest

from . import queries

PAGE_ROWS = 10  # per group on the results page
LIVE_ROWS = 4  # per group in the dropdown under the box
ONE_GROUP_ROWS = 100  # on the page of one group ("all 37 introductions")


@login_required
def search(request: AuthedRequest) -> HttpResponse:
    """The results page, or (asked by HTMX as you type) the dropdown under the header's box."""
    raw = request.GET.get("q", "")
    only = request.GET.get("only", "")
    live = bool(request.htmx)
    try:
        q, error = queries.clean(raw), ""
    except queries.BadQuery as bad:
        q, error = "", str(bad)
    if only not in queries.SEARCHES:
        only = ""
    rows = LIVE_ROWS if live else ONE_GROUP_ROWS if only else PAGE_ROWS
    groups = queries.search(request.user, q, rows, timezone.now(), only) if q else []
    context = {
        "search_q": q or queries.tidy(raw[: queries.MAX_LENGTH]),
        "error": error,
        "groups": groups,
        "only": only,
        "total": sum(group.count for group in groups),
        "at_least": any(group.at_least for group in groups),
    }
    template = "search/_live.html" if live else "search/results.html"
    status = 400 if len(raw) > queries.MAX_LENGTH else 200
    return render(request, template, context, status=status)
