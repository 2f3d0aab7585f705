"""Fill the English and Chinese agency names and default stages of the procedures already
stored (``agencies``: cuakhau's translations of the starter catalogue's agencies).

Only what the table knows, and only where empty: a stage list a person rewrote is left alone
(it is shown in Vietnamese, marked). Not a change of the procedure, so no new version.
"""

from django.db import migrations

from cuakhau.desk.agencies import agency_names, default_stages


def fill(apps, schema_editor):
    Procedure = apps.get_model("desk", "Procedure")
    for procedure in Procedure.objects.all():
        names = agency_names(procedure.agency)
        changes = {}
        for lang in ("en", "zh"):
            if not names[lang]:
                continue
            if not getattr(procedure, f"agency_{lang}"):
                changes[f"agency_{lang}"] = names[lang]
            if not getattr(procedure, f"stages_{lang}") and procedure.stages == default_stages(
                procedure.agency, "vi"
            ):
                changes[f"stages_{lang}"] = default_stages(names[lang], lang)
        if changes:
            Procedure.objects.filter(pk=procedure.pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [("desk", "0004_procedure_names_in_three_languages")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
