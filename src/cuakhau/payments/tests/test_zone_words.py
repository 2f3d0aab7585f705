"""The reconciliation page named its time zone by its code, "时间为口岸当地时间
(Asia/Ho_Chi_Minh)", where the trip form says "越南（UTC+07:00）": the same words now."""

import io

import openpyxl
import pytest
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user, set_language
from cuakhau.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def board_reading(language: str) -> Client:
    board = create_user("bql_doisoat", PASSWORD, roles.BOARD)
    set_language(board, language)
    client = Client()
    client.force_login(board)
    return client


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh-hans", "时间为口岸当地时间：越南（UTC+07:00）"),
        ("vi", "Thời gian theo giờ địa phương của cửa khẩu: Việt Nam (UTC+07:00)"),
        ("en", "Times are local to the gate: Vietnam (UTC+07:00)"),
    ],
)
def test_the_reconciliation_names_its_zone_in_words(mlt, language, said):
    page = (
        board_reading(language).get("/payments/reconciliation/", {"gate": "mlt"}).content.decode()
    )
    assert said in page
    assert "Asia/Ho_Chi_Minh" not in page


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh-hans", "越南（UTC+07:00）"),
        ("vi", "Việt Nam (UTC+07:00)"),
        ("en", "Vietnam (UTC+07:00)"),
    ],
)
def test_its_csv_and_workbook_name_the_zone_in_words_too(mlt, language, said):
    client = board_reading(language)
    csv_text = client.get("/payments/reconciliation/", {"gate": "mlt", "format": "csv"})
    assert said in csv_text.content.decode("utf-8")
    assert "Asia/Ho_Chi_Minh" not in csv_text.content.decode("utf-8")
    answer = client.get("/payments/reconciliation/", {"gate": "mlt", "format": "xlsx"})
    cells = [
        cell.value
        for sheet in openpyxl.load_workbook(io.BytesIO(answer.content)).worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]
    assert said in cells
    assert "Asia/Ho_Chi_Minh" not in cells
