"""Names in the reader's language, the marked fallback, countries, gates, fees, market texts."""

import pytest
from django.template import Context, Template
from django.utils import translation

from cuakhau.fees.models import FeeRate, FeeSchedule
from cuakhau.reference.localize import country_choices, country_name, localized, original
from cuakhau.reference.models import Gate


def render(source: str, **context) -> str:
    return Template("{% load reference %}" + source).render(Context(context))


def test_localized_picks_the_language_and_marks_a_fallback():
    with translation.override("zh-hans"):
        name = localized("Chuối", "Banana", "")
        assert (str(name), name.lang, name.is_fallback) == ("Banana", "en", True)
        assert render("{{ n|marked }}", n=name) == (
            '<span lang="en">Banana</span> <small class="original-language">(英文原文)</small>'
        )
    with translation.override("vi"):
        name = localized("Chuối", "Banana", "香蕉")
        assert (str(name), name.is_fallback) == ("Chuối", False)
        assert render("{{ n|marked }}", n=name) == "Chuối"


@pytest.mark.parametrize(
    "language, marker",
    [("en", "(Vietnamese original)"), ("zh-hans", "(越南语原文)"), ("vi", None)],
)
def test_a_text_in_its_original_language_is_said_so_on_other_pages(language, marker):
    with translation.override(language):
        html = render('{{ basis|original:"vi" }}', basis="Nghị quyết 09/2025/NQ-HĐND")
    if marker:
        assert html.startswith('<span lang="vi">Nghị quyết 09/2025/NQ-HĐND</span>')
        assert marker in html
    else:
        assert html == "Nghị quyết 09/2025/NQ-HĐND"
    assert original("x", "zh").lang == "zh"


@pytest.mark.parametrize(
    "language, vn, cn, la",
    [
        ("vi", "Việt Nam", "Trung Quốc", "Lào"),
        ("en", "Vietnam", "China", "Laos"),
        ("zh-hans", "越南", "中国", "老挝"),
    ],
)
def test_country_names_come_from_the_cldr_table(language, vn, cn, la):
    with translation.override(language):
        assert (country_name("VN"), country_name("cn")) == (vn, cn)
        assert la in country_name("LA")
        assert render("{{ c|country }}", c="VN") == vn
        choices = country_choices(first=("VN", "CN"))
    assert choices[:2] == [("VN", vn), ("CN", cn)]
    assert len(choices) == len({code for code, _ in choices}) > 240


@pytest.mark.parametrize(
    "language, names",
    [
        # pycountry's catalogues said "Căm Bốt", "Cộng hoà Nam Hàn", "Phi-li-pi-nợ", "Nam Dương",
        # "Nhật", "Bang-la-đesợ" and "柬埔塞" (a wrong character).
        (
            "vi",
            {
                "KH": "Campuchia",
                "KR": "Hàn Quốc",
                "KP": "Triều Tiên",
                "PH": "Philippines",
                "ID": "Indonesia",
                "JP": "Nhật Bản",
                "US": "Hoa Kỳ",
                "IN": "Ấn Độ",
                "BD": "Bangladesh",
            },
        ),
        ("zh-hans", {"KH": "柬埔寨", "KR": "韩国", "LA": "老挝", "MM": "缅甸"}),
        ("en", {"KR": "South Korea", "LA": "Laos", "VN": "Vietnam"}),
    ],
)
def test_country_names_are_the_ones_readers_use(language, names):
    with translation.override(language):
        assert {code: country_name(code) for code in names} == names


def test_every_iso_country_has_its_three_names():
    import pycountry

    from cuakhau.reference.localize import _country_names

    table = _country_names()
    assert {c.alpha_2 for c in pycountry.countries} <= set(table)
    for names in table.values():
        assert all(names[lang].strip() for lang in ("vi", "en", "zh"))


def test_countries_sort_in_the_alphabet_of_the_page():
    with translation.override("vi"):
        names = [name for _, name in country_choices()]
    # Vietnamese order: Đ after D, Ă after A (neither code points nor letters without marks).
    assert names.index("Đan Mạch") > names.index("Dominica")
    assert (
        names.index("Ấn Độ") > names.index("Azerbaijan") > names.index("Áo") > names.index("Ai Cập")
    )
    with translation.override("en"):
        names = [name for _, name in country_choices()]
    assert names.index("Åland Islands") < names.index("Bahamas")  # Å is an A
    assert names.index("Zimbabwe") == len(names) - 1
    assert country_name("XX") == "XX"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, name, counterpart",
    [
        ("vi", "Ma Lù Thàng", "Kim Thủy Hà (金水河)"),
        ("en", "Ma Lu Thang", "Jinshuihe (金水河)"),
        ("zh-hans", "马鹿塘口岸", "金水河"),
    ],
)
def test_gate_and_counterpart_names(reference_data, language, name, counterpart):
    gate = Gate.objects.get(code="mlt")
    with translation.override(language):
        assert (gate.name, gate.counterpart) == (name, counterpart)
        assert not gate.name.is_fallback and not gate.counterpart.is_fallback


