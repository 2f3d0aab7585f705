"""What an enterprise typed into its declaration (a driver's name, a cargo description, its
organisation's name, a document's file name) reaches the officers' pages as text, never as
markup: the gate console, the yard board, the inspections, the receipt."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.models import Organisation
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD, cassava_line
from cuakhau.gate import services as gate
from cuakhau.gate.models import Lane
from cuakhau.gate.tests.conftest import paid
from cuakhau.receipts.services import valid_receipt_of
from cuakhau.trips import services

pytestmark = pytest.mark.django_db

MARKUP = '"><script>alert(1)</script><svg onload=alert(2)>'


def _login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _has_no_markup(html: str) -> None:
    assert "<script>alert(1)" not in html
    assert "<svg onload" not in html
    assert '"><script' not in html


def test_typed_text_is_escaped_on_every_page_that_shows_it(mlt):
    org = Organisation.objects.create(name=f"Công ty {MARKUP}", country="VN", tax_code="0100109106")
    enterprise = create_user("dn", PASSWORD, roles.ENTERPRISE, organisation=org)
    operator = create_user("vh", PASSWORD, roles.GATE_OPERATOR, gates=[mlt])
    customs = create_user("hq", PASSWORD, roles.CUSTOMS, gates=[mlt])
    board = create_user("bql", PASSWORD, roles.BOARD)
    Lane.objects.create(gate=mlt, code="L1")
    trip = paid(
        enterprise,
        driver_name=f"Lò Văn Páo {MARKUP}",
        cargo_lines=[cassava_line(description=f"Sắn lát khô {MARKUP}")],
    )
    trip.refresh_from_db()
    # Kept as typed (the point is the page, not refusing the text).
    assert MARKUP in trip.driver_name
    services.attach_document(
        enterprise,
        trip,
        "invoice",
        SimpleUploadedFile(f"{MARKUP}.pdf", b"%PDF-1.7\n%%EOF", "application/pdf"),
    )
    receipt = valid_receipt_of(trip)
    ent = _login(enterprise)
    pages = {
        "trip": ent.get(f"/trips/{trip.reference}/"),
        "trips": ent.get("/trips/"),
        "receipt": ent.get(f"/receipts/{receipt.number}/"),
        "slot": ent.get(f"/slots/trips/{trip.reference}/"),
    }
    op = _login(operator)
    pages["scan"] = op.post("/gate/mlt/console/scan/", {"scan": trip.reference})
    gate.check_in(operator, mlt, trip.reference, lane="L1")
    pages["inspections"] = _login(customs).get("/inspections/")
    pages["inspection"] = _login(customs).get(f"/inspections/{trip.reference}/")
    pages["board"] = _login(board).get("/gate/mlt/board/")
    pages["trips_officer"] = _login(customs).get("/trips/")
    for name, response in pages.items():
        assert response.status_code == 200, name
        _has_no_markup(response.content.decode())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["trip"].content.decode()
