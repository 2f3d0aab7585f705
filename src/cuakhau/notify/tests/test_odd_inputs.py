"""What callers give notify() as people type it: phone numbers in every shape a Vietnamese or
Chinese keyboard writes them, a parameter given as nothing, an address that is not one, a
language the platform does not speak."""

import pytest

from cuakhau.core.errors import FieldErrors
from cuakhau.notify.messages import normalise_language, render
from cuakhau.notify.models import Message
from cuakhau.notify.recipients import is_vietnamese_mobile, normalise_phone
from cuakhau.notify.services import notify

CALLED = {
    "plate": "25C-123.45",
    "reference": "MLT-4KX7P2Q",
    "gate": "Ma Lù Thàng",
    "deadline": "14:30",
}


@pytest.mark.parametrize(
    "typed",
    [
        "0912 345 678",
        "0912.345.678",
        "+84 912 345 678",
        "0084 912 345 678",
        "84912345678",
        "+84 (0) 912 345 678",  # the trunk 0 kept after the country code
        "+840912345678",
        "(+84) 912-345-678",
        "０９１２ ３４５ ６７８",  # full-width digits
        "＋８４　９１２　３４５　６７８",  # full-width plus and ideographic spaces
        "+84\u00a0912\u00a0345\u00a0678",
        " 0912345678\n",
    ],
)
def test_a_vietnamese_mobile_in_any_shape(typed):
    assert normalise_phone(typed) == "84912345678"
    assert is_vietnamese_mobile(normalise_phone(typed))


@pytest.mark.parametrize(
    "typed",
    [
        "+86 138 1234 5678",
        "0086 138 1234 5678",
        "(+86) 138-1234-5678",
        "＋８６ １３８ １２３４ ５６７８",
    ],
)
def test_a_chinese_mobile_keeps_its_country_and_is_not_vietnamese(typed):
    assert normalise_phone(typed) == "8613812345678"
    assert not is_vietnamese_mobile("8613812345678")


@pytest.mark.parametrize(
    "typed",
    [
        "12ab",
        "13812345678",  # a Chinese number without its country code: whose?
        "912345678",
        "+0123456789",  # no country code starts with 0
        "+84 912 345 678 999 999 999",
        "0912345678\x00",
        "٠٩١٢٣٤٥٦٧٨",
        "+",
        "00",
    ],
)
def test_not_a_phone_number(typed):
    with pytest.raises(ValueError):
        normalise_phone(typed)


@pytest.mark.django_db
@pytest.mark.parametrize("nothing", [None, "", "   "])
def test_a_parameter_given_as_nothing_is_missing(nothing):
    with pytest.raises(FieldErrors) as refused:
        notify(
            recipient="0912345678",
            language="vi",
            template="truck_called_forward",
            context={**CALLED, "plate": nothing},
            dedupe_key="slots:call:1",
        )
    assert refused.value.errors == {"context": ["Missing: plate."]}
    assert not Message.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["not-an-address", "a@b.c\nBcc: x@y.z", "@x.vn"])
def test_an_address_that_is_not_one_is_refused(address):
    # Alone: with a phone beside it, the phone gets the message (test_unusable_addresses).
    with pytest.raises(FieldErrors) as refused:
        notify(
            recipient={"email": address},
            language="vi",
            template="truck_called_forward",
            context=CALLED,
            dedupe_key="slots:call:2",
        )
    assert set(refused.value.errors) == {"recipient.email"}
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "asked, spoken",
    [("fr", "vi"), ("", "vi"), (None, "vi"), ("zh-Hant-TW", "zh-hans"), ("en_GB", "en")],
)
def test_a_language_not_spoken_is_the_platforms_default(asked, spoken):
    assert normalise_language(asked) == spoken
    rendered = render("truck_called_forward", asked, CALLED)
    assert "25C-123.45" in rendered.text
