"""Every gate has its Chinese name: in the shipped file, after a reload, and on a Chinese page."""

import csv

import pytest
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.reference.models import Gate
from cuakhau.reference.services import load_reference_data
from cuakhau.reference.validators import DATA_DIR

# The names added on 2026-12-03 (data/SOURCES.md says where each comes from).
ADDED = {
    "cnm": "谷南口岸",
    "ddr": "同登国际火车站",
    "bnn": "平宜口岸",
    "hmo": "横模口岸",
    "bps": "北风生口岸",
    "sgg": "朔江口岸",
    "ppo": "坡标口岸",
    "lvn": "里万口岸",
    "xmn": "箐门口岸",
    "lcr": "老街国际火车站",
    "bvc": "巴刹口岸",
    "mkg": "芒康口岸",
    "umt": "乌马图孔口岸",
    "apc": "阿巴寨口岸",
}


def shipped() -> list[dict]:
    with open(DATA_DIR / "gates.csv", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_every_shipped_gate_has_a_chinese_name_in_the_files_pattern():
    rows = shipped()
    assert {row["code"]: row["vn_name_zh"] for row in rows if row["code"] in ADDED} == ADDED
    for row in rows:
        name = row["vn_name_zh"]
        assert name, row["code"]
        # Chinese characters only: no Latin name slipped into the Chinese column.
        assert not any(c.isascii() and c.isalpha() for c in name), row["code"]
        railway = row["vn_name_vi"].startswith("Ga ")
        assert name.endswith("国际火车站" if railway else ("口岸", "口岸（越方）")), row["code"]


@pytest.mark.django_db
def test_loading_again_updates_the_gates_already_loaded(reference_data):
    # An installation loaded before the names were added: the Chinese names were empty.
    Gate.objects.filter(code__in=ADDED).update(name_zh="")
    load_reference_data()
    assert dict(Gate.objects.filter(code__in=ADDED).values_list("code", "name_zh")) == ADDED
    assert not Gate.objects.filter(name_zh="").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, shown, hidden",
    [
        ("zh-hans", ["同登国际火车站", "谷南口岸", "阿巴寨口岸"], ["Dong Dang international"]),
        ("vi", ["Ga đường sắt liên vận quốc tế Đồng Đăng", "Cốc Nam"], ["同登国际火车站"]),
        ("en", ["Dong Dang international railway station", "Coc Nam"], ["同登国际火车站"]),
    ],
)
def test_a_page_listing_every_gate_names_them_in_the_readers_language(
    reference_data, language, shown, hidden
):
    # The statistics' reports page offers every gate of the file, in the reader's language.
    board = create_user("bql_tenlanguages", PASSWORD, roles.BOARD)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=board.username, password=PASSWORD)
    response = client.get("/stats/reports/")
    assert response.status_code == 200
    page = response.content.decode()
    for name in shown:
        assert name in page
    for name in hidden:
        assert name not in page
    assert "英文原文" not in page
