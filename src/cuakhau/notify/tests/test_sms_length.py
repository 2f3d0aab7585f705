"""An SMS is cut to at most three segments (counted in GSM-7 or UCS-2, as it is sent), with an
ellipsis and any link kept whole; e-mail keeps the full text."""

import pytest
from django.core import mail

from cuakhau.notify import sms
from cuakhau.notify.services import notify
from cuakhau.notify.testing import run_tasks

from .test_delivery import ESMS_OK

# A revoked receipt's reason may be 2,000 characters (the form's limit).
REASON = {
    "en": "The payment was charged back by the issuing bank after a dispute. " * 30,
    "vi": "Ngân hàng phát hành đã hoàn trả khoản thanh toán sau khi có khiếu nại. " * 28,
    "zh-hans": "发卡银行在争议后撤回了该笔付款，收据因此作废。" * 86,
}


def revoked(language, **recipient):
    return notify(
        recipient=recipient or {"phone": "0912345678"},
        language=language,
        template="receipt_revoked",
        context={
            "number": "BL-2026-00917",
            "reference": "MLT-4KX7P2Q",
            "kind": "chargeback",
            "reason": REASON[language][:2000],
        },
        dedupe_key=f"receipts.revoked:917:{language}",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, unicode, room, ellipsis",
    [("en", "0", 3 * 153, "..."), ("vi", "1", 3 * 67, "…"), ("zh-hans", "1", 3 * 67, "…")],
)
def test_a_long_revocation_is_cut_to_three_segments(providers, language, unicode, room, ellipsis):
    providers.answers = [ESMS_OK]
    revoked(language)
    run_tasks()
    (request,) = providers.requests
    content = request["json"]["Content"]
    assert request["json"]["IsUnicode"] == unicode
    assert sms.segments(content) == 3 and sms.length(content) <= room
    assert content.endswith(ellipsis) and "BL-2026-00917" in content


@pytest.mark.django_db
def test_the_email_keeps_the_whole_reason():
    revoked("vi", email="ketoan@phongtho.vn")
    run_tasks()
    (sent,) = mail.outbox
    assert REASON["vi"][:2000].strip() in sent.body


def test_a_short_text_is_sent_as_it_is():
    text = "Xe 25C-123.45 được gọi vào cửa khẩu Ma Lù Thàng."
    assert sms.fit(text) == text and sms.segments(text) == 1
    assert sms.segments("a" * 160) == 1 and sms.segments("a" * 161) == 2
    assert sms.segments("ă" * 70) == 1 and sms.segments("ă" * 71) == 2


def test_gsm_extension_characters_take_two_places():
    text = "{" * 300
    assert sms.length(text) == 600 and sms.encoding(text) == "gsm7"
    cut = sms.fit(text)
    assert cut == "{" * 228 + "..." and sms.segments(cut) == 3


def test_gsm_accented_letters_still_go_as_unicode():
    # "à" and "é" are in the GSM alphabet, but a gateway's no-diacritics mode may drop them.
    assert sms.encoding("Café à la carte") == "ucs2"
    assert sms.encoding("Cafe a la carte") == "gsm7"


def test_a_character_outside_the_gsm_alphabet_makes_the_whole_text_ucs2():
    text = "Receipt revoked: " + "x" * 200 + " — see the gate"
    assert sms.encoding(text) == "ucs2" and sms.segments(text) == 4
    assert sms.length(sms.fit(text)) <= 201


@pytest.mark.parametrize("words", ["Biên lai bị thu hồi vì lý do dài. ", "Receipt revoked. "])
def test_a_link_to_the_full_page_is_kept_whole(words):
    link = "https://cuakhau.example/receipts/BL-2026-00917/?lang=vi"
    text = words * 40 + f"Xem: {link} để biết thêm."
    cut = sms.fit(text)
    assert cut.endswith(" " + link) and sms.segments(cut) <= 3
    assert ("…" if sms.encoding(text) == "ucs2" else "...") + " " + link in cut


def test_a_combining_mark_is_not_cut_from_its_letter():
    import unicodedata

    text = unicodedata.normalize("NFD", "Thông báo thu hồi biên lai. " * 20)
    cut = sms.fit(text)
    body = cut.removesuffix("…")
    assert not unicodedata.combining(text[len(body)]) if len(body) < len(text) else True
