"""The slot pages, and the trip page's slot panel, in every language for every kind of person
who may open them: no raw code (``early``, ``walk_in``, ``perishable`` …), no English left on
Vietnamese or Chinese pages.

The checks are the project-wide render test's (``core/testing/languages.py``); that test stays a
strict xfail while other pages have open findings, so this one holds the slot pages to them
now, with trucks in the waiting area so the queue, the kinds of arrival and positions show.
"""

import re

import pytest
from django.conf import settings
from django.test import Client

from cuakhau.accounts.services import set_language
from cuakhau.core.testing.languages import (
    PYTHON_VALUES,
    catalogues,
    english_phrases,
    find_codes,
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
    readers = set(USERNAMES)
    pages = [
        ("/slots/wait-times/", {"anonymous", "ent_a"}),
        ("/slots/mlt/waiting/", {"op_here", "admin"}),
        ("/slots/mlt/capacity/", {"admin"}),
    ]
    for key in ("submitted", "paid", "inside"):
        ref = w[key].reference
        pages.append((f"/slots/trips/{ref}/", readers))
        if key != "inside":  # inside the gate with no booking: the trip page has no panel
            pages.append((f"/trips/{ref}/", readers))
    return pages


def test_the_slot_pages_speak_the_readers_language(world):
    codes = set(raw_codes())
    english = _english_words()
    failures, seen = [], 0
    for language in LANGUAGES:
        phrases = english_phrases(language) - SAME_IN_EVERY_LANGUAGE if language != "en" else set()
        checked = codes if language != "en" else {c for c in codes if c.lower() not in english}
        clients = {}
        for path, callers in _pages(world):
            for caller in sorted(callers):
                if caller not in clients:
                    clients[caller] = Client()
                    if caller == "anonymous":
                        clients[caller].cookies[settings.LANGUAGE_COOKIE_NAME] = language
                    else:
                        set_language(world["users"][caller], language)
                        clients[caller].force_login(world["users"][caller])
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
                found = find_codes(text, checked, ALLOWED[language])
                found += find_codes(text, PYTHON_VALUES)
                found += find_state_pairs(text, TripStatus.values)
                if language != "en":
                    found += [f"untranslated: {p}" for p in find_codes(text, phrases)]
                failures += [f"{path} as {caller} [{language}]: {p}" for p in found]
    assert seen > 50, "the pages were rendered"
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(sorted(set(failures)))
