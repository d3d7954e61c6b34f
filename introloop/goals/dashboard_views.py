"""The dashboard: referrals against the target, follow-through, the funnel, sources, outreach."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from introloop.accounts.requests import AuthedRequest

from .charts import dashboard_charts, week_label
from .stats import stats_for


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    stats = stats_for(request.user, timezone.now())
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
        "nav": "dashboard",
    }
    return render(request, "goals/dashboard.html", context)
