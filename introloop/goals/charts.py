"""The dashboard's charts as inline SVG, drawn on the server: no JavaScript, no library.

Each chart reads without colour: every bar and point carries its number, lines differ by dash
pattern, bars by fill pattern, and each has role="img", a <title> and an aria-label that says
what it shows. Colours come from app.css (so they follow the dark theme), with fallbacks here.
All text is escaped. The page gives every chart a table of the same numbers as well.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .stats import FunnelStage, SourceFigures, Stats

WIDTH, HEIGHT = 600, 220
TOP, BOTTOM, LEFT = 28, 38, 44
FONT = 13
NO_VALUE = "\N{EN DASH}"


@dataclass
class _Frame:
    """The plot area inside the chart, and the value scale."""

    left: float
    right: float
    top: float
    bottom: float
    ymax: float

    def y(self, value: float) -> float:
        return self.bottom - (self.bottom - self.top) * min(value, self.ymax) / self.ymax

    def slot(self, i: int, n: int) -> tuple[float, float]:
        """(centre, width) of the i-th of n equal slots across the plot."""
        width = (self.right - self.left) / n
        return self.left + width * (i + 0.5), width


def _num(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def _text(x: float, y: float, text: str, cls: str = "chart-value", anchor: str = "middle") -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" class="{cls}" '
        f'font-size="{FONT}" fill="currentColor">{escape(text)}</text>'
    )


def _svg(kind: str, title: str, summary: str, parts: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every piece of text above went through escape()
        f'<svg class="chart chart-{kind}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(summary)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>" + "".join(parts) + "</svg>"
    )


def nice_max(value: float) -> int:
    """A round top for a count axis, at least `value`, whose half is a whole number."""
    for power in range(7):
        for mantissa in (2, 4, 6, 8, 10, 12, 14, 16):
            top = mantissa * 10**power
            if top >= value:
                return top
    return int(value) + 1


def _grid(frame: _Frame, ticks: list[tuple[float, str]]) -> list[str]:
    parts = []
    for value, label in ticks:
        y = frame.y(value)
        parts.append(
            f'<line x1="{_num(frame.left)}" y1="{_num(y)}" x2="{_num(frame.right)}" '
            f'y2="{_num(y)}" class="chart-grid" stroke="#ccc" stroke-width="1"/>'
        )
        parts.append(_text(frame.left - 6, y + 4, label, "chart-axis", "end"))
    return parts


def _count_ticks(ymax: int) -> list[tuple[float, str]]:
    return [(0, "0"), (ymax / 2, _num(ymax / 2)), (ymax, str(ymax))]


def _target_line(frame: _Frame, target: float, label: str) -> list[str]:
    y = frame.y(target)
    return [
        f'<line x1="{_num(frame.left)}" y1="{_num(y)}" x2="{_num(frame.right)}" y2="{_num(y)}" '
        f'class="chart-target" stroke="currentColor" stroke-width="2" stroke-dasharray="7 5"/>',
        _text(frame.right + 6, y + 4, label, "chart-target-label", "start"),
    ]


def _x_labels(frame: _Frame, labels: list[str]) -> list[str]:
    """One label under each slot; a label "5\nOct" takes two lines."""
    parts = []
    for i, label in enumerate(labels):
        x, _ = frame.slot(i, len(labels))
        for line, text in enumerate(label.split("\n")):
            parts.append(_text(x, frame.bottom + 17 + 15 * line, text, "chart-axis"))
    return parts


def bar_chart(
    *,
    kind: str,
    title: str,
    summary: str,
    labels: list[str],
    values: Sequence[float | None],
    value_labels: list[str],
    ymax: float,
    ticks: list[tuple[float, str]],
    target: float | None = None,
    target_label: str = "",
    partial_last: bool = False,
) -> SafeString:
    """Vertical bars, one per label, each with its value written above it; a missing value
    (None) draws no bar and writes its label on the baseline. `partial_last` marks the last
    bar as not over yet (outlined instead of filled)."""
    frame = _Frame(LEFT, WIDTH - (70 if target is not None else 12), TOP, HEIGHT - BOTTOM, ymax)
    parts = _grid(frame, ticks)
    n = len(values)
    for i, (value, label) in enumerate(zip(values, value_labels, strict=True)):
        x, slot = frame.slot(i, n)
        width = slot * 0.62
        if value is None:
            parts.append(_text(x, frame.bottom - 8, label, "chart-value chart-none"))
            continue
        y = frame.y(value)
        partial = partial_last and i == n - 1
        cls = "chart-bar chart-bar-partial" if partial else "chart-bar"
        parts.append(
            f'<rect x="{_num(x - width / 2)}" y="{_num(y)}" width="{_num(width)}" '
            f'height="{_num(frame.bottom - y)}" class="{cls}" fill="#1d6fa5"/>'
        )
        parts.append(_text(x, y - 5, label))
    if target is not None:
        parts += _target_line(frame, target, target_label)
    parts += _x_labels(frame, labels)
    return _svg(kind, title, summary, parts)


def line_chart(
    *,
    kind: str,
    title: str,
    summary: str,
    labels: list[str],
    values: list[int],
    target: int,
    target_label: str,
) -> SafeString:
    """A solid line with a labelled point per value, and the target as a dashed line; a target
    far above the values is stated in words instead, so the line does not lie flat."""
    top = max(values, default=0)
    on_scale = target <= max(top, 1) * 3
    ymax = nice_max(max(top, target) if on_scale else top)
    frame = _Frame(LEFT, WIDTH - 70, TOP, HEIGHT - BOTTOM, ymax)
    parts = _grid(frame, _count_ticks(ymax))
    if on_scale:
        parts += _target_line(frame, target, target_label)
    else:
        parts.append(
            _text(frame.right, TOP - 12, f"{target_label}: above this scale ↑", "chart-note", "end")
        )
    n = len(values)
    points = [(frame.slot(i, n)[0], frame.y(v)) for i, v in enumerate(values)]
    path = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
    parts.append(
        f'<polyline points="{path}" class="chart-line" fill="none" stroke="#1d6fa5" '
        f'stroke-width="3"/>'
    )
    for (x, y), value in zip(points, values, strict=True):
        parts.append(
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" class="chart-point" fill="#1d6fa5"/>'
        )
        parts.append(_text(x, y - 9, str(value)))
    parts += _x_labels(frame, labels)
    return _svg(kind, title, summary, parts)


def funnel_chart(
    *, kind: str, title: str, summary: str, stages: list[tuple[str, int, str]]
) -> SafeString:
    """Horizontal bars, widest first: (label, count, value label) per stage."""
    label_width, value_width = 112, 96
    left, right = label_width, WIDTH - value_width
    top_count = max((count for _, count, _ in stages), default=0) or 1
    row = (HEIGHT - 16) / max(len(stages), 1)
    parts = []
    for i, (label, count, value_label) in enumerate(stages):
        y = 8 + row * i
        width = (right - left) * count / top_count
        mid = y + row / 2
        parts.append(_text(left - 8, mid + 4, label, "chart-axis", "end"))
        parts.append(
            f'<rect x="{left}" y="{_num(y + row * 0.15)}" width="{_num(width)}" '
            f'height="{_num(row * 0.7)}" class="chart-bar" fill="#1d6fa5"/>'
        )
        parts.append(_text(left + width + 8, mid + 4, value_label, "chart-value", "start"))
    return _svg(kind, title, summary, parts)


def grouped_bar_chart(
    *,
    kind: str,
    title: str,
    summary: str,
    groups: list[tuple[str, list[tuple[int, str]]]],
    series: list[str],
) -> SafeString:
    """Per group, one bar per series, side by side; the second series is hatched, and a
    legend names both. `groups` is [(group label, [(value, value label) per series])]."""
    top = max((v for _, bars in groups for v, _ in bars), default=0)
    ymax = nice_max(top)
    frame = _Frame(LEFT, WIDTH - 12, TOP + 6, HEIGHT - BOTTOM, ymax)
    pattern = f"{kind}-hatch"
    parts = [
        f'<defs><pattern id="{pattern}" patternUnits="userSpaceOnUse" width="7" height="7" '
        f'patternTransform="rotate(45)"><rect width="7" height="7" class="chart-hatch-bg" '
        f'fill="#fff"/><line x1="0" y1="0" x2="0" y2="7" class="chart-hatch" stroke="#1d6fa5" '
        f'stroke-width="4"/></pattern></defs>'
    ]
    parts += _grid(frame, _count_ticks(ymax))
    fills = [
        'class="chart-bar" fill="#1d6fa5"',
        f'class="chart-bar-alt" fill="url(#{pattern})" stroke="#1d6fa5" stroke-width="1.5"',
    ]
    x = frame.left + 8
    for i, name in enumerate(series):  # the legend, top left
        parts.append(f'<rect x="{_num(x)}" y="4" width="14" height="14" {fills[i % 2]}/>')
        parts.append(_text(x + 20, 16, name, "chart-axis", "start"))
        x += 28 + len(name) * 7
    for g, (group_label, bars) in enumerate(groups):
        centre, slot = frame.slot(g, len(groups))
        width = min(slot * 0.7 / len(bars), 90)
        for b, (value, value_label) in enumerate(bars):
            bx = centre + (b - len(bars) / 2) * width
            y = frame.y(value)
            parts.append(
                f'<rect x="{_num(bx + 3)}" y="{_num(y)}" width="{_num(width - 6)}" '
                f'height="{_num(frame.bottom - y)}" {fills[b % 2]}/>'
            )
            parts.append(_text(bx + width / 2, y - 5, value_label))
        parts.append(_text(centre, frame.bottom + 20, group_label, "chart-axis"))
    return _svg(kind, title, summary, parts)


# --- The dashboard's five charts ------------------------------------------------------------


def week_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def _axis_labels(days: list[date]) -> list[str]:
    """Day of the month under each week, and the month's name where it changes."""
    return [
        f"{d.day}\n{d:%b}" if i == 0 or d.month != days[i - 1].month else str(d.day)
        for i, d in enumerate(days)
    ]


