"""A message's last error and an attempt's error kept in each language when the sentence is the
system's own (``last_error_texts``, ``error_texts``), and those stored before read back: they
were English sentences of ``notify.services`` ("not sent: too late after …", "channel sms is not
configured…", "the worker stopped before…", an unusable address's), each now written again in
the three languages with its values (a time as each language writes it, a channel by its
label). A provider's answer stays as the provider gave it, no texts."""

import datetime as dt
import re

from django.db import migrations, models
from django.utils.translation import gettext_noop

# The sentences as ``notify.services`` writes them now, with the English it wrote before.
TOO_LATE = gettext_noop("Not sent: too late to be of use after %(time)s.")
NOT_CONFIGURED = gettext_noop("Channel not configured for this recipient: %(channel)s.")
WORKER_STOPPED = gettext_noop("The worker stopped before the provider's answer was recorded.")
NOT_A_PHONE = gettext_noop("Not a phone number: %(given)s")
NOT_AN_EMAIL = gettext_noop("Not an e-mail address: %(given)s")
NO_CHANNEL_TAKES = gettext_noop("No configured channel takes %(address)s.")


def _time(found: str) -> str:
    from django.utils import timezone
    from django.utils.formats import date_format

    moment = dt.datetime.fromisoformat(found)
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _channel(found: str) -> str:
    from cuakhau.notify.models import Channel

    return str(dict(Channel.choices)[found])


OLD = (
    (r"not sent: too late after (?P<time>\S+)", TOO_LATE, {"time": _time}),
    (
        r"channel (?P<channel>\w+) is not configured for this recipient",
        NOT_CONFIGURED,
        {"channel": _channel},
    ),
    (r"the worker stopped before the provider's answer was recorded", WORKER_STOPPED, {}),
    (r"not a phone number: (?P<given>.*)", NOT_A_PHONE, {}),
    (r"not an e-mail address: (?P<given>.*)", NOT_AN_EMAIL, {}),
    (r"no configured channel takes (?P<address>.*)", NO_CHANNEL_TAKES, {}),
)


def read_back(text: str) -> dict | None:
    from django.utils import translation

    from cuakhau.core.phrases import LANGUAGES

    for pattern, message, values in OLD:
        match = re.fullmatch(pattern, text, re.S)
        if match is None:
            continue
        texts = {}
        for key, language in LANGUAGES.items():
            with translation.override(language):
                try:
                    written = {
                        name: values[name](found) if name in values else found
                        for name, found in match.groupdict().items()
                    }
                except (KeyError, ValueError):
                    return None
                said = translation.gettext(message)
                texts[key] = (said % written if written else said)[:300]
        return texts
    return None


def forwards(apps, schema_editor):
    for model, column in (("Message", "last_error"), ("DeliveryAttempt", "error")):
        rows = apps.get_model("notify", model).objects.filter(**{f"{column}_texts": {}})
        rows = rows.exclude(**{column: ""})
        # Read whole before any is written: SQLite may walk again rows updated under a cursor.
        for text in list(rows.values_list(column, flat=True).distinct()):
            texts = read_back(text)
            if texts is not None:
                rows.filter(**{column: text}).update(**{f"{column}_texts": texts})


class Migration(migrations.Migration):
    dependencies = [("notify", "0003_unusable_addresses_and_failure_reasons")]

    operations = [
        migrations.AddField(
            model_name="deliveryattempt",
            name="error_texts",
            field=models.JSONField(blank=True, default=dict, verbose_name="error in each language"),
        ),
        migrations.AddField(
            model_name="message",
            name="last_error_texts",
            field=models.JSONField(
                blank=True, default=dict, verbose_name="last error in each language"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
