"""Issuing, verifying, using and revoking e-receipts.

The receipt is a compact JWS signed with the gate authority's Ed25519 key (see ``signing``);
anyone can verify it with the keys published at ``/.well-known/jwks.json``. The database adds
what a signature cannot say: whether a receipt was revoked or already used at exit.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from cuakhau.core import signatures
from cuakhau.core.context import SYSTEM, RequestContext
from cuakhau.core.errors import FieldErrors
from cuakhau.core.inputs import clean_text, shown
from cuakhau.core.jsontext import read_json
from cuakhau.core.phrases import Phrase, as_stored, said
from cuakhau.core.prepared import Prepared, PreparedUpdate, insert
from cuakhau.core.retry import ChangedMeanwhile, lock_rows, locked_row, retry_on_conflict
from cuakhau.core.wording import join_clauses, mid_sentence
from cuakhau.reference.models import Gate

from . import signing
from .models import (
    Receipt,
    ReceiptSequence,
    ReceiptStatus,
    ReceiptUse,
    RevokeKind,
    UseOutcome,
)
from .offline import UsedReceipts


@cache
def _store_for(directory: str, env_key: str, publish_delay: int) -> signing.KeyStore:
    return signing.KeyStore.from_env(directory, publish_delay=publish_delay)


def jwks_cache_seconds() -> int:
    """How long verifiers may cache the published key set (``JWKS_CACHE_SECONDS``)."""
    return int(getattr(settings, "JWKS_CACHE_SECONDS", 300))


def key_store() -> signing.KeyStore:
    import os

    # A rotated key waits as long as the key set may be cached before it signs.
    return _store_for(
        str(settings.SIGNING_KEY_DIR),
        os.environ.get(signing.DEFAULT_ENV_VAR, ""),
        jwks_cache_seconds(),
    )


def jwks_url() -> str:
    """Where the published keys are, whole: a receipt on paper or in a mail is verified by
    someone who is not on the site (a path alone named no place)."""
    from django.urls import reverse

    return f"{settings.PUBLIC_URL}{reverse('jwks')}"


def authority_of(gate: Gate) -> str:
    return f"Ban Quản lý Khu kinh tế cửa khẩu tỉnh {gate.province}"


def gate_clock(moment: dt.datetime, gate: Gate) -> dt.datetime:
    """``moment`` on the gate's own clock: the year of its number, the times its texts name.

    The server's zone is not the gate's (a server kept on UTC numbered a receipt paid at 00:30
    on 1 January at the gate in the old year, and said its times seven hours early)."""
    return timezone.localtime(moment, ZoneInfo(gate.time_zone))


def at_gate(moment: dt.datetime, gate: Gate) -> str:
    """A moment in a sentence, on the gate's clock, as the reader's language writes it."""
    return date_format(gate_clock(moment, gate), "SHORT_DATETIME_FORMAT")


def _next_number(gate: Gate, year: int) -> tuple[int, str]:
    """The next number of the gate's series for the year, inside the caller's transaction.

    The row lock makes concurrent issuers queue; a rolled-back issue gives its number back, so
    the series has no gaps.
    """
    sequence, _made = locked_row(ReceiptSequence, gate=gate, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last, f"{gate.code.upper()}-{year}-{sequence.last:06d}"


# A receipt's number as printed on it ("KTH-2026-001696"): what an officer types when the QR
# will not scan. The gate's part is its code in capitals, any code a gate may have
# (``Gate.could_be_code``: "HN1", "LS-2" too).
_PRINTED_NUMBER = re.compile(r"[-A-Z0-9_]{1,8}-[0-9]{4}-[0-9]{6,9}")


def typed_number(text: str) -> str | None:
    """The receipt number ``text`` is, as stored (capitals, spaces around it dropped), or
    None when it is no receipt number."""
    number = (text or "").strip().upper()
    return number if len(number) <= 24 and _PRINTED_NUMBER.fullmatch(number) else None


def claims_of(receipt: Receipt) -> dict:
    return {
        "rcp": receipt.number,
        "trp": receipt.trip.reference,
        "gte": receipt.gate.code,
        "amt": receipt.amount_vnd,
        "cur": "VND",
        "iat": int(receipt.issued_at.timestamp()),
        "iss": receipt.authority,
        "plt": [p for p in (receipt.tractor_plate, receipt.trailer_plate) if p],
        "pyr": receipt.payer_tax_code,
        "itm": [[item["code"], item["amount_vnd"]] for item in receipt.items],
    }


def _kid_of(token: str) -> str:
    header = token.split(".", 1)[0]
    return read_json(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]


@transaction.atomic
def issue_receipt(trip, assessment, *, replaces: Receipt | None = None) -> Receipt:
    now = timezone.now()
    # The gate's year, as the receipt's printed time, the day's reconciliation and the
    # statistics' month all date it.
    year = gate_clock(now, trip.gate).year
    sequence, number = _next_number(trip.gate, year)
    receipt = Receipt(
        number=number,
        gate=trip.gate,
        year=year,
        sequence=sequence,
        trip=trip,
        assessment=assessment,
        amount_vnd=assessment.total_vnd,
        items=assessment.items,
        payer_name=trip.organisation.name,
        payer_tax_code=trip.organisation.tax_code,
        tractor_plate=trip.tractor_plate,
        trailer_plate=trip.trailer_plate,
        authority=authority_of(trip.gate),
        issued_at=now,
        replaces=replaces,
    )
    receipt.token = signing.sign_claims(key_store(), claims_of(receipt), trip.gate.code)
    receipt.kid = _kid_of(receipt.token)
    receipt.save()
    return receipt


# The longest code a verification reads (the API and the page alike): a receipt's compact JWS is
# a few hundred characters, and a QR code holds at most 4,296.
MAX_TOKEN_CHARS = 4000


def _unverified_number(token: str) -> str | None:
    # A scan's token is read for its number by the look-up and again by the verification.
    return _number_claimed(token) if isinstance(token, str) else None


@lru_cache(maxsize=64)
def _number_claimed(token: str) -> str | None:
    try:
        payload = token.split(".")[1]
        rcp = read_json(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get("rcp")
    except (IndexError, ValueError, AttributeError):
        return None
    # Unverified: whoever made the code wrote it. Only a number of the shape we issue is looked
    # up, kept or named (an object, a list or a lone surrogate failed the query, a 500; a whole
    # number failed the exit that slices it).
    return rcp if isinstance(rcp, str) and typed_number(rcp) == rcp else None


# What a verification reads of a receipt besides its own row, in the same statement: its
# replacement (a compromised key's receipt names it) and the gate it was used at.
_VERIFY_RELATED = ("gate", "trip", "replaced_by", "used_gate")
_UNREAD = object()


def receipt_numbered(number: str | None, *, lock: bool = False) -> Receipt | None:
    """The receipt with this number, with what a verification reads of it (one query).

    ``lock``: its row locked too, for an exit that uses it (the trip's row is locked first).
    """
    if not number:
        return None
    return (_LOCKED_NUMBERED if lock else _NUMBERED).first(number=number)


# What a verification's reasons say, as the reader's language writes them (``reason_text``): the
# English of ``signing.Reason`` is for logs and the command line, never shown on a page. Reasons
# before the signature is checked cannot trust anything the code says, so they name nothing of it.
_UNREADABLE = gettext_lazy("this is not a receipt code: it could not be read")
_NOT_OURS = gettext_lazy("this code is not a receipt of this system")
_CONTENT_UNREADABLE = gettext_lazy(
    "the content of this receipt could not be read: the code is damaged or incomplete"
)
_SIGNATURE_UNREADABLE = gettext_lazy(
    "the signature of this receipt could not be read: the code is damaged or incomplete"
)
_KEY_UNUSABLE = gettext_lazy(
    "the published key that checks this receipt is unusable: report it to the system administrators"
)
_REASONS = {
    signing.NOT_TEXT: _UNREADABLE,
    signing.PART_COUNT: _UNREADABLE,
    signing.NO_ALG: _NOT_OURS,
    signing.BAD_ALG: gettext_lazy(
        "this code claims a kind of signature that receipts never have: it is forged"
    ),
    signing.HEADER_PARAMS: _NOT_OURS,
    signing.NOT_RECEIPT_TYPE: _NOT_OURS,
    signing.NO_KID: _NOT_OURS,
    signing.NO_NUMBER: gettext_lazy("this code has no receipt number: it is not a receipt"),
    signing.SIGNATURE_LENGTH: _SIGNATURE_UNREADABLE,
    signing.KEY_REVOKED: gettext_lazy(
        "the key that signed this receipt was revoked because it was compromised: the receipt"
        " cannot be trusted"
    ),
    signing.KEY_UNPUBLISHED: gettext_lazy(
        "this receipt was signed with a key the gate authority has not published: it cannot be"
        " trusted"
    ),
    signing.KEY_TWICE: _KEY_UNUSABLE,
    signing.KEY_UNUSABLE: _KEY_UNUSABLE,
    signing.KEY_OTHER_GATE: gettext_lazy(
        "this receipt was signed with the key of another gate: it is forged"
    ),
    signing.SIGNATURE_MISMATCH: gettext_lazy(
        "the signature does not match the content of this receipt: it was altered or forged"
    ),
    signing.RECEIPT_REVOKED: gettext_lazy("this receipt has been revoked"),
    signing.RECEIPT_USED: gettext_lazy("this receipt has already been used"),
    signing.SIGNATURE_OK: gettext_lazy("the signature matches the gate authority's published key"),
}
# A part of the code that cannot be decoded, by the part (``signing.NOT_BASE64`` and the like).
_PART_UNREADABLE = {
    "header": _UNREADABLE,
    "payload": _CONTENT_UNREADABLE,
    "signature": _SIGNATURE_UNREADABLE,
}


def reason_text(reason: str, gates: dict[str, Gate] | None = None) -> Phrase:
    """A reason of ``signing.verify`` as a sentence in the reader's language (a ``Phrase``: a
    use at exit keeps it in every language).

    ``gates``: the gates a wrong-gate reason names, by code (``_gates_named``); one not there is
    named by its code, in capitals, as printed on the receipt.
    """
    code = getattr(reason, "code", None)
    params = getattr(reason, "params", {})
    if code in (signing.NOT_BASE64, signing.NOT_JSON, signing.NOT_OBJECT):
        return Phrase(_PART_UNREADABLE.get(params.get("part"), _UNREADABLE))
    if code == signing.WRONG_GATE_REASON:
        expected = _gate_name(params.get("expected"), gates)
        if params.get("gate") is None:
            return Phrase(
                gettext_noop("this receipt names no gate, so it is not valid at %(expected)s"),
                expected=expected,
            )
        return Phrase(
            gettext_noop("this receipt was issued for %(gate)s, not for %(expected)s"),
            gate=_gate_name(params["gate"], gates),
            expected=expected,
        )
    if code in _REASONS:
        return Phrase(_REASONS[code])
    return Phrase(gettext_noop("this receipt could not be verified"))


def _gate_name(code, gates: dict[str, Gate] | None):
    """A gate as a reason names it: in each language its own name (a callable, for a
    ``Phrase``), or its code as printed when unknown."""
    gate = (gates or {}).get(code) if isinstance(code, str) else None
    if gate is not None:
        return lambda: str(gate.name)
    return str(code).upper()


def gate_named(gate: Gate | None):
    """A gate's name as a ``Phrase`` value: written in each language as that language names it."""
    return (lambda: str(gate.name)) if gate is not None else "?"


