import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def to_the_default_gate(apps, schema_editor):
    """Files received before desks had gates belong to the default desk (the centre at
    Ma Lù Thàng, ``DESK_DEFAULT_GATE``); no procedure names a desk of its own yet."""
    Application = apps.get_model("desk", "Application")
    Gate = apps.get_model("reference", "Gate")
    if not Application.objects.exists():
        return
    code = getattr(settings, "DESK_DEFAULT_GATE", "mlt")
    gate = Gate.objects.filter(code=code).first() or Gate.objects.order_by("code").first()
    if gate is None:
        raise RuntimeError(
            "desk applications exist but no gate does: load the reference data "
            "(cuakhau load_reference) before migrating the desk"
        )
    Application.objects.filter(gate__isnull=True).update(gate=gate)


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0002_outbox"),
        ("reference", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="gate",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="desk_applications",
                to="reference.gate",
                verbose_name="desk of the gate",
            ),
        ),
        migrations.RunPython(to_the_default_gate, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="application",
            name="gate",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="desk_applications",
                to="reference.gate",
                verbose_name="desk of the gate",
            ),
        ),
    ]
