"""Building trips and narrow rule sets for the risk tests."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cuakhau.conftest import banana_line, cassava_line, declaration
from cuakhau.risk import services
from cuakhau.trips import services as trips

# The default declaration: 20,400 kg of bananas and 8,100 kg of cassava.
DECLARED_GROSS = Decimal("28500")


def submit(user, *lines, **overrides):
    """A submitted trip; lines carry no container, so any number of trips can be active."""
    if not lines:
        lines = (banana_line(container_numbers=[]), cassava_line())
    return trips.save_and_submit(user, None, declaration(cargo_lines=list(lines), **overrides))


def inspected(trip, result, days_ago, agency="customs", kind="physical inspection"):
    """An inspection of ``trip`` ended ``days_ago`` days ago with ``result``."""
    from cuakhau.inspections.models import Inspection

    at = timezone.now() - dt.timedelta(days=days_ago)
    return Inspection.objects.create(
        trip=trip, agency=agency, kind=kind, started_at=at, ended_at=at, result=result
    )


def only(kind: str, *, score: int | None = None, **params):
    """Activate a version where only this rule counts and nothing is drawn at random."""

    def change(ruleset, rules):
        ruleset.random_red_rate = Decimal(0)
        ruleset.random_yellow_rate = Decimal(0)
        for rule in rules:
            rule.is_enabled = rule.kind == kind
            if rule.kind == kind:
                rule.params = {**rule.params, **params}
                if score is not None:
                    rule.score = score

    return services.new_ruleset_version(None, change, f"test: only {kind}")


def kinds(assessment) -> list[str]:
    return [reason["kind"] for reason in assessment.reasons]


def reason_of(assessment, kind: str) -> dict:
    return next(reason for reason in assessment.reasons if reason["kind"] == kind)
