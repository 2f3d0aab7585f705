"""The yard board: stages, lanes, queue, trucks expected; a fixed number of queries; the views."""

import datetime as dt

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import (
    PASSWORD,
    cassava_line,
    declaration,
    people_at_mlt,
)
from cuakhau.core.testing.shared import fresh, shared_data
from cuakhau.gate import board as board_module
from cuakhau.gate import services as gate
from cuakhau.gate.board import yard_board
from cuakhau.gate.models import Lane
from cuakhau.gate.tests.conftest import clear
from cuakhau.inspections import services as inspections
from cuakhau.inspections.models import Inspection
from cuakhau.payments import services as payments
from cuakhau.trips import services as trips
from cuakhau.trips.models import Trip

# The yard (below) is built once for the module; every test runs beside it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_shared_yard")]

BOARD_URLS = "cuakhau.gate.tests.board_urls"


def make_lanes(mlt) -> None:
    """Two open lanes and a closed one."""
    for n in (1, 2):
        Lane.objects.create(gate=mlt, code=f"L{n}")
    Lane.objects.create(gate=mlt, code="L3", is_open=False)


def plate(n: int) -> str:
    return f"25C-{200 + n:03d}.{10 + n:02d}"


def submitted(user, n: int, **overrides) -> Trip:
    # No containers: a container may be on one active trip only, and these trips are many.
    data = declaration(tractor_plate=plate(n), cargo_lines=[cassava_line()], **overrides)
    return trips.save_and_submit(user, None, data)


def paid(user, n: int, **overrides) -> Trip:
    trip = submitted(user, n, **overrides)
    payments.simulate_bank_transfer(trip)
    trip.refresh_from_db()
    return trip


def expect_at(trip, when):
    Trip.objects.filter(pk=trip.pk).update(expected_arrival=when)


def build_yard(enterprise, operator, officers, mlt):
    """A yard with a truck at each stage, one gone, and trucks due soon, late and far off."""
    now = timezone.now()
    waiting = paid(enterprise, 1)
    gate.check_in(
        operator,
        mlt,
        waiting.reference,
        lane="L1",
        yard_position="A-01",
        at=now - dt.timedelta(minutes=50),
    )
    # As the green channel records it: an automatic customs release, no officer involved.
    Inspection.objects.create(
        trip=waiting,
        agency="customs",
        started_at=now,
        ended_at=now,
        result="pass",
        automatic=True,
    )
    inspected = paid(enterprise, 2, direction="import")
    gate.check_in(operator, mlt, inspected.reference, lane="L2", at=now - dt.timedelta(minutes=130))
    inspections.start_inspection(officers["customs"], inspected)
    inspections.record_result(officers["border_guard"], inspected, "pass")
    cleared = paid(enterprise, 3)
    gate.check_in(operator, mlt, cleared.reference, lane="L1", yard_position="C-07")
    clear(cleared, officers)
    gone = paid(enterprise, 4)
    gate.check_in(operator, mlt, gone.reference, lane="L2")
    clear(gone, officers)
    gate.exit_truck(operator, mlt, gone.reference)
    soon_paid = paid(enterprise, 5)
    expect_at(soon_paid, now + dt.timedelta(hours=2))
    soon_unpaid = submitted(enterprise, 6)
    expect_at(soon_unpaid, now + dt.timedelta(minutes=30))
    late = paid(enterprise, 7)
    expect_at(late, now - dt.timedelta(minutes=45))
    too_late = paid(enterprise, 8)
    expect_at(too_late, now - dt.timedelta(hours=2))
    later = paid(enterprise, 9)
    expect_at(later, now + dt.timedelta(hours=5))
    return {
        "now": now,
        "waiting": waiting,
        "inspected": inspected,
        "cleared": cleared,
        "gone": gone,
        "soon_paid": soon_paid,
        "soon_unpaid": soon_unpaid,
        "late": late,
    }


@pytest.fixture(scope="module")
def _shared_yard(request, django_db_setup, django_db_blocker, tmp_path_factory):
    # Built once for the module (core.testing.shared); every test runs beside it.
    with shared_data(request, django_db_blocker, tmp_path_factory):
        people = people_at_mlt()
        make_lanes(people[-1])
        yield build_yard(*people)


@pytest.fixture
def yard(_shared_yard, db):
    """The module's yard, each trip read afresh for the test."""
    return {key: fresh(value) if key != "now" else value for key, value in _shared_yard.items()}


def refs(rows):
    return [row["reference"] for row in rows]


