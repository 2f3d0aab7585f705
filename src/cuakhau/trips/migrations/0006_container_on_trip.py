# A container belongs to the trip; cargo lines point at the containers that hold them, so one
# container can hold several lines (a mixed load). Each old row keeps its line as its one link.

from django.db import migrations, models


def link_lines(apps, schema_editor):
    Container = apps.get_model("trips", "Container")
    Link = apps.get_model("trips", "CargoLine").containers.through
    links = [
        Link(cargoline_id=line_id, container_id=pk)
        for pk, line_id in Container.objects.values_list("pk", "cargo_line_id").iterator()
    ]
    Link.objects.bulk_create(links, batch_size=1000)


def unlink_lines(apps, schema_editor):
    # Back to one line per container: the first line that named it.
    Container = apps.get_model("trips", "Container")
    Link = apps.get_model("trips", "CargoLine").containers.through
    for link in Link.objects.order_by("container_id", "cargoline__line_no").iterator():
        Container.objects.filter(pk=link.container_id, cargo_line__isnull=True).update(
            cargo_line_id=link.cargoline_id
        )
    # An empty container (no line) has no place in the old shape.
    Container.objects.filter(cargo_line__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("trips", "0005_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="cargoline",
            name="containers",
            field=models.ManyToManyField(
                blank=True,
                related_name="cargo_lines",
                to="trips.container",
                verbose_name="containers",
            ),
        ),
        migrations.AlterField(
            model_name="container",
            name="cargo_line",
            field=models.ForeignKey(
                null=True,
                on_delete=models.CASCADE,
                related_name="+",
                to="trips.cargoline",
            ),
        ),
        migrations.RunPython(link_lines, unlink_lines),
        migrations.RemoveField(
            model_name="container",
            name="cargo_line",
        ),
        migrations.AlterModelOptions(
            name="container",
            options={"ordering": ["trip", "number"]},
        ),
    ]
