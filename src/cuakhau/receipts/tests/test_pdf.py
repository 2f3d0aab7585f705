"""The printable PDF receipt: who may download it, what it says, and its fallbacks."""

import re

import pytest
import segno
from django.test import Client

from cuakhau.conftest import PASSWORD, declaration
from cuakhau.payments.services import simulate_bank_transfer
from cuakhau.receipts import pdf
from cuakhau.receipts.services import valid_receipt_of
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


def paid_receipt(user):
    """A submitted trip paid by the demo bank transfer, and its receipt."""
    for _attempt in range(10):
        trip = trips.save_and_submit(user, None, declaration())
        # payments' reference parser misses references whose check character is "*" (1 in
        # 37), so such a transfer is flagged "unknown trip" and issues no receipt.
        if not trip.reference.endswith("*"):
            break
        trips.cancel_trip(user, trip)  # frees its containers for the next attempt
    simulate_bank_transfer(trip)
    receipt = valid_receipt_of(trip)
    assert receipt is not None
    return receipt


@pytest.fixture
def receipt(enterprise, mlt):
    return paid_receipt(enterprise)


def shown_text(document: bytes) -> str:
    """The literal strings of an uncompressed PDF's text operators (ASCII survives subsetting)."""
    return " ".join(
        s.decode("latin-1") for s in re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", document)
    )


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_owner_downloads_the_pdf(enterprise, receipt):
    response = client_for(enterprise).get(f"/receipts/{receipt.number}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{receipt.number}.pdf"' in response["Content-Disposition"]
    # The document information dictionary is never compressed.
    assert f"E-receipt {receipt.number}".encode() in response.content


def test_another_organisation_gets_404(other_enterprise, receipt):
    response = client_for(other_enterprise).get(f"/receipts/{receipt.number}/pdf/")

    assert response.status_code == 404


def test_anonymous_user_is_sent_to_log_in(client, receipt):
    response = client.get(f"/receipts/{receipt.number}/pdf/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_pdf_shows_the_receipt_facts(receipt):
    document = pdf.receipt_pdf(receipt, compress=False)
    text = shown_text(document)

    assert document.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 297.6378 419.5276 ]" in document  # A6 portrait
    assert receipt.number in text
    assert receipt.trip.reference in text
    assert receipt.payer_tax_code in text
    assert "25C-123.45" in text and "25R-012.34" in text
    assert receipt.kid[:12] in text
    for item in receipt.items:
        # The resolution's clause, said so ("Mục d"; its "ụ" is a subset glyph, not ASCII).
        assert re.search(rf"M\\\d{{3}}c {item['code']} ", text)
    # Thousands with dots: the đồng sign itself is a subset glyph, not ASCII.
    assert pdf.vnd(receipt.amount_vnd).removesuffix(" ₫") in text


def test_vietnamese_is_drawn_with_an_embedded_unicode_font(receipt):
    document = pdf.receipt_pdf(receipt, compress=False)

    fonts = pdf.fonts()
    assert fonts.covered is not None, "install fontpkg-be-vietnam-pro (or Debian fonts-dejavu)"
    assert all(ord(c) in fonts.covered for c in pdf.TITLE + pdf.SUBTITLE + "₫")
    assert b"/FontFile2" in document  # the TrueType subset travels with the PDF
    assert b"/ToUnicode" in document  # so the text can be searched and copied


def test_qr_modules_are_drawn_as_rectangles(receipt):
    document = pdf.receipt_pdf(receipt, compress=False)

    qr = segno.make(receipt.token, error="m")
    runs = sum(
        1
        for row in qr.matrix
        for index, dark in enumerate(row)
        if dark and (index == 0 or not row[index - 1])
    )
    # One "re" per run of dark modules, plus the white background of the code.
    assert len(re.findall(rb" re\b", document)) >= runs + 1
    assert qr.version >= 10  # a real JWS, not a placeholder


def test_revoked_receipt_says_so(receipt, enterprise):
    from cuakhau.receipts.services import revoke_receipt

    revoke_receipt(receipt, enterprise, "cancelled", "trip cancelled")
    receipt.refresh_from_db()

    assert "KH" in shown_text(pdf.receipt_pdf(receipt, compress=False))  # "KHÔNG CÓ GIÁ TRỊ"


def test_without_a_vietnamese_font_the_receipt_is_printed_without_diacritics(receipt, monkeypatch):
    monkeypatch.setattr(pdf, "font_candidates", list)
    pdf.fonts.cache_clear()
    try:
        document = pdf.receipt_pdf(receipt, compress=False)
    finally:
        pdf.fonts.cache_clear()

    text = shown_text(document)
    assert document.startswith(b"%PDF")
    assert "BIEN LAI DIEN TU / E-RECEIPT" in text
    assert "Phi su dung ket cau ha tang cua khau" in text
    assert f"{pdf.vnd(receipt.amount_vnd).removesuffix(' ₫')} VND" in text


def test_text_helpers():
    assert pdf.vnd(1234567) == "1.234.567 ₫"
    assert pdf.vnd(800_000) == "800.000 ₫"
    assert pdf.strip_diacritics("Đồng Đăng – Lạng Sơn") == "Dong Dang - Lang Son"
    assert pdf.short_kid("abc") == "abc"
    assert pdf.short_kid("A" * 12 + "B" * 27 + "WXYZ") == "AAAAAAAAAAAA…WXYZ"
    # Chinese payer names go to the embedded Chinese font rather than to "?".
    runs = list(pdf._runs("Công ty 金平县", bold=False))
    assert runs[-1] == (pdf.CJK_FONT, "金平县")
    assert all(font != pdf.CJK_FONT for font, _ in runs[:-1])


def test_chinese_travels_in_the_pdf_and_a_character_the_font_lacks_still_shows(
    other_enterprise, mlt
):
    """A viewer with no Chinese font (a driver's phone, a booth's printer) draws the payer's
    name from the PDF itself; a rare character the shipped font lacks goes to the standard CID
    font instead of becoming "?"."""
    import io

    from pypdf import PdfReader

    receipt = paid_receipt(other_enterprise)
    document = pdf.receipt_pdf(receipt, language="zh-hans", compress=False)
    fonts = {}
    for page in PdfReader(io.BytesIO(document)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    chinese = [name for name in fonts if name.endswith("+DroidSansFallback")]
    assert chinese, sorted(fonts)
    descriptor = fonts[chinese[0]]["/FontDescriptor"].get_object()
    assert "/FontFile2" in descriptor  # the glyphs themselves, a subset
    assert squeeze(receipt.payer_name) in squeeze(pdf_text(document))

    lacking = next(
        chr(code)
        for code in range(0x20000, 0x2A6E0)  # CJK Extension B: a rare name's character
        if code not in pdf._cjk_covered()
    )
    assert list(pdf._runs(f"金{lacking}", bold=False)) == [
        (pdf.CJK_FONT, "金"),
        (pdf.CJK_CID_FONT, lacking),
    ]


# ---------------------------------------------------------------------------------------------
# Vietnamese and the payer's language (issue 9)


def pdf_text(document: bytes) -> str:
    """The text a reader copies out of the PDF (pypdf follows the fonts' Unicode maps)."""
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize(
    "language, labels",
    [
        ("en", ["E-RECEIPT", "Trip", "Payer", "Tax code", "Total", "Scan to verify"]),
        ("zh-hans", ["电子收据", "车次", "缴费人", "税号", "合计", "扫码验证"]),
    ],
)
def test_the_receipt_speaks_vietnamese_and_the_payers_language(
    enterprise, receipt, language, labels
):
    from cuakhau.accounts.services import set_language

    set_language(enterprise, language)
    receipt.trip.created_by.profile.refresh_from_db()
    text = squeeze(pdf_text(pdf.receipt_pdf(receipt, language="vi")))
    for vietnamese in ["BIÊNLAIĐIỆNTỬ", "Chuyến", "Ngườinộp", "Mãsốthuế", "Tổngcộng"]:
        assert vietnamese in text
    for label in labels:
        assert squeeze(label) in text
    other = {"en": "电子收据", "zh-hans": "E-RECEIPT"}[language]
    assert other not in text  # two languages, not three
    assert receipt.number in text and receipt.trip.reference in text


def test_a_vietnamese_payer_gets_vietnamese_or_the_askers_language(enterprise, receipt):
    from cuakhau.accounts.services import set_language

    set_language(enterprise, "vi")
    receipt.trip.created_by.profile.refresh_from_db()
    assert pdf.payer_language(receipt, "vi") is None
    vietnamese_only = squeeze(pdf_text(pdf.receipt_pdf(receipt, language="vi")))
    assert "BIÊNLAIĐIỆNTỬ" in vietnamese_only
    assert "E-RECEIPT" not in vietnamese_only and "电子收据" not in vietnamese_only
    # An officer reading in Chinese prints the Chinese beside the Vietnamese.
    assert pdf.payer_language(receipt, "zh-hans") == "zh-hans"
    assert "电子收据" in squeeze(pdf_text(pdf.receipt_pdf(receipt, language="zh-hans")))


def test_a_chinese_enterprise_gets_chinese_without_having_chosen(other_enterprise, mlt):
    receipt = paid_receipt(other_enterprise)
    assert other_enterprise.profile.language == ""
    assert pdf.payer_language(receipt, "vi") == "zh-hans"
    text = squeeze(pdf_text(pdf.receipt_pdf(receipt, language="vi")))
    assert "电子收据" in text and "BIÊNLAIĐIỆNTỬ" in text
    assert squeeze(receipt.payer_name) in text  # 金平县金水河边贸有限公司, real text


def test_the_payer_downloads_the_receipt_in_their_language(enterprise, receipt):
    from cuakhau.accounts.services import set_language

    set_language(enterprise, "zh-hans")
    response = client_for(enterprise).get(f"/receipts/{receipt.number}/pdf/")
    text = squeeze(pdf_text(response.content))
    assert "电子收据" in text and "BIÊNLAIĐIỆNTỬ" in text


# ---------------------------------------------------------------------------------------------
# One page in every language, also with long names; a longer receipt is paged properly


LONG_PAYER = "Công ty TNHH Xuất nhập khẩu Nông sản và Thương mại Dịch vụ Vận tải Biên giới Lai Châu"


def pdf_pages(document: bytes) -> list[str]:
    import io

    from pypdf import PdfReader

    return [squeeze(page.extract_text()) for page in PdfReader(io.BytesIO(document)).pages]


def container_item(number: str) -> dict:
    """A fee item as the assessment stores it: one per container (``fees.services.price``)."""
    return {
        "code": "d",
        "label_vi": f"Xe tải từ 18 tấn hoặc container 40 feet, hàng xuất nhập khẩu {number}",
        "label_en": f"Truck 18 t and over or 40 ft container, export/import {number}",
        "label_zh": f"18吨及以上货车或40英尺集装箱，进出口货物 {number}",
        "unit": "container",
        "quantity": "1",
        "rate_vnd": 1_800_000,
        "amount_vnd": 1_800_000,
    }


def long_receipt(receipt, enterprise, language, items):
    from cuakhau.accounts.services import set_language

    set_language(enterprise, language)
    receipt.trip.created_by.profile.refresh_from_db()
    gate = receipt.gate
    gate.name_vi = "Kim Thành (cửa khẩu quốc tế đường bộ số II)"
    gate.name_en = "Kim Thanh (International road border gate No. II)"
    gate.name_zh = "金城（第二国际公路口岸）"
    receipt.payer_name = LONG_PAYER
    receipt.authority = "Ban Quản lý Khu kinh tế cửa khẩu tỉnh Lào Cai (tỉnh Yên Bái và Lào Cai)"
    receipt.items = [container_item(f"MSCU{index:07d}") for index in range(items)]
    receipt.amount_vnd = sum(item["amount_vnd"] for item in receipt.items)
    return receipt


@pytest.mark.parametrize("language", ["vi", "en", "zh-hans"])
@pytest.mark.parametrize("items", [1, 2, 3])
def test_a_receipt_fits_on_one_page_in_every_language(enterprise, receipt, language, items):
    # A trip pays one item, or one per container: a chassis carries at most two (20 feet).
    long_receipt(receipt, enterprise, language, items)
    pages = pdf_pages(pdf.receipt_pdf(receipt, language=language))

    assert len(pages) == 1
    assert squeeze(LONG_PAYER) in pages[0]
    signed = pdf.words("signed", pdf.payer_language(receipt), kid=pdf.short_kid(receipt.kid))
    assert squeeze(signed) in pages[0]


def test_the_english_receipt_of_the_demo_trip_is_one_page(enterprise, receipt):
    from cuakhau.accounts.services import set_language

    set_language(enterprise, "en")
    receipt.trip.created_by.profile.refresh_from_db()
    pages = pdf_pages(pdf.receipt_pdf(receipt, language="en"))

    assert len(pages) == 1
    assert "SignedwithEd25519" in pages[0] and "Total" in pages[0]


@pytest.mark.parametrize("language", ["vi", "en", "zh-hans"])
def test_a_receipt_of_many_items_is_headed_and_numbered_on_every_page(
    enterprise, receipt, language
):
    # Nothing in the model bounds the items: fifty must still print as a proper document.
    long_receipt(receipt, enterprise, language, 50)
    second = pdf.payer_language(receipt)
    pages = pdf_pages(pdf.receipt_pdf(receipt, language=language))

    assert len(pages) > 1
    title = squeeze(pdf.words("title", second))
    for index, text in enumerate(pages, start=1):
        assert title in text and receipt.number in text
        assert squeeze(pdf.words("page", second, page=index, pages=len(pages))) in text
    for item in receipt.items:
        assert sum(item["label_en"].split()[-1] in text for text in pages) == 1
    # The total and the signature end the last page, after at least one item.
    last = pages[-1]
    assert squeeze(pdf.words("total", second)) in last
    assert last.index("MSCU") < last.index(squeeze(pdf.words("total", second)))


def test_words_too_long_for_the_column_are_broken():
    width = 30 * 2.835
    lines = pdf.wrap("金平县金水河边贸有限公司金平县金水河边贸有限公司 ABC", 7.5, width)

    assert len(lines) > 1
    assert all(pdf.text_width(line, 7.5) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == "金平县金水河边贸有限公司" * 2 + "ABC"


def test_the_receipt_page_names_each_item_by_its_clause(enterprise, receipt):
    page = client_for(enterprise).get(f"/receipts/{receipt.number}/").content.decode()
    for item in receipt.items:
        # "Item d · …", not a stray "d · …" before the label.
        assert f"<td>Item {item['code']} · " in page


def test_the_receipt_names_where_its_keys_are_published_whole(receipt, enterprise, settings):
    # Verified on paper away from the site: "/.well-known/jwks.json" alone named no place.
    settings.PUBLIC_URL = "https://cuakhau.langson.gov.vn"
    where = "https://cuakhau.langson.gov.vn/.well-known/jwks.json"
    assert where in shown_text(pdf.receipt_pdf(receipt, compress=False))
    page = client_for(enterprise).get(f"/receipts/{receipt.number}/").content.decode()
    assert f'<a href="{where}">{where}</a>' in page
