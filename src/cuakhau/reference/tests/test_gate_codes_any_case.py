"""A gate's code is taken in either case wherever one is sent: in a path, a list's filter,
a form, the API's query. Pages write codes in capitals ("HNG"); a filter answered 400 for it
where the path beside it took it."""

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.reference.fields import GateField
from cuakhau.reference.models import Gate

pytestmark = pytest.mark.django_db


def test_the_field_takes_a_code_in_either_case(mlt):
    field = GateField(queryset=Gate.objects.all(), required=False)
    assert field.clean("MLT") == mlt == field.clean(" mlt ") == field.clean("Mlt")


@pytest.mark.parametrize(
    "path",
    [
        "/trips/?gate={code}",
        "/market/?gate={code}",
        "/slots/{code}/waiting/",
        "/gate/{code}/board/",
    ],
)
def test_pages_take_a_gate_code_in_capitals(operator, mlt, path):
    client = Client()
    client.force_login(operator)
    lower = client.get(path.format(code="mlt"))
    upper = client.get(path.format(code="MLT"))
    assert lower.status_code == 200
    assert upper.status_code == lower.status_code


@pytest.mark.parametrize("path", ["/api/v1/trips?gate={code}", "/api/v1/market/rules?gate={code}"])
def test_the_api_takes_a_gate_code_in_capitals(operator, mlt, path):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(operator, 'codes')[1]}")
    assert client.get(path.format(code="MLT")).status_code == 200
    assert client.get(path.format(code="mlt")).status_code == 200
