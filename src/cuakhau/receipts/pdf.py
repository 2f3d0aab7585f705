"""The printable e-receipt: one A6 portrait page (it scales to A5) with the signed QR code.

Vietnamese needs a TrueType font with its precomposed letters (ế, ử, ạ…) and the đồng sign:
reportlab's standard Helvetica and its bundled Vera have neither. The project depends on
``fontpkg-be-vietnam-pro`` (Be Vietnam Pro, OFL-1.1, static TTFs designed for Vietnamese,
~1 MB wheel, pure data); Debian's DejaVu and matplotlib's copy of it are accepted too. With
no such font the receipt still renders, in Helvetica without diacritics, rather than fail
at the gate. Chinese (labels, payer names, plates) is drawn with Droid Sans Fallback
(Apache-2.0, TrueType: ``fonts/``, see its NOTICE.md), shipped with the project because no
wheel on PyPI carries a CJK font reportlab can embed (Noto Sans SC's have CFF outlines): its
glyphs travel in the PDF as a subset, so a phone or a booth printer with no Chinese font shows
them. A character it lacks (a rare one of a name) falls back to reportlab's STSong-Light, one
of the PDF standard's CJK fonts, which the viewer supplies. Either way the text stays real
text: copyable, searchable.

The receipt speaks Vietnamese, the language of the fiscal document, and beside it the
payer's language when that is English or Chinese (``payer_language``).

The QR code comes from segno and is drawn as vector rectangles, so it stays sharp when
printed on a receipt printer and needs no image library.
"""

from __future__ import annotations

import html
import io
import logging
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources, util
from pathlib import Path

import segno
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import FILL_NON_ZERO, Canvas

from cuakhau.core.zones import utc_offset

logger = logging.getLogger(__name__)

# The receipt's own words: Vietnamese first, then each language a payer may read beside it.
# Kept here, not in the message catalogues: they are the fixed wording of a fiscal form, and
# one receipt prints two languages at once whatever the page's language is.
WORDS: dict[str, dict[str, str]] = {
    "title": {"vi": "BIÊN LAI ĐIỆN TỬ", "en": "E-RECEIPT", "zh-hans": "电子收据"},
    "subtitle": {
        "vi": "Phí sử dụng kết cấu hạ tầng cửa khẩu",
        "en": "Border gate infrastructure fee",
        "zh-hans": "口岸基础设施使用费",
    },
    "trip": {"vi": "Chuyến", "en": "Trip", "zh-hans": "车次"},
    "gate": {"vi": "Cửa khẩu", "en": "Gate", "zh-hans": "口岸"},
    "plates": {"vi": "Biển số", "en": "Plates", "zh-hans": "车牌号"},
    "payer": {"vi": "Người nộp", "en": "Payer", "zh-hans": "缴费人"},
    "tax_code": {"vi": "Mã số thuế", "en": "Tax code", "zh-hans": "税号"},
    "issued": {"vi": "Thời gian", "en": "Issued", "zh-hans": "开具时间"},
    "total": {"vi": "Tổng cộng", "en": "Total", "zh-hans": "合计"},
    "scan": {
        "vi": "Quét mã để kiểm tra · khóa {kid}",
        "en": "Scan to verify · key {kid}",
        "zh-hans": "扫码验证 · 密钥 {kid}",
    },
    "replaced": {
        "vi": "ĐÃ THAY THẾ — KHÔNG CÓ GIÁ TRỊ",
        "en": "REPLACED — NOT VALID",
        "zh-hans": "已被替换 — 无效",
    },
    "replaced_by": {
        "vi": "Thay bằng biên lai {number}: khóa ký bị lộ",
        "en": "Replaced by receipt {number}: signing key compromised",
        "zh-hans": "已由收据 {number} 替换：签名密钥泄露",
    },
    "revoked": {
        "vi": "ĐÃ THU HỒI — KHÔNG CÓ GIÁ TRỊ",
        "en": "REVOKED — NOT VALID",
        "zh-hans": "已撤销 — 无效",
    },
    "compromised": {
        "vi": "KHÓA KÝ BỊ LỘ — KHÔNG CÓ GIÁ TRỊ",
        "en": "SIGNING KEY COMPROMISED — NOT VALID",
        "zh-hans": "签名密钥泄露 — 无效",
    },
    "compromised_after_use": {
        "vi": "ĐÃ DÙNG KHI QUA CỬA KHẨU · KHÓA KÝ BỊ LỘ SAU ĐÓ",
        "en": "USED AT EXIT · SIGNING KEY COMPROMISED LATER",
        "zh-hans": "已于出境时使用 · 签名密钥事后泄露",
    },
    "register_confirms": {
        "vi": "Sổ biên lai của cửa khẩu vẫn xác nhận biên lai này",
        "en": "The gate's register still confirms this receipt",
        "zh-hans": "口岸收据登记簿仍确认此收据",
    },
    "replaces": {
        "vi": "Thay thế biên lai {number}",
        "en": "Replaces receipt {number}",
        "zh-hans": "替换收据 {number}",
    },
    "continued": {"vi": "tiếp", "en": "continued", "zh-hans": "续"},
    "page": {
        "vi": "Trang {page}/{pages}",
        "en": "Page {page}/{pages}",
        "zh-hans": "第 {page}/{pages} 页",
    },
    "signed": {
        "vi": "Ký số Ed25519, khóa {kid}",
        "en": "Signed with Ed25519, key {kid}",
        "zh-hans": "Ed25519 数字签名，密钥 {kid}",
    },
}
# The languages printed beside Vietnamese.
SECOND_LANGUAGES = ("en", "zh-hans")
# Fee item labels as the assessment stores them, per language.
ITEM_LABEL_KEYS = {"en": "label_en", "zh-hans": "label_zh"}

