"""A driver reads the trips they drive (declared with the phone on their profile), not every trip
of their company; the company's staff read all of them."""

import pytest
from django.core.exceptions import ValidationError

from cuakhau.accounts import roles
from cuakhau.conftest import cassava_line, declaration, person
from cuakhau.trips import services
from cuakhau.trips.tests.clients import api, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_drivers_trips(enterprise, mlt):
    # The declaration's driver is Lò Văn Páo, +84 912 345 678; the other trip another driver's.
    lines = [cassava_line(container_numbers=[])]
    his = services.save_and_submit(
        enterprise, None, declaration(tractor_plate="25C-111.11", cargo_lines=lines)
    )
    other = services.save_and_submit(
        enterprise,
        None,
        declaration(
            tractor_plate="25C-222.22",
            driver_name="Vàng A Chứ",
            driver_phone="0987 654 321",
            cargo_lines=lines,
        ),
    )
    return his, other


def test_a_driver_reads_only_the_trips_they_drive(two_drivers_trips, org_phong_tho):
    his, other = two_drivers_trips
    # Typed as people type it; kept as the trip keeps its driver's phone.
    driver = person("laixe_pao", roles.DRIVER, organisation=org_phong_tho, phone="0912.345.678")
    assert driver.profile.phone == "+84912345678"
    client = signed_in(driver)
    listed = client.get("/trips/").content.decode()
    assert his.reference in listed and other.reference not in listed
    assert client.get(f"/trips/{his.reference}/").status_code == 200
    assert client.get(f"/trips/{other.reference}/").status_code == 404
    token = api(driver)
    items = token.get("/api/v1/trips").json()["items"]
    assert [t["reference"] for t in items] == [his.reference]
    assert token.get(f"/api/v1/trips/{his.reference}").status_code == 200
    assert token.get(f"/api/v1/trips/{other.reference}").status_code == 404
    assert token.get(f"/api/v1/trips/{other.reference}/fees").status_code == 404


def test_the_companys_staff_read_every_trip_and_a_driver_without_a_phone_none(
    two_drivers_trips, enterprise, org_phong_tho, other_enterprise
):
    references = {t.reference for t in two_drivers_trips}
    shown = api(enterprise).get("/api/v1/trips").json()["items"]
    assert {t["reference"] for t in shown} == references
    unlinked = person("laixe_moi", roles.DRIVER, organisation=org_phong_tho)
    assert api(unlinked).get("/api/v1/trips").json()["items"] == []
    listed = signed_in(unlinked).get("/trips/").content.decode()
    assert not any(ref in listed for ref in references)
    # Another company's driver with the same phone reads none of this company's trips.
    elsewhere = person(
        "siji_li", roles.DRIVER, organisation=other_enterprise.profile.organisation,
        phone="+84912345678",
    )  # fmt: skip
    assert api(elsewhere).get("/api/v1/trips").json()["items"] == []


def test_a_drivers_phone_is_kept_as_a_trip_keeps_it(org_phong_tho):
    driver = person("laixe_pao", roles.DRIVER, organisation=org_phong_tho)
    profile = driver.profile
    profile.phone = "+84 912 345 678"
    profile.full_clean()
    assert profile.phone == "+84912345678"
    profile.phone = "12345"
    with pytest.raises(ValidationError) as refused:
        profile.full_clean()
    assert "phone" in refused.value.message_dict
