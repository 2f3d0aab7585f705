"""Every page and API operation keeps to its pinned number of SQL queries (issue 13).

As NetBox pins the query count of each view, ``query_budgets.BUDGETS`` pins, for every page of
``cuakhau.policy.VIEWS`` and every operation of ``cuakhau.policy.API``, the most queries one
request may make: a change that adds a query fails here, so an N+1 shows up as a failing test
rather than a slow gate. Each route is requested once, as one caller it allows, over the policy
matrix's world (a trip in every state, a person of every role, the desk's files, the
registers), inside a transaction rolled back afterwards, so a write leaves nothing behind.

The second test proves the lists do not grow with their length: every list page and list
operation is requested, more of every record is made (trips in every state with their
payments, receipts, inspections and bookings, desk files, messages, projects, commitments,
rules, tokens), and the same requests must make exactly as many queries as before.

To see why a route makes its queries: ``CUAKHAU_QUERY_SQL="trips:detail,GET /me" pytest -s``
prints their SQL; ``CUAKHAU_QUERY_COUNTS=counts.json`` writes every measured count (to pin).

Cheap by design: the world is built, and each caller signed in or given a token, once for the
module; each route is requested once.
"""

import datetime as dt
import json
import os
import time
import warnings
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cuakhau import policy
from cuakhau.accounts.services import issue_token
from cuakhau.conftest import cassava_line, declaration
from cuakhau.core.testing.shared import shared_data
from cuakhau.core.testing.world import DEVICES, PEOPLE, add_page_records, build_world
from cuakhau.core.tests.query_budgets import BUDGETS
from cuakhau.core.tests.test_policy import _call, api_cases, view_cases
from cuakhau.reference.models import Gate
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db

# The one caller a route is measured as: the first of these it allows. Enterprise A and the
# gate's own officers before the read-everything roles, so lists are measured as scoped to a
# caller (the common case), the administrator last among people.
PREFERENCE = [
    "ent_a",
    "op_here",
    "customs",
    "quarantine",
    "guard",
    "desk",
    "customs_mgr",
    "board",
    "auditor",
    "driver_a",
    "admin",
    "tablet",
    "camera",
    "weighbridge",
    "anonymous",
]
# Public operations have no case in the policy matrix (no caller is refused them): theirs.
ESMS_SECRET = "esms-callback-secret"
ZALO_SECRET = "oa-secret-key"
NOTIFY_ADAPTERS = {
    "zns": {
        "class": "cuakhau.notify.adapters.ZaloZNS",
        "name": "zalo",
        "url": "http://127.0.0.1:9/zns",
        "access_token": "zalo-token",
        "app_id": "4321",
        "oa_secret_key": ZALO_SECRET,
        "templates": {},
        "timeout": 2,
    },
    "sms": {
        "class": "cuakhau.notify.adapters.ESMSBrandname",
        "name": "esms",
        "url": "http://127.0.0.1:9/esms",
        "api_key": "k",
        "secret_key": "s",
        "brandname": "CUAKHAU",
        "callback_url": "https://cuakhau.example/api/v1/notify/delivery/esms?key=x",
        "callback_secret": ESMS_SECRET,
        "timeout": 2,
    },
    "email": {"class": "cuakhau.notify.adapters.EmailAdapter", "name": "email"},
}


class Raw:
    """A body sent as it is, with its own headers (a provider's signed webhook)."""

    def __init__(self, body: bytes, **headers):
        self.body, self.headers = body, headers


