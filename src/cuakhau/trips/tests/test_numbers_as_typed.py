"""A cargo line's numbers are refused in the words every other form uses, and the same on
every database: the model's own check echoed "1,5" typed on a Vietnamese page back as
“1.5” and gave SQLite's integer range (9.223.372.036.854.775.807) where PostgreSQL's is
2.147.483.647."""

import re

import pytest

from cuakhau.conftest import banana_line, declaration
from cuakhau.trips import services
from cuakhau.trips.models import Trip

from .test_phone_and_weights import login
from .test_views import form_post

pytestmark = pytest.mark.django_db


def _said_at(html: str, field: str) -> str:
    start = html.index(f'data-field="{field}"')
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", html[start : start + 400]))


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("1,5", "Hãy nhập một số nguyên."),
        ("99999999999999999999", "Tối đa 2.147.483.647."),
        ("0", "Tối thiểu 1."),
        ("mười", "Hãy nhập một số nguyên."),  # a count: as the API says it
    ],
)
def test_a_wrong_number_of_packages_is_said_as_the_page_writes_numbers(
    enterprise, mlt, typed, said
):
    client = login(enterprise)
    post = form_post(declaration(cargo_lines=[banana_line(packages=typed)]), "submit")
    response = client.post("/trips/new/", post, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    shown = _said_at(response.content.decode(), "lines-0-packages")
    assert said in shown and "1.5" not in shown
    assert not Trip.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("packages", 1.5, "Enter a whole number."),
        ("packages", 10**20, "At most 2,147,483,647."),
        ("gross_weight_kg", "12.34567", "At most 3 decimal places."),
        ("value", "1e400", "At most"),
        ("quantity", True, "Enter a number."),
    ],
)
def test_the_service_checks_each_line_number_against_its_column(
    enterprise, mlt, field, value, said
):
    data = declaration(cargo_lines=[banana_line(**{field: value})])
    with pytest.raises(services.TripValidationError) as refused:
        services.create_draft(enterprise, data)
    messages = refused.value.errors[f"cargo_lines.0.{field}"]
    assert any(said in message for message in messages), messages
    assert not Trip.objects.exists()


def test_a_capacity_past_its_column_is_said_with_the_columns_limit(enterprise, mlt):
    data = declaration(capacity_tonnes="1e30")
    with pytest.raises(services.TripValidationError) as refused:
        services.create_draft(enterprise, data)
    assert any("At most" in message for message in refused.value.errors["capacity_tonnes"])


@pytest.mark.parametrize(
    ("language", "typed", "said"),
    [
        ("en", "+3", "Enter a whole number."),
        ("en", "3.0", "Enter a whole number."),
        ("vi", "3,0", "Hãy nhập một số nguyên."),
        ("zh-hans", "3.0", "请输入整数。"),
    ],
)
def test_a_number_of_packages_is_refused_as_the_api_refuses_it(
    enterprise, mlt, language, typed, said
):
    # The API refused "+3" and "3.0" packages; the page's box stored them as 3.
    client = login(enterprise)
    post = form_post(declaration(cargo_lines=[banana_line(packages=typed)]), "submit")
    response = client.post("/trips/new/", post, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert said in _said_at(response.content.decode(), "lines-0-packages")
    assert not Trip.objects.exists()


@pytest.mark.parametrize("typed", ["٣", "３"])
def test_a_number_of_packages_in_other_digits_is_read(enterprise, mlt, typed):
    client = login(enterprise)
    post = form_post(declaration(cargo_lines=[banana_line(packages=typed)]), "submit")
    client.post("/trips/new/", post)
    assert Trip.objects.get().cargo_lines.get().packages == 3
