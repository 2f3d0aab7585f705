"""The filters and the page of a list, read from its query string: one rule for every list.

A filter value the page cannot read (a status it does not know, a day that is no date, a gate
that is not one, a page past the last) is refused: its message stands beside its field (the
page number's where the pages are), and the list is not shown at all: no row, a line saying
why in its place, HTTP 400. Showing the rows anyway, all of them or those the other filters
select, would let the reader believe the list is filtered as the address says.

400 rather than 200: the address is the reader's mistake, as the period pages of the reports
answer it (desk, stats); 422 stays for refused submissions (POST) and the API. The trips list,
filtered live by htmx, swaps a 400 answer too (its form says so), so the refusal replaces the
rows of the previous filter instead of leaving them on screen.

Filters are a Django form bound to ``request.GET`` (``None`` when the address has none); a form
adds no query unless a field checks a model choice (a gate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

REFUSED = 400

# Plain ASCII digits only: ``int()`` would take "٢" or " 2 ", and a page number is no place
# for them; nine digits are far past the last page of any list.
_PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


def status_of(refused: bool) -> int:
    """The HTTP status of a list page: 400 when it refused its filters or page, else 200."""
    return REFUSED if refused else 200


def refused(form) -> bool:
    """Whether the filters ``form`` (bound to the query string, or None) refused a value."""
    return form is not None and form.is_bound and not form.is_valid()


def applies(form) -> bool:
    """Whether ``form`` filters the list: given in the query string, and every value read."""
    return form is not None and form.is_bound and form.is_valid()


@dataclass
class Listing:
    page: Page
    # A filter or the page number was refused: the page shows no row, and says why.
    refused: bool
    # The page number's refusal, shown where the pages are ("" when it was read).
    page_error: str
    # The query string without the page number: the pages' links add theirs.
    query: str

    @property
    def status(self) -> int:
        return status_of(self.refused)


def read_page(rows, per_page: int, raw) -> tuple[Page, str]:
    """The page ``raw`` (as the query string gives it) of ``rows``, and ""; or a page without
    rows (its paginator still counts them all) and why ``raw`` is no page of them. A page past
    the last is refused, not replaced by the last: the reader would take it for the page they
    asked for."""
    paginator = Paginator(rows, per_page)
    if raw in (None, ""):
        return paginator.page(1), ""
    if not _PAGE_NUMBER.fullmatch(raw) or int(raw) < 1:
        error = _("A page number is a whole number from 1, such as 2.")
    elif int(raw) > paginator.num_pages:
        error = _("There is no page %(number)d: the last page of this list is %(pages)d.") % {
            "number": int(raw),
            "pages": paginator.num_pages,
        }
    else:
        return paginator.page(int(raw)), ""
    return Page([], 1, paginator), error


def _nothing(per_page: int) -> Page:
    return Paginator([], per_page).page(1)


def listing(request, rows, per_page: int, *, form=None, param: str = "page") -> Listing:
    """The page of ``rows`` the query string asks for; no row at all when ``form`` (the list's
    filters, bound to the same query string) refused a value or the page number cannot be read.

    ``rows`` are the rows the filters selected (``applies(form)``); when a filter was refused
    they are not read.
    """
    query = request.GET.copy()
    query.pop(param, None)
    if refused(form):
        return Listing(_nothing(per_page), True, "", query.urlencode())
    page, error = read_page(rows, per_page, request.GET.get(param))
    if error:
        page = _nothing(per_page)
    return Listing(page, bool(error), error, query.urlencode())
