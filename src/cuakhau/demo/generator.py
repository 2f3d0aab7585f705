"""Deterministic demo data: organisations, one user per role, and trips that follow real traffic.

Every random choice comes from a ``random.Random`` stream derived from the seed, so the same seed,
day and clock give the same references, plates, drivers and cargo. Organisations keep the same
names and tax codes whatever the seed: a re-run with another seed then replaces the trips instead
of piling up a second set of companies.

Past trips are written in bulk with everything that happened to them: fee assessment,
payment, signed receipt, check-in, weighing, risk channel, inspections, clearance, exit and the
use of the receipt (``lifecycle``). The services refuse an arrival in the past, and two million
rows one by one would take many minutes. Trips still to come go through ``trips.services`` as
the organisation's own user would, so the real rules run on them; those already paid for are paid
through the bank's webhook. Every cargo line follows the market-access rules of its gate and day.

The volumes come from published figures, copied here as constants (never read at run time) from
the project's research notes:

- Lạng Sơn 2025 statistics (vietnam.vn, "Tỉnh Lạng Sơn đạt gần 536,5 tỷ đồng thu phí sử dụng kết
  cấu hạ tầng"): Hữu Nghị 870 loaded vehicles a day (262 export, 608 import), Tân Thanh 583
  (145 export, 438 import).
- Lào Cai: "more than 400 vehicles" a day (Vietnam Agriculture and Environment, 2025-10-18);
  split like a five-day count of 363 export and 613 import trucks (SGGP, c. 2020-02).
- Ma Lù Thàng: over USD 163 million of import-export in 2021–2025, about 63 export and 100
  import (Báo Lai Châu via vietnam.vn, 2025-10-29). No vehicle count is published, so the number
  of trucks follows from the value of a typical truckload.
- Tết: on the third day of the Lunar New Year Lạng Sơn cleared "nearly 150" export trucks, 52 of
  them at Hữu Nghị (VOV World), a fifth of an ordinary day's 262.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
from bisect import bisect
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import accumulate
from operator import itemgetter
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from stdnum import iso6346
from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_37_2
from stdnum.vn import mst

from cuakhau.accounts import roles
from cuakhau.accounts.models import Organisation
from cuakhau.accounts.services import ensure_role_groups, profile_of
from cuakhau.core import progress
from cuakhau.core.context import Channel, RequestContext
from cuakhau.core.errors import FieldErrors
from cuakhau.core.phrases import Phrase, as_stored, said
from cuakhau.core.sqlite import statistics
from cuakhau.core.wording import join_clauses
from cuakhau.fees.models import FeeAssessment
from cuakhau.gate.kpi import gate_kpis
from cuakhau.gate.models import GateEvent, Lane, Visit, WeighbridgeReading
from cuakhau.inspections.models import Inspection, QuarantineSample, Result, SampleResult
from cuakhau.market.models import MarketAccessRule
from cuakhau.payments import providers
from cuakhau.payments import services as payment_services
from cuakhau.payments.models import NotificationLog, NotificationOutcome, Payment
from cuakhau.receipts import services as receipts
from cuakhau.receipts import signing
from cuakhau.receipts.models import (
    Receipt,
    ReceiptSequence,
    ReceiptStatus,
    ReceiptUse,
    RevokeKind,
    UseOutcome,
)
from cuakhau.reference.models import Gate, HSCode
from cuakhau.reference.validators import normalise_phone_number, normalise_plate, parse_plate
from cuakhau.risk import history as risk_history
from cuakhau.risk import services as risk_services
from cuakhau.risk.models import RiskAssessment
from cuakhau.trips import references
from cuakhau.trips import services as trip_services
from cuakhau.trips.choices import ACTIVE_STATUSES, Direction, TripStatus, VehicleType
from cuakhau.trips.models import CargoLine, Container, Trip, TripDocument, TripTransition

from .lifecycle import (
    BANK_ADDRESS,
    CargoFacts,
    DemoDataError,
    FeeBook,
    Life,
    Lifecycle,
    MarketBook,
    ReceiptSigner,
    RiskBook,
    notification_body,
    tare_of,
)

# The table saying which containers hold which cargo line (a mixed load: several lines, one box).
ContainerLink = CargoLine.containers.through


class DemoDataExists(DemoDataError):
    """Demo trips are already in the database and ``reset`` was not asked for."""


# ---------------------------------------------------------------------------------------------
# Real figures (sources in the module docstring)

HUU_NGHI_PER_DAY = {"export": 262, "import": 608}
TAN_THANH_PER_DAY = {"export": 145, "import": 438}
KIM_THANH_PER_DAY = {"export": 400 * 363 / 976, "import": 400 * 613 / 976}
MA_LU_THANG_USD_PER_YEAR = {"export": 63e6 / 5, "import": 100e6 / 5}

# Tân Thanh and Kim Thành run at a quarter of their real volume: enough to fill their screens
# without tripling the size of the demo database.
SECONDARY_GATE_SHARE = 0.25

# Empty returns are not in the published counts (those are vehicles carrying goods).
EMPTY_SHARE = 0.10

# Approximate 2025 market rates, used only to total values declared in several currencies.
USD_RATES = {"USD": 1.0, "CNY": 7.15, "VND": 26_000.0}

# Monthly traffic against the yearly average: the Tết stock-up (Dec–Feb) and the fruit season
# (May–Aug) reach about 1.3 times the average; the twelve factors average exactly 1.
SEASON = {1: 1.3, 2: 1.1, 3: 0.85, 4: 0.8, 5: 1.0, 6: 1.15, 7: 1.3, 8: 1.1}
SEASON |= {9: 0.8, 10: 0.7, 11: 0.7, 12: 1.2}
WEEKDAY = (1.02, 1.02, 1.02, 1.02, 1.02, 1.02, 0.88)

# First day (mùng 1) of the Lunar New Year. Trucks do not cross from the eve to mùng 2; mùng 3
# sees about a fifth of an ordinary day (VOV World) and traffic is back to normal within a week.
LUNAR_NEW_YEAR = {
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}
TET_CLOSED = range(-1, 2)
TET_RESTART = {2: 0.2, 3: 0.5, 4: 0.75, 5: 0.9}

DAYS_AHEAD = 3
# Trips are declared between two hours and three days before arrival (log-uniform, so most the
# day before); a coming truck is in the database only once that moment has passed.
LEAD_HOURS = (2, 72)
# The services refuse an arrival in the past; keep a margin for the time the run itself takes.
SERVICES_MARGIN = dt.timedelta(minutes=15)
# Past trips are written this many at a time: few statements, bounded memory.
BULK_CHUNK = 4000


# ---------------------------------------------------------------------------------------------
# Goods


@dataclass(frozen=True)
class Product:
    key: str
    hs: str
    group: str
    vi: str
    zh: str
    unit: str  # UN/ECE Rec. 20, as QuantityUnit
    net_t: tuple[float, float]  # net load of one truck, tonnes
    price: tuple[float, float]  # USD per kg at the border
    pack_kg: float | None = None  # one package (carton, bag, bale); None: each piece is one
    pack_vi: str = ""
    pack_zh: str = ""
    tare: tuple[float, float] = (0.03, 0.08)  # packaging, as a share of the net weight
    piece_kg: tuple[float, float] | None = None  # goods counted in pieces (machines, chips)
    container: float = 0.0  # chance of travelling in a container
    plant: bool = False  # needs a phytosanitary certificate
    origin: str = ""  # "" = the exporting country
    months: tuple[float, ...] | None = None  # weight by month, January first


def _months(high: set[int], low: set[int] = frozenset(), *, off: float = 0.25) -> tuple:
    return tuple(1.8 if m in high else off if m in low else 1.0 for m in range(1, 13))


def _only(months: set[int], *, off: float = 0.0) -> tuple:
    return tuple(1.0 if m in months else off for m in range(1, 13))


CARTON_VI, CARTON_ZH = "thùng carton", "纸箱装"
BAG_VI, BAG_ZH = "bao", "袋装"
NET_VI, NET_ZH = "bao lưới", "网袋装"
FOAM_VI, FOAM_ZH = "thùng xốp", "泡沫箱装"

PRODUCTS = [
    # Vietnam -> China
    Product("dragon", "081090", "fruit_vn", "Thanh long ruột trắng tươi", "新鲜白心火龙果", "KGM",
            (16, 24), (0.55, 1.2), 12, CARTON_VI, CARTON_ZH, (0.08, 0.12), container=0.85,
            plant=True, months=_months({12, 1, 2, 3})),
    Product("durian", "081060", "fruit_vn", "Sầu riêng Ri6 tươi", "新鲜越南榴莲", "KGM",
            (16, 22), (2.8, 5.5), 18, CARTON_VI, CARTON_ZH, (0.08, 0.12), container=0.95,
            plant=True, months=_months({5, 6, 7, 8, 9}, {12, 1, 2, 3}, off=0.15)),
    Product("banana", "080390", "fruit_vn", "Chuối tươi Cavendish", "新鲜香蕉", "CT",
            (15, 22), (0.35, 0.55), 13, CARTON_VI, CARTON_ZH, (0.04, 0.07), container=0.85,
            plant=True),
    Product("jackfruit", "081090", "fruit_vn", "Mít Thái tươi", "新鲜菠萝蜜", "KGM",
            (15, 25), (0.4, 0.9), 12, "quả (bọc giấy), trung bình", "个（纸包），平均", (0.02, 0.04),
            container=0.7, plant=True),
    Product("watermelon", "080711", "fruit_vn", "Dưa hấu tươi", "新鲜西瓜", "KGM",
            (18, 26), (0.18, 0.35), 5, "quả, trung bình", "个，平均", (0.01, 0.03), container=0.3,
            plant=True, months=_months({12, 1, 2, 3, 4}, {7, 8, 9})),
    Product("mango", "080450", "fruit_vn", "Xoài cát Chu tươi", "新鲜芒果", "KGM",
            (14, 20), (0.6, 1.2), 10, CARTON_VI, CARTON_ZH, (0.08, 0.12), container=0.8,
            plant=True, months=_months({3, 4, 5, 6, 7}, {10, 11, 12, 1})),
    Product("lychee", "081090", "fruit_vn", "Vải thiều Lục Ngạn tươi (ướp đá)", "新鲜荔枝（加冰）",
            "KGM", (8, 15), (1.0, 2.0), 12, FOAM_VI, FOAM_ZH, (0.2, 0.3), container=0.6,
            plant=True, months=_only({5, 6, 7})),
    Product("longan", "081090", "fruit_vn", "Nhãn lồng tươi", "新鲜龙眼", "KGM",
            (10, 16), (1.0, 1.6), 10, FOAM_VI, FOAM_ZH, (0.12, 0.2), container=0.6,
            plant=True, months=_only({7, 8, 9}, off=0.05)),
    Product("cassava", "071410", "agri_vn", "Sắn lát khô", "木薯干片", "TNE",
            (25, 30), (0.22, 0.28), 50, BAG_VI, BAG_ZH, (0.005, 0.01), plant=True),
    Product("rubber", "400122", "agri_vn", "Cao su thiên nhiên SVR 3L", "天然橡胶SVR 3L", "KGM",
            (20, 25.2), (1.6, 1.9), 33.33, "bành", "块", (0.02, 0.04), container=0.5),
    Product("tea", "090230", "agri_vn", "Chè đen, gói dưới 3 kg", "红茶（3公斤以下小包装）", "KGM",
            (8, 18), (2.0, 3.5), 20, CARTON_VI, CARTON_ZH, (0.06, 0.1), plant=True),
    Product("macadamia", "080262", "agri_vn", "Nhân hạt mắc ca", "澳洲坚果仁", "KGM",
            (5, 10), (9.0, 13.0), 11.34, "thùng carton hút chân không", "真空纸箱装",
            (0.05, 0.08), container=0.3, plant=True),
    Product("cardamom", "090831", "agri_vn", "Thảo quả khô", "干草果", "KGM",
            (5, 10), (6.0, 11.0), 40, BAG_VI, BAG_ZH, (0.01, 0.02), plant=True),
    Product("sugarcane", "121293", "agri_vn", "Mía cây tươi", "新鲜甘蔗", "KGM",
            (15, 25), (0.06, 0.1), 20, "bó", "捆", (0.01, 0.02), plant=True,
            months=_months({11, 12, 1, 2, 3}, {6, 7, 8, 9})),
    # What Ma Lù Thàng can send to China while its fruit, cassava chips, sugarcane, macadamia and
    # cardamom wait for access there (market rules): Lai Châu's tea, rubber and cassava starch,
    # and the cinnamon, star anise and plantation veneer of the north-western provinces.
    Product("green_tea", "090220", "agri_vn", "Chè xanh Shan tuyết sấy khô, bao trên 3 kg",
            "雪芽绿茶（大包装，3公斤以上）", "KGM", (6, 14), (3.0, 6.0), 30, BAG_VI, BAG_ZH,
            (0.02, 0.04), plant=True),
    Product("starch", "110814", "agri_vn", "Tinh bột sắn", "木薯淀粉", "TNE",
            (26, 29.5), (0.42, 0.52), 50, BAG_VI, BAG_ZH, (0.005, 0.01)),
    Product("cassia", "090619", "forest_vn", "Vỏ quế khô", "干桂皮", "KGM",
            (10, 18), (1.6, 2.8), 25, CARTON_VI, CARTON_ZH, (0.03, 0.06), plant=True),
    Product("star_anise", "090961", "forest_vn", "Hoa hồi khô", "干八角", "KGM",
            (6, 12), (3.5, 6.0), 20, BAG_VI, BAG_ZH, (0.02, 0.04), plant=True),
    Product("veneer", "440890", "forest_vn", "Ván bóc gỗ keo rừng trồng, dày 1,7 mm",
            "相思木旋切单板（厚1.7毫米）", "TNE", (22, 28), (0.22, 0.32), 1500, "kiện", "捆",
            (0.01, 0.02)),
    # China -> Vietnam
    Product("excavator", "842952", "machine", "Máy đào bánh xích, mới 100%", "履带式挖掘机（全新）",
            "C62", (18, 24), (4.2, 5.5), tare=(0.002, 0.005), piece_kg=(5500, 22000)),
    Product("loader", "842951", "machine", "Máy xúc lật bánh lốp, mới 100%", "轮式装载机（全新）",
            "C62", (10, 20), (3.8, 5.0), tare=(0.002, 0.005), piece_kg=(5000, 10000)),
    Product("crusher", "847420", "machine", "Máy nghiền đá, mới 100%", "碎石机（全新）", "SET",
            (8, 20), (3.0, 4.5), tare=(0.005, 0.01), piece_kg=(8000, 20000)),
    Product("mixer", "847431", "machine", "Máy trộn bê tông, mới 100%", "混凝土搅拌机（全新）",
            "C62", (8, 18), (2.5, 4.0), tare=(0.005, 0.01), piece_kg=(1500, 4000)),
    Product("npk", "310520", "fert", "Phân bón NPK 16-16-8", "复合肥NPK 16-16-8", "TNE",
            (25, 30), (0.33, 0.45), 50, BAG_VI, BAG_ZH, (0.005, 0.01)),
    Product("dap", "310530", "fert", "Phân bón DAP 18-46", "磷酸二铵18-46", "TNE",
            (25, 30), (0.55, 0.68), 50, BAG_VI, BAG_ZH, (0.005, 0.01)),
    Product("steel_plate", "720851", "steel", "Thép tấm cán nóng, dày trên 10 mm",
            "热轧中厚钢板（厚度10毫米以上）", "TNE", (25, 30), (0.52, 0.62), 2500, "kiện", "捆",
            (0.002, 0.005)),
    Product("steel_coil", "720839", "steel", "Thép cuộn cán nóng, dày dưới 3 mm",
            "热轧卷板（厚度3毫米以下）", "TNE", (24, 30), (0.5, 0.6), 12000, "cuộn", "卷",
            (0.002, 0.004)),
    Product("fabric", "540752", "textile", "Vải dệt thoi polyester dún, đã nhuộm",
            "涤纶低弹丝染色机织布", "KGM", (8, 18), (2.5, 4.0), 25, "cuộn", "卷", (0.02, 0.04),
            container=0.2),
    Product("ics", "854239", "electronics", "Mạch tích hợp điện tử (IC)", "集成电路", "PCE",
            (4.5, 7), (25, 45), 10, CARTON_VI, CARTON_ZH, (0.12, 0.2), piece_kg=(0.002, 0.004),
            container=0.6),
    Product("apples", "080810", "fruit_cn", "Táo Phú Sĩ tươi", "新鲜富士苹果", "KGM",
            (18, 26), (0.9, 1.4), 18, CARTON_VI, CARTON_ZH, (0.06, 0.1), container=0.85,
            plant=True, months=_months({9, 10, 11, 12, 1, 2}, {6, 7})),
    Product("pears", "080830", "fruit_cn", "Lê tươi", "新鲜鸭梨", "KGM",
            (18, 25), (0.7, 1.1), 15, CARTON_VI, CARTON_ZH, (0.06, 0.1), container=0.8,
            plant=True, months=_months({9, 10, 11, 12, 1}, {5, 6, 7})),
    Product("garlic", "070320", "fruit_cn", "Tỏi củ tươi", "新鲜大蒜", "KGM",
            (20, 28), (0.8, 1.4), 20, NET_VI, NET_ZH, (0.01, 0.02), container=0.6, plant=True),
    Product("mandarins", "080521", "fruit_cn", "Quýt đường tươi", "新鲜砂糖橘", "KGM",
            (15, 22), (0.7, 1.2), 10, CARTON_VI, CARTON_ZH, (0.06, 0.1), container=0.7,
            plant=True, months=_months({11, 12, 1, 2}, {5, 6, 7, 8, 9}, off=0.1)),
    Product("potatoes", "070190", "fruit_cn", "Khoai tây tươi", "新鲜土豆", "KGM",
            (20, 28), (0.25, 0.4), 25, BAG_VI, BAG_ZH, (0.01, 0.02), container=0.2, plant=True),
    Product("carrots", "070610", "fruit_cn", "Cà rốt tươi", "新鲜胡萝卜", "KGM",
            (18, 26), (0.3, 0.5), 15, CARTON_VI, CARTON_ZH, (0.05, 0.08), container=0.5,
            plant=True),
    Product("onions", "070310", "fruit_cn", "Hành tây tươi", "新鲜洋葱", "KGM",
            (20, 28), (0.2, 0.4), 20, NET_VI, NET_ZH, (0.01, 0.02), container=0.3, plant=True),
    # Thai and Lao goods crossing Vietnam to China (temporary import / re-export, transit)
    Product("th_durian", "081060", "reexport", "Sầu riêng Monthong tươi", "泰国金枕榴莲", "KGM",
            (16, 22), (4.0, 6.5), 18, CARTON_VI, CARTON_ZH, (0.08, 0.12), container=1.0,
            plant=True, origin="TH"),
    Product("th_mangosteen", "080450", "reexport", "Măng cụt tươi", "泰国山竹", "KGM",
            (14, 20), (2.0, 3.5), 10, CARTON_VI, CARTON_ZH, (0.08, 0.12), container=1.0,
            plant=True, origin="TH"),
    Product("th_longan", "081090", "reexport", "Nhãn tươi", "泰国龙眼", "KGM",
            (16, 22), (1.0, 1.5), 12, CARTON_VI, CARTON_ZH, (0.08, 0.12), container=1.0,
            plant=True, origin="TH"),
    Product("la_cassava", "071410", "reexport", "Sắn lát khô", "老挝木薯干片", "TNE",
            (25, 30), (0.2, 0.26), 50, BAG_VI, BAG_ZH, (0.005, 0.01), plant=True, origin="LA"),
    Product("la_banana", "080390", "reexport", "Chuối tươi", "老挝香蕉", "CT",
            (15, 22), (0.35, 0.5), 13, CARTON_VI, CARTON_ZH, (0.04, 0.07), container=1.0,
            plant=True, origin="LA"),
]  # fmt: skip
PRODUCT = {p.key: p for p in PRODUCTS}
GROUPS: dict[str, list[str]] = defaultdict(list)
for _p in PRODUCTS:
    GROUPS[_p.group].append(_p.key)
# Goods that share a truck: a load of mixed fruit, not an excavator with garlic.
MIXABLE = {"fruit_vn", "fruit_cn", "textile", "fert"}
FLOW_SUFFIX = {
    Direction.TEMPORARY_IMPORT_REEXPORT: (" – hàng tạm nhập tái xuất", "（暂时进口复出口）"),
    Direction.TRANSIT: (" – hàng quá cảnh", "（过境货物）"),
}


# ---------------------------------------------------------------------------------------------
# Gates


@dataclass(frozen=True)
class GateProfile:
    code: str
    exports: dict[str, float]
    imports: dict[str, float]
    reexports: dict[str, float] = field(default_factory=dict)
    per_day: dict[str, float] | None = None  # loaded trucks a day at full scale, by flow
    usd_per_year: dict[str, float] | None = None  # or the value they carry in a year
    share: float = 1.0
    special: dict[str, float] = field(default_factory=dict)  # of the export flow
    seasonal: bool = True
    opens: int = 6
    hours: tuple[float, ...] = (2, 5, 9, 10, 10, 8, 5, 6, 8, 8, 7, 5, 4, 3, 2, 1)


GATES = {
    "hng": GateProfile(
        "hng",
        exports={"dragon": 18, "durian": 12, "jackfruit": 10, "banana": 8, "watermelon": 8,
                 "mango": 8, "lychee": 5, "longan": 3, "cassava": 10, "rubber": 6, "tea": 3,
                 "macadamia": 1},
        imports={"npk": 14, "dap": 6, "steel_plate": 8, "steel_coil": 8, "excavator": 3,
                 "loader": 2, "crusher": 1, "mixer": 1, "fabric": 10, "ics": 2, "apples": 12,
                 "pears": 5, "garlic": 10, "mandarins": 6, "potatoes": 5, "carrots": 5,
                 "onions": 5},
        reexports={"th_durian": 5, "th_mangosteen": 2, "th_longan": 2, "la_cassava": 2,
                   "la_banana": 1},
        per_day=HUU_NGHI_PER_DAY,
        special={Direction.TEMPORARY_IMPORT_REEXPORT: 0.10, Direction.TRANSIT: 0.04},
    ),
    "tth": GateProfile(
        "tth",
        exports={"dragon": 35, "watermelon": 15, "jackfruit": 15, "banana": 10, "mango": 10,
                 "durian": 10, "longan": 5},
        imports={"apples": 25, "pears": 12, "garlic": 15, "mandarins": 15, "potatoes": 8,
                 "carrots": 10, "onions": 10, "fabric": 5},
        reexports={"th_durian": 4, "th_mangosteen": 2, "th_longan": 2, "la_banana": 1},
        per_day=TAN_THANH_PER_DAY,
        share=SECONDARY_GATE_SHARE,
        special={Direction.TEMPORARY_IMPORT_REEXPORT: 0.08, Direction.TRANSIT: 0.03},
    ),
    "kth": GateProfile(
        "kth",
        exports={"banana": 20, "dragon": 20, "lychee": 15, "mango": 10, "durian": 10,
                 "cassava": 10, "cassia": 5},
        imports={"npk": 20, "dap": 10, "steel_coil": 10, "excavator": 5, "apples": 15,
                 "pears": 5, "garlic": 10, "mandarins": 10},
        reexports={"th_durian": 2, "la_cassava": 3, "la_banana": 2},
        per_day=KIM_THANH_PER_DAY,
        share=SECONDARY_GATE_SHARE,
        special={Direction.TEMPORARY_IMPORT_REEXPORT: 0.05, Direction.TRANSIT: 0.02},
        opens=7,
        hours=(5, 9, 10, 10, 8, 5, 6, 8, 8, 7, 5, 3),  # goods traffic 07:00-19:00 (gates.csv)
    ),
    "mlt": GateProfile(
        "mlt",
        # Jinshuihe is no designated fruit site and Ma Lù Thàng's cassava chips, sugarcane,
        # macadamia, cardamom and amomum still wait for access there (market rules): no fruit.
        exports={"rubber": 25, "green_tea": 20, "tea": 8, "starch": 15, "cassia": 12,
                 "star_anise": 6, "veneer": 8},
        imports={"npk": 20, "dap": 10, "excavator": 6, "loader": 4, "steel_plate": 10,
                 "fabric": 5, "ics": 2, "apples": 20, "pears": 10, "garlic": 15},
        usd_per_year=MA_LU_THANG_USD_PER_YEAR,
        # No monthly pattern is published for Ma Lù Thàng: its value is spread evenly.
        seasonal=False,
        opens=7,
        hours=(6, 10, 10, 8, 4, 5, 8, 8, 6, 3),
    ),
}  # fmt: skip
GATE_ORDER = ["hng", "tth", "kth", "mlt"]
# Officers see the gates they are attached to; attach them wherever the demo has traffic.
OFFICER_GATES = GATE_ORDER


def _flow_mix(profile: GateProfile, direction: str) -> dict[str, float]:
    if direction == Direction.EXPORT:
        return profile.exports
    if direction == Direction.IMPORT:
        return profile.imports
    return profile.reexports


@cache
def _mix(gate: str, direction: str, month: int | None) -> tuple[list[Product], list[float]]:
    """The products of a flow with cumulative weights; month None is the yearly average."""
    products, weights = [], []
    for key, weight in _flow_mix(GATES[gate], direction).items():
        product = PRODUCT[key]
        if product.months is None:
            factor = 1.0
        elif month is None:
            factor = sum(product.months) / 12
        else:
            factor = product.months[month - 1]
        if weight * factor > 0:
            products.append(product)
            weights.append(weight * factor)
    return products, list(accumulate(weights))


def _pick(rng: random.Random, table):
    items, cumulative = table
    return items[bisect(cumulative, rng.random() * cumulative[-1])]


def _table(pairs) -> tuple[list, list[float]]:
    pairs = list(pairs)
    return [p[0] for p in pairs], list(accumulate(p[1] for p in pairs))


# ---------------------------------------------------------------------------------------------
# Organisations


@dataclass(frozen=True)
class OrgSpec:
    key: str
    country: str
    name: str
    address: str
    phone: str
    tax_prefix: str  # VN: province tax office + "0x"; CN: region of registration
    gates: tuple[str, ...]
    goods: tuple[str, ...]  # product keys or groups
    plates: tuple[tuple[str, float], ...]  # VN province codes or CN province+city prefixes
    weight: float = 1.0
    forwarder: bool = False  # declares temporary import / re-export and transit
    turnaround_h: float = 30  # before the same truck is back at a gate

    @property
    def username(self) -> str:
        return ("dn_" if self.country == "VN" else "qy_") + self.key

    @property
    def product_keys(self) -> frozenset[str]:
        return frozenset(k for g in self.goods for k in (GROUPS.get(g) or [g]))


def _vn(key, name, address, phone, prefix, gates, goods, plates, weight=1.0, **kw) -> OrgSpec:
    return OrgSpec(key, "VN", name, address, phone, prefix, gates, goods, plates, weight, **kw)


def _cn(key, name, address, phone, region, gates, goods, plates, weight=1.0, **kw) -> OrgSpec:
    return OrgSpec(key, "CN", name, address, phone, region, gates, goods, plates, weight, **kw)


ORGANISATIONS = [
    _vn("phongtho", "Công ty TNHH Nông sản Phong Thổ",
        "Bản Ma Lù Thàng, xã Huổi Luông, huyện Phong Thổ, tỉnh Lai Châu", "+84 213 3795 168",
        "6200", ("mlt",), ("green_tea", "tea", "starch", "cassia", "apples", "garlic", "npk"),
        (("25", 1),), 3, turnaround_h=20),
    _vn("maluthang", "Công ty CP Xuất nhập khẩu Ma Lù Thàng",
        "Khu kinh tế cửa khẩu Ma Lù Thàng, xã Ma Ly Pho, huyện Phong Thổ, tỉnh Lai Châu",
        "+84 213 3791 026", "6200", ("mlt",),
        ("agri_vn", "forest_vn", "fert", "steel", "machine", "fruit_cn", "textile"),
        (("25", 0.8), ("27", 0.2)), 4, turnaround_h=24),
    _vn("maccataybac", "Công ty TNHH Mắc ca Tây Bắc",
        "Tổ 4, thị trấn Tam Đường, huyện Tam Đường, tỉnh Lai Châu", "+84 213 3876 412", "6200",
        ("mlt", "hng"), ("macadamia", "tea", "green_tea"), (("25", 1),), 1.5, turnaround_h=48),
    _vn("chetamduong", "Công ty CP Chè Tam Đường", "Xã Bản Bo, huyện Tam Đường, tỉnh Lai Châu",
        "+84 213 3878 255", "6200", ("mlt", "hng"), ("tea", "green_tea"), (("25", 1),), 1,
        turnaround_h=48),
    # Its cardamom waits for access to China (market rules): meanwhile, cinnamon and star anise.
    _vn("thaoquasinho", "Hợp tác xã Lâm sản ngoài gỗ Sìn Hồ",
        "Xã Tả Phìn, huyện Sìn Hồ, tỉnh Lai Châu", "+84 213 3870 319", "6200", ("mlt", "kth"),
        ("cassia", "star_anise"), (("25", 1),), 0.8),
    _vn("vantailaichau", "Công ty TNHH Vận tải và Thương mại Lai Châu",
        "Số 18 đường Trần Phú, phường Tân Phong, thành phố Lai Châu, tỉnh Lai Châu",
        "+84 213 3899 570", "6200", ("mlt",), ("fert", "steel", "machine", "textile", "fruit_cn"),
        (("25", 0.7), ("27", 0.15), ("29", 0.15)), 2.5, turnaround_h=26),
    _vn("langsonxanh", "Công ty CP XNK Lạng Sơn Xanh",
        "Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn, thị trấn Đồng Đăng, huyện Cao Lộc, tỉnh Lạng Sơn",
        "+84 205 3851 277", "4900", ("hng", "tth"), ("fruit_vn", "fruit_cn"),
        (("12", 0.85), ("29", 0.15)), 6, forwarder=True, turnaround_h=26),
    _vn("huunghi", "Công ty TNHH Thương mại Hữu Nghị Đồng Đăng",
        "Khối 6, thị trấn Đồng Đăng, huyện Cao Lộc, tỉnh Lạng Sơn", "+84 205 3852 610", "4900",
        ("hng",), ("machine", "steel", "fert", "textile", "electronics"),
        (("12", 0.6), ("29", 0.25), ("98", 0.15)), 5),
    _vn("logistanthanh", "Công ty TNHH Logistics Tân Thanh",
        "Thôn Nà Lầu, xã Tân Thanh, huyện Văn Lãng, tỉnh Lạng Sơn", "+84 205 3880 445", "4900",
        ("tth", "hng"), ("fruit_vn", "fruit_cn", "textile"), (("12", 1),), 5, forwarder=True,
        turnaround_h=24),
    _vn("khovancaoloc", "Công ty CP Kho vận Cao Lộc",
        "Km 8 quốc lộ 1A, xã Hợp Thành, huyện Cao Lộc, tỉnh Lạng Sơn", "+84 205 3861 902", "4900",
        ("hng", "tth"), ("fruit_vn", "agri_vn", "fruit_cn", "fert", "steel", "textile"),
        (("12", 1),), 5, forwarder=True, turnaround_h=26),
    _vn("kylua", "Công ty TNHH XNK Kỳ Lừa",
        "Số 52 đường Bà Triệu, phường Hoàng Văn Thụ, thành phố Lạng Sơn, tỉnh Lạng Sơn",
        "+84 205 3812 338", "4900", ("hng",), ("cassava", "rubber", "tea", "fert", "fabric"),
        (("12", 1),), 3),
    _vn("kimthanh", "Công ty CP XNK Kim Thành Lào Cai",
        "Khu thương mại – công nghiệp Kim Thành, phường Duyên Hải, thành phố Lào Cai, tỉnh Lào Cai",
        "+84 214 3830 517", "5300", ("kth",),
        ("fruit_vn", "agri_vn", "fruit_cn", "fert", "steel", "machine"),
        (("24", 0.85), ("21", 0.15)), 5, forwarder=True, turnaround_h=24),
    _vn("bacha", "Công ty TNHH Thương mại Bắc Hà",
        "Số 7 đường Hoàng Liên, phường Cốc Lếu, thành phố Lào Cai, tỉnh Lào Cai",
        "+84 214 3820 964", "5300", ("kth",), ("fruit_vn", "fruit_cn", "cassia"),
        (("24", 1),), 3),
    _vn("thanhlonghtn", "Công ty TNHH Thanh long Hàm Thuận Nam",
        "Thôn Lập Phước, xã Hàm Minh, huyện Hàm Thuận Nam, tỉnh Bình Thuận", "+84 252 3867 215",
        "3400", ("hng", "tth", "kth"), ("dragon",), (("86", 1),), 4, turnaround_h=110),
    _vn("traicaycaibe", "Công ty CP Trái cây Cái Bè",
        "Quốc lộ 1A, xã Hòa Khánh, huyện Cái Bè, tỉnh Tiền Giang", "+84 273 3924 508", "1200",
        ("hng", "tth", "kth"), ("durian", "mango", "dragon", "jackfruit"),
        (("63", 0.8), ("51", 0.2)), 3.5, turnaround_h=120),
    _vn("saurienhkp", "Công ty TNHH Sầu riêng Krông Pắc",
        "Thị trấn Phước An, huyện Krông Pắc, tỉnh Đắk Lắk", "+84 262 3521 774", "6000",
        ("hng", "tth"), ("durian",), (("47", 1),), 2.5, turnaround_h=100),
    _vn("chuoitayninh", "Công ty CP Chuối xuất khẩu Tây Ninh",
        "Ấp Thạnh Trung, xã Thạnh Tân, thành phố Tây Ninh, tỉnh Tây Ninh", "+84 276 3823 150",
        "3900", ("hng", "tth", "kth"), ("banana",), (("70", 1),), 2.5, turnaround_h=110),
    _vn("mientayxanh", "Công ty TNHH Nông sản Miền Tây Xanh",
        "Khu vực Thới Hòa, phường Phước Thới, quận Ô Môn, thành phố Cần Thơ", "+84 292 3861 447",
        "1800", ("hng", "tth"), ("jackfruit", "mango", "watermelon"), (("65", 0.6), ("51", 0.4)),
        3, turnaround_h=110),
    _vn("duahaulongan", "Công ty TNHH Dưa hấu Long An",
        "Ấp 3, xã Lương Hòa, huyện Bến Lức, tỉnh Long An", "+84 272 3870 219", "1100",
        ("hng", "tth"), ("watermelon", "dragon"), (("62", 1),), 2, turnaround_h=110),
    _vn("vaithieulucngan", "Công ty TNHH Vải thiều Lục Ngạn",
        "Thị trấn Chũ, huyện Lục Ngạn, tỉnh Bắc Giang", "+84 204 3882 516", "2400",
        ("hng", "kth", "tth"), ("lychee", "longan"), (("98", 1),), 2),
    _vn("nongsangialai", "Công ty CP Nông sản Gia Lai",
        "Số 120 đường Trường Chinh, phường Phù Đổng, thành phố Pleiku, tỉnh Gia Lai",
        "+84 269 3824 375", "5900", ("hng", "kth"), ("cassava",), (("81", 1),), 2,
        turnaround_h=100),
    _vn("caosubinhphuoc", "Công ty CP Cao su Bình Phước",
        "Quốc lộ 14, phường Tân Bình, thành phố Đồng Xoài, tỉnh Bình Phước", "+84 271 3879 102",
        "3800", ("hng", "mlt"), ("rubber",), (("93", 1),), 2, turnaround_h=120),
    _vn("maythanglong", "Công ty TNHH Máy xây dựng Thăng Long",
        "Số 86 đường Nguyễn Văn Cừ, phường Ngọc Lâm, quận Long Biên, Hà Nội", "+84 24 3872 6610",
        "0101", ("hng", "kth", "mlt"), ("machine", "steel"), (("29", 0.7), ("30", 0.3)), 3,
        turnaround_h=48),
    _vn("phanbonbacgiang", "Công ty CP Phân bón Bắc Giang",
        "Khu công nghiệp Song Khê – Nội Hoàng, huyện Yên Dũng, tỉnh Bắc Giang", "+84 204 3855 732",
        "2400", ("hng", "kth", "mlt"), ("fert",), (("98", 1),), 3, turnaround_h=40),
    _vn("thephaiphong", "Công ty TNHH Thép Hải Phòng",
        "Khu công nghiệp Nomura, huyện An Dương, thành phố Hải Phòng", "+84 225 3743 118", "0200",
        ("hng",), ("steel",), (("15", 0.6), ("16", 0.4)), 2.5, turnaround_h=40),
    _vn("detmaynamdinh", "Công ty TNHH Dệt may Nam Định",
        "Khu công nghiệp Hòa Xá, thành phố Nam Định, tỉnh Nam Định", "+84 228 3671 455", "0600",
        ("hng", "tth"), ("textile",), (("18", 1),), 2, turnaround_h=40),
    _vn("linhkienbacninh", "Công ty CP Linh kiện Điện tử Bắc Ninh",
        "Khu công nghiệp Quế Võ, thị xã Quế Võ, tỉnh Bắc Ninh", "+84 222 3634 780", "2300",
        ("hng",), ("electronics",), (("99", 1),), 1.5, turnaround_h=36),
    _vn("nongsanlongbien", "Công ty TNHH Nông sản Long Biên",
        "Chợ đầu mối Long Biên, phường Phúc Xá, quận Ba Đình, Hà Nội", "+84 24 3927 1146", "0108",
        ("hng", "tth", "kth"), ("fruit_cn",), (("29", 0.6), ("30", 0.4)), 3, turnaround_h=36),
    _cn("jinping", "金平县金水河边贸有限公司", "云南省红河州金平县金水河镇口岸大道8号",
        "+86 873 5321 068", "532530", ("mlt",),
        ("fruit_cn", "fert", "machine", "steel", "rubber", "starch"), (("云G", 1),), 4,
        turnaround_h=24),
    _cn("jinshuihewl", "金平金水河国际物流有限公司", "云南省红河州金平县金水河镇南科村",
        "+86 873 5326 215", "532530", ("mlt",),
        ("fert", "machine", "steel", "textile", "fruit_cn", "electronics", "forest_vn"),
        (("云G", 0.8), ("云A", 0.2)), 2.5),
    _cn("honghenongchan", "红河州边境农产品进出口有限公司", "云南省红河州个旧市金湖东路36号",
        "+86 873 2145 390", "532501", ("mlt", "kth"), ("fruit_cn", "agri_vn", "banana"),
        (("云G", 1),), 2),
    _cn("hekoubeishan", "河口县北山边贸进出口有限公司", "云南省红河州河口县北山片区滨河路12号",
        "+86 873 3421 577", "532532", ("kth",), ("fruit_cn", "fert", "fruit_vn"),
        (("云G", 0.9), ("云A", 0.1)), 4, forwarder=True, turnaround_h=24),
    _cn("dianyuewl", "河口瑶族自治县滇越国际物流有限公司", "云南省红河州河口县人民路58号",
        "+86 873 3436 802", "532532", ("kth",), ("fert", "steel", "machine", "fruit_cn"),
        (("云G", 0.7), ("云H", 0.3)), 3, forwarder=True),
    _cn("youyiguan", "凭祥市友谊关进出口贸易有限公司", "广西壮族自治区凭祥市友谊镇友谊关大道18号",
        "+86 771 8521 336", "451481", ("hng",), ("machine", "steel", "fert", "textile", "fruit_cn"),
        (("桂F", 0.8), ("桂A", 0.2)), 6, turnaround_h=24),
    _cn("puzhaiguoye", "凭祥市浦寨水果贸易有限公司", "广西壮族自治区凭祥市浦寨边贸区果品市场3栋",
        "+86 771 8536 120", "451481", ("tth", "hng"), ("fruit_vn", "fruit_cn"),
        (("桂F", 0.9), ("桂A", 0.1)), 5, forwarder=True, turnaround_h=24),
    _cn("pingxiangzb", "广西凭祥综合保税区物流有限公司", "广西壮族自治区凭祥市综合保税区综合楼",
        "+86 771 8598 007", "451481", ("hng", "tth"), ("fruit_cn", "textile", "electronics", "fert"),
        (("桂F", 0.6), ("桂P", 0.2), ("桂A", 0.2)), 4, forwarder=True),
    _cn("chongzuojx", "崇左市友谊机械设备进出口有限公司", "广西壮族自治区崇左市江州区城南大道108号",
        "+86 771 7836 451", "451400", ("hng", "kth"), ("machine",), (("桂F", 1),), 2),
    _cn("nanningfl", "南宁市丰收化肥进出口有限公司", "广西壮族自治区南宁市江南区星光大道223号",
        "+86 771 4835 912", "450100", ("hng", "tth", "kth"), ("fert",),
        (("桂A", 0.7), ("桂F", 0.3)), 2.5, turnaround_h=36),
    _cn("beibuwangt", "广西北部湾钢铁贸易有限公司", "广西壮族自治区防城港市港口区兴港大道",
        "+86 770 2826 337", "450600", ("hng",), ("steel",), (("桂P", 0.7), ("桂F", 0.3)), 2.5,
        turnaround_h=36),
    _cn("yunguo", "昆明云果进出口贸易有限公司", "云南省昆明市官渡区金马路云果市场B区",
        "+86 871 6381 245", "530100", ("kth", "mlt"), ("fruit_cn",), (("云A", 0.6), ("云G", 0.4)),
        2.5, turnaround_h=48),
    _cn("jinxiangsuan", "金乡县蒜业进出口有限公司", "山东省济宁市金乡县金城路208号",
        "+86 537 8851 306", "370828", ("hng", "tth"), ("garlic", "onions", "potatoes", "carrots"),
        (("桂F", 0.6), ("桂A", 0.4)), 2),
    _cn("keqiaofz", "绍兴柯桥纺织品进出口有限公司", "浙江省绍兴市柯桥区中国轻纺城西市场",
        "+86 575 8401 227", "330603", ("hng",), ("textile",), (("桂A", 0.5), ("桂F", 0.5)), 1.5),
    _cn("huananyj", "深圳华南电子元器件进出口有限公司", "广东省深圳市福田区华强北路1002号",
        "+86 755 8366 0152", "440300", ("hng",), ("electronics",), (("桂A", 0.6), ("桂F", 0.4)),
        1.5),
]  # fmt: skip
ORG = {o.key: o for o in ORGANISATIONS}

# Organisation identities do not depend on the seed (see the module docstring).
ORGANISATION_SEED = "cuakhau-demo/organisations"
# GB 11714 organisation code check (the 9th character of the code inside a USCC).
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _vn_tax_code(rng: random.Random, prefix: str) -> str:
    while True:
        body = prefix + f"{rng.randrange(1, 10**5):05d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1:  # a sum divisible by 11 has no check digit: draw again
            return mst.validate(body + check)


def _cn_tax_code(rng: random.Random, region: str) -> str:
    org = f"{rng.randrange(10**7, 10**8)}"
    remainder = 11 - sum(int(c) * w for c, w in zip(org, _GB11714_WEIGHTS, strict=True)) % 11
    org += {10: "X", 11: "0"}.get(remainder, str(remainder))
    # 9 = registered by market regulation, 1 = enterprise: how every company's code starts.
    body = "91" + region + org
    return uscc.validate(body + uscc.calc_check_digit(body))


def organisation_tax_codes() -> dict[str, str]:
    rng = random.Random(ORGANISATION_SEED)
    codes, seen = {}, set()
    for spec in ORGANISATIONS:
        while True:
            make = _vn_tax_code if spec.country == "VN" else _cn_tax_code
            code = make(rng, spec.tax_prefix)
            if code not in seen:
                break
        seen.add(code)
        codes[spec.key] = code
    return codes


# ---------------------------------------------------------------------------------------------
# Users

DEMO_USERS = [
    # username, role, name, language, organisation, attached to the gates
    ("dn_phongtho", roles.ENTERPRISE, "Lò Thị Mai", "vi", "phongtho", False),
    ("qy_jinping", roles.ENTERPRISE, "李建华", "zh-hans", "jinping", False),
    ("driver", roles.DRIVER, "Lò Văn Páo", "vi", "phongtho", False),
    ("vanhanh", roles.GATE_OPERATOR, "Nông Văn Thành", "vi", None, True),
    ("haiquan", roles.CUSTOMS, "Trần Minh Đức", "vi", None, True),
    ("haiquan_ql", roles.CUSTOMS_MANAGER, "Lê Quang Vinh", "vi", None, True),
    ("bienphong", roles.BORDER_GUARD, "Hoàng Văn Sơn", "vi", None, True),
    ("kiemdich", roles.QUARANTINE, "Lê Thị Thu Hà", "vi", None, True),
    ("motcua", roles.DESK, "Phạm Thu Trang", "vi", None, True),
    ("bql", roles.BOARD, "Vi Văn Toàn", "vi", None, False),
    ("kiemtoan", roles.AUDITOR, "Đỗ Thị Lan", "vi", None, False),
    ("admin", roles.ADMINISTRATOR, "Quản trị hệ thống", "vi", None, False),
]
PASSWORD_WORDS = (
    "thanhlong", "saurieng", "vaithieu", "mitthai", "chuoitieu", "khoaimi", "caosu", "macca",
    "thaoqua", "mia", "chexanh", "xoaicat", "nhanlong", "huunghi", "maluthang", "kimthanh",
    "tanthanh", "dongdang", "phongtho", "muonghum", "bacluan", "sapa",
)  # fmt: skip


def _password(rng: random.Random) -> str:
    return f"cuakhau-{rng.choice(PASSWORD_WORDS)}-{rng.randrange(1000, 10000)}"


# ---------------------------------------------------------------------------------------------
# People and vehicles

VN_FAMILY = _table([("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5),
                    ("Vũ", 4), ("Đặng", 3), ("Bùi", 3), ("Đỗ", 3), ("Hồ", 2), ("Ngô", 2),
                    ("Dương", 2), ("Lý", 1)])  # fmt: skip
# Thái, Mông and Dao families of Lai Châu and Lào Cai; Tày and Nùng ones of Lạng Sơn and Cao Bằng.
VN_FAMILY_HIGHLAND = _table([("Lò", 8), ("Lường", 5), ("Tao", 3), ("Giàng", 5), ("Vàng", 4),
                             ("Sùng", 3), ("Tẩn", 2), ("Chảo", 2), ("Nguyễn", 8), ("Trần", 3)])  # fmt: skip
VN_FAMILY_TAY_NUNG = _table([("Hoàng", 8), ("Nông", 6), ("Lương", 4), ("Vi", 4), ("Lục", 3),
                             ("Hà", 3), ("Chu", 2), ("Triệu", 2), ("Nguyễn", 8), ("Trần", 3)])  # fmt: skip
VN_HIGHLAND_CODES = {"21", "23", "24", "25", "26", "27"}
VN_TAY_NUNG_CODES = {"11", "12", "20", "97"}
VN_MIDDLE_MALE = ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Xuân", "Công")
VN_GIVEN_MALE = (
    "Hùng", "Dũng", "Tuấn", "Hải", "Nam", "Long", "Thắng", "Cường", "Quân", "Sơn", "Tùng",
    "Hưng", "Toàn", "Phong", "Khánh", "Chính", "Lâm", "Bình", "Trung", "Việt", "Đạt", "Huy",
    "Kiên", "Lợi", "Mạnh", "Nghĩa", "Phúc", "Tài", "Thịnh", "Páo", "Sử", "Chiến",
)  # fmt: skip
VN_GIVEN_FEMALE = ("Hoa", "Lan", "Hương", "Mai", "Thảo", "Nhung")
CN_FAMILY = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "罗", "梁", "何", "马")
CN_FAMILY_GUANGXI = ("农", "韦", "覃", "蒙", "陆", "黄", "黎", "梁")
CN_GIVEN = (
    "伟", "强", "军", "勇", "磊", "涛", "斌", "辉", "刚", "明", "华", "建", "国", "平", "东",
    "海", "林", "峰", "鹏", "超", "文", "志", "春", "荣", "福", "德", "成", "兴", "宇", "俊",
)  # fmt: skip

# Citizen ID (CCCD) numbers start with the province of birth (Circular 07/2016/TT-BCA codes).
CCCD_PROVINCE = {
    "11": "004", "12": "020", "15": "031", "16": "031", "18": "036", "21": "015", "24": "010",
    "25": "012", "27": "011", "29": "001", "30": "001", "47": "066", "51": "079", "62": "080",
    "63": "082", "65": "092", "70": "072", "81": "064", "86": "060", "93": "070", "98": "024",
    "99": "027",
}  # fmt: skip
# Resident ID numbers keep the county code of first registration; these are valid for the
# birth years drawn (python-stdnum checks them).
CN_ID_REGIONS = {
    "云": ("532530", "532532", "532501", "530100"),
    "桂": ("452101", "452132", "450100", "452100"),
}
VN_MOBILE = ("32", "33", "34", "35", "36", "37", "38", "39", "86", "96", "97", "98", "91", "94",
             "88", "83", "84", "85", "81", "82", "90", "93", "89", "70", "76", "77", "78", "79")  # fmt: skip
CN_MOBILE = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155",
             "156", "157", "158", "159", "177", "180", "181", "182", "186", "187", "188", "199")  # fmt: skip
CN_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"

# Rated capacities (tonnes) of the vehicles the demo fleets are made of.
CAPACITIES = {
    VehicleType.TRUCK: (6.5, 8.0, 9.5, 11.0, 14.5, 15.5),
    VehicleType.TRACTOR_TRAILER: (27.0, 29.5, 31.0, 32.5, 34.0),
    VehicleType.CONTAINER_TRUCK: (28.0, 30.0, 32.5, 34.0),
}
# Real owner codes of container lessors and lines seen on this border (reefers for fruit).
CONTAINER_OWNERS = (
    "SZLU", "TRIU", "CAIU", "TGHU", "TCLU", "SEGU", "MNBU", "MSKU", "CXRU", "CGMU", "OOLU",
    "CSNU", "EGHU", "HLBU", "SUDU", "BMOU", "FSCU", "TTNU",
)  # fmt: skip


@dataclass(frozen=True)
class Driver:
    name: str
    nationality: str
    document: str
    phone: str


@dataclass
class Vehicle:
    kind: str
    tractor: str
    trailer: str
    capacity: float
    driver: Driver
    free_at: dt.datetime
    tare_kg: float = 0.0  # registered empty weight, as the weighbridge operator enters it


# ---------------------------------------------------------------------------------------------
# Plans: what a trip will be, before it is written


@dataclass
class LinePlan:
    product: Product
    net_kg: int
    gross_kg: int
    quantity: Decimal
    packages: int
    usd: float
    containers: list[str] = field(default_factory=list)


@dataclass
class TripPlan:
    gate: str
    direction: str
    arrival: dt.datetime
    org: OrgSpec
    lines: list[LinePlan]
    kind: str
    container_size: str
    n_containers: int
    currency: str
    u: list[float]  # status, timing and paperwork draws, taken whatever the trip becomes
    vehicle: Vehicle | None = None
    reference: str = ""
    undervalued: bool = False  # declares line 1 far below its price (the risk rule's case)
    overloaded: bool = False  # carries more than declared (the weighbridge rule's case)
    paperwork: list[dict] | None = None  # the cargo lines as declared
    life: Life | None = None  # what happened to it, for a past trip

    @property
    def gross_kg(self) -> int:
        return sum(line.gross_kg for line in self.lines)

    @property
    def containers(self) -> list[str]:
        # Each box once: in a mixed load several lines name the same one.
        return list(dict.fromkeys(n for line in self.lines for n in line.containers))


# ---------------------------------------------------------------------------------------------
# Volumes


def traffic_factor(day: dt.date, *, seasonal: bool = True) -> float:
    """Traffic on ``day`` against the yearly daily average: season, weekday and Tết."""
    factor = (SEASON[day.month] if seasonal else 1.0) * WEEKDAY[day.weekday()]
    tet = LUNAR_NEW_YEAR.get(day.year)
    if tet is not None:
        offset = (day - tet).days
        if offset in TET_CLOSED:
            return 0.0
        factor *= TET_RESTART.get(offset, 1.0)
    return factor


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean < 30:
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


@cache
def mean_truck_usd(gate: str, direction: str) -> float:
    """The average value of one truckload of this flow, by simulation with a fixed stream."""
    rng = random.Random(f"calibrate/{gate}/{direction}")
    profile = GATES[gate]
    n = 4000
    return (
        sum(sum(line.usd for line in _cargo(rng, profile, direction, None)[0]) for _ in range(n))
        / n
    )


def loaded_per_day(gate: str, direction: str) -> float:
    """Average loaded trucks a day of one flow (export or import), at full scale."""
    profile = GATES[gate]
    if profile.per_day is not None:
        return profile.per_day[direction] * profile.share
    return profile.usd_per_year[direction] / 365 / mean_truck_usd(gate, direction) * profile.share


def daily_volume(gate: str, day: dt.date, rng: random.Random, scale: float = 1.0) -> dict[str, int]:
    """How many trips of each direction cross ``gate`` on ``day``."""
    profile = GATES[gate]
    counts = {d: 0 for d in Direction.values}
    factor = traffic_factor(day, seasonal=profile.seasonal) * scale
    if factor == 0:
        return counts
    # Days differ by more than chance alone: weather, a market closing on the other side.
    noise = min(1.15, max(0.85, rng.gauss(1.0, 0.05)))
    for flow in (Direction.EXPORT, Direction.IMPORT):
        trucks = _poisson(rng, loaded_per_day(gate, flow) * factor * noise)
        if flow == Direction.EXPORT and profile.special:
            for _ in range(trucks):
                u = rng.random()
                for direction, share in profile.special.items():
                    if u < share:
                        counts[direction] += 1
                        break
                    u -= share
                else:
                    counts[flow] += 1
        else:
            counts[flow] += trucks
    loaded = sum(counts.values())
    counts[Direction.EMPTY_RETURN] = _poisson(rng, loaded * EMPTY_SHARE / (1 - EMPTY_SHARE))
    return counts


# ---------------------------------------------------------------------------------------------
# Cargo


def _line(rng: random.Random, product: Product, net_target: float) -> LinePlan:
    pieces = 0
    net = net_target
    if product.piece_kg:
        piece = rng.uniform(*product.piece_kg)
        pieces = max(1, int(net_target // piece))
        net = pieces * piece
    net_kg = max(1, round(net))
    packages = max(1, round(net_kg / product.pack_kg)) if product.pack_kg else pieces
    gross_kg = net_kg + max(1, round(net_kg * rng.uniform(*product.tare)))
    usd = net_kg * rng.uniform(*product.price)
    if product.unit == "KGM":
        quantity = Decimal(net_kg)
    elif product.unit == "TNE":
        quantity = Decimal(net_kg) / 1000
    elif product.unit in ("CT", "BG"):
        quantity = Decimal(packages)
    else:
        quantity = Decimal(pieces)
    return LinePlan(product, net_kg, gross_kg, quantity, packages, usd)


def _cargo(rng: random.Random, profile: GateProfile, direction: str, month: int | None):
    """The lines of one truckload and its vehicle type and container size."""
    mix = _mix(profile.code, direction, month)
    primary = _pick(rng, mix)
    net_target = rng.uniform(*primary.net_t) * 1000
    products = [primary]
    if primary.group in MIXABLE:
        r = rng.random()
        for _ in range(2 if r < 0.04 else 1 if r < 0.18 else 0):
            other = _pick(rng, mix)
            if other.group == primary.group and other not in products:
                products.append(other)
    if len(products) > 1:
        weights = [1.5] + [rng.uniform(0.3, 1.0) for _ in products[1:]]
        shares = [w / sum(weights) for w in weights]
    else:
        shares = [1.0]
    lines = [_line(rng, p, net_target * s) for p, s in zip(products, shares, strict=True)]
    gross_t = sum(line.gross_kg for line in lines) / 1000
    if not 5 <= gross_t <= 32:
        raise DemoDataError(f"{primary.key}: a load of {gross_t:.1f} t is outside 5-32 t")
    size, containers = "", 0
    if rng.random() < primary.container:
        kind = VehicleType.CONTAINER_TRUCK
        size, containers = ("20", 2) if rng.random() < 0.15 else ("40", 1)
    elif gross_t > 15 or rng.random() < 0.35:
        kind = VehicleType.TRACTOR_TRAILER
    else:
        kind = VehicleType.TRUCK
    return lines, kind, size, containers


def all_hs_codes() -> set[str]:
    return {p.hs for p in PRODUCTS}


def _origin(direction: str, product: Product) -> str:
    if product.origin:
        return product.origin
    return "CN" if direction == Direction.IMPORT else "VN"


# ---------------------------------------------------------------------------------------------
# The generator


class _Generator:
    def __init__(self, *, seed, today, scale, now, stdout):
        self.seed = seed
        self.today = today
        self.scale = scale
        self.now = now
        self.cutoff = now + SERVICES_MARGIN
        self.stdout = stdout
        self.fleet_rng = random.Random(f"{seed}:fleet")
        self.ref_rng = random.Random(f"{seed}:references")
        self.container_rng = random.Random(f"{seed}:containers")
        self.tare_rng = random.Random(f"{seed}:tare")
        self.declaration_rng = random.Random(f"{seed}:declarations")
        self.gate_rngs = {g: random.Random(f"{seed}:trips:{g}") for g in GATE_ORDER}
        self.fleets: dict[tuple[str, str], list[Vehicle]] = defaultdict(list)
        self.plates: set[str] = set()
        self.containers: set[str] = set()
        self.references: set[str] = set()
        self.gates: dict[str, Gate] = {}
        self.orgs: dict[str, Organisation] = {}
        self.org_users: dict[str, object] = {}
        self.users: dict[str, object] = {}
        self.org_tables = {}
        self.writer: _Writer | None = None
        self.counts = Counter()
        self.lanes: dict[str, list[int]] = {}
        self.market: MarketBook | None = None
        self.timings: dict[str, float] = {}

    def say(self, message: str) -> None:
        if progress.watched():
            progress.say(message)  # above the live bars, not through them
        elif self.stdout is not None:
            self.stdout.write(message + "\n")

    # -- setup ---------------------------------------------------------------------------------

    def check_reference_data(self) -> None:
        gates = {g.code: g for g in Gate.objects.filter(code__in=GATE_ORDER, handles_freight=True)}
        missing = [code for code in GATE_ORDER if code not in gates]
        if missing:
            raise DemoDataError(
                f"Freight gates {', '.join(missing)} are missing: run `cuakhau load_reference`."
            )
        self.gates = gates
        codes = all_hs_codes()
        known = set(HSCode.objects.filter(code__in=codes, level=6).values_list("code", flat=True))
        if codes - known:
            raise DemoDataError(
                f"HS codes {', '.join(sorted(codes - known))} are not in the reference data: "
                "run `cuakhau load_reference` (or fix the demo catalogue)."
            )
        if not MarketAccessRule.objects.filter(is_active=True).exists():
            raise DemoDataError("No market-access rules are loaded: run `cuakhau setup`.")
        lanes = defaultdict(list)
        for gate_code, lane_id in (
            Lane.objects.filter(gate__in=gates.values(), is_open=True)
            .order_by("gate", "code")
            .values_list("gate__code", "id")
        ):
            lanes[gate_code].append(lane_id)
        if set(GATE_ORDER) - set(lanes):
            raise DemoDataError("The gates have no open lanes: run `cuakhau setup`.")
        self.lanes = dict(lanes)
        self.market = MarketBook(gates)
        refused = []
        for gate in GATE_ORDER:
            flows = (Direction.EXPORT, Direction.IMPORT, Direction.TEMPORARY_IMPORT_REEXPORT)
            for direction in (*flows, Direction.TRANSIT):
                for month in range(1, 13):
                    products, _weights = _mix(gate, direction, month)
                    if not products and _flow_mix(GATES[gate], direction):
                        raise DemoDataError(f"{gate} {direction}: no product in month {month}")
                    for product in products:
                        if not self._candidates(gate, direction, product):
                            raise DemoDataError(f"{gate} {direction}: nobody trades {product.key}")
                for product in _mix(gate, direction, None)[0]:
                    origin = _origin(direction, product)
                    blocking, _cert = self.market.check(
                        gate, direction, product.hs, origin, self.today
                    )
                    refused.extend(f"{gate} {direction} {product.key}: {m}" for m in blocking)
        if refused:
            # The catalogue must follow the market rules; a suspension declared for a few days
            # is handled when the trips are planned instead.
            raise DemoDataError("The demo catalogue breaks market rules:\n" + "\n".join(refused))

    def _candidates(self, gate: str, direction: str, product: Product | None) -> list[OrgSpec]:
        out = []
        for spec in ORGANISATIONS:
            if gate not in spec.gates:
                continue
            if product is None:
                out.append(spec)
            elif direction in (Direction.TEMPORARY_IMPORT_REEXPORT, Direction.TRANSIT):
                if spec.forwarder:
                    out.append(spec)
            elif product.key in spec.product_keys:
                out.append(spec)
        return out

    def _org_for(self, rng, gate: str, direction: str, product: Product | None) -> OrgSpec:
        key = (gate, direction, product.key if product else None)
        table = self.org_tables.get(key)
        if table is None:
            table = _table((o, o.weight) for o in self._candidates(gate, direction, product))
            self.org_tables[key] = table
        return _pick(rng, table)

    def ensure_organisations(self, tax_codes: dict[str, str]) -> None:
        for spec in ORGANISATIONS:
            org, _created = Organisation.objects.update_or_create(
                tax_code=tax_codes[spec.key],
                defaults={
                    "name": spec.name,
                    "country": spec.country,
                    "address": spec.address,
                    "phone": spec.phone,
                },
            )
            self.orgs[spec.key] = org

    def ensure_users(self) -> list[dict]:
        groups = ensure_role_groups()
        officer_gates = [self.gates[c] for c in OFFICER_GATES]
        rng = random.Random(f"{self.seed}:users")
        User = get_user_model()
        passwords = []
        for username, _role, name, *_rest in DEMO_USERS:
            while True:
                password = _password(rng)
                try:
                    validate_password(password, User(username=username, first_name=name))
                    break
                except ValidationError:
                    continue
            passwords.append(password)
        # PBKDF2 is slow on purpose and releases the GIL: hash the passwords side by side.
        with ThreadPoolExecutor(max_workers=4) as pool:
            hashes = list(pool.map(make_password, passwords))
        table = []
        named = {}
        for (username, role, name, language, org_key, at_gates), password, hashed in zip(
            DEMO_USERS, passwords, hashes, strict=True
        ):
            organisation = self.orgs[org_key] if org_key else None
            gates = officer_gates if at_gates else []
            named[username] = self._ensure_user(
                groups, username, hashed, role, name, language, organisation, gates
            )
            table.append({"username": username, "role": role, "password": password})
        for spec in ORGANISATIONS:
            user = named.get(spec.username)
            if user is None:
                # Declarants behind the other organisations: no login, only a name on records.
                language = "vi" if spec.country == "VN" else "zh-hans"
                user = self._ensure_user(
                    groups, spec.username, make_password(None), roles.ENTERPRISE, "", language,
                    self.orgs[spec.key], [],
                )  # fmt: skip
            self.org_users[spec.key] = user
        self.users = named
        return table

    @staticmethod
    def _ensure_user(groups, username, hashed, role, name, language, organisation, gates):
        User = get_user_model()
        user = User.objects.filter(username=username).first() or User(username=username)
        user.password = hashed
        user.first_name = name
        # A forgotten password's link goes here; the demo prints its e-mails in the server's log.
        # (".example" is reserved: no such inbox exists.)
        user.email = f"{username}@cuakhau.example" if name else ""
        user.is_active = True
        user.is_staff = user.is_superuser = role == roles.ADMINISTRATOR
        user.save()
        user.groups.set([groups[role]])
        profile = profile_of(user)
        profile.organisation = organisation
        profile.language = language
        profile.save()
        profile.gates.set(gates)
        return User.objects.get(pk=user.pk)  # fresh: no stale permission cache

    # -- people and vehicles -------------------------------------------------------------------

    def _vn_driver(self, rng, plate_code: str) -> Driver:
        if plate_code in VN_HIGHLAND_CODES:
            family = _pick(rng, VN_FAMILY_HIGHLAND)
        elif plate_code in VN_TAY_NUNG_CODES:
            family = _pick(rng, VN_FAMILY_TAY_NUNG)
        else:
            family = _pick(rng, VN_FAMILY)
        female = rng.random() < 0.04
        if female:
            name = f"{family} Thị {rng.choice(VN_GIVEN_FEMALE)}"
        else:
            name = f"{family} {rng.choice(VN_MIDDLE_MALE)} {rng.choice(VN_GIVEN_MALE)}"
        year = rng.randrange(1968, 2003)
        sex_century = (0 if year < 2000 else 2) + female
        document = (
            f"{CCCD_PROVINCE.get(plate_code, '001')}{sex_century}{year % 100:02d}"
            f"{rng.randrange(10**6):06d}"
        )
        phone = f"+84 {rng.choice(VN_MOBILE)}{rng.randrange(10)} {rng.randrange(1000):03d} "
        phone += f"{rng.randrange(1000):03d}"
        # As the services store it (E.164): the past trips are written without them.
        return Driver(name, "VN", document, normalise_phone_number(phone))

    def _cn_driver(self, rng, plate_prefix: str) -> Driver:
        province = plate_prefix[0]
        families = CN_FAMILY_GUANGXI + CN_FAMILY if province == "桂" else CN_FAMILY
        given = "".join(rng.choice(CN_GIVEN) for _ in range(rng.choice((1, 2, 2))))
        name = rng.choice(families) + given
        regions = CN_ID_REGIONS.get(province, CN_ID_REGIONS["云"])
        while True:
            birth = dt.date(rng.randrange(1968, 2001), rng.randrange(1, 13), rng.randrange(1, 29))
            # An odd sequence number is a man's: most drivers are.
            sequence = rng.randrange(0, 500) * 2 + 1
            body = f"{rng.choice(regions)}{birth:%Y%m%d}{sequence:03d}"
            document = body + ric.calc_check_digit(body + "0")
            if ric.is_valid(document):
                break
        phone = f"+86 {rng.choice(CN_MOBILE)} {rng.randrange(10**4):04d} {rng.randrange(10**4):04d}"
        return Driver(name, "CN", document, normalise_phone_number(phone))

    def _plate(self, raw: str) -> str | None:
        display = parse_plate(raw).display
        key = normalise_plate(display)
        if key in self.plates:
            return None
        self.plates.add(key)
        return display

    def _new_vehicle(
        self, rng, org: OrgSpec, kind: str, gross_t: float, at: dt.datetime
    ) -> Vehicle:
        region = _pick(rng, _table(org.plates))
        trailer = ""
        if org.country == "VN":
            while not (tractor := self._plate(f"{region}C{rng.randrange(1, 10**5):05d}")):
                pass
            if kind != VehicleType.TRUCK:
                # Semi-trailers have their own plate, series R.
                while not (trailer := self._plate(f"{region}R{rng.randrange(1, 10**5):05d}")):
                    pass
            driver = self._vn_driver(rng, region)
        else:

            def serial(n):
                lead = (
                    rng.choice(CN_PLATE_LETTERS) if rng.random() < 0.3 else str(rng.randrange(10))
                )
                return lead + "".join(str(rng.randrange(10)) for _ in range(n - 1))

            while not (tractor := self._plate(region + serial(5))):
                pass
            if kind != VehicleType.TRUCK:
                while not (trailer := self._plate(region + serial(4) + "挂")):
                    pass
            driver = self._cn_driver(rng, region)
        fits = [c for c in CAPACITIES[kind] if c >= gross_t] or [max(CAPACITIES[kind])]
        tare = tare_of(kind, self.tare_rng)
        return Vehicle(kind, tractor, trailer, rng.choice(fits), driver, at, tare)

    def _vehicle(self, plan: TripPlan) -> Vehicle:
        rng = self.fleet_rng
        org = plan.org
        kind = plan.kind
        gross_t = plan.gross_kg / 1000
        fleet = self.fleets[(org.key, kind)]
        chosen = None
        for _ in range(3 if fleet else 0):
            vehicle = fleet[rng.randrange(len(fleet))]
            if vehicle.free_at <= plan.arrival and vehicle.capacity >= gross_t:
                chosen = vehicle
                break
        if chosen is None:
            chosen = self._new_vehicle(rng, org, kind, gross_t, plan.arrival)
            fleet.append(chosen)
        chosen.free_at = plan.arrival + dt.timedelta(hours=org.turnaround_h * rng.uniform(0.8, 1.3))
        return chosen

    def _container_number(self) -> str:
        rng = self.container_rng
        while True:
            body = f"{rng.choice(CONTAINER_OWNERS)}{rng.randrange(10**6):06d}"
            number = body + iso6346.calc_check_digit(body)
            if number not in self.containers:
                self.containers.add(number)
                return number

    def _reference(self, gate: str) -> str:
        # As references.new_reference, from the seeded stream instead of `secrets`.
        prefix = gate.upper()
        while True:
            body = "".join(
                self.ref_rng.choice(references.BODY_ALPHABET) for _ in range(references.BODY_LENGTH)
            )
            check = mod_37_2.calc_check_digit(prefix + body)
            # As the platform: banks strip "*" from transfer texts, so such bodies are skipped.
            if check == "*":
                continue
            reference = f"{prefix}-{body}{check}"
            if reference not in self.references:
                self.references.add(reference)
                return reference

    # -- planning ------------------------------------------------------------------------------

    def plan_day(self, day: dt.date) -> list[TripPlan]:
        plans = []
        for gate in GATE_ORDER:
            rng = self.gate_rngs[gate]
            profile = GATES[gate]
            zone = ZoneInfo(self.gates[gate].time_zone)
            hours = _table((profile.opens + i, w) for i, w in enumerate(profile.hours))
            for direction, n in daily_volume(gate, day, rng, self.scale).items():
                for _ in range(n):
                    at = dt.time(_pick(rng, hours), rng.randrange(60))
                    arrival = dt.datetime.combine(day, at, tzinfo=zone)
                    plans.append(self._plan_trip(rng, gate, direction, arrival))
        plans.sort(key=lambda p: (p.arrival, GATE_ORDER.index(p.gate)))
        for plan in plans:
            plan.vehicle = self._vehicle(plan)
            plan.reference = self._reference(plan.gate)
            containers = [self._container_number() for _ in range(plan.n_containers)]
            if containers:
                if len(plan.lines) > 1 and len(containers) > 1:
                    plan.lines[0].containers, plan.lines[1].containers = (
                        containers[:1],
                        containers[1:],
                    )
                else:
                    # One box, several lines: a mixed load, each line in the same container.
                    for line in plan.lines:
                        line.containers = containers
            self._declaration_habits(plan)
        return plans

    def _declaration_habits(self, plan: TripPlan) -> None:
        """A few declarants cheat, which is what the risk rules are there to catch.

        Undervaluing (a price far below the market's) and loading more than declared are the
        cases the default rules score; a trader doing both lands in the red channel. The shares
        are set so that, with the random selection, about 70% of trucks go green, 22% yellow
        and 8% red, the mix asked of the demo (no channel shares are published).
        """
        rng = self.declaration_rng
        r = rng.random()
        factor = rng.uniform(0.2, 0.42)
        if not plan.lines:
            return
        plan.undervalued = r < 0.10
        plan.overloaded = 0.02 <= r < 0.20
        if plan.undervalued:
            # Well under half the usual price, which is what the rule looks for.
            line = plan.lines[0]
            line.usd = line.net_kg * sum(line.product.price) / 2 * factor

    def _plan_trip(self, rng, gate: str, direction: str, arrival: dt.datetime) -> TripPlan:
        if direction == Direction.EMPTY_RETURN:
            org = self._org_for(rng, gate, direction, None)
            lines, size, n_containers = [], "", 0
            # A container chassis going home empty travels as a tractor-trailer.
            kind = VehicleType.TRACTOR_TRAILER if rng.random() < 0.65 else VehicleType.TRUCK
        else:
            for _attempt in range(20):
                lines, kind, size, n_containers = _cargo(rng, GATES[gate], direction, arrival.month)
                refused = [
                    message
                    for line in lines
                    for message in self.market.check(
                        gate, direction, line.product.hs, _origin(direction, line.product),
                        arrival.date(),
                    )[0]
                ]  # fmt: skip
                if not refused:
                    break
                # Suspended that day (an outbreak, an alert): traders send something else.
            else:
                raise DemoDataError(f"{gate} {direction} on {arrival.date()}: {refused[0]}")
            org = self._org_for(rng, gate, direction, lines[0].product)
        r = rng.random()
        if org.country == "VN":
            currency = "USD" if r < 0.8 else "CNY" if r < 0.92 else "VND"
        else:
            currency = "USD" if r < 0.55 else "CNY"
        u = [rng.random() for _ in range(10)]
        return TripPlan(gate, direction, arrival, org, lines, kind, size, n_containers, currency, u)

    # -- paperwork -----------------------------------------------------------------------------

    def _line_fields(self, plan: TripPlan, line: LinePlan, *, declaration: str, phyto: str) -> dict:
        product = line.product
        vn = plan.org.country == "VN"
        description = product.vi if vn else product.zh
        if product.pack_kg and product.pack_vi:
            if vn:
                description += f", {product.pack_vi} {product.pack_kg:g} kg"
            else:
                description += f"，{product.pack_zh}{product.pack_kg:g}公斤"
        if plan.direction in FLOW_SUFFIX:
            description += FLOW_SUFFIX[plan.direction][0 if vn else 1]
        value = line.usd * USD_RATES[plan.currency]
        value = Decimal(round(value)) if plan.currency == "VND" else Decimal(f"{value:.2f}")
        origin = _origin(plan.direction, product)
        certificate = (
            product.plant
            or self.market.check(
                plan.gate, plan.direction, product.hs, origin, plan.arrival.date()
            )[1]
        )
        return {
            "hs_code": product.hs,
            "description": description,
            "quantity": line.quantity,
            "unit": product.unit,
            "gross_weight_kg": Decimal(line.gross_kg),
            "net_weight_kg": Decimal(line.net_kg),
            "value": value,
            "currency": plan.currency,
            "origin_country": origin,
            "packages": line.packages,
            "phytosanitary_certificate": phyto if certificate else "",
            "customs_declaration": declaration,
            "container_numbers": list(line.containers),
        }

    def _paperwork(self, plan: TripPlan, *, declaration_p: float):
        u = plan.u
        year = plan.arrival.year
        declaration = ""
        if plan.lines and u[3] < declaration_p:
            # VNACCS numbers export declarations in the 30... range and import ones in 10...
            prefix = "10" if plan.direction == Direction.IMPORT else "30"
            declaration = f"{prefix}{int(u[4] * 10**10):010d}"
        # Every plant consignment travels with its certificate, drafts included: China's rules
        # refuse a fresh-fruit line without one, and a draft is what will be submitted.
        phyto = ""
        if plan.lines:
            origin = _origin(plan.direction, plan.lines[0].product)
            authority = {"VN": "BVTV", "CN": "GACC", "TH": "DOA", "LA": "DOA"}[origin]
            phyto = f"{origin}-{authority}-{year}-{int(u[6] * 10**6):06d}"
        return [
            self._line_fields(plan, line, declaration=declaration, phyto=phyto)
            for line in plan.lines
        ]

    def _trip_fields(self, plan: TripPlan) -> dict:
        vehicle = plan.vehicle
        return {
            "direction": plan.direction,
            "expected_arrival": plan.arrival,
            "tractor_plate": vehicle.tractor,
            "trailer_plate": vehicle.trailer,
            "vehicle_type": plan.kind,
            "capacity_tonnes": Decimal(f"{vehicle.capacity:.2f}"),
            "container_size": plan.container_size,
            "driver_name": vehicle.driver.name,
            "driver_nationality": vehicle.driver.nationality,
            "driver_document_number": vehicle.driver.document,
            "driver_phone": vehicle.driver.phone,
        }

    # -- the life of past trips ----------------------------------------------------------------

    def simulate(self, plans: list[TripPlan]) -> None:
        """What happened to the past trips, in memory: declared, paid, checked in, assessed,
        inspected, cleared, gone; then the day's discrepancies and the receipt numbers."""
        self.lifecycle = life_of = Lifecycle(
            self,
            bank_provider=providers.bank_provider().code,
            cash_provider=providers.cash_provider().code,
        )
        fee_book = FeeBook(self.gates)
        for plan in progress.track(plans, "Past trips declared, assessed, paid and checked in"):
            user = self.org_users[plan.org.key]
            plan.paperwork = self._paperwork(plan, declaration_p=0.92)
            life = plan.life = Life(history=self._history(plan, user))
            life.lines = [
                CargoFacts(n, line.product, fields)
                for n, (line, fields) in enumerate(zip(plan.lines, plan.paperwork, strict=True), 1)
            ]
            life.submitted = next((h[3] for h in life.history if h[0] == "submit"), None)
            if life.submitted is None:
                continue
            # The fee is assessed when the declaration is submitted (fees.signals).
            life.fee = fee_book.assess(
                self.gates[plan.gate], self._trip_like(plan), life.lines, plan.containers
            )
            if life.status == TripStatus.SUBMITTED:
                life_of.pay_and_arrive(plan, life, user)
        self._assess_risk(plans)
        with progress.stage("Inspections and exits", total=len(plans)) as step:
            for plan in plans:
                life = plan.life
                if life.arrived is not None:
                    quarantine = self.market.needs_quarantine(
                        plan.gate, plan.direction, life.lines, plan.arrival.date()
                    )
                    life_of.inspect(plan, life, quarantine)
                step.advance()
            step.done_note = f"{sum(len(p.life.inspections) for p in plans):,} inspections"
        with progress.stage("Reconciliation discrepancies and receipt numbers"):
            life_of.discrepancies(plans)
            self._number_receipts(plans)

    def _trip_like(self, plan: TripPlan) -> SimpleNamespace:
        return SimpleNamespace(
            direction=plan.direction,
            expected_arrival=plan.arrival,
            vehicle_type=plan.kind,
            capacity_tonnes=Decimal(f"{plan.vehicle.capacity:.2f}"),
            container_size=plan.container_size,
        )

    def _assess_risk(self, plans: list[TripPlan]) -> None:
        """Risk channels at submission and again at check-in (with the weighbridge reading),
        in the order these happened, so each assessment sees the history it would have seen."""
        book = RiskBook(risk_services.active_ruleset())
        if book.unknown_kinds:
            self.say(f"Risk rules of kinds {', '.join(book.unknown_kinds)} are not simulated.")
        first: dict[str, dt.datetime] = {}
        events = []
        for plan in plans:
            life = plan.life
            if life.submitted is None:
                continue
            key = plan.org.key
            if key not in first or life.submitted < first[key]:
                first[key] = life.submitted
            events.append((life.submitted, 0, plan.reference, plan))
            if life.arrived is not None:
                # Assessed again at check-in, once the truck is weighed (gate.services.check_in).
                events.append((life.arrived + dt.timedelta(seconds=1), 1, plan.reference, plan))
        events.sort(key=itemgetter(0, 1, 2))
        # At submission and again at check-in, in the order these happened.
        for at, kind, reference, plan in progress.track(events, "Risk channels"):
            life = plan.life
            common = {
                "reference": reference,
                "lines": life.lines,
                "first_time": life.submitted == first[plan.org.key],
                "at": at,
                "zone": self.gates[plan.gate].time_zone,
            }
            if kind == 0:
                life.risk.append(book.assess(weighed=None, **common))
                book.declare(life.lines)
            else:
                weighed = None
                if life.weighing is not None:
                    gross, tare = life.weighing[:2]
                    weighed = (gross - tare).quantize(Decimal("0.001"))
                life.risk.append(book.assess(weighed=weighed, previous=life.risk[0], **common))

    def _number_receipts(self, plans: list[TripPlan]) -> None:
        """Receipt numbers in the order of issue, without gaps, per gate and year (as
        receipts.services numbers them), after whatever the installation already issued."""
        sequences = {
            (code, year): last
            for code, year, last in ReceiptSequence.objects.filter(
                gate__in=list(self.gates.values())
            ).values_list("gate__code", "year", "last")
        }
        issued = sorted(
            (p for p in plans if p.life.issued is not None),
            key=lambda p: (p.life.issued, p.reference),
        )
        self.receipt_sequences = {}
        zone = timezone.get_current_timezone()  # as receipts.services dates a receipt
        for plan in issued:
            life = plan.life
            year = life.issued.astimezone(zone).year
            key = (plan.gate, year)
            sequence = sequences.get(key, 0) + 1
            sequences[key] = self.receipt_sequences[key] = sequence
            life.receipt = {
                "year": year,
                "sequence": sequence,
                "number": f"{plan.gate.upper()}-{year}-{sequence:06d}",
            }

    # -- writing past trips in bulk ------------------------------------------------------------

    def write_bulk(self, plans: list[TripPlan]) -> None:
        signer = ReceiptSigner()
        with progress.stage(
            "Past trips written with their payments, receipts, visits and inspections",
            total=len(plans),
        ) as step:
            for start in range(0, len(plans), BULK_CHUNK):
                chunk = plans[start : start + BULK_CHUNK]
                self._write_chunk(chunk, signer)
                step.advance(len(chunk))
            step.done_note = (
                f"{len(plans):,} trips, {sum(1 for p in plans if p.life.receipt):,} receipts"
            )
        for (code, year), last in self.receipt_sequences.items():
            ReceiptSequence.objects.update_or_create(
                gate=self.gates[code], year=year, defaults={"last": last}
            )
        self.counts["receipts"] += sum(1 for p in plans if p.life.receipt)

    def _write_chunk(self, plans: list[TripPlan], signer: ReceiptSigner) -> None:
        writer = self.writer
        when = writer.when
        dumps = json.dumps
        lives = [p.life for p in plans]
        # One reservation per table per chunk: rows point at each other before any is written.
        ids = {
            model: iter(writer.reserve(model, n))
            for model, n in (
                (Trip, len(plans)),
                (CargoLine, sum(len(p.paperwork) for p in plans)),
                (Container, sum(len(p.containers) for p in plans)),
                (ContainerLink, sum(len(line.containers) for p in plans for line in p.lines)),
                (TripTransition, sum(len(life.history) for life in lives)),
                (FeeAssessment, sum(life.fee is not None for life in lives)),
                (RiskAssessment, sum(len(life.risk) for life in lives)),
                (Receipt, sum(life.receipt is not None for life in lives)),
                (Payment, sum(len(life.payments) for life in lives)),
                (
                    NotificationLog,
                    sum(
                        p.notified + (p.duplicate_at is not None) for x in lives for p in x.payments
                    ),
                ),
                (
                    ReceiptUse,
                    sum((life.exited is not None) + (life.reused_at is not None) for life in lives),
                ),
                (Visit, sum(life.arrived is not None for life in lives)),
                (WeighbridgeReading, sum(life.weighing is not None for life in lives)),
                (Inspection, sum(len(life.inspections) for life in lives)),
                (
                    QuarantineSample,
                    sum(len(i.samples) for life in lives for i in life.inspections),
                ),
            )
        }
        rows = defaultdict(list)
        operator_id = self.users["vanhanh"].pk
        latest = self.lifecycle.latest
        pks: dict[int, int] = {}

        def pk(user) -> int | None:
            # A model's pk is a property lookup; this runs for every transition.
            if user is None:
                return None
            found = pks.get(id(user))
            if found is None:
                found = pks[id(user)] = user.pk
            return found

        for plan in plans:
            life = plan.life
            gate = self.gates[plan.gate]
            org = self.orgs[plan.org.key]
            user = self.org_users[plan.org.key]
            history = life.history
            status = history[-1][2]
            trip_id = next(ids[Trip])
            row = self._trip_fields(plan)
            row.update(
                id=trip_id,
                expected_arrival=when(plan.arrival),
                reference=plan.reference,
                organisation_id=org.pk,
                gate_id=gate.pk,
                tractor_plate_key=normalise_plate(row["tractor_plate"]),
                trailer_plate_key=normalise_plate(row["trailer_plate"]),
                status=status,
                version=1,
                created_by_id=user.pk,
                created_at=when(history[0][3]),
                updated_at=when(history[-1][3]),
                submitted_at=when(life.submitted),
            )
            rows[Trip].append(row)
            active = status in ACTIVE_STATUSES and status != TripStatus.DRAFT
            container_ids = {}
            for number in plan.containers:
                if number in container_ids:
                    continue
                container_ids[number] = next(ids[Container])
                rows[Container].append(
                    {
                        "id": container_ids[number],
                        "trip_id": trip_id,
                        "number": number,
                        "active": active,
                    }
                )
            for line_no, fields in enumerate(plan.paperwork, start=1):
                fields = dict(fields)
                numbers = fields.pop("container_numbers")
                line_id = next(ids[CargoLine])
                fields.update(id=line_id, trip_id=trip_id, line_no=line_no)
                rows[CargoLine].append(fields)
                for number in numbers:
                    rows[ContainerLink].append(
                        {
                            "id": next(ids[ContainerLink]),
                            "cargoline_id": line_id,
                            "container_id": container_ids[number],
                        }
                    )
            for action, source, target, at, actor, reason, channel in history:
                rows[TripTransition].append(
                    {
                        "id": next(ids[TripTransition]),
                        "trip_id": trip_id,
                        "action": action,
                        "from_status": source,
                        "to_status": target,
                        "actor_id": pk(actor),
                        "at": when(at),
                        "reason": reason,
                        "channel": channel,
                        "remote_addr": None,
                        "version": 1,
                    }
                )
            if life.fee is None:
                continue
            fee_id = next(ids[FeeAssessment])
            rows[FeeAssessment].append(
                {
                    "id": fee_id,
                    "trip_id": trip_id,
                    "trip_version": 1,
                    "schedule_id": life.fee.schedule_id,
                    "total_vnd": life.fee.total,
                    "items": life.fee.items_json,
                    "explanation": dumps(life.fee.explanation),
                    "previous_id": None,
                    "assessed_at": when(life.submitted),
                    "is_current": True,
                }
            )
            previous_id = None
            for n, assessment in enumerate(life.risk):
                risk_id = next(ids[RiskAssessment])
                rows[RiskAssessment].append(
                    {
                        "id": risk_id,
                        "trip_id": trip_id,
                        "trip_version": 1,
                        "ruleset_id": assessment["ruleset_id"],
                        "channel": assessment["channel"],
                        "score": assessment["score"],
                        "reasons": dumps(reasons) if (reasons := assessment["reasons"]) else "[]",
                        "random_draw": assessment["random_draw"],
                        "declared_gross_kg": assessment["declared_gross_kg"],
                        "weighbridge_kg": assessment["weighbridge_kg"],
                        "previous_id": previous_id,
                        "assessed_at": when(assessment["assessed_at"]),
                        "is_current": n == len(life.risk) - 1,
                    }
                )
                previous_id = risk_id
            receipt_id = token = kid = None
            if life.receipt is not None:
                receipt_id = next(ids[Receipt])
                number = life.receipt["number"]
                receipt = SimpleNamespace(
                    number=number,
                    trip=SimpleNamespace(reference=plan.reference),
                    gate=gate,
                    amount_vnd=life.fee.total,
                    issued_at=life.issued,
                    authority=receipts.authority_of(gate),
                    tractor_plate=row["tractor_plate"],
                    trailer_plate=row["trailer_plate"],
                    payer_tax_code=org.tax_code,
                    items=life.fee.items,
                )
                token, kid = signer.sign(receipts.claims_of(receipt), gate.code)
                revoked_at, revoked_by, reason = life.revoked or (None, None, "")
                rows[Receipt].append(
                    {
                        "id": receipt_id,
                        "number": number,
                        "gate_id": gate.pk,
                        "year": life.receipt["year"],
                        "sequence": life.receipt["sequence"],
                        "trip_id": trip_id,
                        "assessment_id": fee_id,
                        "amount_vnd": life.fee.total,
                        "items": life.fee.items_json,
                        "payer_name": org.name,
                        "payer_tax_code": org.tax_code,
                        "tractor_plate": row["tractor_plate"],
                        "trailer_plate": row["trailer_plate"],
                        "authority": receipt.authority,
                        "issued_at": when(life.issued),
                        "kid": kid,
                        "token": token,
                        "status": ReceiptStatus.REVOKED if life.revoked else ReceiptStatus.VALID,
                        "revoked_at": when(revoked_at),
                        "revoked_by_id": revoked_by.pk if revoked_by else None,
                        "revoke_kind": RevokeKind.REFUNDED if life.revoked else "",
                        "revoke_reason": reason,
                        "used_at": when(life.exited),
                        "used_gate_id": gate.pk if life.exited else None,
                        "used_by_id": operator_id if life.exited else None,
                    }
                )
            for payment in life.payments:
                payment_id = next(ids[Payment])
                body, digest = notification_body(payment.raw)
                resolution = payment.resolution
                if payment.resolved_at is not None and not resolution and life.receipt:
                    # How payments.services settles an earlier short payment.
                    resolution = gettext("completed by later payment; receipt %(n)s") % {
                        "n": life.receipt["number"]
                    }
                rows[Payment].append(
                    {
                        "id": payment_id,
                        "provider": payment.provider,
                        "external_id": payment.external_id,
                        "method": payment.method,
                        "trip_id": trip_id if payment.for_trip else None,
                        "receipt_id": receipt_id if payment.settles else None,
                        "amount_vnd": payment.amount,
                        "currency": "VND",
                        "payer_name": payment.payer_name,
                        "payer_account": payment.payer_account,
                        "description": payment.description,
                        "paid_at": when(payment.paid_at),
                        "recorded_at": when(payment.recorded_at),
                        "recorded_by_id": pk(payment.recorded_by),
                        "flag": payment.flag,
                        **_flag_detail(payment.flag_detail),
                        "resolved_at": when(payment.resolved_at),
                        "resolved_by_id": (
                            payment.resolved_by.pk if payment.resolved_by is not None else None
                        ),
                        "resolution": resolution,
                        "raw": body,
                    }
                )
                if not payment.notified:
                    continue
                for outcome, at in (
                    (NotificationOutcome.ACCEPTED, payment.recorded_at),
                    (NotificationOutcome.DUPLICATE, payment.duplicate_at),
                ):
                    if at is None:
                        continue
                    rows[NotificationLog].append(
                        {
                            "id": next(ids[NotificationLog]),
                            "provider": payment.provider,
                            "received_at": when(at),
                            "remote_addr": BANK_ADDRESS,
                            "outcome": outcome,
                            "detail": "",
                            "body_sha256": digest,
                            "payment_id": payment_id,
                        }
                    )
            if life.arrived is None:
                continue
            rows[Visit].append(
                {
                    "id": next(ids[Visit]),
                    "trip_id": trip_id,
                    "gate_id": gate.pk,
                    "entry_lane_id": life.entry_lane,
                    "yard_position": life.yard,
                    "arrived_at": when(life.arrived),
                    "checked_in_by_id": operator_id,
                    "cleared_at": when(life.cleared),
                    "exit_lane_id": life.exit_lane,
                    "exited_at": when(life.exited),
                    "exited_by_id": operator_id if life.exited else None,
                }
            )
            if life.weighing is not None:
                gross, tare, source, device = life.weighing
                rows[WeighbridgeReading].append(
                    {
                        "id": next(ids[WeighbridgeReading]),
                        "trip_id": trip_id,
                        "gate_id": gate.pk,
                        "gross_kg": gross,
                        "tare_kg": tare,
                        "measured_at": when(life.arrived),
                        "source": source,
                        "device_id": device,
                        "recorded_by_id": operator_id,
                    }
                )
            for spec in life.inspections:
                inspection_id = next(ids[Inspection])
                rows[Inspection].append(
                    {
                        "id": inspection_id,
                        "trip_id": trip_id,
                        "agency": spec.agency,
                        "kind": spec.kind,
                        "started_at": when(spec.started),
                        "ended_at": when(spec.ended),
                        "result": Result.PASS if spec.ended is not None else "",
                        "notes": spec.notes,
                        "officer_id": pk(spec.officer),
                        "automatic": spec.automatic,
                    }
                )
                for code, what, laboratory, taken, result_at in spec.samples:
                    known = result_at <= latest
                    rows[QuarantineSample].append(
                        {
                            "id": next(ids[QuarantineSample]),
                            "inspection_id": inspection_id,
                            "sample_code": code,
                            "description": what,
                            "taken_at": when(taken),
                            "taken_by_id": pk(spec.officer),
                            "laboratory": laboratory,
                            "result": SampleResult.NEGATIVE if known else SampleResult.PENDING,
                            "finding": "",
                            "result_at": when(result_at) if known else None,
                        }
                    )
            uses = [(life.exited, UseOutcome.USED), (life.reused_at, UseOutcome.ALREADY_USED)]
            for at, outcome in uses:
                if at is None:
                    continue
                # What a real exit records: the verification's reasons in the platform's
                # language (``receipts.judge_at_exit``), never the signing module's English.
                detail = _exit_use_detail(outcome, kid, life.receipt["number"], gate, life.exited)
                rows[ReceiptUse].append(
                    {
                        "id": next(ids[ReceiptUse]),
                        "receipt_id": receipt_id,
                        "number": life.receipt["number"],
                        "gate_id": gate.pk,
                        "at": when(at),
                        "actor_id": operator_id,
                        "outcome": outcome,
                        **detail,
                    }
                )
        for model in (
            Trip, CargoLine, Container, ContainerLink, TripTransition, FeeAssessment, RiskAssessment, Receipt,
            Payment, NotificationLog, ReceiptUse, Visit, WeighbridgeReading, Inspection,
            QuarantineSample,
        ):  # fmt: skip
            writer.insert(model, rows[model])
        self.counts["bulk_trips"] += len(plans)

    def _timeline(self, plan: TripPlan) -> tuple[dt.datetime, dt.datetime]:
        """When the trip's declaration was (or will be) created and submitted."""
        u = plan.u
        low, high = LEAD_HOURS
        lead = dt.timedelta(hours=low * math.exp(u[1] * math.log(high / low)))
        created = plan.arrival - lead
        lead_minutes = lead.total_seconds() / 60
        return created, created + dt.timedelta(minutes=2 + u[2] * (lead_minutes - 30) / 2)

    def _history(self, plan: TripPlan, user) -> list[tuple]:
        """The transitions of a past trip: (action, from, to, at, actor, reason, channel)."""
        u = plan.u
        arrival = plan.arrival
        channel = Channel.API if u[7] < 0.3 else Channel.WEB
        created, submitted = self._timeline(plan)
        latest = self.now - dt.timedelta(minutes=1)
        history = [("create", "", TripStatus.DRAFT, created, user, "", channel)]
        vn = plan.org.country == "VN"
        s = u[0]
        if s < 0.006:
            at = created + (arrival - created) * (0.1 + 0.8 * u[8])
            if at <= latest:
                reason = _choice(CANCEL_REASONS_VI if vn else CANCEL_REASONS_ZH, u[9])
                history.append(
                    ("cancel", TripStatus.DRAFT, TripStatus.CANCELLED, at, user, reason, channel)
                )
                return history
        history.append(
            ("submit", TripStatus.DRAFT, TripStatus.SUBMITTED, submitted, user, "", channel)
        )
        if 0.006 <= s < 0.025:
            at = submitted + (arrival - submitted) * (0.1 + 0.85 * u[8])
            if at <= latest:
                if u[9] < 0.15:
                    actor, reason, via = self.users["admin"], ADMIN_CANCEL_REASON, Channel.WEB
                else:
                    actor, via = user, channel
                    reason = _choice(CANCEL_REASONS_VI if vn else CANCEL_REASONS_ZH, u[9])
                history.append(
                    ("cancel", TripStatus.SUBMITTED, TripStatus.CANCELLED, at, actor, reason, via)
                )
        elif 0.025 <= s < 0.04:
            # Refused at the gate: from two hours before the arrival to an hour after it.
            start = max(submitted + dt.timedelta(minutes=10), arrival - dt.timedelta(hours=2))
            at = start + (arrival + dt.timedelta(hours=1) - start) * u[8]
            if at <= latest:
                plant = any(line.product.plant for line in plan.lines)
                role = _reviewer(u[9], plant)
                actor = self.users[REVIEWER_USER[role]]
                reason = _choice(REJECT_REASONS[role], (u[9] * 7) % 1)
                history.append(
                    ("reject", TripStatus.SUBMITTED, TripStatus.REJECTED, at, actor, reason, WEB)
                )
        return history

    # -- declaring coming trips through the services --------------------------------------------

    def link_demo_driver(self) -> None:
        """The demo's driver login drives for Phong Thổ: it is given the phone of the company's
        driver with the most trips still under way (else of any), and reads those trips."""
        user = self.users.get("driver")
        if user is None:
            return
        ours = Trip.objects.filter(organisation=self.orgs["phongtho"])
        for trips in (ours.filter(status__in=ACTIVE_STATUSES), ours):
            busiest = (
                trips.values("driver_phone")
                .annotate(n=Count("id"))
                .order_by("-n", "driver_phone")
                .first()
            )
            if busiest:
                profile = profile_of(user)
                profile.phone = busiest["driver_phone"]
                profile.save(update_fields=["phone"])
                return

    def write_through_services(self, plans: list[TripPlan]) -> None:
        pending: list[str] = []
        original = references.new_reference

        def seeded_reference(gate_code: str) -> str:
            return pending.pop()

        # The services draw references from `secrets`; hand them the seeded ones instead, so the
        # same seed gives the same references here too.
        references.new_reference = seeded_reference
        try:
            for plan in progress.track(
                plans, "Coming trips declared and paid through the services"
            ):
                created, submitted = self._timeline(plan)
                if created > self.now:
                    continue  # not declared yet
                submit = submitted <= self.now
                data = self._trip_fields(plan)
                data["gate"] = self.gates[plan.gate]
                data["cargo_lines"] = self._paperwork(plan, declaration_p=0.75 if submit else 0.3)
                user = self.org_users[plan.org.key]
                context = RequestContext(channel=Channel.API if plan.u[7] < 0.3 else Channel.WEB)
                pending.append(plan.reference)
                try:
                    if submit:
                        trip = trip_services.save_and_submit(user, None, data, context)
                    else:
                        trip = trip_services.create_draft(user, data, context)
                except FieldErrors as exc:
                    raise DemoDataError(f"{plan.reference} was refused: {exc}") from exc
                self.counts["service_trips"] += 1
                if submit:
                    self._pay_ahead(plan, trip)
        finally:
            references.new_reference = original

    def _pay_ahead(self, plan: TripPlan, trip: Trip) -> None:
        """The transfers made already for trucks still to come, through the bank's webhook.

        The notification is signed with the installation's webhook secret and goes through
        payments.services.receive_notification, so the receipt is issued, numbered and signed by
        the platform itself, after the receipts written in bulk.
        """
        rng = random.Random(f"{self.seed}:life:{plan.reference}")
        fate = rng.random()
        cash = rng.random() < (0.12 if plan.org.country == "VN" else 0.5)
        if fate < 0.025 or cash:
            return  # will not come, or pays at the counter when it does
        hours = math.exp(rng.uniform(math.log(0.5), math.log(20)))
        if plan.arrival - dt.timedelta(hours=hours) > self.now:
            return  # pays later
        # Declared just now through the services, so paid just now too.
        due = payment_services.amount_due(trip)
        spec = self.lifecycle.bank_payment(plan, due, timezone.now(), rng)
        body = notification_body(spec.raw)[0].encode()
        provider = providers.bank_provider()
        timestamp = str(int(time.time()))
        headers = {
            "X-Cuakhau-Timestamp": timestamp,
            "X-Cuakhau-Signature": providers.sign_body(provider.secret, timestamp, body),
        }
        log, payment = payment_services.receive_notification(
            provider.code, headers, body, BANK_ADDRESS
        )
        if payment is None or payment.receipt_id is None:
            raise DemoDataError(f"The demo transfer for {plan.reference} was refused: {log.detail}")
        self.counts["service_receipts"] += 1

    def forwarder_for(self, plan: TripPlan, rng) -> Organisation:
        """The Vietnamese company that pays in đồng for a Chinese declarant at this gate."""
        at_gate = [o for o in ORGANISATIONS if o.country == "VN" and plan.gate in o.gates]
        forwarders = [o for o in at_gate if o.forwarder] or at_gate
        return self.orgs[forwarders[int(rng.random() * len(forwarders))].key]

    @staticmethod
    def cancel_reasons(vn: bool) -> tuple[str, ...]:
        return CANCEL_REASONS_VI if vn else CANCEL_REASONS_ZH

    @staticmethod
    def gate_hours(gate: str) -> tuple[int, int]:
        """When the gate works, local hours: arrivals are spread over these (GateProfile)."""
        profile = GATES[gate]
        return profile.opens, profile.opens + len(profile.hours)

    def season(self, gate: str, at: dt.datetime) -> float:
        return SEASON[at.month] if GATES[gate].seasonal else 1.0


class _Writer:
    """Plain INSERTs of prepared rows, with ids taken up front.

    ``bulk_create`` prepares every value through its model field and builds one statement per
    few dozen rows: at 90 days (half a million rows) that alone took half a minute. Rows here
    hold database-ready values (date-times through ``when``); a column a row leaves out gets
    its model default, so a field added to these models later does not break the demo.
    """

    def __init__(self, using: str = "default"):
        self.connection = connections[using]
        self.sqlite = self.connection.vendor == "sqlite"
        if not self.sqlite and self.connection.vendor != "postgresql":
            raise DemoDataError("The demo generator writes to SQLite or PostgreSQL only.")

    @contextmanager
    def bulk(self):
        """Room for the bulk load, then fresh statistics for the queries that follow it."""
        with self.connection.cursor() as cursor:
            if self.sqlite:
                # SQLite's default page cache is 2 MB: index pages of the large tables would be
                # read back and forth. A bigger cache for this connection, then as it was.
                cursor.execute("PRAGMA cache_size")
                size = cursor.fetchone()[0]
                cursor.execute("PRAGMA cache_size = -262144")
            try:
                yield
            finally:
                if self.sqlite:
                    cursor.execute(f"PRAGMA cache_size = {int(size)}")
            # The services that run next (risk history, fee and receipt lookups) plan their
            # queries from table statistics; a million fresh rows make the old ones wrong.
            if self.sqlite:
                statistics.analyze(self.connection)
            else:
                cursor.execute("ANALYZE")

    def when(self, value: dt.datetime | None):
        if value is None or not self.sqlite:
            return value
        # As Django stores date-times in SQLite: naive, in the connection's zone (UTC). This
        # runs for millions of values: slicing off "+00:00" is cheaper than replace(tzinfo=None).
        return str(value.astimezone(self.connection.timezone))[:-6]

    def reserve(self, model, n: int) -> list[int]:
        if n == 0:
            return []
        ops = self.connection.ops
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            if not self.sqlite:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, model._meta.pk.column, n],
                )
                return [row[0] for row in cursor.fetchall()]
            # This transaction holds SQLite's write lock: nobody takes these ids meanwhile.
            # AUTOINCREMENT never reuses an id, even a deleted row's: start above its counter.
            pk = ops.quote_name(model._meta.pk.column)
            cursor.execute(f"SELECT MAX({pk}) FROM {ops.quote_name(table)}")
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, row[0] if row else 0) + 1
        return list(range(start, start + n))

    def insert(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        ops = self.connection.ops
        fields = {f.attname: f for f in model._meta.local_concrete_fields}
        names = list(rows[0])
        missing = [f for name, f in fields.items() if name not in rows[0]]
        defaults = tuple(f.get_db_prep_save(f.get_default(), self.connection) for f in missing)
        columns = [fields[name].column for name in names] + [f.column for f in missing]
        table = ops.quote_name(model._meta.db_table)
        column_list = ", ".join(ops.quote_name(c) for c in columns)
        row_values = itemgetter(*names)
        # Most rows name every column: no defaults to add, and no second tuple per row.
        values = (
            map(row_values, rows) if not defaults else (row_values(row) + defaults for row in rows)
        )
        with self.connection.cursor() as cursor:
            if self.sqlite:
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({column_list}) VALUES ({marks})"
                cursor.executemany(sql, values)
                return
            # PostgreSQL answers each row of an executemany: COPY streams them in one go.
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)


