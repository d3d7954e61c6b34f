"""The ceiling for bench/load.py: a bare Django project in one file, one view of constant JSON.

bench/load.py serves it with gunicorn exactly as `introloop serve` runs gunicorn (same worker
class, workers, threads and access log), on a port of its own, so that "requests per second"
of an Introloop page can be read as a fraction of what Django and gunicorn give at best on
this machine. No apps, no middleware, no database, no templates: what is left is gunicorn,
Django's request handling, URL resolving and a JsonResponse.

    .venv/bin/python -m gunicorn _ceiling:application --pythonpath bench ...

The name starts with "_" so that `python3 run.py bench` does not run it as a benchmark.
"""

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-ceiling-not-secret",  # noqa: S106 - serves nothing secret
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    DATABASES={},
    USE_TZ=True,
)
django.setup()

ANSWER = {"ok": True, "service": "ceiling", "items": [1, 2, 3]}


def constant(request):
    return JsonResponse(ANSWER)


urlpatterns = [path("", constant)]

application = get_wsgi_application()