@pytest.fixture(scope="module")
def world(request, django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    notify_settings = {**settings.CUAKHAU_NOTIFY, "adapters": NOTIFY_ADAPTERS}
    with shared_data(
        request,
        django_db_blocker,
        tmp_path_factory,
        DEMO_MODE=True,
        CUAKHAU_NOTIFY=notify_settings,
    ):
        w = build_world(Gate.objects.get(code="mlt"), Gate.objects.get(code="hng"))
        add_page_records(w)
        cases = {**view_cases(w), **api_cases(w), **_more_api_cases(w)}
        # The reconciliation as it is read: one gate's report of the day, not the empty form.
        method, _path, body, succeed = cases["payments:reconciliation"]
        cases["payments:reconciliation"] = (
            method,
            "/payments/reconciliation/?gate=mlt",
            None,
            succeed,
        )
        w["cases"] = {name: case for name, case in cases.items() if _caller(name, case)}
        w["pages"], w["api"] = _clients(w)
        yield w


def _more_api_cases(w):
    """The operations the matrix has no success case for, each called as its caller calls it:
    the public ones (no caller is refused them) and the submission of a draft."""
    from cuakhau.desk.tests.world import desk_world
    from cuakhau.notify.models import DeliveryAttempt, MessageStatus
    from cuakhau.payments import providers

    desk_world(w)
    # The policy matrix submits a draft without cargo (refused to all): submit a full one.
    full = trips.create_draft(
        w["users"]["ent_a"], declaration(tractor_plate="25C-101.01", cargo_lines=[cassava_line()])
    )
    # The bank's signed notification of the submitted trip's transfer.
    body = json.dumps(
        {
            "transaction_id": "FT26327000001",
            "amount": 800_000,
            "currency": "VND",
            "description": f"CT DEN:FT26327000001 {w['submitted'].reference.replace('-', '')}",
            "payer_name": "CONG TY TNHH NONG SAN PHONG THO",
            "payer_account": "0451000123456",
            "booked_at": "2026-11-23T09:15:00+07:00",
        }
    ).encode()
    stamp = str(int(time.time()))
    secret = providers.get_provider("vietqr_bank").secret
    webhook = Raw(
        body,
        HTTP_X_CUAKHAU_TIMESTAMP=stamp,
        HTTP_X_CUAKHAU_SIGNATURE=providers.sign_body(secret, stamp, body),
    )
    # The world's message, sent by SMS and by ZNS: each provider reports its delivery.
    message = w["message"]
    message.status = MessageStatus.SENT
    message.save(update_fields=["status"])
    now = dt.datetime.now(dt.UTC)
    for channel, provider, provider_id in (("sms", "esms", "esms-77"), ("zns", "zalo", "z-1")):
        DeliveryAttempt.objects.create(
            message=message,
            channel=channel,
            provider=provider,
            provider_id=provider_id,
            started_at=now,
            finished_at=now,
            outcome="sent",
        )
    # Zalo's timestamp is when it sent the event (milliseconds): an older one is refused.
    zalo_stamp = str(int(time.time() * 1000))
    zalo = json.dumps(
        {
            "app_id": "4321",
            "event_name": "user_received_message",
            "message": {"msg_id": "z-1", "delivery_time": "1764500000000"},
            "timestamp": zalo_stamp,
        }
    ).encode()
    import hashlib

    mac = hashlib.sha256(b"4321" + zalo + zalo_stamp.encode() + ZALO_SECRET.encode()).hexdigest()
    code = w["desk_application"].code
    anyone = {"anonymous"}
    return {
        "POST /trips/{reference}/submit": (
            "post",
            f"/trips/{full.reference}/submit",
            None,
            {"ent_a"},
        ),
        "POST /payments/notifications/{provider}": (
            "post",
            "/payments/notifications/vietqr_bank",
            webhook,
            anyone,
        ),
        "GET /notify/delivery/esms": (
            "get",
            f"/notify/delivery/esms?SMSID=esms-77&SendStatus=5&key={ESMS_SECRET}",
            None,
            anyone,
        ),
        "POST /notify/delivery/zalo": (
            "post",
            "/notify/delivery/zalo",
            Raw(zalo, HTTP_X_ZEVENT_SIGNATURE=f"mac={mac}"),
            anyone,
        ),
        "GET /slots/wait-times": ("get", "/slots/wait-times", None, anyone),
        "GET /desk/procedures": ("get", "/desk/procedures", None, anyone),
        "POST /desk/track": (
            "post",
            "/desk/track",
            {"code": code, "phone": "0912345678"},
            anyone,
        ),
    }


def _caller(name, case):
    """The one caller a route is measured as (None: no caller succeeds, nothing to measure)."""
    succeed = case[3]
    rule = policy.API.get(name) or policy.VIEWS.get(name)
    if rule is not None and rule.public and not succeed:
        return None
    return next((c for c in PREFERENCE if c in succeed), None)


def _clients(w):
    """Page clients signed in, API clients holding a token: one per caller, made once."""
    pages, api = {"anonymous": Client()}, {"anonymous": Client()}
    for person in PEOPLE:
        pages[person] = Client()
        pages[person].force_login(w["users"][person])
        api[person] = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(w['users'][person], 'q')[1]}")
    for device in DEVICES:
        api[device] = Client(HTTP_AUTHORIZATION=f"Bearer {w['devices'][device][1]}")
        pages[device] = api[device]
    return pages, api