TITLE = WORDS["title"]["vi"]
SUBTITLE = WORDS["subtitle"]["vi"]

PAGE_WIDTH, PAGE_HEIGHT = A6
MARGIN = 6 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
QR_SIZE = 60 * mm
# A receipt whose text leaves less room than QR_SIZE (a long payer's name, English or Chinese
# labels beside the Vietnamese) is first set in smaller text (SCALES), then given a smaller
# code rather than a second page, down to this (0.46 mm modules for the version-18 code of a
# receipt's JWS: still read by phones and the gates' scanners).
QR_MIN_SIZE = 45 * mm
LABEL_WIDTH = 27 * mm
# The page numbers of a receipt of several pages sit below the bottom margin's line of text.
FOOTER_SIZE = 5.5
# Before a receipt takes a second page its text is set smaller, down to SCALES[-1] of its size
# and never below MIN_TEXT_SIZE points (the signature line's size).
SCALES = (1, 0.9, 0.8)
MIN_TEXT_SIZE = 5.5
FOOTER_HEIGHT = 3 * mm
GREY = Color(0.35, 0.35, 0.35)
RED = Color(0.7, 0.05, 0.05)
# Chinese: the embedded TrueType font, and the standard CID font for what it lacks.
CJK_FILE = Path(__file__).with_name("fonts") / "DroidSansFallbackFull.ttf"
CJK_FONT = "Cuakhau-DroidSansFallback"
CJK_CID_FONT = "STSong-Light"


@dataclass(frozen=True)
class _FontCandidate:
    name: str
    regular: Path
    bold: Path


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    # Code points the TrueType font can draw; None for the Helvetica fallback.
    covered: frozenset[int] | None


def _packaged_be_vietnam_pro() -> list[_FontCandidate]:
    try:
        files = resources.files("fontpkg_be_vietnam_pro").joinpath("files")
    except ModuleNotFoundError:
        return []
    return [
        _FontCandidate(
            "BeVietnamPro",
            Path(str(files.joinpath("BeVietnamPro-Regular.ttf"))),
            Path(str(files.joinpath("BeVietnamPro-Bold.ttf"))),
        )
    ]


