from django.db import migrations


def keep_slips_apart(apps, schema_editor):
    """A cash payment's slip number as the cashier typed it, out of its transaction id
    ("<gate code>-<slip>"), which the pages showed instead."""
    Payment = apps.get_model("payments", "Payment")
    Gate = apps.get_model("reference", "Gate")
    # Longest first: a gate's code may itself be the start of another's.
    codes = sorted(Gate.objects.values_list("code", flat=True), key=len, reverse=True)
    changed = []
    for payment in Payment.objects.filter(method="cash").only("id", "external_id", "raw"):
        raw = payment.raw if isinstance(payment.raw, dict) else {}
        if isinstance(raw.get("slip_number"), str):
            continue
        code = next((c for c in codes if payment.external_id.startswith(f"{c}-")), None)
        if code is None:
            continue
        payment.raw = {**raw, "slip_number": payment.external_id[len(code) + 1 :]}
        changed.append(payment)
    Payment.objects.bulk_update(changed, ["raw"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_labels_in_three_languages"),
        ("reference", "0001_initial"),
    ]

    operations = [migrations.RunPython(keep_slips_apart, migrations.RunPython.noop)]
