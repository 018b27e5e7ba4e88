"""The trade search on a small ROME written in the official formats: ranking, variants,
reasons, limits, and any text asked."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.orientation.conftest import APPELLATIONS, CODES, FICHES, write_rome
from tremplin.errors import InputError, NotFound
from tremplin.orientation.search import (
    INDUSTRY_BOOST,
    MAX_LIMIT,
    SearchIndex,
    TradeSearch,
    codes_of,
    search_json,
    trade_path,
)
from tremplin.referentials.perimeter import Perimeter
from tremplin.sources.ingest import load_paths


def _first(index: SearchIndex, query: str) -> str:
    return codes_of(index.search(query).hits)[0]


def test_the_index_holds_every_fiche_appellation_and_onisep_name(small_index: SearchIndex) -> None:
    assert sorted(t.code_rome for t in small_index.trades) == sorted(CODES)
    assert small_index.size == 8 + 9 + 2


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("soudeuse", "H2913"),
        ("SOUDEURS", "H2913"),
        ("soudure", "H2913"),
        ("chaudronnière", "H2902"),
        ("chaudronerie", "H2902"),
        ("boulangères", "D1102"),
        ("electrisienne du batiment", "F1602"),
        ("jardin", "A1203"),
    ],
)
def test_variants_and_everyday_words_find_the_trade_first(
    small_index: SearchIndex, query: str, code: str
) -> None:
    assert _first(small_index, query) == code


def test_everyday_words_stand_for_the_trades_they_mean(small_index: SearchIndex) -> None:
    hits = small_index.search("je veux réparer des machines").hits
    assert set(codes_of(hits)[:2]) == {"I1304", "I1309"}
    assert "« réparer » : mot courant pour « maintenance »" in hits[0].pourquoi


def test_a_typo_is_read_as_the_closest_word_and_said(small_index: SearchIndex) -> None:
    hits = small_index.search("electrisien").hits
    assert set(codes_of(hits)[:2]) == {"F1602", "I1309"}
    assert "« electrisien » lu comme « électricien" in hits[0].pourquoi


def test_the_reason_names_the_label_and_the_words(small_index: SearchIndex) -> None:
    hit = small_index.search("soudeuse tig").hits[0]
    assert hit.trade.code_rome == "H2913"
    assert hit.appellation == "Soudeur / Soudeuse TIG"
    assert hit.pourquoi == (
        "L’appellation « Soudeur / Soudeuse TIG » : « soudeuse » y figure ; « tig » y figure."
    )


def test_an_industrial_trade_is_boosted_lightly_never_hiding_another(
    small_index: SearchIndex,
) -> None:
    # « Chaudronnier d'art » (B1601, outside the perimeter) matches « chaudronnier » as well as
    # the chaudronnier's own fiche (H2902, inside): both are shown, the industrial one first.
    hits = small_index.search("chaudronnier", limite=MAX_LIMIT).hits
    by_code = {hit.trade.code_rome: hit for hit in hits}
    assert codes_of(hits)[:2] == ["H2902", "B1601"]
    assert by_code["H2902"].trade.industrie and not by_code["B1601"].trade.industrie
    assert by_code["B1601"].score >= by_code["H2902"].score / INDUSTRY_BOOST * 0.8


def test_flags_come_from_rome_and_onisep(small_index: SearchIndex) -> None:
    soudeur = small_index.trade("h2913")
    assert soudeur.transition_ecologique and not soudeur.transition_numerique
    assert soudeur.lien_onisep == "https://www.onisep.fr/http/redirection/metier/slug/MET.899"
    assert small_index.trade("I1304").transition_numerique
    assert small_index.trade("A1203").transition_ecologique
    assert not small_index.trade("D1102").transition_ecologique


def test_domains_list_their_trades(small_index: SearchIndex) -> None:
    domains = {d.code: d for d in small_index.domains()}
    assert [t.code_rome for t in domains["H29"].trades] == ["H2902", "H2913"]
    assert domains["H29"].libelle == "Mécanique, travail des métaux et outillage"
    assert domains["H29"].libelle_grand_domaine == "Industrie"


def test_nothing_to_say_finds_nothing_and_unknown_words_are_said(
    small_index: SearchIndex,
) -> None:
    assert small_index.search("").hits == []
    assert small_index.search("je veux faire un métier").hits == []
    result = small_index.search("soudeur xqzwv")
    assert result.ignores == ["xqzwv"]
    assert codes_of(result.hits)[0] == "H2913"


@pytest.mark.parametrize("limite", [0, -1, MAX_LIMIT + 1])
def test_a_limit_out_of_range_is_refused(small_index: SearchIndex, limite: int) -> None:
    with pytest.raises(InputError, match="limite"):
        small_index.search("soudeur", limite)


def test_an_unknown_trade_or_commune_is_refused(small_index: SearchIndex) -> None:
    with pytest.raises(NotFound):
        small_index.trade("Z9999")
    with pytest.raises(InputError, match="commune inconnue"):
        search_json(small_index, "soudeur", commune="99999")


def test_json_links_each_trade_to_its_page(small_index: SearchIndex) -> None:
    found = search_json(small_index, "soudeur", limite=1)
    assert found[0]["code_rome"] == "H2913"
    assert found[0]["lien"] == "/orientation/metier/H2913"
    assert {"code_rome", "libelle", "score", "appellation", "pourquoi"} <= set(found[0])
    assert trade_path("H2913", "01283") == "/orientation/metier/H2913?commune=01283"


@settings(deadline=None)
@given(st.text(max_size=250), st.integers(min_value=1, max_value=MAX_LIMIT))
def test_any_text_is_safe_and_scores_are_ordered(
    small_index: SearchIndex, text: str, limite: int
) -> None:
    hits = small_index.search(text, limite).hits
    assert len(hits) <= limite
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score <= 1 for score in scores)
    assert len(set(codes_of(hits))) == len(hits)


LABELS = [(row[2], row[3]) for row in APPELLATIONS[1:]] + [(row[3], row[0]) for row in FICHES[1:]]


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@given(
    st.sampled_from(LABELS),
    st.sampled_from(
        [
            str.upper,
            lambda label: _strip_accents(label).lower(),
            lambda label: " ".join(
                w + "s" if w.isalpha() and len(w) > 3 else w for w in label.split()
            ),
            lambda label: label.partition(" / ")[2] or label,
        ]
    ),
)
def test_case_accent_plural_and_feminine_variants_find_their_trade(
    small_index: SearchIndex, labelled: tuple[str, str], variant: Callable[[str], str]
) -> None:
    label, code = labelled
    assert code in codes_of(small_index.search(variant(label), limite=3).hits), variant(label)


def test_the_search_follows_the_loads_on_sqlite_and_postgresql(
    any_store: sa.Engine, tmp_path: Path
) -> None:
    search = TradeSearch(any_store, Perimeter.load(None))
    assert search.index().search("soudeuse").hits == []
    load_paths(any_store, [write_rome(tmp_path / "rome")])
    index = search.index()
    assert codes_of(index.search("soudeuse").hits)[0] == "H2913"
    assert search.index() is index
