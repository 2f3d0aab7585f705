"""What happens to a past trip after it is declared: fee, payment, receipt, check-in, risk
channel, inspections, clearance and exit.

The services act "now": a payment, a check-in or an inspection result is stamped with the clock,
and an arrival in the past is refused. Past trips are therefore simulated here, in memory, and
written in bulk by the generator. Wherever the platform's rule is a pure function it is called
rather than copied: the fee rate choice, the market-access check, the risk draw, thresholds and
reason sentences, the receipt claims and authority, the signature. What is re-stated (the fee
items, the risk rules' arithmetic) follows the services line by line, and the demo tests compare
the two on generated trips.

Durations follow the published figures in /work/shared/data/queues/figures.csv where there are
any; where none is published (the notes list the gaps), the assumption is said where it is made.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
import random
import unicodedata
from bisect import bisect_left, bisect_right, insort
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_noop

from cuakhau.core.phrases import Phrase
from cuakhau.fees import services as fees
from cuakhau.fees.choices import RateUnit
from cuakhau.fees.models import FeeSchedule
from cuakhau.inspections.models import Agency
from cuakhau.market import services as market
from cuakhau.market.choices import CERTIFICATE
from cuakhau.market.models import MarketAccessRule
from cuakhau.payments.models import PaymentFlag, PaymentMethod
from cuakhau.payments.services import grouped
from cuakhau.receipts import services as receipts
from cuakhau.receipts import signing
from cuakhau.risk import services as risk
from cuakhau.risk import texts
from cuakhau.risk.choices import RANK, RuleKind, higher
from cuakhau.trips import references
from cuakhau.trips.choices import Direction, TripStatus

S = TripStatus


class DemoDataError(Exception):
    """The demo data cannot be generated (missing reference data, a bug in the catalogue)."""


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@lru_cache(maxsize=256)
def ascii_upper(text: str) -> str:
    """A name as a Vietnamese bank prints it in a transfer: no diacritics, upper case."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


# ---------------------------------------------------------------------------------------------
# Market rules, fees, signatures: the platform's rules, asked once per distinct case


class MarketBook:
    """The market-access answer for one cargo line, asked of ``check_declaration`` once per case.

    Rules change only on the days one starts or ends, so between two such days a line's answer
    is the same: the cache is keyed by that interval rather than by the day.
    """

    def __init__(self, gates: dict):
        self.gates = gates
        days = set()
        for starts, ends in MarketAccessRule.objects.filter(is_active=True).values_list(
            "starts_on", "ends_on"
        ):
            if starts:
                days.add(starts)
            if ends:
                days.add(ends + dt.timedelta(days=1))
        self.boundaries = sorted(days)
        self.cache: dict[tuple, tuple[list[str], bool]] = {}

    def check(self, gate: str, direction: str, hs: str, origin: str, day: dt.date):
        """(blocking messages, a certificate is required) for a line that carries one."""
        key = (gate, direction, hs, origin, bisect_right(self.boundaries, day))
        found = self.cache.get(key)
        if found is None:
            trip = SimpleNamespace(
                gate=self.gates[gate], direction=direction, expected_arrival=None
            )
            # The generator always writes the certificate number where one is asked for, so only
            # access, routing and suspensions can block.
            line = SimpleNamespace(
                hs_code=hs, phytosanitary_certificate="CERTIFICATE", origin_country=origin
            )
            findings = market.check_declaration(trip, [line], on=day)
            found = (
                [f.message for f in findings if f.blocking],
                any(f.requirement in CERTIFICATE for f in findings),
            )
            self.cache[key] = found
        return found

    def needs_quarantine(self, gate, direction, lines, day) -> bool:
        """As ``market.services.requires_quarantine``, from the lines' chapters and the rules."""
        for line in lines:
            if line.hs_code[:2] in market.QUARANTINE_CHAPTERS:
                return True
            if self.check(gate, direction, line.hs_code, line.origin_country, day)[1]:
                return True
        return False


@dataclass(frozen=True)
class FeeResult:
    schedule_id: int
    items: list[dict]
    explanation: dict
    total: int
    items_json: str  # written twice (assessment, receipt): encoded once


class CargoFacts:
    """A cargo line as the rules read it: lighter than a model instance or a namespace."""

    __slots__ = (
        "line_no",
        "product",
        "hs_code",
        "currency",
        "value",
        "gross_weight_kg",
        "net_weight_kg",
        "origin_country",
        "phytosanitary_certificate",
    )

    def __init__(self, line_no: int, product, fields: dict):
        self.line_no = line_no
        self.product = product
        self.hs_code = fields["hs_code"]
        self.currency = fields["currency"]
        self.value = fields["value"]
        self.gross_weight_kg = fields["gross_weight_kg"]
        self.net_weight_kg = fields["net_weight_kg"]
        self.origin_country = fields["origin_country"]
        self.phytosanitary_certificate = fields["phytosanitary_certificate"]


_MISSING = object()


