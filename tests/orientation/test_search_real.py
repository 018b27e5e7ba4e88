"""The trade search on the real ROME files: what it indexes (recounted from the raw files with
polars), a handful of the benchmark's queries, its precision@5 over all of them, and the variants
of any real appellation finding it."""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from tremplin.orientation.search import SearchIndex, codes_of
from tremplin.referentials.perimeter import Perimeter

pytestmark = pytest.mark.realdata

QUERIES = Path(__file__).resolve().parents[2] / "benchmarks" / "search_queries.toml"


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, separator=";", infer_schema_length=0)


@pytest.fixture(scope="module")
def index(real_engine: sa.Engine) -> Iterator[SearchIndex]:
    with real_engine.connect() as conn:
        yield SearchIndex.build(conn, Perimeter.load(None))


@pytest.fixture(scope="module")
def appellations(sources_dir: Path) -> pl.DataFrame:
    return _read(sources_dir / "rome" / "metier.csv")


def test_every_fiche_appellation_and_onisep_name_is_indexed(
    index: SearchIndex, sources_dir: Path, appellations: pl.DataFrame
) -> None:
    fiches = _read(sources_dir / "rome" / "rome.csv")
    onisep = _read(sources_dir / "rome" / "rome_metiers_onisep.csv")
    codes = fiches["code_rome"].implode()
    named = appellations.filter(pl.col("code_rome").is_in(codes)).height
    onisep_names = (
        # 149 rows of the file link a fiche to no ONISEP name (the name is empty).
        onisep.filter(pl.col("Code ROME").is_in(codes))
        .filter(pl.col("libellé métier onisep").fill_null("").str.strip_chars() != "")
        .unique(["Code ROME", "libellé métier onisep"])
        .height
    )
    assert len(index.trades) == fiches.height == 609
    assert appellations.height == 11_522
    assert onisep_names == 814
    assert index.size == fiches.height + named + onisep_names


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("soudure", "H2913"),
        ("chaudronnière", "H2902"),
        ("tourneur fraiseur", "H2903"),
        ("frigoriste", "I1306"),
        ("mecanicienne automobile", "I1604"),
    ],
)
def test_queries_find_their_trade_first(index: SearchIndex, query: str, first: str) -> None:
    assert codes_of(index.search(query).hits)[0] == first


def test_a_typo_and_everyday_words_reach_the_trades_meant(index: SearchIndex) -> None:
    # H1504 holds the appellation « Contrôleur électricien / Contrôleuse électricienne ».
    electricians = {"F1602", "I1309", "F1605", "H1504"}
    typo = index.search("electrisien", limite=3).hits
    assert set(codes_of(typo)[:2]) <= electricians
    for hit in typo:
        assert "« electrisien » lu comme « électricien" in hit.pourquoi, hit
    maintenance = {"I1304", "I1310", "I1309", "I1305", "I1603", "I1102", "I1402", "I1302"}
    found = codes_of(index.search("je veux réparer des machines", limite=5).hits)
    assert len(set(found) & maintenance) >= 4
    outdoors = codes_of(index.search("travailler dehors avec mes mains", limite=5).hits)
    assert all(code[0] in "AF" for code in outdoors)


def test_precision_at_5_over_the_benchmark_queries_meets_the_target(index: SearchIndex) -> None:
    document = tomllib.loads(QUERIES.read_text(encoding="utf-8"))
    queries = [(q["texte"], set(q["attendus"])) for q in document["requete"]]
    assert len(queries) >= 40
    scores = [
        len(set(codes_of(index.search(text, limite=5).hits)) & expected) / min(5, len(expected))
        for text, expected in queries
    ]
    assert sum(scores) / len(scores) >= 0.8


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _plural(text: str) -> str:
    return " ".join(
        w + "s" if w.isalpha() and len(w) > 3 and w[-1] not in "sx" else w for w in text.split()
    )


def _feminine(text: str) -> str:
    masculine, _, feminine = text.partition(" / ")
    same_shape = feminine and len(feminine.split()) >= len(masculine.split())
    return feminine if same_shape else text


@settings(deadline=None, max_examples=60)
@given(data=st.data())
def test_case_accent_plural_and_feminine_variants_find_the_appellation(
    index: SearchIndex, appellations: pl.DataFrame, data: st.DataObject
) -> None:
    row = data.draw(st.integers(min_value=0, max_value=appellations.height - 1))
    label = appellations["libelle_appellation_long"][row]
    code = appellations["code_rome"][row]
    variant = data.draw(
        st.sampled_from(
            [
                label,
                label.upper(),
                _strip_accents(label).lower(),
                _plural(label),
                _feminine(label),
            ]
        )
    )
    assert code in codes_of(index.search(variant, limite=10).hits), variant