def at_gate_later(moment: dt.datetime, gate: Gate):
    """``at_gate`` as a ``Phrase`` value: the moment written as each language writes it."""
    return lambda: at_gate(moment, gate)


def _gates_named(
    result: signing.VerificationResult, expected: Gate | None, receipt: Receipt | None
) -> dict[str, Gate]:
    """The gates the reasons name, by code: the checking gate and the receipt's when at hand,
    the others read (one query). None for any other reason than a receipt of another gate."""
    codes = {
        value
        for reason in result.reasons
        if getattr(reason, "code", None) == signing.WRONG_GATE_REASON
        for value in (reason.params.get("gate"), reason.params.get("expected"))
        if isinstance(value, str)
    }
    if not codes:
        return {}
    known = (expected, receipt.gate if receipt is not None else None)
    gates = {gate.code: gate for gate in known if gate is not None and gate.code in codes}
    missing = [code for code in codes - set(gates) if Gate.could_be_code(code)]
    if missing:
        gates.update((gate.code, gate) for gate in Gate.objects.filter(code__in=missing))
    return gates


def gate_of_claims(claims: dict | None, receipt: Receipt | None = None) -> Gate | None:
    """The gate a receipt's claims name (``gte``): the receipt's own when it is that one."""
    code = (claims or {}).get("gte")
    if not isinstance(code, str) or not Gate.could_be_code(code):
        return None
    if receipt is not None and receipt.gate.code == code:
        return receipt.gate
    return Gate.objects.filter(code=code).first()


