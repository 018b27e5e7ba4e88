"""The trade search on a small ROME written in the official formats: ranking, variants,
reasons, limits, and any text asked."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.orientation.conftest import CODES
from tremplin.errors import InputError, NotFound
from tremplin.orientation.search import (
    INDUSTRY_BOOST,
    MAX_LIMIT,
    SearchIndex,
    codes_of,
    search_json,
    trade_path,
)


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
