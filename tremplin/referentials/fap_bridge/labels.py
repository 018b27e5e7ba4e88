"""Label similarity for the FAP bridge: tokens, rarity-weighted similarity, the socio-
professional class and qualification a label or code says, and the FAP 2021 shape of a code."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet

from unidecode import unidecode

_STOPWORDS = frozenset((
    "a", "au", "aux", "autre", "autres", "avec", "c", "d", "dans", "de", "des", "divers",
    "diverses", "du", "en", "et", "etc", "hors", "l", "la", "le", "les", "leur", "ou", "par",
    "pour", "sans", "sauf", "sur", "un", "une", "y", "yc", "compris", "salaries", "moins", "plus",
))  # fmt: skip
_SUFFIXES = (
    "ements", "ement", "ations", "ation", "iennes", "ienne", "iens", "ien", "euses", "euse",
    "eurs", "eur", "ieres", "iere", "iers", "ier", "iques", "ique", "eries", "erie", "ages",
    "age", "ites", "ite", "istes", "iste", "ures", "ure", "ees", "ee", "es", "e", "s", "x",
)  # fmt: skip
_NOT_QUALIFIED = re.compile(r"\b(?:non|peu)[\s-]+qualifie?e?s?\b")
_QUALIFIED = re.compile(r"\bqualifie?e?s?\b")
_KEEP = frozenset({"nonqualif", "qualif"})
_STEM_LENGTH = 4


def _stem(word: str) -> str:
    """A light French stem: one common suffix off, then the first four letters (« soudeurs »
    and « soudage » → ``soud``; « impression » and « imprimerie » → ``impr``)."""
    if word in _KEEP:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:_STEM_LENGTH]


def tokens(text: str | None) -> list[str]:
    """The comparable tokens of a label: ASCII, lower case, no stop words, stemmed; « non /
    peu qualifiés » becomes ``nonqualif`` and « qualifiés » ``qualif``."""
    return list(_tokens(text or ""))


@functools.lru_cache(maxsize=1 << 16)
def _tokens(text: str) -> tuple[str, ...]:
    # The bridge compares the same few thousand labels again and again.
    plain = unidecode(text).lower()
    plain = _QUALIFIED.sub(" qualif ", _NOT_QUALIFIED.sub(" nonqualif ", plain))
    words = re.findall(r"[a-z]+", plain)
    return tuple(_stem(w) for w in words if len(w) > 1 and w not in _STOPWORDS)


@functools.lru_cache(maxsize=1 << 16)
def _token_set(text: str) -> frozenset[str]:
    return frozenset(_tokens(text))


def token_similarity(a: str, b: str, weights: Mapping[str, float] | None = None) -> float:
    """Weighted Dice coefficient of the token sets of ``a`` and ``b``, in [0, 1].

    Symmetric; 1 for identical strings. Weights are non-negative; tokens absent from ``weights``
    weigh 1. Two strings without any token (only stop words or punctuation) are similar when
    they are equal.
    """
    left, right = _token_set(a), _token_set(b)
    if left and left == right:
        return 1.0
    if not left or not right:
        return 1.0 if a.strip().lower() == b.strip().lower() else 0.0
    return _dice(left, right, weights or {})


def token_weight(weights: Mapping[str, float], token: str) -> float:
    return weights.get(token, 1.0)


def _dice(left: AbstractSet[str], right: AbstractSet[str], weights: Mapping[str, float]) -> float:
    total = sum(token_weight(weights, t) for t in left) + sum(
        token_weight(weights, t) for t in right
    )
    common = sum(token_weight(weights, t) for t in left & right)
    return min(1.0, 2.0 * common / total) if total else 0.0


def rarity_weights(documents: Iterable[set[str]]) -> dict[str, float]:
    """Inverse document frequency, so that « ouvriers » or « techniciens » count less than
    « soudage » or « chaudronnerie »."""
    docs = list(documents)
    counts = Counter(t for d in docs for t in d)
    return {t: math.log(1.0 + len(docs) / n) for t, n in counts.items()}


# --- socio-professional class and qualification ------------------------------------------------

_CLASS_WORDS = {
    _stem(word): social_class
    for social_class, words in (
        ("O", "ouvriers ouviers operateurs manutentionnaires artisans agriculteurs"),
        ("E", "employes"),
        ("T", "techniciens maitrise"),
        ("C", "ingenieurs cadres directeurs dirigeants"),
    )
    for word in words.split()  # « ouviers »: a typo of the FAP 2021 file (E3X20, E3X40)
}


def class_of_number(code: str) -> str:
    """FAP 2009 and 2021 share the meaning of the two-digit number: below 50 workers (and
    self-employed farmers), 50-69 employees, 70-89 technicians and supervisors, 90+ executives."""
    number = int(code[3:5]) if code[3:5].isdigit() else 0
    return "O" if number < 50 else "E" if number < 70 else "T" if number < 90 else "C"


def classes_2021(code: str, label_tokens: set[str]) -> set[str]:
    return {class_of_number(code)} | {_CLASS_WORDS[t] for t in label_tokens if t in _CLASS_WORDS}


def qualification_2009(code: str) -> str | None:
    number = int(code[3:5]) if code[3:5].isdigit() else 0
    return "NQ" if 20 <= number < 30 else "Q" if 40 <= number < 50 else None


def qualification_2021(label_tokens: set[str]) -> str | None:
    if "nonqualif" in label_tokens:
        return "NQ"
    return "Q" if "qualif" in label_tokens else None


def to_2021_shape(fap2009: str) -> str:
    """The FAP 2021 code a FAP 2009 code would have kept: ``D2Z42`` → ``D2X42`` (``Z`` → ``X``;
    the ``A`` / ``B`` of ``G0A40`` or ``T2B60`` stay)."""
    return fap2009[:2] + ("X" if fap2009[2:3] == "Z" else fap2009[2:3]) + fap2009[3:]