def checking_gate(code: str | None) -> str | None:
    """The code of the gate a verifier says it checks at (any case), None for none; a code of
    no gate is refused (it was answered "issued for Hữu Nghị, not ZZZ")."""
    code = (code or "").strip().lower()
    if not code:
        return None
    # Looked up only when it could be a code: PostgreSQL refuses a NUL in a query's text.
    if not (code.isascii() and code.isalnum() and len(code) <= 10) or not (
        Gate.objects.filter(code=code).exists()
    ):
        raise FieldErrors({"gate": [_("%(gate)s is not a border gate.") % {"gate": code.upper()}]})
    return code


def verify_receipt(
    token: str, gate: str | Gate | None = None, *, receipt=_UNREAD
) -> tuple[signing.VerificationResult, Receipt | None]:
    """Verify online: the signature against published keys, then revocation and use.

    The keys come from the key store's in-process copy (no query); the receipt's row says
    whether it was revoked or used: read here (one indexed lookup) unless the caller passes
    the row of the token's number it already read (``receipt_numbered``, ``valid_receipt_of``).
    ``gate``: the gate checking it, by its code or itself (then named without a query when the
    receipt is for another gate). The reasons are sentences in the reader's language.
    """
    expected = gate if isinstance(gate, Gate) else None
    gate_code = gate.code if isinstance(gate, Gate) else gate
    token = (token or "").strip()
    store = key_store()
    number = _unverified_number(token)
    if receipt is _UNREAD or (receipt is not None and receipt.number != number):
        receipt = receipt_numbered(number)
    # Only the code we issued speaks of its receipt: a made-up code naming a real number (they
    # run in sequence) learnt whether it was revoked, why, and where it was used.
    if receipt is not None and not signatures.matches(receipt.token, token):
        receipt = None
    revoked = [number] if receipt and receipt.status == ReceiptStatus.REVOKED else []
    used = [number] if receipt and receipt.used_at else []
    jwks, revoked_kids = store.published()
    result = signing.verify(
        token,
        jwks,
        revoked_kids=revoked_kids,
        revoked_receipts=revoked,
        expected_gate=gate_code,
        used_receipts=used,
    )
    gates = _gates_named(result, expected, receipt)
    result.reasons = [reason_text(reason, gates) for reason in result.reasons]
    if result.is_valid and receipt is None:
        # Signed by our key but not a receipt we issued as such: treat as forged.
        result = signing.VerificationResult(
            signing.FORGED,
            [Phrase(gettext_noop("the signature is valid but no such receipt was issued"))],
            None,
            result.kid,
        )
    replacement = getattr(receipt, "replaced_by", None) if receipt else None
    if replacement is not None:
        result.reasons.append(
            Phrase(
                gettext_noop(
                    "replaced by receipt %(new)s on %(at)s: the key that signed it was compromised"
                ),
                new=replacement.number,
                at=at_gate_later(replacement.issued_at, receipt.gate),
            )
        )
    elif receipt and receipt.status == ReceiptStatus.REVOKED:
        result.reasons.append(
            Phrase(
                gettext_noop("revoked on %(at)s (%(kind)s): %(reason)s"),
                at=at_gate_later(receipt.revoked_at, receipt.gate),
                kind=receipt.get_revoke_kind_display,
                # As the cashier typed it, or the system's sentence in the reader's language.
                reason=lambda: str(receipt.revoke_reason_shown),
            )
        )
    if receipt and receipt.used_at:
        result.reasons.append(
            Phrase(
                gettext_noop("used at exit at %(gate)s on %(at)s"),
                gate=gate_named(receipt.used_gate),
                at=at_gate_later(receipt.used_at, receipt.gate),
            )
        )
    return result, receipt


