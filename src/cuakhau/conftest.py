"""Shared fixtures: reference data, organisations, users per role, a realistic declaration."""

import datetime as dt

import pytest
from django.utils import timezone

from cuakhau.accounts import roles
from cuakhau.accounts.models import Organisation
from cuakhau.accounts.services import create_user
from cuakhau.core.testing import shared, snapshot
from cuakhau.core.testing.browser import browser, chromium  # noqa: F401  (browser tests' fixtures)
from cuakhau.reference.models import Gate

PASSWORD = "bien-gioi-2025!"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        snapshot.load_once()
        snapshot.check_foreign_keys_outside_the_reference_data()


@pytest.fixture
def reference_data(db):
    """The HS nomenclature, gates, fee schedules: loaded by the session (``django_db_setup``)
    and put back after each transactional test's flush (``pytest_runtest_teardown`` below), so
    a test that names it needs only the database."""


def _flushes_the_database(item: pytest.Item) -> bool:
    # As pytest-django tells a transactional test (its ordering of the tests).
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction")
        or marker.kwargs.get("reset_sequences")
        or (marker.args and marker.args[0])  # django_db(True): transaction, by position
    ):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _set_up_its_database(item: pytest.Item) -> bool:
    # A test skipped before its database was set up (no browser on this machine) flushed
    # nothing, and the connection may still name the developer's own database. Asked before
    # the teardown, which forgets the fixtures; pytest keeps them on a private attribute.
    fixtures = getattr(getattr(item, "_request", None), "_fixture_defs", None)
    return fixtures is None or "_django_db_helper" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Every test its own node id, as its name says.

    schemathesis (4.32) names each API operation's test ``test…[GET /api/v1/…]``, but pytest
    9.2 builds a node id from the function's name alone: the 65 operations shared one id, and
    pytest-xdist, which hands tests to its workers by id, ran one of them. Any duplicate left
    stops the run rather than drop tests unseen.
    """
    from _pytest.nodeid import coerce_node_id

    seen = set()
    for item in items:
        if item.nodeid.rpartition("::")[2] != item.name and item.parent is not None:
            item._id = coerce_node_id(f"{item.parent.nodeid}::{item.name}")
        if item.nodeid in seen:
            raise pytest.UsageError(f"two tests have the node id {item.nodeid}")
        seen.add(item.nodeid)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush (its fixtures' teardown), the reference data goes
    back at once, committed: every later test finds the database as the session set it up,
    whatever order the tests run in (several workers each run a share of the files)."""
    set_up = _set_up_its_database(item)
    result = yield
    # Without a next test, the session's teardown has just destroyed the test database.
    if nextitem is not None and set_up and _flushes_the_database(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            snapshot.put_back()
    return result


@pytest.fixture
def mlt(reference_data):
    return Gate.objects.get(code="mlt")


@pytest.fixture
def hng(reference_data):
    return Gate.objects.get(code="hng")


def organisation(name: str, country: str, tax_code: str) -> Organisation:
    # Found when a module's shared data (core.testing.shared) already made it.
    return Organisation.objects.filter(tax_code=tax_code).first() or Organisation.objects.create(
        name=name, country=country, tax_code=tax_code
    )


def person(username: str, role: str, **kwargs):
    """The test user of that name and role, made once: a module's shared data may have."""
    from django.contrib.auth import get_user_model

    found = get_user_model().objects.filter(username=username).first()
    return found or create_user(username, PASSWORD, role, **kwargs)


def make_org_phong_tho() -> Organisation:
    return organisation("Công ty TNHH Nông sản Phong Thổ", "VN", "0100109106")


def make_enterprise():
    return person("dn_phongtho", roles.ENTERPRISE, organisation=make_org_phong_tho())


def make_operator(mlt):
    return person("vanhanh", roles.GATE_OPERATOR, gates=[mlt])


def make_customs(mlt):
    return person("haiquan_mlt", roles.CUSTOMS, gates=[mlt])


def make_officers(mlt) -> dict:
    """One officer of each inspecting agency at Ma Lù Thàng, keyed by agency."""
    return {
        "customs": person("haiquan", roles.CUSTOMS, gates=[mlt]),
        "border_guard": person("bienphong", roles.BORDER_GUARD, gates=[mlt]),
        "quarantine": person("kiemdich", roles.QUARANTINE, gates=[mlt]),
    }


def people_at_mlt() -> tuple:
    """(enterprise, operator, officers, Ma Lù Thàng): who a module's shared day needs."""
    mlt = Gate.objects.get(code="mlt")
    return make_enterprise(), make_operator(mlt), make_officers(mlt), mlt


@pytest.fixture
def org_phong_tho(db):
    return make_org_phong_tho()


@pytest.fixture
def org_jinping(db):
    return organisation("金平县金水河边贸有限公司", "CN", "91110000600037341L")


@pytest.fixture
def enterprise(org_phong_tho):
    return make_enterprise()


@pytest.fixture
def other_enterprise(org_jinping):
    return person("qy_jinping", roles.ENTERPRISE, organisation=org_jinping)


@pytest.fixture
def customs_mlt(mlt):
    return make_customs(mlt)


@pytest.fixture
def customs_hng(hng):
    return person("haiquan_hng", roles.CUSTOMS, gates=[hng])


@pytest.fixture
def operator(mlt):
    return make_operator(mlt)


@pytest.fixture
def officers(mlt):
    return make_officers(mlt)


@pytest.fixture
def auditor(db):
    return person("kiemtoan", roles.AUDITOR)


def future(hours: int = 26) -> dt.datetime:
    return (timezone.now() + dt.timedelta(hours=hours)).replace(second=0, microsecond=0)


def banana_line(**overrides) -> dict:
    line = {
        "hs_code": "080390",
        "description": "Chuối tươi Cavendish, đóng thùng carton 13 kg",
        "quantity": "1500",
        "unit": "CT",
        "gross_weight_kg": "20400",
        "net_weight_kg": "19500",
        "value": "11700",
        "currency": "USD",
        "origin_country": "VN",
        "packages": 1500,
        "phytosanitary_certificate": "VN-BVTV-2025-118734",
        "customs_declaration": "",
        "container_numbers": ["CSQU3054383"],
    }
    line.update(overrides)
    return line


def cassava_line(**overrides) -> dict:
    line = {
        "hs_code": "071410",
        "description": "Sắn lát khô (cassava chips), bao 50 kg",
        "quantity": "8",
        "unit": "TNE",
        "gross_weight_kg": "8100",
        "net_weight_kg": "8000",
        "value": "2240",
        "currency": "USD",
        "origin_country": "VN",
        "packages": 160,
        "phytosanitary_certificate": "VN-BVTV-2025-118790",
        "customs_declaration": "305712345610",
        "container_numbers": [],
    }
    line.update(overrides)
    return line


def steel_line(**overrides) -> dict:
    """Hot-rolled steel from China: an import that needs no quarantine."""
    line = {
        "hs_code": "720851",
        "description": "Thép cán nóng dạng tấm",
        "quantity": "24",
        "unit": "TNE",
        "gross_weight_kg": "24300",
        "net_weight_kg": "24000",
        "value": "15600",
        "currency": "USD",
        "origin_country": "CN",
        "packages": 12,
        "phytosanitary_certificate": "",
        "customs_declaration": "",
        "container_numbers": [],
    }
    line.update(overrides)
    return line


def declaration(**overrides) -> dict:
    data = {
        "gate": "mlt",
        "direction": "export",
        "expected_arrival": future(),
        "tractor_plate": "25C-123.45",
        "trailer_plate": "25R-012.34",
        "vehicle_type": "truck",
        "capacity_tonnes": "30",
        "container_size": "",
        "driver_name": "Lò Văn Páo",
        "driver_nationality": "VN",
        "driver_document_number": "012345678901",
        "driver_phone": "+84 912 345 678",
        "cargo_lines": [banana_line(), cassava_line()],
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = shared.TEST_SETTINGS["PASSWORD_HASHERS"]


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    settings.STORAGES = shared.plain_static_storages()


@pytest.fixture(autouse=True)
def english_messages(settings):
    # Tests read messages in English; tests of the Vietnamese default switch it back.
    from django.utils import translation

    settings.LANGUAGE_CODE = shared.TEST_SETTINGS["LANGUAGE_CODE"]
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def signing_keys(settings, tmp_path_factory):
    settings.SIGNING_KEY_DIR = shared.signing_key_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # Live-server and worker threads must not keep PostgreSQL sessions open past their test,
    # or the test database cannot be dropped at the end.
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def logins_come_with_a_request(monkeypatch):
    # django-axes judges every login by its request (which address, which user) and refuses
    # one that has none, as the test client's login() sends. Give it the one a browser sends,
    # so tests log in through the same throttle as people do.
    from django.test import Client, RequestFactory

    client_login = Client.login

    def login(self, **credentials):
        credentials.setdefault("request", RequestFactory().post("/login/"))
        return client_login(self, **credentials)

    monkeypatch.setattr(Client, "login", login)
