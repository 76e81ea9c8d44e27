"""registry.text: NFC, accent folding, Vietnamese slugs, quote comparison and search tokens."""

import unicodedata

import pytest
from django.utils.text import slugify

from registry.text import comparable, fold, locate, nfc, search_tokens, slugify_vi

NBSP = "\u00a0"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# -- nfc ------------------------------------------------------------------------------------------------------------


def test_nfc_composes_a_decomposed_name():
    decomposed = nfd("Nguyễn Văn Được")
    assert decomposed != "Nguyễn Văn Được"  # the fixture really is decomposed
    assert nfc(decomposed) == "Nguyễn Văn Được"
    assert unicodedata.is_normalized("NFC", nfc(decomposed))


def test_nfc_of_none_or_empty_is_empty():
    assert nfc(None) == ""
    assert nfc("") == ""


# -- fold -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Văn Được", "nguyen van duoc"),
        ("NGUYỄN VĂN ĐƯỢC", "nguyen van duoc"),
        ("Đ", "d"),
        ("đ", "d"),
        ("Đà Nẵng", "da nang"),
        ("Phạm Thị Thanh Hiền", "pham thi thanh hien"),
        ("Bùi Tá Hoàng Vũ", "bui ta hoang vu"),
        ("Sở Ngoại vụ TP.HCM", "so ngoai vu tp.hcm"),
        ("Ủy ban nhân dân", "uy ban nhan dan"),
        ("Hiệp định ỹ ơ ư", "hiep dinh y o u"),
    ],
)
def test_fold_strips_accents_maps_d_and_lowercases(text, folded):
    assert fold(text) == folded


def test_fold_gives_the_same_result_for_nfc_and_nfd_input():
    assert fold(nfd("Nguyễn Văn Được")) == fold("Nguyễn Văn Được") == "nguyen van duoc"


def test_fold_collapses_and_trims_white_space_including_no_break_spaces():
    assert fold(f"  Ban{NBSP}{NBSP}Chỉ \t đạo\n ") == "ban chi dao"


def test_fold_keeps_punctuation_inside_words():
    assert fold("Nghị quyết số 59-NQ/TW") == "nghi quyet so 59-nq/tw"


def test_fold_of_none_or_empty_is_empty():
    assert fold(None) == ""
    assert fold("") == ""


def test_fold_output_is_ascii():
    assert fold("Thành phố Hồ Chí Minh, Đồng Nai, Bà Rịa - Vũng Tàu").isascii()


# -- slugify_vi -----------------------------------------------------------------------------------------------------


def test_slugify_vi_ban_chi_dao():
    assert slugify_vi("Ban Chỉ đạo") == "ban-chi-dao"


def test_slugify_vi_keeps_d_that_django_slugify_drops():
    # The reason slugify_vi exists: Django's slugify silently loses đ/Đ.
    assert "d" not in slugify("Đạo")
    assert slugify_vi("Đạo") == "dao"
    assert slugify_vi("Nguyễn Văn Được") == "nguyen-van-duoc"


def test_slugify_vi_of_seeded_names():
    assert slugify_vi("Bộ Ngoại giao") == "bo-ngoai-giao"
    assert slugify_vi("Tỉnh Bình Dương") == "tinh-binh-duong"
    assert slugify_vi("Phạm Thị Thanh Hiền") == "pham-thi-thanh-hien"


# -- comparable -----------------------------------------------------------------------------------------------------


def test_comparable_collapses_no_break_spaces_and_runs_of_white_space():
    assert comparable(f"trên địa bàn{NBSP}thành phố") == "trên địa bàn thành phố"
    assert comparable(f"a{NBSP} \n\t b") == "a b"


def test_comparable_trims_and_normalises_to_nfc():
    assert comparable(f"  {nfd('Được')}{NBSP}") == "Được"


def test_comparable_keeps_case_and_accents():
    # Quotes are verbatim: only white space and Unicode form are forgiven, not spelling.
    assert comparable("Ban Cán sự Đảng") != comparable("Ban cán sự đảng")
    assert comparable("Được") != comparable("Duoc")


# -- search_tokens --------------------------------------------------------------------------------------------------


def test_search_tokens_folds_and_splits():
    assert search_tokens("Sở  Ngoại VỤ") == ["so", "ngoai", "vu"]


def test_search_tokens_keep_punctuation_inside_words():
    assert search_tokens("Nghị quyết 59-NQ/TW") == ["nghi", "quyet", "59-nq/tw"]


def test_search_tokens_split_on_no_break_space():
    assert search_tokens(f"Nguyễn{NBSP}Văn Được") == ["nguyen", "van", "duoc"]


@pytest.mark.parametrize("query", ["", "   ", NBSP, None])
def test_search_tokens_of_blank_query_is_empty(query):
    assert search_tokens(query) == []


@pytest.mark.parametrize(
    "quote, text, where",
    [
        ("Ban  Chỉ\nđạo", "Quyết định lập Ban Chỉ   đạo hội nhập", (15, 28)),
        ("đạo hội", "Ban Chỉ đạo\u00a0hội nhập", (8, 15)),
        ("không có", "Ban Chỉ đạo", None),
        ("   ", "Ban Chỉ đạo", None),
        ("Ban", "", None),
        ("nhập", "hội nhập", (4, 8)),
    ],
)
def test_locate_finds_a_quote_whatever_the_white_space(quote, text, where):
    assert locate(quote, text) == where
    if where:
        assert comparable(text[slice(*where)]) == comparable(quote)


def test_locating_a_quote_of_repeated_words_is_linear():
    # Many false starts: every word of the text begins the quote, and the quote only stands at the very end. A search
    # retried from every word would run for minutes here (its speed is measured in bench/, not asserted here).
    text = "a " * 200_000 + "b"
    quote = "a " * 100_000 + "b"
    assert locate(quote, text) == (200_000, len(text))
