"""The undervaluation rule's price history, kept as a summary per HS subheading.

The rule compares a cargo line's value per kg with the median of the latest ``HISTORY_LIMIT``
lines of its subheading (6-digit HS code) in the currency most of them use, leaving out the
assessed trip itself and trips never declared (drafts) or withdrawn (cancelled). Scanning
every declared line of a popular subheading at every check-in made the gate as slow as its
history was long; ``UnitValueHistory`` keeps, per subheading and currency, the number of lines
and the newest ``KEEP`` of them, maintained where the history changes:

* a declaration (draft → submitted) adds its lines, in its own transaction, under the
  summary row's lock (two declarations of one subheading queue, they never lose a line);
* an amendment or a cancellation makes the rows of its subheadings again from the cargo lines
  (rare, and a removed line may leave a hole only the full history can fill);
* ``rebuild`` makes every row again (the migration, and the demo after its bulk load).

An assessment then reads one row per subheading of its cargo (one query for all of them).
"""

from __future__ import annotations

import itertools
import json
import statistics
from bisect import bisect_left, insort
from collections import Counter
from datetime import UTC
from decimal import Decimal
from functools import cached_property

from django.db import transaction
from django.db.models import Case, Count, OuterRef, Subquery, TextField, Value, When
from django.db.models.functions import Cast, Substr

from cuakhau.core.prepared import Prepared
from cuakhau.core.retry import locked_row
from cuakhau.core.stamps import NONE_KEPT, KeptByStamp
from cuakhau.trips.choices import TripStatus
from cuakhau.trips.models import CargoLine, Trip

from .models import UnitValueHistory

# Recent prices say more about the market than old ones, and the window stays bounded.
HISTORY_LIMIT = 500
# The assessed trip's own lines are left out of its window: keep enough for the largest trip.
MAX_OWN_LINES = 50
KEEP = HISTORY_LIMIT + MAX_OWN_LINES
# Never declared, or withdrawn: not part of the market's history.
NOT_DECLARED = (TripStatus.DRAFT, TripStatus.CANCELLED)


def _stamp(moment) -> str:
    # A fixed-width UTC text: entries sort by it as by the time itself.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") if moment else ""


def _plain(value) -> str | None:
    return None if value is None else str(value)


def _entry(line, submitted_at) -> list:
    return [
        _stamp(submitted_at),
        line.pk,
        line.trip_id,
        _plain(line.value),
        _plain(line.net_weight_kg),
    ]


def _newest_first(entries: list) -> list:
    # As the scan ordered them: latest submission first, then the higher line id.
    return sorted(entries, key=lambda e: (e[0], e[1]), reverse=True)[:KEEP]


def _declared_lines(hs6: str, line_model=CargoLine):
    return line_model.objects.filter(hs_code__startswith=hs6).exclude(trip__status__in=NOT_DECLARED)


def _scan(hs6: str, line_model=CargoLine) -> tuple[dict, dict]:
    """A subheading's counts and newest entries per currency, from the cargo lines."""
    lines = _declared_lines(hs6, line_model)
    counts = {
        row["currency"]: row["n"]
        for row in lines.values("currency").annotate(n=Count("id")).order_by()
    }
    recent = {}
    for currency in counts:
        rows = (
            lines.filter(currency=currency)
            .order_by("-trip__submitted_at", "-id")
            .values_list("trip__submitted_at", "id", "trip_id", "value", "net_weight_kg")[:KEEP]
        )
        recent[currency] = _newest_first(
            [[_stamp(at), pk, trip, _plain(v), _plain(n)] for at, pk, trip, v, n in rows]
        )
    return counts, recent


def refresh(hs6s, *, line_model=CargoLine, summary_model=UnitValueHistory) -> None:
    """Make these subheadings' rows again from the cargo lines (in sorted order: locks)."""
    for hs6 in sorted({h for h in hs6s if h}):
        row, _made = locked_row(summary_model, hs6=hs6)
        row.counts, row.recent = _scan(hs6, line_model)
        if row.counts:
            row.save(update_fields=["counts", "recent"])
        else:
            row.delete()


