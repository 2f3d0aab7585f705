"""The commitment's page: a step whose note the form refuses is not taken without it."""

import pytest
from django.test import Client

from cuakhau.cooperation.models import Commitment, CommitmentTransition
from cuakhau.cooperation.tests.test_services import promised  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def test_a_refused_note_stops_the_step_instead_of_being_dropped(promised, board):  # noqa: F811
    client = Client()
    client.force_login(board)
    bridge = promised["bridge"]
    for note in ("x" * 2001, "Lễ khởi công\x1b[31m"):
        response = client.post(f"/cooperation/commitments/{bridge.pk}/start/", {"note": note})
        # The page again, why beside the note (422), nothing changed.
        assert response.status_code == 422
        assert 'id="note-start_error"' in response.text and 'data-field="note"' in response.text
        assert Commitment.objects.get(pk=bridge.pk).status == "open"
    typed = client.post(f"/cooperation/commitments/{bridge.pk}/fulfil/", {"note": "Xong\x1b"})
    assert typed.status_code == 422  # the step's own form keeps its note as typed
    assert "Xong\ufffd</textarea>" in typed.text
    assert not CommitmentTransition.objects.filter(commitment=bridge).exists()
    client.post(f"/cooperation/commitments/{bridge.pk}/start/", {"note": "Đã giao Sở Xây dựng"})
    step = CommitmentTransition.objects.get(commitment=bridge)
    assert (step.target, step.note) == ("in_progress", "Đã giao Sở Xây dựng")


def test_the_lists_under_the_totals_hold_the_rows_they_count(board):
    import datetime as dt
    from decimal import Decimal

    from cuakhau.cooperation.models import AidProject, Delegation

    for day in [dt.date(2019, 12, 1)] + [
        dt.date(2021, 1, 1) + dt.timedelta(days=n) for n in range(205)
    ]:
        Delegation.objects.create(
            received_on=day, from_name="Đoàn", country="CN", visitors=2, purpose="Hội đàm"
        )
    for vnd, ends in (("20400000000", None), ("5000000000", dt.date(2019, 6, 30))):
        AidProject.objects.create(
            title="Dự án", donor="KOICA", donor_country="KR", sector="health", amount=Decimal(1),
            currency="USD", amount_vnd=Decimal(vnd), starts_on=dt.date(2018, 1, 1), ends_on=ends,
        )  # fmt: skip
    client = Client()
    client.force_login(board)
    page = client.get("/cooperation/delegations-and-aid/")
    totals = page.context["totals"]
    delegations, aid = list(page.context["delegations"]), list(page.context["aid"])
    assert totals.delegations == len(delegations) == 205
    assert totals.visitors == sum(d.visitors for d in delegations)
    assert totals.aid_projects == len(aid) == 1
    assert totals.aid_vnd == sum(a.amount_vnd for a in aid)


def test_a_meetings_minutes_and_a_delegations_origin_read_as_meant(promised, board):  # noqa: F811
    """ "Minutes" (a meeting's record) and "From" (where a delegation came from) were shown as
    a duration and a start date: other catalogues translate the same English words so."""
    import datetime as dt

    from django.utils import translation

    from cuakhau.accounts.services import set_language
    from cuakhau.cooperation.models import Counterpart, Delegation

    Delegation.objects.create(
        received_on=dt.date(2024, 5, 2), from_name="Sở Ngoại vụ Vân Nam", country="CN", visitors=6
    )
    meeting = promised["bridge"].meeting
    client = Client()
    client.force_login(board)
    for language, minutes, origin in (
        ("vi", "Biên bản", "Đến từ"),
        ("zh-hans", "会谈纪要", "来自"),
    ):
        set_language(board, language)
        assert minutes in client.get(f"/cooperation/meetings/{meeting.pk}/").text
        assert f"<th>{origin}</th>" in client.get("/cooperation/delegations-and-aid/").text
    yunnan = Counterpart.objects.create(
        name_vi="Sở Thương mại tỉnh Vân Nam",
        name_en="Yunnan Department of Commerce",
        name_zh="云南省商务厅",
        country="CN",
    )
    with translation.override("en"):
        assert str(yunnan) == "Yunnan Department of Commerce"
    with translation.override("zh-hans"):
        assert str(yunnan) == "云南省商务厅"
    with translation.override("vi"):
        assert str(yunnan) == "Sở Thương mại tỉnh Vân Nam"


def test_a_step_the_page_no_longer_offers_is_refused_in_words(promised, board):  # noqa: F811
    """Fulfilled by another person meanwhile, then dropped from the page opened before: a
    422 with no word anywhere."""
    client = Client()
    client.force_login(board)
    bridge = promised["bridge"]
    assert (
        client.post(f"/cooperation/commitments/{bridge.pk}/fulfil/", {"note": "Xong"}).status_code
        == 302
    )
    stale = client.post(f"/cooperation/commitments/{bridge.pk}/drop/", {"note": "Hủy"})
    assert stale.status_code == 422 and 'id="refused-step"' in stale.text
    assert Commitment.objects.get(pk=bridge.pk).status == "fulfilled"
