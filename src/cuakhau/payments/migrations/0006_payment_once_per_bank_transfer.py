from django.conf import settings
from django.db import migrations, models


def _credit(payment, conf):
    """The bank's reference and account credited of a payment recorded before they were kept,
    read from what its provider sent (as ``providers._CollectionAccount.credited`` does)."""
    raw = payment.raw if isinstance(payment.raw, dict) else {}
    data = raw.get("data")
    if isinstance(data, dict) and "reference" in data:  # payOS
        reference, number = payment.external_id, data.get("accountNumber")
    elif "transferType" in raw:  # SePay
        reference, number = raw.get("referenceCode"), raw.get("accountNumber")
    else:  # the bank's own webhook: its transaction id is its reference
        reference, number = payment.external_id, None
    reference = reference.strip().upper() if isinstance(reference, str) else ""
    if not reference or len(reference) > 64 or not reference.isprintable():
        return None
    if isinstance(number, str):
        number = "".join(number.split()).replace(".", "").replace("-", "")
    else:
        number = ""
    if not (number.isascii() and number.isalnum() and len(number) <= 40):
        number = ""
    return reference, f"{conf['bank_bin']}/{number or conf['account']}"


def keep_bank_references(apps, schema_editor):
    """Bank transfers already recorded keep their bank reference, so that another provider's
    late report of one of them is known. Two recorded before this (one transfer reported by
    two providers) stay as they are: the second keeps none, and its flag for a person."""
    Payment = apps.get_model("payments", "Payment")
    configured = getattr(settings, "CUAKHAU_PAYMENT_PROVIDERS", {})
    seen, changed = set(), []
    rows = Payment.objects.filter(method="bank_transfer").order_by("pk")
    for payment in rows.only("id", "provider", "external_id", "raw").iterator(chunk_size=500):
        conf = configured.get(payment.provider) or {}
        if "bank_bin" not in conf or "account" not in conf:
            continue
        credit = _credit(payment, conf)
        if credit is None or credit in seen:
            continue
        seen.add(credit)
        payment.bank_reference, payment.credited_account = credit
        changed.append(payment)
    Payment.objects.bulk_update(changed, ["bank_reference", "credited_account"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0005_cash_slip_kept_apart"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="bank_reference",
            field=models.CharField(blank=True, max_length=64, verbose_name="bank reference"),
        ),
        migrations.AddField(
            model_name="payment",
            name="credited_account",
            field=models.CharField(blank=True, max_length=60, verbose_name="account credited"),
        ),
        migrations.RunPython(keep_bank_references, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("bank_reference", ""), _negated=True),
                fields=("credited_account", "bank_reference"),
                name="payment_once_per_bank_transfer",
                violation_error_message=(
                    "This bank transfer (account and bank reference) is already recorded as a "
                    "payment."
                ),
            ),
        ),
    ]
