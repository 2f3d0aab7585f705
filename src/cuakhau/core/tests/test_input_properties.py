"""Property-based tests (Hypothesis): whatever a declarant or a gate device sends, the answer is
never a 5xx, and whatever was created can be read back (API, list, trip page)."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user, issue_token
from cuakhau.conftest import PASSWORD, banana_line, declaration

pytestmark = pytest.mark.django_db

BOUNDED = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

# Text as people (and broken clients) send it: any script, combining marks, controls, NUL,
# lone surrogates, fullwidth forms.
odd_text = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()), max_size=60
) | st.sampled_from(["", " ", "\x00", "Lo\u0300", "\ud800", "\u2028", "２５Ｃ", "٢٥"])
numbers = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["1e400", "-0", "0.0001", "99999999999999.99", "1" * 30, "abc", None]),
).map(lambda n: str(n) if isinstance(n, Decimal) else n)
plates = st.one_of(
    odd_text,
    st.sampled_from(
        [
            "25C-123.45",
            "２５Ｃ－１２３．４５",
            "25C ١٢٣.٤٥",
            "云G12345",
            "桂Ａ１２３４５",
            "25С12345",
        ]
    ),
)
moments = st.one_of(
    st.datetimes(
        min_value=dt.datetime(1, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.timezones(),
    ).map(lambda d: d.isoformat()),
    st.just((timezone.now() + dt.timedelta(days=1)).isoformat()),
    odd_text,
)


@st.composite
def cargo_lines(draw):
    line = banana_line(container_numbers=[])
    for field in ("quantity", "gross_weight_kg", "net_weight_kg", "value", "packages"):
        if draw(st.booleans()):
            line[field] = draw(numbers)
    for field in ("description", "hs_code", "phytosanitary_certificate", "customs_declaration"):
        if draw(st.booleans()):
            line[field] = draw(odd_text)
    if draw(st.booleans()):
        line["container_numbers"] = draw(st.lists(odd_text, max_size=3))
    return line


@st.composite
def declarations(draw):
    data = json.loads(json.dumps(declaration(cargo_lines=[]), default=str))
    data["cargo_lines"] = draw(st.lists(cargo_lines(), min_size=0, max_size=3))
    for field in ("driver_name", "driver_document_number", "driver_phone", "driver_nationality"):
        if draw(st.booleans()):
            data[field] = draw(odd_text)
    if draw(st.booleans()):
        data["tractor_plate"] = draw(plates)
    if draw(st.booleans()):
        data["expected_arrival"] = draw(moments)
    if draw(st.booleans()):
        data["capacity_tonnes"] = draw(numbers)
    if not data["cargo_lines"]:
        data["direction"] = "empty_return"
    return data


def api_client(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'test')[1]}")


def send(client, path, body):
    return client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")


@given(data=declarations(), submit=st.booleans())
@BOUNDED
def test_a_declaration_never_fails_and_what_is_stored_can_be_read(enterprise, mlt, data, submit):
    client = api_client(enterprise)
    response = send(client, "/trips?submit=true" if submit else "/trips", data)
    assert response.status_code < 500, response.content
    if response.status_code != 201:
        assert response.status_code in (400, 409, 422), response.content
        return
    reference = response.json()["reference"]
    assert client.get(f"/api/v1/trips/{reference}").status_code == 200
    assert client.get("/api/v1/trips").status_code == 200
    web = Client()
    web.force_login(enterprise)
    assert web.get(f"/trips/{reference}/").status_code == 200
    assert web.get("/trips/").status_code == 200


@pytest.fixture
def gate_operator(mlt):
    return create_user("vanhanh_h", PASSWORD, roles.GATE_OPERATOR, gates=[mlt])


@given(
    scan=st.one_of(odd_text, plates),
    plate_seen=plates,
    gross=numbers,
    tare=numbers,
    confidence=numbers,
    at=moments,
)
@BOUNDED
def test_gate_inputs_never_fail(gate_operator, mlt, scan, plate_seen, gross, tare, confidence, at):
    client = api_client(gate_operator)
    for path, body in [
        ("/gate/mlt/lookup", {"scan": scan, "plate_seen": plate_seen}),
        ("/gate/mlt/check-in", {"scan": scan, "plate_seen": plate_seen, "gross_kg": gross}),
        ("/gate/mlt/weighbridge", {"scan": scan, "gross_kg": gross, "tare_kg": tare}),
        ("/gate/mlt/plates", {"plate": plate_seen, "confidence": confidence, "read_at": at}),
        (
            "/gate/mlt/events",
            [
                {
                    "client_id": "6f1c7e0e-93c4-4a5e-9a43-0a3f0c1e2b7d",
                    "kind": "plate_read",
                    "occurred_at": at,
                    "scan": scan,
                }
            ],
        ),
        ("/gate/mlt/exit", {"scan": scan}),
    ]:
        response = send(client, path, body)
        assert response.status_code < 500, (path, body, response.content)
    web = Client()
    web.force_login(gate_operator)
    assert web.get("/gate/mlt/console/").status_code == 200
