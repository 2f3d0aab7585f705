"""The statistics' part of the access-policy matrix (``core/tests/test_policy.py``, also
rendered in every language by ``core/tests/test_languages.py``): a zone target and a gate
target for this year, exchange rates (one an example), so every table of the pages shows."""

import datetime as dt
from decimal import Decimal

from cuakhau.reference.models import Gate
from cuakhau.stats.choices import Measure, TargetKind
from cuakhau.stats.models import ExchangeRate, Target
from cuakhau.stats.services import local_today

READ_ALL = {"board", "auditor", "admin"}
KEEPERS = {"board", "admin"}


def stats_world(w) -> None:
    if "stats_year" in w:
        return
    year = local_today().year
    Target.objects.create(
        gate=None, year=year, measure=Measure.EXPORT_USD, kind=TargetKind.GROWTH, value=5,
        note="Nghị quyết tỉnh: xuất khẩu tăng 5 %/năm",
    )  # fmt: skip
    Target.objects.create(
        gate=Gate.objects.get(code="mlt"), year=year, measure=Measure.TRUCKS, kind=TargetKind.ABSOLUTE,
        value=Decimal(12000),
    )  # fmt: skip
    ExchangeRate.objects.create(
        currency="CNY", month=dt.date(year, 1, 1), units_per_usd=Decimal("7.1"),
        source="Ngân hàng Nhà nước", is_example=True,
    )  # fmt: skip
    ExchangeRate.objects.create(
        currency="VND", month=dt.date(year, 1, 1), units_per_usd=Decimal("25400"),
        source="Ngân hàng Nhà nước",
    )  # fmt: skip
    w["stats_year"] = year


def stats_api_cases(w) -> dict:
    stats_world(w)
    return {
        "GET /stats/summary": (
            "get",
            f"/stats/summary?gate=mlt&year={w['stats_year']}",
            None,
            READ_ALL,
        ),
    }


def stats_view_cases(w) -> dict:
    stats_world(w)
    year = w["stats_year"]
    target = {
        "gate": "mlt", "year": year, "measure": "import_usd", "kind": "growth", "value": "5",
        "note": "",
    }  # fmt: skip
    # Numbers with no separator: the same number in every language the cases are sent in.
    rate = {"currency": "VND", "month": f"{year}-02", "units_per_usd": "25345", "source": "NHNN"}
    return {
        "stats:dashboard": ("get", "/stats/", None, READ_ALL),
        "stats:gate_dashboard": ("get", f"/stats/mlt/?year={year}&days=year", None, READ_ALL),
        "stats:csv": ("get", "/stats/turnover.csv", None, READ_ALL),
        "stats:gate_csv": ("get", f"/stats/mlt/products.csv?year={year}", None, READ_ALL),
        "stats:targets": ("get", f"/stats/targets/?year={year}", None, READ_ALL),
        "stats:set_target": ("post", "/stats/targets/set/", target, KEEPERS),
        "stats:rates": ("get", "/stats/rates/", None, READ_ALL),
        "stats:set_rate": ("post", "/stats/rates/set/", rate, KEEPERS),
    }
