"""The undervaluation rule's price history: the maintained summary says what a scan of the
cargo lines says, after declarations, amendments and cancellations, and at the window's edge."""

import random
import statistics
from collections import Counter
from decimal import Decimal
from types import SimpleNamespace

import pytest

from cuakhau.conftest import banana_line, cassava_line, declaration
from cuakhau.core.stamps import new_stamp
from cuakhau.risk import history
from cuakhau.risk.models import UnitValueHistory
from cuakhau.trips import services as trips
from cuakhau.trips.models import CargoLine, Trip

from .helpers import submit

pytestmark = pytest.mark.django_db


def scanned_window(trip, hs6):
    """What the rule read before the summary existed: every other declared line, scanned."""
    lines = (
        CargoLine.objects.filter(hs_code__startswith=hs6)
        .exclude(trip__status__in=history.NOT_DECLARED)
        .exclude(trip_id=trip.pk)
    )
    counts = Counter(lines.values_list("currency", flat=True))
    values = {
        currency: [
            value / net
            for value, net in lines.filter(currency=currency)
            .order_by("-trip__submitted_at", "-id")
            .values_list("value", "net_weight_kg")[: history.HISTORY_LIMIT]
        ]
        for currency in counts
    }
    return counts, values


def assert_summary_is_the_scan(trip):
    trip = Trip.objects.get(pk=trip.pk)
    lines = list(trip.cargo_lines.all())
    window = history.window(trip, lines)
    for hs6 in {line.hs_code[:6] for line in lines}:
        counts, entries = window[hs6]
        expected_counts, expected_values = scanned_window(trip, hs6)
        assert counts == expected_counts
        assert {c: list(e.unit_values) for c, e in entries.items() if c in counts} == (
            expected_values
        )
    for row in UnitValueHistory.objects.all():
        assert (row.counts, row.recent) == history._scan(row.hs6)


def test_the_summary_follows_declarations_amendments_and_cancellations(
    enterprise, other_enterprise
):
    made = []
    for n, currency in enumerate(["USD", "USD", "CNY", "USD"]):
        made.append(
            submit(
                enterprise,
                banana_line(container_numbers=[], value=str(11000 + 100 * n), currency=currency),
            )
        )
    first = made[0]
    # A draft is no history; a second line of one trip counts as a declaration of its own.
    trips.create_draft(enterprise, declaration(cargo_lines=[banana_line(container_numbers=[])]))
    cancelled = submit(enterprise, banana_line(container_numbers=[], value="9000"))
    amended = submit(
        other_enterprise,
        banana_line(container_numbers=[], value="5000"),
        banana_line(container_numbers=[], value="5100"),
    )
    assert UnitValueHistory.objects.get(hs6="080390").counts == {"USD": 6, "CNY": 1}
    assert_summary_is_the_scan(amended)

    trips.cancel_trip(enterprise, cancelled, "Truck broke down.")
    assert UnitValueHistory.objects.get(hs6="080390").counts == {"USD": 5, "CNY": 1}
    # Bananas become cassava: they leave 080390's history and join 071410's.
    trips.amend_trip(
        other_enterprise,
        amended,
        declaration(cargo_lines=[cassava_line(value="2300")]),
        "Wrong load declared.",
    )
    assert UnitValueHistory.objects.get(hs6="080390").counts == {"USD": 3, "CNY": 1}
    assert UnitValueHistory.objects.get(hs6="071410").counts == {"USD": 1}
    assert_summary_is_the_scan(amended)
    assert_summary_is_the_scan(first)
    # Made again from the cargo lines, it is the same.
    before = {r.hs6: (r.counts, r.recent) for r in UnitValueHistory.objects.all()}
    assert history.rebuild() == 2
    assert {r.hs6: (r.counts, r.recent) for r in UnitValueHistory.objects.all()} == before


def test_the_window_keeps_enough_to_leave_the_trip_itself_out(enterprise, monkeypatch):
    # A small window, so a handful of trips fills it: the summary keeps the window plus the
    # largest trip's lines, and the assessed trip's own lines are not in what it reads.
    monkeypatch.setattr(history, "HISTORY_LIMIT", 3)
    monkeypatch.setattr(history, "KEEP", 3 + 2)
    for n in range(5):
        submit(enterprise, banana_line(container_numbers=[], value=str(11000 + 100 * n)))
    newest = submit(
        enterprise,
        banana_line(container_numbers=[], value="6000"),
        banana_line(container_numbers=[], value="6100"),
    )
    row = UnitValueHistory.objects.get(hs6="080390")
    assert row.counts == {"USD": 7} and len(row.recent["USD"]) == 5
    assert [entry[2] for entry in row.recent["USD"][:2]] == [newest.pk, newest.pk]
    assert_summary_is_the_scan(newest)
    counts, entries = history.window(newest, list(newest.cargo_lines.all()))["080390"]
    assert counts == {"USD": 5}
    assert [str(v) for v in entries["USD"].unit_values] == [
        str(v) for v in scanned_window(newest, "080390")[1]["USD"]
    ]
    assert len(entries["USD"]) == 3
    assert entries["USD"].median == statistics.median(scanned_window(newest, "080390")[1]["USD"])
    # The trips outside the newest three share one window, its median worked out once.
    oldest = Trip.objects.filter(organisation=enterprise.profile.organisation).order_by("pk")
    windows = []
    for trip in oldest[:2]:
        counts, entries = history.window(trip, list(trip.cargo_lines.all()))["080390"]
        expected_counts, expected_values = scanned_window(trip, "080390")
        assert (
            counts == expected_counts
            and list(entries["USD"].unit_values) == (expected_values["USD"])
        )
        assert entries["USD"].median == statistics.median(expected_values["USD"])
        windows.append(entries["USD"])
    assert windows[0] is windows[1]


