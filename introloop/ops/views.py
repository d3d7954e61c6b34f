from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health


@never_cache
@require_GET
def health_view(request: HttpRequest) -> HttpResponse:
    """For monitors, without login: whether the database answers and reminders go out.

    503 when the database is unreachable or no working worker was seen for 5 minutes. It says
    nothing about anyone's data.
    """
    report = health.check(timezone.now())
    return JsonResponse(report.as_dict(), status=503 if report.down else 200)
