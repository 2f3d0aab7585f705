"""The live yard board: who is inside, at which stage, for how long, and who is coming.

A TV in the gate office polls this every ten seconds, so it is built from a fixed handful of
queries whatever the number of trucks: visits with their trips and lanes, their inspections,
their risk channels, the open lanes and the trips expected soon.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cuakhau.inspections.models import Agency, Inspection
from cuakhau.reference.models import Gate
from cuakhau.trips.choices import Direction, TripStatus
from cuakhau.trips.models import Trip

from .kpi import CHANNEL_LABELS
from .models import Lane, Visit

S = TripStatus

WAITING = "waiting"
UNDER_INSPECTION = "under_inspection"
CLEARED = "cleared"
# Rejected inside the gate, still in the yard until it is let out the way it came
# (``services.turn_back``): a stage of its own, drawn only while such a truck is there.
TURN_BACK = "turn_back"

STAGE_LABELS = {
    WAITING: _("Waiting for inspection"),
    UNDER_INSPECTION: _("Under inspection"),
    CLEARED: _("Cleared, waiting to exit"),
    TURN_BACK: _("Rejected, to be turned back"),
}

# The board looks this far back and ahead for trucks that declared they are coming: a truck an
# hour late is still expected, one due tomorrow is not yet the yard's concern.
EXPECTED_BEFORE = dt.timedelta(hours=1)
EXPECTED_AFTER = dt.timedelta(hours=3)
# A truck inside longer than this is shown in red: worth a look, whatever its stage.
LONG_WAIT_MINUTES = 120
# The board lists this many trucks per stage, arrivals and lanes, and counts the rest: a TV
# has no scroll bar, and these fit one 1920 x 1080 screen (pinned by the browser test).
SHOWN_PER_STAGE = 6
SHOWN_EXPECTED = 6
SHOWN_LANES = 5


def more_text(key: str, n: int) -> str:
    """ "+ 14 more waiting": what the board had no room for, said in words."""
    if key == WAITING:
        return ngettext("+ %(n)d more waiting", "+ %(n)d more waiting", n) % {"n": n}
    if key == UNDER_INSPECTION:
        return ngettext("+ %(n)d more under inspection", "+ %(n)d more under inspection", n) % {
            "n": n
        }
    if key == CLEARED:
        return ngettext("+ %(n)d more cleared", "+ %(n)d more cleared", n) % {"n": n}
    if key == TURN_BACK:
        return ngettext("+ %(n)d more to be turned back", "+ %(n)d more to be turned back", n) % {
            "n": n
        }
    if key == "expected":
        return ngettext("+ %(n)d more expected", "+ %(n)d more expected", n) % {"n": n}
    return ngettext("+ %(n)d more lane", "+ %(n)d more lanes", n) % {"n": n}


def current_channels(trip_ids) -> dict[int, str]:
    """The current risk channel of each trip, in one query; empty until the risk app is installed.

    Reads the assessment flagged ``is_current`` (one per trip, enforced by the database), the
    row ``inspections.services.current_channel`` reads one trip at a time.
    """
    trip_ids = list(trip_ids)
    if not trip_ids or not apps.is_installed("cuakhau.risk"):
        return {}
    assessment = apps.get_model("risk", "RiskAssessment")
    # No ordering: the model's default would join the trips to sort rows nobody reads in order.
    return dict(
        assessment.objects.filter(trip_id__in=trip_ids, is_current=True)
        .order_by()
        .values_list("trip_id", "channel")
    )


def _stage(status: str, inspections: list[tuple]) -> str:
    if status == S.REJECTED:
        return TURN_BACK
    if status == S.CLEARED:
        return CLEARED
    # A green-channel release is recorded as an automatic customs inspection at check-in; no
    # officer has looked at the truck yet, so it does not move the truck out of the waiting line.
    seen = [i for i in inspections if not i[_AUTOMATIC]]
    return UNDER_INSPECTION if seen else WAITING


# An inspection as the board reads it: (agency, ended_at, result, automatic).
_AGENCY, _ENDED_AT, _RESULT, _AUTOMATIC = range(4)


def _agencies(inspections: list[tuple], labels: dict[str, str]) -> tuple[list[str], list[str]]:
    """(agencies inspecting now, agencies whose latest inspection passed), by display label."""
    latest: dict[str, tuple] = {}
    for inspection in inspections:  # ordered by start: the last one decides
        latest[inspection[_AGENCY]] = inspection
    open_now = [labels[a] for a, i in latest.items() if i[_ENDED_AT] is None]
    passed = [labels[a] for a, i in latest.items() if i[_RESULT] == "pass"]
    return open_now, passed


def yard_board(gate: Gate, now: dt.datetime | None = None) -> dict:
    """Everything the yard board shows for ``gate`` at ``now`` (UTC; shown in the gate's zone).

    The wall screen polls it every few seconds: plain rows of the columns shown (no model
    instances), in a fixed handful of queries whatever the number of trucks.
    """
    now = now or timezone.now()
    visits = list(
        # A truck rejected inside fills the yard as any other until it is turned back: left off,
        # the board counted one truck fewer than the gate's own count of trucks inside.
        Visit.objects.filter(
            gate=gate, exited_at=None, trip__status__in=[S.ARRIVED, S.CLEARED, S.REJECTED]
        )
        .order_by("arrived_at", "id")
        .values(
            "trip_id",
            "entry_lane_id",
            "entry_lane__code",
            "yard_position",
            "arrived_at",
            "cleared_at",
            "trip__reference",
            "trip__tractor_plate",
            "trip__direction",
            "trip__status",
        )
    )
    trip_ids = [visit["trip_id"] for visit in visits]
    inspections_of: dict[int, list[tuple]] = {trip_id: [] for trip_id in trip_ids}
    if trip_ids:
        for trip_id, *inspection in (
            Inspection.objects.filter(trip_id__in=trip_ids)
            .order_by("trip_id", "started_at", "id")
            .values_list("trip_id", "agency", "ended_at", "result", "automatic")
        ):
            inspections_of[trip_id].append(tuple(inspection))
    channels = current_channels(trip_ids)
    directions = {value: str(label) for value, label in Direction.choices}
    agencies = {value: str(label) for value, label in Agency.choices}
    stages: dict[str, list[dict]] = {WAITING: [], UNDER_INSPECTION: [], CLEARED: [], TURN_BACK: []}
    for visit in visits:
        trip_id = visit["trip_id"]
        inspections = inspections_of[trip_id]
        inspecting, passed = _agencies(inspections, agencies)
        waited = max(0, int((now - visit["arrived_at"]).total_seconds() // 60))
        direction = visit["trip__direction"]
        stages[_stage(visit["trip__status"], inspections)].append(
            {
                "reference": visit["trip__reference"],
                "tractor_plate": visit["trip__tractor_plate"],
                "direction": direction,
                "direction_label": directions.get(direction, direction),
                "channel": channels.get(trip_id),
                "channel_label": CHANNEL_LABELS.get(channels.get(trip_id), ""),
                "yard_position": visit["yard_position"],
                "lane": visit["entry_lane__code"] or "",
                "arrived_at": visit["arrived_at"],
                "cleared_at": visit["cleared_at"],
                "waited_minutes": waited,
                "long_wait": waited >= LONG_WAIT_MINUTES,
                "inspecting": inspecting,
                "passed": passed,
            }
        )

    inside_by_lane: dict[int | None, int] = {}
    for visit in visits:
        lane_id = visit["entry_lane_id"]
        inside_by_lane[lane_id] = inside_by_lane.get(lane_id, 0) + 1
    open_lanes = list(Lane.objects.filter(gate=gate, is_open=True).order_by("code"))
    lanes = [
        {
            "code": lane.code,
            "direction": lane.direction,
            "direction_label": lane.get_direction_display(),
            "inside": inside_by_lane.get(lane.pk, 0),
        }
        for lane in open_lanes
    ]
    # Trucks that came in without a lane, or through a lane closed since, still fill the yard.
    elsewhere = len(visits) - sum(lane["inside"] for lane in lanes)

    expected_trips = (
        Trip.objects.filter(
            gate=gate,
            status__in=[S.SUBMITTED, S.PAID],
            expected_arrival__gte=now - EXPECTED_BEFORE,
            expected_arrival__lte=now + EXPECTED_AFTER,
        )
        .order_by("expected_arrival", "id")
        .values_list(
            "reference",
            "tractor_plate",
            "direction",
            "status",
            "expected_arrival",
            "organisation__name",
        )
    )
    expected = [
        {
            "reference": reference,
            "tractor_plate": plate,
            "direction": direction,
            "direction_label": directions.get(direction, direction),
            "organisation": organisation,
            "expected_arrival": arrival,
            "paid": status == S.PAID,
            "late": arrival < now,
        }
        for reference, plate, direction, status, arrival, organisation in expected_trips
    ]
    paid = sum(1 for row in expected if row["paid"])

    return {
        "gate": gate,
        "now": now,
        "stages": [
            {
                "key": key,
                "label": STAGE_LABELS[key],
                "trucks": rows,
                "shown": rows[:SHOWN_PER_STAGE],
                "more": max(0, len(rows) - SHOWN_PER_STAGE),
                "more_text": more_text(key, len(rows) - SHOWN_PER_STAGE),
                "count": len(rows),
            }
            for key, rows in stages.items()
            if rows or key != TURN_BACK
        ],
        "waiting": stages[WAITING],
        "under_inspection": stages[UNDER_INSPECTION],
        "cleared": stages[CLEARED],
        "turn_back": stages[TURN_BACK],
        "inside": len(visits),
        "queue_length": len(stages[WAITING]) + len(stages[UNDER_INSPECTION]),
        "lanes": lanes,
        "lanes_shown": lanes[:SHOWN_LANES],
        "lanes_more": max(0, len(lanes) - SHOWN_LANES),
        "lanes_more_text": more_text("lanes", len(lanes) - SHOWN_LANES),
        "inside_without_open_lane": elsewhere,
        "expected": {
            "count": len(expected),
            "paid": paid,
            "unpaid": len(expected) - paid,
            "trips": expected,
            "shown": expected[:SHOWN_EXPECTED],
            "more": max(0, len(expected) - SHOWN_EXPECTED),
            "more_text": more_text("expected", len(expected) - SHOWN_EXPECTED),
            "from": now - EXPECTED_BEFORE,
            "to": now + EXPECTED_AFTER,
        },
    }