CANCEL_REASONS_VI = (
    "Đối tác phía Trung Quốc hủy đơn hàng.",
    "Đổi xe vận chuyển, đã khai báo chuyến mới.",
    "Hàng chưa thu hoạch kịp, lùi lịch giao.",
    "Xe hỏng trên đường, không đến kịp cửa khẩu.",
    "Khai báo trùng chuyến.",
)
CANCEL_REASONS_ZH = (
    "客户取消订单。",
    "更换车辆，已重新申报。",
    "车辆故障，无法按时到达口岸。",
    "重复申报。",
)
ADMIN_CANCEL_REASON = "Hủy theo đề nghị của doanh nghiệp qua đường dây nóng."
REJECT_REASONS = {
    roles.CUSTOMS: (
        "Số kiện thực tế không khớp với tờ khai hải quan.",
        "Thiếu số tờ khai hải quan cho lô hàng.",
        "Trị giá khai báo không phù hợp với hóa đơn thương mại.",
        "Mã HS khai báo không đúng với hàng hóa thực tế.",
    ),
    roles.QUARANTINE: (
        "Thiếu giấy chứng nhận kiểm dịch thực vật.",
        "Mã vùng trồng, cơ sở đóng gói chưa được phía Trung Quốc phê duyệt.",
        "Phát hiện sinh vật gây hại thuộc diện kiểm dịch, lô hàng phải xử lý.",
    ),
    roles.BORDER_GUARD: (
        "Giấy tờ tùy thân của lái xe không khớp với thông tin khai báo.",
        "Biển số xe thực tế không khớp với biển số khai báo.",
        "Lái xe chưa có giấy phép vào khu vực cửa khẩu.",
    ),
}
REVIEWER_USER = {
    roles.CUSTOMS: "haiquan",
    roles.QUARANTINE: "kiemdich",
    roles.BORDER_GUARD: "bienphong",
}


