"""Checking declarations: designated gates, certificates, pending products, suspensions."""

import datetime as dt

import pytest
from django.utils import translation

from cuakhau.conftest import declaration, steel_line
from cuakhau.market import services
from cuakhau.market.choices import Requirement
from cuakhau.market.models import MarketAccessRule
from cuakhau.trips import services as trips
from cuakhau.trips.models import CargoLine, Trip

from .conftest import line, trip

pytestmark = pytest.mark.django_db


def blocking(findings):
    return [(f.path, f.requirement) for f in findings if f.blocking]


def rule(hs_prefix, requirement="designated_gates_only"):
    return MarketAccessRule.objects.get(
        is_active=True, hs_prefix=hs_prefix, requirement=requirement
    )


def test_bananas_via_ma_lu_thang_are_refused_naming_the_rule(market_rules, mlt):
    findings = services.check_declaration(trip(mlt), [line("080390")])
    [finding] = [f for f in findings if f.blocking]
    designated = rule("0803")
    assert finding.path == "gate"
    assert finding.requirement == Requirement.DESIGNATED_GATES_ONLY
    assert finding.rule_id == designated.pk
    assert f"(rule {designated.pk})" in finding.message
    assert "Bananas, fresh (0803) bound for China may only cross at designated gates" in (
        finding.message
    )
    assert "Huu Nghi" in finding.message and "Mong Cai" in finding.message
    assert "Ma Lu Thang is not one" in finding.message
    assert "Basis: GACC list of designated supervision sites for imported fruit" in finding.message


def test_bananas_via_huu_nghi_need_a_phytosanitary_certificate(market_rules, hng):
    with_certificate = services.check_declaration(trip(hng), [line("080390")])
    assert blocking(with_certificate) == []
    # The officer still sees which rules applied.
    assert {(f.path, f.requirement) for f in with_certificate} == {
        ("cargo_lines.0.phytosanitary_certificate", "phytosanitary"),
        ("gate", "designated_gates_only"),
    }
    without = services.check_declaration(trip(hng), [line("080390", certificate="  ")])
    assert blocking(without) == [("cargo_lines.0.phytosanitary_certificate", "phytosanitary")]
    [finding] = [f for f in without if f.blocking]
    assert finding.rule_id == rule("080390", "phytosanitary").pk
    assert "needs a phytosanitary certificate for each consignment" in finding.message
    assert "Protocol MARD–GACC on phytosanitary requirements for fresh bananas" in finding.message


def test_a_pending_product_is_not_permitted(market_rules, hng):
    findings = services.check_declaration(trip(hng), [line("080390"), line("080540")])
    assert blocking(findings) == [("cargo_lines.1.hs_code", "not_permitted")]
    [finding] = [f for f in findings if f.blocking]
    assert finding.message.startswith(
        "Pomelo (grapefruit) (080540) has no market access to China yet"
    )


def test_dragon_fruit_is_not_blocked_by_products_pending_under_its_code(market_rules, hng):
    assert blocking(services.check_declaration(trip(hng), [line("081090")])) == []


def test_a_gate_specific_request_blocks_only_at_that_gate(market_rules, mlt, hng):
    at_mlt = services.check_declaration(trip(mlt), [line("071410")])
    assert blocking(at_mlt) == [("cargo_lines.0.hs_code", "not_permitted")]
    assert "through Ma Lu Thang" in at_mlt[0].message
    assert "marked uncertain" in at_mlt[0].message
    assert services.check_declaration(trip(hng), [line("071410")]) == []


def test_imports_are_not_affected_by_chinas_rules(market_rules, mlt):
    findings = services.check_declaration(
        trip(mlt, "import"), [line("080390", certificate=""), line("080540", origin="CN")]
    )
    assert findings == []


def test_an_empty_return_has_nothing_to_check(market_rules, mlt):
    assert services.check_declaration(trip(mlt, "empty_return"), []) == []


def test_re_exported_fruit_must_still_use_a_designated_gate(market_rules, mlt, hng):
    thai_longan = line("081090", certificate="", origin="TH")
    at_hng = services.check_declaration(trip(hng, "tntx"), [thai_longan])
    # China's list for Vietnamese fruit says nothing about Thai longan: only the gate is checked.
    assert [(f.path, f.blocking) for f in at_hng] == [("gate", False)]
    assert blocking(services.check_declaration(trip(mlt, "transit"), [thai_longan])) == [
        ("gate", "designated_gates_only")
    ]