def _matplotlib_dejavu() -> list[_FontCandidate]:
    # find_spec locates matplotlib without importing it (importing it costs a second).
    spec = util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return []
    ttf = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    return [_FontCandidate("DejaVuSans", ttf / "DejaVuSans.ttf", ttf / "DejaVuSans-Bold.ttf")]


def font_candidates() -> list[_FontCandidate]:
    debian = Path("/usr/share/fonts/truetype/dejavu")
    return [
        *_packaged_be_vietnam_pro(),
        _FontCandidate("DejaVuSans", debian / "DejaVuSans.ttf", debian / "DejaVuSans-Bold.ttf"),
        *_matplotlib_dejavu(),
    ]


@cache
def fonts() -> Fonts:
    """Register the first usable Vietnamese font once per process."""
    for candidate in font_candidates():
        if not (candidate.regular.is_file() and candidate.bold.is_file()):
            continue
        regular, bold = f"Cuakhau-{candidate.name}", f"Cuakhau-{candidate.name}-Bold"
        try:
            regular_font = TTFont(regular, str(candidate.regular))
            bold_font = TTFont(bold, str(candidate.bold))
        except Exception as exc:  # a corrupt or unsupported file: try the next one
            logger.warning("cannot load font %s: %s", candidate.regular, exc)
            continue
        pdfmetrics.registerFont(regular_font)
        pdfmetrics.registerFont(bold_font)
        covered = frozenset(regular_font.face.charToGlyph) & frozenset(bold_font.face.charToGlyph)
        return Fonts(regular, bold, covered)
    logger.warning("no Vietnamese TrueType font found; receipts are printed without diacritics")
    return Fonts("Helvetica", "Helvetica-Bold", None)


@cache
def _cjk_covered() -> frozenset[int]:
    """The code points the embedded Chinese font draws (registered once per process), or none
    when its file is missing or unreadable (the standard CID font then draws every one)."""
    try:
        font = TTFont(CJK_FONT, str(CJK_FILE))
    except Exception as exc:  # a packaging without the file: the CID font still speaks Chinese
        logger.warning("cannot load font %s: %s", CJK_FILE, exc)
        return frozenset()
    pdfmetrics.registerFont(font)
    return frozenset(font.face.charToGlyph)


@cache
def _cid_font() -> str | None:
    try:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_CID_FONT))
    except Exception as exc:  # pragma: no cover - reportlab ships the CID metrics
        logger.warning("cannot register %s: %s", CJK_CID_FONT, exc)
        return None
    return CJK_CID_FONT


def _cjk_font(char: str) -> str | None:
    """The font that draws this Chinese (or other wide) character, None if none can."""
    if ord(char) in _cjk_covered():
        return CJK_FONT
    return _cid_font()


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F") and char.isprintable()


_ASCII_STAND_INS = {"đ": "d", "Đ": "D", "₫": "VND", "—": "-", "–": "-", "…": "...", "·": "-"}


