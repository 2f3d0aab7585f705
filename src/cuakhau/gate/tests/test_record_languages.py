"""What the gate records for people (a refusal, a receipt's use) is read in each reader's language,
whatever the language of the operator whose scan wrote it."""

import datetime as dt
import importlib
import uuid

import pytest
from django.conf import settings
from django.utils import timezone, translation

from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import bananas_suspended_at_hng, clear, paid
from cuakhau.payments.reconciliation import EXIT_REFUSED, daily_report
from cuakhau.receipts.models import ReceiptUse
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db

INSIDE = {"vi": "Trong cửa khẩu từ", "en": "Inside since", "zh-hans": "起在场内"}
SIGNATURE_OK = {
    "vi": "chữ ký khớp với khóa đã công bố của cơ quan quản lý cửa khẩu",
    "en": "the signature matches the gate authority's published key",
    "zh-hans": "签名与口岸管理机构已公布的密钥相符",
}


def read(language, what):
    with translation.override(language):
        return what()


def test_a_refused_exit_is_read_in_each_readers_language(enterprise, operator, mlt, lanes):
    trip = paid(enterprise)
    with translation.override("vi"):  # a Vietnamese operator at the booth
        gate.check_in(operator, mlt, trip.reference)
        with pytest.raises(gate.GateRefused):
            gate.exit_truck(operator, mlt, trip.reference)  # inspections still outstanding
    use = ReceiptUse.objects.get()
    for language, words in INSIDE.items():
        shown = read(language, lambda: use.detail_shown)
        assert shown.startswith(f"{trip.reference}: ") and words in shown, (language, shown)
        assert not shown.is_fallback
        # The reconciliation (its page and its exports read these rows) as well.
        report = read(language, lambda: daily_report(mlt, timezone.localdate()))
        refused = [d for d in report.open_discrepancies if d.kind == EXIT_REFUSED]
        assert words in refused[0].reason, (language, refused[0].reason)
        assert words in report.crossings[0].detail
    # The English of an auditor has no Vietnamese in it, the Chinese none either.
    assert "Trong" not in read("en", lambda: use.detail_shown)
    assert "Inside" not in read("zh-hans", lambda: use.detail_shown)


def test_a_receipts_use_at_exit_is_read_in_each_readers_language(
    enterprise, operator, officers, mlt, lanes
):
    trip = paid(enterprise)
    with translation.override("zh-hans"):
        gate.check_in(operator, mlt, trip.reference)
        clear(trip, officers)
        gate.exit_truck(operator, mlt, trip.reference)
    use = ReceiptUse.objects.get()
    assert use.outcome == "used"
    for language, sentence in SIGNATURE_OK.items():
        assert read(language, lambda: use.detail_shown) == sentence
    # The column itself holds the platform's language, for a reader of the bare table.
    assert use.detail == SIGNATURE_OK[settings.LANGUAGE_CODE.lower()]


def test_a_turned_back_trucks_use_is_read_in_each_language(enterprise, operator, officers, mlt):
    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference)
    trips.reject_trip(officers["customs"], trip, "Hàng cấm trong thùng xe")
    with translation.override("en"):
        gate.turn_back(operator, mlt, trip.reference)
    use = ReceiptUse.objects.get()
    assert read("vi", lambda: use.detail_shown) != read("en", lambda: use.detail_shown)
    assert "turned back" in read("en", lambda: use.detail_shown)
    assert "turned back" not in read("zh-hans", lambda: use.detail_shown)


def test_a_refused_device_event_is_read_again_in_the_readers_language(
    enterprise, operator, mlt, lanes
):
    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference)
    event = _event(trip, kind="exit")
    with translation.override("vi"):
        stored, _duplicate = gate.apply_event(operator, mlt, event)
    assert not stored.accepted
    for language, words in INSIDE.items():
        problems = read(language, lambda: gate.problems_shown(stored.problems))
        assert [p["code"] for p in problems] == ["inside"]
        assert words in problems[0]["message"], (language, problems)
    # An event stored before keeps its message, as stored.
    old = [{"code": "inside", "message": "Trong cửa khẩu từ 04/12/2026 10:00."}]
    assert read("en", lambda: gate.problems_shown(old)) == old


def test_a_use_recorded_before_still_shows_as_stored(enterprise, mlt):
    use = ReceiptUse(gate=mlt, at=timezone.now(), outcome="refused", detail="Xe chưa vào bãi.")
    shown = read("en", lambda: use.detail_shown)
    assert str(shown) == "Xe chưa vào bãi." and shown.is_fallback and shown.lang == "vi"


def test_the_migration_reads_old_details_back(mlt):
    migration = importlib.import_module("cuakhau.receipts.migrations.0010_use_detail_read_back")
    fixed = {}
    for message in migration.FIXED:
        texts = migration._in_each(message)
        fixed.update(dict.fromkeys(texts.values(), texts))
    gates = {mlt.name_vi: {"vi": mlt.name_vi, "en": mlt.name_en, "zh": mlt.name_zh}}
    patterns = migration._used_at_patterns()
    back = migration.read_back(SIGNATURE_OK["vi"], fixed, patterns, gates)
    assert back == {
        "vi": SIGNATURE_OK["vi"],
        "en": SIGNATURE_OK["en"],
        "zh": SIGNATURE_OK["zh-hans"],
    }
    used = (
        "biên lai này đã được sử dụng; đã sử dụng khi ra cửa khẩu "
        f"{mlt.name_vi} lúc 2026-12-04 11:08"
    )
    back = migration.read_back(used, fixed, patterns, gates)
    assert back["en"] == (
        f"this receipt has already been used; used at exit at {mlt.name_en} on 2026-12-04 11:08"
    )
    assert mlt.name_zh in back["zh"] and "2026-12-04 11:08" in back["zh"]
    # A refusal naming a trip is not read back: it stays as stored.
    assert migration.read_back("HNG-2026-0001: Xe chưa vào bãi.", fixed, patterns, gates) is None


