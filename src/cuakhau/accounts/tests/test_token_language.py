"""A person called through the API with their token is answered in the language they chose,
as on every page: a Chinese driver's app gets its refusals in Chinese whatever it sends as
``Accept-Language``."""

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token, set_language

pytestmark = pytest.mark.django_db


def unknown_trip(raw, sent):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=sent)
    answer = client.get("/api/v1/trips/MLT-AAAAAAA")
    assert answer.status_code in (404, 422), answer.content
    return answer["Content-Language"], str(answer.json()["detail"])


def test_a_token_s_owner_is_answered_in_the_chosen_language(enterprise):
    _token, raw = issue_token(enterprise, "ứng dụng lái xe")
    # No choice yet: the app's own language, as a visitor's browser.
    assert unknown_trip(raw, "en")[0] == "en"
    said = {}
    for chosen, sent in (("zh-hans", "vi"), ("en", "zh-CN,zh;q=0.9"), ("vi", "en")):
        set_language(enterprise, chosen)
        language, said[chosen] = unknown_trip(raw, sent)
        assert language == chosen
    # The message itself, not only the header.
    assert len(set(said.values())) == 3
