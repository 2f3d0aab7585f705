"""Signed e-receipts: numbered without gaps per gate and year, single-use at exit."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cuakhau.reference.models import Gate

from . import signing


class ReceiptStatus(models.TextChoices):
    VALID = "valid", _("valid")
    REVOKED = "revoked", _("revoked")


class ReceiptState(models.TextChoices):
    """What a receipt is worth now (``services.receipt_state``): its status, and whether it was
    used, replaced, or signed by a key since compromised. Not stored: it follows the key set."""

    VALID = "valid", _("valid")
    USED = "used", _("used at exit")
    REVOKED = "revoked", _("revoked")
    REPLACED = "replaced", _("replaced")
    COMPROMISED_KEY = "compromised_key", _("signing key compromised")


class RevokeKind(models.TextChoices):
    CANCELLED = "cancelled", _("cancelled")
    REFUNDED = "refunded", _("refunded")
    # Signed by a key later marked compromised: a new receipt for the same payment replaces it.
    REPLACED = "replaced", _("replaced: signing key compromised")


class ReceiptSequence(models.Model):
    """The last receipt number used at a gate in a year; locked while a number is taken."""

    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, verbose_name=_("gate"))
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number used"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gate", "year"], name="receipt_sequence_gate_year")
        ]
        verbose_name = _("receipt number sequence")
        verbose_name_plural = _("receipt number sequences")

    def __str__(self):
        return f"{self.gate_id}/{self.year}: {self.last}"


class Receipt(models.Model):
    number = models.CharField(_("receipt number"), max_length=24, unique=True)
    # By the (gate, issued_at) index; where and by whom it was used not at all (nothing looks
    # receipts up by them, and each exit would write their index pages).
    gate = models.ForeignKey(
        Gate,
        on_delete=models.PROTECT,
        related_name="receipts",
        db_index=False,
        verbose_name=_("gate"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    trip = models.ForeignKey(
        "trips.Trip", on_delete=models.PROTECT, related_name="receipts", verbose_name=_("trip")
    )
    assessment = models.ForeignKey(
        "fees.FeeAssessment",
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("fee assessment"),
    )
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    items = models.JSONField(_("items"))
    payer_name = models.CharField(_("payer"), max_length=200)
    payer_tax_code = models.CharField(_("payer tax code"), max_length=20)
    tractor_plate = models.CharField(_("tractor plate"), max_length=20)
    trailer_plate = models.CharField(_("trailer plate"), max_length=20, blank=True)
    authority = models.CharField(_("issuing authority"), max_length=200)
    issued_at = models.DateTimeField(_("issued at"))
    kid = models.CharField(_("signing key ID"), max_length=64)
    token = models.TextField(_("signed receipt (JWS)"))
    status = models.CharField(
        _("status"), max_length=8, choices=ReceiptStatus.choices, default=ReceiptStatus.VALID
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_kind = models.CharField(
        _("kind of revocation"), max_length=10, choices=RevokeKind.choices, blank=True
    )
    # As the cashier typed it; one the system wrote (a key compromised) is also kept in each
    # language in ``revoke_reason_texts`` (``core.phrases``), read by ``revoke_reason_shown``.
    revoke_reason = models.TextField(_("reason for revocation"), blank=True)
    revoke_reason_texts = models.JSONField(
        _("reason for revocation in each language"), default=dict, blank=True
    )
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_gate = models.ForeignKey(
        Gate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("gate of use"),
    )
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("used by"),
    )
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("replaces receipt"),
    )

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["gate", "year", "sequence"], name="receipt_gapless_series"
            ),
            # One valid receipt per trip: a second payment never yields a second receipt.
            models.UniqueConstraint(
                fields=["trip"],
                condition=models.Q(status="valid"),
                name="one_valid_receipt_per_trip",
                violation_error_message=_(
                    "This trip already has a valid receipt; revoke it before issuing another."
                ),
            ),
        ]
        # The statistics count a gate's fees by month of issue; the daily reconciliation reads
        # a day's receipts issued, revoked and used, at one gate or all.
        indexes = [
            models.Index(fields=["gate", "issued_at"]),
            models.Index(fields=["issued_at"]),
            models.Index(fields=["revoked_at"]),
            models.Index(fields=["used_at"]),
            # The published revocation list: the few revoked receipts, by number, without
            # walking every receipt's number (SQLite's statistics make "revoked" look common).
            models.Index(
                fields=["number"],
                condition=models.Q(status=ReceiptStatus.REVOKED),
                name="receipt_revoked_number",
            ),
        ]
        verbose_name = _("e-receipt")
        verbose_name_plural = _("e-receipts")

    def __str__(self):
        return self.number

    @property
    def revoke_reason_shown(self):
        """The reason for revocation in the reader's language when the system wrote it, else
        as the cashier typed it (``core.phrases.in_reader_language``)."""
        from cuakhau.core.phrases import in_reader_language

        return in_reader_language(self.revoke_reason_texts, self.revoke_reason)


class VerificationStatus(models.TextChoices):
    """What a verification says of a receipt (``signing.verify``'s status), as a person reads it:
    the verification page's verdict. The API gives the codes."""

    VALID = signing.VALID, _("Valid")
    FORGED = signing.FORGED, _("Forged")
    REVOKED = signing.REVOKED, _("Revoked")
    ALREADY_USED = signing.ALREADY_USED, _("Already used")
    WRONG_GATE = signing.WRONG_GATE, _("Issued for another gate")
    MALFORMED = signing.MALFORMED, _("Not a receipt code")
    UNKNOWN_KEY = signing.UNKNOWN_KEY, _("Signed with an unknown key")


class UseOutcome(models.TextChoices):
    USED = "used", _("used at exit")
    ALREADY_USED = "already_used", _("refused: already used")
    REVOKED = "revoked", _("refused: revoked")
    WRONG_GATE = "wrong_gate", _("refused: receipt for another gate")
    INVALID = "invalid", _("refused: not a valid receipt")
    # The truck itself was refused (not inside, not cleared, …) before its receipt was used.
    REFUSED = "refused", _("refused at exit")


class ReceiptUse(models.Model):
    """Every attempt to use a receipt at exit, accepted or refused (refusals are flags).

    A refusal is written after the refused exit was rolled back, so it is kept.
    """

    receipt = models.ForeignKey(
        Receipt,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="uses",
        verbose_name=_("receipt"),
    )
    number = models.CharField(_("receipt number"), max_length=24, blank=True)
    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="+", verbose_name=_("gate")
    )
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # nothing looks uses up by their actor
        verbose_name=_("performed by"),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=UseOutcome.choices)
    # In the platform's language; ``detail_texts`` has it in each ({"vi", "en", "zh"}:
    # ``core.phrases``), empty for a use recorded before, whose ``detail`` is what there is.
    detail = models.TextField(_("detail"), blank=True)
    detail_texts = models.JSONField(_("detail in each language"), default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        # The daily reconciliation reads a day's crossings by their time.
        indexes = [models.Index(fields=["at"])]
        verbose_name = _("receipt use")
        verbose_name_plural = _("receipt uses")

    def __str__(self):
        return f"{self.number}: {self.get_outcome_display()}"

    @property
    def detail_shown(self):
        """The detail in the reader's language (``core.phrases.in_reader_language``)."""
        from cuakhau.core.phrases import in_reader_language

        return in_reader_language(self.detail_texts, self.detail)