def strip_diacritics(text: str) -> str:
    """Plain letters for a font without Vietnamese: 'Đồng Đăng' becomes 'Dong Dang'."""
    text = "".join(_ASCII_STAND_INS.get(char, char) for char in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _runs(text: str, bold: bool) -> Iterator[tuple[str, str]]:
    """(font, text) pieces: the Vietnamese font where it can, CJK or plain letters elsewhere."""
    available = fonts()
    main = available.bold if bold else available.regular
    # reportlab does no glyph composition: "ế" must be one code point, not e + two accents.
    text = unicodedata.normalize("NFC", text)
    current_font, current = main, []
    for char in text:
        font, shown = main, char
        if available.covered is None:
            # Helvetica would draw Latin-1 accents but not the rest: strip all for a uniform look.
            if not char.isascii():
                shown = strip_diacritics(char)
                if not shown.isascii():
                    wide = _is_cjk(char) and _cjk_font(char)
                    font, shown = (wide, char) if wide else (main, "?")
        elif ord(char) not in available.covered:
            wide = _is_cjk(char) and _cjk_font(char)
            if wide:
                font = wide
            else:
                shown = strip_diacritics(char)
                if not all(ord(c) in available.covered for c in shown):
                    shown = "?"
        if font != current_font and current:
            yield current_font, "".join(current)
            current = []
        current_font = font
        current.append(shown)
    if current:
        yield current_font, "".join(current)


def text_width(text: str, size: float, bold: bool = False) -> float:
    return sum(pdfmetrics.stringWidth(run, font, size) for font, run in _runs(text, bold))


def paragraph_markup(text: str, bold: bool = False) -> str:
    """``text`` as reportlab Paragraph markup, escaped, each run in the font that draws it (a
    report in Chinese names Vietnamese gates; the Vietnamese font has no Chinese and the
    Chinese font no Vietnamese). ``bold``: the Vietnamese font's runs in bold."""
    available = fonts()
    pieces = []
    for font, run in _runs(text, bold):
        escaped = html.escape(run, quote=False)
        if font in (available.regular, available.bold):
            pieces.append(f"<b>{escaped}</b>" if bold else escaped)
        else:
            pieces.append(f'<font name="{font}">{escaped}</font>')
    return "".join(pieces)


def drawn_runs(text: str, size: float, bold: bool = False) -> list[tuple[str, str, float]]:
    """(font, text, width) of each run of ``text`` at ``size``: for a canvas or a drawing that
    writes a line of mixed scripts piece by piece."""
    return [(font, run, pdfmetrics.stringWidth(run, font, size)) for font, run in _runs(text, bold)]


def _pieces(word: str, size: float, width: float, bold: bool) -> list[str]:
    """A word split where it must be to fit ``width``: Chinese has no spaces between words, and
    a long code or name must not run off the page."""
    if text_width(word, size, bold) <= width:
        return [word]
    pieces, piece = [], ""
    for char in word:
        if piece and text_width(piece + char, size, bold) > width:
            pieces.append(piece)
            piece = char
        else:
            piece += char
    return [*pieces, piece] if piece else pieces


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    lines: list[str] = []
    line = ""
    for whole in text.split():
        for word in _pieces(whole, size, width, bold):
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, size, bold) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
    return [*lines, line] if line else lines or [""]


def payer_language(receipt, requested: str | None = None) -> str | None:
    """The language printed beside Vietnamese: English, Chinese or none.

    The payer's own first — the language the declaring person chose in their profile, else
    Chinese for a Chinese enterprise — then the language of whoever asks for the PDF.
    """
    trip = receipt.trip
    profile = getattr(getattr(trip, "created_by", None), "profile", None)
    chosen = getattr(profile, "language", "")
    if chosen in SECOND_LANGUAGES:
        return chosen
    if getattr(trip.organisation, "country", "") == "CN":
        return "zh-hans"
    requested = (requested or "").lower()
    return requested if requested in SECOND_LANGUAGES else None


def words(key: str, second: str | None, separator: str = " / ", **values) -> str:
    """The Vietnamese wording of ``key``, then the second language's, filled with ``values``."""
    texts = [WORDS[key]["vi"]]
    if second:
        texts.append(WORDS[key][second])
    return separator.join(text.format(**values) for text in texts)


def vnd(amount: int) -> str:
    """1.234.567 ₫, the Vietnamese way, whatever language the request asked for."""
    return f"{int(amount):,}".replace(",", ".") + " ₫"


def short_kid(kid: str) -> str:
    return kid if len(kid) <= 16 else f"{kid[:12]}…{kid[-4:]}"


