"""Every wrong field of a check-in, named at once and shown beside its field.

The console said the first refusal only, in its result card: with the weighbridge's 25,400.5
typed the Vietnamese way wrong and a tare of 99 kg, the card named the reading; the tare's
refusal came on the next try, and no field was marked. The service now checks every field
before refusing, the API's 422 lists each, and the console's answer marks each field with its
message beside it.
"""

import re

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token, set_language
from cuakhau.core.errors import FieldErrors
from cuakhau.gate import services as gate
from cuakhau.gate.models import Visit

from .conftest import paid

pytestmark = pytest.mark.django_db


@pytest.fixture
def truck(enterprise, lanes):
    return paid(enterprise, tractor_plate="25C-404.04")


def test_the_service_names_every_wrong_field_at_once(operator, mlt, truck):
    with pytest.raises(FieldErrors) as refused:
        gate.check_in(
            operator,
            mlt,
            truck.reference,
            lane="L9",
            yard_position="A\x001",
            gross_kg="300",
            tare_kg="99",
        )
    assert set(refused.value.errors) == {"lane", "yard_position", "gross_kg", "tare_kg"}
    assert refused.value.errors["tare_kg"] == [gate.weight_out_of_range("tare_kg")]
    assert not Visit.objects.filter(trip=truck).exists()


def test_a_tare_above_a_reading_is_still_refused_and_a_tare_alone_asks_for_the_reading(
    operator, mlt, truck
):
    with pytest.raises(FieldErrors) as refused:
        gate.check_in(operator, mlt, truck.reference, gross_kg="20000", tare_kg="21000")
    assert list(refused.value.errors) == ["tare_kg"]
    with pytest.raises(FieldErrors) as refused:
        gate.check_in(operator, mlt, truck.reference, tare_kg="99")
    assert set(refused.value.errors) == {"gross_kg", "tare_kg"}


def test_the_apis_422_lists_every_wrong_weight(operator, truck):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(operator, 't')[1]}")
    response = client.post(
        "/api/v1/gate/mlt/check-in",
        {"scan": truck.reference, "lane": "L1", "gross_kg": "300", "tare_kg": "99"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    fields = {item["loc"][-1] for item in response.json()["detail"]}
    assert fields == {"gross_kg", "tare_kg"}


def test_a_weight_the_schema_refuses_does_not_hide_the_lane_nor_the_tare(operator, truck):
    # The schema refuses a reading that is no number; the lane the gate has not and the tare
    # out of range are the service's, said in the same 422.
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(operator, 't')[1]}")
    response = client.post(
        "/api/v1/gate/mlt/check-in",
        {"scan": truck.reference, "lane": "L9", "gross_kg": "heavy", "tare_kg": "99"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    locs = [tuple(item["loc"]) for item in response.json()["detail"]]
    assert sorted(locs) == [("body", "gross_kg"), ("body", "lane"), ("body", "tare_kg")]
    assert not Visit.objects.filter(trip=truck).exists()


def console(operator, language: str) -> Client:
    set_language(operator, language)
    client = Client()
    client.force_login(operator)
    return client


def field_html(html: str, name: str) -> tuple[str, str]:
    """The field's input (or select) and its error slot, from the row sent with the card."""
    marker = '<div class="row" id="console-fields" hx-swap-oob="true">'
    row = html.split(marker, 1)[1] if marker in html else None
    assert row, "the card's answer does not send the fields back"
    control = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', row)
    error = re.search(rf'<div id="id_{name}_error">(.*?)</div>', row, re.S)
    return control.group(0), (error.group(1) if error else "")


def test_the_console_marks_each_wrong_weight_beside_its_field(operator, truck):
    """Vietnamese writes 25.400,5: "25,400.5" cannot be read, and a 99 kg tare is too light."""
    card = console(operator, "vi").post(
        "/gate/mlt/console/check_in/",
        {"scan": truck.reference, "lane": "L2", "gross_kg": "25,400.5", "tare_kg": "99"},
    )
    assert card.status_code == 200
    html = card.content.decode()
    for name in ("gross_kg", "tare_kg"):
        control, error = field_html(html, name)
        assert 'aria-invalid="true"' in control and f'aria-describedby="id_{name}_error"' in control
        assert 'class="error"' in error
    assert "500 đến 40.000" in field_html(html, "tare_kg")[1]
    assert 'value="25,400.5"' in field_html(html, "gross_kg")[0]  # as typed, to be put right
    assert '<option value="L2" selected>' in html
    # The card names the fields; their messages are beside them, not in the card.
    assert 'id="fields-refused"' in html
    result = html.split('id="result"', 1)[1].split("</section>", 1)[0]
    assert "500 đến 40.000" not in result
    assert 'id="do-check_in"' in result  # put right, it is pressed again
    assert not Visit.objects.filter(trip=truck).exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_only_the_wrong_field_is_marked(operator, truck, language):
    html = (
        console(operator, language)
        .post(
            "/gate/mlt/console/check_in/",
            {"scan": truck.reference, "lane": "L2", "gross_kg": "25,400", "tare_kg": "99"},
        )
        .content.decode()
    )
    tare, tare_error = field_html(html, "tare_kg")
    gross, gross_error = field_html(html, "gross_kg")
    assert 'aria-invalid="true"' in tare and "40,000" in tare_error
    assert "aria-invalid" not in gross and not gross_error
    assert 'value="25,400"' in gross


def test_an_answer_with_nothing_wrong_leaves_the_fields_alone(operator, truck):
    html = (
        console(operator, "en")
        .post("/gate/mlt/console/scan/", {"scan": truck.reference, "gross_kg": "25,400"})
        .content.decode()
    )
    assert "hx-swap-oob" not in html and 'id="fields-refused"' not in html
