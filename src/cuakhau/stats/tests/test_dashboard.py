"""The dashboard, its CSVs, the board's targets and rates, and the summary API, against the
figures computed by hand in ``test_services`` (March 2025 at Ma Lù Thàng: bananas 11,700 USD
and cassava 16,128 CNY = 2,240 USD out, steel 15,600 USD and 254,000,000 VND = 10,000 USD in;
April: cassava 2,240 USD out)."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user, set_language
from cuakhau.conftest import PASSWORD
from cuakhau.stats import dashboard
from cuakhau.stats.choices import Measure, TargetKind
from cuakhau.stats.models import (
    ExchangeRate,
    ExchangeRateChange,
    StaleMonth,
    Target,
    TargetChange,
    TradeMonth,
)
from cuakhau.stats.tests.shared import _shared_crossings, shared_three_crossings  # noqa: F401
from cuakhau.stats.tests.test_services import APRIL, MARCH

# Built once for the module; every test runs beside them (core.testing.shared).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_shared_crossings")]


def signed_in(user, language="en") -> Client:
    set_language(user, language)
    client = Client()
    client.force_login(user)
    return client


def test_the_gate_and_the_zone_show_the_hand_computed_figures(three_crossings, mlt, board):
    response = signed_in(board).get("/stats/mlt/?year=2025")
    assert response.status_code == 200
    board_figures = response.context["board"]
    months = {row["month"]: row for row in board_figures.tables["turnover"].rows}
    assert len(months) == 12
    assert (months[MARCH]["export_usd"], months[MARCH]["import_usd"]) == (13940, 25600)
    assert months[MARCH]["turnover_usd"] == Decimal("39540")
    assert months[APRIL]["export_usd"] == Decimal("2240")
    assert board_figures.headline["turnover_usd"] == Decimal("41780")
    page = response.content.decode()
    assert 'data-figure="turnover_usd">USD 41,780<' in page
    assert 'data-figure="trucks">3<' in page
    # Products by heading, with the reference HS names; partners by name; channels in words.
    products = board_figures.tables["products"].rows
    assert [(p["code"], p["total_usd"]) for p in products] == [
        ("7208", 25600), ("0803", 11700), ("0714", 4480),
    ]  # fmt: skip
    assert "Bananas" in str(products[1]["name"]) and "Bananas" in page
    assert [c["code"] for c in board_figures.tables["chapters"].rows] == ["72", "08", "07"]
    assert board_figures.tables["partners"].rows[0]["country_name"] == "China"
    assert "Green: release" in page or "Yellow: document check" in page
    # Clearance: March's two trucks took 95 and 30 minutes.
    clearance = {r["month"]: r for r in board_figures.tables["clearance"].rows}
    assert clearance[MARCH]["mean_minutes"] == Decimal("62.5")
    # The rate table: CNY carried forward from January, said so.
    assert "carried forward from Jan 2025" in page
    # Every chart: the server's SVG, its data for the interactive chart, a table and a CSV.
    for name in dashboard.CHARTS:
        assert f'id="chart-{name}"' in page
        assert f'href="/stats/mlt/{name}.csv?year=2025"' in page
    assert page.count('<svg class="chart"') == len(dashboard.CHARTS)
    assert 'src="/static/chartkick/Chart.bundle.js"' in page
    assert "<script>" not in page  # no inline script: charts.js reads the JSON

    zone = signed_in(board).get("/stats/?year=2025").context["board"]
    assert zone.headline["turnover_usd"] == Decimal("41780")


def test_the_page_speaks_vietnamese_numbers_and_chart_names(three_crossings, mlt, board):
    response = signed_in(board, "vi").get("/stats/mlt/?year=2025")
    page = response.content.decode()
    assert 'data-figure="turnover_usd">USD 41.780<' in page
    start = page.index('id="chart-data-turnover"')
    data = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    assert data["thousands"] == "." and data["decimal"] == ","
    assert [s["name"] for s in data["series"]][:2] == ["Xuất khẩu (USD)", "Nhập khẩu (USD)"]
    assert data["series"][0]["data"][2] == 13940.0
    assert data["labels"][2] == "03/2025"


@pytest.mark.parametrize("chart", dashboard.CHARTS)
def test_each_csv_holds_the_tables_figures(three_crossings, mlt, board, chart):
    client = signed_in(board)
    response = client.get(f"/stats/mlt/{chart}.csv?year=2025&days=year")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    table = client.get("/stats/mlt/?year=2025&days=year").context["board"].tables[chart]
    assert rows[0] == [str(c.label) for c in table.columns]
    assert rows[1:] == [
        [dashboard.csv_value(row.get(c.key), c.kind) for c in table.columns] for row in table.rows
    ]
    assert len(rows) > 1


def test_the_csv_figures_and_headings_by_hand(three_crossings, mlt, board):
    rows = list(
        csv.reader(
            io.StringIO(
                signed_in(board, "vi")
                .get("/stats/mlt/turnover.csv?year=2025")
                .content.decode("utf-8-sig")
            )
        )
    )
    assert rows[0][:3] == ["Tháng", "Xuất khẩu (USD)", "Nhập khẩu (USD)"]
    assert rows[3][:5] == ["2025-03", "13940", "25600", "0", "39540"]
    zone = signed_in(board).get("/stats/products.csv?year=2025").content.decode("utf-8-sig")
    assert zone.splitlines()[1].startswith("7208,")
    assert signed_in(board).get("/stats/mlt/nothing.csv").status_code == 404
    assert signed_in(board).get("/stats/mlt/turnover.csv?year=1800").status_code == 422


def test_a_bad_year_is_said_on_the_field(mlt, board):
    response = signed_in(board).get("/stats/mlt/?year=1800")
    assert response.status_code == 422
    assert response.context["form"].errors["year"]
    # No other year's figures drawn as if they were 1800's.
    assert response.context["board"] is None
    page = response.content.decode()
    assert 'id="no-figures"' in page and 'id="headline"' not in page
    assert signed_in(board).get("/stats/xyz/").status_code == 404


def test_targets_are_set_by_the_board_with_errors_on_their_fields(three_crossings, mlt, board):
    client = signed_in(board)
    good = {
        "gate": "mlt", "year": "2025", "measure": Measure.EXPORT_USD, "kind": TargetKind.GROWTH,
        "value": "5", "note": "Nghị quyết: +5 %/năm",
    }  # fmt: skip
    refused = client.post("/stats/targets/set/", {**good, "value": "5000"})
    assert refused.status_code == 422
    assert list(refused.context["form"].errors) == ["value"]
    assert 'data-field="value"' in refused.content.decode()
    refused = client.post("/stats/targets/set/", {**good, "measure": "", "year": "1990"})
    assert set(refused.context["form"].errors) == {"measure", "year"}
    refused = client.post("/stats/targets/set/", {**good, "kind": "absolute", "value": "0"})
    assert list(refused.context["form"].errors) == ["value"]
    half = {**good, "measure": Measure.TRUCKS, "kind": "absolute", "value": "0.5"}
    refused = client.post("/stats/targets/set/", half)
    assert refused.status_code == 422 and list(refused.context["form"].errors) == ["value"]
    assert not Target.objects.exists()

    assert client.post("/stats/targets/set/", good).status_code == 302
    assert client.post("/stats/targets/set/", {**good, "value": "6"}).status_code == 302
    target = Target.objects.get()  # replaced, not doubled
    assert (target.gate, target.value, target.set_by) == (mlt, 6, board)
    zone = client.post("/stats/targets/set/", {**good, "gate": "", "value": "7"})
    assert zone.status_code == 302 and Target.objects.filter(gate=None, value=7).exists()
    page = client.get("/stats/targets/?year=2025").content.decode()
    assert "The whole zone" in page and "Exports (USD)" in page

    # The dashboard of the year after reads the target against 2025 (year over: met or not).
    Target.objects.create(
        gate=mlt, year=2025, measure=Measure.TURNOVER_USD, kind=TargetKind.ABSOLUTE, value=40000
    )
    targets = {t.measure: t for t in client.get("/stats/mlt/?year=2025").context["board"].targets}
    assert targets["turnover_usd"].actual == Decimal("41780")
    assert targets["turnover_usd"].verdict_label == "Met"
    assert targets["export_usd"].verdict_label == "No figure for the previous year"


def test_each_target_set_or_changed_says_who_when_and_what_it_replaced(mlt, board):
    """A target moves every verdict of its year at once: the page keeps who set or changed it,
    when and the target it replaced, named in the reader's language (gate, measure, kind)."""
    client = signed_in(board)
    good = {
        "gate": "mlt", "year": "2025", "measure": Measure.EXPORT_USD, "kind": TargetKind.GROWTH,
        "value": "5", "note": "Nghị quyết: +5 %/năm",
    }  # fmt: skip
    assert client.post("/stats/targets/set/", good).status_code == 302
    changed = {**good, "kind": TargetKind.ABSOLUTE, "value": "250000", "note": "Kế hoạch mới"}
    assert client.post("/stats/targets/set/", changed).status_code == 302
    target = Target.objects.get()
    latest, first = TargetChange.objects.filter(target=target)
    assert (first.previous_kind, first.previous_value, first.previous_note) == ("", None, "")
    assert (first.kind, first.value, first.changed_by) == (TargetKind.GROWTH, 5, board)
    assert (latest.previous_kind, latest.previous_value, latest.previous_note) == (
        TargetKind.GROWTH,
        Decimal("5"),
        "Nghị quyết: +5 %/năm",
    )
    assert (latest.kind, latest.value, latest.note) == (TargetKind.ABSOLUTE, 250000, "Kế hoạch mới")
    assert latest.changed_by == board and latest.changed_at >= first.changed_at
    # Refused: nothing changed, nothing recorded.
    client.post("/stats/targets/set/", {**good, "value": "5000"})
    assert TargetChange.objects.count() == 2 and Target.objects.get().value == 250000

    for language, gate, measure, kind in (
        ("en", "Ma Lu Thang", "Exports (USD)", "Fixed amount"),
        ("vi", "Ma Lù Thàng", str(Measure.EXPORT_USD.label), str(TargetKind.ABSOLUTE.label)),
        ("zh-hans", "马鹿塘口岸", str(Measure.EXPORT_USD.label), str(TargetKind.ABSOLUTE.label)),
    ):
        page = signed_in(board, language).get("/stats/targets/?year=2025").content.decode()
        listed = page[page.index('id="target-changes"') :]
        listed = listed[: listed.index("</table>")]

        with translation.override(language):
            measure, kind = str(Measure.EXPORT_USD.label), str(TargetKind.ABSOLUTE.label)
            growth = str(TargetKind.GROWTH.label)
        assert gate in listed, (language, listed[:3000])
        assert measure in listed and kind in listed and growth in listed
        assert ">mlt<" not in listed.lower() and "absolute" not in listed
        assert "Kế hoạch mới" in listed
    # Another year lists its own changes only.
    page = signed_in(board).get("/stats/targets/?year=2024").content.decode()
    assert "No target set or changed here for this year yet." in page


