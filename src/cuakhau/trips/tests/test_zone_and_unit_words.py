"""A Chinese page wrote the same things several ways: a weight "1,000.5 千克" beside
"毛重 1,100 kg", an offset "(UTC+0700)" on the trip page and "UTC+07:00" in the form's help.
One unit word a language and one way to write an offset, everywhere."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from cuakhau.accounts.services import set_language
from cuakhau.conftest import banana_line, declaration
from cuakhau.core import zones
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2]


def detail(user, trip, language):
    set_language(user, language)
    client = Client()
    client.force_login(user)
    return client.get(f"/trips/{trip.reference}/").content.decode()


def kilos_trip(enterprise):
    line = banana_line(
        description="Chuối tươi",
        quantity="1000.5",
        unit="KGM",
        gross_weight_kg="1100",
        net_weight_kg="1000.5",
    )
    return trips.save_and_submit(enterprise, None, declaration(cargo_lines=[line]))


@pytest.mark.parametrize(
    ("language", "said", "other"),
    [
        ("zh-hans", ["1,000.5 千克", "毛重 1,100 千克", "净重 1,000.5 千克"], " kg"),
        ("vi", ["1.000,5 kg", "1.100 kg", "1.000,5 kg"], "kilôgam"),
        ("en", ["1,000.5 kg", "gross 1,100 kg", "net 1,000.5 kg"], "kilogram"),
    ],
)
def test_a_cargo_lines_weights_say_one_unit_word(enterprise, language, said, other):
    page = detail(enterprise, kilos_trip(enterprise), language)
    cargo = page[page.index('class="cargo-summary"') :]
    cargo = cargo[: cargo.index("</div>")]
    assert all(s in cargo for s in said), cargo
    assert other not in cargo


def test_the_trip_page_writes_the_offset_as_the_forms_help_does(enterprise):
    trip = kilos_trip(enterprise)
    page = detail(enterprise, trip, "zh-hans")
    assert "(UTC+07:00)" in page and "+0700" not in page
    with translation.override("zh-hans"):
        from cuakhau.trips.forms import _arrival_help

        assert _arrival_help() == "按口岸当地时间：越南（UTC+07:00）。"


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("zh-hans", "越南（UTC+07:00）"),
        ("vi", "Việt Nam (UTC+07:00)"),
        ("en", "Vietnam (UTC+07:00)"),
    ],
)
def test_a_zone_is_named_by_its_country_and_offset(language, label):
    with translation.override(language):
        assert zones.zone_label("Asia/Ho_Chi_Minh") == label
    assert zones.utc_offset("Asia/Kolkata") == "UTC+05:30"
    assert zones.utc_offset("America/St_Johns").startswith("UTC-0")


def chinese_messages():
    for path in sorted(SRC.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
        text = path.read_text(encoding="utf-8")
        for block in text.split("\n\n"):
            strings = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$|^"(.*)"$', block, re.M)
            yield path, block, "".join(a or b for a, b in strings)


def test_no_chinese_message_writes_kilograms_as_kg():
    """地磅（千克） beside 车辆自重（kg）: every Chinese catalogue says 千克."""
    found = [
        (str(path.relative_to(SRC)), said)
        for path, block, said in chinese_messages()
        if "msgstr" in block and re.search(r"(?<![A-Za-z])kg(?![A-Za-z])", said)
    ]
    assert found == []