def _percent(share: float | None) -> str:
    return NO_VALUE if share is None else f"{round(share * 100)}%"


def dashboard_charts(stats: Stats) -> dict[str, SafeString]:
    """The dashboard's five charts, by name."""
    labels = _axis_labels([w.start for w in stats.weeks])
    return {
        "referrals": _referrals_chart(stats, labels),
        "outreach": _outreach_chart(stats, labels),
        "on_time": _on_time_chart(stats, labels),
        "funnel": _funnel_chart(stats),
        "applications": _applications_chart(stats),
    }


def _referrals_chart(stats: Stats, labels: list[str]) -> SafeString:
    weeks = stats.weeks
    first = weeks[0]
    return line_chart(
        kind="referrals",
        title="Referrals and introductions collected",
        summary=(
            f"Referrals and introductions collected, cumulative, over {len(weeks)} weeks from "
            f"{week_label(first.start)}: {first.referrals_total} at the start, "
            f"{stats.referrals} now, against a target of {stats.referral_target}."
        ),
        labels=labels,
        values=[w.referrals_total for w in weeks],
        target=stats.referral_target,
        target_label=f"Target {stats.referral_target}",
    )


def _outreach_chart(stats: Stats, labels: list[str]) -> SafeString:
    weeks = stats.weeks
    outreach = [w.conversations for w in weeks]
    past = weeks[:-1]
    met = sum(w.conversations >= stats.outreach_target for w in past)
    ymax = nice_max(max([*outreach, stats.outreach_target]))
    return bar_chart(
        kind="outreach",
        title="New conversations per week",
        summary=(
            f"New conversations per week over {len(weeks)} weeks, against a target of "
            f"{stats.outreach_target} a week: {', '.join(str(v) for v in outreach)}. "
            f"This week so far: {weeks[-1].conversations}. The target was met in {met} of the "
            f"{len(past)} previous weeks."
        ),
        labels=labels,
        values=outreach,
        value_labels=[str(v) for v in outreach],
        ymax=ymax,
        ticks=_count_ticks(ymax),
        target=stats.outreach_target,
        target_label=f"Target {stats.outreach_target}",
        partial_last=True,
    )


