"""The reasons the system wrote into trips' timelines before it kept them in each language,
read back where they are its sentences: a receipt replaced after its key was compromised, a
receipt revoked when its paid trip was cancelled or rejected (the action's label). A reason a
person typed is left as typed."""

from django.db import migrations


def forwards(apps, schema_editor):
    from cuakhau.core.readback import Message, fill, label
    from cuakhau.receipts.services import REPLACED_STEP
    from cuakhau.trips.choices import TripAction

    TripTransition = apps.get_model("trips", "TripTransition")
    closing = [(c, t) for c, t in TripAction.choices if c in ("cancel", "reject")]
    fill(
        TripTransition,
        "reason",
        [Message(REPLACED_STEP)],
        rows=TripTransition.objects.filter(action="reissue_receipt"),
    )
    fill(
        TripTransition,
        "reason",
        [Message("%(label)s", {"label": label(closing)})],
        rows=TripTransition.objects.filter(action="receipt_revoked"),
    )


class Migration(migrations.Migration):
    dependencies = [("trips", "0016_texts_in_each_language")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
