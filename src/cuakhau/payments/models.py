from django.conf import settings
from django.db import models
from django.utils.translation import gettext
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
    same payment, however many times and in whatever order it arrives. So is a bank transfer
    (the bank's reference of the credit to an account): payOS and SePay watching the same
    account report one transfer under two ids, and it is one payment.
    """

    provider = models.CharField(_("payment provider"), max_length=32)
    external_id = models.CharField(_("transaction id"), max_length=64)
    method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices)
    trip = models.ForeignKey(
        "trips.Trip",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("trip"),
    )
    receipt = models.ForeignKey(
        "receipts.Receipt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("receipt"),
    )
    # The credit as the bank knows it, whoever reported it: the bank's reference and the
    # account credited ("<bank BIN>/<account number>"). Empty when the report carried no bank
    # reference (cash; some banks give SePay none): nothing to match another report on.
    bank_reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    credited_account = models.CharField(_("account credited"), max_length=60, blank=True)
    # A second payment for a paid trip that may be the first's transfer reported again by
    # another provider without the bank's reference to meet it on (same amount, same account,
    # minutes apart): kept (it may be a real second transfer), but checked before a refund.
    possibly_same_as = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("possibly the same transfer as"),
    )
    amount_vnd = models.BigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="VND")
    payer_name = models.CharField(_("payer name"), max_length=200, blank=True)
    payer_account = models.CharField(_("payer account"), max_length=40, blank=True)
    description = models.CharField(_("payment description"), max_length=300, blank=True)
    paid_at = models.DateTimeField(_("paid at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    flag = models.CharField(_("flag"), max_length=16, choices=PaymentFlag.choices, blank=True)
    # Written by the system, in the platform's language; ``flag_detail_texts`` has it in each
    # ({"vi", "en", "zh"}: ``core.phrases``), empty for a payment flagged before.
    flag_detail = models.CharField(_("flag detail"), max_length=300, blank=True)
    flag_detail_texts = models.JSONField(
        _("flag detail in each language"), default=dict, blank=True
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)
    raw = models.JSONField(_("raw data"), default=dict)

    class Meta:
        ordering = ["-paid_at", "-id"]
        # The daily reconciliation reads a day's payments by their time.
        indexes = [models.Index(fields=["paid_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_id"], name="payment_once_per_transaction"
            ),
            models.UniqueConstraint(
                fields=["credited_account", "bank_reference"],
                condition=~models.Q(bank_reference=""),
                name="payment_once_per_bank_transfer",
                violation_error_message=_(
                    "This bank transfer (account and bank reference) is already recorded as a "
                    "payment."
                ),
            ),
        ]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self):
        return f"{self.provider}:{self.external_id} {self.amount_vnd} VND"

    @property
    def flag_detail_shown(self):
        """The flag's detail in the reader's language (``core.phrases.in_reader_language``)."""
        from cuakhau.core.phrases import in_reader_language

        return in_reader_language(self.flag_detail_texts, self.flag_detail)

    @property
    def shown_id(self) -> str:
        """The transaction as a person reads it (``shown_transaction``)."""
        return shown_transaction(self.method, self.external_id, (self.raw or {}).get(SLIP_KEY))


# Where a cash payment keeps the slip number as the cashier typed it: its transaction id is
# that number behind the gate's code (slips are numbered per counter), which no one reads.
SLIP_KEY = "slip_number"


def shown_transaction(method: str, external_id: str, slip_number=None) -> str:
    """A bank's transaction id as the bank gave it (the payer finds it on their statement); a
    cash payment as the number on its slip, labelled, never the id made of it."""
    if method != PaymentMethod.CASH:
        return external_id
    if not isinstance(slip_number, str) or not slip_number:
        # Recorded before the slip was kept apart: the gate's code (a slug) and a dash first.
        slip_number = external_id.partition("-")[2] or external_id
    return f"{gettext('Cash slip no.')} {slip_number}"


class NotificationOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    DUPLICATE = "duplicate", _("duplicate (already recorded)")
    BAD_SIGNATURE = "bad_signature", _("refused: bad signature")
    STALE = "stale", _("refused: stale timestamp")
    MALFORMED = "malformed", _("refused: malformed")
    UNKNOWN_PROVIDER = "unknown_provider", _("refused: unknown provider")


class NotificationLog(models.Model):
    """Every call to a payment webhook, accepted or refused."""

    provider = models.CharField(_("payment provider"), max_length=32)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    remote_addr = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=NotificationOutcome.choices)
    # Written by the system, in the platform's language; ``detail_texts`` has it in each
    # ({"vi", "en", "zh"}: ``core.phrases``), empty for a line logged before.
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    detail_texts = models.JSONField(_("detail in each language"), default=dict, blank=True)
    body_sha256 = models.CharField(_("SHA-256 digest of the body"), max_length=64)
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("payment"),
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        # The daily reconciliation counts a day's refused and duplicate notifications.
        indexes = [models.Index(fields=["received_at"])]
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")

    def __str__(self):
        return f"{self.provider} {self.get_outcome_display()} {self.received_at}"

    @property
    def detail_shown(self):
        """The detail in the reader's language (``core.phrases.in_reader_language``)."""
        from cuakhau.core.phrases import in_reader_language

        return in_reader_language(self.detail_texts, self.detail)
