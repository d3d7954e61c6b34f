"""The installable app: its manifest, its service worker, the offline page the worker shows,
and the share target a phone opens when something is shared to Introloop.

The service worker keeps public files only (styles, scripts, icons and the offline page) and
never stores a response at run time, so nothing private is ever on the device.
"""

import json
from functools import lru_cache
from hashlib import sha256
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET, require_safe

from introloop import access
from introloop.accounts.requests import AuthedRequest
from introloop.network.models import Contact
from introloop.network.sharing import read_shared

# Pico's primary colour (the mark's blue) and its light background, as app.css shows them.
THEME_COLOR = "#0172ad"
BACKGROUND_COLOR = "#ffffff"

ICONS = [
    ("introloop/icons/icon-192.png", "192x192", "any"),
    ("introloop/icons/icon-512.png", "512x512", "any"),
    ("introloop/icons/maskable-512.png", "512x512", "maskable"),
]
# The public files the offline page needs, and those every page loads. Nothing else is cached.
PRECACHED_STATIC = [
    "vendor/pico/pico.min.css",
    "introloop/app.css",
    "vendor/htmx/htmx.min.js",
    "introloop/app.js",
    "introloop/pwa.js",
    "introloop/favicon.svg",
    "introloop/icons/apple-touch-icon.png",
    *(name for name, _, _ in ICONS),
]
TEMPLATES = Path(__file__).resolve().parent / "templates"
OFFLINE_TEMPLATE = "pwa/offline.html"
WORKER_TEMPLATE = "pwa/sw.js"


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    start_url = reverse("today")
    data = {
        "id": start_url,
        "name": settings.SITE_NAME,
        "short_name": "Introloop",
        "description": "Every introduction, followed through.",
        "start_url": start_url,
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static(name), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for name, sizes, purpose in ICONS
        ],
        # Sharing a LinkedIn profile or some text from the phone opens /share/ with it.
        "share_target": {
            "action": reverse("share"),
            "method": "GET",
            "enctype": "application/x-www-form-urlencoded",
            "params": {"title": "title", "text": "text", "url": "url"},
        },
    }
    return JsonResponse(data, content_type="application/manifest+json")


def precache_urls() -> list[str]:
    return [*(static(name) for name in PRECACHED_STATIC), reverse("offline")]


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    script = render_to_string(
        WORKER_TEMPLATE,
        {
            "cache_name": f"introloop-{cache_version()}",
            "precache": json.dumps(precache_urls()),
            "offline_url": json.dumps(reverse("offline")),
        },
    )
    response = HttpResponse(script, content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    # The browser asks again on every visit, so a new version of the files reaches it at once.
    response["Cache-Control"] = "no-cache"
    return response


def cache_version() -> str:
    """Changes whenever a precached file, the offline page or the worker itself changes."""
    paths = [finders.find(name) for name in PRECACHED_STATIC]
    paths += [str(TEMPLATES / name) for name in (OFFLINE_TEMPLATE, WORKER_TEMPLATE)]
    # Static URLs carry the files' hashes once collected; stat() spares reading unchanged files.
    stamps = tuple(
        (str(path), Path(path).stat().st_mtime_ns, Path(path).stat().st_size)
        for path in paths
        if isinstance(path, str) and Path(path).is_file()
    )
    return _digest(stamps, tuple(precache_urls()))


@lru_cache(maxsize=16)
def _digest(stamps: tuple, urls: tuple[str, ...]) -> str:
    digest = sha256("\n".join(urls).encode())
    for path, _, _ in stamps:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    # Rendered without the request on purpose: no user, no messages, no CSRF token, no cookie.
    # The service worker stores this page, so it must be the same for everyone.
    html = render_to_string(OFFLINE_TEMPLATE, {"site_name": settings.SITE_NAME})
    return HttpResponse(html)


@login_required
@require_GET
def share(request: AuthedRequest) -> HttpResponse:
    shared = read_shared(
        request.GET.get("title", ""), request.GET.get("text", ""), request.GET.get("url", "")
    )
    existing = None
    if shared.linkedin_url:
        existing = (
            access.scope(Contact, request.user).filter(linkedin_url=shared.linkedin_url).first()
        )
    context = {
        "shared": shared,
        "existing": existing,
        "contact_url": _with_query(reverse("network:new"), shared.contact_fields()),
        "intro_url": _with_query(reverse("intros:new"), shared.intro_fields()),
    }
    return render(request, "pwa/share.html", context)


def _with_query(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path
