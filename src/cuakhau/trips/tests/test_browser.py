"""A trip declared on a phone-sized screen in real Chromium, found by a customs officer."""

import pytest
from django.utils import timezone

from cuakhau.conftest import PASSWORD, future
from cuakhau.core.testing.browser import log_in
from cuakhau.trips.models import Trip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_line(
    page, index, *, hs, description, quantity, unit, gross, net, value, packages, containers
):
    prefix = f"#id_lines-{index}-"
    page.fill(f"{prefix}hs_code", hs)
    page.fill(f"{prefix}description", description)
    page.fill(f"{prefix}quantity", quantity)
    page.select_option(f"{prefix}unit", unit)
    page.fill(f"{prefix}gross_weight_kg", gross)
    page.fill(f"{prefix}net_weight_kg", net)
    page.fill(f"{prefix}value", value)
    page.fill(f"{prefix}packages", packages)
    page.fill(f"{prefix}container_numbers", containers)


def test_declare_on_a_phone_fix_a_container_submit_and_customs_sees_it(
    browser,
    live_server,
    enterprise,
    customs_mlt,
    mlt,  # noqa: F811
):
    page = browser.new_page()
    log_in(page, live_server, enterprise.username, PASSWORD)
    page.goto(f"{live_server.url}/trips/new/")

    page.select_option("#id_gate", "mlt")
    page.select_option("#id_direction", "export")
    arrival = timezone.localtime(future(30)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_expected_arrival", arrival)
    page.fill("#id_tractor_plate", "25C-123.45")
    page.fill("#id_trailer_plate", "25R-012.34")
    page.select_option("#id_vehicle_type", "truck")
    page.fill("#id_capacity_tonnes", "30")
    page.fill("#id_driver_name", "Lò Văn Páo")
    page.select_option("#id_driver_nationality", "VN")
    page.fill("#id_driver_document_number", "012345678901")
    page.fill("#id_driver_phone", "+84 912 345 678")

    # HS search-as-you-type fills the datalist through htmx.
    page.fill("#id_lines-0-hs_code", "banana")
    page.wait_for_selector("#hs-options-0 option[value='080390']", state="attached")
    fill_line(
        page,
        0,
        hs="080390",
        description="Chuối tươi Cavendish",
        quantity="1500",
        unit="CT",
        gross="20400",
        net="19500",
        value="11700",
        packages="1500",
        containers="CSQU3054383",
    )

    # A second cargo line without a page reload.
    page.click("#add-line")
    page.wait_for_selector("#id_lines-1-hs_code")
    assert page.input_value("#id_lines-TOTAL_FORMS") == "2"
    fill_line(
        page,
        1,
        hs="071410",
        description="Sắn lát khô",
        quantity="8",
        unit="TNE",
        gross="8100",
        net="8000",
        value="2240",
        packages="160",
        containers="TGHU1234560",
    )
    page.click("button[name=action][value=submit]")

    error = page.locator('[data-field="lines-1-container_numbers"]')
    error.wait_for()
    assert "ISO 6346" in error.inner_text() or "6346" in error.inner_text()
    assert Trip.objects.count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the form must fit a phone screen without sideways scrolling"

    from stdnum import iso6346

    fixed = "TGHU123456" + iso6346.calc_check_digit("TGHU123456")
    page.fill("#id_lines-1-container_numbers", fixed)
    page.click("button[name=action][value=submit]")
    page.wait_for_selector("#trip-status")
    trip = Trip.objects.get()
    assert trip.status == "submitted"
    assert trip.cargo_lines.count() == 2
    assert page.locator(".trip-summary .qr svg").count() == 1

    officer = browser.new_page()
    browser.clear_cookies()
    log_in(officer, live_server, customs_mlt.username, PASSWORD)
    officer.goto(f"{live_server.url}/trips/?status=submitted&gate=mlt")
    officer.wait_for_selector(f"text={trip.reference}")
    officer.click(f"text={trip.reference}")
    officer.wait_for_selector("#trip-status")
    assert "Lò Văn Páo" in officer.content()


def fill_vehicle(page, *, vehicle="truck", trailer="25R-012.34", size=""):
    page.select_option("#id_gate", "mlt")
    page.select_option("#id_direction", "export")
    arrival = timezone.localtime(future(30)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_expected_arrival", arrival)
    page.fill("#id_tractor_plate", "25C-123.45")
    page.fill("#id_trailer_plate", trailer)
    page.select_option("#id_vehicle_type", vehicle)
    page.fill("#id_capacity_tonnes", "30")
    page.select_option("#id_container_size", size)
    page.fill("#id_driver_name", "Lò Văn Páo")
    page.select_option("#id_driver_nationality", "VN")
    page.fill("#id_driver_document_number", "012345678901")
    page.fill("#id_driver_phone", "+84 912 345 678")


def test_the_form_marks_what_submitting_needs_helps_and_starts_at_the_first_error(
    browser, live_server, enterprise, mlt
):
    from cuakhau.core.testing.layout import axe_violations, horizontal_overflow, small_targets

    page = browser.new_page()
    log_in(page, live_server, enterprise.username, PASSWORD)
    page.goto(f"{live_server.url}/trips/new/")
    assert axe_violations(page) == []
    assert horizontal_overflow(page) == 0
    assert small_targets(page) == []
    # Marked for the eye and announced to a screen reader.
    for field in ("gate", "expected_arrival", "tractor_plate", "driver_name", "lines-0-hs_code"):
        assert page.get_attribute(f"#id_{field}", "aria-required") == "true", field
        assert page.locator(f"label[for=id_{field}] .req").count() == 1, field
    assert page.locator("label[for=id_trailer_plate] .req").count() == 0
    # The rules that are not obvious are said where they apply, tied to their field.
    assert "UTC+07:00" in page.inner_text("#id_expected_arrival_helptext")
    assert page.get_attribute("#id_expected_arrival", "aria-describedby") == (
        "id_expected_arrival_helptext"
    )
    assert "FOB" in page.inner_text("#id_lines-0-value_helptext")
    # The browser asks for Vietnamese (the default language).
    assert "kiểm dịch thực vật" in page.inner_text("#documents-help")
    # VND, CNY and USD first, every other currency in its own group.
    groups = page.eval_on_selector_all(
        "#id_lines-0-currency optgroup",
        "gs => gs.map(g => [...g.querySelectorAll('option')].map(o => o.value))",
    )
    assert groups[0] == ["VND", "CNY", "USD"]
    assert "EUR" in groups[1] and "THB" in groups[1]

    # A submission with the plates given but no driver: focus lands on the first error.
    page.fill("#id_tractor_plate", "25C-123.45")
    page.click("button[name=action][value=submit]")
    page.wait_for_selector(".has-error")
    focused = page.evaluate("document.activeElement.id")
    first = page.eval_on_selector('[aria-invalid="true"]', "el => el.id")
    assert focused == first == "id_gate"
    described = page.get_attribute("#id_gate", "aria-describedby")
    assert "id_gate_error" in described.split()
    assert page.inner_text("#id_gate_error").strip()
    assert Trip.objects.count() == 0


def test_a_tractor_trailer_with_a_mixed_container_load_declared_on_a_phone(
    browser, live_server, enterprise, mlt
):
    from cuakhau.core.testing.layout import axe_violations, horizontal_overflow

    page = browser.new_page()
    log_in(page, live_server, enterprise.username, PASSWORD)
    page.goto(f"{live_server.url}/trips/new/")
    fill_vehicle(page, vehicle="tractor_trailer", size="40")
    common = dict(unit="CT", value="5000", phyto="VN-BVTV-2025-118734")
    for index, (hs, description, gross, net) in enumerate(
        [
            ("080390", "Chuối tươi Cavendish", "9400", "9000"),
            ("081090", "Thanh long ruột đỏ", "8300", "8000"),
        ]
    ):
        if index:
            page.click("#add-line")
            page.wait_for_selector(f"#id_lines-{index}-hs_code")
        fill_line(
            page,
            index,
            hs=hs,
            description=description,
            quantity="600",
            unit=common["unit"],
            gross=gross,
            net=net,
            value=common["value"],
            packages="600",
            # One 40-foot box holds both lines, however it is typed.
            containers=("CSQU3054383", "csqu305438-3")[index],
        )
        page.fill(f"#id_lines-{index}-phytosanitary_certificate", common["phyto"])
    page.click("button[name=action][value=submit]")
    page.wait_for_selector("#trip-status, .has-error, .errors")
    assert page.locator(".has-error, .errors").all_inner_texts() == []
    trip = Trip.objects.get()
    assert trip.status == "submitted"
    assert (trip.vehicle_type, trip.trailer_plate, trip.container_size) == (
        "tractor_trailer",
        "25R-012.34",
        "40",
    )
    assert [c.number for c in trip.containers.all()] == ["CSQU3054383"]
    assert [[c.number for c in line.containers.all()] for line in trip.cargo_lines.all()] == [
        ["CSQU3054383"],
        ["CSQU3054383"],
    ]

    # The trip page on the phone: its QR fills its box, at least 200 px wide.
    qr = page.locator(".trip-summary .qr svg").bounding_box()
    assert qr["width"] >= 200 and abs(qr["width"] - qr["height"]) < 1
    assert page.get_attribute(".trip-summary .qr svg", "viewBox")
    assert horizontal_overflow(page) == 0
    assert axe_violations(page) == []
