"""Loading the market-access rules from the shipped reference data.

``reference/data/cn-fruit-access.csv`` gives, per Vietnamese product, whether China accepts it
(allowed: a phytosanitary certificate per consignment) or is still negotiating (pending: not
permitted). ``reference/data/cn-fruit-designated-sites.csv`` gives the Chinese land ports
designated for imported fruit, hence the Vietnamese gates fresh fruit may leave through.
Every loaded rule keeps its source, confidence and a ``source_key`` so reloading updates it.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cuakhau.reference.models import Confidence, Gate
from cuakhau.reference.validators import DATA_DIR as REFERENCE_DATA_DIR

from .choices import Requirement, RuleDirection
from .models import MarketAccessRule

DATA_DIR = Path(__file__).resolve().parent / "data"
ACCESS_FILE = "cn-fruit-access.csv"
SITES_FILE = "cn-fruit-designated-sites.csv"
HEADINGS_FILE = "fresh-fruit-headings.csv"


class MarketDataError(Exception):
    """The shipped market data cannot be read into rules (a data file changed shape)."""


@dataclass
class _Product:
    en: str
    vi: str
    zh: str
    status: str
    confidence: str
    basis: str
    since: dt.date | None
    notes: str
    source: str
    gate: str | None


@dataclass
class _Spec:
    key: str
    values: dict
    designated: frozenset[str] = field(default_factory=frozenset)


# Lai Châu's 2025 requests (VNA, 2025-10-30) concern trade through Ma Lù Thàng–Jinshuihe only:
# the same file says dried cassava chips "have long been traded to China generally".
_REQUESTED_AT_MLT = re.compile(r"^requested for Ma Lu Thang", re.IGNORECASE)

# The sites file names the Vietnamese gates in words; these are their codes in gates.csv.
_FACING_GATES = {
    "Huu Nghi": "hng",
    "Tan Thanh": "tth",
    "Coc Nam": "cnm",
    "Mong Cai": "mci",
    "Ta Lung": "tlg",
    "Tra Linh": "trl",
    "Lao Cai": "lci",
    "Kim Thanh II": "kth",
    "Ma Lu Thang": "mlt",
}

DESIGNATED_BASIS = (
    "GACC list of designated supervision sites for imported fruit (进境水果指定监管场地名单); "
    "Measures for the Supervision and Administration of Inspection and Quarantine of Entry "
    "Fruits (cited in GACC Announcement 2022 No. 66)"
)


def _csv(path: Path):
    with open(path, encoding="utf-8-sig") as f:
        yield from csv.DictReader(f)


def _since(value: str) -> dt.date | None:
    match = re.match(r"^(\d{4}-\d{2}-\d{2})", (value or "").strip())
    return dt.date.fromisoformat(match.group(1)) if match else None


def _confidence(values: Iterable[str]) -> str:
    published = all(v == Confidence.PUBLISHED for v in values)
    return Confidence.PUBLISHED if published else Confidence.UNCERTAIN


def _joined(parts: Iterable[str], sep: str = " / ") -> str:
    seen: list[str] = []
    for part in parts:
        part = (part or "").strip()
        if part and part not in seen:
            seen.append(part)
    return sep.join(seen)


def _access_products() -> dict[str, list[_Product]]:
    by_code: dict[str, list[_Product]] = {}
    for row in _csv(REFERENCE_DATA_DIR / ACCESS_FILE):
        status = row["status"].strip()
        if status not in {"allowed", "pending", "suspended"}:
            raise MarketDataError(
                f"{ACCESS_FILE}: unknown status {status!r} for {row['product_en']}"
            )
        notes, source = (row["notes"] or "").strip(), (row["source"] or "").strip()
        if row["source"] is None:
            # A short row (one empty column left out) has its source in its last cell.
            notes, source = "", notes
        product = _Product(
            en=row["product_en"].strip(),
            vi=row["product_vi"].strip(),
            zh=row["product_zh"].strip(),
            status=status,
            confidence=row["confidence"].strip(),
            basis=row["protocol_or_basis"].strip(),
            since=_since(row["since"]),
            notes=notes,
            source=source,
            gate="mlt" if _REQUESTED_AT_MLT.match(row["protocol_or_basis"].strip()) else None,
        )
        for code in row["hs_code"].split(";"):
            by_code.setdefault(code.strip(), []).append(product)
    return by_code


def _access_spec(code: str, products: list[_Product]) -> _Spec:
    """One rule per HS code, however many products share it.

    A rule on an HS code cannot tell the products under it apart: 081090 is dragon fruit,
    longan, lychee, rambutan, jackfruit and passion fruit (allowed) but also custard apple and
    wax apple (still pending a protocol). Blocking the code for the pending ones would refuse
    every dragon-fruit truck, so where any product under a code is allowed the code keeps the
    most permissive requirement (a phytosanitary certificate, as for every consignment of fresh
    plant products) and the pending products are named in the note for the officer. A code
    becomes "not permitted" only when every product under it is pending.
    """
    allowed = [p for p in products if p.status == "allowed"]
    suspended = [p for p in products if p.status == "suspended"]
    if allowed:
        chosen, requirement = allowed, Requirement.PHYTOSANITARY
    elif suspended:
        chosen, requirement = suspended, Requirement.SUSPENDED
    else:
        chosen, requirement = products, Requirement.NOT_PERMITTED
    others = [p for p in products if p not in chosen]
    gates = {p.gate for p in chosen}
    gate = gates.pop() if len(gates) == 1 else None
    starts = [p.since for p in chosen]
    several = len(chosen) > 1
    notes = [f"{p.en}: {p.notes}" if several else p.notes for p in chosen if p.notes]
    if others:
        notes.append(
            "Also under this HS code but not blocked, because a rule on the code cannot tell "
            "them from the products above: "
            + "; ".join(
                f"{p.en} ({p.status}{' at Ma Lu Thang' if p.gate else ''}: {p.basis})"
                for p in others
            )
            + "."
        )
    if gate:
        notes.append("Applies at Ma Lu Thang only: Lai Chau asked China to open it there (2025).")
    return _Spec(
        key=f"{ACCESS_FILE.removesuffix('.csv')}:{code}",
        values={
            "hs_prefix": code,
            "direction": RuleDirection.EXPORT,
            "destination": "CN",
            "origin_country": "VN",
            "gate": gate,
            "requirement": requirement,
            "starts_on": min(starts) if starts and all(starts) else None,
            "ends_on": None,
            "legal_basis": _joined(
                (f"{p.en}: {p.basis}" if several else p.basis for p in chosen), "; "
            ),
            "declared_by": "GACC",
            "product_name_vi": _joined(p.vi for p in chosen),
            "product_name_en": _joined(p.en for p in chosen),
            "product_name_zh": _joined(p.zh for p in chosen),
            "confidence": _confidence(p.confidence for p in chosen),
            "source": f"reference/data/{ACCESS_FILE}: "
            + _joined((p.source for p in chosen), " | "),
            "note": "\n".join(notes),
            "text_language": "en",  # the bases and notes were gathered from English reports
        },
    )


def _designated_specs(access: dict[str, list[_Product]], guangxi: set[str]) -> list[_Spec]:
    """Fresh fruit bound for China enters only through designated Chinese sites.

    A Vietnamese gate is listed when the sites file names its Chinese counterpart, unless the
    file says the site is not designated (Jinshuihe, facing Ma Lù Thàng). Sites the file marks
    uncertain (Shuikou, Longbang, Hekou: fruit handled, designation not verified) are listed
    rather than refused, and said so in the note: the data cannot rule them out. A
    product-specific opening (passion fruit through every Guangxi land crossing) widens the list
    of its own HS code, for the same reason as in ``_access_spec``: the code cannot tell passion
    fruit from dragon fruit.
    """
    designated: set[str] = set()
    evidence: list[str] = []
    confidences: list[str] = []
    widening: dict[str, list[dict]] = {}
    for row in _csv(REFERENCE_DATA_DIR / SITES_FILE):
        facing = row["facing_vn_gate"].strip()
        status = row["fruit_designated_status"].strip()
        if facing.startswith("-"):
            continue
        if facing.lower().startswith("all guangxi"):
            product = row["cn_site_en"].rsplit(" - ", 1)[-1].strip().lower()
            codes = [
                c for c, ps in access.items() if any(p.en.lower().startswith(product) for p in ps)
            ]
            if not codes:
                raise MarketDataError(f"{SITES_FILE}: no HS code for {product!r} in {ACCESS_FILE}")
            for code in codes:
                widening.setdefault(code, []).append(row)
            continue
        names = [n.strip() for n in re.split(r"[;/]", facing) if n.strip()]
        unknown = [n for n in names if n not in _FACING_GATES]
        if unknown:
            raise MarketDataError(f"{SITES_FILE}: no gate code for {', '.join(unknown)}")
        confidences.append(row["confidence"].strip())
        is_designated = not status.lower().startswith("not designated")
        if is_designated:
            designated.update(_FACING_GATES[n] for n in names)
        evidence.append(
            f"{row['cn_site_en']} (facing {facing}): {status} [{row['confidence']}]"
            + ("" if is_designated else " - not listed")
        )
    note = (
        "Gates listed from the designated-sites file; sites marked uncertain are listed, not "
        "refused. HS headings 0803-0806 also cover dried fruit, which a subheading cannot tell "
        "from fresh.\n" + "\n".join(evidence)
    )
    source = f"reference/data/{SITES_FILE}; market/data/{HEADINGS_FILE}"
    specs = []
    for row in _csv(DATA_DIR / HEADINGS_FILE):
        specs.append(
            _Spec(
                key=f"{SITES_FILE.removesuffix('.csv')}:{row['hs_prefix']}",
                values=_designated_values(
                    row["hs_prefix"],
                    (row["product_vi"], row["product_en"], row["product_zh"]),
                    DESIGNATED_BASIS,
                    _confidence(confidences),
                    source,
                    note,
                ),
                designated=frozenset(designated),
            )
        )
    for code, rows in widening.items():
        products = access[code]
        specs.append(
            _Spec(
                key=f"{SITES_FILE.removesuffix('.csv')}:{code}",
                values=_designated_values(
                    code,
                    (
                        _joined(p.vi for p in products),
                        _joined(p.en for p in products),
                        _joined(p.zh for p in products),
                    ),
                    "; ".join([DESIGNATED_BASIS, *(r["fruit_designated_status"] for r in rows)]),
                    _confidence([*confidences, *(r["confidence"] for r in rows)]),
                    source,
                    "Widened to every Guangxi-facing gate ("
                    + "; ".join(r["fruit_designated_status"] for r in rows)
                    + "): this HS code cannot tell that product from the others under it.\n"
                    + note,
                ),
                designated=frozenset(designated | guangxi),
            )
        )
    return specs


def _designated_values(prefix, names, basis, confidence, source, note) -> dict:
    vi, en, zh = names
    return {
        "hs_prefix": prefix,
        # Whatever the regime: a re-exported Thai durian enters China like a Vietnamese one.
        "direction": RuleDirection.ANY,
        "destination": "CN",
        "origin_country": "",
        "gate": None,
        "requirement": Requirement.DESIGNATED_GATES_ONLY,
        "starts_on": None,
        "ends_on": None,
        "legal_basis": basis,
        "declared_by": "GACC",
        "product_name_vi": vi,
        "product_name_en": en,
        "product_name_zh": zh,
        "confidence": confidence,
        "source": source,
        "note": note,
        "text_language": "en",
    }


def _same(rule: MarketAccessRule, spec: _Spec, gates: dict[str, Gate]) -> bool:
    for name, value in spec.values.items():
        if name == "gate":
            if rule.gate_id != (gates[value].pk if value else None):
                return False
        elif getattr(rule, name) != value:
            return False
    return {g.code for g in rule.designated_gates.all()} == set(spec.designated)


def _latest_versions(keys: Iterable[str]) -> dict[str, MarketAccessRule]:
    """The newest version of each shipped rule, with its designated gates, in two statements."""
    latest = {}
    for rule in (
        MarketAccessRule.objects.filter(source_key__in=set(keys))
        .prefetch_related("designated_gates")
        .order_by("source_key", "-id")
    ):
        latest.setdefault(rule.source_key, rule)
    return latest


def _deactivate_all(rules: Iterable[MarketAccessRule]) -> None:
    pks = [rule.pk for rule in rules]
    if pks:
        MarketAccessRule.objects.filter(pk__in=pks).update(
            is_active=False, deactivated_at=timezone.now(), deactivated_by=None
        )


@transaction.atomic
def load_market_rules() -> int:
    """Load the rules from the reference data; returns how many rules the data defines.

    Idempotent: a rule whose data is unchanged is left alone, a changed one gets a new version
    (the old one is kept, inactive), a rule dropped from the data is deactivated. Needs the
    reference gates (``cuakhau load_reference``) first.

    Written in bulk, a handful of statements whatever the number of rules (one rule at a time
    made some 150), and the rules' edition renewed once, at the end, if anything changed.
    """
    from .editions import renew

    gates = Gate.objects.in_bulk(field_name="code")
    needed = set(_FACING_GATES.values())
    if not needed <= set(gates):
        raise MarketDataError(
            "Border gates "
            + ", ".join(sorted(needed - set(gates)))
            + " are missing: run `cuakhau load_reference` first."
        )
    access = _access_products()
    guangxi = {g.code for g in gates.values() if g.counterpart_province == "Guangxi"}
    specs = [_access_spec(code, products) for code, products in access.items()]
    specs += _designated_specs(access, guangxi)
    latest = _latest_versions(spec.key for spec in specs)
    replaced, new = [], []
    for spec in specs:
        rule = latest.get(spec.key)
        # A person's decision (a new version or a deactivation in the admin) outranks the
        # shipped data: reloading never undoes it.
        if rule is not None and (rule.created_by_id or rule.deactivated_by_id):
            continue
        if rule is not None and rule.is_active:
            if _same(rule, spec, gates):
                continue
            replaced.append(rule)
        values = dict(spec.values)
        values["gate"] = gates[values["gate"]] if values["gate"] else None
        new.append((MarketAccessRule(source_key=spec.key, supersedes=rule, **values), spec))
    # The old versions first: one active version of a shipped rule at a time (a constraint).
    _deactivate_all(replaced)
    MarketAccessRule.objects.bulk_create([rule for rule, _spec in new])
    Designated = MarketAccessRule.designated_gates.through
    Designated.objects.bulk_create(
        Designated(marketaccessrule_id=rule.pk, gate_id=gates[code].pk)
        for rule, spec in new
        for code in sorted(spec.designated)
    )
    prefixes = (f"{ACCESS_FILE.removesuffix('.csv')}:", f"{SITES_FILE.removesuffix('.csv')}:")
    stale = list(
        MarketAccessRule.objects.filter(is_active=True, created_by__isnull=True)
        .filter(Q(source_key__startswith=prefixes[0]) | Q(source_key__startswith=prefixes[1]))
        .exclude(source_key__in=[s.key for s in specs])
    )
    _deactivate_all(stale)
    if new or stale:  # every replaced version has its new one
        renew()  # bulk writes send no signal
    return len(specs)
