"""Folding and ranking of HS search: pure functions and the ranked query."""

import pytest

from cuakhau.reference.services import search_hs_codes
from cuakhau.reference.text import fold, query_words, terms


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Quả Sầu Riêng", "qua sau rieng"),
        ("ĐƯỜNG mía", "duong mia"),  # đ is its own letter, not d with a mark
        ("Chuối, kể cả chuối lá", "chuoi ke ca chuoi la"),
        ("０８１０．６０", "0810 60"),  # fullwidth
        ("鲜食榴莲（冷冻）", "鲜食榴莲 冷冻"),
        ("  ", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_terms_index_han_suffixes_so_a_word_is_found_inside_a_name():
    assert {"鲜食榴莲", "榴莲", "莲"} <= terms("鲜食榴莲")
    assert terms("Quả sầu riêng") == {"qua", "sau", "rieng"}


def test_query_words_drop_words_another_word_begins_with():
    assert query_words("sau quả qua") == ["qua", "sau"]
    assert query_words("sầu sầu riêng") == ["rieng", "sau"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, first",
    [
        ("chuối", "080310"),  # its own name "Chuối lá" starts so: before 080390 "Loại khác"
        ("sầu riêng", "081060"),
        ("sau rieng", "081060"),
        ("SAU RIENG", "081060"),
        ("榴莲", "081060"),
        ("香蕉", "080390"),  # the market-access list's banana
        ("banana", "080390"),
        ("thanh long", "081090"),  # only on the national line 08109092
        ("dragon fruit", "081090"),
        ("cà phê", "090111"),
        ("0803", "080310"),
        ("0810.60", "081060"),
        ("08109092", "081090"),  # an 8-digit national line finds its subheading
    ],
)
def test_search_finds_and_ranks(query, first):
    assert [c.code for c in search_hs_codes(query)][:1] == [first]


@pytest.mark.django_db
def test_search_ranks_a_name_that_begins_with_the_phrase_before_one_that_contains_it():
    codes = [c.code for c in search_hs_codes("chuối", limit=50)]
    # Bananas (0803) before the snakehead fish "cá chuối" of 0304 whose name merely holds it.
    assert codes.index("080390") < codes.index("030451")
    assert codes[:2] == ["080310", "080390"]


@pytest.mark.django_db
def test_search_needs_every_word_and_finds_nothing_for_nonsense():
    assert [c.code for c in search_hs_codes("sầu riêng")] == ["081060"]
    assert [c.code for c in search_hs_codes("quả dâu tây")][:1] == ["081010"]
    assert list(search_hs_codes("sầu riêng quả dâu tây")) == []  # no code is both
    assert list(search_hs_codes("qwzxv")) == []
    assert list(search_hs_codes("  ")) == []


@pytest.mark.django_db
def test_search_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        list(search_hs_codes("sau rieng"))