class _Page:
    """A cursor down an A6 page that starts a new page when the next block does not fit.

    Without a canvas it only measures: ``pages`` counts the pages the receipt takes and, with
    ``unbounded``, ``used`` is the height it would take on one endless page. A receipt of more
    than one page (``pages`` > 1) repeats its title and number at the top of each following page
    and numbers every page at its foot ("Trang 1/2 / Page 1/2").
    """

    def __init__(
        self,
        canvas: Canvas | None,
        number: str,
        second: str | None = None,
        *,
        pages: int = 1,
        unbounded: bool = False,
        scale: float = 1,
    ):
        self.canvas = canvas
        self.number = number
        self.second = second
        self.pages = pages
        self.unbounded = unbounded
        self.scale = scale
        self.page = 1
        self.top = PAGE_HEIGHT - MARGIN
        self.bottom = MARGIN + (FOOTER_HEIGHT if pages > 1 else 0)
        self.y = self.top

    def size(self, size: float) -> float:
        """A text size made smaller by ``scale``, never below MIN_TEXT_SIZE."""
        return max(size * self.scale, min(size, MIN_TEXT_SIZE))

    @property
    def used(self) -> float:
        return self.top - self.y

    def need(self, height: float) -> None:
        if not self.unbounded and self.y - height < self.bottom and self.y < self.top - 0.1:
            self.new_page()

    def new_page(self) -> None:
        self.footer()
        if self.canvas is not None:
            self.canvas.showPage()
        self.page += 1
        self.y = self.top
        # The continuation says whose it is: the title and the number, as on the first page.
        self.text(words("title", self.second), 7.5, bold=True)
        self.text(f"{self.number} ({words('continued', self.second)})", 6.5, color=GREY)
        self.y -= 1 * mm

    def footer(self) -> None:
        """The page's number at its foot, when the receipt has more than one page."""
        if self.pages <= 1 or self.canvas is None:
            return
        text = f"{self.number} · " + words("page", self.second, page=self.page, pages=self.pages)
        size = FOOTER_SIZE
        x = MARGIN + (CONTENT_WIDTH - text_width(text, size)) / 2
        self.draw(x, MARGIN, text, size, color=GREY)

    def finish(self) -> None:
        self.footer()
        if self.canvas is not None:
            self.canvas.showPage()

    def draw(self, x: float, y: float, text: str, size: float, *, bold=False, color=black):
        if self.canvas is None:
            return
        self.canvas.setFillColor(color)
        for font, run in _runs(text, bold):
            self.canvas.setFont(font, size)
            self.canvas.drawString(x, y, run)
            x += pdfmetrics.stringWidth(run, font, size)

    def text(self, text: str, size: float, *, bold=False, color=black, center=False) -> None:
        size = self.size(size)
        leading = size * 1.3
        for line in wrap(text, size, CONTENT_WIDTH, bold):
            self.need(leading)
            self.y -= size
            x = MARGIN
            if center:
                x += (CONTENT_WIDTH - text_width(line, size, bold)) / 2
            self.draw(x, self.y, line, size, bold=bold, color=color)
            self.y -= leading - size

    def text_height(self, text: str, size: float, *, bold=False) -> float:
        size = self.size(size)
        return len(wrap(text, size, CONTENT_WIDTH, bold)) * size * 1.3

    def field(self, label: str, value: str, size: float = 7.5) -> None:
        """A label in grey on the left and its value to its right, each wrapped in its column."""
        label_width = LABEL_WIDTH
        label_size = self.size(size - 1)
        size = self.size(size)
        leading = size * 1.3
        labels = wrap(label, label_size, label_width - 1.5 * mm)
        values = wrap(value or "—", size, CONTENT_WIDTH - label_width)
        rows = max(len(labels), len(values))
        self.need(leading * rows)
        for index in range(rows):
            self.y -= size
            if index < len(labels):
                self.draw(MARGIN, self.y, labels[index], label_size, color=GREY)
            if index < len(values):
                self.draw(MARGIN + label_width, self.y, values[index], size)
            self.y -= leading - size

    def amount_line(self, label: str, amount: str, size: float, *, bold=False) -> None:
        size = self.size(size)
        amount_width = text_width(amount, size, bold)
        leading = size * 1.3
        lines = wrap(label, size, CONTENT_WIDTH - amount_width - 3 * mm, bold)
        self.need(leading * len(lines))
        for index, line in enumerate(lines):
            self.y -= size
            self.draw(MARGIN, self.y, line, size, bold=bold)
            if index == 0:
                x = PAGE_WIDTH - MARGIN - amount_width
                self.draw(x, self.y, amount, size, bold=bold)
            self.y -= leading - size

    def amount_height(self, label: str, amount: str, size: float, *, bold=False) -> float:
        size = self.size(size)
        amount_width = text_width(amount, size, bold)
        lines = wrap(label, size, CONTENT_WIDTH - amount_width - 3 * mm, bold)
        return len(lines) * size * 1.3

    def rule(self, gap: float = 1.5 * mm) -> None:
        self.need(2 * gap)
        self.y -= gap
        if self.canvas is not None:
            self.canvas.setStrokeColor(GREY)
            self.canvas.setLineWidth(0.4)
            self.canvas.line(MARGIN, self.y, PAGE_WIDTH - MARGIN, self.y)
        self.y -= gap

    def qr(self, data: str, size: float) -> None:
        self.need(size)
        x = MARGIN + (CONTENT_WIDTH - size) / 2
        if self.canvas is not None and size > 0:
            draw_qr(self.canvas, data, x, self.y - size, size)
        self.y -= size


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float, border: int = 4) -> None:
    """Draw ``data`` as a QR code whose quiet zone and modules fill a ``size`` square."""
    qr = segno.make(data, error="m")
    rows = [list(row) for row in qr.matrix_iter(border=border)]
    module = size / len(rows)
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    path = canvas.beginPath()
    for row_index, row in enumerate(rows):
        top = y + size - (row_index + 1) * module
        column = 0
        # One rectangle per horizontal run of dark modules keeps the PDF small.
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            path.rect(x + start * module, top, (column - start) * module, module)
    canvas.setFillColor(black)
    canvas.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)