def revocation_list() -> dict:
    store = key_store()
    return {
        "generated_at": timezone.now().isoformat(),
        "revoked_kids": store.revoked_kids(),
        "revoked_receipts": list(
            Receipt.objects.filter(status=ReceiptStatus.REVOKED)
            .order_by("number")
            .values_list("number", flat=True)
        ),
    }


def used_receipts() -> UsedReceipts:
    # In the numbers' order (their unique index's): each run comes whole, not to be sorted.
    return UsedReceipts.of_numbers(
        Receipt.objects.exclude(used_at=None).order_by("number").values_list("number", flat=True)
    )


def offline_bundle() -> dict:
    """What an offline verifier needs, stamped with when it was made: the offline page and
    the ``receipt_bundle`` command both carry exactly this (``offline.write_bundle``'s keys).

    The revoked and the used receipts are read in one statement (``revocation_list`` and
    ``used_receipts`` give each alone), in the numbers' order: each run comes whole."""
    store = key_store()
    generated_at = timezone.now()
    revoked, used = [], []
    for number, status, used_at in (
        Receipt.objects.filter(Q(used_at__isnull=False) | Q(status=ReceiptStatus.REVOKED))
        .order_by("number")
        .values_list("number", "status", "used_at")
    ):
        if status == ReceiptStatus.REVOKED:
            revoked.append(number)
        if used_at is not None:
            used.append(number)
    used_runs = UsedReceipts.of_numbers(used)
    return {
        "jwks": store.jwks(),
        "generated_at": generated_at.isoformat(),
        "revoked_kids": store.revoked_kids(),
        "revoked_receipts": revoked,
        "used_receipt_runs": used_runs.runs(),
        "used_receipts": used_runs.others(),
    }


def gate_names() -> dict[str, dict[str, str]]:
    """Every gate's name in each of the site's languages, by code, for the offline page
    (``{"mlt": {"vi": "Ma Lù Thàng", "en": "Ma Lu Thang", "zh-hans": "马鹿塘口岸"}}``, each
    falling back as ``Gate.name`` does): a signed receipt names its gate by code only, and the
    page names it with no server to ask."""
    from cuakhau.reference.localize import localized
    from cuakhau.reference.models import Gate

    page_languages = {"vi": "vi", "en": "en", "zh-hans": "zh"}
    rows = Gate.objects.order_by("code").values_list("code", "name_vi", "name_en", "name_zh")
    return {
        code: {
            page: str(localized(vi, en, zh, language=language))
            for page, language in page_languages.items()
        }
        for code, vi, en, zh in rows
    }


