"""The reasons the system wrote for revoking receipts before it kept them in each language,
read back: a key compromised (its id, time and the administrator's words kept as typed), or
what happened to the paid trip (the action's label). A reason a cashier typed is left as typed."""

from django.db import migrations


def forwards(apps, schema_editor):
    from cuakhau.core.readback import Message, fill, label
    from cuakhau.receipts.services import KEY_COMPROMISED
    from cuakhau.trips.choices import TripAction

    Receipt = apps.get_model("receipts", "Receipt")
    closing = [(c, t) for c, t in TripAction.choices if c in ("cancel", "reject")]
    fill(
        Receipt,
        "revoke_reason",
        [Message(KEY_COMPROMISED)],
        rows=Receipt.objects.filter(revoke_kind="replaced"),
    )
    fill(
        Receipt,
        "revoke_reason",
        [Message("%(label)s", {"label": label(closing)})],
        rows=Receipt.objects.filter(revoke_kind="refunded"),
    )


class Migration(migrations.Migration):
    dependencies = [("receipts", "0011_texts_in_each_language")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