def test_two_lines_at_the_wrong_gate_are_one_gate_finding(market_rules, mlt):
    findings = services.check_declaration(trip(mlt), [line("080390"), line("080390")])
    assert [f.path for f in findings if f.path == "gate"] == ["gate"]


def test_lines_without_an_hs_code_are_left_to_the_declarations_validation(market_rules, mlt):
    assert services.check_declaration(trip(mlt), [line(""), line("banana")]) == []


def test_a_rule_applies_only_from_its_start(market_rules, hng):
    coconut = [line("080119", certificate="")]
    before = services.check_declaration(trip(hng), coconut, on=dt.date(2024, 8, 18))
    assert before == []
    after = services.check_declaration(trip(hng), coconut, on=dt.date(2024, 8, 19))
    assert blocking(after) == [("cargo_lines.0.phytosanitary_certificate", "phytosanitary")]


def test_suspension_blocks_only_between_its_dates(market_rules, hng, quarantine_officer):
    suspension = services.suspend(
        "081090",
        direction="export",
        destination="CN",
        gate=hng,
        starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2026, 12, 31),
        legal_basis="GACC alert 2026/118 (Bactrocera dorsalis found in dragon fruit)",
        declared_by="GACC",
        actor=quarantine_officer,
    )
    goods = [line("081090")]
    for day, blocked in [
        (dt.date(2026, 11, 30), False),
        (dt.date(2026, 12, 1), True),
        (dt.date(2026, 12, 31), True),  # the end date is inclusive
        (dt.date(2027, 1, 1), False),
    ]:
        findings = services.check_declaration(trip(hng, day=day), goods)
        assert (("cargo_lines.0.hs_code", "suspended") in blocking(findings)) is blocked, day
    findings = services.check_declaration(trip(hng, day=dt.date(2026, 12, 5)), goods)
    [finding] = [f for f in findings if f.blocking]
    assert finding.rule_id == suspension.pk
    assert "through Huu Nghi is suspended from" in finding.message
    assert "GACC alert 2026/118" in finding.message


def test_a_suspension_of_a_heading_is_not_overridden_by_a_subheading_rule(
    market_rules, hng, quarantine_officer
):
    day = dt.date.today() + dt.timedelta(days=10)
    services.suspend(
        "0810",
        direction="any",
        destination="CN",
        starts_on=day,
        legal_basis="Outbreak alert (test)",
        declared_by="GACC",
        actor=quarantine_officer,
    )
    findings = services.check_declaration(trip(hng, day=day), [line("081090")])
    assert blocking(findings) == [("cargo_lines.0.hs_code", "suspended")]
    assert "until further notice" in findings[0].message


def test_the_most_specific_rule_wins(market_rules, mlt, hng):
    chapter = MarketAccessRule.objects.create(
        hs_prefix="08",
        direction="export",
        destination="CN",
        requirement=Requirement.NOT_PERMITTED,
        legal_basis="test",
        declared_by="test",
    )
    at_hng = services.check_declaration(trip(hng), [line("080390"), line("080820")])
    # Bananas have their own subheading rule; apples only the chapter rule.
    assert blocking(at_hng) == [("cargo_lines.1.hs_code", "not_permitted")]
    assert [f.rule_id for f in at_hng if f.blocking] == [chapter.pk]
    # A gate-specific rule outranks an all-gates rule on the same prefix.
    MarketAccessRule.objects.create(
        hs_prefix="080390",
        direction="export",
        destination="CN",
        gate=mlt,
        requirement=Requirement.ALLOWED,
        legal_basis="test",
        declared_by="test",
    )
    at_mlt = services.check_declaration(trip(mlt), [line("080390", certificate="")])
    assert ("cargo_lines.0.phytosanitary_certificate", "phytosanitary") not in blocking(at_mlt)