# Pages that change the client itself (its session, its language cookie): each requested by
# a client of its own, so the callers' shared clients stay signed in and in English.
OWN_CLIENT = {"logout", "set_language"}


def _fresh_page_client(w, caller):
    client = Client()
    if caller in PEOPLE:
        client.force_login(w["users"][caller])
    return client


def _is_api(name):
    return name in policy.API


def _request(w, name, case=None):
    """Request one route as its caller, rolled back: (response, number of queries, the SQL)."""
    method, path, body, succeed = case or w["cases"][name]
    caller = _caller(name, (method, path, body, succeed))
    with transaction.atomic():
        if _is_api(name):
            client, url = w["api"][caller], "/api/v1" + path
            if isinstance(body, Raw):
                send = partial(
                    client.post, url, body.body, content_type="application/json", **body.headers
                )
            else:
                send = partial(_call, client, method, url, body)
        else:
            client = _fresh_page_client(w, caller) if name in OWN_CLIENT else w["pages"][caller]
            send = (
                partial(client.get, path) if method == "get" else partial(client.post, path, body)
            )
        with CaptureQueriesContext(connection) as queries:
            response = send()
            if response.streaming:
                b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response, len(queries), [q["sql"] for q in queries.captured_queries]


def budget_of(name):
    budget = BUDGETS.get(name)
    if isinstance(budget, dict):
        return budget[connection.vendor]
    return budget


def test_every_route_keeps_to_its_query_budget(world):
    routes = set(policy.API) | set(policy.VIEWS)
    measured, failures, unpinned = {}, [], []
    for name, case in world["cases"].items():
        response, count, _sql = _request(world, name)
        if name in os.environ.get("CUAKHAU_QUERY_SQL", "").split(","):
            print(f"\n{name} on {connection.vendor}: {count} queries\n" + "\n".join(_sql))
        measured[name] = count
        to_login = "/login/" in response.get("Location", "") and name != "logout"
        if response.status_code >= 400 or to_login:
            failures.append(
                f"{name} as {_caller(name, case)}: HTTP {response.status_code} "
                f"{getattr(response, 'content', b'')[:300]!r}"
            )
            continue
        budget = budget_of(name)
        if budget is None:
            unpinned.append(f"    {name!r}: {count},")
        elif count > budget:
            failures.append(f"{name}: {count} queries, its budget is {budget}")
        elif count < budget:
            warnings.warn(
                f"{name}: {count} queries, under its budget of {budget}: lower the budget",
                stacklevel=1,
            )
    if os.environ.get("CUAKHAU_QUERY_COUNTS"):
        with open(os.environ["CUAKHAU_QUERY_COUNTS"], "w") as out:
            json.dump({"vendor": connection.vendor, "counts": measured}, out, indent=1)
    failures += [f"not measured: {name}" for name in sorted(routes - set(measured) - NOT_MEASURED)]
    if unpinned:
        failures.append("without a budget; pin them in query_budgets.py:\n" + "\n".join(unpinned))
    assert not failures, "\n".join(failures)
    assert set(BUDGETS) <= routes, f"budgets of no route: {sorted(set(BUDGETS) - routes)}"


# Routes no caller can succeed on, so nothing is measured: django-ninja answers its bare root
# with a 404; the desk's applicant pages open only to the session that gave a code and phone.
NOT_MEASURED = {"api:api-root", "desk:status", "desk:applicant_document"}


# ---------------------------------------------------------------------------------------------
# Lists do not grow their queries with their length

