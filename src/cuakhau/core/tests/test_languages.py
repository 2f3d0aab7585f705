"""Every page speaks its reader's language: no internal code, no English left in vi or zh.

The render test opens every page of ``cuakhau.policy.VIEWS`` as people who may see it (see
below), in Vietnamese, English and Simplified Chinese, the language chosen as a real user
chooses it (the profile's language; the language cookie for a visitor), over a world with a
trip in every state. It fails on a raw code in the text a person reads — a value of any of the
project's enumerations (``green``, ``customs``, ``check_in``, ``KGM`` …), two states joined by
an arrow, ``True``/``False``/``None`` — and, on Vietnamese and Chinese pages, on an English
phrase of the project's catalogues shown untranslated.

The catalogue test fails on an entry left untranslated or fuzzy in any ``.po`` of the
repository, and on a message of the source code that no catalogue holds (``makemessages`` run
on a temporary copy of the package, never on the tree).

Fast enough to run with every change: the world is built, and each person signed in, once for
the module; a person's language changes by their profile (a visitor's by the cookie), never by
signing in again; the checks are compiled once per language. A page's words are its own
whatever the reader, so each page is read in each language by one of the people it is for, a
different one in each language, in turn; the start page and the paid trip's page, where each
role sees its own menu, panels and actions, by every role in every language.
"""

import functools
import gettext
import re
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.test import Client
from django.urls import reverse

from cuakhau import policy
from cuakhau.accounts.services import set_language
from cuakhau.conftest import banana_line, cassava_line, declaration
from cuakhau.core.testing.languages import (
    PACKAGE_DIR,
    PYTHON_VALUES,
    Finder,
    catalogues,
    english_phrases,
    find_codes,
    find_state_pairs,
    raw_codes,
    read_po,
    visible_text,
)
from cuakhau.core.testing.shared import shared_data
from cuakhau.core.testing.world import add_page_records, build_world
from cuakhau.core.tests.test_policy import view_cases
from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import clear, paid
from cuakhau.reference.models import Gate
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
# Pages that are no page to read: they sign the caller out or redirect to set a cookie, or
# answer JSON, a PDF, a script or a file (their access is the policy matrix's to prove).
NOT_READ = {
    "logout",
    "set_language",
    "healthz",
    "jwks",
    "revocations",
    "api:openapi-json",
    "receipts:pdf",
    "trips:document_file",
    "gate:snapshot",
    "gate:service_worker",
}
# Who may read a trip's page in each state: its declarant, an officer and the gate (one of them
# in each language); every role reads the paid trip's page (the matrix's).
STATE_READERS = {"ent_a", "customs", "quarantine", "op_here", "board"}


# Pages every role reads in every language: the start page and the paid trip's page show
# each role its own menu, panels and actions. Every other page is read by one of its readers
# in each language, in turn (``_readers``).
def _read_by_everyone(w):
    return {("home", "/"), ("trips:detail", f"/trips/{w['paid'].reference}/")}