def test_trucks_inside_are_grouped_by_stage(yard, mlt):
    board = yard_board(mlt, now=yard["now"])
    assert refs(board["waiting"]) == [yard["waiting"].reference]
    assert refs(board["under_inspection"]) == [yard["inspected"].reference]
    assert refs(board["cleared"]) == [yard["cleared"].reference]
    assert board["inside"] == 3 and board["queue_length"] == 2
    assert [s["key"] for s in board["stages"]] == ["waiting", "under_inspection", "cleared"]
    assert [s["count"] for s in board["stages"]] == [1, 1, 1]

    waiting = board["waiting"][0]
    assert waiting["tractor_plate"] == plate(1)
    assert waiting["yard_position"] == "A-01" and waiting["lane"] == "L1"
    assert waiting["direction"] == "export"
    assert waiting["waited_minutes"] == 50 and not waiting["long_wait"]
    # Read in bulk, the same channel as the one-trip lookup (None until the risk app is in).
    assert waiting["channel"] == inspections.current_channel(yard["waiting"])

    inspected = board["under_inspection"][0]
    assert inspected["direction"] == "import" and inspected["lane"] == "L2"
    assert inspected["waited_minutes"] == 130 and inspected["long_wait"]
    assert inspected["inspecting"] == ["Customs"]
    assert inspected["passed"] == ["Border guard"]
    assert inspected["channel"] == inspections.current_channel(yard["inspected"])


def test_a_truck_rejected_inside_stays_on_the_board_until_it_is_turned_back(
    yard, mlt, enterprise, operator, officers
):
    """A truck rejected inside the gate was left off the board (its trip no longer arrived):
    the yard read three trucks inside where the gate counted four, and the one truck waiting
    for the operator to let it out the way it came was nowhere on the screen."""
    from cuakhau.slots.services import inside_count

    rejected = paid(enterprise, 10)
    gate.check_in(operator, mlt, rejected.reference, lane="L2")
    inspections.record_result(officers["customs"], rejected, "fail", "Hàng không khớp khai báo")
    trips.reject_trip(officers["customs"], rejected, "Hàng không khớp khai báo, quay đầu")
    board = yard_board(mlt, now=yard["now"])
    assert board["inside"] == inside_count(mlt) == 4
    assert refs(board["turn_back"]) == [rejected.reference]
    assert [s["key"] for s in board["stages"]] == [
        "waiting", "under_inspection", "cleared", "turn_back",
    ]  # fmt: skip
    assert board["queue_length"] == 2  # not a truck waiting to be cleared
    assert [(lane["code"], lane["inside"]) for lane in board["lanes"]] == [("L1", 2), ("L2", 2)]
    page = render_to_string("gate/_board.html", {"gate": mlt, "board": board})
    assert "Rejected, to be turned back" in page and rejected.tractor_plate in page
    assert "four-stages" in page
    gate.turn_back(operator, mlt, rejected.reference)
    board = yard_board(mlt, now=yard["now"])
    assert board["inside"] == 3 and board["turn_back"] == []
    # No such truck: the board keeps its three stages.
    assert [s["key"] for s in board["stages"]] == ["waiting", "under_inspection", "cleared"]


def test_lanes_count_the_trucks_that_entered_through_them(yard, mlt):
    board = yard_board(mlt, now=yard["now"])
    assert [(lane["code"], lane["inside"]) for lane in board["lanes"]] == [("L1", 2), ("L2", 1)]
    assert board["inside_without_open_lane"] == 0
    Lane.objects.filter(gate=mlt, code="L2").update(is_open=False)
    board = yard_board(mlt, now=yard["now"])
    assert [(lane["code"], lane["inside"]) for lane in board["lanes"]] == [("L1", 2)]
    assert board["inside_without_open_lane"] == 1


def test_trucks_expected_in_the_next_three_hours(yard, mlt):
    expected = yard_board(mlt, now=yard["now"])["expected"]
    assert refs(expected["trips"]) == [
        yard["late"].reference,
        yard["soon_unpaid"].reference,
        yard["soon_paid"].reference,
    ]
    assert (expected["count"], expected["paid"], expected["unpaid"]) == (3, 2, 1)
    assert [row["paid"] for row in expected["trips"]] == [True, False, True]
    assert expected["trips"][0]["late"] and not expected["trips"][1]["late"]


def test_the_board_shows_the_risk_channel(yard, mlt, monkeypatch):
    inspected = yard["inspected"]
    monkeypatch.setattr(board_module, "current_channels", lambda ids: {inspected.pk: "red"})
    board = yard_board(mlt, now=yard["now"])
    assert board["under_inspection"][0]["channel"] == "red"
    assert board["waiting"][0]["channel"] is None


def test_other_gates_trucks_are_not_on_the_board(yard, hng):
    board = yard_board(hng, now=yard["now"])
    assert board["inside"] == 0 and board["expected"]["count"] == 0 and board["lanes"] == []


