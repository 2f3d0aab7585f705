"""Adversarial callers of the desk: a tracking look-up's address is the caller's to write
(X-Forwarded-For), an e-mail field that is not one address, files posted with an action that
takes none."""

import pytest
from django.test import Client

from cuakhau.core.context import RequestContext
from cuakhau.core.errors import FieldErrors
from cuakhau.desk import codes, services
from cuakhau.desk.models import Application, ApplicationStatus, TrackingAttempt

from .conftest import applicant_data, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(catalogue):
    return services.file_application(applicant_data(catalogue), [pdf()])


def test_wrong_phones_for_one_code_are_throttled_from_any_address(filed, settings):
    settings.DESK_TRACKING_LIMIT = 3
    for i in range(3):
        here = RequestContext(channel="web", remote_addr=f"203.0.113.{i}")
        assert services.track(filed.code, f"09000000{i:02d}", here) is None
    elsewhere = RequestContext(channel="web", remote_addr="198.51.100.9")
    with pytest.raises(services.TooManyAttempts):
        services.track(filed.code, "0900000099", elsewhere)
    # Another code from that address is not held back by this one's guesses.
    assert services.track(codes.new_code(), "0912345678", elsewhere) is None


def test_a_forged_forwarded_address_is_not_what_a_look_up_is_counted_against(filed, client):
    response = client.post(
        "/desk/track/",
        {"code": filed.code, "phone": "0912345678"},
        HTTP_X_FORWARDED_FOR="not-an-address" + "x" * 300,
        REMOTE_ADDR="203.113.131.7",
    )
    assert response.status_code == 302
    assert TrackingAttempt.objects.get().remote_addr == "203.113.131.7"


@pytest.mark.parametrize(
    "email", ["a@b.vn, victim@example.vn", "<x>@y.vn", "a@", "@b.vn", "a@b@c.vn"]
)
def test_an_email_that_is_not_one_address_is_refused_by_the_service(catalogue, email):
    with pytest.raises(FieldErrors) as refused:
        services.file_application(applicant_data(catalogue, email=email), [pdf()])
    assert set(refused.value.errors) == {"email"}


def test_the_api_refuses_an_email_that_is_not_one_address(catalogue):
    data = applicant_data(catalogue, email="mai@example.vn, victim@example.vn")
    response = Client().post("/api/v1/desk/applications", {**data, "documents": [pdf()]})
    assert response.status_code == 422
    assert not Application.objects.exists()


@pytest.mark.parametrize("action", ["transfer", "reject", "withdraw", "apologise"])
def test_files_posted_with_an_action_that_takes_none_are_refused(filed, desk_officer, action):
    client = Client()
    client.force_login(desk_officer)
    response = client.post(
        f"/desk/applications/{filed.code}/{action}/",
        {"reason": "Lý do", "new_date": "2099-01-01", "documents": [pdf("them.pdf")]},
    )
    assert response.status_code == 422
    filed.refresh_from_db()
    assert filed.status == ApplicationStatus.RECEIVED
    assert filed.documents.count() == 1