WEB = Channel.WEB


def _choice(options, u: float):
    return options[min(len(options) - 1, int(u * len(options)))]


def _reviewer(u: float, plant: bool) -> str:
    if plant:
        return roles.CUSTOMS if u < 0.4 else roles.QUARANTINE if u < 0.8 else roles.BORDER_GUARD
    return roles.CUSTOMS if u < 0.7 else roles.BORDER_GUARD


# ---------------------------------------------------------------------------------------------
# Entry point


def demo_organisations():
    return Organisation.objects.filter(tax_code__in=organisation_tax_codes().values())


def delete_demo_trips() -> int:
    """Delete the demo organisations' trips and every row that depends on them.

    Receipts, payments, visits and device events protect their trip from deletion (a receipt
    once issued is evidence); the demo's own go first, then the trips with everything else.
    """
    trips = Trip.objects.filter(organisation__in=demo_organisations())
    files = [d.file for d in TripDocument.objects.filter(trip__in=trips)]
    count = trips.count()
    receipts_of = Receipt.objects.filter(trip__in=trips)
    payments_of = Payment.objects.filter(Q(trip__in=trips) | Q(trip=None, raw__demo=True))
    series = set(receipts_of.values_list("gate_id", "year").distinct())
    _purge(ReceiptUse.objects.filter(receipt__in=receipts_of))
    _purge(NotificationLog.objects.filter(payment__in=payments_of))
    _purge(payments_of)
    _purge(receipts_of)
    _purge(Visit.objects.filter(trip__in=trips))
    _purge(GateEvent.objects.filter(trip__in=trips))
    _purge(trips)
    # Each series goes back to its last number still issued, so the next one follows on.
    for gate_id, year in series:
        top = Receipt.objects.filter(gate_id=gate_id, year=year).aggregate(top=Max("sequence"))
        ReceiptSequence.objects.filter(gate_id=gate_id, year=year).update(last=top["top"] or 0)

    def delete_files():
        for file in files:
            file.delete(save=False)

    # Only once the rows are gone for good: a rolled-back reset keeps its documents.
    transaction.on_commit(delete_files)
    return count