class FeeBook:
    """``fees.services.assess`` without its queries: schedules and rates read once, the rate
    chosen by ``choose_rate`` once per kind of vehicle and load, the items made as ``assess``
    makes them (rates are per vehicle, per container or per tonne)."""

    def __init__(self, gates: dict):
        self.schedules: dict[int, list] = defaultdict(list)
        for schedule in (
            # As ``fees.services.schedule_for``: a draft assesses nothing.
            FeeSchedule.objects.filter(gate__in=list(gates.values()), status="published")
            .prefetch_related("rates")
            .order_by("-effective_from", "-version")
        ):
            self.schedules[schedule.gate_id].append((schedule, list(schedule.rates.all())))
        self.in_force: dict[tuple, tuple | None] = {}
        self.rates: dict[tuple, object] = {}
        self.same_items: dict[tuple, tuple[list, str]] = {}

    def _schedule(self, gate, day: dt.date):
        key = (gate.pk, day)
        if key not in self.in_force:
            self.in_force[key] = next(
                ((s, r) for s, r in self.schedules[gate.pk] if s.effective_from <= day), None
            )
        return self.in_force[key]

    def assess(self, gate, trip, lines, containers: list[str]) -> FeeResult:
        day = fees.assessment_day(gate, trip.expected_arrival)
        found = self._schedule(gate, day)
        if found is None:
            raise DemoDataError(
                f"No fee schedule is in force at {gate.code} on {day}: run `cuakhau setup`."
            )
        schedule, rates = found
        gross = sum((line.gross_weight_kg for line in lines), Decimal(0))
        facts = fees.Facts(
            regime=fees.regime_of(trip.direction),
            goods=fees.goods_of(trip, lines),
            vehicle_type=trip.vehicle_type,
            capacity_tonnes=trip.capacity_tonnes,
            container_size=trip.container_size,
            containers=len(containers),
            gross_tonnes=fees.tonnes_of(gross),
        )
        # choose_rate looks at goods, regime, vehicle, capacity and container size only.
        key = (
            schedule.pk,
            facts.regime,
            facts.goods,
            facts.vehicle_type,
            facts.capacity_tonnes,
            facts.container_size,
        )
        rate = self.rates.get(key, _MISSING)
        if rate is _MISSING:
            rate = self.rates[key] = fees.choose_rate(rates, facts)
        if rate is None:
            raise DemoDataError(
                f"No rate of {schedule} fits {trip.vehicle_type} {facts.regime} {facts.goods}."
            )
        explanation = {k: str(v) if isinstance(v, Decimal) else v for k, v in vars(facts).items()}
        if rate.unit == RateUnit.VEHICLE:
            # Most trucks pay one fixed amount per vehicle: the same items, encoded once.
            cached = self.same_items.get(rate.pk)
            if cached is None:
                items = [dict(vars(item)) for item in fees.price(rate, facts, [])]
                cached = self.same_items[rate.pk] = (items, json.dumps(items))
            items, encoded = cached
            return FeeResult(schedule.pk, items, explanation, items[0]["amount_vnd"], encoded)
        items = fees.price(rate, facts, containers)
        # asdict() deep-copies every value; these dataclasses hold only flat ones.
        items = [dict(vars(item)) for item in items]
        total = sum(i["amount_vnd"] for i in items)
        return FeeResult(schedule.pk, items, explanation, total, json.dumps(items))


class ReceiptSigner:
    """Signs receipts with the installation's active key, exactly as ``signing.sign_claims``.

    sign_claims reads the key directory and builds a jwcrypto object for every receipt, about
    0.3 ms each: half a minute for the 90 days of the demo. The signature itself is one Ed25519
    operation. This signer makes the same compact JWS from the same key: the protected header and
    payload are the same canonical JSON and Ed25519 is deterministic, so the token is the same
    byte for byte. The first receipt of each gate is signed by sign_claims itself and compared;
    if they ever differ, every receipt of that gate goes through sign_claims.
    """

    def __init__(self):
        self.store = receipts.key_store()
        self.keys: dict[str, tuple] = {}

    def sign(self, claims: dict, gate: str) -> tuple[str, str]:
        entry = self.keys.get(gate)
        if entry is None:
            token = signing.sign_claims(self.store, claims, gate)
            key = self.store.active_key(gate)
            header = _b64(
                signing.canonical_json({"alg": signing.ALG, "kid": key.kid, "typ": signing.TYP})
            )
            entry = (key.kid, header, key.jwk.get_op_key("sign"))
            if self._token(entry, claims) != token:
                entry = (key.kid, None, None)
            self.keys[gate] = entry
            return token, key.kid
        kid, header, private = entry
        if header is None:
            return signing.sign_claims(self.store, claims, gate), kid
        return self._token(entry, claims), kid

    @staticmethod
    def _token(entry, claims) -> str:
        _kid, header, private = entry
        signed = f"{header}.{_b64(signing.canonical_json(dict(claims)))}"
        return f"{signed}.{_b64(private.sign(signed.encode('ascii')))}"


# ---------------------------------------------------------------------------------------------
# The risk channel


