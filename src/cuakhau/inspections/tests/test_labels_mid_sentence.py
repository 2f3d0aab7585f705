"""An agency's label written inside a sentence reads as a common noun there ("Only a customs
officer…"), not as the heading it is elsewhere ("Only a Customs officer…"), in each language."""

import pytest
from django.utils import translation

from cuakhau.core.phrases import every_language
from cuakhau.core.wording import mid_sentence
from cuakhau.inspections.models import Agency

from .test_adversarial import api

pytestmark = pytest.mark.django_db


def test_another_agencys_refusal_names_the_agency_in_lower_case(officers, inside):
    response = api(officers["quarantine"]).post(
        f"/api/v1/trips/{inside.reference}/inspections",
        {"result": "pass", "agency": "customs"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert "Only a customs officer of this gate" in response.text


def test_a_label_mid_sentence_is_lower_cased_in_each_language_an_acronym_kept():
    assert every_language(mid_sentence(Agency.QUARANTINE.label)) == {
        "vi": "kiểm dịch",
        "en": "quarantine",
        "zh": "检疫",
    }
    with translation.override("en"):
        assert str(mid_sentence("SMS")) == "SMS"
        assert str(mid_sentence(lambda: "Fees paid")) == "fees paid"
