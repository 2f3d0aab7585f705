"""The administration's forms answer a bad value beside its field, as every other form does:
they saved what the services refuse, and pages that read it then failed."""

import pytest

from cuakhau.gate.models import Device
from cuakhau.slots.models import SlotCapacity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["camera\x1b[31m", "cổng\u202e", "   "])
def test_a_device_the_service_would_refuse_is_an_error_on_the_form(admin_client, mlt, name):
    page = admin_client.post(
        "/admin/gate/device/add/", {"gate": mlt.pk, "kind": "plate_camera", "name": name}
    )
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    assert not Device.objects.exists()


def test_a_device_name_taken_at_the_gate_is_an_error_on_the_form(admin_client, mlt):
    post = {"gate": mlt.pk, "kind": "plate_camera", "name": "Camera làn 1"}
    assert admin_client.post("/admin/gate/device/add/", post).status_code == 302
    again = admin_client.post("/admin/gate/device/add/", post)
    assert again.status_code == 200 and "already has a device" in again.content.decode()
    assert Device.objects.count() == 1


@pytest.mark.parametrize(
    "quotas",
    ['"abc"', "[1, 2]", "1", '{"perishable": "x"}', '{"perishable": null}', '{"perishable": -5}',
     '{"perishable": 1e308}', "NaN", '{"perishable": 999}', '{"nobody": 2}'],
)  # fmt: skip
def test_reserved_seats_the_hour_cannot_hold_are_refused(admin_client, mlt, quotas):
    post = {
        "gate": mlt.pk,
        "direction": "export",
        "weekday": 0,
        "hour": 8,
        "lanes": 2,
        "trucks_per_lane_hour": 10,
        "quotas": quotas,
    }
    page = admin_client.post("/admin/slots/slotcapacity/add/", post)
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    assert not SlotCapacity.objects.exists()
    taken = admin_client.post(
        "/admin/slots/slotcapacity/add/", {**post, "quotas": '{"perishable": 4}'}
    )
    assert taken.status_code == 302
    assert SlotCapacity.objects.get().quotas == {"perishable": 4}


@pytest.mark.parametrize("prefix", ["١٢", "０８", "08a"])
def test_an_hs_prefix_is_ascii_digits(prefix):
    from django.core.exceptions import ValidationError

    from cuakhau.market.models import validate_hs_prefix

    with pytest.raises(ValidationError):
        validate_hs_prefix(prefix)
    validate_hs_prefix("0810")


@pytest.mark.parametrize("text", ["Sầu riêng\x1b[31m", "Thanh long\u202e", "nul\x00"])
def test_every_admin_text_is_cleaned_as_the_other_forms_are(admin_client, text):
    """A market rule's product name was saved with an escape sequence through the admin."""
    from cuakhau.slots.models import PriorityClass

    post = {"code": "sau-rieng", "name_vi": text, "name_en": "Durian", "name_zh": "榴莲", "rank": 1}
    page = admin_client.post("/admin/slots/priorityclass/add/", post)
    # Django's own check says a NUL first ("Null characters are not allowed").
    said = page.content.decode()
    assert page.status_code == 200 and ("control character" in said or "Null char" in said)
    assert not PriorityClass.objects.filter(code="sau-rieng").exists()
    saved = admin_client.post("/admin/slots/priorityclass/add/", {**post, "name_vi": "Sầu riêng"})
    assert saved.status_code == 302, saved.content.decode()[:2000]


BEYOND_64_BITS = 10**20


@pytest.mark.parametrize(
    "url",
    [
        f"/admin/slots/booking/?gate={BEYOND_64_BITS}",
        f"/admin/gate/device/?gate__id__exact={BEYOND_64_BITS}",
        f"/admin/fees/feeschedule/?gate={BEYOND_64_BITS}",
    ],
)
def test_an_id_no_row_can_have_finds_nothing_on_every_database(admin_client, mlt, url):
    """SQLite's driver cannot bind an integer past 64 bits: a foreign key's filter or a list
    of ids answered 500 there (200 on PostgreSQL)."""
    assert admin_client.get(url).status_code in (200, 302)


def test_out_of_range_keys_match_nothing_and_exclude_nothing(mlt):
    from cuakhau.reference.models import Gate
    from cuakhau.slots.models import SlotCapacity

    SlotCapacity.objects.create(
        gate=mlt, direction="export", weekday=0, hour=8, lanes=2, trucks_per_lane_hour=10
    )
    everyone = Gate.objects.count()
    assert not Gate.objects.filter(pk__in=[BEYOND_64_BITS, -BEYOND_64_BITS]).exists()
    assert list(Gate.objects.filter(pk__in=[BEYOND_64_BITS, mlt.pk])) == [mlt]
    assert Gate.objects.exclude(pk__in=[BEYOND_64_BITS]).count() == everyone
    assert not SlotCapacity.objects.filter(gate=BEYOND_64_BITS).exists()
    assert not SlotCapacity.objects.filter(gate__in=[str(BEYOND_64_BITS)]).exists()
    assert SlotCapacity.objects.exclude(gate=BEYOND_64_BITS).count() == 1