class RiskBook:
    """``risk.services.assess`` over the generated history, in the order things happened.

    The rules read the database as it stood when the trip was assessed: the earlier declarations
    of the same HS code (undervaluation), the enterprise's earlier submissions (first-time
    declarant). The generator feeds submissions and check-ins here in time order, so each
    assessment sees what the service would have seen then. The draw, the thresholds and the
    sentences are the service's own functions.
    """

    def __init__(self, ruleset):
        self.ruleset = ruleset
        self.rules = [rule for rule in ruleset.rules.order_by("position", "id") if rule.is_enabled]
        self.currencies: dict[str, Counter] = defaultdict(Counter)
        self.recent: dict[tuple[str, str], tuple[deque, list]] = {}
        self.unknown_kinds = sorted({r.kind for r in self.rules} - {k.value for k in RuleKind})

    def declare(self, lines) -> None:
        """A submitted trip's lines join the history the next assessments compare against."""
        for line in lines:
            hs6 = line.hs_code[:6]
            self.currencies[hs6][line.currency] += 1
            key = (hs6, line.currency)
            entry = self.recent.get(key)
            if entry is None:
                entry = self.recent[key] = (deque(), [])
            order, ranked = entry
            unit = line.value / line.net_weight_kg
            # The service reads the latest HISTORY_LIMIT declarations; keep them sorted so the
            # median is a lookup.
            if len(order) == risk.HISTORY_LIMIT:
                del ranked[bisect_left(ranked, order.popleft())]
            order.append(unit)
            insort(ranked, unit)

    def _hs_watch(self, rule, lines, **_kw):
        sentences = []
        for line in lines:
            prefix = next((p for p in rule.params["prefixes"] if line.hs_code.startswith(p)), None)
            if prefix:
                sentences.append(
                    texts.sentence(
                        "hs_watch.line", line=line.line_no, code=line.hs_code, prefix=prefix
                    )
                )
        return (rule.score, texts.join(sentences), None) if sentences else None

    def _undervaluation(self, rule, lines, **_kw):
        ratio = Decimal(rule.params["ratio"])
        min_history = int(rule.params["min_history"])
        found: dict[str, list] = {"fired": [], "skipped": []}
        for line in lines:
            hs6 = line.hs_code[:6]
            majority = risk.majority_currency(self.currencies.get(hs6), line.currency)
            if majority is None:
                continue
            ranked = self.recent[(hs6, majority)][1]
            verdict = risk.judge_unit_value(line, majority, ranked, ratio, min_history)
            if verdict is not None:
                found[verdict[0]].append(verdict[1])
        fired, skipped = found["fired"], found["skipped"]
        if not fired and not skipped:
            return None
        return (rule.score if fired else 0, texts.join(fired + skipped), None)

    def _failed_inspections(self, rule, failures=0, **_kw):
        # The demo's inspections all pass (see Lifecycle.inspect): no enterprise has a record.
        minimum = int(rule.params["min_failures"])
        if failures < minimum:
            return None
        days = int(rule.params["window_days"])
        return (
            rule.score,
            texts.sentence("failed_inspections", count=failures, days=days, minimum=minimum),
            None,
        )

    def _first_time_declarant(self, rule, first_time=False, **_kw):
        if not first_time:
            return None
        return (rule.score, texts.sentence("first_time_declarant"), None)

    def _weight_difference(self, rule, declared=None, weighed=None, **_kw):
        if weighed is None:
            return None
        threshold = Decimal(rule.params["percent"])
        if declared <= 0:
            if weighed <= 0:
                return None
            sentence = texts.sentence(
                "weight_difference.nothing_declared", weighed=texts.as_number(weighed, 3)
            )
            return (0, sentence, None)
        percent = abs(weighed - declared) / declared * 100
        if percent <= threshold:
            return None
        return (
            rule.score,
            texts.sentence(
                "weight_difference",
                weighed=texts.as_number(weighed, 3),
                declared=texts.as_number(declared, 3),
                percent=texts.as_number(percent, 1),
                threshold=texts.as_number(threshold),
            ),
            None,
        )

    def _random(self, rule, draw=None, **_kw):
        red = self.ruleset.random_red_rate
        limit = red + self.ruleset.random_yellow_rate
        if draw < red:
            reason = texts.sentence(
                "random.red", draw=texts.as_number(draw), red=texts.as_number(red.normalize())
            )
            return (rule.score, reason, "red")
        if draw < limit:
            reason = texts.sentence(
                "random.yellow",
                draw=texts.as_number(draw),
                red=texts.as_number(red.normalize()),
                limit=texts.as_number(limit.normalize()),
            )
            return (rule.score, reason, "yellow")
        return None

    def assess(
        self,
        *,
        reference: str,
        lines,
        weighed: Decimal | None,
        first_time: bool,
        at: dt.datetime,
        zone: str,
        previous: dict | None = None,
    ) -> dict:
        """The RiskAssessment row's values (without ids), as the service would store them."""
        declared = sum((line.gross_weight_kg for line in lines), Decimal(0))
        if weighed is None and previous is not None:
            weighed = previous["weighbridge_kg"]
        draw = risk.random_draw(self.ruleset.random_seed, reference)
        facts = {
            "lines": lines,
            "declared": declared,
            "weighed": weighed,
            "first_time": first_time,
            "draw": draw,
        }
        findings = []
        for rule in self.rules:
            evaluate = getattr(self, f"_{rule.kind}", None)
            found = evaluate(rule, **facts) if evaluate else None
            if found is not None:
                score, reason, channel = found
                entry = {
                    "rule_id": rule.pk,
                    "kind": rule.kind,
                    "score": score,
                    **texts.stored(reason),
                }
                if channel:
                    entry["channel"] = channel
                findings.append(entry)
        score = sum(f["score"] for f in findings)
        channel = risk.channel_for_score(self.ruleset, score)
        for finding in findings:
            if finding.get("channel"):
                channel = higher(channel, finding["channel"])
        if previous is not None and RANK[previous["channel"]] > RANK[channel]:
            reason = texts.sentence(
                "previous_channel",
                previous=texts.channel_name(previous["channel"]),
                computed=texts.channel_name(channel),
                when=timezone.localtime(previous["assessed_at"], ZoneInfo(zone)).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            )
            findings.append(
                {
                    "rule_id": None,
                    "kind": "previous_channel",
                    "score": 0,
                    **texts.stored(reason),
                }
            )
            channel = previous["channel"]
        return {
            "ruleset_id": self.ruleset.pk,
            "channel": channel,
            "score": score,
            "reasons": findings,
            "random_draw": draw,
            "declared_gross_kg": declared.quantize(Decimal("0.001")),
            "weighbridge_kg": weighed,
            "assessed_at": at,
        }