def test_an_auditor_reads_but_may_not_set(three_crossings, mlt):
    auditor = create_user("kiemtoan", PASSWORD, roles.AUDITOR)
    client = signed_in(auditor)
    assert client.get("/stats/targets/").status_code == 200
    assert 'id="target-form"' not in client.get("/stats/targets/").content.decode()
    post = {"currency": "VND", "month": "2025-03", "units_per_usd": "25000", "source": "x"}
    assert client.post("/stats/rates/set/", post).status_code == 403
    assert not ExchangeRate.objects.filter(units_per_usd=25000).exists()


def test_a_corrected_rate_changes_the_dollars_at_once_without_a_recount(
    three_crossings, mlt, board
):
    client = signed_in(board)
    refused = client.post(
        "/stats/rates/set/",
        {"currency": "XYZ", "month": "2025-13", "units_per_usd": "0", "source": ""},
    )
    assert refused.status_code == 422
    assert set(refused.context["form"].errors) == {"currency", "month", "units_per_usd", "source"}
    before = list(TradeMonth.objects.order_by("pk").values_list("pk", "value"))
    response = client.post(
        "/stats/rates/set/",
        {"currency": "vnd", "month": "2025-03", "units_per_usd": "25000", "source": "NHNN"},
    )
    assert response.status_code == 302
    # 254,000,000 VND / 25,000 = 10,160 USD; steel's 15,600 USD unchanged.
    months = {
        r["month"]: r
        for r in client.get("/stats/mlt/?year=2025").context["board"].tables["turnover"].rows
    }
    assert months[MARCH]["import_usd"] == Decimal("25760")
    assert list(TradeMonth.objects.order_by("pk").values_list("pk", "value")) == before
    assert not StaleMonth.objects.exists()
    assert "NHNN" in client.get("/stats/rates/").content.decode()


