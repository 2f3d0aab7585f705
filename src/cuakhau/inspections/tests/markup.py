"""What a page's forms show: each form's values as the browser would send them again, and the
errors written beside its fields (``data-field``) or in an error list (``ul.errors``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class ShownForm:
    attrs: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)  # data-field -> messages
    alerts: list[str] = field(default_factory=list)  # an error list inside the form


@dataclass
class Page:
    forms: list[ShownForm]
    alerts: list[str]  # error lists outside every form

    def form(self, **attrs) -> ShownForm:
        """The one form whose attributes include ``attrs`` (``action=``, ``id=``, ...)."""
        found = [f for f in self.forms if all(f.attrs.get(k) == v for k, v in attrs.items())]
        assert len(found) == 1, (attrs, [f.attrs for f in self.forms])
        return found[0]

    def errors(self) -> dict[str, list[str]]:
        """Every error shown beside a field, whichever form it is in."""
        every: dict[str, list[str]] = {}
        for f in self.forms:
            for name, messages in f.errors.items():
                every.setdefault(name, []).extend(messages)
        return every


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[ShownForm] = []
        self.alerts: list[str] = []
        self.form: ShownForm | None = None
        self.text: list[str] | None = None
        self.collect = None  # (kind, key) the text being read belongs to
        self.select: str | None = None
        self.in_errors = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form = ShownForm(attrs=a)
            self.forms.append(self.form)
        elif tag == "input" and self.form is not None and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") != "file":
                self.form.values[a["name"]] = a.get("value", "")
        elif tag == "textarea" and self.form is not None:
            self._read(("value", a.get("name", "")))
        elif tag == "select" and self.form is not None:
            self.select = a.get("name", "")
        elif tag == "option" and self.select is not None and self.form is not None:
            if "selected" in a or self.select not in self.form.values:
                self.form.values[self.select] = a.get("value", "")
        elif tag == "p" and "error" in a.get("class", "").split() and "data-field" in a:
            self._read(("error", a["data-field"]))
        elif tag == "ul" and "errors" in a.get("class", "").split():
            self.in_errors = True
        elif tag == "li" and self.in_errors:
            self._read(("alert", ""))

    def _read(self, what):
        self.collect, self.text = what, []

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag in ("textarea", "p", "li") and self.text is not None:
            kind, key = self.collect
            text = "".join(self.text)
            if kind == "value":
                self.form.values[key] = text.removeprefix("\n")
            else:
                text = " ".join(text.split())
                if kind == "error":
                    (self.form.errors if self.form else {}).setdefault(key, []).append(text)
                elif self.form is not None:
                    self.form.alerts.append(text)
                else:
                    self.alerts.append(text)
            self.text = self.collect = None
        elif tag == "select":
            self.select = None
        elif tag == "ul":
            self.in_errors = False
        elif tag == "form":
            self.form = None


def page_of(response) -> Page:
    parser = _Parser()
    parser.feed(response.content.decode())
    return Page(forms=parser.forms, alerts=parser.alerts)