# ---------------------------------------------------------------------------------------------
# A trip's life


@dataclass
class PaySpec:
    method: str
    provider: str
    external_id: str
    amount: int
    paid_at: dt.datetime
    recorded_at: dt.datetime
    recorded_by: object | None
    description: str
    payer_name: str
    payer_account: str = ""
    raw: dict = field(default_factory=dict)
    settles: bool = True  # linked to the trip's receipt
    for_trip: bool = True  # False: the reference in the transfer text matched no trip
    flag: str = ""
    flag_detail: str = ""
    resolved_at: dt.datetime | None = None
    resolved_by: object | None = None
    resolution: str = ""
    duplicate_at: dt.datetime | None = None  # the bank delivered the notification again

    @property
    def notified(self) -> bool:
        return self.method == PaymentMethod.BANK_TRANSFER


@dataclass
class InspectionSpec:
    agency: str
    kind: str
    started: dt.datetime
    ended: dt.datetime | None
    officer: object | None
    automatic: bool = False
    notes: str = ""
    samples: list[tuple] = field(default_factory=list)  # (code, what, lab, taken, result_at)


@dataclass
class Life:
    """Everything a past trip went through, up to the generator's "now"."""

    history: list[tuple] = field(default_factory=list)
    submitted: dt.datetime | None = None
    lines: list[CargoFacts] = field(default_factory=list)
    fee: FeeResult | None = None
    payments: list[PaySpec] = field(default_factory=list)
    issued: dt.datetime | None = None  # the receipt
    receipt: dict | None = None  # number, year and sequence, once numbered
    revoked: tuple | None = None  # (at, actor, reason)
    arrived: dt.datetime | None = None
    cleared: dt.datetime | None = None
    exited: dt.datetime | None = None
    entry_lane: int | None = None
    exit_lane: int | None = None
    yard: str = ""
    weighing: tuple | None = None  # (gross kg, tare kg, source, device)
    gate_channel: str = "web"
    risk: list[dict] = field(default_factory=list)  # at submission, then at check-in
    inspections: list[InspectionSpec] = field(default_factory=list)
    reused_at: dt.datetime | None = None  # the receipt shown again after its use
    rng: random.Random | None = None

    @property
    def status(self) -> str:
        return self.history[-1][2]

    @property
    def channel(self) -> str | None:
        return self.risk[-1]["channel"] if self.risk else None


# Plant quarantine of the demo gates send rapid-test samples to these laboratories.
LABORATORIES = {
    "hng": "Trạm Kiểm dịch thực vật cửa khẩu Hữu Nghị",
    "tth": "Trạm Kiểm dịch thực vật cửa khẩu Tân Thanh",
    "kth": "Trạm Kiểm dịch thực vật cửa khẩu quốc tế Lào Cai",
    "mlt": "Chi cục Trồng trọt và Bảo vệ thực vật Lai Châu",
}
YARDS = {"hng": "ABCDEF", "tth": "ABCD", "kth": "ABC", "mlt": "AB"}
# Where the payer's bank is; VietQR transfers come from any of them.
PAYER_BANKS = (
    ("VCB", 10, 24), ("BIDV", 14, 20), ("ICB", 12, 18), ("VBA", 13, 12), ("TCB", 14, 9),
    ("MB", 13, 9), ("ACB", 9, 4), ("VPB", 9, 4),
)  # fmt: skip
PAYER_BANK_WEIGHTS = [sum(b[2] for b in PAYER_BANKS[: i + 1]) for i in range(len(PAYER_BANKS))]
TRANSFER_TEXTS = (
    "{ref} thanh toan phi ha tang cua khau",
    "{compact} nop phi su dung ha tang KKT",
    "CK phi ha tang cua khau {ref}",
    "{ref_lower} phi cua khau",
)
# The demo bank's notifications come from a documentation address (RFC 5737): no real bank.
BANK_ADDRESS = "203.0.113.17"