def test_a_row_unchanged_is_neither_sent_nor_parsed_again(enterprise, monkeypatch):
    first = submit(enterprise, banana_line(container_numbers=[], value="11000"))
    lines = list(first.cargo_lines.all())
    history._PARSED.clear()
    stamp = UnitValueHistory.objects.get(hs6="080390").stamp
    # Asked with the stamp it has, the row comes without its texts (tens of kB at a busy gate).
    assert history._ONE_ROW.values(hs6="080390", known=stamp) == [("080390", stamp, None, None)]
    before = history.window(first, lines)
    assert history._PARSED.known("080390") == stamp
    parsed = []
    real_loads = history.json.loads
    counting = SimpleNamespace(loads=lambda text: parsed.append(text) or real_loads(text))
    monkeypatch.setattr(history, "json", counting)
    assert history.window(first, lines) == before and parsed == []

    # Another declaration of the subheading draws a new stamp: the next assessment reads it.
    other = submit(enterprise, banana_line(container_numbers=[], value="12000"))
    assert UnitValueHistory.objects.get(hs6="080390").stamp != stamp
    counts, entries = history.window(first, lines)["080390"]
    assert counts == {"USD": 1} and [e[2] for e in entries["USD"]] == [other.pk]
    assert len(parsed) == 2  # counts and entries, once
    assert_summary_is_the_scan(first)

    # The process's copy dropped between the look and the read (other subheadings filled its
    # room): the row is read again, whole.
    kept = history._PARSED.known("080390")
    history._PARSED.clear()
    monkeypatch.setattr(history._PARSED, "known", lambda hs6: kept)
    assert history.window(first, lines)["080390"] == (counts, entries)


def _lines_with_stamps(trip):
    return list(
        CargoLine.objects.filter(trip=trip)
        .annotate(history_stamp=history.stamp_of_line())
        .order_by("line_no")
    )


def test_lines_read_with_their_stamps_need_no_statement_while_the_row_is_kept(
    enterprise, django_assert_num_queries
):
    """The gate reads a truck's cargo lines with their subheadings' stamps: the history is
    then read only when one moved, and a subheading nobody else declared has none to read."""
    first = submit(
        enterprise,
        banana_line(container_numbers=[], value="11000"),
        cassava_line(container_numbers=[]),
    )
    history._PARSED.clear()
    expected = history.window(first, list(first.cargo_lines.all()))
    with django_assert_num_queries(1):  # the lines, with their stamps
        lines = _lines_with_stamps(first)
    with django_assert_num_queries(0):
        assert history.window(first, lines) == expected

    # A subheading of no row yet (the line's stamp is None) asks for nothing either.
    CargoLine.objects.filter(trip=first, hs_code__startswith="0803").update(hs_code="09041100")
    lines = _lines_with_stamps(first)
    assert {line.hs_code[:6]: line.history_stamp for line in lines}["090411"] is None
    with django_assert_num_queries(0):
        without_row = history.window(first, lines)
    assert without_row["090411"] == (Counter(), {})
    assert without_row == history.window(first, list(first.cargo_lines.all()))

    # Another declaration moves the stamp: the lines read after it bring the new stamp and
    # the window sees the new trip.
    CargoLine.objects.filter(trip=first, hs_code="09041100").update(hs_code="08039010")
    old = _lines_with_stamps(first)
    other = submit(enterprise, banana_line(container_numbers=[], value="12000"))
    lines = _lines_with_stamps(first)
    assert lines[0].history_stamp != old[0].history_stamp
    counts, entries = history.window(first, lines)["080390"]
    assert other.pk in [e[2] for e in entries["USD"]]
    assert_summary_is_the_scan(first)

    # Changed by another process (this one kept the row under the stamp before): read again.
    UnitValueHistory.objects.filter(hs6="080390").update(stamp=new_stamp())
    lines = _lines_with_stamps(first)
    with django_assert_num_queries(1):
        assert history.window(first, lines)["080390"] == (counts, entries)

    # The copy dropped meanwhile (the process kept other subheadings): read again, as before.
    history._PARSED.clear()
    with django_assert_num_queries(1):
        assert history.window(first, lines)["080390"] == (counts, entries)


def test_each_trips_window_is_the_others_newest_entries_and_their_median(monkeypatch):
    """Every trip's window, taken from the one shared by the trips outside it, is what leaving
    its entries out of the list says: entries, order and median (with ties, lines without a
    unit value and a trip straddling the edge)."""
    monkeypatch.setattr(history, "HISTORY_LIMIT", 7)
    rng = random.Random(13)
    for _round in range(200):
        entries = []
        for n in range(rng.randint(0, 14)):
            value = rng.choice([None, Decimal("2.5"), Decimal(rng.randint(1, 9))])
            entries.append((f"2026-01-{n:02}", n, rng.randint(1, 5), "", "", value))
        head = history._Head(entries)
        for trip in range(1, 6):
            expected = [e for e in entries if e[2] != trip and e[5] is not None][:7]
            window = head.window_of(trip)
            assert list(window.entries) == expected
            if expected:
                assert window.median == statistics.median(e[5] for e in expected)
