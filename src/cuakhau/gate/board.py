"""The live yard board: who is inside, at which stage, for how long, and who is coming.

A TV in the gate office polls this every ten seconds, so it is built from a fixed handful of
queries whatever the number of trucks: visits with their trips and lanes, their inspections,
their risk channels, the open lanes and the trips expected soon.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cuakhau.inspections.models import Agency, Inspection
from cuakhau.reference.models import Gate
from cuakhau.trips.choices import TripStatus
from cuakhau.trips.models import Trip

from .kpi import CHANNEL_LABELS
from .models import Lane, Visit

S = TripStatus

WAITING = "waiting"
UNDER_INSPECTION = "under_inspection"
CLEARED = "cleared"

STAGE_LABELS = {
    WAITING: _("Waiting for inspection"),
    UNDER_INSPECTION: _("Under inspection"),
    CLEARED: _("Cleared, waiting to exit"),
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
    return dict(
        assessment.objects.filter(trip_id__in=trip_ids, is_current=True).values_list(
            "trip_id", "channel"
        )
    )


def _stage(trip: Trip) -> str:
    if trip.status == S.CLEARED:
        return CLEARED
    # A green-channel release is recorded as an automatic customs inspection at check-in; no
    # officer has looked at the truck yet, so it does not move the truck out of the waiting line.
    seen = [i for i in trip.inspections.all() if not i.automatic]
    return UNDER_INSPECTION if seen else WAITING


def _agencies(trip: Trip) -> tuple[list[str], list[str]]:
    """(agencies inspecting now, agencies whose latest inspection passed), by display label."""
    latest: dict[str, Inspection] = {}
    for inspection in trip.inspections.all():  # ordered by start: the last one decides
        latest[inspection.agency] = inspection
    open_now = [str(Agency(a).label) for a, i in latest.items() if i.ended_at is None]
    passed = [str(Agency(a).label) for a, i in latest.items() if i.result == "pass"]
    return open_now, passed


def yard_board(gate: Gate, now: dt.datetime | None = None) -> dict:
    """Everything the yard board shows for ``gate`` at ``now`` (UTC; shown in the gate's zone)."""
    now = now or timezone.now()
    visits = list(
        Visit.objects.filter(gate=gate, exited_at=None, trip__status__in=[S.ARRIVED, S.CLEARED])
        .select_related("trip", "entry_lane")
        .prefetch_related(
            Prefetch(
                "trip__inspections",
                queryset=Inspection.objects.only(
                    "id", "trip_id", "agency", "started_at", "ended_at", "result", "automatic"
                ),
            )
        )
        .order_by("arrived_at", "id")
    )
    channels = current_channels(v.trip_id for v in visits)
    stages: dict[str, list[dict]] = {WAITING: [], UNDER_INSPECTION: [], CLEARED: []}
    for visit in visits:
        trip = visit.trip
        inspecting, passed = _agencies(trip)
        waited = max(0, int((now - visit.arrived_at).total_seconds() // 60))
        stages[_stage(trip)].append(
            {
                "reference": trip.reference,
                "tractor_plate": trip.tractor_plate,
                "direction": trip.direction,
                "direction_label": trip.get_direction_display(),
                "channel": channels.get(trip.pk),
                "channel_label": CHANNEL_LABELS.get(channels.get(trip.pk), ""),
                "yard_position": visit.yard_position,
                "lane": visit.entry_lane.code if visit.entry_lane else "",
                "arrived_at": visit.arrived_at,
                "cleared_at": visit.cleared_at,
                "waited_minutes": waited,
                "long_wait": waited >= LONG_WAIT_MINUTES,
                "inspecting": inspecting,
                "passed": passed,
            }
        )

    inside_by_lane: dict[int | None, int] = {}
    for visit in visits:
        inside_by_lane[visit.entry_lane_id] = inside_by_lane.get(visit.entry_lane_id, 0) + 1
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

    expected_trips = list(
        Trip.objects.filter(
            gate=gate,
            status__in=[S.SUBMITTED, S.PAID],
            expected_arrival__gte=now - EXPECTED_BEFORE,
            expected_arrival__lte=now + EXPECTED_AFTER,
        )
        .select_related("organisation")
        .only(
            "id",
            "reference",
            "tractor_plate",
            "direction",
            "status",
            "expected_arrival",
            "organisation__name",
        )
        .order_by("expected_arrival", "id")
    )
    expected = [
        {
            "reference": trip.reference,
            "tractor_plate": trip.tractor_plate,
            "direction": trip.direction,
            "direction_label": trip.get_direction_display(),
            "organisation": trip.organisation.name,
            "expected_arrival": trip.expected_arrival,
            "paid": trip.status == S.PAID,
            "late": trip.expected_arrival < now,
        }
        for trip in expected_trips
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
        ],
        "waiting": stages[WAITING],
        "under_inspection": stages[UNDER_INSPECTION],
        "cleared": stages[CLEARED],
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
