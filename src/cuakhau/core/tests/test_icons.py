"""The favicon and the web-app manifest: linked from every page, served by WhiteNoise as
production serves them (collected, hashed, compressed), and pointing at icons that exist."""

import json
import re
import struct
from urllib.parse import urljoin

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

LINK = re.compile(r"<link\s+([^>]*)>")
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


def _links(html: str) -> list[dict[str, str]]:
    return [dict(ATTRIBUTE.findall(m.group(1))) for m in LINK.finditer(html)]


def _page(client: Client, language: str) -> str:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/login/")
    assert response.status_code == 200
    return response.content.decode()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def collected(settings, tmp_path):
    """Static files collected as `cuakhau serve` collects them, and WhiteNoise serving them."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


@pytest.mark.django_db
def test_every_page_links_the_icons_and_the_manifest_of_its_language():
    client = Client()
    for language in ("vi", "en", "zh-hans"):
        links = _links(_page(client, language))
        rels = {(link.get("rel"), link.get("type")): link["href"] for link in links}
        assert rels[("icon", "image/svg+xml")].endswith("/icons/gate.svg")
        assert rels[("icon", "image/png")].endswith("/icons/icon-32.png")
        manifests = [link["href"] for link in links if link.get("rel") == "manifest"]
        assert manifests == [f"/static/cuakhau/manifest.{language}.webmanifest"]
    assert '<meta name="theme-color" content="#0b5d3b">' in _page(client, "vi")


@pytest.mark.django_db
def test_the_icons_and_the_manifest_are_served(collected):
    client = Client()  # a new handler: WhiteNoise indexes the collected files
    for language, name in (("vi", "Cửa khẩu số"), ("en", "cuakhau · Digital border gate")):
        links = _links(_page(client, language))
        hrefs = {link["rel"] + (link.get("type") or ""): link["href"] for link in links}
        # Hashed names, as the manifest storage writes them: browsers may keep them for ever.
        assert re.search(r"/gate\.[0-9a-f]{12}\.svg$", hrefs["iconimage/svg+xml"])

        svg = client.get(hrefs["iconimage/svg+xml"])
        assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
        assert b"viewBox" in b"".join(svg.streaming_content)
        png = client.get(hrefs["iconimage/png"])
        assert png.status_code == 200 and png["Content-Type"] == "image/png"
        assert _png_size(b"".join(png.streaming_content)) == (32, 32)

        response = client.get(hrefs["manifest"])
        assert response.status_code == 200
        assert response["Content-Type"] == "application/manifest+json"
        manifest = json.loads(b"".join(response.streaming_content))
        assert manifest["name"] == name and manifest["short_name"]
        assert manifest["lang"] == language
        assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
        assert manifest["theme_color"] == "#0b5d3b"
        sizes = set()
        for icon in manifest["icons"]:
            # Icon paths are relative to the manifest's own address.
            served = client.get(urljoin(hrefs["manifest"], icon["src"]))
            assert served.status_code == 200, icon["src"]
            assert served["Content-Type"] == icon["type"]
            if icon["type"] == "image/png":
                width, height = _png_size(b"".join(served.streaming_content))
                assert icon["sizes"] == f"{width}x{height}"
                sizes.add(width)
        assert sizes >= {192, 512}