def add_declared(trip: Trip) -> None:
    """A trip just declared: its lines join the history of their subheadings."""
    lines = list(trip.cargo_lines.all())
    by_hs6: dict[str, list] = {}
    for line in lines:
        by_hs6.setdefault(line.hs_code[:6], []).append(line)
    for hs6 in sorted(by_hs6):
        row, made = locked_row(UnitValueHistory, hs6=hs6)
        already = any(entry[2] == trip.pk for entries in row.recent.values() for entry in entries)
        if made or already:
            # A new row, or this trip already counted (declared twice?): from the lines.
            row.counts, row.recent = _scan(hs6)
        else:
            for line in by_hs6[hs6]:
                row.counts[line.currency] = row.counts.get(line.currency, 0) + 1
                entries = row.recent.setdefault(line.currency, [])
                entries.append(_entry(line, trip.submitted_at))
                row.recent[line.currency] = _newest_first(entries)
        row.save(update_fields=["counts", "recent"])


def follow_transition(trip: Trip, action: str, from_status: str, to_status: str) -> None:
    """Keep the history in step with a trip's change (called in the change's transaction)."""
    was = from_status not in NOT_DECLARED
    now = to_status not in NOT_DECLARED
    if now and not was:
        add_declared(trip)
    elif was and not now:
        refresh(line.hs_code[:6] for line in trip.cargo_lines.all())
    elif action == "amend":
        before = trip.versions.order_by("-version").values_list("snapshot", flat=True).first()
        old = [str(line.get("hs_code", ""))[:6] for line in (before or {}).get("cargo_lines", [])]
        refresh([*old, *(line.hs_code[:6] for line in trip.cargo_lines.all())])


def rebuild(*, line_model=CargoLine, summary_model=UnitValueHistory) -> int:
    """Every subheading's row again from the cargo lines; the number of rows.

    The models can be a migration's historical ones.
    """
    hs6s = {
        code[:6]
        for code in line_model.objects.exclude(trip__status__in=NOT_DECLARED)
        .values_list("hs_code", flat=True)
        .distinct()
    }
    with transaction.atomic():
        summary_model.objects.exclude(hs6__in=hs6s).delete()
        refresh(hs6s, line_model=line_model, summary_model=summary_model)
    return len(hs6s)


# Per subheading: its row's counts and entries (each with its unit value) under the row's
# stamp: a row unchanged since (a gate checking in trucks between declarations of that
# subheading) is neither sent again nor parsed again. Bounded: the busiest subheadings stay.
_PARSED = KeptByStamp(limit=256)


def _unit_value(value, net) -> Decimal | None:
    try:
        return Decimal(value) / Decimal(net)
    except (TypeError, ArithmeticError):
        return None  # a line with no value or weight says nothing about the market's price


class Window:
    """The entries a line is judged against (newest first, at most ``HISTORY_LIMIT``), with
    their unit values and median, each worked out once."""

    def __init__(self, entries=(), *, sorted_values: list | None = None):
        self.entries = tuple(entries)
        self._sorted = sorted_values  # the unit values in order, when already known

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def __eq__(self, other) -> bool:
        return isinstance(other, Window) and self.entries == other.entries

    __hash__ = None

    @cached_property
    def unit_values(self) -> tuple[Decimal, ...]:
        return tuple(entry[5] for entry in self.entries)

    @cached_property
    def sorted_values(self) -> list[Decimal]:
        return self._sorted if self._sorted is not None else sorted(self.unit_values)

    @cached_property
    def median(self) -> Decimal:
        # From the values already in order: sorting them again takes one pass.
        return statistics.median(self.sorted_values)


class _Head:
    """A currency's entries with a unit value, newest first, and the window of any trip with
    none of its own among the newest ``HISTORY_LIMIT``: one window serves every such trip
    until the row changes, and a trip among them gets its own from it by a few swaps."""

    def __init__(self, entries: list):
        self.valid = [entry for entry in entries if entry[5] is not None]
        self.window = Window(self.valid[:HISTORY_LIMIT])
        self.positions: dict[int, list[int]] = {}
        for position, entry in enumerate(self.valid[:HISTORY_LIMIT]):
            self.positions.setdefault(entry[2], []).append(position)

    def window_of(self, trip: int) -> Window:
        """The window leaving out ``trip``'s own entries."""
        own = self.positions.get(trip)
        if not own:
            return self.window
        # The newest entries but the trip's own (slices between its positions), then as many
        # older ones of other trips as moved in.
        entries, start = [], 0
        for position in own:
            entries += self.valid[start:position]
            start = position + 1
        entries += self.valid[start:HISTORY_LIMIT]
        moved_in = []
        for entry in itertools.islice(self.valid, HISTORY_LIMIT, None):
            if len(moved_in) == len(own):
                break
            if entry[2] != trip:
                moved_in.append(entry)
        entries += moved_in
        values = list(self.window.sorted_values)
        for position in own:
            del values[bisect_left(values, self.valid[position][5])]
        for entry in moved_in:
            insort(values, entry[5])
        return Window(entries, sorted_values=values)


