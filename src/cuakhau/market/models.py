"""Market-access and quarantine rules: what a destination country requires of a product.

A rule is never edited in place. Changing one deactivates it and creates a new version that
``supersedes`` it, so a finding given to a truck yesterday still points at the rule as it stood.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cuakhau.reference.localize import LocalizedText, active_language, original
from cuakhau.reference.models import Confidence, Gate, pick_language
from cuakhau.reference.validators import validate_country

from .choices import Requirement, RuleDirection
from .notes import translated_lines, translated_note

validate_hs_prefix = RegexValidator(
    r"^[0-9]{2,8}$",
    _("An HS prefix is 2 to 8 digits (chapter, heading, subheading or national line)."),
)

# Everything that says what the rule requires, of what, where and when. Only the activity
# fields (is_active, deactivated_at, deactivated_by) may change on a stored row.
FROZEN_FIELDS = [
    "hs_prefix",
    "direction",
    "destination",
    "origin_country",
    "gate_id",
    "requirement",
    "starts_on",
    "ends_on",
    "legal_basis",
    "declared_by",
    "created_by_id",
    "product_name_vi",
    "product_name_en",
    "product_name_zh",
    "confidence",
    "source",
    "note",
    "text_language",
    "source_key",
    "supersedes_id",
]


class MarketAccessRule(models.Model):
    hs_prefix = models.CharField(_("HS prefix"), max_length=8, validators=[validate_hs_prefix])
    # "market rule": the way goods cross (export, import, either), not a trip's declared type.
    direction = models.CharField(
        pgettext_lazy("market rule", "direction"), max_length=8, choices=RuleDirection.choices
    )
    destination = models.CharField(
        _("destination country"),
        max_length=2,
        validators=[validate_country],
        help_text=_(
            'ISO 3166 code: "CN" for goods entering China, "VN" for goods entering Vietnam.'
        ),
    )
    # Access lists are granted per origin: China's list for Vietnamese fruit says nothing about
    # a Thai durian crossing the same gate.
    origin_country = models.CharField(
        _("country of origin"),
        max_length=2,
        blank=True,
        validators=[validate_country],
        help_text=_("Empty: goods of any origin."),
    )
    gate = models.ForeignKey(
        Gate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="market_rules",
        verbose_name=_("gate"),
        help_text=_("Empty: every gate."),
    )
    requirement = models.CharField(_("requirement"), max_length=24, choices=Requirement.choices)
    designated_gates = models.ManyToManyField(
        Gate,
        blank=True,
        related_name="designated_in_rules",
        verbose_name=_("designated gates"),
        help_text=_('For "designated gates only": the gates through which the goods may cross.'),
    )
    starts_on = models.DateField(
        _("in force from"),
        null=True,
        blank=True,
        help_text=_("Empty: in force since before records."),
    )
    ends_on = models.DateField(
        _("in force until"),
        null=True,
        blank=True,
        help_text=_("Inclusive. Empty: until further notice."),
    )
    legal_basis = models.TextField(_("legal basis"))
    declared_by = models.CharField(
        _("declared by"), max_length=200, help_text=_('The authority or officer, e.g. "GACC".')
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    product_name_vi = models.CharField(_("product (Vietnamese)"), max_length=400, blank=True)
    product_name_en = models.CharField(_("product (English)"), max_length=400, blank=True)
    product_name_zh = models.CharField(_("product (Chinese)"), max_length=400, blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=12, choices=Confidence.choices, default=Confidence.PUBLISHED
    )
    source = models.TextField(_("source"), blank=True)
    note = models.TextField(_("note"), blank=True)
    # The language the legal basis and the note were written in: they are shown as written,
    # marked as originals on pages in other languages. A rule recorded from a page takes the
    # page's language.
    text_language = models.CharField(
        _("language of the basis and note"),
        max_length=2,
        choices=[("vi", _("Vietnamese")), ("en", _("English")), ("zh", _("Chinese"))],
        default=active_language,
    )
    # Set on rules loaded from the shipped data, so reloading updates them instead of adding.
    source_key = models.CharField(_("data key"), max_length=80, blank=True, db_index=True)
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # A rule in force (the latest version), not an account or a switch that is "on".
    is_active = models.BooleanField(pgettext_lazy("market rule", "active"), default=True)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("deactivated by"),
    )

    class Meta:
        ordering = ["hs_prefix", "direction", "destination", "-id"]
        verbose_name = _("market-access rule")
        verbose_name_plural = _("market-access rules")
        indexes = [models.Index(fields=["is_active", "destination", "direction", "hs_prefix"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="market_rule_ends_after_start",
                violation_error_message=_("A rule cannot end before it starts."),
            ),
            # One version of a shipped rule in force at a time: reloading never duplicates.
            models.UniqueConstraint(
                fields=["source_key"],
                condition=models.Q(is_active=True) & ~models.Q(source_key=""),
                name="market_rule_one_active_per_key",
                violation_error_message=_("A rule from the same source entry is already in force."),
            ),
        ]

    def __str__(self):
        product = self.product_name_en or self.product_name_vi
        label = f"{self.hs_prefix} {self.get_requirement_display()}"
        return f"#{self.pk} {label} ({product})" if product else f"#{self.pk} {label}"

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values(*FROZEN_FIELDS).first()
            if stored is not None and any(
                stored[field] != getattr(self, field) for field in FROZEN_FIELDS
            ):
                raise ValidationError(
                    _("A rule is never changed in place: deactivate it and record a new version.")
                )
        super().save(*args, **kwargs)

    @property
    def legal_basis_text(self) -> LocalizedText:
        return original(self.legal_basis, self.text_language)

    @property
    def note_text(self) -> LocalizedText:
        """The note in the reader's language when its lines are known texts (``notes``)."""
        return translated_note(self.note, self.text_language)

    @property
    def note_lines(self) -> list[LocalizedText]:
        """The note line by line: known lines translated, the others marked as originals."""
        return translated_lines(self.note, self.text_language)

    @property
    def product_name(self) -> str:
        return pick_language(self.product_name_vi, self.product_name_en, self.product_name_zh)

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date is before the start date.")})


class RulesEdition(models.Model):
    """One row whose stamp changes whenever any market-access rule changes.

    Every process keeps the active rules compiled in memory and reads only this row per check
    (one indexed lookup) to know whether its copy is still the current one. A stamp rather than
    a counter: a change rolled back must never leave a number that a later, different change
    takes again.
    """

    stamp = models.CharField(_("stamp"), max_length=32)

    class Meta:
        verbose_name = _("rules edition")
        verbose_name_plural = _("rules editions")

    def __str__(self):
        return self.stamp
