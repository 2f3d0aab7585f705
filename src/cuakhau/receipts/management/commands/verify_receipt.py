"""Verify a receipt against an offline bundle, in the officer's language.

``cuakhau verify_receipt BUNDLE TOKEN [--gate CODE] [--language vi|en|zh-hans]``: the same
check as ``python -m cuakhau.receipts.offline`` (``signing.verify`` against the bundle that
``receipt_bundle`` writes), said in Vietnamese by default, or in English or Chinese, with the
sentences of the verification page (the project's catalogues), never a status code or a
program's error text. Exit status: 0 for a valid receipt, 1 for anything else.

``python -m cuakhau.receipts.offline`` stays for a device without Django: it speaks English.
"""

import datetime as dt
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cuakhau.core.templatetags.labels import minutes
from cuakhau.core.zones import utc_offset
from cuakhau.receipts import offline, services
from cuakhau.receipts.models import VerificationStatus
from cuakhau.receipts.signing import verify

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _line(label: str, value) -> str:
    return pgettext("a label and its value", "%(label)s: %(value)s") % {
        "label": label,
        "value": value,
    }


def _age(generated_at: dt.datetime, now: dt.datetime) -> str:
    if (now - generated_at).total_seconds() < -60:
        return _("The data of this bundle is dated in the future: check this device's clock.")
    # With its offset: the device's clock is not necessarily the gate's.
    made = "{} ({})".format(
        formats.date_format(timezone.localtime(generated_at), "SHORT_DATETIME_FORMAT"),
        utc_offset(at=generated_at),
    )
    return _(
        "Revocation and use data from %(age)s ago (made %(at)s): this device does not know of"
        " receipts revoked or used since."
    ) % {"age": minutes((now - generated_at).total_seconds() / 60), "at": made}


def _gate_name(code: str) -> str:
    """The gate's name in the active language where this installation knows its gates; the
    code, as the receipt writes it, on a device without the database."""
    try:
        names = services.gate_names()
    except DatabaseError:
        return code.upper()
    return names.get(code, {}).get(translation.get_language(), code.upper())


def report(path: Path, token: str, gate: str | None, now: dt.datetime | None = None):
    """The lines to print, in the active language, and the exit status."""
    try:
        bundle = offline.load_bundle(path)
    except offline.BundleError:
        message = _(
            "Cannot read the bundle %(path)s: it is missing, damaged or not a receipt"
            " verification bundle."
        ) % {"path": path}
        return [message], 1
    result = verify(
        token.strip(),
        bundle.jwks,
        revoked_kids=bundle.revoked_kids,
        revoked_receipts=bundle.revoked_receipts,
        expected_gate=gate,
        used_receipts=bundle.used_receipts or (),
    )
    lines = [_line(_("Result"), VerificationStatus(result.status).label)]
    lines += [f"- {services.reason_text(reason)}" for reason in result.reasons]
    claims = result.claims or {}
    for label, name in ((_("Receipt"), "rcp"), (_("Trip"), "trp"), (_("Gate"), "gte")):
        value = claims.get(name)
        if isinstance(value, str) and value:
            lines.append(_line(label, _gate_name(value) if name == "gte" else value))
    amount = claims.get("amt")
    if isinstance(amount, int) and not isinstance(amount, bool):
        money = formats.number_format(amount, force_grouping=True)
        lines.append(_line(_("Amount"), f"{money} VND"))
    lines.append(_age(bundle.generated_at, now or timezone.now()))
    if bundle.used_receipts is None:
        lines.append(
            _(
                "This bundle (version 1) has no list of used receipts: a receipt already used"
                " passes here."
            )
        )
    return lines, 0 if result.is_valid else 1


class Command(BaseCommand):
    help = (
        "Verify a receipt against an offline bundle (written by receipt_bundle), in Vietnamese,"
        " English or Chinese. Exit status 0 for a valid receipt, 1 for anything else."
    )
    # A gate device checks a receipt: nothing of the installation needs checking first.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("bundle", type=Path, help="bundle JSON file exported by the server")
        parser.add_argument("token", help="the receipt token (compact JWS); '-' reads stdin")
        parser.add_argument("--gate", help="gate code this device guards")
        parser.add_argument(
            "--language",
            choices=LANGUAGES,
            default=settings.LANGUAGE_CODE,
            help="the language of the answer (default: %(default)s)",
        )

    def handle(self, *args, bundle, token, gate, language, **options):
        text = sys.stdin.read() if token == "-" else token
        with translation.override(language):
            lines, status = report(bundle, text, (gate or "").strip().lower() or None)
            for line in lines:
                self.stdout.write(str(line))
        if status:
            sys.exit(status)
