"""What a visitor of ``cuakhau demo`` sees in its first minute: the public wait-time page and
API already carry live numbers, with nobody signed in."""

import datetime as dt

import pytest
from django.utils import timezone

from cuakhau.conftest import cassava_line, declaration
from cuakhau.demo.slots import stage_slots
from cuakhau.slots import services
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[dt.timedelta(minutes=20), dt.timedelta(hours=8)], ids=["day", "night"])
def staged(request, enterprise, operator, mlt, monkeypatch):
    """Coming trucks at Ma Lù Thàng and the gate operator (``vanhanh``, the demo's own
    login), then the demo's slot stage, as ``cuakhau demo`` runs it. By day the first truck
    is due in twenty minutes; at night nobody is due for eight hours."""
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    for n in range(7):
        trips.save_and_submit(
            enterprise,
            None,
            declaration(
                tractor_plate=f"25C-901.0{n}",
                cargo_lines=[cassava_line()],
                expected_arrival=timezone.now() + request.param + dt.timedelta(minutes=10 * n),
            ),
        )
    return stage_slots(seed=11)


def test_the_public_page_has_live_numbers_at_once(client, staged):
    page = client.get("/slots/wait-times/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ma Lù Thàng" in text or "Ma Lu Thang" in text
    # Trucks waiting, the recent median wait and the longest wait: numbers, not dashes.
    row = next(r for r in page.context["rows"] if r["gate"].code == "mlt")
    assert row["waiting"] > 0
    assert row["median_wait_minutes"] is not None
    assert row["longest_waiting_minutes"] is not None
    assert f"<td>{row['waiting']}</td>" in text


def test_the_public_api_has_the_same_numbers(client, staged):
    response = client.get("/api/v1/slots/wait-times")
    assert response.status_code == 200
    (mlt,) = [r for r in response.json() if r["gate"] == "mlt" and r["direction"] == "export"]
    assert mlt["waiting"] > 0 and mlt["median_wait_minutes"] is not None