class Lifecycle:
    """Simulates the payment, the gate and the inspections of past trips (see the module)."""

    def __init__(self, gen, *, bank_provider: str, cash_provider: str):
        self.gen = gen
        self.seed = gen.seed
        self.now = gen.now
        self.latest = gen.now - dt.timedelta(minutes=1)
        self.bank = bank_provider
        self.cash = cash_provider
        self.users = gen.users
        self.external_ids: set[str] = set()
        self.slips: Counter = Counter()
        self.lanes = gen.lanes
        # The installation's zone (timezone.localtime's), looked up once: it runs per trip.
        self.zone = timezone.get_current_timezone()
        # Stored untranslated, as inspections.release_green_channel stores it: the page
        # translates it for each reader (in the generator's language, a Chinese reader read it
        # in Vietnamese).
        self.green_note = gettext_noop("Released by the green channel.")

    # -- payment ------------------------------------------------------------------------------

    def bank_payment(self, plan, amount: int, paid: dt.datetime, rng) -> PaySpec:
        local = paid.astimezone(self.zone)
        bank, digits, _weight = PAYER_BANKS[
            bisect_right(PAYER_BANK_WEIGHTS, rng.random() * PAYER_BANK_WEIGHTS[-1])
        ]
        while True:
            external_id = f"{bank}{local:%y%m%d}{rng.randrange(10**9):09d}"
            if external_id not in self.external_ids:
                self.external_ids.add(external_id)
                break
        payer = plan.org
        if payer.country != "VN":
            # A Chinese company pays in đồng through its Vietnamese forwarder's account.
            payer = self.gen.forwarder_for(plan, rng)
        account = str(rng.randrange(10 ** (digits - 1), 10**digits))
        ref = plan.reference
        text = rng.choice(TRANSFER_TEXTS).format(
            ref=ref, compact=ref.replace("-", ""), ref_lower=ref.lower()
        )
        latency = dt.timedelta(seconds=rng.uniform(2, 40))
        # The body the demo bank "sends": stored as the payment's raw notification, hashed in
        # the notification log. "demo" marks it for the next reset.
        raw = {
            "transaction_id": external_id,
            "amount": amount,
            "currency": "VND",
            "description": text,
            "payer_name": ascii_upper(payer.name),
            "payer_account": account,
            "booked_at": paid.isoformat(),
            "demo": True,
        }
        return PaySpec(
            method=PaymentMethod.BANK_TRANSFER,
            provider=self.bank,
            external_id=external_id,
            amount=amount,
            paid_at=paid,
            recorded_at=paid + latency,
            recorded_by=None,
            description=text,
            payer_name=raw["payer_name"],
            payer_account=account,
            raw=raw,
        )

    def _cash_payment(self, plan, amount: int, paid: dt.datetime, rng) -> PaySpec:
        gate = plan.gate
        local = paid.astimezone(self.zone)
        self.slips[(gate, local.year)] += 1
        # The gate's cash slips (biên lai) are numbered per year.
        slip = f"BL{local:%y}-{self.slips[(gate, local.year)]:06d}"
        officer = self.users["motcua" if rng.random() < 0.7 else "vanhanh"]
        return PaySpec(
            method=PaymentMethod.CASH,
            provider=self.cash,
            external_id=f"{gate}-{slip}",
            amount=amount,
            paid_at=paid,
            recorded_at=paid,
            recorded_by=officer,
            description=plan.reference,
            payer_name=self.gen.orgs[plan.org.key].name,
        )

    def pay_and_arrive(self, plan, life: Life, user) -> None:
        """From submitted: paid some hours before the arrival, then checked in (phase one)."""
        rng = life.rng = random.Random(f"{self.seed}:life:{plan.reference}")
        latest = self.latest
        arrival = plan.arrival
        # Trucks come near their declared time, some hours late (a breakdown, a queue upstream).
        delay = min(120.0, max(-40.0, rng.gauss(10, 20)))
        if rng.random() < 0.1:
            delay += rng.expovariate(1 / 120)
        came = arrival + minutes(delay)
        fate = rng.random()
        cash = rng.random() < (0.12 if plan.org.country == "VN" else 0.5)
        submitted = life.submitted
        amount = life.fee.total
        if fate < 0.025:
            return  # never paid: the truck did not come (it stays submitted)
        if cash:
            # Paid at the gate's counter on arrival, before the check-in.
            paid = max(came - minutes(rng.uniform(8, 40)), submitted + minutes(3))
            payment = self._cash_payment(plan, amount, paid, rng)
            issued = paid
        else:
            # Paid by VietQR transfer, mostly the evening before or on the way.
            hours = math.exp(rng.uniform(math.log(0.5), math.log(20)))
            paid = max(arrival - dt.timedelta(hours=hours), submitted + minutes(rng.uniform(3, 30)))
            payment = self.bank_payment(plan, amount, paid, rng)
            issued = payment.recorded_at
        if issued > latest:
            return  # will pay later: still submitted
        life.payments.append(payment)
        life.issued = issued
        api = payment.method == PaymentMethod.BANK_TRANSFER
        life.history.append(("pay", S.SUBMITTED, S.PAID, issued, None, "", "api" if api else "web"))
        if fate < 0.028:
            # Paid, then cancelled: the receipt is revoked for a refund.
            at = issued + (max(arrival, issued + minutes(20)) - issued) * rng.uniform(0.2, 0.9)
            if at <= latest:
                vn = plan.org.country == "VN"
                reason = rng.choice(self.gen.cancel_reasons(vn))
                life.history.append(("cancel", S.PAID, S.CANCELLED, at, user, reason, "web"))
                life.revoked = (at, user, reason)
            return
        if fate < 0.031:
            return  # paid, but the truck never came (it stays paid)
        came = max(came, issued + minutes(rng.uniform(5, 20)))
        if came > latest:
            return
        operator = self.users["vanhanh"]
        life.arrived = came
        life.gate_channel = "api" if rng.random() < 0.3 else "web"
        life.history.append(("check_in", S.PAID, S.ARRIVED, came, operator, "", life.gate_channel))
        lanes = self.lanes.get(plan.gate) or [None]
        life.entry_lane = rng.choice(lanes)
        outbound = plan.direction != Direction.IMPORT
        slot = rng.randrange(1, 41)
        life.yard = f"{'X' if outbound else 'N'}{rng.choice(YARDS[plan.gate])}-{slot:02d}"
        if plan.lines and rng.random() < 0.92:
            life.weighing = self._weigh(plan, rng)

    def _weigh(self, plan, rng) -> tuple:
        vehicle = plan.vehicle
        declared = sum(line.gross_kg for line in plan.lines)
        if plan.overloaded:
            # More on the truck than declared (or a wrong tare): outside the rule's 10 per cent.
            error = rng.uniform(0.11, 0.25) * (1 if rng.random() < 0.8 else -1)
        else:
            # A weighbridge reads to 10-20 kg; declared gross weights are estimates (ice, pallets).
            error = min(0.06, max(-0.06, rng.gauss(0, 0.02)))
        cargo = declared * (1 + error)
        gross = round((cargo + vehicle.tare_kg) / 10) * 10
        device = rng.random() < 0.7
        return (
            Decimal(gross).quantize(Decimal("0.1")),
            Decimal(vehicle.tare_kg).quantize(Decimal("0.1")),
            "device" if device else "manual",
            f"{plan.gate}-can-{rng.randrange(1, 3)}" if device else "",
        )

    # -- inspections, clearance, exit -----------------------------------------------------------

    def inspect(self, plan, life: Life, quarantine: bool) -> None:
        """From arrived: inspections by channel, clearance and exit (phase two, after the risk)."""
        rng = life.rng
        latest = self.latest
        arrived = life.arrived
        channel = life.channel
        gate = plan.gate
        season = self.gen.season(gate, arrived)
        fruit_out = plan.direction != Direction.IMPORT and any(
            line.product.group in ("fruit_vn", "reexport") for line in plan.lines
        )
        # Waiting for the first officer. No per-step wait is published for these gates
        # (figures.csv notes the gap); the queue is minutes on an ordinary day, longer at the
        # seasonal peak.
        wait = min(90.0, rng.expovariate(1 / (8 * season)))
        # In the fruit peak the Chinese side takes fewer trucks than arrive: "over 1,000 fruit
        # trucks a day, only half can be cleared" (Lạng Sơn, March 2024), "some 700 trucks, most
        # carrying durian" stuck for days; on ordinary days a few trucks still wait for hours.
        congestion = 0.01 + (0.1 * max(0.0, season - 1.0) / 0.3 if fruit_out else 0.0)
        if rng.random() < congestion:
            wait += rng.uniform(120, 600 if fruit_out else 240)
        # Officers inspect, and the crossing lets trucks through, in the gate's working hours:
        # a truck in after closing, or not done by then, spends the night in the yard, as ~700
        # trucks did at Tân Thanh awaiting export (Le Courrier du Vietnam, c. 2023-09), and the
        # morning's backlog takes the first hours.
        opens, closes = self.gen.gate_hours(gate)
        backlog = rng.uniform(0, 120)

        def working(moment: dt.datetime) -> dt.datetime:
            local = moment.astimezone(self.zone)
            if opens <= local.hour < closes:
                return moment
            morning = local.replace(hour=opens, minute=0, second=0, microsecond=0)
            if local.hour >= closes:
                morning += dt.timedelta(days=1)
            return morning + minutes(backlog)

        start = working(arrived + minutes(wait))
        inspections = life.inspections
        customs, guard, plant = (
            self.users["haiquan"],
            self.users["bienphong"],
            self.users["kiemdich"],
        )
        if channel == "green":
            # Released by the green channel at check-in (inspections.release_green_channel).
            at = arrived + dt.timedelta(seconds=2)
            inspections.append(
                InspectionSpec(
                    Agency.CUSTOMS, "green channel", at, at, None, automatic=True,
                    notes=self.green_note,
                )
            )  # fmt: skip
        elif channel == "yellow":
            # A document check: 30-90 minutes (no published figure; the customs' own estimate).
            begin = working(start + minutes(rng.uniform(0, 20)))
            inspections.append(
                InspectionSpec(
                    Agency.CUSTOMS, "document check", begin,
                    begin + minutes(rng.uniform(30, 90)), customs,
                )
            )  # fmt: skip
        else:
            # A physical inspection: wait for a scanner or unloading bay, then hours of counting
            # and opening packages (2.5 h median, 1-6 h).
            begin = working(start + minutes(rng.uniform(20, 90)))
            length = min(360.0, max(60.0, rng.lognormvariate(math.log(150), 0.35)))
            inspections.append(
                InspectionSpec(
                    Agency.CUSTOMS, "physical inspection", begin, begin + minutes(length), customs
                )
            )
        # The border guard checks vehicle, driver and papers: 3-5 minutes per vehicle where it
        # shares data with customs (Tân Thanh, Thời báo Tài chính Việt Nam, 2025-12-10); a few
        # minutes more at the gates without that link.
        low, high = (3, 5) if gate in ("hng", "tth") else (4, 10)
        begin = working(start + minutes(rng.uniform(0, 5)))
        inspections.append(
            InspectionSpec(
                Agency.BORDER_GUARD, "", begin, begin + minutes(rng.uniform(low, high)), guard
            )
        )
        if quarantine:
            # Plant quarantine looks at the load (15-45 min); some loads are sampled for a rapid
            # test, which holds the truck one to three hours more.
            begin = working(start + minutes(rng.uniform(0, 25)))
            length = rng.uniform(15, 45)
            sampled = rng.random() < (0.6 if channel == "red" else 0.15)
            spec = InspectionSpec(
                Agency.QUARANTINE, "sampling" if sampled else "", begin, None, plant
            )
            if sampled:
                length += rng.uniform(60, 180)
                local = begin.astimezone(self.zone)
                for n in range(1, 3 if rng.random() < 0.3 else 2):
                    taken = begin + minutes(rng.uniform(5, 15))
                    code = f"KDTV-{gate.upper()}-{local:%y%m%d}-{plan.reference[-4:]}{n}"
                    what = plan.lines[0].product.vi
                    spec.samples.append(
                        (code, what, LABORATORIES[gate], taken, begin + minutes(length - 2))
                    )
            spec.ended = begin + minutes(length)
            inspections.append(spec)
        # Only what had happened by "now": a later inspection has not started, a running one is
        # open, and the trip clears once the last required one passed.
        done = []
        for spec in inspections:
            if spec.started > latest:
                continue
            if spec.ended is not None and spec.ended > latest:
                spec.ended = None
            done.append(spec)
        life.inspections = done
        if len(done) < len(inspections) or any(s.ended is None for s in done):
            return
        cleared = max(s.ended for s in done)
        life.cleared = cleared
        life.history.append(("clear", S.ARRIVED, S.CLEARED, cleared, None, "", "web"))
        # Leaving: a few minutes into Vietnam; towards China, the other side's yard must take
        # the truck, which at the peak can take hours.
        leave = rng.uniform(5, 25) if plan.direction == Direction.IMPORT else rng.uniform(10, 45)
        if fruit_out and rng.random() < congestion:
            leave += rng.uniform(60, 240)
        exited = working(cleared + minutes(leave))
        if exited > latest:
            return
        life.exited = exited
        lanes = self.lanes.get(plan.gate) or [None]
        life.exit_lane = rng.choice(lanes)
        life.history.append(
            ("exit", S.CLEARED, S.EXITED, exited, self.users["vanhanh"], "", life.gate_channel)
        )

    # -- what reconciliation is for --------------------------------------------------------------

    def discrepancies(self, plans) -> None:
        """A handful of the problems the reconciliation page exists for, on its last two days:
        an overpayment, a short payment later completed and one still short, a notification the
        bank delivered twice, a transfer whose reference matches no trip, a receipt shown again
        after its use. Refunds of receipts revoked more than two days ago are marked as made.
        Texts are the services' own (payments.services, receipts.services)."""
        rng = random.Random(f"{self.seed}:discrepancies")
        latest = self.latest
        since = timezone.localdate(self.now) - dt.timedelta(days=1)
        taken: set[str] = set()

        def recent(moment) -> bool:
            return moment is not None and timezone.localdate(moment) >= since

        def pick(candidates):
            candidates = [p for p in candidates if p.reference not in taken]
            if not candidates:
                return None
            plan = candidates[int(rng.random() * len(candidates))]
            taken.add(plan.reference)
            return plan

        for plan in plans:
            life = plan.life
            if life.revoked and life.revoked[0] < latest - dt.timedelta(days=2):
                for payment in life.payments:
                    payment.resolved_at = life.revoked[0] + dt.timedelta(hours=rng.uniform(4, 40))
                    payment.resolved_by = self.users["motcua"]
                    payment.resolution = "Đã hoàn trả phí cho doanh nghiệp qua chuyển khoản."
        paid = [
            p
            for p in plans
            if p.life.issued is not None
            and not p.life.revoked
            and len(p.life.payments) == 1
            and p.life.payments[0].method == PaymentMethod.BANK_TRANSFER
            and p.life.issued < latest - dt.timedelta(minutes=30)
        ]
        paid_recently = [p for p in paid if recent(p.life.issued)] or paid

        def shortfall(payment, due, received, ref) -> None:
            payment.flag = PaymentFlag.UNDERPAID
            # A ``Phrase``, kept in each language as ``payments.services._flag`` keeps it.
            payment.flag_detail = Phrase(
                gettext_noop("Received %(paid)s of %(due)s VND for %(ref)s."),
                paid=lambda: grouped(received),
                due=lambda: grouped(due),
                ref=ref,
            )

        if plan := pick(paid_recently):
            # A round sum transferred instead of the fee.
            payment = plan.life.payments[0]
            due = payment.amount
            payment.amount = payment.raw["amount"] = (due // 500_000 + 1) * 500_000
            payment.flag = PaymentFlag.OVERPAID
            paid = payment.amount
            payment.flag_detail = Phrase(
                gettext_noop(
                    "Received %(paid)s VND for a fee of %(due)s VND: %(excess)s VND to refund."
                ),
                paid=lambda: grouped(paid),
                due=lambda: grouped(due),
                excess=lambda: grouped(paid - due),
            )
        if plan := pick(paid_recently):
            # The bank's webhook retried: the same notification, a few minutes later.
            payment = plan.life.payments[0]
            payment.duplicate_at = min(latest, payment.recorded_at + minutes(rng.uniform(2, 12)))
        if plan := pick([p for p in paid_recently if p.life.fee.total >= 200_000]):
            # Paid for a smaller truck first, then the rest once the declarant noticed.
            life = plan.life
            second = life.payments[0]
            due = second.amount
            part = int(round(due * rng.uniform(0.4, 0.7), -4))
            earlier = max(
                life.submitted + minutes(3), second.paid_at - dt.timedelta(hours=rng.uniform(1, 5))
            )
            first = self.bank_payment(plan, part, earlier, rng)
            if first.recorded_at < second.recorded_at:
                shortfall(first, due, part, plan.reference)
                first.resolved_at = second.recorded_at
                second.amount = second.raw["amount"] = due - part
                life.payments.insert(0, first)
        short = [
            p
            for p in plans
            if p.life.status == S.SUBMITTED
            and p.life.fee is not None
            and p.life.fee.total >= 200_000
            and p.life.submitted < latest - dt.timedelta(hours=1)
            and recent(min(p.arrival, latest))
        ]
        if plan := pick(short):
            # Still short: no receipt, so the truck cannot be checked in.
            life = plan.life
            end = min(latest, max(plan.arrival, life.submitted + dt.timedelta(hours=1)))
            paid_at = life.submitted + (end - life.submitted) * rng.uniform(0.2, 0.8)
            part = int(round(life.fee.total * rng.uniform(0.4, 0.7), -4))
            payment = self.bank_payment(plan, part, paid_at, rng)
            if payment.recorded_at <= latest:
                payment.settles = False
                shortfall(payment, life.fee.total, part, plan.reference)
                life.payments.append(payment)
        if plan := pick(paid_recently):
            # A transfer with a mistyped reference: it matches no trip (the check character
            # catches the typo), so the money waits to be matched or refunded.
            life = plan.life
            good = life.payments[0]
            typo = mistyped(plan.reference, rng)
            at = good.paid_at - dt.timedelta(hours=rng.uniform(0.5, 3))
            orphan = self.bank_payment(plan, good.amount, at, rng)
            text = orphan.description.replace(plan.reference, typo)
            text = text.replace(plan.reference.replace("-", ""), typo.replace("-", ""))
            text = text.replace(plan.reference.lower(), typo.lower())
            orphan.description = orphan.raw["description"] = text
            orphan.for_trip = orphan.settles = False
            orphan.flag = PaymentFlag.UNKNOWN_TRIP
            orphan.flag_detail = Phrase(gettext_noop("No valid trip reference in: %(t)s"), t=text)
            life.payments.insert(0, orphan)
        exited = [p for p in plans if p.life.exited and p.life.exited < latest - minutes(30)]
        if plan := pick([p for p in exited if recent(p.life.exited)] or exited):
            # The receipt's QR shown again at exit (a photo of it, on another truck): refused.
            life = plan.life
            life.reused_at = min(
                life.exited + dt.timedelta(hours=rng.uniform(1, 20)),
                life.exited + (latest - life.exited) * rng.uniform(0.3, 0.9),
            )


def mistyped(reference: str, rng: random.Random) -> str:
    """The reference with one body character changed, which its check character catches."""
    prefix, body = reference.split("-")
    while True:
        i = rng.randrange(len(body) - 1)
        c = rng.choice(references.BODY_ALPHABET)
        typo = f"{prefix}-{body[:i]}{c}{body[i + 1 :]}"
        if c != body[i] and not references.is_valid_reference(typo):
            return typo


def tare_of(kind: str, rng: random.Random) -> float:
    """A vehicle's registered tare in kg (the weighbridge reading minus this is the cargo)."""
    if kind == "truck":
        return rng.uniform(7000, 10500)
    if kind == "container_truck":
        # Tractor, chassis and the container's own tare (2.2 t a 20-foot, 3.8 t a 40-foot).
        return rng.uniform(12000, 16000)
    return rng.uniform(12000, 15000)


def notification_body(raw: dict) -> tuple[str, str]:
    """The bank's notification body as sent (the payment's raw JSON) and its SHA-256."""
    body = json.dumps(raw, ensure_ascii=False)
    return body, hashlib.sha256(body.encode()).hexdigest()