def test_the_board_takes_a_handful_of_queries_whatever_the_trucks(
    yard, enterprise, operator, officers, mlt, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as the_yard:
        before = yard_board(mlt)
    # Twenty more trucks inside (plates of their own), four more expected.
    for n in range(50, 70):
        trip = paid(enterprise, n)
        gate.check_in(operator, mlt, trip.reference, lane=f"L{1 + n % 2}", yard_position=f"B{n}")
        if n % 3 == 1:
            inspections.start_inspection(officers["customs"], trip)
        elif n % 3 == 2:
            clear(trip, officers)
    for n in range(70, 74):
        expect_at(submitted(enterprise, n), timezone.now() + dt.timedelta(hours=1))
    with django_assert_max_num_queries(5):
        board = yard_board(mlt)
    assert board["inside"] == before["inside"] + 20
    assert board["expected"]["count"] == before["expected"]["count"] + 4
    stages = {s["key"]: s["count"] for s in before["stages"]}
    assert {s["key"]: s["count"] - stages[s["key"]] for s in board["stages"]} == {
        "waiting": 7,
        "under_inspection": 6,
        "cleared": 7,
    }
    with CaptureQueriesContext(connection) as twenty_more:
        yard_board(mlt)
    assert len(twenty_more) == len(the_yard)
    with django_assert_max_num_queries(0):
        render_to_string("gate/_board.html", {"gate": mlt, "board": board})


def test_the_fragment_shows_the_gate_time_and_the_trucks(yard, mlt):
    board = yard_board(mlt, now=yard["now"])
    html = render_to_string("gate/_board.html", {"gate": mlt, "board": board})
    local = timezone.localtime(yard["now"], timezone=dt.timezone(dt.timedelta(hours=7)))
    assert local.strftime("%H:%M:%S") in html
    for key in ("waiting", "inspected", "cleared", "soon_paid", "soon_unpaid", "late"):
        assert yard[key].reference in html
    assert yard["gone"].reference not in html
    assert 'class="long"' in html  # the truck inside for over two hours
    assert "<html" not in html


# ---------------------------------------------------------------------------------------------
# Views


@pytest.fixture
def board_urls(settings):
    settings.ROOT_URLCONF = BOARD_URLS


def test_an_officer_of_the_gate_sees_the_board_polling_its_fragment(
    client, yard, mlt, officers, board_urls
):
    client.force_login(officers["quarantine"])
    response = client.get("/gate/mlt/board/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-get="/gate/mlt/board/fragment/"' in html
    assert 'hx-trigger="every 10s"' in html and 'hx-swap="innerHTML"' in html
    assert yard["waiting"].tractor_plate in html
    assert "no-cache" in response["Cache-Control"]
    fragment = client.get("/gate/mlt/board/fragment/", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert yard["inspected"].reference in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_who_may_see_the_board(client, yard, mlt, hng, enterprise, auditor, board_urls):
    client.force_login(create_user("yb_haiquan_hng", PASSWORD, roles.CUSTOMS, gates=[hng]))
    assert client.get("/gate/mlt/board/").status_code == 403
    assert client.get("/gate/mlt/board/fragment/").status_code == 403
    client.force_login(enterprise)
    assert client.get("/gate/mlt/board/").status_code == 403
    for user in (auditor, create_user("yb_bql", PASSWORD, roles.BOARD)):
        client.force_login(user)
        assert client.get("/gate/MLT/board/").status_code == 200
        assert client.get("/gate/mlt/board/fragment/").status_code == 200
    assert client.get("/gate/xyz/board/").status_code == 404


def test_a_logged_out_board_goes_to_the_login_page_whole(client, mlt, board_urls):
    page = client.get("/gate/mlt/board/")
    assert page.status_code == 302 and "/login/" in page["Location"]
    polled = client.get(
        "/gate/mlt/board/fragment/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/gate/mlt/board/"},
    )
    assert polled.status_code == 204
    assert polled["HX-Redirect"].startswith("/login/?next=")
    assert "board" in polled["HX-Redirect"]


# The fragment the wall screen polls: the session, the officer's roles and gates (middleware
# and the view's own check), the gate, then the board's five (visits, inspections, channels,
# open lanes, expected trips). The page menu is not worked out for a fragment, which shows none.
BOARD_FRAGMENT_QUERIES = 13


def test_the_polled_fragment_costs_the_same_queries_however_full_the_yard(
    client, yard, mlt, enterprise, operator, officers, board_urls, django_assert_num_queries
):
    client.force_login(officers["quarantine"])
    url = "/gate/mlt/board/fragment/"
    client.get(url, headers={"HX-Request": "true"})
    with django_assert_num_queries(BOARD_FRAGMENT_QUERIES):
        before = client.get(url, headers={"HX-Request": "true"})
    for n in range(30, 36):
        trip = paid(enterprise, n)
        gate.check_in(operator, mlt, trip.reference, lane="L2", yard_position=f"C{n}")
        if n % 2:
            inspections.start_inspection(officers["customs"], trip)
        expect_at(submitted(enterprise, n + 10), timezone.now() + dt.timedelta(hours=2))
    with django_assert_num_queries(BOARD_FRAGMENT_QUERIES):
        after = client.get(url, headers={"HX-Request": "true"})
    inside = lambda response: response.context["board"]["inside"]  # noqa: E731
    assert inside(after) == inside(before) + 6
    assert after.context["board"]["expected"]["count"] == (
        before.context["board"]["expected"]["count"] + 6
    )
