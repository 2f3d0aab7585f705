from django.db import migrations


def release_drafts_containers(apps, schema_editor):
    # A draft no longer holds its containers against other companies' trips: they are held
    # from the submission on (the submission checks them again).
    Container = apps.get_model("trips", "Container")
    Container.objects.filter(trip__status="draft", active=True).update(active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("trips", "0014_labels_in_three_languages"),
    ]

    operations = [
        # Backwards: the drafts' boxes stay free (two drafts may name one), which the code before
        # this only refuses at its next check, never in the database.
        migrations.RunPython(release_drafts_containers, migrations.RunPython.noop),
    ]