@pytest.mark.django_db
def test_a_gate_without_a_chinese_name_falls_back_marked(reference_data):
    # Every shipped gate has its Chinese name now; one a later row might lack reads like this.
    Gate.objects.filter(code="cnm").update(name_zh="")
    gate = Gate.objects.get(code="cnm")
    with translation.override("zh-hans"):
        assert render("{{ g|localized }}", g=gate) == (
            '<span lang="en">Coc Nam</span> <small class="original-language">(英文原文)</small>'
        )
        assert gate.counterpart == "弄尧"
    with translation.override("vi"):
        assert gate.counterpart == "Lũng Nghiêu (弄尧)"


@pytest.mark.django_db
def test_fee_items_and_schedules_have_three_languages(reference_data):
    schedule = FeeSchedule.objects.get(gate__code="hng", key="lang-son-09-2025", version=1)
    rate = schedule.rates.get(position=0)
    with translation.override("zh-hans"):
        assert schedule.title == "谅山省口岸基础设施使用费"
        assert rate.label == "2吨以下货车，出口新鲜蔬菜水果"
        html = render('{{ s.legal_basis|original:"vi" }}', s=schedule)
        assert '<span lang="vi">Nghị quyết 09/2025/NQ-HĐND' in html and "越南语原文" in html
    assert not FeeRate.objects.filter(label_zh="").exists()
    # An assessment's items (JSON) localise the same way, old items without Chinese fall back.
    item = {"label_vi": "Xe không hàng", "label_en": "Empty vehicle"}
    with translation.override("zh-hans"):
        assert "Empty vehicle" in render('{{ i|localized:"label" }}', i=item)
        assert render('{{ i|localized:"label" }}', i={**item, "label_zh": "空车"}) == "空车"


@pytest.mark.parametrize(
    "language, usd, cny, vnd",
    [
        ("vi", "Đô la Mỹ", "Nhân dân tệ", "Đồng Việt Nam"),
        ("en", "US Dollar", "Chinese Yuan", "Vietnamese Dong"),
        ("zh-hans", "美元", "人民币", "越南盾"),
    ],
)
def test_currencies_are_named_in_the_language_of_the_page(language, usd, cny, vnd):
    from cuakhau.reference.localize import currency_name
    from cuakhau.reference.validators import currency_choices

    with translation.override(language):
        assert [currency_name(c) for c in ("usd", "CNY", "VND")] == [usd, cny, vnd]
        choices = currency_choices()
    # The code leads the label, so a select still jumps to "USD" as it is typed.
    assert choices[:3] == [
        ("VND", f"VND — {vnd}"),
        ("CNY", f"CNY — {cny}"),
        ("USD", f"USD — {usd}"),
    ]
    assert all(label.startswith(f"{code} — ") and len(label) > 6 for code, label in choices)
    assert currency_name("QQQ") == "QQQ"


def test_every_iso_currency_has_its_three_names():
    import pycountry

    from cuakhau.reference.localize import _currency_names

    table = _currency_names()
    assert {c.alpha_3 for c in pycountry.currencies} <= set(table)
    for names in table.values():
        assert all(names[lang].strip() for lang in ("vi", "en", "zh"))


@pytest.mark.django_db
def test_hs_chapters_have_their_official_vietnamese_titles(reference_data):
    """The statistics' chapter charts named chapters in English on Vietnamese pages: the
    shipped nomenclature had Vietnamese names for headings and subheadings only."""
    from cuakhau.reference.models import HSCode

    chapters = HSCode.objects.filter(level=2)
    assert chapters.count() == 96 and not chapters.filter(description_vi="").exists()
    steel = HSCode.objects.get(code="72")
    with translation.override("vi"):
        assert str(steel.name) == "Sắt và thép" and not steel.name.is_fallback
    with translation.override("en"):
        assert str(steel.name) == "Iron and steel"