def test_each_rate_set_or_corrected_says_who_when_and_what_it_replaced(board):
    """A correction changes every dollar figure of its month at once: the page keeps who made
    it, when, and the rate it replaced."""

    client = signed_in(board)
    shipped = ExchangeRate.objects.filter(currency="VND", month=dt.date(2025, 3, 1)).first()
    for rate, source in (("25000", "NHNN 03/2025"), ("25350", "NHNN, corrected")):
        response = client.post(
            "/stats/rates/set/",
            {"currency": "VND", "month": "2025-03", "units_per_usd": rate, "source": source},
        )
        assert response.status_code == 302, response.content
    rate = ExchangeRate.objects.get(currency="VND", month=dt.date(2025, 3, 1))
    assert rate.units_per_usd == Decimal("25350")
    corrected, first = ExchangeRateChange.objects.filter(rate=rate)
    assert first.previous_units_per_usd == (shipped.units_per_usd if shipped else None)
    assert first.units_per_usd == Decimal("25000")
    assert (corrected.previous_units_per_usd, corrected.previous_source) == (
        Decimal("25000"),
        "NHNN 03/2025",
    )
    assert corrected.units_per_usd == Decimal("25350") and corrected.changed_by == board
    page = client.get("/stats/rates/").content.decode()
    listed = page[page.index('id="rate-changes"') :]
    assert board.username in listed and "25,000" in listed and "25,350" in listed
    # Refused: nothing changed, nothing recorded.
    client.post(
        "/stats/rates/set/",
        {"currency": "VND", "month": "2025-03", "units_per_usd": "0", "source": "x"},
    )
    assert ExchangeRateChange.objects.count() == 2


