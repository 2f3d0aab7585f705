"""The administration says it is the border gate's, in the reader's language: it said
"Django administration" ("Django 管理") on every page."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "language, header, index",
    [
        ("en", "Border gate · administration", "Records of the border gate"),
        ("vi", "Cửa khẩu · quản trị", "Dữ liệu của cửa khẩu"),
        ("zh-hans", "口岸 · 管理", "口岸数据"),
    ],
)
def test_the_admin_says_the_products_name_in_the_readers_language(
    admin_client, language, header, index
):
    admin_client.cookies["django_language"] = language
    for path in ("/admin/", "/admin/desk/application/", "/admin/slots/slotcapacity/"):
        html = admin_client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "Django" not in html.split("<body")[1].split('id="content"')[0], path
        assert header in html, path
        assert "<title>" in html and header in html.split("</title>")[0], path
    assert index in admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
