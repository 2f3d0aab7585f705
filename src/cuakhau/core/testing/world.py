"""Organisation A's trips in each state at Ma Lù Thàng, and one person of every role.

The access-policy matrix (``core/tests/test_policy.py``) and the three-language render test
(``core/tests/test_languages.py``) walk the same world, so what one proves the other sees.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from cuakhau.accounts import roles
from cuakhau.accounts.models import Organisation
from cuakhau.accounts.services import create_user, issue_token
from cuakhau.conftest import PASSWORD, banana_line, cassava_line, declaration
from cuakhau.gate import services as gate
from cuakhau.gate.models import Lane
from cuakhau.gate.tests.conftest import clear, paid
from cuakhau.inspections import services as inspections
from cuakhau.payments import services as payments
from cuakhau.receipts.services import valid_receipt_of
from cuakhau.trips import services as trips

# Every kind of person caller: role, organisation ("a" or "b"), the gate they work at.
PEOPLE = {
    "ent_a": (roles.ENTERPRISE, "a", None),
    "ent_b": (roles.ENTERPRISE, "b", None),
    "driver_a": (roles.DRIVER, "a", None),
    "op_here": (roles.GATE_OPERATOR, None, "mlt"),
    "op_other": (roles.GATE_OPERATOR, None, "hng"),
    "customs": (roles.CUSTOMS, None, "mlt"),
    "customs_mgr": (roles.CUSTOMS_MANAGER, None, "mlt"),
    "guard": (roles.BORDER_GUARD, None, "mlt"),
    "quarantine": (roles.QUARANTINE, None, "mlt"),
    "desk": (roles.DESK, None, "mlt"),
    "board": (roles.BOARD, None, None),
    "auditor": (roles.AUDITOR, None, None),
    "admin": (roles.ADMINISTRATOR, None, None),
}
DEVICES = {
    "camera": ("mlt", "plate_camera", "L1"),
    "weighbridge": ("mlt", "weighbridge", None),
    "tablet": ("mlt", "tablet", None),
    "camera_other": ("hng", "plate_camera", None),
}


DRIVER_PHONE = "0912 345 678"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class World(dict):
    """Organisation A's trips in each state at Ma Lù Thàng, and a credential per caller."""


def build_world(mlt, hng) -> World:
    w = World()
    w["org_a"] = Organisation.objects.create(
        name="Công ty TNHH Nông sản Phong Thổ", country="VN", tax_code="0100109106"
    )
    w["org_b"] = Organisation.objects.create(
        name="金平县金水河边贸有限公司", country="CN", tax_code="91110000600037341L"
    )
    gates = {"mlt": mlt, "hng": hng}
    users = {}
    for name, (role, org, gate_code) in PEOPLE.items():
        users[name] = create_user(
            name,
            PASSWORD,
            role,
            organisation=w["org_" + org] if org else None,
            gates=[gates[gate_code]] if gate_code else (),
            # A's driver drives A's trips: they are declared with this phone (``declaration``).
            phone=DRIVER_PHONE if role == roles.DRIVER else "",
        )
    w["users"] = users
    for code in ("L1", "L2"):
        Lane.objects.create(gate=mlt, code=code)
    Lane.objects.create(gate=hng, code="L1")
    w["devices"] = {
        name: gate.register_device(None, gates[g], kind, name, lane=lane)
        for name, (g, kind, lane) in DEVICES.items()
    }
    ent = users["ent_a"]
    w["draft"] = trips.create_draft(ent, declaration(cargo_lines=[]))
    # A draft's document: the one its enterprise may still remove.
    w["draft_document"] = trips.attach_document(
        ent,
        w["draft"],
        "invoice",
        SimpleUploadedFile("hoa-don-nham.pdf", PDF, content_type="application/pdf"),
    )
    w["submitted"] = trips.save_and_submit(
        ent, None, declaration(tractor_plate="25C-222.22", cargo_lines=[cassava_line()])
    )
    w["paid"] = paid(ent, tractor_plate="25C-333.33", cargo_lines=[cassava_line()])
    w["inside"] = paid(ent, tractor_plate="25C-444.44")
    gate.check_in(users["op_here"], mlt, w["inside"].reference, lane="L1")
    w["cleared"] = paid(
        ent,
        tractor_plate="25C-555.55",
        cargo_lines=[banana_line(container_numbers=["MSKU9070323"])],
    )
    gate.check_in(users["op_here"], mlt, w["cleared"].reference, lane="L2")
    clear(
        w["cleared"],
        {
            "customs": users["customs"],
            "border_guard": users["guard"],
            "quarantine": users["quarantine"],
        },
    )
    w["sample"] = inspections.take_sample(
        users["quarantine"],
        w["inside"],
        "MLT-S-0001",
        "Chuối, 3 nải lấy mẫu",
        "Chi cục KDTV vùng 8",
    )
    for key in ("draft", "submitted", "paid", "inside", "cleared"):
        w[key].refresh_from_db()
    w["receipt"] = valid_receipt_of(w["paid"])
    w["token_a"], _raw = issue_token(ent, "điện thoại")
    revoked, w["revoked_raw"] = issue_token(ent, "điện thoại cũ")
    revoked.revoke()
    return w


def add_page_records(w: World) -> None:
    """What the pages of one record need beside the trips: a document, a notification."""
    from cuakhau.notify.services import notify

    w["document"] = trips.attach_document(
        w["users"]["ent_a"],
        w["paid"],
        "invoice",
        SimpleUploadedFile("hoa-don.pdf", PDF, content_type="application/pdf"),
    )
    # The bank's second transfer for a paid trip: a refund due, a discrepancy to resolve.
    _log, w["paid_twice"] = payments.simulate_bank_transfer(w["paid"])
    w["message"] = notify(
        recipient={"phone": "0912345678"},
        language="vi",
        template="test_message",
        context={"at": "10:00"},
        dedupe_key="policy-matrix",
    )
