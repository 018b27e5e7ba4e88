"""The French analyser: the variants a young person types meet the labels' own words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.orientation.lexicon import (
    EVERYDAY_WORDS,
    INTERESTS,
    STOPWORDS,
    analyse,
    fold,
    is_code,
    root,
    stem,
)


@pytest.mark.parametrize(
    ("variant", "base"),
    [
        ("soudeuse", "soudeur"),
        ("soudeuses", "soudeur"),
        ("Chaudronnière", "chaudronnier"),
        ("électricienne", "électricien"),
        ("conductrice", "conducteur"),
        ("maçonne", "maçon"),
        ("boulangère", "boulanger"),
        ("métaux", "métal"),
        ("plombiers", "plombier"),
        ("MÉTALLIÈRE", "métalier"),
        ("sportive", "sportif"),
    ],
)
def test_feminine_plural_accent_and_case_variants_share_a_stem(variant: str, base: str) -> None:
    assert analyse(variant) == analyse(base)


@pytest.mark.parametrize(
    ("activity", "agent"),
    [
        ("soudure", "soudeur"),
        ("usinage", "usineur"),
        ("chaudronnerie", "chaudronnier"),
        ("tuyauterie", "tuyauteur"),
        ("informatique", "informaticien"),
        ("robotique", "roboticien"),
        ("plasturgie", "plasturgiste"),
        ("menuiserie", "menuisier"),
    ],
)
def test_an_activity_and_its_trade_share_a_root(activity: str, agent: str) -> None:
    assert root(stem(fold(activity))) == root(stem(fold(agent)))


def test_fold_removes_accents_ligatures_and_punctuation() -> None:
    assert fold("Œnologue d'Élite / Maître-Chœur") == "oenologue d elite maitre choeur"


def test_stopwords_and_wishes_are_dropped() -> None:
    assert analyse("je veux faire un métier avec mes mains") == ["main"]


def test_lexicon_entries_are_words_or_rome_codes() -> None:
    for word, values in EVERYDAY_WORDS.items():
        assert analyse(word), word
        for value in values:
            assert is_code(value) or analyse(value), (word, value)
    assert all(analyse(query) for _, query in INTERESTS)
    assert not STOPWORDS & {fold(w) for w in EVERYDAY_WORDS}


@given(st.text(max_size=300))
def test_any_text_is_analysed_without_error(text: str) -> None:
    terms = analyse(text)
    assert all(term.isascii() and term.isalnum() for term in terms)


@given(st.text(max_size=100))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
