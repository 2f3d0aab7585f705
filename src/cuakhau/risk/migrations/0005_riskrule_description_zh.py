"""Rules get a Chinese description (optional: until written, a Chinese page shows the English,
marked so).

The rules already stored whose English is still the shipped rule set's get that rule's Chinese
(``data/default_ruleset.json``), in every version that carries them: a translation of the same
text, not a change of the rule, so no new version. A description a manager rewrote is left
without one.
"""

import json
from pathlib import Path

from django.db import migrations, models

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "default_ruleset.json"


def fill(apps, schema_editor):
    RiskRule = apps.get_model("risk", "RiskRule")
    shipped = json.loads(DATA_FILE.read_text(encoding="utf-8"))["rules"]
    for rule in shipped:
        if rule.get("description_zh"):
            RiskRule.objects.filter(
                kind=rule["kind"], description_en=rule["description_en"], description_zh=""
            ).update(description_zh=rule["description_zh"])


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0004_ruleset_not_indexed"),
    ]

    operations = [
        migrations.AddField(
            model_name="riskrule",
            name="description_zh",
            field=models.TextField(blank=True, verbose_name="description (Chinese)"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