def test_a_veterinary_rule_asks_for_the_certificate_number(market_rules, mlt):
    MarketAccessRule.objects.create(
        hs_prefix="0207",
        direction="import",
        destination="VN",
        requirement=Requirement.VETERINARY,
        legal_basis="Circular 25/2016/TT-BNNPTNT (test)",
        declared_by="Department of Animal Health",
        product_name_en="Poultry meat",
    )
    findings = services.check_declaration(
        trip(mlt, "import"), [line("020714", certificate="", origin="CN")]
    )
    assert blocking(findings) == [("cargo_lines.0.phytosanitary_certificate", "veterinary")]
    assert "needs a veterinary certificate: enter its number in the certificate field" in (
        findings[0].message
    )


def test_unsaved_trips_and_cargo_lines_can_be_checked(market_rules, mlt):
    draft = Trip(gate=mlt, direction="export", expected_arrival=trip(mlt).expected_arrival)
    lines = [CargoLine(hs_code="0803.90", phytosanitary_certificate="X", origin_country="VN")]
    assert blocking(services.check_declaration(draft, lines)) == [("gate", "designated_gates_only")]
    # No gate chosen yet: the designated gates are named, nothing is refused.
    no_gate = services.check_declaration(Trip(direction="export"), lines)
    assert [(f.path, f.blocking) for f in no_gate] == [
        ("cargo_lines.0.phytosanitary_certificate", False),
        ("gate", False),
    ]
    assert "may only cross at designated gates (Huu Nghi" in no_gate[1].message


def test_check_trip_at_the_gate_where_the_truck_is(market_rules, enterprise, hng, mlt):
    saved = trips.create_draft(enterprise, declaration(gate="hng"))
    assert blocking(services.check_trip(saved)) == []
    at_mlt = services.check_trip(saved, at_gate=mlt)
    assert ("gate", "designated_gates_only") in blocking(at_mlt)
    assert ("cargo_lines.1.hs_code", "not_permitted") in blocking(at_mlt)  # cassava at MLT


def test_the_default_declaration_at_ma_lu_thang_is_refused(market_rules, enterprise, mlt):
    saved = trips.create_draft(enterprise, declaration())
    assert blocking(services.check_trip(saved)) == [
        ("gate", "designated_gates_only"),
        ("cargo_lines.1.hs_code", "not_permitted"),
    ]
    assert services.errors_of(services.check_trip(saved)).keys() == {
        "gate",
        "cargo_lines.1.hs_code",
    }


def test_requires_quarantine(market_rules, enterprise, hng):
    fruit = trips.create_draft(enterprise, declaration(gate="hng"))
    assert services.requires_quarantine(fruit)
    steel = steel_line()
    machinery = trips.create_draft(
        enterprise, declaration(gate="hng", direction="import", cargo_lines=[steel])
    )
    assert not services.requires_quarantine(machinery)
    # Prepared foods (chapter 20) reach quarantine only when a rule asks for a certificate.
    jam = dict(steel, hs_code="200799", description="Mứt quả", origin_country="VN")
    jam_trip = trips.create_draft(enterprise, declaration(gate="hng", cargo_lines=[jam]))
    assert not services.requires_quarantine(jam_trip)
    MarketAccessRule.objects.create(
        hs_prefix="2007",
        direction="export",
        destination="CN",
        requirement=Requirement.PHYTOSANITARY,
        legal_basis="test",
        declared_by="test",
    )
    assert services.requires_quarantine(jam_trip)


def test_findings_speak_the_users_language(market_rules, mlt):
    with translation.override("vi"):
        [finding] = [
            f for f in services.check_declaration(trip(mlt), [line("080390")]) if f.blocking
        ]
    assert "chỉ được qua các cửa khẩu được chỉ định" in finding.message
    assert "Ma Lù Thàng không thuộc danh sách này" in finding.message


def test_a_basis_written_in_one_language_is_marked_on_a_page_in_another(market_rules, mlt):
    designated = rule("0803")
    assert designated.text_language == "en"
    for language, marker in (("vi", "bản gốc tiếng Anh"), ("zh-hans", "英文原文")):
        with translation.override(language):
            [finding] = [
                f for f in services.check_declaration(trip(mlt), [line("080390")]) if f.blocking
            ]
        assert f"{designated.legal_basis} ({marker})" in finding.message
    [finding] = [f for f in services.check_declaration(trip(mlt), [line("080390")]) if f.blocking]
    assert "original" not in finding.message  # English on an English page: as written
