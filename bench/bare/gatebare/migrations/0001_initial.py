import django.db.models.deletion
from django.db import migrations, models

SLOTS = 4096  # rows the bench cycles through; enough that no two requests wait on one row


def add_slots(apps, schema_editor):
    Slot = apps.get_model("gatebare", "Slot")
    Slot.objects.bulk_create([Slot(pk=n) for n in range(1, SLOTS + 1)], batch_size=500)


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Slot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("state", models.CharField(default="waiting", max_length=16)),
                ("updated_at", models.DateTimeField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name="Event",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("state", models.CharField(max_length=16)),
                ("at", models.DateTimeField()),
                ("slot", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="events", to="gatebare.slot")),
            ],
        ),
        migrations.RunPython(add_slots, migrations.RunPython.noop),
    ]