def test_values_without_a_rate_are_counted_apart_and_said_so(three_crossings, mlt, board):
    ExchangeRate.objects.filter(currency="VND").delete()
    response = signed_in(board).get("/stats/mlt/?year=2025")
    board_figures = response.context["board"]
    assert board_figures.unconverted == {"VND": Decimal("254000000")}
    months = {r["month"]: r for r in board_figures.tables["turnover"].rows}
    assert months[MARCH]["import_usd"] == Decimal("15600")
    page = response.content.decode()
    assert 'id="unconverted"' in page and "254,000,000" in page


def test_the_summary_api(three_crossings, mlt, board):
    client = signed_in(board)
    response = client.get("/api/v1/stats/summary?gate=mlt&year=2025")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["gate"] == "mlt" and body["year"] == 2025
    march = next(m for m in body["turnover"] if m["month"] == "2025-03-01")
    assert Decimal(march["turnover_usd"]) == Decimal("39540")
    assert Decimal(body["headline"]["turnover_usd"]) == Decimal("41780")
    assert [p["code"] for p in body["products"]] == ["7208", "0803", "0714"]
    assert body["partners"][0]["country"] == "CN"
    assert sum(d["total_trucks"] for d in body["trucks_per_day"]) == 0  # Nov–Dec 2025: none
    assert {c["channel"] for c in body["channels"]} == {"green", "yellow", "red", "unknown"}
    assert any(r["carried"] for r in body["rates"])
    zone = client.get("/api/v1/stats/summary?year=2025").json()
    assert zone["gate"] is None and zone["headline"] == body["headline"]

    for query, field in (("year=1999", "year"), ("gate=xyz", "gate"), ("year=abc", "year")):
        refused = client.get(f"/api/v1/stats/summary?{query}")
        assert refused.status_code == 422, query
        assert [item["loc"] for item in refused.json()["detail"]] == [["query", field]]


