"""Search keys for streets and the parsing of free-text addresses.

Both sides go through the same folding (case, accents, punctuation, street-type abbreviations,
articles and prepositions), so that «p.zza Saragat 1» and «Piazza Giuseppe Saragat» meet on
the key «piazza giuseppe saragat».
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Street types (DUG, denominazione urbanistica generica): abbreviation, written without dots,
# -> canonical one-word key. The canonical key is the first word of every Street.search_name.
DUG_ALIASES: dict[str, str] = {}
_DUG_TABLE: dict[str, tuple[str, ...]] = {
    "via": ("v", "via"),
    "viale": ("vle", "vl", "viale"),
    "vialetto": ("vialetto",),
    "piazza": ("pza", "pzza", "pz", "piaz", "piazza"),
    "piazzale": ("ple", "pzle", "piazzale"),
    "piazzetta": ("ptta", "pzta", "piazzetta"),
    "corso": ("cso", "crs", "corso"),
    "largo": ("lgo", "largo"),
    "vicolo": ("vic", "vlo", "vicolo"),
    "strada": ("str", "strada"),
    "stradaprovinciale": ("sp", "stradaprovinciale"),
    "stradastatale": ("ss", "stradastatale"),
    "stradacomunale": ("sc", "stradacomunale"),
    "stradavicinale": ("stradavicinale",),
    "localita": ("loc", "localita"),
    "frazione": ("fraz", "frazione"),
    "borgo": ("bgo", "borgo"),
    "lungomare": ("lgm", "lmare", "lungomare"),
    "lungarno": ("lungarno",),
    "scali": ("scali",),
    "scalo": ("scalo",),
    "calata": ("calata",),
    "salita": ("sal", "salita"),
    "scalinata": ("scalinata",),
    "galleria": ("gall", "galleria"),
    "passaggio": ("pass", "passaggio"),
    "traversa": ("trav", "traversa"),
    "rotonda": ("rotonda",),
    "molo": ("molo",),
    "banchina": ("banchina",),
    "ponte": ("ponte",),
    "rampa": ("rampa",),
    "contrada": ("cda", "contrada"),
    "parco": ("parco",),
    "villaggio": ("vill", "villaggio"),
    "vicoletto": ("vicoletto",),
    "lungofiume": ("lungofiume",),
    "fondamenta": ("fondamenta",),
}
for _canonical, _aliases in _DUG_TABLE.items():
    for _alias in _aliases:
        DUG_ALIASES[_alias] = _canonical

# Street types written as two words; looked up before the one-word ones.
_TWO_WORD_DUGS = {
    ("strada", "provinciale"): "stradaprovinciale",
    ("strada", "statale"): "stradastatale",
    ("strada", "comunale"): "stradacomunale",
    ("strada", "vicinale"): "stradavicinale",
}

# Articles and prepositions: left out of keys, so «Via della Madonna» is found as «via madonna».
_STOPWORD_TEXT = """
    a ad agli ai al all alla alle allo con d da dagli dai dal dall dalla dalle dallo de degli dei
    del dell della delle dello di e ed fra gli i il in l la le lo negli nei nel nell nella nelle
    per su sugli sui sul sull sulla sulle sullo tra
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Words placed between the street and the number: «Via Roma n. 12», «civ. 12».
_NUMBER_MARKERS = frozenset({"n", "nr", "num", "numero", "civ", "civico"})
_LATIN_EXPONENTS = ("bis", "ter", "quater", "quinquies", "sexies", "septies", "octies")
_EXPONENT_WORD = r"(?:" + "|".join(_LATIN_EXPONENTS) + r"|[a-z]{1,2})"
_NUMBER_WITH_EXPONENT = re.compile(rf"^(\d{{1,6}})(?:[/-]?({_EXPONENT_WORD})|/(\d{{1,3}}))?$")
_EXPONENT_ONLY = re.compile(rf"^/?(?:({_EXPONENT_WORD})|(\d{{1,3}}))$")
_BARE_NUMBER = re.compile(r"^\d{1,6}/?$")
_POSTAL_CODE = re.compile(r"^\d{5}$")
# Everything that separates words, except the dot and the slash, which carry meaning here.
_SEPARATORS = re.compile(r"[^\w./]+")


