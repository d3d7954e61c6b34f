"""The layering holds: each app imports only itself and the apps below it, and no app fills a
start-up registry of another (docs/architecture.md draws the layers)."""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from introloop import access

ROOT = Path(__file__).resolve().parent.parent
# Bottom to top. An app may import the apps before it in this list, never those after.
LAYERS = [
    "routes", "lookups", "bulk", "clock", "access", "outbox", "accounts", "network", "intros", "goals", "capture", "reminders",
    "timeline", "search", "portability", "api", "ops",
    # The project's own modules, which wire everything together.
    "context_processors", "form_rendering", "views", "pwa", "urls", "settings", "cli", "wsgi", "asgi",
    "__main__", "__init__",
]  # fmt: skip


def _app_of(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _imports() -> list[tuple[str, str, str]]:
    """(importing module's path, importing app, imported app) for every import of Introloop."""
    found = []
    for path in ROOT.rglob("*.py"):
        if {"tests", "migrations"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "introloop" and len(parts) > 1 and parts[1] in LAYERS:
                    found.append((str(path.relative_to(ROOT)), _app_of(path), parts[1]))
    return found


def test_every_app_has_a_layer():
    apps_here = {_app_of(p) for p in ROOT.rglob("*.py") if "tests" not in p.parts}
    assert apps_here - set(LAYERS) == set()


def test_no_app_imports_an_app_above_it():
    upward = [
        f"{path} imports introloop.{imported} ({app} sits below {imported})"
        for path, app, imported in _imports()
        if LAYERS.index(imported) > LAYERS.index(app)
    ]
    assert upward == []


def test_no_app_fills_a_registry_at_start_up():
    """ready() may connect the app's own signal receivers, nothing of another app."""
    for config in apps.get_app_configs():
        if not config.name.startswith("introloop."):
            continue
        source = Path(config.path, "apps.py").read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("introloop."), (config.name, node.module)


@pytest.mark.parametrize("model", [m for m in apps.get_models() if m._meta.app_label in {
    "accounts", "network", "intros", "goals", "reminders", "outbox"}], ids=str)  # fmt: skip
def test_every_model_that_holds_someones_data_has_an_access_rule(model):
    """A model with a path to an account must say, in access.RULES, who may read it."""
    label = model._meta.label_lower
    personal = any(
        field.is_relation and field.related_model is not None
        and field.related_model._meta.label_lower in {"accounts.user", *access.RULES}
        for field in model._meta.get_fields() if field.many_to_one or field.one_to_one
    )  # fmt: skip
    exempt = {
        "accounts.user",  # an account is read as request.user, never looked up by id
        "accounts.throttlerecord",  # counts of failed logins, never shown
        "intros.actionlink",  # reached only through its signed token
        "reminders.emailoptout",  # an address's stop, reached only through a signed link
    }
    if personal and label not in exempt:
        assert label in access.RULES
