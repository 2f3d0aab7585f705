"""Reference data: border gates, the HS 2022 nomenclature, plate codes.

Loaded from the CSV files in ``data/`` (each with its source in ``data/SOURCES.md``) by
``cuakhau load_reference``; never edited by hand in production.
"""

import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cuakhau.core.inputs import shown

from .localize import LocalizedText, active_language, localized
from .validators import UnLocode


class Confidence(models.TextChoices):
    PUBLISHED = "published", _("published")
    UNCERTAIN = "uncertain", _("uncertain")
    EXAMPLE = "example", _("example")


def pick_language(vi: str, en: str, zh: str) -> LocalizedText:
    """The text in the reader's language, or a fallback that knows its language (``localize``)."""
    return localized(vi, en, zh)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(zone)s is not a time zone name such as Asia/Ho_Chi_Minh."),
            code="invalid",
            params={"zone": shown(value)},
        )


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
    counterpart_name_vi = models.CharField(
        _("counterpart gate (Vietnamese)"), max_length=120, blank=True
    )
    counterpart_name_pinyin = models.CharField(
        _("counterpart gate (pinyin)"), max_length=120, blank=True
    )
    counterpart_county = models.CharField(_("counterpart county"), max_length=160, blank=True)
    counterpart_province = models.CharField(_("counterpart province"), max_length=80, blank=True)
    gate_class = models.CharField(_("gate class"), max_length=240)
    modes = models.CharField(_("modes"), max_length=200)
    unlocode_vn = models.CharField(
        _("UN/LOCODE (Vietnam side)"), max_length=80, blank=True, validators=[UnLocode("VN")]
    )
    unlocode_cn = models.CharField(
        _("UN/LOCODE (China side)"), max_length=80, blank=True, validators=[UnLocode("CN")]
    )
    # Every page of the gate converts its times to this zone: one the zone database lacks
    # would break them all, the public wait times included.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Ho_Chi_Minh",
        validators=[validate_time_zone],
    )
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

    @staticmethod
    def could_be_code(text: str) -> bool:
        """Whether ``text`` has a gate code's shape: anything else names no gate, and is not
        looked up (PostgreSQL refuses a NUL in a query where SQLite finds nothing)."""
        return re.fullmatch(r"[-a-z0-9_]{1,8}", text) is not None

    @property
    def name(self) -> LocalizedText:
        return localized(self.name_vi, self.name_en, self.name_zh)

    @property
    def counterpart(self) -> LocalizedText:
        """The Chinese gate opposite, as the reader's language names it.

        Vietnamese readers know these gates by their Sino-Vietnamese names (Hà Khẩu, Kim Thủy
        Hà); English uses pinyin. The Chinese characters follow a Latin name, since they are
        what the gate's own signs say; pinyin stands in where no Vietnamese name is recorded.
        """
        wanted = active_language()
        zh = self.counterpart_name_zh
        if wanted == "zh":
            return localized("", self.counterpart_name_pinyin, zh)
        latin = self.counterpart_name_pinyin
        if wanted == "vi" and self.counterpart_name_vi:
            latin = self.counterpart_name_vi
        text = f"{latin} ({zh})" if latin and zh else latin or zh
        return LocalizedText(text, wanted if latin else "zh", wanted)


class HSSection(models.Model):
    numeral = models.CharField(_("section"), max_length=5, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    name = models.TextField(_("name"))

    class Meta:
        ordering = ["position"]
        verbose_name = _("HS section")
        verbose_name_plural = _("HS sections")

    def __str__(self):
        return f"{self.numeral}: {self.name}"


class HSCode(models.Model):
    """A chapter (2 digits), heading (4) or subheading (6) of HS 2022."""

    code = models.CharField(_("HS code"), max_length=6, unique=True)
    level = models.PositiveSmallIntegerField(
        _("level"),
        choices=[
            (2, pgettext_lazy("HS level", "chapter")),
            (4, pgettext_lazy("HS level", "heading")),
            (6, pgettext_lazy("HS level", "subheading")),
        ],
    )
    description = models.TextField(_("description"))  # English, from the HS
    # The official Vietnamese name (Circular 31/2022/TT-BTC) and its path from the heading:
    # many subheadings are just "Loại khác" (Other), only the path says other what.
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    context_vi = models.TextField(_("description with its heading (Vietnamese)"), blank=True)
    # No official Chinese HS text exists in usable form: the names here are products' own
    # Chinese names (market-access list, curated list), each with its source in the data files.
    name_zh = models.TextField(_("product names (Chinese)"), blank=True)
    # Folded (``text.fold``) search keys, framed by spaces so " word" matches a word's start:
    # the code's own names in the three languages, and everything that may find it (path,
    # Vietnam's 8-digit national lines, English AHTN texts).
    name_key = models.TextField(_("name search key"), blank=True, editable=False)
    search_key = models.TextField(_("search key"), blank=True, editable=False)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent code"),
    )
    section = models.ForeignKey(
        HSSection, on_delete=models.PROTECT, related_name="codes", verbose_name=_("section")
    )

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

    @property
    def name(self) -> LocalizedText:
        """What a reader of the active language calls this code (path included in Vietnamese)."""
        return localized(self.context_vi or self.description_vi, self.description, self.name_zh)
