"""The versioned JSON API, mounted at /api/v1/; its OpenAPI document is /api/v1/openapi.json."""

from ninja import NinjaAPI

from introloop import __version__

from . import (
    brief,
    capture,
    contacts,
    duplicates,
    errors,
    goals,
    imports,
    interactions,
    intro_corrections,
    intro_settings,
    intros,
    me,
    search,
    stats,
    today,
)
from .auth import BearerToken
from .parser import JsonObjectParser

api = NinjaAPI(
    title="Introloop API",
    version=f"1 ({__version__})",
    description="Authenticate with `Authorization: Bearer <token>`; create tokens in "
    "Settings → API tokens or with `introloop token --email you@example.com`.",
    auth=BearerToken(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=JsonObjectParser(),
)
errors.install(api)
api.add_router("/", me.router)
api.add_router("/", contacts.router)
api.add_router("/", imports.router)
api.add_router("/", interactions.router)
api.add_router("/", duplicates.router)
api.add_router("/", intros.router)
api.add_router("/", intro_corrections.router)
api.add_router("/", intro_settings.router)
api.add_router("/", today.router)
api.add_router("/", goals.router)
api.add_router("/", brief.router)
api.add_router("/", stats.router)
api.add_router("/", search.router)
api.add_router("/", capture.router)
