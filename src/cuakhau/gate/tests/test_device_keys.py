"""A device's key is given again (leaked, or the tablet set up anew) without losing the device:
the old key is turned away at once, the new one works, and who gave it and when is kept."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.core.errors import FieldErrors
from cuakhau.gate import services
from cuakhau.gate.models import Device
from cuakhau.trips.services import TripPermissionDenied

pytestmark = pytest.mark.django_db

PLATE = {"plate": "25C12345"}


def sends(raw: str) -> int:
    camera = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return camera.post(
        "/api/v1/gate/mlt/plates", PLATE, content_type="application/json"
    ).status_code


@pytest.fixture
def administrator(db):
    return create_user("quantri_thietbi", PASSWORD, roles.ADMINISTRATOR)


def test_a_new_key_turns_the_old_one_away(mlt, lanes, administrator, operator):
    device, old = services.register_device(administrator, mlt, "plate_camera", "cam-L1", lane="L1")
    assert sends(old) == 200
    with pytest.raises(TripPermissionDenied):
        services.give_device_new_key(operator, device)
    device, new = services.give_device_new_key(administrator, device)
    assert new != old and new.startswith("ckd_")
    assert sends(old) == 401 and sends(new) == 200
    device.refresh_from_db()
    assert device.key_issued_by == administrator and device.key_issued_at is not None
    assert Device.objects.count() == 1 and device.plate_reads.count() == 2


def test_a_revoked_device_gets_no_key_and_its_name_is_free(mlt, lanes, administrator):
    device, _raw = services.register_device(administrator, mlt, "tablet", "Máy tính bảng L2")
    services.revoke_device(device)
    with pytest.raises(FieldErrors) as refused:
        services.give_device_new_key(administrator, device)
    assert "register a new one" in str(refused.value.errors["name"])
    replacement, raw = services.register_device(administrator, mlt, "tablet", "Máy tính bảng L2")
    assert (
        replacement.pk != device.pk
        and services.device_named(mlt, "Máy tính bảng L2") == replacement
    )
    assert services.device_errors(mlt, "tablet", "Máy tính bảng L2", None) == {
        "name": ["This gate already has a device with this name."]
    }


def test_the_command_rotates_the_device_in_service(mlt, lanes):
    out = StringIO()
    call_command("devices", "register", "mlt", "plate_camera", "cam-cmd", stdout=out)
    old = out.getvalue().strip()
    out = StringIO()
    call_command("devices", "rotate", "mlt", "cam-cmd", stdout=out, stderr=StringIO())
    new = out.getvalue().strip()
    assert new.startswith("ckd_") and sends(old) == 401 and sends(new) == 200
    call_command("devices", "revoke", "mlt", "cam-cmd", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("devices", "rotate", "mlt", "cam-cmd", stdout=StringIO())


def test_the_admin_gives_one_device_its_new_key_shown_once(mlt, lanes, administrator):
    device, old = services.register_device(administrator, mlt, "weighbridge", "can-L1")
    other, _raw = services.register_device(administrator, mlt, "tablet", "tab-L1")
    client = Client()
    client.force_login(administrator)
    url = "/admin/gate/device/"
    both = client.post(
        url, {"action": "give_new_key", "_selected_action": [device.pk, other.pk]}, follow=True
    )
    assert "Choose one device" in both.content.decode()
    answer = client.post(
        url, {"action": "give_new_key", "_selected_action": [device.pk]}, follow=True
    ).content.decode()
    device.refresh_from_db()
    assert "ckd_" in answer and device.hint in answer and old not in answer
