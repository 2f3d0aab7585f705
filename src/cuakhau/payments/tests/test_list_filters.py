"""The reconciliation page refuses what it cannot read: a gate or day beside its field (no
report), a page number beside that list's pages (none of its rows), HTTP 400
(``core.listing``)."""

import pytest

from .test_reconciliation import _shared_day, day_at_mlt  # noqa: F401  (the fixtures)

pytestmark = pytest.mark.django_db

URL = "/payments/reconciliation/"


@pytest.mark.parametrize(
    "query, field",
    [
        ({"gate": "zzz"}, "gate"),
        ({"gate": "mlt\x00"}, "gate"),
        ({"gate": "mlt", "day": "2025-02-30"}, "day"),
        ({"gate": "mlt", "day": "9999-12-31"}, "day"),
        ({"gate": "mlt", "day": "٢٠٢٥-٠١-٠١"}, "day"),
    ],
)
def test_an_unreadable_gate_or_day_is_refused_beside_its_field_with_no_report(
    day_at_mlt,  # noqa: F811
    auditor,
    client,
    query,
    field,
):
    client.force_login(auditor)
    response = client.get(URL, query)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'data-field="{field}"' in html
    assert response.context["report"] is None and 'id="summary"' not in html


@pytest.mark.parametrize("number", ["abc", "0", "٢", "9" * 40, "99"])
def test_a_page_that_is_none_of_a_list_is_refused_beside_its_pages(
    day_at_mlt,  # noqa: F811
    auditor,
    client,
    number,
):
    client.force_login(auditor)
    whole = client.get(URL, {"gate": "mlt"})
    assert whole.status_code == 200
    payments = whole.context["pages"]["payments"]["page"]
    assert len(payments) > 0
    response = client.get(URL, {"gate": "mlt", "ppage": number})
    assert response.status_code == 400
    pages = response.context["pages"]
    assert pages["payments"]["error"] and len(pages["payments"]["page"]) == 0
    html = response.content.decode()
    section = html.split('id="payments"', 1)[1].split("</details>", 1)[0]
    assert 'class="error list-refused"' in section
    assert not any(p.external_id and p.external_id in section for p in payments)
    # The other lists keep their pages.
    assert not pages["receipts"]["error"] and len(pages["receipts"]["page"]) > 0


@pytest.mark.parametrize("wanted", ["pdf", "CSV ", "xlsx\x00", "x" * 300])
def test_an_export_the_page_does_not_make_is_refused(
    day_at_mlt,  # noqa: F811
    auditor,
    client,
    wanted,
):
    client.force_login(auditor)
    response = client.get(URL, {"gate": "mlt", "format": wanted})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "There is no export as" in html and "choose CSV or XLSX" in html
    assert response.context["report"] is None and 'id="summary"' not in html
    exported = client.get(URL, {"gate": "mlt", "format": "csv"})
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