def test_the_menu_leads_the_readers_to_the_dashboard(mlt, board):
    assert 'href="/stats/"' in signed_in(board).get("/trips/").content.decode()
    enterprise = create_user("dn_x", PASSWORD, roles.ENTERPRISE)
    assert 'href="/stats/"' not in signed_in(enterprise).get("/trips/").content.decode()
    assert signed_in(enterprise).get("/stats/").status_code == 403


def test_the_trucks_of_the_last_90_days_or_the_whole_year(three_crossings, mlt, board):
    built = dashboard.build(mlt, 2025, today=dt.date(2025, 4, 30))
    days = built.tables["trucks"].rows
    assert (days[0]["day"], days[-1]["day"], len(days)) == (
        dt.date(2025, 1, 31), dt.date(2025, 4, 30), 90,
    )  # fmt: skip
    assert sum(d["total"] for d in days) == 3
    assert len(built.tables["turnover"].rows) == 4  # January to the running April
    whole = dashboard.build(mlt, 2025, today=dt.date(2025, 4, 30), whole_year_of_trucks=True)
    assert whole.tables["trucks"].rows[0]["day"] == dt.date(2025, 1, 1)


def test_the_page_reads_the_summaries_as_they_are_and_says_what_is_being_counted(
    three_crossings, mlt, board
):
    from cuakhau.stats import services

    client = signed_in(board)
    assert 'id="pending"' not in client.get("/stats/mlt/?year=2025").content.decode()
    # An exit not yet counted: the page does not recount (the worker does), it says so.
    services.mark_stale(mlt.pk, dt.datetime(2025, 3, 28, 9, tzinfo=dt.UTC))
    page = client.get("/stats/mlt/?year=2025").content.decode()
    assert 'id="pending"' in page
    assert StaleMonth.objects.filter(gate=mlt, month=MARCH).exists()
    services.refresh_stale()
    assert 'id="pending"' not in client.get("/stats/mlt/?year=2025").content.decode()


def test_the_headline_growth_leaves_the_unfinished_month_out(mlt, monkeypatch):
    """Two days of December against the whole of last December is not a fall: the headline
    compares the months that are over (the table still shows December as it stands)."""
    from cuakhau.stats import services

    def months(gate, year, rates):
        rows = []
        for n in range(1, 13):
            now = Decimal(3 if n == 12 else 101)
            rows.append(
                {"month": dt.date(year, n, 1), "export": now, "import": Decimal(0),
                 "other": Decimal(0), "turnover": now, "last_year": Decimal(100),
                 "growth": services.growth(now, Decimal(100)), "missing_rates": []}
            )  # fmt: skip
        return rows

    monkeypatch.setattr(services, "turnover_by_month", months)
    board = dashboard.build(mlt, 2026, today=dt.date(2026, 12, 2))
    assert board.headline["growth_percent"] == Decimal("1.0")
    assert board.headline["turnover_usd"] == 11 * 101 + 3
    january = dashboard.build(mlt, 2026, today=dt.date(2026, 1, 20))
    assert january.headline["growth_percent"] is None


