"""A role's and a person's permissions, in the administration, by their names in the reader's
language: Django stores each name in English when it creates the permission ("Can add trip",
"Can check trucks in and out at its gates"), and the lists showed those on Vietnamese and
Chinese pages."""

import re

import pytest
from django.contrib.auth.models import Group, Permission

from cuakhau.accounts import roles
from cuakhau.accounts.permissions import permission_name
from cuakhau.conftest import person
from cuakhau.core.testing.languages import reader_in

pytestmark = pytest.mark.django_db


def _options(html: str) -> list[str]:
    return re.findall(r"<option [^>]*>([^<]*)</option>", html)


@pytest.mark.parametrize(
    ("language", "operate", "add_trip"),
    [
        ("vi", "Được làm thủ tục xe vào, ra tại cửa khẩu của mình", "Được thêm chuyến xe"),
        ("zh-hans", "可以在所属口岸办理车辆入场和出境", "可以添加车次"),
    ],
)
def test_permissions_are_chosen_by_their_names_in_the_readers_language(language, operate, add_trip):
    admin = reader_in(person("quantri", roles.ADMINISTRATOR), language)
    role = Group.objects.get(name=roles.GATE_OPERATOR)
    for path in (
        f"/admin/auth/group/{role.pk}/change/",
        "/admin/auth/group/add/",
        f"/admin/auth/user/{person('vanhanh_mlt', roles.GATE_OPERATOR).pk}/change/",
    ):
        page = admin.get(path)
        assert page.status_code == 200, path
        options = _options(page.content.decode())
        english = [o for o in options if o.split(" | ")[-1].startswith("Can ")]
        assert not english, (path, english[:5])
        names = {o.split(" | ")[-1] for o in options}
        assert operate in names and add_trip in names, path


def test_a_permission_of_a_model_no_longer_there_keeps_its_stored_name():
    from django.contrib.contenttypes.models import ContentType

    gone = ContentType.objects.create(app_label="trips", model="oldthing")
    permission = Permission.objects.create(
        content_type=gone, codename="add_oldthing", name="Can add old thing"
    )
    assert permission_name(permission) == "Can add old thing"
