"""bench/load.py's targets, their goals and the Markdown report."""

import argparse
from dataclasses import dataclass

LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    path: str
    auth: str  # "", "session" or "token"


CEILING = Target("ceiling", "ceiling: bare Django view (bench/_ceiling.py)", "/", "")
TARGETS = [
    Target("today", "`/today/` page", "/today/", "session"),
    Target("api_today", "`GET /api/v1/today`", "/api/v1/today", "token"),
    Target("intros", "`/intros/` page", "/intros/", "session"),
    Target("contacts", "`/contacts/` page", "/contacts/", "session"),
    Target("api_contacts", "`GET /api/v1/contacts?limit=50`", "/api/v1/contacts?limit=50", "token"),
]
# The targets: (minimum fraction of the ceiling at every client count, maximum p50 at 1 client).
GOALS = {
    "today": (0.10, 0.100),
    "api_today": (None, 0.050),
    "intros": (None, 0.030),
    "contacts": (0.15, None),
    "api_contacts": (0.15, None),
}
SLOWEST_WRITE = 1.0  # seconds
UPLOAD_LIMIT = 1.0  # seconds


# --- The report -----------------------------------------------------------------------------


def ms(seconds: float) -> str:
    if seconds != seconds:  # NaN: nothing measured
        return "—"
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1000:,.0f} ms"


def fraction(share: float) -> str:
    return f"{share:.2f}" if share >= 0.1 or share == 0 else f"{share:.3f}"


def rate(rps: float) -> str:
    return f"{rps:,.0f}" if rps >= 100 else f"{rps:.1f}"


def goal_text(key: str) -> str:
    least, p50 = GOALS[key]
    parts = []
    if least is not None:
        parts.append(f"≥ {least:.2f} × ceiling at each count")
    if p50 is not None:
        parts.append(f"p50 < {p50 * 1000:.0f} ms at 1 client")
    return "; ".join(parts)


def misses(label: str, found: dict, clients: list[int]) -> list[str]:
    """What in one database's results falls short of its target."""
    matrix, missed = found["matrix"], []
    for target in [CEILING, *TARGETS]:
        errors = sum(len(matrix[target.key][c].errors) for c in clients)
        if errors:
            missed.append(f"{label} {target.label}: {errors} errors")
        if target is CEILING:
            continue
        least, p50 = GOALS[target.key]
        shares = {}
        for c in clients:
            run, ceiling = matrix[target.key][c], matrix[CEILING.key][c]
            shares[c] = run.rps / ceiling.rps if ceiling.rps else 0.0
        short = {c: share for c, share in shares.items() if least is not None and share < least}
        if short:
            missed.append(f"{label} {target.label}: {', '.join(map(fraction, short.values()))} "
                          f"× ceiling at {', '.join(map(str, short))} client(s) "
                          f"(target ≥ {least:.2f})")  # fmt: skip
        if p50 is not None:
            if 1 not in clients:
                missed.append(f"{label} {target.label}: p50 at 1 client not measured")
            elif (got := matrix[target.key][1].quantile(50)) >= p50:
                missed.append(f"{label} {target.label}: p50 at 1 client {ms(got)} "
                              f"(target < {ms(p50)})")  # fmt: skip
    writes = found["writes"]
    if writes.slowest >= SLOWEST_WRITE or writes.slowest != writes.slowest:
        missed.append(f"{label} slowest write during the import: {ms(writes.slowest)} "
                      f"(target < {ms(SLOWEST_WRITE)})")  # fmt: skip
    errors = len(writes.errors) + sum(len(r.errors) for r in found["during"].values())
    if errors:
        missed.append(f"{label} during the import: {errors} errors")
    if found["upload"] >= UPLOAD_LIMIT:
        missed.append(f"{label} upload of the import: {ms(found['upload'])} "
                      f"(target < {ms(UPLOAD_LIMIT)})")  # fmt: skip
    if found["job"] != "done":
        missed.append(f"{label} the import: {found['job']}")
    return missed


def print_matrix(label: str, found: dict, clients: list[int]) -> None:
    matrix = found["matrix"]
    print(f"### {label}: throughput by number of clients\n")
    head = ["target"]
    for c in clients:
        head += [f"req/s ({c})", f"× ceiling ({c})", f"p50 ({c})", f"p99 ({c})"]
    head += ["errors", "goal"]
    print("| " + " | ".join(head) + " |")
    print("|---|" + "---:|" * (4 * len(clients) + 1) + "---|")
    for target in [CEILING, *TARGETS]:
        cells = [target.label]
        for c in clients:
            run, ceiling = matrix[target.key][c], matrix[CEILING.key][c]
            share = run.rps / ceiling.rps if ceiling.rps else 0.0
            cells += [rate(run.rps), fraction(share), ms(run.quantile(50)), ms(run.quantile(99))]
        cells.append(str(sum(len(matrix[target.key][c].errors) for c in clients)))
        cells.append("" if target is CEILING else goal_text(target.key))
        print("| " + " | ".join(cells) + " |")
    print()


def print_import(found: dict[str, dict], args: argparse.Namespace) -> None:
    n = args.import_clients
    print(f"### While a {args.import_rows:,}-row LinkedIn import runs\n")
    print("| figure | " + " | ".join(LABELS[db] for db in found) + " | goal |")
    print("|---|" + "---:|" * len(found) + "---|")

    def row(label: str, value, goal: str = "") -> None:
        print(f"| {label} | " + " | ".join(value(r) for r in found.values()) + f" | {goal} |")

    row("Upload of the import (the request)", lambda r: ms(r["upload"]), f"< {ms(UPLOAD_LIMIT)}")
    row(
        "Writes (`POST /api/v1/contacts`, one client)",
        lambda r: f"{len(r['writes'].latencies)}, p50 {ms(r['writes'].quantile(50))}",
    )
    row("Slowest write: p99", lambda r: ms(r["writes"].quantile(99)))
    row("Slowest write: max (writes over 1 s)",
        lambda r: f"{ms(r['writes'].slowest)} "
                  f"({sum(t > SLOWEST_WRITE for t in r['writes'].latencies)})",
        f"< {ms(SLOWEST_WRITE)}: no write waits more than 1 s behind an import")  # fmt: skip
    for target in TARGETS:

        def during(r: dict, key: str = target.key) -> str:
            run = r["during"].get(key)
            if run is None:
                return "— (the import was over)"
            quiet = r["matrix"][key].get(n)
            if not quiet:
                text = f"{rate(run.rps)} req/s, p50 {ms(run.quantile(50))} (not in the matrix)"
            else:
                text = (f"{rate(run.rps)} req/s (vs {rate(quiet.rps)}), "
                        f"p50 {ms(run.quantile(50))} (vs {ms(quiet.quantile(50))})")  # fmt: skip
            return text + (" (the import ended meanwhile)" if key in r["ended"] else "")

        row(f"{target.label}, {n} clients: req/s and p50 (vs without the import)", during)
    row("Errors during the import (reads and writes)",
        lambda r: str(len(r["writes"].errors) + sum(len(x.errors) for x in r["during"].values())),
        "0")  # fmt: skip
    row(
        "The import, in the background",
        lambda r: f"{r['job']}, {r['imported']:,} new, {r['job_seconds']:.0f} s",
        "done",
    )
    print()