def _event(trip, **extra):
    return {
        "client_id": str(uuid.uuid4()),
        "device_id": "tablet-booth-2",
        "kind": "check_in",
        "occurred_at": (timezone.now() - dt.timedelta(minutes=3)).isoformat(),
        "scan": trip.reference,
        **extra,
    }


NO_LANE = {"vi": "không có làn Z9", "en": "No lane Z9 at this gate.", "zh-hans": "Z9"}


def test_a_device_events_form_errors_are_read_in_each_language(enterprise, operator, mlt, lanes):
    trip = paid(enterprise)
    with translation.override("vi"):  # the tablet's operator reads Vietnamese
        stored, _duplicate = gate.apply_event(
            operator, mlt, _event(trip, lane="Z9", gross_kg="100", tare_kg="90")
        )
    assert not stored.accepted
    for language, words in NO_LANE.items():
        problems = {
            p["code"]: p["message"]
            for p in read(language, lambda: gate.problems_shown(stored.problems))
        }
        assert words in problems["lane"], (language, problems)
        # A weight out of range, said as each language says it, the number grouped its way.
        said = read(language, lambda: str(gate.weight_out_of_range("gross_kg")))
        assert problems["gross_kg"] == said, (language, problems)
    assert "làn" not in read("en", lambda: gate.problems_shown(stored.problems))[0]["message"]
    assert "lane" not in read("zh-hans", lambda: gate.problems_shown(stored.problems))[0]["message"]


def test_a_device_event_refused_by_the_market_rules_is_read_in_each_language(
    enterprise, operator, hng
):
    # Bananas and cassava to China through Hữu Nghị, China's bananas then suspended.
    trip = bananas_suspended_at_hng(
        enterprise, operator, hng, "Cảnh báo dịch hại: ruồi đục quả trên chuối"
    )
    with translation.override("vi"):
        stored, _duplicate = gate.apply_event(operator, hng, _event(trip))
    assert [p["code"] for p in stored.problems] == ["market_access"]
    words = {"vi": "tạm ngừng", "en": "is suspended", "zh-hans": "暂停"}
    for language, word in words.items():
        message = read(language, lambda: gate.problems_shown(stored.problems))[0]["message"]
        assert word in message and "080390" in message, (language, message)


def test_reasons_are_separated_as_chinese_separates_clauses():
    from cuakhau.core.wording import join_clauses

    assert read("zh-hans", lambda: join_clauses(["甲", "乙"])) == "甲；乙"
    assert read("vi", lambda: join_clauses(["a", "b"])) == "a; b"
    assert read("en", lambda: join_clauses(["a", "b"])) == "a; b"


def _state_moved_meanwhile(monkeypatch, status):
    # The trip's state moved after the gate's checks read it: ``trips._transition`` refuses.
    real = gate.trips.gate_transition

    def gate_transition(trip, action, *args, **kwargs):
        trip.status = status
        return real(trip, action, *args, **kwargs)

    monkeypatch.setattr(gate.trips, "gate_transition", gate_transition)


def test_a_device_event_the_trips_state_refuses_is_read_in_each_language(
    enterprise, operator, mlt, lanes, monkeypatch
):
    # It escaped as a 409 of the whole batch, said in the language of the moment only.
    trip = paid(enterprise)
    _state_moved_meanwhile(monkeypatch, "cancelled")
    with translation.override("vi"):
        stored, _duplicate = gate.apply_event(operator, mlt, _event(trip))
    assert not stored.accepted and stored.trip == trip
    assert [p["code"] for p in stored.problems] == ["not_allowed"]
    for language in INSIDE:
        message = read(language, lambda: gate.problems_shown(stored.problems))[0]["message"]
        verb = read(language, lambda: trips.TRIP_MACHINE.say("verb", "check_in"))
        state = read(language, lambda: trips.TRIP_MACHINE.say("state", "cancelled"))
        assert f"“{verb}”" in message and f"“{state}”" in message, (language, message)
    assert "Check in" not in read("vi", lambda: gate.problems_shown(stored.problems))[0]["message"]
    trip.refresh_from_db()
    assert trip.status == "paid"


def test_a_device_event_the_trips_permissions_refuse_is_read_in_each_language(
    enterprise, operator, mlt, lanes, monkeypatch
):
    # "You may not check_in this trip.": the action's code, in the sender's language only.
    trip = paid(enterprise)
    monkeypatch.setattr(trips, "_may_take", lambda *args: False)
    with translation.override("vi"):
        stored, _duplicate = gate.apply_event(operator, mlt, _event(trip))
    assert [p["code"] for p in stored.problems] == ["forbidden"]
    words = {"vi": "không có quyền", "en": "You may not take the step", "zh-hans": "您无权"}
    for language, word in words.items():
        message = read(language, lambda: gate.problems_shown(stored.problems))[0]["message"]
        verb = read(language, lambda: trips.TRIP_MACHINE.say("verb", "check_in"))
        assert word in message and f"“{verb}”" in message, (language, message)
        assert "check_in" not in message