def _on_time_chart(stats: Stats, labels: list[str]) -> SafeString:
    weeks = stats.weeks
    quiet = sum(w.steps == 0 for w in weeks)
    steps = sum(w.steps for w in weeks)
    on_time = sum(w.steps_on_time for w in weeks)
    return bar_chart(
        kind="on-time",
        title="Steps done on time, per week",
        summary=(
            f"Share of your steps done on time per week over {len(weeks)} weeks: {on_time} of "
            f"{steps} steps on time ({_percent(on_time / steps if steps else None)}); "
            f"{quiet} weeks without steps, marked with a dash."
        ),
        labels=labels,
        values=[None if w.on_time_share is None else w.on_time_share * 100 for w in weeks],
        value_labels=[_percent(w.on_time_share) for w in weeks],
        ymax=100,
        ticks=[(0, "0%"), (50, "50%"), (100, "100%")],
        partial_last=True,
    )


def _funnel_chart(stats: Stats) -> SafeString:
    return milestones_chart(stats.funnel, "Your introductions")


def milestones_chart(stages: list[FunnelStage], whose: str) -> SafeString:
    """How many introductions reached each milestone (the seeker's, or those a connector made)."""
    introduced = stages[0].count
    return funnel_chart(
        kind="funnel",
        title="From introduction to loop closed",
        summary=f"{whose} by milestone reached: "
        + ", ".join(f"{s.label.lower()} {s.count}" for s in stages)
        + ".",
        stages=[
            (s.label, s.count, f"{s.count} · {_percent(s.share)}" if introduced else str(s.count))
            for s in stages
        ],
    )


def _applications_chart(stats: Stats) -> SafeString:
    return grouped_bar_chart(
        kind="applications",
        title="Applications by source, and interviews",
        summary="Applications by source: "
        + "; ".join(
            f"{s.label.lower()} {s.applications}, of which {s.interviews} reached an interview"
            + (f" ({_percent(s.interview_rate)})" if s.applications else "")
            for s in stats.applications
        )
        + ".",
        groups=[(s.label, _application_bars(s)) for s in stats.applications],
        series=["Applications", "Reached an interview"],
    )


def _application_bars(source: SourceFigures) -> list[tuple[int, str]]:
    """(value, value label) of a source's two bars: its applications, and those interviewed."""
    interviews = f"{source.interviews} ({_percent(source.interview_rate)})"
    return [
        (source.applications, str(source.applications)),
        (source.interviews, interviews if source.applications else "0"),
    ]