def test_a_month_without_clearance_times_is_a_gap_never_zero_minutes(three_crossings, mlt, hng):
    """Months from the board's spreadsheets count trucks but no clearance time: their mean is
    "no data" (a gap in the chart, a dash in the tables), never 0 minutes, and their trucks do
    not dilute the mean of the trucks that were timed. Totals (trucks, fees) stay counted."""
    from cuakhau.stats import reports
    from cuakhau.stats.choices import Source
    from cuakhau.stats.models import GateMonth

    january, february = dt.date(2025, 1, 1), dt.date(2025, 2, 1)
    GateMonth.objects.create(
        gate=mlt, month=january, direction="export", trucks=40, source=Source.IMPORTED
    )
    GateMonth.objects.create(
        gate=hng, month=MARCH, direction="import", trucks=100, source=Source.IMPORTED
    )
    today = dt.date(2025, 6, 2)
    gate_board = dashboard.build(mlt, 2025, today=today)
    clearance = {r["month"]: r for r in gate_board.tables["clearance"].rows}
    assert clearance[january]["trucks"] == 40
    assert clearance[january]["mean_minutes"] is None
    assert clearance[february]["mean_minutes"] is None
    assert clearance[MARCH]["mean_minutes"] == Decimal("62.5")
    mean = gate_board.tables["clearance"].chart_data()["series"][0]["data"]
    assert mean == [None, None, 62.5, 240.0, None, None]
    assert gate_board.headline["trucks"] == 43

    zone = dashboard.build(None, 2025, today=today)
    clearance = {r["month"]: r for r in zone.tables["clearance"].rows}
    assert clearance[MARCH]["trucks"] == 102
    assert clearance[MARCH]["mean_minutes"] == Decimal("62.5")  # not 125 min / 102 trucks

    report = reports.build(None, 2025, None, "en", "test", today=today)
    tables = {t.key: t for t in report.tables}
    traffic = {row[0]: row for row in tables["traffic"].rows}
    assert traffic[january][1:3] == [40, None]
    assert traffic[MARCH][1:3] == [102, Decimal("62.5")]
    # The three timed trucks: 95, 30 and 240 minutes.
    assert tables["traffic"].total[1:3] == [143, Decimal(365) / 3]
    assert tables["clearance"].rows[0][1] == Decimal(365) / 3


@pytest.mark.parametrize(
    ("language", "bananas", "steel"),
    [
        ("vi", "Chuối", "Các sản phẩm sắt"),
        # No Chinese HS nomenclature: a product's own Chinese name where the reference has
        # one, else the English name, marked as such in the table and the chart (never the
        # code alone); the mark takes room from the name beside the bar.
        ("zh-hans", "鲜香蕉", "Iron or"),
    ],
)
def test_the_products_charts_name_the_codes_in_the_readers_language(
    three_crossings, mlt, board, language, bananas, steel
):
    page = signed_in(board, language).get("/stats/mlt/?year=2025").content.decode()
    start = page.index('id="chart-data-products"')
    data = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    assert data["labels"][0].startswith("7208 " + steel)
    assert data["labels"][1].startswith("0803 " + bananas)
    assert all(len(label) <= 24 for label in data["labels"])
    table = page[page.index('data-table="products"') :]
    assert bananas in table[: table.index("</table>")]
    chart = page[page.index('id="chart-products"') :]
    chart = chart[: chart.index("</svg>")]
    assert f"<title>0803 {bananas}" in chart  # the whole name on hover, the code under the bar
    assert ">0803</text>" in chart
    if language == "zh-hans":
        assert "(英文原文)" in table[: table.index("</table>")]


@pytest.mark.parametrize("chart", ["products", "chapters"])
def test_a_chinese_readers_csv_says_an_english_hs_name_is_english(
    three_crossings, mlt, board, chart
):
    """The page marks an HS name with no Chinese one "(英文原文)"; its CSV wrote it bare."""
    client = signed_in(board, "zh-hans")
    response = client.get(f"/stats/mlt/{chart}.csv?year=2025")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    table = client.get("/stats/mlt/?year=2025").context["board"].tables[chart]
    at = [c.key for c in table.columns].index("name")
    names = [row[at] for row in rows[1:]]
    english = [name for name in names if name.isascii() or "(英文原文)" in name]
    assert english and all(name.endswith(" (英文原文)") for name in english), names
    assert "鲜香蕉" in names or chart == "chapters"  # a Chinese name stays bare


def test_a_long_label_is_shortened_at_a_word():
    assert dashboard.shortened("Chuối, kể cả chuối lá, tươi hoặc khô") == "Chuối, kể cả chuối…"
    assert dashboard.shortened("Các sản phẩm sắt hoặc thép") == "Các sản phẩm sắt…"
    assert dashboard.shortened("鲜香蕉") == "鲜香蕉"
    assert dashboard.shortened("木薯、甘薯等块根" * 3) == "木薯、甘薯等块根木…"


