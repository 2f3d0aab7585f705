"""The slot pages, and the trip page's slot panel, in every language for every kind of person
who may open them: no raw code (``early``, ``walk_in``, ``perishable`` …), no English left on
Vietnamese or Chinese pages.

The checks are the project-wide render test's (``core/testing/languages.py``); this one holds
the slot pages to them with trucks in the waiting area, so the queue, the kinds of arrival and
positions show, which that test's world does not have.
"""

import re

import pytest
from django.conf import settings
from django.test import Client

from cuakhau.accounts.services import set_language
from cuakhau.core.testing.languages import (
    PYTHON_VALUES,
    Finder,
    catalogues,
    english_phrases,
    find_state_pairs,
    raw_codes,
    read_po,
    visible_text,
)
from cuakhau.core.testing.world import build_world
from cuakhau.slots import services
from cuakhau.slots.models import WaitingArea
from cuakhau.trips.choices import TripStatus

from .world import slot_world

pytestmark = pytest.mark.django_db

LANGUAGES = ["vi", "en", "zh-hans"]
# As people choose them: the world names its users after their roles ("customs"), which
# would read as codes in the menu.
USERNAMES = {
    "ent_a": "dn_phongtho",
    "driver_a": "laixe_pao",
    "op_here": "vanhanh_mlt",
    "customs": "haiquan_mlt",
    "board": "bql_laichau",
    "auditor": "kiemtoan",
    "admin": "quantri",
}
ALLOWED = {"vi": {"web", "container"}, "en": set(), "zh-hans": set()}
SAME_IN_EVERY_LANGUAGE = {"API", "English", "carton"}


def _english_words() -> set[str]:
    words = set()
    for path in catalogues("vi"):
        for entry in read_po(path):
            words |= {w.lower() for w in re.findall(r"[A-Za-z]+", entry.msgid)}
    return words


@pytest.fixture
def world(mlt, hng, settings):
    settings.DEMO_MODE = True
    w = build_world(mlt, hng)
    for key, username in USERNAMES.items():
        w["users"][key].username = username
        w["users"][key].save(update_fields=["username"])
    slot_world(w)
    # The booked truck reports early, a paid one walks in, a third is called forward.
    operator = w["users"]["op_here"]
    WaitingArea.objects.filter(gate=mlt).update(gate_places=1)
    services.record_arrival(operator, mlt, w["submitted"])
    services.record_arrival(operator, mlt, w["paid"])
    services.call_forward(mlt)
    return w


def _pages(w):
    """(path, who reads it in each language): the paid trip's slot panel and trip page, where
    each role sees its own actions, by every reader; every other page by one of its readers,
    a different one in each language, in turn."""
    readers = set(USERNAMES)
    pages = [
        ("/slots/wait-times/", {"anonymous", "ent_a"}, True),
        ("/slots/mlt/waiting/", {"op_here", "admin"}, False),
        ("/slots/mlt/capacity/", {"admin"}, False),
    ]
    for key in ("submitted", "paid", "inside"):
        ref = w[key].reference
        pages.append((f"/slots/trips/{ref}/", readers, key == "paid"))
        if key != "inside":  # inside the gate with no booking: the trip page has no panel
            pages.append((f"/trips/{ref}/", readers, key == "paid"))
    return pages


def _readers(path, callers, everyone, language):
    callers = sorted(callers)
    if everyone:
        return callers
    return [callers[(sum(path.encode()) + LANGUAGES.index(language)) % len(callers)]]


def test_the_slot_pages_speak_the_readers_language(world):
    codes = set(raw_codes())
    english = _english_words()
    failures, seen = [], 0
    # Each person signed in once; their language changes by their profile (a visitor's by the
    # cookie), as a real person changes it.
    clients = {"anonymous": Client()}
    for caller in USERNAMES:
        clients[caller] = Client()
        clients[caller].force_login(world["users"][caller])
    for language in LANGUAGES:
        phrases = english_phrases(language) - SAME_IN_EVERY_LANGUAGE if language != "en" else set()
        checked = codes if language != "en" else {c for c in codes if c.lower() not in english}
        # The checks compiled once for the language's pages.
        find_raw = Finder(checked, ALLOWED[language])
        find_python = Finder(PYTHON_VALUES)
        find_english = Finder(phrases)
        clients["anonymous"].cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for caller in USERNAMES:
            set_language(world["users"][caller], language)
        for path, callers, everyone in _pages(world):
            for caller in _readers(path, callers, everyone, language):
                response = clients[caller].get(path)
                if response.status_code != 200:
                    failures.append(f"{path} as {caller}: HTTP {response.status_code}")
                    continue
                seen += 1
                html = response.content.decode()
                if path.startswith("/trips/"):
                    # The trip page's own parts are the project-wide test's; here, the panel.
                    assert 'id="trip-slot"' in html, path
                    html = html.split('id="trip-slot"', 1)[1].split("</section>", 1)[0]
                text = visible_text(html)
                found = find_raw(text) + find_python(text)
                found += find_state_pairs(text, TripStatus.values)
                found += [f"untranslated: {p}" for p in find_english(text)]
                failures += [f"{path} as {caller} [{language}]: {p}" for p in found]
    assert seen > 30, "the pages were rendered"
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(sorted(set(failures)))


def test_the_waiting_area_is_named_in_the_readers_language_or_marked_as_vietnamese(area, mlt):
    from cuakhau.accounts import roles
    from cuakhau.conftest import person

    operator = person("vanhanh_waiting", roles.GATE_OPERATOR, gates=[mlt])
    client = Client()
    client.force_login(operator)
    area.name_en = "Km 3 waiting yard"
    area.save()
    said = {}
    for language in LANGUAGES:
        set_language(operator, language)
        said[language] = client.get("/slots/mlt/waiting/").content.decode()
    assert "Bãi chờ Km 3" in said["vi"] and "Km 3 waiting yard" not in said["vi"]
    assert "Km 3 waiting yard" in said["en"] and "Bãi chờ Km 3" not in said["en"]
    # No Chinese name: the English one, in its own language and said to be the original.
    chinese = said["zh-hans"]
    assert '<span lang="en">Km 3 waiting yard</span> (' in chinese
    assert "waiting yard" not in visible_text(chinese, "zh-hans")
    area.name_en = ""
    area.save()
    set_language(operator, "en")
    english = client.get("/slots/mlt/waiting/").content.decode()
    assert '<span lang="vi">Bãi chờ Km 3</span> (Vietnamese original)' in english
