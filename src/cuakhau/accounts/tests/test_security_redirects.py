"""Where signing in, signing out, switching language and an expired htmx poll send the browser:
a path of this site only, whatever the request names."""

import pytest
from django.test import Client

from cuakhau.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ELSEWHERE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "///evil.example/",
    "/\t/evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "http://testserver@evil.example/",
]


def _stays_here(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\"))


@pytest.mark.parametrize("next_url", ELSEWHERE)
def test_signing_in_never_leaves_the_site(enterprise, next_url):
    response = Client().post(
        "/login/", {"username": enterprise.username, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert _stays_here(response["Location"]), response["Location"]


def test_signing_in_follows_a_path_of_the_site(enterprise):
    response = Client().post(
        "/login/", {"username": enterprise.username, "password": PASSWORD, "next": "/trips/"}
    )
    assert response["Location"] == "/trips/"


@pytest.mark.parametrize("next_url", ELSEWHERE)
def test_signing_out_never_leaves_the_site(enterprise, next_url):
    client = Client()
    client.force_login(enterprise)
    response = client.post("/logout/", {"next": next_url})
    assert response.status_code == 302 and _stays_here(response["Location"])


def test_signing_out_is_a_post_with_its_token(enterprise):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enterprise)
    # A link or an image on another site cannot sign anyone out…
    assert client.get("/logout/").status_code == 405
    # …nor a form posted from there (no token).
    assert client.post("/logout/").status_code == 403
    assert client.get("/profile/").status_code == 200


@pytest.mark.parametrize("next_url", ELSEWHERE)
def test_switching_language_never_leaves_the_site(next_url):
    response = Client().post("/language/", {"language": "en", "next": next_url})
    assert response.status_code == 302 and _stays_here(response["Location"])


def test_an_expired_poll_goes_to_the_login_page_of_this_site(mlt):
    """htmx names the page it polls from (HX-Current-URL): one of another site is not where
    the login page sends the person back."""
    response = Client().get(
        "/gate/mlt/board/fragment/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="https://evil.example/steal",
    )
    assert response.status_code == 204
    target = response["HX-Redirect"]
    assert target.startswith("/login/?next=") and "evil.example" not in target
