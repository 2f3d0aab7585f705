"""The detail of each use recorded before it was kept in every language, read back where it can be.

A use's detail was written in the language of the operator at the booth. Where it is made of the
verifier's fixed sentences (a good signature, a receipt revoked or used, …), joined by "; ", and
of "used at exit at <gate> on <time>", each part is found in whichever language it was written
and written again in the three; its gate by any of the gate's names, its time as stored. Any other
detail (a refusal naming a trip and its problems) is left as it was: it is shown as stored, marked
with its language (``core.phrases.in_reader_language``).
"""

import re

from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

LANGUAGES = {"vi": "vi", "en": "en", "zh": "zh-hans"}

# The sentences as ``receipts.services`` had them when this was written.
FIXED = (
    "this is not a receipt code: it could not be read",
    "this code is not a receipt of this system",
    "the content of this receipt could not be read: the code is damaged or incomplete",
    "the signature of this receipt could not be read: the code is damaged or incomplete",
    "the published key that checks this receipt is unusable: report it to the system"
    " administrators",
    "this code claims a kind of signature that receipts never have: it is forged",
    "this code has no receipt number: it is not a receipt",
    "the key that signed this receipt was revoked because it was compromised: the receipt"
    " cannot be trusted",
    "this receipt was signed with a key the gate authority has not published: it cannot be"
    " trusted",
    "the signature does not match the content of this receipt: it was altered or forged",
    "this receipt has been revoked",
    "this receipt has already been used",
    "the signature matches the gate authority's published key",
    "the signature is valid but no such receipt was issued",
    "this receipt could not be verified",
    "turned back after its rejection: its fees are not refunded",
)
USED_AT = "used at exit at %(gate)s on %(at)s"


def _in_each(message):
    texts = {}
    for key, language in LANGUAGES.items():
        with translation.override(language):
            texts[key] = gettext(message)
    return texts


def _used_at_patterns():
    """Per language, the "used at exit" sentence as a pattern with its gate and time."""
    patterns = {}
    for key, template in _in_each(USED_AT).items():
        pieces = re.split(r"(%\(gate\)s|%\(at\)s)", template)
        regex = "".join(
            "(?P<gate>.+?)" if p == "%(gate)s" else "(?P<at>.+)" if p == "%(at)s" else re.escape(p)
            for p in pieces
        )
        patterns[key] = re.compile(regex + r"\Z")
    return patterns


def read_back(detail, fixed, used_at, gates):
    """``detail`` in each language, or None when a part of it does not read back."""
    parts = []
    for part in detail.split("; "):
        if part in fixed:
            parts.append(fixed[part])
            continue
        for pattern in used_at.values():
            match = pattern.match(part)
            if match and match.group("gate") in gates:
                names, at = gates[match.group("gate")], match.group("at")
                parts.append(
                    {
                        key: template % {"gate": names[key], "at": at}
                        for key, template in _in_each(USED_AT).items()
                    }
                )
                break
        else:
            return None
    return {key: "; ".join(part[key] for part in parts) for key in LANGUAGES}


def forwards(apps, schema_editor):
    ReceiptUse = apps.get_model("receipts", "ReceiptUse")
    Gate = apps.get_model("reference", "Gate")
    fixed = {}
    for message in FIXED:
        texts = _in_each(message)
        for text in texts.values():
            fixed[text] = texts
    gates = {}
    for gate in Gate.objects.all():
        names = {"vi": gate.name_vi, "en": gate.name_en, "zh": gate.name_zh or gate.name_en}
        for name in names.values():
            if name:
                gates[name] = names
    used_at = _used_at_patterns()
    # Read whole before any is written: SQLite may walk again rows updated under an open cursor.
    details = list(ReceiptUse.objects.exclude(detail="").values_list("detail", flat=True).distinct())
    for detail in details:
        texts = read_back(detail, fixed, used_at, gates)
        if texts is not None:
            ReceiptUse.objects.filter(detail=detail).update(detail_texts=texts)


class Migration(migrations.Migration):
    dependencies = [
        ("receipts", "0009_use_detail_in_each_language"),
        ("reference", "0005_unlocode_of_each_side"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