def test_a_rate_for_month_zero_or_year_zero_is_a_field_error(board):
    client = Client()
    client.force_login(board)
    for month in ("0000-01", "2026-13", "2026-00", "2026"):
        response = client.post(
            "/stats/rates/set/",
            {"currency": "CNY", "month": month, "units_per_usd": "7.12", "source": "NHNN"},
        )
        assert response.status_code == 422, month
        assert response.context["form"].errors["month"], month


def test_the_products_beyond_the_top_ones_are_one_line_so_the_table_adds_up(
    three_crossings, mlt, board, monkeypatch
):
    monkeypatch.setattr(dashboard, "TOP_PRODUCTS", 2)  # three headings in March: one left over
    response = signed_in(board).get("/stats/mlt/?year=2025")
    table = response.context["board"].tables["products"]
    assert [p["code"] for p in table.rows] == ["7208", "0803"]
    (others,) = table.footer
    assert others["name"] == "1 other HS heading" and others["total_usd"] == 4480
    # The chart draws the top ones only; the table and the CSV end with the others' line.
    assert len(table.chart_data()["labels"]) == 2
    assert 'class="others"' in response.content.decode()
    lines = list(csv.reader(io.StringIO(
        signed_in(board).get("/stats/mlt/products.csv?year=2025").content.decode("utf-8-sig")
    )))  # fmt: skip
    assert [line[0] for line in lines[1:]] == ["7208", "0803", "…"]
    total = lines[0].index("Total (USD)")
    assert sum(Decimal(line[total]) for line in lines[1:]) == 25600 + 11700 + 4480
    chapters = response.context["board"].tables["chapters"].footer
    assert chapters[0]["name"] == "1 other HS chapter"


def test_a_rate_far_from_the_nearest_month_is_checked_before_it_changes_the_dollars(board):
    ExchangeRate.objects.filter(currency="VND").delete()
    ExchangeRate.objects.create(
        currency="VND", month=dt.date(2026, 9, 1), units_per_usd=Decimal(26250), source="NHNN"
    )
    client = signed_in(board)
    slip = {"currency": "VND", "month": "2026-10", "units_per_usd": "0.0001", "source": "NHNN"}
    refused = client.post("/stats/rates/set/", slip)
    assert refused.status_code == 422
    (message,) = refused.context["form"].errors["units_per_usd"]
    assert "26,250" in message and "Sep 2026" in message, message
    assert not ExchangeRate.objects.filter(month=dt.date(2026, 10, 1)).exists()
    # An ordinary month's move is taken without a word; a real jump once confirmed.
    usual = {**slip, "units_per_usd": "26400"}
    assert client.post("/stats/rates/set/", usual).status_code == 302
    assert client.post("/stats/rates/set/", {**slip, "unusual_confirmed": "on"}).status_code == 302
    assert ExchangeRate.objects.get(month=dt.date(2026, 10, 1)).units_per_usd == Decimal("0.0001")


def test_every_total_is_the_sum_of_the_dollars_shown_beside_it(mlt, board):
    """Dollars are shown whole: a total rounded apart from its parts read 101 + 201 = 301
    (exports, imports, turnover) on the page, its CSV and the API. The total is the exact
    301.20 rounded, and the parts share it by the largest remainder (``stats.rounding``): the
    sum of the parts rounded apart (302) was a dollar off the exact total."""
    from cuakhau.stats.choices import Source

    may = dt.date(2024, 5, 1)
    for direction, value in (("export", "100.60"), ("import", "200.60")):
        TradeMonth.objects.create(
            gate=mlt, month=may, direction=direction, hs_heading="0810", partner="CN",
            currency="USD", value=Decimal(value), net_weight_kg=Decimal(1), lines=1,
            source=Source.IMPORTED,
        )  # fmt: skip
    figures = dashboard.build(mlt, 2024, today=dt.date(2025, 2, 1))
    month = next(r for r in figures.tables["turnover"].rows if r["month"] == may)
    assert (month["export_usd"], month["import_usd"], month["turnover_usd"]) == (101, 200, 301)
    assert figures.headline["turnover_usd"] == 301
    for name in ("products", "chapters", "partners"):
        (row,) = figures.tables[name].rows
        assert (row["export_usd"], row["import_usd"], row["total_usd"]) == (101, 200, 301)
    body = signed_in(board).get("/api/v1/stats/summary?gate=mlt&year=2024").json()
    assert body["headline"]["turnover_usd"] == "301"
    assert body["partners"][0]["total_usd"] == "301"