# The OpenAPI docs document the API's codes on purpose (they are what a program sends).
CODES_ON_PURPOSE = {"api:openapi-view"}
# Pages known to fail, each with the languages it fails in and why. Strict: a page listed here
# that renders clean in one of those languages fails the test, so the list only shrinks.
STILL_OPEN: dict[str, set[str]] = {}

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
def world(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The policy test's world, plus a trip that left and an amended one; built once."""
    with shared_data(request, django_db_blocker, tmp_path_factory, DEMO_MODE=True):
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
        w["clients"] = _sign_in(w)
        # The pages and the records they show, made once with the world (records made inside
        # one language's test would be rolled back before the next language's).
        w["pages"] = _pages(w)
        yield w


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
        pages.append(("trips:detail", "get", f"/trips/{ref}/", None, callers & STATE_READERS))
        if key in ("inside", "cleared", "exited"):
            readers = inspectors & STATE_READERS
            pages.append(("inspections:trip", "get", f"/inspections/{ref}/", None, readers))
        if key != "draft":
            scan = ("gate:scan", "post", "/gate/mlt/console/scan/", {"scan": ref}, {"op_here"})
            pages.append(scan)
    cleared = w["cleared"].reference
    pages.append(
        ("gate:act", "post", "/gate/mlt/console/exit/", {"scan": cleared, "lane": "L1"}, operators)
    )
    pages.append(("trips:list", "get", "/trips/?status=arrived", None, see_a))
    return pages


def _sign_in(w):
    """One client per person, signed in once with the world (its session lives as long)."""
    clients = {"anonymous": Client()}
    for caller in ROLES:
        clients[caller] = Client()
        clients[caller].force_login(w["users"][caller])
    return clients


def _person(w, caller, language, speaking):
    """The caller's client, speaking ``language`` as a real user makes it speak."""
    client = w["clients"][caller]
    if speaking.get(caller) != language:
        speaking[caller] = language
        # A message a page left for the next one was written in the language before: the
        # person reads it on their next page, which in this test is in the new language.
        client.cookies.pop(CookieStorage.cookie_name, None)
        if caller == "anonymous":
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        else:
            # The language the person chose in their profile, as the profile page saves it.
            set_language(w["users"][caller], language)
    return client


# Addresses are not words: a link's text may be its URL (``viettimes.vn``, ``/trips/``).
URL = re.compile(r"https?://\S+")


def _english_sentences_with_python_words() -> list[str]:
    """English messages that say "None" or "True" as words ("None yet."), longest first."""
    found = set()
    for path in catalogues("vi"):
        for entry in read_po(path):
            for part in re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", entry.msgid):
                if re.search(r"\b(None|True|False)\b", part):
                    found.add(part.strip())
    return sorted(found, key=len, reverse=True)


@functools.cache
def _checks(language):
    """The page checks of one language, compiled once for all its pages."""
    codes = set(raw_codes())
    states = set(TripStatus.values)
    sentences = []
    if language == "en":
        # On English pages a code made of English words of the project's own messages
        # ("draft", "green channel", "document check") cannot be told from those words.
        english_words = {w.lower() for w in _english_words()}

        def english(code):
            return all(w.lower() in english_words for w in re.findall(r"[A-Za-z]+", code))

        codes = {c for c in codes if not english(c)}
        states = {s for s in states if not english(s)}
        sentences = _english_sentences_with_python_words()
    find_raw = Finder(codes, ALLOWED_CODES[language])
    find_python = Finder(PYTHON_VALUES)
    find_english = Finder(
        english_phrases(language) - SAME_IN_EVERY_LANGUAGE if language != "en" else ()
    )

    def problems(text):
        text = URL.sub(" ", text)
        found = find_raw(text) + find_state_pairs(text, states)
        words = text
        for sentence in sentences:  # "None yet." is English, a None left over is not
            words = words.replace(sentence, " ")
        found += find_python(words)
        return found + [f"untranslated: {p}" for p in find_english(text)]

    return problems


def _readers(n, name, path, callers, language, everyone):
    """Who reads a page in ``language``: one person it is for, another in each language.

    The words of a page are its own whatever the reader; what a role adds (its menu, its
    buttons) is read on the pages every role reads (``everyone``) and, taking turns,
    on the pages each role is one of the readers of. A page open to all is read by a visitor
    and by a person signed in, in every language.
    """
    rule = policy.VIEWS.get(name, policy.VIEWS.get(name.split(":")[0] + ":*"))
    if rule.public:
        return ["anonymous", "ent_a"]
    readers = sorted(set(callers) & set(ROLES))
    if (name, path) in everyone or not readers:
        return readers
    # The turn: by the page's place in the list and the language, so a page with several
    # readers is read by a different one in each language, the roles share the pages between
    # them, and every run reads the same pages as the same people.
    turn = n + LANGUAGES.index(language)
    return [readers[turn % len(readers)]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_speaks_the_readers_language(world, language):
    problems_of = _checks(language)
    speaking = {}
    everyone = _read_by_everyone(world)
    failures, seen = [], 0
    for n, (name, method, path, body, callers) in enumerate(world["pages"]):
        if not callers:
            continue  # open, but answers nothing (django-ninja's bare root is a 404)
        for caller in _readers(n, name, path, callers, language, everyone):
            if name.startswith("admin:") and language != "vi":
                continue
            client = _person(world, caller, language, speaking)
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
            text = visible_text(response.content.decode(), response.get("Content-Language", ""))
            if name in CODES_ON_PURPOSE:
                continue
            problems = problems_of(text)
            if language in STILL_OPEN.get(name, ()):
                if not problems:
                    failures.append(f"{name} as {caller} [{language}] is clean: unlist it")
                continue
            for problem in problems:
                failures.append(f"{name} {path} as {caller} [{language}]: {problem}")
    assert seen > 80, "the pages were rendered"
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(sorted(set(failures)))


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
    problems_of = _checks(language)
    failures = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        text = visible_text(response.content.decode())
        for problem in problems_of(text):
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
    # A text declared in another language (an original, marked) is that language's, not mixed in.
    marked = '<html lang="vi"><p>Căn cứ: <span lang="en">green channel</span> (bản gốc)</p>'
    assert "green" not in visible_text(marked)
    assert "green" in visible_text(marked.replace(' lang="en"', ""))
    assert "green" not in visible_text("<option lang=en>green</option>", "vi")
    # English pages: a sentence of the catalogues saying "None" passes, a None left over fails;
    # a code in a URL is an address; a code of English words is a word there, not elsewhere.
    english, vietnamese = _checks("en"), _checks("vi")
    assert not english("None yet. https://example.vn/red") and english("Kênh: None")
    assert not english("Released by the green channel.") and vietnamese("Kênh green channel")


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


def test_every_compiled_catalogue_says_what_its_source_says():
    """Django reads the ``.mo``, people edit the ``.po``: a catalogue edited and not compiled
    again leaves its new texts in English on every page, and no other test reads the ``.mo``."""
    stale = []
    for po in catalogues():
        with po.with_suffix(".mo").open("rb") as compiled:
            held = gettext.GNUTranslations(compiled)._catalog
        for entry in read_po(po):
            if entry.fuzzy or not entry.translated:
                continue
            key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
            if entry.plural is None:
                said = [held.get(key)]
            else:
                said = [held.get((key, n)) for n in range(len(entry.msgstr))]
            if said != entry.msgstr:
                stale.append(f"{entry.where} {entry.msgid!r}: compiled {said!r}")
    assert not stale, "compile the catalogues again (msgfmt):\n" + "\n".join(stale)


def test_every_field_and_model_has_a_label_in_each_language():
    """Every field and every model of the project has a label that reads in each language.

    The administration in Vietnamese showed English labels, such as "gate" for a lane's gate,
    "created at" or "trip": a field or a model without a translatable ``verbose_name`` is shown
    by the English words Django makes of its name. A label the Vietnamese or Chinese catalogue
    does not translate is the same miss (every concrete field but an auto-created primary key,
    and each model's ``verbose_name`` and ``verbose_name_plural``).
    """
    from django.apps import apps
    from django.utils import translation

    def said(text):
        spoken = {}
        for language in LANGUAGES:
            with translation.override(language):
                spoken[language] = str(text)
        return spoken

    misses = []
    for model in apps.get_models():
        if not model.__module__.startswith("cuakhau."):
            continue
        name = f"{model._meta.app_label}.{model.__name__}"
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or field.primary_key and field.auto_created:
                continue
            spoken = said(field.verbose_name)
            if spoken["en"] in (spoken["vi"], spoken["zh-hans"]):
                misses.append(f"{name}.{field.name}: {spoken['en']!r}")
        for attribute in ("verbose_name", "verbose_name_plural"):
            spoken = said(getattr(model._meta, attribute))
            if spoken["en"] == spoken["vi"]:
                misses.append(f"{name} Meta.{attribute}: {spoken['en']!r}")
    assert not misses, f"{len(misses)} labels without a translation:\n" + "\n".join(misses)


# Labels of choices that read the same in English and Vietnamese: a loanword or a name.
SAME_IN_VIETNAMESE = {"web", "20 feet", "40 feet", "SMS", "E-mail"}


def test_every_choice_of_every_field_has_a_label_in_each_language():
    """A field's own ``choices`` list (not an enumeration's) is read as the enumerations are.

    The HS nomenclature's levels were written ``(2, "chapter")`` without ``gettext``: the
    administration's list of HS codes, its filter and its form said "chapter", "heading",
    "subheading" on Vietnamese and Chinese pages alike.
    """
    from django.apps import apps
    from django.utils import translation

    misses = []
    for model in apps.get_models():
        if not model.__module__.startswith("cuakhau."):
            continue
        for field in model._meta.get_fields():
            if not getattr(field, "choices", None):
                continue
            for value, label in field.flatchoices:
                spoken = {}
                for language in LANGUAGES:
                    with translation.override(language):
                        spoken[language] = str(label)
                english = spoken["en"]
                if not re.search(r"[A-Za-z]", english):
                    continue
                if spoken["zh-hans"] == english or (
                    spoken["vi"] == english and english not in SAME_IN_VIETNAMESE
                ):
                    misses.append(f"{model.__name__}.{field.name} {value!r}: {english!r}")
    assert not misses, f"{len(misses)} choices without a translation:\n" + "\n".join(misses)


def _example(model, depth=0):
    """An unsaved row of ``model`` with every field set, each choice to a code of its own."""
    import datetime as dt
    import uuid
    from decimal import Decimal

    from django.db import models

    examples = [
        (models.DateTimeField, dt.datetime(2026, 12, 4, 19, 0, tzinfo=dt.UTC)),
        (models.DateField, dt.date(2026, 12, 4)),
        (models.TimeField, dt.time(9, 30)),
        (models.DurationField, dt.timedelta(minutes=5)),
        (models.BooleanField, True),
        (models.DecimalField, Decimal("1.5")),
        (models.FloatField, 1.5),
        (models.IntegerField, 7),
        (models.JSONField, {}),
        (models.GenericIPAddressField, "203.0.113.5"),
        (models.UUIDField, uuid.UUID(int=7)),
        (models.BinaryField, b"x"),
        # Chinese: a Latin word left in a Chinese name of the row is the name's own words.
        (models.CharField, "文本"),
        (models.TextField, "文本"),
    ]
    row = model()
    for field in model._meta.concrete_fields:
        if field.is_relation:
            if depth < 2:
                setattr(row, field.name, _example(field.related_model, depth + 1))
            continue
        if field.choices:
            codes = [v for v, _label in field.flatchoices if v not in ("", None)]
            value = next((c for c in codes if not str(c).isdigit()), codes[0])
        else:
            value = next((v for kind, v in examples if isinstance(field, kind)), None)
        if value is not None:
            setattr(row, field.attname, value)
    return row


# Latin words a Chinese name of a row may hold: units, acronyms and names.
NAMES_IN_EVERY_LANGUAGE = {"VND", "kg", "HS", "Zalo", "ZNS"}


def test_every_row_is_named_in_the_readers_language():
    """A row's name (``__str__``) is what the administration shows in its titles, breadcrumbs,
    deletion pages and the heading of each inline row: it said "20085 @ 2026-12-04 19:00
    (called)", "491: booked->waiting (arrive)", "2026-08-31 day_off", "7 customs pass",
    "profile of …" on Vietnamese and Chinese pages. Each model's name is built from an example
    row with every choice set to a code, in Chinese (where a Latin word left is English or a
    code) and in Vietnamese (where a choice's code must not show)."""
    from django.apps import apps
    from django.db import models
    from django.utils import translation

    from cuakhau.desk.models import ApplicationTransition
    from cuakhau.desk.services import APPLICATION_MACHINE
    from cuakhau.slots.models import BookingTransition
    from cuakhau.slots.services import BOOKING_MACHINE
    from cuakhau.trips.models import TripTransition
    from cuakhau.trips.services import TRIP_MACHINE

    # A machine's steps are kept as codes without a field's choices: given one of its steps.
    machines = {
        TripTransition: TRIP_MACHINE,
        BookingTransition: BOOKING_MACHINE,
        ApplicationTransition: APPLICATION_MACHINE,
    }
    named = 0
    misses = []
    for model in apps.get_models():
        if not model.__module__.startswith("cuakhau.") or model.__str__ is models.Model.__str__:
            continue
        row = _example(model)
        codes = {}
        if model in machines:
            (source, action), step = next(iter(machines[model].table.items()))
            row.from_status, row.to_status, row.action = source, step.target, action
            codes = {source: None, step.target: None, action: None}
        for field in model._meta.concrete_fields:
            value = getattr(row, field.attname, None)
            if field.choices and isinstance(value, str) and value:
                codes[value] = dict(field.flatchoices).get(value)
        named += 1
        with translation.override("zh-hans"):
            chinese = str(row)
        latin = set(re.findall(r"[A-Za-z_]{2,}", chinese)) - NAMES_IN_EVERY_LANGUAGE
        if latin:
            misses.append(f"{model.__name__} [zh-hans]: {chinese!r}")
        with translation.override("vi"):
            vietnamese = str(row)
            for code, label in codes.items():
                if str(label) != code and re.search(
                    rf"(?<![\w-]){re.escape(code)}(?![\w-])", vietnamese
                ):
                    misses.append(f"{model.__name__} [vi]: {vietnamese!r} ({code})")
    assert named > 50, named
    assert not misses, f"{len(misses)} rows named by codes:\n" + "\n".join(misses)


_PLACEHOLDERS = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
# Vietnamese writes "Email"; "variety" … "block size" describe Argon2's and scrypt's hashes,
# which no password here has (each is made by Django's first hasher, PBKDF2); "LogEntry Object"
# names a log entry of no known kind (every entry the admin writes has one).
SAME_OR_NEVER_SHOWN = {
    "Email",
    "variety",
    "memory cost",
    "time cost",
    "parallelism",
    "block size",
    "LogEntry Object",
}


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_djangos_administration_and_accounts_texts_read_in_the_language(language):
    """Every text of Django's administration and accounts apps reads in Vietnamese and Chinese.

    Django's Vietnamese catalogue lacks some ("Skip to main content", "Toggle navigation",
    "Set password", "Password-based authentication", "Breadcrumbs"…): the administration showed
    them in English. ``core.django_texts`` marks them for the core app's catalogues.
    """
    from django.utils import translation

    django_dir = Path(django.__file__).parent
    untranslated = []
    for app in ("admin", "auth"):
        english = django_dir / "contrib" / app / "locale" / "en" / "LC_MESSAGES" / "django.po"
        with translation.override(language):
            for entry in read_po(english):
                if entry.plural is not None:
                    continue
                if entry.msgctxt is None:
                    said = translation.gettext(entry.msgid)
                else:
                    said = translation.pgettext(entry.msgctxt, entry.msgid)
                words = _PLACEHOLDERS.sub("", entry.msgid)
                if said == entry.msgid and re.search(r"[A-Za-z]{2,}", words):
                    if entry.msgid in SAME_OR_NEVER_SHOWN:
                        continue
                    untranslated.append(f"{app}: {entry.msgid!r}")
    assert not untranslated, "\n".join(untranslated)
