"""A gate's UN/LOCODE on each side is one of that side's country: the admin stored any text."""

import pytest
from django.core.exceptions import ValidationError

from cuakhau.reference.models import Gate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "code"),
    [("unlocode_vn", "CNHKM"), ("unlocode_vn", "VNLC"), ("unlocode_vn", "vnlca"),
     ("unlocode_vn", "ＶＮＬＣＡ"), ("unlocode_vn", "Lào Cai"), ("unlocode_cn", "CNHK1"),
     ("unlocode_cn", "CNHKM (Hekou) (again)"), ("unlocode_cn", "VNLCA")],
)  # fmt: skip
def test_a_code_not_of_its_sides_country_is_refused_at_its_field(mlt, field, code):
    setattr(mlt, field, code)
    with pytest.raises(ValidationError) as refused:
        mlt.full_clean()
    assert list(refused.value.message_dict) == [field]


def test_the_gate_lists_codes_and_notes_are_kept(mlt):
    mlt.unlocode_vn, mlt.unlocode_cn = "VNLCA", "CNHKM (Hekouzhan/Hekou)"
    mlt.full_clean()
    for gate in Gate.objects.all():
        gate.full_clean()


def test_the_admin_says_the_form_beside_the_field(admin_client, mlt):
    from django.forms.models import model_to_dict

    post = {k: v for k, v in model_to_dict(mlt).items() if v is not None}
    post["unlocode_vn"] = "Lào Cai"
    page = admin_client.post(f"/admin/reference/gate/{mlt.pk}/change/", post)
    assert page.status_code == 200 and "VNLCA" in page.content.decode()
    mlt.refresh_from_db()
    assert mlt.unlocode_vn != "Lào Cai"
