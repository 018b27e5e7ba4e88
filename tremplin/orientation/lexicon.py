"""The French analyser of the trade search, and its small lexicon of everyday words.

**Analyser** (:func:`analyse`): a text becomes a list of *terms*, the same way for the indexed
labels and for a young person's query, so that spelling variants meet:

1. folded (:func:`fold`): lower case, accents and ligatures removed (« Œ » → « oe »),
   apostrophes and punctuation become spaces;
2. split into words; French grammatical words and the verbs of a wish (« je veux », « aimer »,
   « faire »…, :data:`STOPWORDS`) are dropped;
3. each word is reduced to a *stem* (:func:`stem`): plural removed (« machines », « métaux » →
   « métal »), feminine forms brought to the masculine (« soudeuse » → « soudeur »,
   « conductrice » → « conducteur », « électricienne », « chaudronnière », « maçonne »…), a final
   « e » dropped and doubled letters made single (« métallier » and « métalier » meet).

A stem also has a *root* (:func:`root`), the stem without its derivation suffix, so that the
activity meets the trade: « soudure » and « soudeur » (soud), « usinage » and « usineur »,
« chaudronnerie » and « chaudronnier », « informatique » and « informaticien ».

**Lexicon** (:data:`EVERYDAY_WORDS`): words a young person uses that no ROME label contains, or
not in that sense, each with the label words or the ROME codes (a fiche « H2913 », a
professional domain « A12 » or a grand domaine « F ») it stands for. It is deliberately short and
written by hand; every entry is a judgement a counsellor can read and change here.
"""

from __future__ import annotations

import re
import unicodedata

from unidecode import unidecode

_STOPWORD_TEXT = """
    a au aux avec ce ces cet cette chez d dans de des du elle en et etre il j je l la le les leur
    m ma me mes moi mon n ne ni nous on ou par pas pour qu que qui s sa se ses si son sur t ta te
    tes toi ton tu un une vos votre vous y
    aim aime aimer aimerai aimerais adore adorer envie veux voudrai voudrais vouloir souhait
    souhaite souhaiterais fair faire fais devenir deviens metier metiers travail travailler
    travaille bosser boulot emploi plus tres bien beaucoup truc trucs chose choses quelque
    quelqu occuper apprendre
    """
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
"""Folded words that say nothing of a trade: grammatical words, and the verbs and nouns of a
wish (« je veux faire un métier où… ») — « travail » too, which is in hundreds of labels."""

EVERYDAY_WORDS: dict[str, tuple[str, ...]] = {
    # Repairing, machines, technique
    "reparer": ("maintenance", "depanneur", "reparateur", "mecanicien", "I13", "I16"),
    "reparation": ("maintenance", "depanneur", "reparateur", "mecanicien", "I13", "I16"),
    "depanner": ("depanneur", "maintenance", "I13"),
    "entretenir": ("maintenance", "entretien"),
    "machine": ("maintenance", "machine", "industriel", "I1304", "I1310", "I1309", "I1302"),
    "moteur": ("mecanicien", "moteur", "I16"),
    "voiture": ("automobile", "I1604", "I1606"),
    "auto": ("automobile",),
    "moto": ("motocycle", "I1607"),
    "avion": ("aeronautique", "avion", "I1602"),
    "robot": ("robotique", "automaticien", "H1208", "I1302"),
    "code": ("developpeur", "informatique"),
    "coder": ("developpeur", "informatique", "M1805"),
    "programmer": ("developpeur", "programmeur", "M1805"),
    "ordinateur": ("informatique", "M18", "I1401"),
    "jeux video": ("jeu", "video", "developpeur"),
    # Metal, making things
    "metal": ("metal", "metallier", "chaudronnier", "soudeur", "H29"),
    "fer": ("metal", "ferronnier", "forgeron", "metallier"),
    "souder": ("soudeur",),
    "soudure": ("soudeur",),
    "fabriquer": ("fabrication", "H29", "H2"),
    "construire": ("construction", "batiment", "F1", "F15", "F17"),
    "batir": ("construction", "batiment", "F17"),
    "bois": ("bois", "menuisier", "charpentier", "ebeniste"),
    "dessiner": ("dessinateur", "designer", "graphiste"),
    "dessin": ("dessinateur", "designer"),
    "electricite": ("electricien", "electrique", "electrotechnique"),
    "courant": ("electricien",),
    "chantier": ("chantier", "F"),
    # Outside, hands, nature, animals
    "dehors": (
        "A1201",
        "A1202",
        "A1203",
        "A1205",
        "A14",
        "F15",
        "F1619",
        "F1610",
        "F1702",
        "F1703",
        "F1705",
        "F1707",
        "F1709",
    ),
    "exterieur": ("A12", "A14", "F15", "F17", "F1619"),
    "nature": ("A12", "A1205", "A14", "espaces verts"),
    "main": ("manuel", "artisan", "A12", "A14", "F15", "F16", "F17", "H29", "I16", "B18", "D11"),
    "manuel": ("artisan", "A12", "A14", "F15", "F16", "F17", "H29", "I16"),
    "animal": (
        "animal",
        "animalier",
        "elevage",
        "eleveur",
        "A15",
        "A1407",
        "A1408",
        "A1409",
        "A1410",
        "A1411",
        "A1421",
        "D1210",
    ),
    "bete": ("animal", "animalier", "eleveur", "A15"),
    "plante": ("horticulteur", "jardinier", "A1203", "A1414"),
    "fleur": ("fleuriste", "horticulteur"),
    "jardin": ("jardinier", "paysagiste"),
    # People
    "enfant": (
        "enfant",
        "petite enfance",
        "puericulture",
        "K1303",
        "K1202",
        "K1307",
        "K1310",
        "J1304",
        "K1308",
        "K1309",
    ),
    "bebe": ("petite enfance", "puericulture", "J1304", "K1303"),
    "soigner": ("soin", "soignant", "infirmier", "J1"),
    "soin": ("soin", "soignant", "J1"),
    "gens": ("J1", "K12", "K13"),
    "malade": ("soignant", "infirmier", "J15"),
    "vieux": ("personne agee", "K1302", "K1304", "K1301"),
    "aider": ("aide", "accompagnement", "K13", "K12"),
    "vendre": ("vendeur", "commercial", "vente", "D14", "D12", "D15"),
    "cuisine": ("cuisinier", "cuisine"),
    "cuisiner": ("cuisinier", "cuisine", "G16"),
    "gateau": ("patissier", "D1104"),
    "pain": ("boulanger", "D1102"),
    # Moving things and people
    "conduire": ("conducteur", "chauffeur"),
    "camion": ("poids lourd", "routier", "N4101", "N4105"),
    "bus": ("autocar", "N4103"),
    "train": ("N4301", "ferroviaire"),
    "livrer": ("livreur", "N4105", "N4104"),
    "colis": ("preparateur commande", "manutentionnaire", "N1103", "N1105"),
    "ordi": ("informatique", "M18", "I1401"),
    "informatique": ("informatique", "informaticien", "M18", "I1401"),
    "internet": ("web", "M1805", "E1101"),
    "mode": ("styliste", "couturier", "B1805", "B1803"),
    "vetement": ("couturier", "habillement", "B1803", "H2402"),
    "sport": ("sportif", "G12"),
    "musique": ("musicien", "L1202", "B1501"),
    "cheveux": ("coiffeur",),
    "maquillage": ("maquilleur", "estheticien"),
}
"""Everyday words (keys folded and reduced by the analyser at build time) and what they stand
for: label words (analysed the same way) or ROME codes and code prefixes (upper case)."""

