"""Thresholds, several codes and sorts (``diagnostic/selection.py``): properties over random
tables against plain Python, and the cases a reader meets."""

from __future__ import annotations

import itertools
import math

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.diagnostic.selection import (
    Selection,
    Sort,
    Threshold,
    apply_thresholds,
    codes,
    sort_of,
    sort_rows,
    threshold_parameters,
    thresholds,
)
from tremplin.errors import InputError

values = st.one_of(
    st.none(),
    st.just(math.nan),
    st.floats(min_value=-1e6, max_value=1e6),
    st.sampled_from([0.0, 1.3]),
)


def _table(column: list[float | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"cle": list(range(len(column))), "taux_pression": column},
        schema={"cle": pl.Int64, "taux_pression": pl.Float64},
    )


def _known(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


@given(st.lists(values, max_size=40), st.floats(-1e6, 1e6), st.sampled_from(["min", "max"]))
def test_a_threshold_keeps_exactly_the_known_values_within_it(
    column: list[float | None], bound_value: float, bound: str
) -> None:
    threshold = Threshold("taux_pression", "min" if bound == "min" else "max", bound_value)
    kept = apply_thresholds(_table(column), [threshold]).get_column("cle").to_list()
    expected = [
        key
        for key, value in enumerate(column)
        if _known(value) and (value >= bound_value if bound == "min" else value <= bound_value)  # type: ignore[operator]
    ]
    assert kept == expected


@given(st.lists(values, max_size=40), st.sampled_from(["asc", "desc"]))
def test_a_sort_orders_known_values_then_missing_ones_keeping_ties_in_place(
    column: list[float | None], order: str
) -> None:
    ordered = sort_rows(_table(column), Sort("taux_pression", order))
    keys = ordered.get_column("cle").to_list()
    assert sorted(keys) == list(range(len(column)))
    known = [column[k] for k in keys if _known(column[k])]
    assert known == sorted(known, reverse=order == "desc")  # type: ignore[type-var]
    # Missing values (null, NaN) last, in the table's order; equal values too.
    first_missing = next((i for i, k in enumerate(keys) if not _known(column[k])), len(keys))
    assert all(not _known(column[k]) for k in keys[first_missing:])
    assert keys[first_missing:] == sorted(keys[first_missing:])
    for left, right in itertools.pairwise(keys):
        if _known(column[left]) and column[left] == column[right]:
            assert left < right


@given(st.lists(st.lists(st.sampled_from(["01", "38", "69", " 74 ", ""]), max_size=3)))
def test_codes_repeated_or_comma_separated_are_one_list(given_values: list[list[str]]) -> None:
    repeated = [",".join(part) for part in given_values]
    found = codes(repeated)
    expected: list[str] = []
    for part in given_values:
        for value in part:
            if value.strip() and value.strip() not in expected:
                expected.append(value.strip())
    assert list(found) == expected


def test_threshold_parameters_read_a_decimal_comma_and_refuse_a_word() -> None:
    assert thresholds({"min_taux_pression": "1,3", "max_taux_remplissage": " 0.8 "}) == (
        Threshold("taux_pression", "min", 1.3),
        Threshold("taux_remplissage", "max", 0.8),
    )
    assert thresholds({"min_taux_pression": "", "tri": "x"}) == ()
    assert "min_projets_par_place" in threshold_parameters()
    with pytest.raises(InputError, match="min_taux_pression « beaucoup »"):
        thresholds({"min_taux_pression": "beaucoup"})
    with pytest.raises(InputError, match="nombre"):
        thresholds({"min_taux_pression": "inf"})


def test_a_threshold_on_a_column_the_table_lacks_is_refused() -> None:
    with pytest.raises(InputError, match="min_projets_par_place"):
        apply_thresholds(_table([1.0]), [Threshold("projets_par_place", "min", 3)])


def test_a_sort_names_a_column_of_the_table_and_an_order() -> None:
    assert sort_of(None, "desc", ["a"]) is None
    assert sort_of("a", None, ["a"]) == Sort("a", "asc")
    with pytest.raises(InputError, match="tri « b » inconnu"):
        sort_of("b", "asc", ["a"])
    with pytest.raises(InputError, match="ordre « haut »"):
        sort_of("a", "haut", ["a"])


def test_texts_sort_without_regard_to_case_and_lists_by_their_text() -> None:
    frame = pl.DataFrame({"nom": ["b", "A", None, "c"], "objectifs": [["x"], [], ["a"], ["b"]]})
    assert sort_rows(frame, Sort("nom")).get_column("nom").to_list() == ["A", "b", "c", None]
    by_list = sort_rows(frame, Sort("objectifs", "desc")).get_column("nom").to_list()
    assert by_list == ["b", "c", None, "A"]


def test_a_selection_keeps_codes_then_thresholds_then_sorts() -> None:
    frame = pl.DataFrame(
        {
            "code_territoire": ["01", "38", "69", "38"],
            "taux_pression": [1.5, 2.0, 3.0, 1.0],
        }
    )
    selection = Selection(
        "code_territoire",
        ("01", "38"),
        (Threshold("taux_pression", "min", 1.3),),
        Sort("taux_pression", "desc"),
    )
    assert selection.apply(frame).rows() == [("38", 2.0), ("01", 1.5)]