def compromised_after_use(receipt):
    from .services import compromised_after_use

    return compromised_after_use(receipt)


def _key_compromised(receipt) -> bool:
    from .services import key_store

    return receipt.kid in key_store().revoked_kids()


def receipt_pdf(receipt, *, compress: bool = True, language: str | None = None) -> bytes:
    """The receipt as a PDF; ``compress=False`` leaves page text readable in the bytes.

    Vietnamese, and beside it the payer's language (``payer_language``; ``language`` is the
    asker's, the active language when not given).
    """
    from django.utils import translation

    second = payer_language(receipt, language or translation.get_language())
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A6, pageCompression=1 if compress else 0)
    canvas.setTitle(f"{words('title', second)} — {SUBTITLE} {receipt.number}")
    canvas.setAuthor(receipt.authority)
    # ASCII so that the number can be found in the file whatever the compression.
    canvas.setSubject(f"E-receipt {receipt.number}, trip {receipt.trip.reference}")
    canvas.setCreator("cuakhau")

    # Measured first: to keep the receipt on one page its text is set smaller, then its QR code
    # gives up some size; when even that is not enough (many items), the receipt takes more
    # pages, each headed with the title and number and numbered at its foot.
    pages, qr_size = 1, QR_SIZE
    for scale in SCALES:
        measure = _Page(None, receipt.number, second, unbounded=True, scale=scale)
        _layout(measure, receipt, second, 0)
        # A point to spare against rounding: the page must not break on its last line.
        room = PAGE_HEIGHT - 2 * MARGIN - measure.used - 1
        if room >= QR_SIZE:
            break
    # The smallest text still leaves the code too little room: a smaller code, or more pages.
    if room < QR_SIZE and room >= QR_MIN_SIZE:
        qr_size = room
    elif room < QR_SIZE:
        scale = 1
        count = _Page(None, receipt.number, second, pages=2)
        _layout(count, receipt, second, qr_size)
        pages = count.page
    page = _Page(canvas, receipt.number, second, pages=pages, scale=scale)
    _layout(page, receipt, second, qr_size)
    page.finish()
    canvas.save()
    return buffer.getvalue()


