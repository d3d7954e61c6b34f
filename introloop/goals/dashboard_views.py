"""The dashboard: referrals against the target, follow-through, the funnel, sources, outreach;
and for connectors, the introductions they made and what came of them."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from introloop.accounts.requests import AuthedRequest

from .charts import dashboard_charts, milestones_chart, week_label
from .connector_stats import connector_stats_for
from .stats import stats_for

WHOSE = "Introductions you made"  # how the connector's chart summary names them


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    now = timezone.now()
    stats = stats_for(request.user, now)
    made = connector_stats_for(request.user, now)
    # The tables list the newest week first; the charts read left to right, oldest first.
    last = len(stats.weeks) - 1
    weeks = [
        {"label": "This week" if i == last else f"Week of {week_label(w.start)}", "week": w}
        for i, w in reversed(list(enumerate(stats.weeks)))
    ]
    context = {
        "stats": stats,
        "charts": {} if stats.is_empty else dashboard_charts(stats),
        "weeks": weeks,
        "made": made,
        "made_chart": None if made.is_empty else milestones_chart(made.funnel, WHOSE),
        "nav": "dashboard",
    }
    return render(request, "goals/dashboard.html", context)
