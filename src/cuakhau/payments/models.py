from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("bank transfer (VietQR)")
    CASH = "cash", _("cash at the counter")


class PaymentFlag(models.TextChoices):
    """Why a payment needs a person to look at it (reconciliation)."""

    NONE = "", _("none")
    UNDERPAID = "underpaid", _("amount below the fee")
    OVERPAID = "overpaid", _("amount above the fee")
    ALREADY_PAID = "already_paid", _("trip already paid")
    TRIP_CANCELLED = "trip_cancelled", _("trip cancelled or rejected")
    NOT_SUBMITTED = "not_submitted", _("trip not submitted")
    UNKNOWN_TRIP = "unknown_trip", _("no trip reference found")
    CURRENCY = "currency", _("not in VND")


class Payment(models.Model):
    """Money received for a trip, from a bank notification or recorded at the counter.

    Each provider's transaction id is unique: the same notification delivered again is the
    same payment, however many times and in whatever order it arrives.
    """

    provider = models.CharField(max_length=32)
    external_id = models.CharField(_("transaction id"), max_length=64)
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    trip = models.ForeignKey(
        "trips.Trip", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    receipt = models.ForeignKey(
        "receipts.Receipt", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    amount_vnd = models.BigIntegerField(_("amount"))
    currency = models.CharField(max_length=3, default="VND")
    payer_name = models.CharField(max_length=200, blank=True)
    payer_account = models.CharField(max_length=40, blank=True)
    description = models.CharField(max_length=300, blank=True)
    paid_at = models.DateTimeField(_("paid at"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    flag = models.CharField(max_length=16, choices=PaymentFlag.choices, blank=True)
    flag_detail = models.CharField(max_length=300, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField(max_length=300, blank=True)
    raw = models.JSONField(default=dict)

    class Meta:
        ordering = ["-paid_at", "-id"]
        # The daily reconciliation reads a day's payments by their time.
        indexes = [models.Index(fields=["paid_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_id"], name="payment_once_per_transaction"
            )
        ]

    def __str__(self):
        return f"{self.provider}:{self.external_id} {self.amount_vnd} VND"


class NotificationOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    DUPLICATE = "duplicate", _("duplicate (already recorded)")
    BAD_SIGNATURE = "bad_signature", _("refused: bad signature")
    STALE = "stale", _("refused: stale timestamp")
    MALFORMED = "malformed", _("refused: malformed")
    UNKNOWN_PROVIDER = "unknown_provider", _("refused: unknown provider")


class NotificationLog(models.Model):
    """Every call to a payment webhook, accepted or refused."""

    provider = models.CharField(max_length=32)
    received_at = models.DateTimeField(auto_now_add=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=NotificationOutcome.choices)
    detail = models.CharField(max_length=300, blank=True)
    body_sha256 = models.CharField(max_length=64)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        # The daily reconciliation counts a day's refused and duplicate notifications.
        indexes = [models.Index(fields=["received_at"])]

    def __str__(self):
        return f"{self.provider} {self.outcome} {self.received_at}"
