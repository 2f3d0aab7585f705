"""Every form of every page, filled with what broken clients and odd people send: never a 5xx.

The page matrix's world (a trip in every state, one person of every role) is walked page by
page, each opened by one of the people it is for; every ``<form>`` it shows is read from its
HTML and sent back with all its fields set to each of a few odd values (controls, other
scripts' digits, far dates, huge numbers, long text), then with each field a person types into
set alone to a number no column holds, the others as the page filled them. Each submission runs
in a transaction rolled back after it, so every form meets the world as it was. A form sent by
GET (a list's filters) is sent as its query string. On PostgreSQL this found what SQLite lets
through: a NUL in a lookup, a name longer than its column.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction

from cuakhau.core.testing.world import PEOPLE, add_page_records, build_world
from cuakhau.core.tests.test_policy import _client, view_cases

pytestmark = pytest.mark.django_db

ODD_VALUES = [
    "",
    "\x00",
    "Lò\x07Văn\u202ePáo\u2028",
    "٢٥٠٠٠",  # Arabic-Indic digits, which int() and Decimal() take
    "9" * 40,
    "NaN",
    "9999-12-31T23:59",
    "0001-01-01",
    "x" * 5000,
]
# Set alone in each field in turn: a value many parsers accept and no column can hold.
WORST = "99999999999999999999999999999999.999999"
CHOICES = {"select", "checkbox", "radio"}


class _Forms(HTMLParser):
    """The page's forms: method, action and each field's name, kind and current value."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or attrs.get("hx-post") or attrs.get("hx-get"),
                "fields": {},
            }
            if attrs.get("hx-post") and not attrs.get("method"):
                self._form["method"] = "post"
            self.forms.append(self._form)
        elif tag == "option" and self._form is not None and self._select:
            # The option chosen, else the first that is one: the form as a person sends it.
            kind, chosen = self._form["fields"][self._select]
            value = attrs.get("value") or ""
            if value and ("selected" in attrs or not chosen):
                self._form["fields"][self._select] = (kind, value)
            return
        elif self._form is None or not attrs.get("name"):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            self._form["fields"][attrs["name"]] = (kind, attrs.get("value") or "")
        elif tag in ("textarea", "select"):
            self._form["fields"][attrs["name"]] = (tag, "")
            self._select = attrs["name"] if tag == "select" else None

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        if tag in ("form", "select"):
            self._select = None


def _forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _is_management(name: str) -> bool:
    """A formset's count of its forms (each value that reads as a number renders that many)."""
    return name.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS"))


def _filled(fields: dict, value: str, only: str | None = None) -> dict:
    data = {}
    for name, (kind, current) in fields.items():
        if kind == "file" or name == "csrfmiddlewaretoken":
            continue
        odd = name == only if only or _is_management(name) else True
        data[name] = value if odd else current
    return data


def _send(client, form, page_path, data):
    target = urljoin(page_path, form["action"] or page_path)
    path = urlsplit(target).path
    with transaction.atomic():
        try:
            if form["method"] == "post":
                response = client.post(path, data)
            else:
                response = client.get(path, data)
        finally:
            transaction.set_rollback(True)
    return response


@pytest.fixture
def world(mlt, hng, settings):
    settings.DEMO_MODE = True
    w = build_world(mlt, hng)
    add_page_records(w)
    return w


def test_no_form_of_any_page_answers_odd_input_with_a_server_error(world):
    cases = view_cases(world)
    sent, failures, seen, counts_tried = 0, [], set(), set()
    for key, (method, path, _body, succeed) in sorted(cases.items()):
        people = [p for p in PEOPLE if p in succeed]
        if method != "get" or not people or key.startswith("admin:"):
            continue
        client = _client(world, people[0], api_call=False)
        page = client.get(path)
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        for form in _forms(page.content.decode()):
            shape = (form["method"], form["action"], tuple(sorted(form["fields"])))
            if not form["fields"] or shape in seen:
                continue
            seen.add(shape)
            submissions = [_filled(form["fields"], value) for value in ODD_VALUES]
            # A formset's count, once per formset: the declaration's three forms share one.
            # (A choice refuses whatever is not among its options before any rule reads it.)
            alone = [
                name
                for name, (kind, _value) in form["fields"].items()
                if kind not in CHOICES and (not _is_management(name) or name not in counts_tried)
            ]
            counts_tried.update(filter(_is_management, alone))
            submissions += [_filled(form["fields"], WORST, only=name) for name in alone]
            for data in submissions:
                sent += 1
                try:
                    status = _send(client, form, path, data).status_code
                except Exception as exc:  # noqa: BLE001 - the failure is what we report
                    status = f"{type(exc).__name__}: {exc}"[:300]
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"{key} {form['method']} {form['action']}: {status} {data}")
                    break
    assert seen and sent, "no form found: the parser or the world is broken"
    assert not failures, "\n".join(failures)
