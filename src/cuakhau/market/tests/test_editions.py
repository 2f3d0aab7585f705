"""The active rules a process keeps in memory change with every rule change (``editions``)."""

import datetime as dt

import pytest

from cuakhau.market import editions, services

pytestmark = pytest.mark.django_db


def suspended_bananas(on):
    lines = [type("Line", (), {"hs_code": "080390", "origin_country": "VN"})()]
    trip = type("Trip", (), {"gate": None, "direction": "export", "expected_arrival": None})()
    return [f for f in services.check_declaration(trip, lines, on=on) if f.blocking]


def test_a_suspension_and_its_end_are_seen_at_the_next_check(market_rules, quarantine_officer):
    day = dt.date(2026, 12, 2)
    before = suspended_bananas(day)  # compiled and kept for this edition
    stamp = editions.current_stamp()
    rule = services.suspend(
        "0803",
        direction="export",
        destination="CN",
        starts_on=dt.date(2026, 12, 1),
        legal_basis="GACC alert 2026/118",
        declared_by="GACC",
        actor=quarantine_officer,
    )
    assert editions.current_stamp() != stamp
    during = suspended_bananas(day)
    assert rule.pk in {f.rule_id for f in during} and rule.pk not in {f.rule_id for f in before}
    stamp = editions.current_stamp()
    # Taken out of force by an update() (no signal): the edition still changes.
    services.deactivate_rule(rule, actor=None)
    assert editions.current_stamp() != stamp
    assert rule.pk not in {f.rule_id for f in suspended_bananas(day)}
