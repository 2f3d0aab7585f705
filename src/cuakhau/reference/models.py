"""Reference data: border gates, the HS 2022 nomenclature, plate codes.

Loaded from the CSV files in ``data/`` (each with its source in ``data/SOURCES.md``) by
``cuakhau load_reference``; never edited by hand in production.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Confidence(models.TextChoices):
    PUBLISHED = "published", _("published")
    UNCERTAIN = "uncertain", _("uncertain")
    EXAMPLE = "example", _("example")


def pick_language(vi: str, en: str, zh: str) -> str:
    language = (get_language() or "vi").lower()
    if language.startswith("zh"):
        return zh or en or vi
    if language.startswith("en"):
        return en or vi
    return vi or en


class Gate(models.Model):
    code = models.SlugField(_("code"), max_length=8, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    province = models.CharField(_("province"), max_length=80)
    province_2025 = models.CharField(_("province from 1 July 2025"), max_length=120, blank=True)
    counterpart_name_zh = models.CharField(
        _("counterpart gate (Chinese)"), max_length=80, blank=True
    )
    counterpart_name_pinyin = models.CharField(
        _("counterpart gate (pinyin)"), max_length=120, blank=True
    )
    counterpart_county = models.CharField(_("counterpart county"), max_length=160, blank=True)
    counterpart_province = models.CharField(_("counterpart province"), max_length=80, blank=True)
    gate_class = models.CharField(_("gate class"), max_length=240)
    modes = models.CharField(_("modes"), max_length=200)
    unlocode_vn = models.CharField(_("UN/LOCODE (Vietnam side)"), max_length=80, blank=True)
    unlocode_cn = models.CharField(_("UN/LOCODE (China side)"), max_length=80, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Ho_Chi_Minh")
    confidence = models.CharField(
        _("confidence"), max_length=12, choices=Confidence.choices, default=Confidence.PUBLISHED
    )
    handles_freight = models.BooleanField(_("handles road freight on cuakhau"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("border gate")
        verbose_name_plural = _("border gates")

    def __str__(self):
        return f"{self.name} ({self.code.upper()})"

    @property
    def name(self) -> str:
        return pick_language(self.name_vi, self.name_en, self.name_zh or self.name_en)

    @property
    def counterpart(self) -> str:
        if self.counterpart_name_zh and self.counterpart_name_pinyin:
            return f"{self.counterpart_name_pinyin} ({self.counterpart_name_zh})"
        return self.counterpart_name_pinyin or self.counterpart_name_zh


class HSSection(models.Model):
    numeral = models.CharField(_("section"), max_length=5, unique=True)
    position = models.PositiveSmallIntegerField(unique=True)
    name = models.TextField(_("name"))

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"{self.numeral}: {self.name}"


class HSCode(models.Model):
    """A chapter (2 digits), heading (4) or subheading (6) of HS 2022."""

    code = models.CharField(_("HS code"), max_length=6, unique=True)
    level = models.PositiveSmallIntegerField(
        choices=[(2, "chapter"), (4, "heading"), (6, "subheading")]
    )
    description = models.TextField(_("description"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    section = models.ForeignKey(HSSection, on_delete=models.PROTECT, related_name="codes")

    class Meta:
        ordering = ["code"]
        verbose_name = _("HS code")
        verbose_name_plural = _("HS codes")

    def __str__(self):
        return f"{self.display_code} {self.description}"

    @property
    def display_code(self) -> str:
        if self.level == 6:
            return f"{self.code[:4]}.{self.code[4:]}"
        return self.code

    @property
    def chapter(self) -> str:
        return self.code[:2]
