"""Payment notifications' log lines kept in each language (``NotificationLog.detail_texts``),
and those logged before read back: the webhook's refusals were its English (now sentences of
the system), a repeat's line a sentence in the language of the request; each found is written
again in the three languages, its values (an amount grouped as each language groups it, a
field's refusal) with it. A line that is none of them is left as stored (read back marked)."""

import re

from django.db import migrations, models
from django.utils.translation import gettext_noop

# The webhook's sentences when this was written (``payments.providers``, ``payments.services``).
MALFORMED = gettext_noop("The notification is malformed: %(fields)s")
SAME_TRANSFER = gettext_noop(
    "Same bank transfer (reference %(ref)s) as payment %(id)s, first reported by "
    "%(provider)s as %(tx)s: not recorded again."
)
SAME_TRANSACTION = gettext_noop(
    "Same transaction as payment %(id)s, kept as first recorded, but: %(what)s."
)
DIFFERENCES = (
    gettext_noop("amount %(new)s instead of %(old)s"),
    gettext_noop("currency %(new)s instead of %(old)s"),
    gettext_noop("trip %(new)s instead of %(old)s"),
)
FIELD_REFUSALS = (
    gettext_noop("Required: a non-empty string."),
    gettext_noop("Must be a string or null."),
    gettext_noop("Required: the provider's transaction id."),
    gettext_noop("A transaction id cannot hold control characters."),
    gettext_noop("Required: a whole number of đồng."),
    gettext_noop("The amount must be above zero."),
    gettext_noop("The amount is larger than any payment can be."),
    gettext_noop("Required: the transaction's date and time."),
    gettext_noop("Not a date and time (YYYY-MM-DD HH:MM:SS)."),
    gettext_noop("The transaction's date is not plausible."),
    gettext_noop("Must be a JSON object."),
    gettext_noop("An ISO 4217 code such as VND."),
    gettext_noop("payOS pays in VND."),
    gettext_noop("Required: SePay's transaction id (a positive integer)."),
)
# The webhook's English lines before, each with the sentence it now writes.
ENGLISH = (
    (r"missing timestamp or signature header", "The timestamp or the signature header is missing."),
    (
        r"missing X-SePay-Timestamp or signature",
        "The timestamp or the signature header is missing.",
    ),
    (r"signature does not match the body", "The signature does not match the body."),
    (r"missing signature", "The signature is missing."),
    (r"signature does not match data", "The signature does not match the data."),
    (r"missing or wrong Apikey", "The API key is missing or wrong."),
    (r"payOS webhook confirmation test", "payOS's test of the webhook: nothing to record."),
    (
        r"payOS reports no payment \(code (?P<code>.*)\)",
        "payOS reports no payment (code %(code)s): nothing to record.",
    ),
    (r"outgoing transfer (?P<id>.*)", "An outgoing transfer (%(id)s): nothing to record."),
    (
        r"cash payments are recorded at the counter",
        "Cash payments are recorded at the counter, not notified.",
    ),
    (
        r"timestamp (?P<timestamp>\S*) is outside ±(?P<n>\d+)s",
        "The notification's timestamp %(timestamp)s is more than %(n)s seconds from the "
        "server's clock.",
    ),
    (r"body is not JSON: (?P<why>.*)", "The body is not valid JSON: %(why)s"),
)
_OLD_MALFORMED = re.compile(
    r"(?:bad notification body|bad payOS data|bad SePay notification): (?P<summary>.*)", re.S
)
_NOT_AN_OBJECT = re.compile(r"(?P<path>\S+) is not a JSON object")


def _in_each(write) -> dict:
    from django.utils import translation

    from cuakhau.core.phrases import LANGUAGES

    texts = {}
    for key, language in LANGUAGES.items():
        with translation.override(language):
            texts[key] = write()[:300]
    return texts


def _refusals_read(summary: str):
    """An old malformed line's "path: messages; ..." as [(path, [field refusal ids])]."""
    from django.utils import translation

    from cuakhau.core.phrases import LANGUAGES

    known = {}
    for message in FIELD_REFUSALS:
        for language in LANGUAGES.values():
            with translation.override(language):
                known[translation.gettext(message)] = message
    by_length = sorted(known, key=len, reverse=True)
    read = []
    for part in summary.split("; "):
        path, colon, said = part.partition(": ")
        if not colon:
            return None
        messages = []
        while said:
            found = next((t for t in by_length if said.startswith(t)), None)
            if found is None:
                return None
            messages.append(known[found])
            said = said[len(found) :].lstrip(" ")
        read.append(("" if path == "body" else path, messages))
    return read


def _malformed(refusals) -> dict:
    from django.utils.translation import gettext

    def write():
        fields = "; ".join(
            " ".join(([path + ":"] if path else []) + [gettext(m) for m in messages])
            for path, messages in refusals
        )
        return gettext(MALFORMED) % {"fields": fields}

    return _in_each(write)


def _english(text: str):
    from django.utils.translation import gettext

    for pattern, message in ENGLISH:
        match = re.fullmatch(pattern, text, re.S)
        if match:
            values = match.groupdict()
            return _in_each(lambda m=message, v=values: gettext(m) % v if v else gettext(m))
    old = _OLD_MALFORMED.fullmatch(text)
    if old:
        refusals = _refusals_read(old["summary"])
        return _malformed(refusals) if refusals else None
    not_object = _NOT_AN_OBJECT.fullmatch(text)
    if not_object:
        path = not_object["path"]
        return _malformed([("" if path == "body" else path, ["Must be a JSON object."])])
    return None


def _repeats():
    from cuakhau.core.readback import Message, amount, read_back

    differences = [
        Message(DIFFERENCES[0], {"new": amount, "old": amount}),
        *map(Message, DIFFERENCES[1:]),
    ]

    def what(found: str) -> str:
        from django.utils import translation

        key = {"vi": "vi", "en": "en", "zh-hans": "zh"}[translation.get_language()]
        read = [read_back(part, differences) for part in found.split("; ")]
        if any(r is None for r in read):
            raise ValueError(found)
        return "; ".join(r[key] for r in read)

    return Message(SAME_TRANSFER), Message(SAME_TRANSACTION, {"what": what})


def _read(text: str, same, conflict):
    texts = _english(text)
    if texts is not None:
        return texts
    for message in (same, conflict):
        texts = message.read(text)
        if texts is not None:
            return texts
    # Both at once: the transfer another provider reported, then what its report says apart.
    for pattern in same.patterns:
        prefix = re.compile(pattern.pattern.removesuffix(r"\Z") + " ", re.S)
        match = prefix.match(text)
        if match:
            first, rest = same.read(text[: match.end() - 1]), conflict.read(text[match.end() :])
            if first is not None and rest is not None:
                return {key: f"{first[key]} {rest[key]}"[:300] for key in first}
    return None


def forwards(apps, schema_editor):
    NotificationLog = apps.get_model("payments", "NotificationLog")
    same, conflict = _repeats()
    rows = NotificationLog.objects.filter(detail_texts={}).exclude(detail="")
    # Read whole before any is written: SQLite may walk again rows updated under an open cursor.
    for text in list(rows.values_list("detail", flat=True).distinct()):
        texts = _read(text, same, conflict)
        if texts is not None:
            rows.filter(detail=text).update(detail_texts=texts)


class Migration(migrations.Migration):
    dependencies = [("payments", "0008_flag_details_read_back")]

    operations = [
        migrations.AddField(
            model_name="notificationlog",
            name="detail_texts",
            field=models.JSONField(
                blank=True, default=dict, verbose_name="detail in each language"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