INTERESTS: tuple[tuple[str, str], ...] = (
    ("Réparer, entretenir des machines", "réparer des machines"),
    ("Travailler le métal, souder", "souder du métal"),
    ("Fabriquer, usiner des pièces", "usinage"),
    ("L’électricité et l’électronique", "électricité électronique"),
    ("Les robots et l’automatisme", "robotique"),
    ("Dessiner, concevoir des produits", "dessin industriel"),
    ("Travailler dehors avec ses mains", "travailler dehors avec mes mains"),
    ("Construire des bâtiments", "construire des bâtiments"),
    ("Le bois", "bois"),
    ("Conduire, livrer", "conduire des camions"),
    ("L’informatique", "informatique"),
    ("Cuisiner", "faire la cuisine"),
    ("Soigner les gens", "soigner les gens"),
    ("S’occuper des enfants", "m'occuper des enfants"),
    ("Les animaux", "travailler avec les animaux"),
    ("Vendre, conseiller", "vendre"),
)
"""Browsing by interest: a title and the query it runs (shown on the orientation page)."""

_CODE = re.compile(r"^[A-N](?:[0-9]{2}(?:[0-9]{2})?)?$")
_WORD = re.compile(r"[a-z0-9]+")
_FEMININE = (
    ("eresse", "eur"),
    ("euse", "eur"),
    ("trice", "teur"),
    ("ienne", "ien"),
    ("iere", "ier"),
    ("onne", "on"),
    ("ette", "et"),
    ("elle", "el"),
    ("ere", "er"),
    ("ive", "if"),
)
_DERIVATIONS = (
    "isation",
    "ation",
    "icien",
    "iqu",
    "ism",
    "ist",
    "eri",
    "eur",
    "ier",
    "ien",
    "ion",
    "ant",
    "ag",
    "ur",
    "er",
    "if",
    "al",
    "el",
    "i",
)
_MIN_ROOT = 4


def is_code(token: str) -> bool:
    """True for a ROME code or code prefix as the lexicon writes them (``H2913``, ``A12``,
    ``F``)."""
    return bool(_CODE.match(token))


def fold(text: str) -> str:
    """Lower case, without accents or ligatures; anything but letters and digits becomes a
    space (« Chaudronnière d'art » → « chaudronniere d art »)."""
    normalised = unicodedata.normalize("NFC", text)
    ascii_text = unidecode(normalised).lower()
    return " ".join(_WORD.findall(ascii_text))


def _single_letters(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


def stem(word: str) -> str:
    """The stem of a folded word: plural, feminine and final « e » removed, doubled letters
    made single (« soudeuses » → « soudeur », « métaux » → « metal », « maçonne » → « macon »,
    « métallière » → « metalier »). Words of three letters or fewer are kept as they are."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("aux") and len(word) > 4:
        word = word[:-3] + "al"
    elif word.endswith(("s", "x")) and not word.endswith("ss"):
        word = word[:-1]
    for suffix, replacement in _FEMININE:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return _single_letters(word)


def root(stem_: str) -> str:
    """The stem without its derivation suffix, when at least four letters remain: « soudur »
    and « soudeur » → « soud », « usinag » → « usin », « informatiqu » → « informat »."""
    for suffix in _DERIVATIONS:
        if stem_.endswith(suffix) and len(stem_) - len(suffix) >= _MIN_ROOT:
            return stem_[: -len(suffix)]
    return stem_


def words(text: str) -> list[str]:
    """The folded words of ``text`` that are not stopwords, in order."""
    return [w for w in fold(text).split() if w not in STOPWORDS and len(w) > 1]


def analyse(text: str) -> list[str]:
    """The stems of ``text``'s words, in order, without stopwords (repeats kept)."""
    return [stem(w) for w in words(text)]