def fold(text: str) -> str:
    """Lower case, no accents, punctuation (except «.» and «/») turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    spaced = _SEPARATORS.sub(" ", stripped.lower()).replace("_", " ")
    return " ".join(spaced.split())


def _compact(token: str) -> str:
    return token.replace(".", "")


def _words(text: str) -> list[str]:
    """Folded words with dots as separators («S.Jacopo» -> «s», «jacopo»)."""
    return fold(text).replace(".", " ").replace("/", " ").split()


def _without_stopwords(words: list[str]) -> list[str]:
    kept = [word for word in words if word not in STOPWORDS]
    return kept or words


def street_type_key(street_type: str) -> str:
    """The canonical one-word key of a street type: «P.zza» -> «piazza», «V.le» -> «viale»."""
    words = [_compact(word) for word in fold(street_type).split()]
    words = [word for word in words if word]
    if len(words) >= 2 and (words[0], words[1]) in _TWO_WORD_DUGS:
        return _TWO_WORD_DUGS[(words[0], words[1])]
    joined = "".join(words)
    return DUG_ALIASES.get(joined, joined)


def street_type_words(words: list[str]) -> int:
    """How many leading words (0, 1 or 2) name a street type: «Strada Provinciale X» -> 2."""
    compact = [_compact(fold(word)) for word in words[:2]]
    if len(compact) == 2 and (compact[0], compact[1]) in _TWO_WORD_DUGS:
        return 2
    if compact and len(compact[0]) > 1 and compact[0] in DUG_ALIASES:
        return 1
    return 0


def street_name_words(name: str) -> list[str]:
    """The words of a street name as they are matched: folded, without articles."""
    return _without_stopwords(_words(name))


# Stands for the street type in the key of a street that has none, so that the first word of
# every key is its type; folding never produces it from typed text.
NO_STREET_TYPE = "-"


def street_search_key(*, street_type: str, name: str) -> str:
    """What Street.search_name holds: «via giuseppe garibaldi» (type first, then the words)."""
    return " ".join([street_type_key(street_type) or NO_STREET_TYPE, *street_name_words(name)])


def exponent_normalize(value: str) -> str:
    """«/a», « A », «bis» -> «A», «BIS»: how exponents are stored and compared."""
    return "".join(char for char in fold(value) if char.isalnum()).upper()


@dataclass(frozen=True)
class ParsedAddress:
    """A free-text address split into street type, street words, number and exponent."""

    street_type: str | None
    words: tuple[str, ...]
    number: int | None
    exponent: str

    @property
    def has_street(self) -> bool:
        return bool(self.words)


def _split_street_type(tokens: list[str]) -> tuple[str | None, list[str]]:
    """Take a leading street type off the tokens, whatever its abbreviation («p.zza», «v.»)."""
    if not tokens:
        return None, tokens
    if len(tokens) >= 2:
        pair = (_compact(tokens[0]), _compact(tokens[1]))
        if pair in _TWO_WORD_DUGS:
            return _TWO_WORD_DUGS[pair], tokens[2:]
    first = tokens[0]
    compact = _compact(first)
    if compact in DUG_ALIASES and (len(tokens) > 1 or len(compact) > 1):
        return DUG_ALIASES[compact], tokens[1:]
    # «v.machiavelli», «p.zza.saragat»: the type glued to the name by a dot.
    segments = first.split(".")
    for cut in range(len(segments) - 1, 0, -1):
        head = "".join(segments[:cut])
        if head in DUG_ALIASES:
            rest = " ".join(segment for segment in segments[cut:] if segment)
            return DUG_ALIASES[head], ([rest] if rest else []) + tokens[1:]
    return None, tokens


def _split_number(tokens: list[str]) -> tuple[list[str], int | None, str]:
    """Take the civic number and its exponent off the end: «12/a», «12 a», «12a», «12 bis»."""
    tokens = [token for token in tokens if token not in {".", "/"}]
    # «Via Roma 12, 57123 Livorno» once the comune's name is gone: drop the postal code.
    if (
        len(tokens) >= 2
        and _POSTAL_CODE.match(tokens[-1])
        and any(_NUMBER_WITH_EXPONENT.match(token.strip(".")) for token in tokens[:-1])
    ):
        tokens = tokens[:-1]
    if not tokens:
        return tokens, None, ""
    last = tokens[-1].strip(".")
    match = _NUMBER_WITH_EXPONENT.match(last)
    if match and len(tokens) >= 2:
        exponent = match.group(2) or match.group(3) or ""
        return _drop_marker(tokens[:-1]), int(match.group(1)), exponent_normalize(exponent)
    exponent_match = _EXPONENT_ONLY.match(last)
    if exponent_match and len(tokens) >= 3 and _BARE_NUMBER.match(tokens[-2].strip(".")):
        number = int(tokens[-2].strip("./"))
        exponent = exponent_match.group(1) or exponent_match.group(2)
        return _drop_marker(tokens[:-2]), number, exponent_normalize(exponent)
    return tokens, None, ""


def _drop_marker(tokens: list[str]) -> list[str]:
    if len(tokens) >= 2 and _compact(tokens[-1]) in _NUMBER_MARKERS:
        return tokens[:-1]
    return tokens


def address_parse(text: str) -> ParsedAddress:
    """Split «p.zza Saragat, 1/A» into («piazza», («saragat»,), 1, «A»)."""
    tokens = fold(text).split()
    street_type, tokens = _split_street_type(tokens)
    tokens, number, exponent = _split_number(tokens)
    words = street_name_words(" ".join(tokens))
    return ParsedAddress(
        street_type=street_type, words=tuple(words), number=number, exponent=exponent
    )


@lru_cache(maxsize=20_000)
def street_parse(text: str) -> ParsedAddress:
    """A street written alone, without a civic number: «V.le Italia» -> («viale», («italia»,)).
    Unlike address_parse, a number at the end stays in the name («Via 4 Novembre»)."""
    street_type, tokens = _split_street_type(fold(text).split())
    words = street_name_words(" ".join(tokens))
    return ParsedAddress(street_type=street_type, words=tuple(words), number=None, exponent="")


def words_match(query_words: tuple[str, ...], street_words: list[str]) -> bool:
    """Every query word is the start of a different street word («g» ↔ «giuseppe»).

    Numbers must be equal, so that «via 4 novembre» does not match «via 40 novembre».
    """
    return _assign(query_words, street_words) is not None


def _word_fits(query_word: str, street_word: str) -> bool:
    if query_word.isdigit():
        return query_word == street_word
    return street_word.startswith(query_word)


def _assign(query_words: tuple[str, ...], street_words: list[str]) -> list[int] | None:
    """Indices of the street words the query words take, longest query words first."""
    used: list[int] = []
    for query_word in sorted(query_words, key=len, reverse=True):
        for index, street_word in enumerate(street_words):
            if index not in used and _word_fits(query_word, street_word):
                used.append(index)
                break
        else:
            return None
    return used


def match_quality(query_words: tuple[str, ...], street_words: list[str]) -> int:
    """How well the query names the street: 3 same words, 2 every word given (maybe as an
    initial), 1 some words left out («garibaldi» for «giuseppe garibaldi»), 0 no match."""
    used = _assign(query_words, street_words)
    if used is None:
        return 0
    if sorted(query_words) == sorted(street_words):
        return 3
    if len(used) == len(street_words):
        return 2
    return 1


_ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_LOWER_IN_NAMES = STOPWORDS - {"a", "e", "i"}


def display_case(text: str, *, after_street_type: bool = False) -> str:
    """«VIA DELL'INDIPENDENZA» -> «Via dell'Indipendenza»; «XX SETTEMBRE» keeps its numerals.

    Only texts written all in capitals are changed: mixed case is the author's choice. A name
    that follows its street type keeps a leading article in lower case («del Municipio»).
    """
    text = " ".join((text or "").split())
    if not text or text != text.upper():
        return text
    result: list[str] = []
    for position, word in enumerate(text.split(" ")):
        parts = re.split(r"(['’])", word)
        cased = []
        for index, part in enumerate(parts):
            lower = part.lower()
            if part in {"'", "’"} or not part:
                cased.append(part)
            elif lower in _LOWER_IN_NAMES:
                first = not (position or index or after_street_type)
                cased.append(lower.capitalize() if first else lower)
            elif len(part) > 1 and _ROMAN.match(part.upper()):
                cased.append(part.upper())
            else:
                cased.append(lower[:1].upper() + lower[1:])
        result.append("".join(cased))
    return " ".join(result)