def fee_item_labels() -> dict:
    """The names of the fee items a receipt may list, for the offline page: a signed receipt
    names its items by code and amount only (``"itm": [["d", 800000]]``), and a code may stand
    for several rates of a schedule.

    ``{"labels": [[vi, en, zh], ...], "gates": {"mlt": [[code, unit, amount, label], ...]}}``:
    every rate of every version of each gate's schedules, ``label`` an index into ``labels`` (a
    schedule shared by gates names its items once).
    """
    from cuakhau.fees.models import FeeRate

    labels: list[list[str]] = []
    label_at: dict[tuple[str, str, str], int] = {}
    gates: dict[str, list[list]] = {}
    seen = set()
    # A draft's rates are on no receipt (``fees.services.schedule_for``).
    rates = (
        FeeRate.objects.filter(schedule__status="published")
        .order_by(
            "schedule__gate__code",
            "-schedule__effective_from",
            "-schedule__version",
            "position",
            "pk",
        )
        .values_list(
            "schedule__gate__code",
            "item_code",
            "unit",
            "amount_vnd",
            "label_vi",
            "label_en",
            "label_zh",
        )
    )
    for gate, code, unit, amount, *names in rates:
        label = tuple(names)
        if label not in label_at:
            label_at[label] = len(labels)
            labels.append(list(label))
        rate = (gate, code, unit, amount, label_at[label])
        if rate not in seen:
            seen.add(rate)
            gates.setdefault(gate, []).append(list(rate[1:]))
    return {"labels": labels, "gates": gates}


def outcome_of(result: signing.VerificationResult, receipt: Receipt | None) -> str:
    """What a verification result means for a receipt presented at exit."""
    if receipt is None or result.status in (signing.FORGED, signing.MALFORMED, signing.UNKNOWN_KEY):
        return UseOutcome.INVALID
    if receipt.status == ReceiptStatus.REVOKED or result.status == signing.REVOKED:
        return UseOutcome.REVOKED
    if result.status == signing.WRONG_GATE:
        return UseOutcome.WRONG_GATE
    if receipt.used_at is not None:
        return UseOutcome.ALREADY_USED
    return UseOutcome.USED


@transaction.atomic(savepoint=False)
def use_at_exit(token: str, gate: Gate, actor, *, receipt=None) -> ReceiptUse:
    """Use a receipt once, at its own gate, for a cleared truck inside it.

    Only ``gate.services.exit_truck`` uses receipts, inside the exit: a receipt is used up by
    the truck leaving, never on its own (a truck that never arrived could then never leave).
    The exit judges first (``judge_at_exit``) and records only a use (``record_use``); a
    refusal it keeps itself once rolled back. This is both in one step, refusals recorded.
    """
    return record_use(judge_at_exit(token, gate, actor, receipt=receipt))


def judge_at_exit(token: str, gate: Gate, actor, *, receipt=None) -> ReceiptUse:
    """What presenting this receipt at this gate's exit would be (not saved): used, or why not.

    ``receipt`` is the token's receipt when the exit already read it.
    """
    from cuakhau.trips.choices import TripStatus

    number = _unverified_number(token) or ""
    if receipt is None or receipt.number != number:
        receipt = receipt_numbered(number, lock=True)
    result, _receipt = verify_receipt(token, gate.code, receipt=receipt)
    outcome = outcome_of(result, receipt)
    if outcome == UseOutcome.USED and receipt.trip.status != TripStatus.CLEARED:
        outcome = UseOutcome.REFUSED
        result.reasons.append(
            Phrase(
                gettext_noop("trip %(ref)s is %(status)s, not cleared inside the gate"),
                ref=receipt.trip.reference,
                status=mid_sentence(receipt.trip.get_status_display),
            )
        )
    return with_detail(
        ReceiptUse(
            receipt=receipt,
            number=number[:24],
            gate=gate,
            at=timezone.now(),
            actor=actor,
            outcome=outcome,
        ),
        lambda: join_clauses(said(reason) for reason in result.reasons),
    )


def with_detail(use: ReceiptUse, detail) -> ReceiptUse:
    """``use`` with its detail written in every language (``core.phrases``): a ``Phrase``, or a
    callable putting phrases together. ``detail`` itself keeps the platform's language, for
    whoever reads the table without the application."""
    use.detail, use.detail_texts = as_stored(detail)
    return use


@transaction.atomic(savepoint=False)
def record_use(use: ReceiptUse, *, as_read: bool = False) -> ReceiptUse:
    """Keep a judged presentation; a use marks its receipt used. No savepoint: a failure fails
    the exit's whole transaction.

    ``as_read``: the receipt was read before the exit's transaction; it is marked used only if
    still valid and unused, else ``ChangedMeanwhile``.
    """
    insert(use)
    if use.outcome == UseOutcome.USED:
        receipt = use.receipt
        receipt.used_at, receipt.used_gate, receipt.used_by = use.at, use.gate, use.actor
        if not as_read:
            receipt.save(update_fields=["used_at", "used_gate", "used_by"])
        elif not _USED_IF_UNUSED.run(
            pk=receipt.pk, at=use.at, gate=use.gate_id, actor=use.actor_id
        ):
            raise ChangedMeanwhile("receipt")
    return use


