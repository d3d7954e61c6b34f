"""Target companies were split on commas when saved, so "Acme, Inc." was stored as "Acme" and
"Inc.": join such a lone legal form back to the company before it. Companies are one per line
from now on, and a comma stays part of the name."""

import re

from django.db import migrations

# Frozen copy of goals.matching.LEGAL_SUFFIXES as of this migration.
LEGAL_SUFFIXES = frozenset(
    {
        "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "plc", "co", "corp",
        "corporation", "company", "pty", "pte", "pvt", "gmbh", "ag", "kg", "ug", "se", "sa",
        "sas", "sarl", "srl", "spa", "bv", "nv", "ab", "oy", "as", "asa", "aps", "kk",
    }
)  # fmt: skip


def _is_legal_suffix(item: str) -> bool:
    words = re.sub(r"[^\w]+", " ", re.sub(r"['\u2019.]", "", item.casefold())).split()
    return bool(words) and all(w in LEGAL_SUFFIXES for w in words)


def rejoined(companies: list[str]) -> list[str]:
    joined: list[str] = []
    for item in companies:
        if joined and isinstance(item, str) and _is_legal_suffix(item):
            joined[-1] = f"{joined[-1]}, {item}"
        else:
            joined.append(item)
    return joined


def rejoin(apps, schema_editor):
    Goal = apps.get_model("goals", "Goal")
    for goal in Goal.objects.only("id", "companies").iterator():
        companies = rejoined(goal.companies) if isinstance(goal.companies, list) else None
        if companies is not None and companies != goal.companies:
            Goal.objects.filter(id=goal.id).update(companies=companies)


class Migration(migrations.Migration):
    dependencies = [("goals", "0002_goal_also_counts_as")]

    operations = [migrations.RunPython(rejoin, migrations.RunPython.noop)]
