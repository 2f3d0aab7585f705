"""The run drawn as inline SVG with the project's chart module (no plotting library)."""

from django.utils.translation import gettext as _

from cuakhau.core import charts

POLICY_LABELS = {
    "fcfs": lambda: _("Walk-in, first come first served"),
    "slots": lambda: _("Slots"),
    "slots-priority": lambda: _("Slots, perishables first"),
}


def policy_label(code: str) -> str:
    return POLICY_LABELS[code]() if code in POLICY_LABELS else code


def queue_chart(result: dict):
    """Trucks waiting at the gate, hour by hour, one line per policy."""
    runs = result["policies"]
    first = next(iter(runs.values()))
    labels = [
        _("day %(day)s %(hour)02d:00") % {"day": m // 1440 + 1, "hour": (m % 1440) // 60}
        for m in (q["minute"] for q in first["queue"])
    ]
    series = [
        charts.Series(policy_label(code), [q["waiting"] for q in run["queue"]])
        for code, run in runs.items()
    ]
    return charts.line_chart(
        labels,
        series,
        title=_("Trucks waiting at the gate"),
        description=_("Trucks in the waiting area or queued outside it, every hour, per policy."),
        y_label=_("trucks"),
    )