def _parsed(hs6: str, stamp: int, counts_text: str | None, recent_text: str | None):
    """The row's counts and, per currency, its entries with their windows (``_Head``): parsed
    from its texts, or (texts not read: the stamp is the one kept) this process's copy; None if
    that copy was dropped meanwhile."""
    if counts_text is None or recent_text is None:
        return _PARSED.get(hs6, stamp)
    counts = json.loads(counts_text)
    heads = {
        currency: _Head([(*entry, _unit_value(entry[3], entry[4])) for entry in entries])
        for currency, entries in json.loads(recent_text).items()
    }
    parsed = (counts, heads)
    _PARSED.put(hs6, stamp, parsed)
    return parsed


def stamp_of_line():
    """The stamp of a cargo line's subheading's row (None: no row), as an annotation of the
    lines' own query: lines read with it (``history_stamp``) spare ``window`` its statement
    while the process keeps every row under that stamp."""
    return Subquery(
        UnitValueHistory.objects.filter(hs6=Substr(OuterRef("hs_code"), 1, 6)).values("stamp")[:1]
    )


def window(trip: Trip, lines) -> dict[str, tuple[Counter, dict[str, Window]]]:
    """Per subheading of ``lines``: the currency counts and, per currency, the entries (newest
    first, at most ``HISTORY_LIMIT``, each ending with its unit value) of the other trips'
    declared lines.

    One query for all subheadings, none when the lines came with their rows' stamps
    (``stamp_of_line``) and this process keeps each row under its stamp. The trip's own lines
    are in the summary while it is declared: they are taken out here.
    """
    hs6s = {line.hs_code[:6] for line in lines}
    rows = _kept_rows(lines)
    if rows is None:
        rows = _rows(hs6s)
    own_counted = trip.status not in NOT_DECLARED
    own = trip.pk  # read once: a model's pk is a property, and the lists run to 500 entries
    found = {}
    for hs6 in hs6s:
        row = rows.get(hs6)
        counts = Counter(row[0]) if row else Counter()
        if own_counted:
            counts.subtract(line.currency for line in lines if line.hs_code[:6] == hs6)
        counts = Counter({c: n for c, n in counts.items() if n > 0})
        values = {}
        for currency, head in row[1].items() if row else ():
            values[currency] = head.window_of(own)
        found[hs6] = (counts, values)
    return found


def _texts(queryset, known=None):
    """The rows' stamps and JSON as text; with ``known`` (a stamp), a row still under that
    stamp comes without its texts: the process has it parsed already."""

    def text(column):
        as_text = Cast(column, TextField())
        if known is None:
            return as_text
        return Case(When(stamp=known, then=Value(None)), default=as_text, output_field=TextField())

    return queryset.annotate(counts_text=text("counts"), recent_text=text("recent")).values_list(
        "hs6", "stamp", "counts_text", "recent_text"
    )


# Most cargo is of one subheading: its row by a statement compiled once, its texts only when
# the row changed since this process parsed it.
_ONE_ROW = Prepared(
    lambda hs6, known: _texts(UnitValueHistory.objects.filter(hs6=hs6), known),
    hs6=str,
    known=int,
)


def _kept_rows(lines) -> dict[str, tuple[dict, dict]] | None:
    """The rows of the lines' subheadings from what this process keeps, by the stamps the
    lines were read with; None when a line has none or a row is not kept under it."""
    found = {}
    for line in lines:
        stamp = getattr(line, "history_stamp", NONE_KEPT)
        if stamp is None:
            continue  # no row: nobody else declared the subheading yet
        parsed = _PARSED.get(line.hs_code[:6], stamp)  # None under NONE_KEPT: no row has it
        if parsed is None:
            return None
        found[line.hs_code[:6]] = parsed
    return found


def _rows(hs6s) -> dict[str, tuple[dict, dict]]:
    if len(hs6s) == 1:
        hs6 = next(iter(hs6s))
        rows = _ONE_ROW.values(hs6=hs6, known=_PARSED.known(hs6))
        found = {h: _parsed(h, stamp, counts, recent) for h, stamp, counts, recent in rows}
        if None not in found.values():
            return found
        # The copy was dropped between the look and the read (other subheadings filled the
        # process's room): the row again, whole.
        rows = _ONE_ROW.values(hs6=hs6, known=NONE_KEPT)
    else:
        rows = _texts(UnitValueHistory.objects.filter(hs6__in=hs6s))
    return {h: _parsed(h, stamp, counts, recent) for h, stamp, counts, recent in rows}
