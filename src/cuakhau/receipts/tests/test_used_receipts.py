"""The receipts used at exit, as the offline bundle carries them: runs of consecutive numbers."""

import json
from datetime import UTC, datetime

import pytest

from cuakhau.receipts import offline
from cuakhau.receipts.offline import BundleError, UsedReceipts


def numbers(prefix: str, *sequences: int) -> list[str]:
    return [f"{prefix}-{sequence:06d}" for sequence in sequences]


def test_numbers_become_runs_and_read_back_the_same():
    used = UsedReceipts.of_numbers(
        numbers("HNG-2026", 5, 1, 2, 3, 4, 7, 1_000_000)
        + numbers("MLT-2026", 10)
        + ["handwritten 12", "HNG-2026-000003"]
    )
    assert used.runs() == {
        "HNG-2026": [[1, 5], [7, 7], [1_000_000, 1_000_000]],
        "MLT-2026": [[10, 10]],
    }
    assert used.others() == ["handwritten 12"]
    assert len(used) == 9 == len(list(used))
    assert set(used) == set(numbers("HNG-2026", 1, 2, 3, 4, 5, 7, 1_000_000)) | {
        "MLT-2026-000010",
        "handwritten 12",
    }
    assert UsedReceipts(used.runs(), used.others()) == used


@pytest.mark.parametrize(
    ("number", "used"),
    [
        ("HNG-2026-000001", True),
        ("HNG-2026-000005", True),
        ("HNG-2026-000006", False),  # the gap between two runs
        ("HNG-2026-000007", True),
        ("HNG-2026-000008", False),
        ("HNG-2026-000000", False),
        ("HNG-2026-1000000", True),
        ("HNG-2025-000003", False),  # another year
        ("KTH-2026-000003", False),  # another gate
        ("HNG-2026-3", False),  # not as issued: a forger's spelling of a used number
        ("HNG-2026-0000003", False),
        ("HNG-2026-００００03", False),  # fullwidth digits
        ("HNG-2026-٠٠٠٠٠٣", False),  # Arabic-Indic digits
        ("HNG-2026-00000\x003", False),
        ("-000003", False),
        ("", False),
        ("handwritten 12", True),
        (3, False),
        (None, False),
    ],
)
def test_a_number_is_used_exactly_when_a_run_or_the_others_hold_it(number, used):
    runs = UsedReceipts.of_numbers(
        numbers("HNG-2026", 1, 2, 3, 4, 5, 7, 1_000_000) + ["handwritten 12"]
    )
    assert (number in runs) is used


def test_overlapping_and_touching_runs_are_merged():
    used = UsedReceipts({"HNG-2026": [[10, 20], [1, 4], [5, 9], [15, 30], [40, 40]]})
    assert used.runs() == {"HNG-2026": [[1, 30], [40, 40]]}
    assert "HNG-2026-000030" in used and "HNG-2026-000031" not in used


def test_a_busy_gates_used_receipts_stay_small(tmp_path, store_keys):
    # A year at Hữu Nghị: about 1,000 trucks a day, a few never leaving (366 runs).
    sequences = [n for n in range(1, 365_001) if n % 997 != 0]
    path = tmp_path / "bundle.json"
    offline.write_bundle(
        path,
        store_keys,
        [],
        [],
        datetime(2026, 12, 1, tzinfo=UTC),
        used_receipts=numbers("HNG-2026", *sequences),
    )
    assert path.stat().st_size < 25_000  # as a list of every number: 7 MB
    bundle = offline.load_bundle(path)
    assert len(bundle.used_receipts) == len(sequences)
    assert "HNG-2026-000996" in bundle.used_receipts
    assert "HNG-2026-000997" not in bundle.used_receipts


@pytest.fixture
def store_keys(tmp_path):
    from cuakhau.receipts.signing import KeyStore

    store = KeyStore(tmp_path / "keys")
    store.generate()
    return store.jwks()


def bundle_file(tmp_path, keys, **fields) -> str:
    path = tmp_path / "bundle.json"
    data = {
        "format": offline.BUNDLE_FORMAT,
        "version": 3,
        "generated_at": "2026-12-01T00:00:00Z",
        "jwks": keys,
        "revoked_kids": [],
        "revoked_receipts": [],
        "used_receipt_runs": {},
        "used_receipts": [],
    }
    path.write_text(json.dumps({**data, **fields}))
    return path


def test_a_version_2_bundle_with_its_list_of_numbers_is_still_read(tmp_path, store_keys):
    path = bundle_file(
        tmp_path,
        store_keys,
        version=2,
        used_receipts=numbers("MLT-2026", 1, 2, 4),
        used_receipt_runs=None,
    )
    used = offline.load_bundle(path).used_receipts
    assert used.runs() == {"MLT-2026": [[1, 2], [4, 4]]}
    assert "MLT-2026-000003" not in used


@pytest.mark.parametrize(
    "runs",
    [
        [[1, 2]],  # not keyed by gate and year
        "HNG-2026",
        {"HNG-2026": [[2, 1]]},  # going down
        {"HNG-2026": [[-1, 3]]},
        {"HNG-2026": [[1, 2, 3]]},
        {"HNG-2026": [[1]]},
        {"HNG-2026": [[True, 3]]},
        {"HNG-2026": [[1.5, 3]]},
        {"HNG-2026": [["1", "3"]]},
        {"HNG-2026": ["13"]},
        {"HNG-2026": 13},
        {"HNG-2026": [None]},
        {"": [[1, 3]]},
    ],
)
def test_a_bundle_with_runs_that_make_no_sense_is_refused(tmp_path, store_keys, runs):
    path = bundle_file(tmp_path, store_keys, used_receipt_runs=runs)
    with pytest.raises(BundleError, match="not a valid bundle"):
        offline.load_bundle(path)