# Every list page and list operation, by its route (a path of its own where the world's case
# filters the list down).
LISTS = {
    "profile": None,
    "trips:list": "/trips/",
    "receipts:offline": None,
    "revocations": None,
    "payments:reconciliation": None,
    "gate:console": None,
    "gate:snapshot": None,
    "gate:board": None,
    "gate:board_fragment": None,
    "gate:kpi": None,
    "market:rules": None,
    "risk:rules": None,
    "inspections:queue": None,
    "notify:messages": None,
    "slots:wait_times": None,
    "slots:waiting": None,
    "desk:procedures": None,
    "desk:queue": None,
    "desk:counter": None,
    "desk:reports": None,
    "investment:projects": "/investment/",
    "cooperation:overview": None,
    "cooperation:commitments": None,
    "cooperation:external": None,
    "GET /trips": None,
    "GET /me/tokens": None,
    "GET /market/rules": None,
    "GET /risk/rulesets/active": None,
    "GET /slots/{gate}/queue": None,
    "GET /slots/wait-times": None,
    "GET /desk/applications": None,
    "GET /desk/procedures": None,
    "GET /investment/projects": "/investment/projects",
    "GET /investment/totals": None,
    "GET /cooperation/commitments": None,
    "GET /cooperation/totals": None,
}
# One record's page whose parts are lists: the paid trip (documents), the project (milestones,
# amendments), the inside trip's inspections and samples.
RECORDS = ["trips:detail", "investment:project", "inspections:trip", "GET /trips/{reference}"]


def _case(w, name):
    method, path, body, succeed = w["cases"][name]
    return (method, LISTS.get(name) or path, body, succeed)


def test_lists_do_not_grow_their_queries_with_their_length(world):
    names = [*LISTS, *RECORDS]
    counts, failures = ({}, {}), []
    with transaction.atomic():
        # One of every record first, so every part of a page shows (a page may add a query
        # for a part that is empty, once), then one more of each: the count must stay.
        for n, measured in enumerate(counts):
            _one_more_of_everything(world, n)
            for name in names:
                response, count, sql = _request(world, name, _case(world, name))
                assert response.status_code == 200, (name, response.status_code)
                measured[name] = (count, len(response.content), sql)
        transaction.set_rollback(True)
    before, after = counts
    for name in names:
        if after[name][0] != before[name][0]:
            failures.append(f"{name}: {before[name][0]} queries, {after[name][0]} with more rows")
            failures += [f"    {q[:300]}" for q in after[name][2]]
    # The lists did get longer: what they show grew (so the same count means something).
    shorter = [n for n in GROW if after[n][1] <= before[n][1]]
    assert not shorter, f"lists that did not grow: {shorter}"
    assert not failures, "\n".join(failures)


# The lists (and records) whose rows the added records are: each answer must get longer.
GROW = {
    "profile",
    "trips:list",
    "revocations",
    "payments:reconciliation",
    "gate:board",
    "market:rules",
    "risk:rules",
    "inspections:queue",
    "notify:messages",
    "slots:waiting",
    "desk:queue",
    "investment:projects",
    "cooperation:commitments",
    "cooperation:external",
    "GET /trips",
    "GET /me/tokens",
    "GET /market/rules",
    "GET /risk/rulesets/active",
    "GET /slots/{gate}/queue",
    "GET /desk/applications",
    "GET /investment/projects",
    "GET /cooperation/commitments",
    "trips:detail",
    "investment:project",
    "inspections:trip",
}