def _purge(queryset) -> None:
    """Delete the rows of ``queryset`` and what depends on them, one statement per table.

    Django's collector loads every row it deletes; at 90 days that is several hundred thousand
    objects. Following the relations here keeps what it guarantees: cascades cascade, SET_NULL
    is applied and a protected reference stops the reset.
    """
    model = queryset.model
    for rel in model._meta.related_objects:
        if rel.many_to_many:
            through = rel.through
            link = next(f for f in through._meta.fields if f.related_model is model)
            _purge(through._base_manager.filter(**{f"{link.name}__in": queryset}))
            continue
        related = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": queryset})
        if rel.on_delete is models.CASCADE:
            if rel.related_model is model:
                related.delete()  # a tree of rows: the collector handles the cycles
            else:
                _purge(related)
        elif rel.on_delete is models.SET_NULL:
            related.update(**{rel.field.name: None})
        elif rel.on_delete is not models.DO_NOTHING and related.exists():
            raise DemoDataError(
                f"{rel.related_model._meta.label} rows refer to demo data and may not be deleted "
                f"({rel.on_delete.__name__}): delete them first."
            )
    connection = connections[queryset.db]
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)


def generate(
    days: int = 90,
    seed: int = 2025,
    today: dt.date | None = None,
    scale: float = 1.0,
    stdout=None,
    *,
    reset: bool = False,
    now: dt.datetime | None = None,
) -> dict:
    """Generate the demo data and return what was made.

    ``days`` back from ``today`` and ``DAYS_AHEAD`` days ahead; ``scale`` multiplies every
    volume. If demo trips exist, ``reset=True`` deletes them first (DemoDataExists otherwise).
    ``now`` separates trips already past (written in bulk with their whole life at the gate)
    from those to come (declared, and some paid, through the services); it defaults to the
    clock.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    gen = _Generator(seed=seed, today=today, scale=scale, now=now, stdout=stdout)
    # Idempotent; the risk channels of the past trips are those of the active rule set.
    risk_services.install_default_ruleset()
    gen.check_reference_data()
    tax_codes = organisation_tax_codes()
    timings = gen.timings
    with transaction.atomic():
        existing = Trip.objects.filter(organisation__tax_code__in=tax_codes.values())
        if existing.exists():
            if not reset:
                raise DemoDataExists(
                    "Demo trips already exist: generate(reset=True) (or `cuakhau demo`) deletes "
                    "and regenerates them."
                )
            clock = time.perf_counter()
            with progress.stage("Previous demo trips deleted") as step:
                step.done_note = f"{delete_demo_trips():,} trips"
            timings["reset"] = time.perf_counter() - clock
        clock = time.perf_counter()
        with progress.stage("Organisations and logins") as step:
            gen.ensure_organisations(tax_codes)
            passwords = gen.ensure_users()
            step.done_note = f"{len(gen.orgs)} organisations, {len(passwords)} logins"
        gen.writer = _Writer()
        gen.references = set(Trip.objects.values_list("reference", flat=True))
        gen.containers = set(Container.objects.filter(active=True).values_list("number", flat=True))
        first = today - dt.timedelta(days=days)
        last = today + dt.timedelta(days=DAYS_AHEAD)
        plans: list[TripPlan] = []
        with progress.stage(
            f"Trips planned, {first} … {last}", total=(last - first).days + 1
        ) as step:
            day = first
            while day <= last:
                plans.extend(gen.plan_day(day))
                day += dt.timedelta(days=1)
                step.advance()
            step.done_note = f"{len(plans):,} trips (seed {seed}, scale {scale:g})"
        past = [p for p in plans if p.arrival < gen.cutoff]
        coming = [p for p in plans if p.arrival >= gen.cutoff]
        timings["plan"] = time.perf_counter() - clock
        clock = time.perf_counter()
        gen.simulate(past)
        timings["simulate"] = time.perf_counter() - clock
        clock = time.perf_counter()
        with gen.writer.bulk():
            gen.write_bulk(past)
        # The lines written in bulk skipped the services that keep the risk price history.
        risk_history.rebuild()
        timings["write"] = time.perf_counter() - clock
        clock = time.perf_counter()
        gen.write_through_services(coming)
        gen.link_demo_driver()
        timings["services"] = time.perf_counter() - clock
        gen.say(
            f"Wrote {len(past):,} past trips in bulk ({gen.counts['receipts']:,} receipts); "
            f"declared {gen.counts['service_trips']} of the {len(coming)} coming trucks through "
            f"the trip services ({gen.counts['service_receipts']} paid by bank transfer already)."
        )
        clock = time.perf_counter()
        with progress.stage("Figures for the summary"):
            ours = Trip.objects.filter(organisation__in=gen.orgs.values())
            result = summarise(ours, days=days, today=today, scale=scale)
        timings["summary"] = time.perf_counter() - clock
    result.update(
        {
            "seed": seed,
            "scale": scale,
            "first_day": first,
            "last_day": last,
            "organisations": len(gen.orgs),
            "users": passwords,
            "written_in_bulk": gen.counts["bulk_trips"],
            "declared_through_services": gen.counts["service_trips"],
            "paid_through_services": gen.counts["service_receipts"],
            "vehicles": sum(len(f) for f in gen.fleets.values()),
            "seconds": round(time.perf_counter() - started, 1),
            "timings": {k: round(v, 1) for k, v in timings.items()},
        }
    )
    return result


def summarise(trips, *, days: int, today: dt.date, scale: float) -> dict:
    by_gate = dict(trips.values_list("gate__code").annotate(n=Count("id")).order_by())
    by_direction = dict(trips.values_list("direction").annotate(n=Count("id")).order_by())
    by_status = dict(trips.values_list("status").annotate(n=Count("id")).order_by())
    status_by_gate: dict[str, dict[str, int]] = defaultdict(dict)
    for gate, status, n in trips.values_list("gate__code", "status").annotate(n=Count("id")):
        status_by_gate[gate][status] = n
    receipts_by_gate = {
        gate: {"issued": n, "valid": valid, "vnd": total or 0}
        for gate, n, valid, total in Receipt.objects.filter(trip__in=trips)
        .values_list("gate__code")
        .annotate(
            n=Count("id"),
            valid=Count("id", filter=Q(status=ReceiptStatus.VALID)),
            total=Sum("amount_vnd", filter=Q(status=ReceiptStatus.VALID)),
        )
        .order_by()
    }
    inside_by_gate = dict(
        Visit.objects.filter(
            trip__in=trips,
            exited_at=None,
            trip__status__in=[TripStatus.ARRIVED, TripStatus.CLEARED],
        )
        .values_list("gate__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    # The KPI page's own figures: visits that exited over the period, each gate's clearance.
    kpis = gate_kpis(None, today - dt.timedelta(days=days), today)
    clearance_by_gate = {row["gate"]: row["clearance"] for row in kpis["by_gate"]}
    lines = CargoLine.objects.filter(trip__in=trips)
    valued = lines.exclude(trip__status__in=[TripStatus.CANCELLED, TripStatus.REJECTED])
    value_usd: dict[str, float] = defaultdict(float)
    for gate, currency, total in (
        valued.values_list("trip__gate__code", "currency").annotate(total=Sum("value")).order_by()
    ):
        value_usd[gate] += float(total) / USD_RATES[currency]
    # The Ma Lù Thàng check: what crossed over the past `days` days against the published rate.
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    start = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(), tzinfo=zone)
    end = dt.datetime.combine(today, dt.time(), tzinfo=zone)
    mlt_value = 0.0
    for currency, total in (
        valued.filter(
            trip__gate__code="mlt",
            trip__expected_arrival__gte=start,
            trip__expected_arrival__lt=end,
        )
        .values_list("currency")
        .annotate(total=Sum("value"))
        .order_by()
    ):
        mlt_value += float(total) / USD_RATES[currency]
    return {
        "trips": sum(by_gate.values()),
        "by_gate": by_gate,
        "by_direction": by_direction,
        "by_status": by_status,
        "status_by_gate": dict(status_by_gate),
        "receipts_by_gate": receipts_by_gate,
        "inside_by_gate": inside_by_gate,
        "clearance_by_gate": clearance_by_gate,
        "channels": kpis["channels"],
        "exited_in_period": kpis["count"],
        "cargo_lines": lines.count(),
        "containers": Container.objects.filter(trip__in=trips).count(),
        "transitions": TripTransition.objects.filter(trip__in=trips).count(),
        "value_usd_by_gate": {g: round(v) for g, v in sorted(value_usd.items())},
        "ma_lu_thang": {
            "days": days,
            "value_usd": round(mlt_value),
            "target_usd": round(sum(MA_LU_THANG_USD_PER_YEAR.values()) / 365 * days * scale),
        },
    }


def _flag_detail(detail) -> dict:
    """A demo payment's flag detail as ``payments.services._flag`` keeps a real one: in the
    platform's language and in each (``core.phrases``), whatever language the generator runs in."""
    text, texts = as_stored(detail)
    return {"flag_detail": text[:300], "flag_detail_texts": json.dumps(texts)}


def _exit_use_detail(outcome: str, kid: str, number: str, gate: Gate, exited: dt.datetime) -> dict:
    """A demo receipt's use at exit, as ``verify_receipt`` words it for a real one: a good
    receipt's signature, or a receipt shown again after the exit it was used at. In every
    language, as the gate's booths record them (``receipts.with_detail``), whatever language
    the generator runs in: ``detail_texts``, and ``detail`` in the platform's language."""
    if outcome == UseOutcome.USED:
        reasons = [receipts.reason_text(signing.Reason(signing.SIGNATURE_OK, "", kid=kid))]
    else:
        at = receipts.gate_clock(exited, gate).strftime("%Y-%m-%d %H:%M")
        reasons = [
            receipts.reason_text(signing.Reason(signing.RECEIPT_USED, "", number=number)),
            Phrase(
                gettext_noop("used at exit at %(gate)s on %(at)s"),
                gate=receipts.gate_named(gate),
                at=at,
            ),
        ]
    use = receipts.with_detail(ReceiptUse(), lambda: join_clauses(said(r) for r in reasons))
    # As the writer inserts it: a JSON column's text (the other JSON columns' way).
    return {"detail": use.detail, "detail_texts": json.dumps(use.detail_texts)}