def _layout(page: _Page, receipt, second: str | None, qr_size: float) -> None:
    """Everything a receipt says, down ``page``."""
    from .services import gate_clock

    page.text(receipt.authority, 7, color=GREY, center=True)
    page.y -= 1 * mm
    page.text(words("title", second), 11, bold=True, center=True)
    page.text(words("subtitle", second, separator=" · "), 8, center=True)
    page.y -= 1 * mm
    page.text(receipt.number, 12, bold=True, center=True)
    replacement = getattr(receipt, "replaced_by", None)
    if replacement is not None:
        page.text(words("replaced", second), 9, bold=True, color=RED, center=True)
        page.text(
            words("replaced_by", second, number=replacement.number), 6.5, color=RED, center=True
        )
    elif receipt.status == "revoked":
        page.text(words("revoked", second), 9, bold=True, color=RED, center=True)
    elif _key_compromised(receipt) and compromised_after_use(receipt):
        # The crossing it paid for happened before the leak: a record, not a void paper.
        page.text(words("compromised_after_use", second), 7, bold=True, center=True)
        page.text(words("register_confirms", second), 6.5, center=True)
    elif _key_compromised(receipt):
        page.text(words("compromised", second), 8, bold=True, color=RED, center=True)
    if receipt.replaces_id:
        page.text(words("replaces", second, number=receipt.replaces.number), 6.5, center=True)

    page.y -= 1 * mm
    page.qr(receipt.token, qr_size)
    page.text(
        words("scan", second, separator=" · ", kid=short_kid(receipt.kid)),
        6,
        color=GREY,
        center=True,
    )
    page.rule()

    gate = receipt.gate
    plates = " / ".join(p for p in (receipt.tractor_plate, receipt.trailer_plate) if p)
    # On the gate's clock, as the year of its number and its page (never the server's), its
    # offset written as every page writes one.
    issued = gate_clock(receipt.issued_at, gate)
    gate_name = gate.name_vi
    second_name = {"en": gate.name_en, "zh-hans": getattr(gate, "name_zh", "")}.get(second, "")
    if second_name and second_name != gate_name:
        gate_name = f"{gate_name} · {second_name}"
    page.field(words("trip", second), receipt.trip.reference)
    page.field(words("gate", second), f"{gate_name} ({gate.code.upper()})")
    page.field(words("plates", second), plates)
    page.field(words("payer", second), receipt.payer_name)
    page.field(words("tax_code", second), receipt.payer_tax_code)
    page.field(
        words("issued", second), f"{issued:%d/%m/%Y %H:%M:%S} ({utc_offset(issued.tzinfo, issued)})"
    )
    page.rule()

    for item in receipt.items:
        # The code is the item's clause of the resolution: said so, not a stray letter.
        clause = f"Mục {item['code']}" if item.get("code") else ""
        label = f"{clause} · {item.get('label_vi', '')}".strip(" ·")
        translated = item.get(ITEM_LABEL_KEYS.get(second, ""), "") if second else ""
        if translated and translated != item.get("label_vi"):
            label = f"{label} / {translated}"
        page.amount_line(label, vnd(item.get("amount_vnd", 0)), 7.5)
    total = (words("total", second), vnd(receipt.amount_vnd), 9.5)
    from .services import jwks_url

    signed = f"{words('signed', second, kid=short_kid(receipt.kid))} · {jwks_url()}"
    # The total and the signature stay together: never a signature line alone on a page.
    page.need(
        2 * mm + page.amount_height(*total, bold=True) + 1.5 * mm + page.text_height(signed, 5.5)
    )
    page.rule(1 * mm)
    page.amount_line(*total, bold=True)
    page.y -= 1.5 * mm
    page.text(signed, 5.5, color=GREY)