_USED_IF_UNUSED = PreparedUpdate(
    lambda pk, **_used: Receipt.objects.filter(
        pk=pk, status=ReceiptStatus.VALID, used_at__isnull=True
    ),
    values=lambda at, gate, actor, **_where: {
        "used_at": at,
        "used_gate_id": gate,
        "used_by_id": actor,
    },
    pk=int,
    at=dt.datetime,
    gate=int,
    actor=int,
)


def is_cashier(user, gate: Gate) -> bool:
    """A cashier of the gate: its operators or its desk (``cuakhau.policy.CASHIERS``) working
    there, or an administrator."""
    from cuakhau.accounts import roles
    from cuakhau.policy import CASHIERS
    from cuakhau.trips.services import works_at

    return bool(roles.roles_of(user) & set(CASHIERS)) and works_at(user, gate)


def check_cashier(user, gate: Gate) -> None:
    """Only a cashier of its gate revokes a receipt by hand (``revoke_receipt`` itself is also
    the system's and the enterprise's, when a paid trip is cancelled or rejected)."""
    if not is_cashier(user, gate):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(
            _("Only a cashier of this gate (its operators or its desk) may do this.")
        )


def revoke_errors(receipt: Receipt, kind, reason, refused: Iterable[str] = ()) -> dict:
    """Every refusal of a receipt's revocation at once, by field (``kind``, ``reason``, the
    ``receipt`` itself); writes nothing. ``refused``: fields refused already (a schema's, a
    form's), not checked again."""
    refused = set(refused)
    errors: dict[str, list[str]] = {}
    # "replaced" belongs to reissue_receipt, which issues the replacement in the same step.
    if "kind" not in refused and kind not in (RevokeKind.CANCELLED, RevokeKind.REFUNDED):
        errors["kind"] = [_("Choose cancelled or refunded.")]
    # One the system wrote (a ``Phrase``: what happened to the trip) is kept in each language.
    if "reason" not in refused and not isinstance(reason, Phrase):
        try:
            if not clean_text(str(reason or ""), multiline=True, max_length=2000).strip():
                errors["reason"] = [_("Give a reason.")]
        except ValidationError as exc:
            errors["reason"] = exc.messages
    if receipt.status == ReceiptStatus.REVOKED:
        errors["receipt"] = [_("This receipt is already revoked.")]
    elif receipt.used_at is not None:
        # The truck crossed on it: the fee was earned, and the exit stays as it was.
        errors["receipt"] = [_("This receipt was used at the exit: it can no longer be revoked.")]
    return errors


@retry_on_conflict
@transaction.atomic
def revoke_receipt(
    receipt: Receipt, actor, kind: str, reason: str, context: RequestContext = SYSTEM
) -> Receipt:
    """Revoke a receipt (cancelled, or refunded): it stops verifying at once.

    A truck that has not arrived yet owes its fees again: its trip goes back to submitted,
    recorded with the cashier and the reason, and the money that stood behind the receipt is a
    refund due (``payments.services.paid_total`` no longer counts it), so the enterprise pays
    again and gets a new receipt. A truck already inside stays as it is, and the revoked
    receipt does not let it out: paying again gives it a receipt to leave on
    (``payments.services._complete``).
    """
    from cuakhau.trips import services as trips
    from cuakhau.trips.models import Trip

    # The trip first, then its receipt: the order of every path that changes both (payment,
    # exit, re-issue), so a revocation beside one of them waits instead of deadlocking.
    trip = lock_rows(Trip.objects).get(pk=receipt.trip_id)
    receipt = lock_rows(Receipt.objects).get(pk=receipt.pk)
    errors = revoke_errors(receipt, kind, reason)
    if errors:
        raise FieldErrors(errors)
    if not isinstance(reason, Phrase):
        reason = clean_text(str(reason or ""), multiline=True, max_length=2000).strip()
    receipt.status = ReceiptStatus.REVOKED
    receipt.revoked_at = timezone.now()
    receipt.revoked_by = actor
    receipt.revoke_kind = kind
    receipt.revoke_reason, receipt.revoke_reason_texts = as_stored(reason)
    receipt.save()
    # A trip cancelled or rejected is not crossing: nothing to pay again, nobody to warn.
    still_to_cross = trip.status in _STILL_CROSSING
    if trip.status == "paid":
        trips.mark_unpaid(trip, actor, reason, context)
    if still_to_cross:
        told = {
            "number": receipt.number,
            "reference": trip.reference,
            "kind": RevokeKind(kind).label,
            "reason": receipt.revoke_reason_texts or reason,
        }
        trips.tell_driver(
            trip, "receipt_revoked", told, dedupe_key=f"receipts.revoked:{receipt.pk}"
        )
        # The enterprise pays again, or is owed a refund: its people hear it from the cashier.
        trips.tell_enterprise(
            trip, "receipt_revoked", told, dedupe_key=f"receipts.revoked:{receipt.pk}"
        )
    return receipt