def test_the_lines_of_products_and_partners_add_up_to_the_headline(mlt, board):
    """Each line of a top ten (with its others' line) or of the partners was rounded on its own:
    three headings of 100.50, 200.50 and 300.50 dollars read 101 + 201 + 301 = 603 beside a
    turnover of 602. The lines are the year's whole and now add up to it, as the months do."""
    from cuakhau.stats.choices import Source

    may = dt.date(2024, 5, 1)
    for heading, direction, partner, value in (
        ("4001", "export", "CN", "100.50"),
        ("0902", "import", "TH", "200.50"),
        ("3105", "import", "NZ", "300.50"),
    ):
        TradeMonth.objects.create(
            gate=mlt, month=may, direction=direction, hs_heading=heading, partner=partner,
            currency="USD", value=Decimal(value), net_weight_kg=Decimal(1), lines=1,
            source=Source.IMPORTED,
        )  # fmt: skip
    figures = dashboard.build(mlt, 2024, today=dt.date(2025, 2, 1))
    assert figures.headline["turnover_usd"] == 602
    for name in ("products", "chapters", "partners"):
        table = figures.tables[name]
        lines = [*table.rows, *table.footer]
        assert sum(line["total_usd"] for line in lines) == 602, name
        # Exports and imports share each line's total (``rounding.shown_grid``: a part's column
        # may end a dollar from the headline's part when the lines' totals leave it no room).
        for key in ("export_usd", "import_usd"):
            assert abs(sum(line[key] for line in lines) - figures.headline[key]) <= 1, name
        for line in lines:
            assert line["export_usd"] + line["import_usd"] == line["total_usd"], name
    body = signed_in(board).get("/api/v1/stats/summary?gate=mlt&year=2024").json()
    assert sum(Decimal(p["total_usd"]) for p in body["partners"]) == 602
    assert sum(Decimal(p["total_usd"]) for p in body["products"]) == 602


def test_the_coming_year_whose_targets_may_be_set_shows_no_figure_and_no_error(mlt, board):
    """The year form takes the coming year (its targets are set ahead), and its dashboard, its
    turnover CSV and the summary API answered 500: the turnover table had no month to round."""
    from cuakhau.stats.services import local_today

    coming = local_today().year + 1
    Target.objects.create(
        gate=mlt, year=coming, measure=Measure.TRUCKS, kind=TargetKind.ABSOLUTE, value=1000
    )
    client = signed_in(board)
    page = client.get(f"/stats/mlt/?year={coming}")
    assert page.status_code == 200
    figures = page.context["board"]
    assert figures.months == [] and figures.tables["turnover"].rows == []
    assert figures.headline["turnover_usd"] == 0
    assert [t.measure for t in figures.targets] == [Measure.TRUCKS]
    csv_file = client.get(f"/stats/mlt/turnover.csv?year={coming}")
    assert csv_file.status_code == 200
    assert len(csv_file.content.decode("utf-8-sig").splitlines()) == 1  # the headings alone
    body = client.get(f"/api/v1/stats/summary?gate=mlt&year={coming}")
    assert body.status_code == 200, body.content
    assert body.json()["turnover"] == [] and body.json()["headline"]["turnover_usd"] == "0"


def test_the_running_month_has_no_growth(mlt):
    """Its first days against the whole month a year before are no growth (-100 % here)."""
    figures = dashboard.build(mlt, 2026, today=dt.date(2026, 3, 5))
    march = figures.tables["turnover"].rows[-1]
    assert march["month"] == dt.date(2026, 3, 1) and march["last_year_usd"] == 39540
    assert march["growth_percent"] is None
