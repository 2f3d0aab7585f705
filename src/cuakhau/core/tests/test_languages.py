"""Every page speaks its reader's language: no internal code, no English left in vi or zh.

The render test opens every page of ``cuakhau.policy.VIEWS`` as every kind of person who may
see it, in Vietnamese, English and Simplified Chinese, the language chosen as a real user
chooses it (the profile's language; the language cookie for a visitor), over a world with a
trip in every state. It fails on a raw code in the text a person reads — a value of any of the
project's enumerations (``green``, ``customs``, ``check_in``, ``KGM`` …), two states joined by
an arrow, ``True``/``False``/``None`` — and, on Vietnamese and Chinese pages, on an English
phrase of the project's catalogues shown untranslated.

The catalogue test fails on an entry left untranslated or fuzzy in any ``.po`` of the
repository, and on a message of the source code that no catalogue holds (``makemessages`` run
on a temporary copy of the package, never on the tree).
"""

import re
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from cuakhau import policy
from cuakhau.conftest import banana_line, cassava_line, declaration
from cuakhau.core.testing.languages import (
    PACKAGE_DIR,
    PYTHON_VALUES,
    catalogues,
    english_phrases,
    find_codes,
    find_state_pairs,
    raw_codes,
    read_po,
    visible_text,
)
from cuakhau.core.testing.world import add_page_records, build_world
from cuakhau.core.tests.test_policy import view_cases
from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import clear, paid
from cuakhau.reference.models import Gate, HSCode
from cuakhau.trips import services as trips
from cuakhau.trips.choices import TripStatus

pytestmark = pytest.mark.django_db

LANGUAGES = ["vi", "en", "zh-hans"]
# One person of every role (enterprise B and the other gate's operator repeat a role).
ROLES = [
    "ent_a",
    "driver_a",
    "op_here",
    "customs",
    "customs_mgr",
    "guard",
    "quarantine",
    "desk",
    "board",
    "auditor",
    "admin",
]
# Pages that are no page to read: they sign the caller out or redirect to set a cookie.
NOT_READ = {"logout", "set_language"}
# The OpenAPI docs document the API's codes on purpose (they are what a program sends).
CODES_ON_PURPOSE = {"api:openapi-view"}

# Real words that are also codes, per page language, and why each may stand.
ALLOWED_CODES = {
    # Vietnamese says "trang web" for a website and "container" for a container (the loanword
    # is the official term): the words, not the codes.
    "vi": {"web", "container"},
    "en": set(),
    "zh-hans": set(),
}
# Names that read the same in every language: the language switcher names English in English,
# "API" is a name; Vietnamese writes "thùng carton".
SAME_IN_EVERY_LANGUAGE = {"API", "English", "carton"}
# Usernames as people choose them: the policy world names its users after their roles
# ("customs", "quarantine"), which would read as agency codes in the nav and the timelines.
USERNAMES = {
    "ent_a": "dn_phongtho",
    "ent_b": "qy_jinping",
    "driver_a": "laixe_pao",
    "op_here": "vanhanh_mlt",
    "op_other": "vanhanh_hng",
    "customs": "haiquan_mlt",
    "customs_mgr": "truongdoi_hq",
    "guard": "bienphong_mlt",
    "quarantine": "kiemdich_mlt",
    "desk": "motcua_mlt",
    "board": "bql_laichau",
    "auditor": "kiemtoan",
    "admin": "quantri",
}
# On English pages a code that is also an English word of the project's own messages ("pass",
# "export", "draft") cannot be told from the word; those pages are checked for the others
# (underscored codes, unit codes, agencies, channels of change).


def _english_words() -> set[str]:
    words = set()
    for path in catalogues("vi"):
        for entry in read_po(path):
            words |= set(re.findall(r"[A-Za-z]+", entry.msgid))
    return words


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The policy test's world, plus a trip that left and an amended one; built once."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            DEMO_MODE=True,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            SIGNING_KEY_DIR=tmp_path_factory.getbasetemp() / "signing-keys",
        ),
        translation.override("en"),
        transaction.atomic(),
    ):
        if not HSCode.objects.exists():
            from cuakhau.fees.services import load_schedules
            from cuakhau.reference.services import load_reference_data

            load_reference_data()
            load_schedules()
        mlt, hng = Gate.objects.get(code="mlt"), Gate.objects.get(code="hng")
        w = build_world(mlt, hng)
        users = w["users"]
        for key, username in USERNAMES.items():
            users[key].username = username
            users[key].save(update_fields=["username"])
        officers = {
            "customs": users["customs"],
            "border_guard": users["guard"],
            "quarantine": users["quarantine"],
        }
        w["exited"] = paid(
            users["ent_a"],
            tractor_plate="25C-666.66",
            cargo_lines=[banana_line(container_numbers=["TGHU8761425"])],
        )
        gate.check_in(users["op_here"], mlt, w["exited"].reference, lane="L1")
        clear(w["exited"], officers)
        gate.exit_truck(users["op_here"], mlt, w["exited"].reference, lane="L2")
        w["amended"] = trips.save_and_submit(
            users["ent_a"],
            None,
            declaration(tractor_plate="25C-777.77", cargo_lines=[cassava_line()]),
        )
        w["amended"] = trips.amend_trip(
            users["ent_a"],
            w["amended"],
            declaration(tractor_plate="25C-777.78", cargo_lines=[cassava_line()]),
            "Đổi đầu kéo",
        )
        w["cancelled"] = trips.save_and_submit(
            users["ent_a"],
            None,
            declaration(tractor_plate="25C-888.88", cargo_lines=[cassava_line()]),
        )
        trips.cancel_trip(users["ent_a"], w["cancelled"], "Hàng chưa sẵn sàng")
        add_page_records(w)
        for key in ("exited", "amended", "cancelled"):
            w[key].refresh_from_db()
        yield w
        transaction.set_rollback(True)