def receipt_with_trip(number: str | None) -> Receipt | None:
    """The receipt with its gate, its trip and the trip's organisation and visit (with its
    entry lane): what a gate reads of a scanned receipt, in one statement.

    The gate it was used at is not joined: nearly every receipt a gate scans has none (no
    statement then). The trip's gate is the receipt's row when they are the same gate, not
    joined twice."""
    receipt = _NUMBERED_WITH_TRIP.first(number=number) if number else None
    if receipt is not None and receipt.trip.gate_id == receipt.gate_id:
        receipt.trip.gate = receipt.gate
    return receipt


def valid_receipt_of(trip, *, lock: bool = False) -> Receipt | None:
    """The trip's valid receipt, with what a verification reads of it (one query)."""
    return (_LOCKED_VALID_OF if lock else _VALID_OF).first(trip=trip.pk)


def _for_verification(lock: bool):
    receipts = Receipt.objects.select_related(*_VERIFY_RELATED).order_by("-issued_at", "pk")
    return lock_rows(receipts) if lock else receipts


# Read at every check-in and exit: compiled once per process (``Prepared``).
_NUMBERED = Prepared(lambda number: _for_verification(False).filter(number=number)[:1], number=str)
_LOCKED_NUMBERED = Prepared(
    lambda number: _for_verification(True).filter(number=number)[:1], number=str
)
_NUMBERED_WITH_TRIP = Prepared(
    lambda number: Receipt.objects.select_related(
        "gate", "replaced_by", "trip__organisation", "trip__visit__entry_lane"
    ).filter(number=number)[:1],
    number=str,
)
_VALID_OF = Prepared(
    lambda trip: _for_verification(False).filter(trip_id=trip, status=ReceiptStatus.VALID)[:1],
    trip=int,
)
_LOCKED_VALID_OF = Prepared(
    lambda trip: _for_verification(True).filter(trip_id=trip, status=ReceiptStatus.VALID)[:1],
    trip=int,
)


def visible_receipt(user, number: str) -> Receipt:
    """A receipt of a trip this user may see; ``Receipt.DoesNotExist`` otherwise."""
    from cuakhau.trips.services import of_visible_trip

    try:
        return Receipt.objects.select_related("trip", "gate").get(
            of_visible_trip(user), number=(number or "").upper()
        )
    except Receipt.DoesNotExist:
        raise Receipt.DoesNotExist(
            _("No receipt %(number)s.") % {"number": shown(number or "", 24)}
        ) from None


# ---------------------------------------------------------------------------------------------
# A compromised signing key: its receipts are re-issued, so no paid truck is stranded

# A receipt stands for a truck that may still cross while its trip is in one of these.
_STILL_CROSSING = ("paid", "arrived", "cleared")


@dataclass(frozen=True)
class Reissued:
    old: Receipt
    new: Receipt


def receipts_to_reissue(kids):
    """Valid, unused receipts signed by these keys whose truck has still to cross."""
    return Receipt.objects.filter(
        kid__in=list(kids),
        status=ReceiptStatus.VALID,
        used_at=None,
        trip__status__in=_STILL_CROSSING,
    ).order_by("issued_at", "number")


@retry_on_conflict
@transaction.atomic
def reissue_receipt(receipt: Receipt, actor, reason: str) -> Reissued | None:
    """Replace one receipt by a new one signed with a valid key, for the same payment.

    The old receipt is revoked as replaced (who, when, why) and points to its replacement;
    the payments move to the new receipt, so the money is counted once; the trip's timeline
    tells the payer. None when the receipt no longer needs it (used, revoked, trip gone on).
    """
    from cuakhau.core.context import Channel
    from cuakhau.trips import services as trips
    from cuakhau.trips.models import Trip, TripTransition

    # The trip first, then its receipt: the order of every path that changes both (payment,
    # exit), so a re-issue beside a payment or an exit waits instead of deadlocking.
    trip = lock_rows(Trip.objects).get(pk=receipt.trip_id)
    old = lock_rows(Receipt.objects).get(pk=receipt.pk)
    if old.status != ReceiptStatus.VALID or old.used_at or trip.status not in _STILL_CROSSING:
        return None
    now = timezone.now()
    old.status = ReceiptStatus.REVOKED
    old.revoked_at = now
    old.revoked_by = actor
    old.revoke_kind = RevokeKind.REPLACED
    old.revoke_reason, old.revoke_reason_texts = as_stored(reason)
    old.save()
    new = issue_receipt(trip, old.assessment, replaces=old)
    old.payments.update(receipt=new)
    # Read later by the payer, an officer, an auditor: each in their language.
    said, said_in_each = as_stored(Phrase(REPLACED_STEP, old=old.number, new=new.number))
    TripTransition.objects.create(
        trip=trip,
        action="reissue_receipt",
        from_status=trip.status,
        to_status=trip.status,
        actor=actor,
        at=now,
        reason=said,
        reason_texts=said_in_each,
        channel=Channel.SYSTEM,
        version=trip.version,
    )
    # The driver holds the old receipt's QR code: without a word, the truck would learn of the
    # replacement only when the gate refuses it.
    trips.tell_driver(
        trip,
        "receipt_replaced",
        {"old": old.number, "new": new.number, "reference": trip.reference},
        dedupe_key=f"receipts.replaced:{old.pk}",
    )
    return Reissued(old, new)


