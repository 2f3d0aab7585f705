"""The details of payments flagged before they were kept in each language, read back: each is
one of the settlement's sentences, its amounts grouped again as each language groups them, a
trip's status by its label, a reference and a transfer's text as they were."""

from django.db import migrations

# The sentences as ``payments.services`` (and the demo) wrote them when this was written.
SENTENCES = (
    "Paid in %(c)s; fees are due in VND.",
    "No valid trip reference in: %(t)s",
    "Trip %(ref)s is %(status)s: refund due.",
    "Trip %(ref)s was not submitted, so no fee was assessed.",
    "Trip %(ref)s was already paid: refund due.",
    "Received %(paid)s of %(due)s VND for %(ref)s.",
    "Received %(paid)s VND for a fee of %(due)s VND: %(excess)s VND to refund.",
)


def forwards(apps, schema_editor):
    from cuakhau.core.readback import Message, amount, fill, label
    from cuakhau.trips.choices import TripStatus

    values = {"paid": amount, "due": amount, "excess": amount, "status": label(TripStatus.choices)}
    Payment = apps.get_model("payments", "Payment")
    fill(Payment, "flag_detail", [Message(sentence, values) for sentence in SENTENCES])


class Migration(migrations.Migration):
    dependencies = [("payments", "0007_texts_in_each_language"), ("trips", "0016_texts_in_each_language")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
