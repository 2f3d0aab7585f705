"""The offline verifier page in real Chromium, with the network cut after it loaded."""

import base64
import json
import re

import pytest
from django.conf import settings

from cuakhau.conftest import cassava_line, declaration
from cuakhau.core.testing.layout import small_targets
from cuakhau.payments.services import simulate_bank_transfer
from cuakhau.receipts import services, signing
from cuakhau.trips import services as trips

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def paid_receipt(user, **declared):
    for _attempt in range(10):
        trip = trips.save_and_submit(user, None, declaration(**declared))
        # payments' reference parser misses references whose check character is "*" (1 in
        # 37), so such a transfer is flagged "unknown trip" and issues no receipt.
        if not trip.reference.endswith("*"):
            break
        trips.cancel_trip(user, trip)  # frees its containers for the next attempt
    simulate_bank_transfer(trip)
    receipt = services.valid_receipt_of(trip)
    assert receipt is not None
    return receipt


def tampered(token: str) -> str:
    """The token with one character of its payload changed, still a well-formed JWS.

    Most single-character changes break the JSON or the base64 canonical form (malformed);
    a forger changes one that still reads as a receipt, so the signature is what catches it.
    """
    header, payload, signature = token.split(".")
    jwks = services.key_store().jwks()
    for index in range(len(payload) // 2, len(payload) - 1):
        for char in "0123456789":
            if payload[index] == char:
                continue
            candidate = f"{header}.{payload[:index]}{char}{payload[index + 1 :]}.{signature}"
            if signing.verify(candidate, jwks).status == signing.FORGED:
                return candidate
    raise AssertionError("no single-character change keeps the payload readable")


def go_offline(page):
    page.context.set_offline(True)
    # Belt and braces: any request the page might still try fails, and is recorded.
    page.route("**/*", lambda route: route.abort())


def go_online(page):
    page.unroute("**/*")
    page.context.set_offline(False)


def reading(browser, live_server, language):
    """The browser of a visitor who chose ``language`` (the language cookie, as the switcher sets)."""
    browser.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    return browser.new_page()


def check(page, token: str, gate: str = "") -> tuple[str, str]:
    page.click("#clear")
    page.fill("#token", token)
    page.fill("#gate", gate)
    page.click("#verify")
    page.wait_for_selector("#result:not([hidden])")
    verdict = page.locator("#verdict")
    # The reader's gloss sits on its own line under the big Vietnamese word.
    text = " ".join(page.locator("#result").inner_text().split())
    return verdict.get_attribute("data-status"), text


def test_offline_page_verifies_in_the_browser_without_network(
    browser, live_server, enterprise, mlt
):
    receipt = paid_receipt(enterprise)
    token = receipt.token
    url = f"{live_server.url}/receipts/offline/"

    page = reading(browser, live_server, "en")
    assert page.goto(url).headers["content-language"] == "en"
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    assert requests == [url], "the page must load nothing but itself"
    info = page.inner_text("#bundle-info")
    assert "unknown offline" in info
    # When the data was made, in the gate's time in both languages: never UTC in ISO form.
    assert info.count("(UTC+07:00)") == 2 and not re.search(r"\d{4}-\d\d-\d\dT", info), info
    requests.clear()
    go_offline(page)

    status, text = check(page, token)
    assert status == "valid"
    assert "HỢP LỆ (valid)" in text
    assert receipt.number in text
    assert receipt.trip.reference in text
    # The fee item by its name, in Vietnamese and in English, never by its code.
    (item,) = receipt.items
    assert f"{item['label_vi']} ({item['label_en']}): 800.000 ₫" in text
    assert f"{item['code']}: 800.000" not in text
    assert "25C-123.45 / 25R-012.34" in text
    assert "recorded as used on this device" in text

    # A second presentation of the same receipt at this device is refused.
    status, text = check(page, token)
    assert status == "already_used"
    assert "ĐÃ SỬ DỤNG (already used)" in text
    assert "already scanned on this device at" in text
    assert page.inner_text("#used-count") == "1"
    page.click("#device-log summary")
    # The officer's corrections are tapped at the gate: a finger's target, as every button.
    assert small_targets(page, "#undo, #used-list button") == []
    page.click("#used-list button")  # the officer's correction: that truck was not let through
    assert page.inner_text("#used-count") == "0"

    status, text = check(page, token, gate="hng")
    assert status == "wrong_gate"
    assert "SAI CỬA KHẨU (for another gate)" in text

    forged = tampered(token)
    status, text = check(page, forged, gate="mlt")
    assert status == "forged"
    assert "GIẢ MẠO (forged)" in text
    assert receipt.trip.reference not in text  # unverified claims are not shown

    status, text = check(page, "not a receipt")
    assert status == "malformed"
    assert "(this is not a receipt code: a receipt code has exactly 3 parts" in text
    assert not [word for word in ("token", "dot-separated", "JWS") if word in text], text

    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    unknown = base64.urlsafe_b64encode(
        signing.canonical_json({"alg": "EdDSA", "kid": "not-a-published-key", "typ": signing.TYP})
    )
    status, text = check(page, f"{unknown.decode().rstrip('=')}.{payload}.{signature}")
    assert status == "unknown_key"
    assert claims["rcp"] == receipt.number

    # The page is narrow enough for a phone held upright.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert requests == [], "nothing may be fetched while verifying"

    services.revoke_receipt(receipt, enterprise, "cancelled", "trip cancelled by the enterprise")
    go_online(page)
    page.reload()
    go_offline(page)
    requests.clear()

    status, text = check(page, token, gate="mlt")
    assert status == "revoked"
    assert "ĐÃ THU HỒI (revoked)" in text
    assert f"receipt {receipt.number} has been revoked" in text
    assert requests == []


def test_offline_page_knows_the_receipts_used_at_exit_from_their_runs(
    browser, live_server, enterprise, mlt
):
    from django.utils import timezone

    # Without the banana line's container, which one active trip at a time may carry.
    first, second, third = (
        paid_receipt(enterprise, cargo_lines=[cassava_line()]) for _ in range(3)
    )
    # The first and the third truck left (two runs, a gap between): the second is inside.
    services.Receipt.objects.filter(pk__in=[first.pk, third.pk]).update(used_at=timezone.now())
    page = reading(browser, live_server, "en")
    page.goto(f"{live_server.url}/receipts/offline/")
    go_offline(page)

    for receipt in (first, third):
        status, text = check(page, receipt.token, gate="mlt")
        assert status == "already_used", text
        assert f"receipt {receipt.number} has already been used (server data)" in text
    status, text = check(page, second.token, gate="mlt")
    assert status == "valid", text


# Sentences of the English page's script and HTML; a Chinese reader sees none of them.
ENGLISH = [
    "offline e-receipt check",
    "scanned receipt code",
    "unknown offline",
    "recorded as used on this device",
    "already scanned on this device",
    "signature matches published key",
    "signature does not match key",
    "for another gate",
    "has been revoked",
    "used on this device",
    "Save this page",
    "(valid)",
    "(receipt)",
]


def test_offline_page_speaks_chinese_after_vietnamese(browser, live_server, enterprise, mlt):
    receipt = paid_receipt(enterprise)
    token = receipt.token
    url = f"{live_server.url}/receipts/offline/"

    page = reading(browser, live_server, "zh-hans")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    assert requests == [url], "the page must load nothing but itself"
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert "Kiểm tra biên lai điện tử（电子收据离线核验）" in page.inner_text("h1")
    assert "Kiểm tra（核验）" in page.inner_text("#verify")
    assert "离线时无从得知" in page.inner_text("#bundle-info")
    requests.clear()
    go_offline(page)

    status, text = check(page, token)
    assert status == "valid"
    assert "HỢP LỆ （有效）" in text
    assert "Số biên lai（收据编号）" in text and receipt.number in text
    assert "签名与已公布的密钥" in text and "在本设备上记录为已使用" in text
    (item,) = receipt.items
    assert f"{item['label_vi']}（{item['label_zh']}）: 800.000 ₫" in text
    seen = [text]

    status, text = check(page, token, gate="hng")
    assert status == "wrong_gate"
    assert "SAI CỬA KHẨU （非本口岸收据）" in text
    assert "签发给马鹿塘口岸，而非友谊口岸（越方）" in text and "在本设备上扫描过" in text
    seen.append(text)

    status, text = check(page, tampered(token), gate="mlt")
    assert status == "forged"
    assert "GIẢ MẠO （伪造）" in text and "内容已被篡改或伪造" in text
    seen.append(text)

    status, text = check(page, "not a receipt")
    assert status == "malformed"
    assert "该码有 1 段" in text
    seen.append(text)

    page.click("#device-log summary")
    seen.append(page.inner_text("body"))
    whole = " ".join(" ".join(seen).split())
    assert not [sentence for sentence in ENGLISH if sentence in whole]
    assert requests == []


def test_offline_page_speaks_vietnamese_alone(browser, live_server, enterprise, mlt):
    receipt = paid_receipt(enterprise)
    page = reading(browser, live_server, "vi")
    page.goto(f"{live_server.url}/receipts/offline/")
    go_offline(page)
    status, text = check(page, receipt.token)
    assert status == "valid"
    assert "HỢP LỆ" in text and "Số biên lai" in text and "Đã ghi nhận sử dụng" in text
    (item,) = receipt.items
    assert f"Khoản thu {item['label_vi']}: 800.000 ₫" in text
    whole = " ".join(f"{text} {page.inner_text('body')}".split())
    assert not [sentence for sentence in ENGLISH if sentence in whole]
    assert "（" not in whole


@pytest.mark.parametrize("language", ["vi", "en", "zh-hans"])
def test_offline_page_names_gates_never_by_their_code(
    browser, live_server, enterprise, mlt, hng, language
):
    """A person reads a gate's name in the page's language (Vietnamese, then the reader's);
    the code stays for what the officer types and for machines."""
    receipt = paid_receipt(enterprise)
    page = reading(browser, live_server, language)
    page.goto(f"{live_server.url}/receipts/offline/")
    go_offline(page)
    names = {"vi": "name_vi", "en": "name_en", "zh-hans": "name_zh"}[language]
    status, text = check(page, receipt.token, gate="hng")
    assert status == "wrong_gate"
    for gate in (mlt, hng):
        assert gate.name_vi in text and getattr(gate, names) in text
        # (Receipt numbers and trip references begin with the code: they are identifiers.)
        assert not re.search(rf"\b{gate.code}\b(?!-)", text, re.IGNORECASE), text
    # The claims list names the receipt's gate in the page's language.
    claims = page.inner_text("#claims")
    assert getattr(mlt, names) in claims
    assert not re.search(r"\bmlt\b(?!-)", claims, re.IGNORECASE), claims


def test_offline_page_refuses_what_a_gates_key_signed_for_another_gate(
    browser, live_server, enterprise, mlt, hng
):
    from jwcrypto import jwk, jws

    store = services.key_store()
    kid = store.generate("hng")
    # Whoever took Hữu Nghị's key signs a receipt of Ma Lù Thàng: only that key's gate is hers.
    key = jwk.JWK(**json.loads((store.directory / f"{kid}.json").read_text())["jwk"])
    claims = {"rcp": "MLT-2026-000001", "gte": "mlt", "trp": "MLT-XXXXXXX", "amt": 1}
    signed = jws.JWS(signing.canonical_json(claims))
    signed.add_signature(
        key,
        alg="EdDSA",
        protected=signing.canonical_json({"alg": "EdDSA", "kid": kid, "typ": signing.TYP}).decode(),
    )
    page = reading(browser, live_server, "en")
    page.goto(f"{live_server.url}/receipts/offline/")
    status, text = check(page, signed.serialize(compact=True), gate="mlt")
    assert status == "forged"
    assert "of Huu Nghi, not of Ma Lu Thang: it is forged" in text
    assert "MLT-XXXXXXX" not in text
