"""What the booth's console keeps for when the network drops: the gate's trucks of the day.

The console answers a scan on its own while offline from this copy, so it holds only what the
booth needs to recognise a truck and say what is wrong (reference, plates, status, receipt,
direction, expected time) and only this gate's trips: every row comes from
``services.at_gate(gate)``, like every other lookup at the gate.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zoneinfo
from functools import cache

from django.db.models import Prefetch, Q
from django.utils import formats, timezone
from django.utils.dates import MONTHS, MONTHS_3, MONTHS_ALT, MONTHS_AP

from cuakhau.receipts import services as receipts
from cuakhau.receipts.models import Receipt, ReceiptStatus
from cuakhau.reference.models import Gate
from cuakhau.trips.choices import TripStatus

from .services import AT_GATE, at_gate

S = TripStatus
INSIDE = [S.ARRIVED, S.CLEARED]
EXPECTED = [S.SUBMITTED, S.PAID]
# A truck expected late last evening may still come this morning, and one expected in the
# early hours of tomorrow may come tonight: the day is widened by half a day on each side.
MARGIN = dt.timedelta(hours=12)


@cache
def digit_zeros() -> list[int]:
    """The code point of the zero of every script's decimal digits beyond ASCII.

    Each script's ten digits follow its zero, so the console's plate key (``console.js``)
    folds them exactly as ``reference.validators.canonical_ascii`` does, with the server's
    Unicode tables rather than the browser's."""
    return [cp for cp in range(0x80, 0x110000) if unicodedata.decimal(chr(cp), None) == 0]


# The format characters the console's script writes (``djangoDate`` in console.js): numbers, and
# the month's names below; any other character of a format is written as it is.
SCRIPT_FORMAT_CHARACTERS = frozenset("djmnYyHGis") | {"M", "F", "b", "N", "E"}


def clock_formats() -> dict:
    """How the active language writes a moment, for the console's script: the project's Django
    formats (``cuakhau.formats``) with the month names Django writes in them, so a time the
    console writes itself (the copy's age, an expected truck, a queued action) reads as every
    page's times do: 02/12/2026 14:05, 2 Dec 2026, 14:05, 2026年12月2日 14:05."""
    months = range(1, 13)
    return {
        "datetime": formats.get_format("SHORT_DATETIME_FORMAT"),
        "time": formats.get_format("TIME_FORMAT"),
        "months": {
            "M": [str(MONTHS_3[m]).title() for m in months],
            "b": [str(MONTHS_3[m]) for m in months],
            "F": [str(MONTHS[m]) for m in months],
            "N": [str(MONTHS_AP[m]) for m in months],
            "E": [str(MONTHS_ALT[m]) for m in months],
        },
    }


def _day_window(gate: Gate, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    zone = zoneinfo.ZoneInfo(gate.time_zone or "Asia/Ho_Chi_Minh")
    start = timezone.localtime(now, zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return start - MARGIN, start + dt.timedelta(days=1) + MARGIN


def _receipt_state(receipt: Receipt) -> str:
    if receipt.status == ReceiptStatus.REVOKED:
        return "revoked"
    return "used" if receipt.used_at else "valid"


def console_snapshot(gate: Gate, now: dt.datetime | None = None) -> dict:
    """Today's expected trucks and the trucks inside this gate, for the console's offline copy."""
    now = now or timezone.now()
    start, end = _day_window(gate, now)
    trips = (
        at_gate(gate)
        .filter(status__in=AT_GATE)
        .filter(Q(status__in=INSIDE) | Q(expected_arrival__gte=start, expected_arrival__lt=end))
        .select_related("visit")
        .prefetch_related(
            Prefetch(
                "receipts", queryset=Receipt.objects.order_by("issued_at"), to_attr="all_receipts"
            )
        )
        .order_by("expected_arrival", "reference")
    )
    rows = []
    for trip in trips:
        visit = getattr(trip, "visit", None) if trip.status in INSIDE else None
        rows.append(
            {
                "reference": trip.reference,
                "tractor_plate": trip.tractor_plate,
                "trailer_plate": trip.trailer_plate,
                "plate_keys": [k for k in (trip.tractor_plate_key, trip.trailer_plate_key) if k],
                "status": trip.status,
                "direction": trip.direction,
                "expected_arrival": trip.expected_arrival.isoformat(),
                "arrived_at": visit.arrived_at.isoformat() if visit else None,
                "receipts": [
                    {"number": r.number, "state": _receipt_state(r)} for r in trip.all_receipts
                ],
            }
        )
    store = receipts.key_store()
    return {
        "gate": gate.code,
        "generated_at": now.isoformat(),
        "trips": rows,
        # What the console needs to check a scanned receipt's signature offline: the keys the
        # offline verification page carries, and the keys revoked since.
        "jwks": store.jwks(),
        "revoked_kids": store.revoked_kids(),
    }