# The system's sentences of a re-issue (migrations 0011 of receipts and 0017 of trips read the
# rows written before they were kept in each language back with them).
REPLACED_STEP = gettext_noop(
    "Receipt %(old)s was replaced by receipt %(new)s because the key that signed it was"
    " compromised. Use the new receipt; the old one is no longer accepted."
)
KEY_COMPROMISED = gettext_noop("Signing key %(kid)s compromised on %(at)s: %(why)s")


def reissue_compromised(actor=None, note: str = "") -> list[Reissued]:
    """Re-issue every receipt still standing for a truck that was signed by a compromised key.

    Safe to run again: what was replaced is not replaced twice. Each receipt is replaced in
    its own transaction, so one failure does not hold back the others.
    """
    store = key_store()
    compromised = {k.kid: k for k in store.key_infos() if k.status == signing.COMPROMISED}
    done = []
    for receipt in receipts_to_reissue(compromised):
        key = compromised[receipt.kid]
        # The key's reason and the note as the administrator typed them.
        why = f"{key.compromise_reason} ({note})" if note else key.compromise_reason
        reason = Phrase(KEY_COMPROMISED, kid=key.kid, at=key.compromised_at, why=why)
        replaced = reissue_receipt(receipt, actor, reason)
        if replaced is not None:
            done.append(replaced)
    return done


def compromise_key(kid: str, reason: str, actor=None, note: str = "") -> list[Reissued]:
    """Mark a key compromised, then replace every receipt it signed that a truck still needs.

    The key leaves the published key set at once, so its receipts stop verifying; the
    replacements are signed by the scope's next valid key (a new one, signing at once, if
    there is none: nothing may wait for a cache to expire while trucks are stranded).
    """
    store = key_store()
    store.mark_compromised(kid, reason)
    scopes = {k.gate for k in store.key_infos() if k.kid == kid}
    for scope in scopes:
        if scope == signing.ALL_GATES and store.env_kid is not None:
            continue  # the "*" key from the secret manager is replaced there
        if not any(k.gate == scope and k.status == signing.ACTIVE for k in store.key_infos()):
            store.generate(scope, at_once=True)
    return reissue_compromised(actor, note)


def compromised_after_use(receipt: Receipt) -> dt.datetime | None:
    """When the key that signed ``receipt`` was compromised, if that came after the receipt
    was used at exit: the crossing it paid for happened and the register holds it, so the
    receipt keeps its worth as a record; only its signature no longer proves it to others."""
    if receipt.used_at is None:
        return None
    for key in key_store().key_infos():
        if key.kid == receipt.kid and key.compromised_at:
            at = signing._parse_stamp(key.compromised_at)
            return at if at > receipt.used_at else None
    return None


def receipt_state(receipt: Receipt) -> tuple[str, str]:
    """(code, sentence) saying what a receipt is worth now, for its page and its PDF."""
    replacement = getattr(receipt, "replaced_by", None)
    if replacement is not None:
        return "replaced", _(
            "Replaced by receipt %(new)s: the key that signed this receipt was compromised."
            " This receipt is no longer accepted."
        ) % {"new": replacement.number}
    if receipt.status == ReceiptStatus.REVOKED:
        return "revoked", _("Revoked (%(kind)s): %(reason)s") % {
            "kind": receipt.get_revoke_kind_display(),
            "reason": receipt.revoke_reason,
        }
    later = receipt.kid in key_store().revoked_kids() and compromised_after_use(receipt)
    if later:
        return "used", _(
            "Used at exit on %(at)s. The key that signed it was compromised afterwards, on "
            "%(compromised)s: its QR code no longer proves it to others, the gate's register "
            "still does."
        ) % {
            "at": at_gate(receipt.used_at, receipt.gate),
            "compromised": at_gate(later, receipt.gate),
        }
    if receipt.kid in key_store().revoked_kids():
        return "compromised_key", _(
            "The key that signed this receipt was compromised: it no longer verifies."
        )
    if receipt.used_at:
        return "used", _("Used at exit on %(at)s.") % {"at": at_gate(receipt.used_at, receipt.gate)}
    return "valid", _("Valid.")