def _pages(w):
    """(URL name, method, path, body, callers) for every page, plus pages of each trip state."""
    cases = view_cases(w)
    assert set(cases) == set(policy.VIEWS), "every page of the policy is rendered"
    pages = [(name, *case) for name, case in cases.items() if name not in NOT_READ]
    see_a = set(cases["trips:detail"][3])
    inspectors = set(cases["inspections:trip"][3])
    operators = set(cases["gate:console"][3])
    for key in ("draft", "submitted", "inside", "cleared", "exited", "amended", "cancelled"):
        ref = w[key].reference
        callers = {"ent_a", "driver_a", "board", "auditor", "admin"}
        if key != "draft":
            callers = see_a
        pages.append(("trips:detail", "get", f"/trips/{ref}/", None, callers))
        if key in ("inside", "cleared", "exited"):
            pages.append(("inspections:trip", "get", f"/inspections/{ref}/", None, inspectors))
        if key != "draft":
            scan = ("gate:scan", "post", "/gate/mlt/console/scan/", {"scan": ref}, operators)
            pages.append(scan)
    cleared = w["cleared"].reference
    pages.append(
        ("gate:act", "post", "/gate/mlt/console/exit/", {"scan": cleared, "lane": "L1"}, operators)
    )
    pages.append(("trips:list", "get", "/trips/?status=arrived", None, see_a))
    return pages


def _person(w, caller, language, clients):
    if caller == "anonymous":
        client = clients.setdefault(("anonymous", language), Client())
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client
    user = w["users"][caller]
    # The language the person chose in their profile, as the profile page saves it.
    from cuakhau.accounts.services import set_language

    set_language(user, language)
    if caller not in clients:
        clients[caller] = Client()
        clients[caller].force_login(user)
    return clients[caller]


def _problems(text, language, codes, english_words, phrases):
    found = []
    checked = codes
    if language == "en":
        checked = {c for c in codes if c not in english_words and c.lower() not in english_words}
    found += find_codes(text, checked, ALLOWED_CODES[language])
    found += find_codes(text, PYTHON_VALUES)
    found += find_state_pairs(text, TripStatus.values)
    if language != "en":
        found += [f"untranslated: {p}" for p in find_codes(text, phrases - SAME_IN_EVERY_LANGUAGE)]
    return found


# What the first run found and is still open (each owner told): the declaration form's new help
# texts and the nav's "Profile and language" untranslated (being written), the KPI page's
# source quotes, the risk pages' English note, the offline receipt page (Vietnamese with
# English, no Chinese), stored English notes ("Released by the green channel."), the refusal
# "Đã thực hiện: cancel." (a raw action), notification channels and language codes. Strict:
# the day it passes, this mark must go.
OPEN_FINDINGS = pytest.mark.xfail(
    strict=True, reason="issue 9: findings of the first run are still being fixed"
)


@OPEN_FINDINGS
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_speaks_the_readers_language(world, language):
    codes = set(raw_codes())
    english_words = {w.lower() for w in _english_words()}
    phrases = english_phrases(language) if language != "en" else set()
    clients = {}
    failures, seen = [], 0
    for name, method, path, body, callers in _pages(world):
        if not callers:
            continue  # open, but answers nothing (django-ninja's bare root is a 404)
        if policy.VIEWS.get(name, policy.VIEWS.get(name.split(":")[0] + ":*")).public:
            callers = {"anonymous", "ent_a"}
        for caller in sorted(set(callers) & {*ROLES, "anonymous"}):
            if name.startswith("admin:") and language != "vi":
                continue
            client = _person(world, caller, language, clients)
            with transaction.atomic():
                send = client.get if method == "get" else partial(client.post, data=body or {})
                response = send(path)
                transaction.set_rollback(True)
            if response.status_code >= 400:
                failures.append(f"{name} {path} as {caller}: HTTP {response.status_code}")
                continue
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            seen += 1
            text = visible_text(response.content.decode())
            if name in CODES_ON_PURPOSE:
                continue
            for problem in _problems(text, language, codes, english_words, phrases):
                failures.append(f"{name} {path} as {caller} [{language}]: {problem}")
    assert seen > 100, "the pages were rendered"
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(sorted(set(failures)))