def _one_more_of_everything(w, n):
    """One more trip in every state with its payment, receipt, inspections, booking and
    arrival, one more desk file, message, token, document, milestone, market and risk rule,
    and every register row once again (round ``n``: 0, then 1)."""
    from cuakhau.cooperation import models as cooperation
    from cuakhau.desk import services as desk
    from cuakhau.desk.tests.world import PDF
    from cuakhau.gate import services as gate
    from cuakhau.gate.tests.conftest import clear, paid
    from cuakhau.inspections import services as inspections
    from cuakhau.investment import models as investment
    from cuakhau.market import services as market
    from cuakhau.notify.services import notify
    from cuakhau.payments import services as payments
    from cuakhau.receipts.services import revoke_receipt, valid_receipt_of
    from cuakhau.risk.services import active_ruleset
    from cuakhau.slots import services as slots
    from cuakhau.slots.tests.conftest import next_hour

    users, mlt = w["users"], Gate.objects.get(code="mlt")
    ent, operator = users["ent_a"], users["op_here"]
    officers = {"customs": users["customs"], "border_guard": users["guard"]}
    officers["quarantine"] = users["quarantine"]
    states = ["submitted", "paid", "inside", "exited", "cancelled"]

    def trip(state):
        plate = f"25C-9{n}{states.index(state)}.0{n}"
        if state == "submitted":
            made = trips.save_and_submit(
                ent, None, declaration(tractor_plate=plate, cargo_lines=[cassava_line()])
            )
            payments.record_cash_payment(operator, made, 100_000, f"PT-9{n}")
            return made
        return paid(ent, tractor_plate=plate, cargo_lines=[cassava_line()])

    submitted = trip("submitted")
    slots.book_slot(ent, submitted, next_hour(4 + n))
    slots.record_arrival(operator, mlt, trip("paid"))
    inside = trip("inside")
    gate.check_in(operator, mlt, inside.reference, lane="L1")
    inspections.record_result(
        users["customs"], inside, "hold", agency="customs", notes="Chờ kết quả mẫu"
    )
    inspections.take_sample(
        users["quarantine"], inside, f"MLT-S-09{n}", "Sắn, 1 kg", "Chi cục KDTV vùng 8"
    )
    exited = trip("exited")
    gate.check_in(operator, mlt, exited.reference, lane="L2")
    clear(exited, officers)
    gate.exit_truck(operator, mlt, exited.reference, lane="L2")
    revoke_receipt(valid_receipt_of(trip("cancelled")), operator, "cancelled", "Thu sai")
    # The measured records' own lists: the paid trip's documents, the inside trip's
    # inspections, the project's milestones.
    trips.attach_document(
        ent,
        w["paid"],
        "invoice",
        SimpleUploadedFile(f"hoa-don-{n}.pdf", PDF, content_type="application/pdf"),
    )
    inspections.record_result(
        # Each round's hold its own (the same decision again is recorded once).
        users["customs"],
        w["inside"],
        "hold",
        agency="customs",
        notes=f"Chờ giấy tờ {n + 1}",
    )
    investment.Milestone.objects.create(
        project=w["register_project"],
        title=f"Hoàn thành giai đoạn {n + 1}",
        due_date=dt.date(2026, 6 + n, 1),
    )
    issue_token(ent, f"máy {n}")
    notify(
        recipient={"phone": f"091234560{n}"},
        language="vi",
        template="test_message",
        context={"at": f"1{n}:00"},
        dedupe_key=f"budgets-{n}",
    )
    application = desk.file_application(
        {
            "procedure": w["desk_procedure"].key,
            "applicant_name": f"Lò Thị Mai {n}",
            "phone": f"091234500{n}",
            "language": "vi",
        },
        [SimpleUploadedFile("don.pdf", PDF)],
    )
    desk.take(users["desk"], application)
    # Market rules through the service (it versions the rules a process keeps compiled).
    market.suspend(
        ["0810", "0804"][n],
        direction="export",
        destination="CN",
        gate="mlt",
        starts_on=dt.date.today() + dt.timedelta(days=2),
        legal_basis="Công văn 1234/BVTV-KD",
        declared_by="Cục Bảo vệ thực vật",
        actor=users["customs_mgr"],
    )
    ruleset = active_ruleset()
    rule = ruleset.rules.order_by("position").first()
    rule.pk, rule.position = None, max(ruleset.rules.values_list("position", flat=True)) + 1
    rule._state.adding = True
    rule.save()
    # The registers: every row once again.
    projects = _copy(investment.InvestmentProject, lambda p: {"code": f"{p.code[:15]}-{n}"})
    _copy(investment.Milestone, parents={"project_id": projects})
    _copy(investment.LicenceAmendment, parents={"project_id": projects})
    for model in (cooperation.Counterpart, cooperation.Delegation, cooperation.AidProject):
        _copy(model)
    meetings = _copy(
        cooperation.Meeting, parents={"agreement_id": {None: None, **_copy(cooperation.Agreement)}}
    )
    _copy(cooperation.Commitment, parents={"meeting_id": meetings})


def _copy(model, changes=lambda row: {}, parents=None):
    """Every row of ``model`` once again (a parent copied before: the copy belongs to its
    copy); the copies' pks by the originals'."""
    made = {}
    for original in list(model.objects.all()):
        row = model.objects.get(pk=original.pk)
        row.pk = None
        row._state.adding = True
        for field, mapping in (parents or {}).items():
            setattr(row, field, mapping[getattr(row, field)])
        for field, value in changes(row).items():
            setattr(row, field, value)
        row.save()
        for m2m in model._meta.many_to_many:
            getattr(row, m2m.name).set(getattr(original, m2m.name).all())
        made[original.pk] = row.pk
    return made
