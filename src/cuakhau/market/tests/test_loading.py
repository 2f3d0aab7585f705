"""Loading China's fruit access list and designated sites into rules: counts, reloads, history."""

import csv
import shutil

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError

from cuakhau.market import loading, services
from cuakhau.market.choices import Requirement
from cuakhau.market.models import MarketAccessRule
from cuakhau.reference.validators import DATA_DIR as REFERENCE_DATA_DIR

pytestmark = pytest.mark.django_db

FRESH_FRUIT_GATES = {"hng", "tth", "cnm", "mci", "tlg", "trl", "lci", "kth"}


def active(**filters):
    return MarketAccessRule.objects.filter(is_active=True, **filters)


def test_the_loader_counts_the_rules_the_data_defines(market_rules):
    # 20 HS codes in the access list (coconut and macadamia have two each) and 8 fresh-fruit
    # headings plus the passion-fruit widening of 081090.
    assert market_rules == 29
    assert active().count() == 29
    counts = {r: active(requirement=r).count() for r in Requirement.values}
    assert counts == {
        "allowed": 0,
        "phytosanitary": 10,
        "veterinary": 0,
        "designated_gates_only": 9,
        "not_permitted": 10,
        "suspended": 0,
    }


def test_reloading_changes_nothing(market_rules):
    before = list(MarketAccessRule.objects.order_by("pk").values_list("pk", "is_active"))
    assert services.load_market_rules() == market_rules
    after = list(MarketAccessRule.objects.order_by("pk").values_list("pk", "is_active"))
    assert after == before


def test_loaded_rules_keep_their_source_and_confidence(market_rules):
    banana = active(hs_prefix="080390").get()
    assert banana.requirement == Requirement.PHYTOSANITARY
    assert banana.destination == "CN" and banana.direction == "export"
    assert banana.origin_country == "VN" and banana.gate is None
    assert "Protocol MARD–GACC on phytosanitary requirements for fresh bananas" in (
        banana.legal_basis
    )
    assert banana.source.startswith("reference/data/cn-fruit-access.csv")
    assert banana.confidence == "published" and banana.declared_by == "GACC"
    assert banana.created_by is None
    pomelo = active(hs_prefix="080540").get()
    assert pomelo.requirement == Requirement.NOT_PERMITTED
    assert "protocol on pomelo and avocado" in pomelo.legal_basis
    durian = active(hs_prefix="081060").get()
    assert str(durian.starts_on) == "2022-07-11"


def test_a_shared_hs_code_keeps_the_most_permissive_requirement(market_rules):
    [rule] = active(hs_prefix="081090", requirement=Requirement.PHYTOSANITARY)
    assert not active(hs_prefix="081090", requirement=Requirement.NOT_PERMITTED).exists()
    assert "Dragon fruit" in rule.product_name_en and "Passion fruit" in rule.product_name_en
    assert "Custard apple" in rule.note and "Wax apple" in rule.note
    assert "Custard apple" not in rule.product_name_en


def test_lai_chau_requests_are_pending_at_ma_lu_thang_only(market_rules):
    cassava = active(hs_prefix="071410").get()
    assert cassava.requirement == Requirement.NOT_PERMITTED
    assert cassava.gate.code == "mlt"
    # Cardamom is also in the national queue: not permitted anywhere.
    assert active(hs_prefix="090831").get().gate is None


def test_fresh_fruit_may_leave_only_through_gates_facing_designated_sites(market_rules):
    headings = active(requirement=Requirement.DESIGNATED_GATES_ONLY).values_list(
        "hs_prefix", flat=True
    )
    assert sorted(headings) == ["0803", "0804", "0805", "0806", "0807", "0808", "0809", "0810"] + [
        "081090"
    ]
    bananas = active(hs_prefix="0803").get()
    assert bananas.direction == "any" and bananas.destination == "CN"
    assert {g.code for g in bananas.designated_gates.all()} == FRESH_FRUIT_GATES
    assert "Jinshuihe" in bananas.note
    # Passion fruit may use every Guangxi crossing, and 081090 cannot tell it from dragon fruit.
    widened = {g.code for g in active(hs_prefix="081090", requirement="designated_gates_only")
               .get().designated_gates.all()}  # fmt: skip
    assert FRESH_FRUIT_GATES | {"cma", "bnn", "hmo", "sgg"} <= widened
    assert "mlt" not in widened and "tty" not in widened


def _copy_reference(tmp_path, monkeypatch, edit):
    for name in (loading.ACCESS_FILE, loading.SITES_FILE):
        shutil.copy(REFERENCE_DATA_DIR / name, tmp_path / name)
    path = tmp_path / loading.ACCESS_FILE
    with open(path, encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    rows = edit(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setattr(loading, "REFERENCE_DATA_DIR", tmp_path)


def test_changed_data_makes_a_new_version_and_keeps_the_old(market_rules, tmp_path, monkeypatch):
    old = active(hs_prefix="080540").get()

    def pomelo_opens(rows):
        for row in rows:
            if row["hs_code"] == "080540":
                row.update(status="allowed", protocol_or_basis="Protocol on pomelo (test)")
        return rows

    _copy_reference(tmp_path, monkeypatch, pomelo_opens)
    assert services.load_market_rules() == market_rules
    new = active(hs_prefix="080540").get()
    assert new.requirement == Requirement.PHYTOSANITARY and new.supersedes == old
    old.refresh_from_db()
    assert not old.is_active and old.deactivated_at is not None
    assert old.requirement == Requirement.NOT_PERMITTED  # history is never rewritten
    assert active().count() == 29


def test_a_row_dropped_from_the_data_is_deactivated(market_rules, tmp_path, monkeypatch):
    _copy_reference(
        tmp_path, monkeypatch, lambda rows: [r for r in rows if r["hs_code"] != "080430"]
    )
    assert services.load_market_rules() == market_rules - 1
    assert not active(hs_prefix="080430").exists()
    assert MarketAccessRule.objects.filter(hs_prefix="080430", is_active=False).exists()


def test_reloading_never_undoes_a_persons_decision(market_rules, quarantine_officer):
    quarantine_officer.user_permissions.add(
        Permission.objects.get(codename="change_marketaccessrule")
    )
    officer = type(quarantine_officer).objects.get(pk=quarantine_officer.pk)
    rule = active(hs_prefix="080440").get()
    revised = services.revise_rule(rule, actor=officer, note="Protocol signed; awaiting GACC list.")
    services.load_market_rules()
    assert active(hs_prefix="080440").get() == revised
    assert revised.supersedes == rule and revised.created_by == officer


def test_a_stored_rule_cannot_be_edited_in_place(market_rules):
    rule = active(hs_prefix="080390").get()
    rule.requirement = Requirement.ALLOWED
    with pytest.raises(ValidationError):
        rule.save()


# The statements of a load, pinned: one rule at a time took some 150 (market.loading).
STATEMENTS_TO_LOAD = 8
STATEMENTS_TO_RELOAD_UNCHANGED = 6


def test_a_load_takes_the_same_few_statements_whatever_the_number_of_rules(
    reference_data, django_assert_num_queries
):
    from cuakhau.market import editions

    with django_assert_num_queries(STATEMENTS_TO_LOAD):
        assert services.load_market_rules() == 29
    stamp = editions.current_stamp()
    with django_assert_num_queries(STATEMENTS_TO_RELOAD_UNCHANGED):
        services.load_market_rules()
    # Nothing changed: the processes' compiled rules stay good.
    assert editions.current_stamp() == stamp