@OPEN_FINDINGS
@pytest.mark.parametrize("language", ["zh-hans", "vi"])
def test_the_administrators_site_speaks_the_language(world, language):
    """The admin's index in Vietnamese, and its index and every app's page in Chinese.

    The admin is Django's, for administrators only: its lists show stored values through the
    fields' own choices, so the site's index pages (model names, app names) are what it adds.
    """
    client = _person(world, "admin", language, {})
    paths = [reverse("admin:index")]
    if language == "zh-hans":
        labels = {model._meta.app_label for model in admin.site._registry}
        paths += [reverse("admin:app_list", args=[label]) for label in sorted(labels)]
    codes = set(raw_codes())
    phrases = english_phrases(language) - SAME_IN_EVERY_LANGUAGE
    failures = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        text = visible_text(response.content.decode())
        for problem in _problems(text, language, codes, set(), phrases):
            failures.append(f"{path} [{language}]: {problem}")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------------------------
# The catalogues


def test_no_catalogue_entry_is_untranslated_or_fuzzy():
    paths = catalogues()
    assert len(paths) >= 4, paths
    problems = []
    for path in paths:
        for entry in read_po(path):
            if entry.fuzzy:
                problems.append(f"fuzzy: {entry.where} {entry.msgid!r}")
            elif not entry.translated:
                problems.append(f"untranslated: {entry.where} {entry.msgid!r}")
    assert not problems, "\n".join(problems)


def _keys(entries):
    return {(e.msgctxt, e.msgid) for e in entries}


@OPEN_FINDINGS
@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_every_message_of_the_code_is_in_a_catalogue(tmp_path, language):
    copy = tmp_path / "cuakhau"
    shutil.copytree(
        PACKAGE_DIR,
        copy,
        ignore=shutil.ignore_patterns("locale", "tests", "testing", "__pycache__", "*.mo"),
    )
    folder = {"vi": "vi", "zh-hans": "zh_Hans"}[language]
    command = [sys.executable, "-m", "django", "makemessages", "-l", folder, "--no-obsolete"]
    # The pages' scripts carry their texts in the templates (no JavaScript catalogue).
    (copy / "locale").mkdir()
    subprocess.run(
        command, cwd=copy, check=True, capture_output=True, env={"PATH": "/usr/bin:/bin"}
    )
    extracted = set()
    for po in (copy / "locale").glob(f"{folder}/LC_MESSAGES/*.po"):
        extracted |= _keys(read_po(po))
    held = set()
    for path in catalogues(language):
        held |= _keys(read_po(path))
    missing = sorted(extracted - held, key=lambda k: k[1])
    assert not missing, "\n".join(f"{ctx or ''} {msgid!r}" for ctx, msgid in missing)


def test_the_checks_find_what_they_look_for():
    """The detectors themselves: a page with codes fails, one in words passes."""
    codes = set(raw_codes())
    assert {"green", "border_guard", "check_in", "system", "KGM", "draft"} <= codes
    page = (
        "<html><head><title>customs</title></head><body><p>Kênh <b>green</b></p>"
        '<p title="red">draft → submitted</p><script>var s = "yellow";</script>'
        "<p>Đã hủy bởi hệ thống · None</p></body></html>"
    )
    text = visible_text(page)
    assert "red" not in text and "yellow" not in text and "customs" not in text
    assert any("green" in p for p in find_codes(text, codes))
    assert find_state_pairs(text, TripStatus.values) == ["draft → submitted"]
    assert find_codes(text, PYTHON_VALUES)
    assert not find_codes(visible_text("<p>Kênh xanh · green-light ·greenhouse</p>"), codes)
    assert "Trips" in english_phrases("vi") or english_phrases("vi")


def test_a_po_with_a_fuzzy_or_empty_entry_is_found(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: vi\\n"\n\n'
        '#, fuzzy\nmsgid "Gate"\nmsgstr "Cửa khẩu"\n\n'
        'msgid "Trip"\nmsgstr ""\n\n'
        'msgid "Lane"\nmsgstr "Làn"\n\n'
        'msgid "%(n)s truck"\nmsgid_plural "%(n)s trucks"\nmsgstr[0] "%(n)s xe"\n',
        encoding="utf-8",
    )
    entries = {e.msgid: e for e in read_po(po)}
    assert entries["Gate"].fuzzy and not entries["Lane"].fuzzy
    assert not entries["Trip"].translated and entries["Lane"].translated
    assert entries["%(n)s truck"].plural == "%(n)s trucks" and entries["%(n)s truck"].translated
    assert Path(po).exists()
