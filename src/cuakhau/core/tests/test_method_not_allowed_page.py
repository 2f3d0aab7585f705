"""A page's address that only takes a form's POST, opened as a link (after signing in again, a
session having expired mid-action), answers a page in the site's look and language saying nothing
was done, with a link to the page the action belongs to; the API's 405 stays JSON."""

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_post_only_address_opened_after_signing_in_again_says_nothing_was_done(enterprise):
    token, _raw = issue_token(enterprise, "tablet")
    action = f"/profile/tokens/{token.pk}/revoke/"
    expired = Client().post(action)
    assert expired.status_code == 302 and expired["Location"].startswith("/login/?next=")
    browser = Client()
    signed_in = browser.post(
        expired["Location"], {"username": enterprise.username, "password": PASSWORD}
    )
    assert signed_in["Location"] == action
    page = browser.get(action)
    assert page.status_code == 405 and page["Allow"] == "POST"
    html = page.content.decode()
    assert 'id="error-405"' in html and "Nothing was done" in html
    assert 'href="/profile/"' in html  # the page the action belongs to
    assert "<header" in html  # the site's layout
    browser.post("/language/", {"language": "vi"})
    assert "Chưa có gì được thực hiện" in browser.get(action).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_api_keeps_its_json_405(enterprise):
    browser = Client()
    browser.force_login(enterprise)
    response = browser.put("/api/v1/me")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/.well-known/jwks.json",
        "/.well-known/cuakhau-revocations.json",
        "/receipts/offline/",
        "/slots/wait-times/",
    ],
)
def test_a_public_page_that_only_reads_refuses_other_methods(path):
    client = Client()
    assert client.get(path).status_code == 200
    assert client.head(path).status_code == 200
    refused = client.post(path)
    assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD"
