"""A number that is an identifier or a year is written plain in every template.

``USE_THOUSAND_SEPARATOR`` groups every number a template prints: a sample's id 1887 became
"1.887" in the hidden field of the quarantine officer's form (no sample could get a result
once the ids passed 999), and the year 2026 became "?year=2,026" in every statistics link.
"""

import re
from pathlib import Path

import pytest
from django.template import engines

import cuakhau

ROOT = Path(cuakhau.__file__).parent
# ``{{ x.pk }}``, ``{{ x.id }}``, ``{{ year }}``, ``{{ x.year }}`` with no filter after them.
UNFILTERED = re.compile(r"\{\{\s*(?:[\w.]+\.(?:pk|id|year)|year)\s*\}\}")


def _templates():
    return sorted(p for p in ROOT.rglob("templates/**/*.html"))


def test_identifiers_and_years_are_never_grouped_in_templates():
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        # Inside a blocktranslate, a variable is one the tag itself names ("with year=…").
        text = re.sub(r"\{% blocktranslate.*?\{% endblocktranslate %\}", "", text, flags=re.S)
        offenders += [f"{path.relative_to(ROOT)}: {m}" for m in UNFILTERED.findall(text)]
    assert not offenders


@pytest.mark.parametrize("language", ["vi", "en", "zh-hans"])
def test_an_unlocalized_identifier_stays_plain_in_every_language(language):
    from django.utils import translation

    template = engines["django"].from_string('{% load l10n %}<input value="{{ pk|unlocalize }}">')
    with translation.override(language):
        assert template.render({"pk": 1887}) == '<input value="1887">'
