"""``core.listing``: the page number a list reads from its query string, or why it is none."""

import pytest

from cuakhau.core.listing import read_page


@pytest.mark.parametrize("raw, number", [(None, 1), ("", 1), ("1", 1), ("3", 3), ("003", 3)])
def test_a_page_number_of_the_list_is_read(raw, number):
    page, error = read_page(list(range(25)), 10, raw)
    assert error == "" and page.number == number


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "٢", " 2", "2.0", "1e3", "9" * 40, "4"])
def test_anything_else_is_refused_with_no_row(raw):
    page, error = read_page(list(range(25)), 10, raw)
    assert error and list(page) == []
    assert page.paginator.count == 25  # the list's length stays known to the page


def test_an_empty_list_has_its_first_page():
    page, error = read_page([], 10, "1")
    assert error == "" and list(page) == []
    assert read_page([], 10, "2")[1]
