"""Write ``reason_zh`` into the reasons of the assessments made before Chinese was.

Those reasons keep their sentences, not the values they were made from; the English sentence
carries the values verbatim, so it is read back with the templates of ``risk.texts`` (unchanged
in English since these rows were written) and the Chinese written from the same values. A
reason that does not read back is left without ``reason_zh``: the pages show its English,
marked as such. Nothing else of the record changes.
"""

from django.db import migrations

from cuakhau.risk.texts import from_english

BATCH = 500


def write_chinese(apps, schema_editor):
    RiskAssessment = apps.get_model("risk", "RiskAssessment")
    rows = RiskAssessment.objects.only("pk", "reasons").order_by("pk")
    last = 0
    # Batches read whole before any is written: SQLite gives no isolation between a cursor
    # still being read and an update of the same table.
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        last = batch[-1].pk
        changed = [assessment for assessment in batch if _write(assessment.reasons)]
        if changed:
            RiskAssessment.objects.bulk_update(changed, ["reasons"])


def _write(reasons) -> bool:
    touched = False
    for reason in reasons if isinstance(reasons, list) else ():
        if not isinstance(reason, dict) or reason.get("reason_zh"):
            continue
        chinese = from_english(reason.get("reason_en") or "")
        if chinese:
            reason["reason_zh"] = chinese
            touched = True
    return touched


class Migration(migrations.Migration):
    dependencies = [("risk", "0008_labels_in_three_languages")]

    operations = [migrations.RunPython(write_chinese, migrations.RunPython.noop, elidable=True)]
