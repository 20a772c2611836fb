"""Reads of the stradario: address autocomplete and geocoding of free-text addresses.

Streets are narrowed in the database on Street.search_name (one filter per typed word) and the
few that remain are ranked here; civic numbers are then fetched through the
(street, number, exponent) index. No query reads the whole stradario.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Avg, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportello.core.models import Municipality
from sportello.core.selectors import municipality_get
from sportello.places.models import CivicNumber, Street
from sportello.places.normalize import (
    ParsedAddress,
    address_parse,
    fold,
    match_quality,
    words_match,
)

# Streets fetched per query before ranking: a short or very common word stops here.
STREET_CANDIDATES = 200
MAX_LIMIT = 50


class AddressMatchKind(models.TextChoices):
    STREET = "street", gettext_lazy("strada")
    CIVIC_NUMBER = "civic_number", gettext_lazy("numero civico")


class GeocodeStatus(models.TextChoices):
    FOUND = "found", gettext_lazy("trovato")
    AMBIGUOUS = "ambiguous", gettext_lazy("ambiguo")
    NOT_FOUND = "not_found", gettext_lazy("non trovato")


@dataclass(frozen=True)
class AddressMatch:
    """One autocomplete suggestion: a civic number, or a street when no number matches.

    `id` is the CivicNumber id (None for a street); a street's position is the mean of its
    civic numbers, or None when it has none.
    """

    kind: AddressMatchKind
    id: int | None
    street_id: int
    label: str
    street: str
    number: str | None
    latitude: float | None
    longitude: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": str(self.kind),
            "street_id": self.street_id,
            "label": self.label,
            "street": self.street,
            "number": self.number,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }


@dataclass(frozen=True)
class GeocodeResult:
    """The civic number a text names, or why there is none: ambiguous (see candidates) or not
    found (see reason, and candidates as suggestions)."""

    status: GeocodeStatus
    civic_number: CivicNumber | None = None
    candidates: list[AddressMatch] = field(default_factory=list)
    reason: str = ""

    @property
    def found(self) -> bool:
        return self.status == GeocodeStatus.FOUND


@dataclass(frozen=True)
class _Candidate:
    street: Street
    quality: int  # see normalize.match_quality; 0 for a street found only ignoring its type
    type_matches: bool


def _word_filter(word: str) -> Q:
    # Every word of search_name but the first (the street type) follows a space.
    return Q(search_name__startswith=word) | Q(search_name__contains=f" {word}")


def _street_candidates(parsed: ParsedAddress) -> list[_Candidate]:
    """Streets the parsed address may name, best first.

    A typed street type must match; when no street of that type matches, the type is read as
    one more word («via italia» then finds «Viale Italia»).
    """
    if not parsed.words:
        return []
    candidates = _streets_matching(parsed.words, street_type=parsed.street_type)
    if candidates or parsed.street_type is None:
        return candidates
    return _streets_matching((parsed.street_type, *parsed.words), street_type=None, loose=True)


# How alike a typed name and a street's must be to suggest it (difflib ratio, 0-1).
SIMILAR_CUTOFF = 0.75


def _streets_similar(parsed: ParsedAddress, *, limit: int = 3) -> list[Street]:
    """Streets whose name is spelt nearly like the typed one («Via Grnade» -> Via Grande), the
    closest first: difflib's ratio on the folded names, without the street type."""
    typed = " ".join(parsed.words)
    by_name: dict[str, list[int]] = {}
    for pk, search_name in Street.objects.values_list("pk", "search_name"):
        _type_word, _space, name = search_name.partition(" ")
        by_name.setdefault(name, []).append(pk)
    close = difflib.get_close_matches(typed, list(by_name), n=limit, cutoff=SIMILAR_CUTOFF)
    order = [pk for name in close for pk in by_name[name]]
    streets = Street.objects.in_bulk(order)
    return [streets[pk] for pk in order][:limit]


def _streets_matching(
    words: tuple[str, ...], *, street_type: str | None, loose: bool = False
) -> list[_Candidate]:
    streets = Street.objects.all()
    if street_type:
        streets = streets.filter(search_name__startswith=f"{street_type} ")
    for word in set(words):
        streets = streets.filter(_word_filter(word))
    candidates: list[_Candidate] = []
    for street in streets.order_by("search_name")[:STREET_CANDIDATES]:
        street_type_word, *name_words = street.search_name.split()
        if loose:
            quality = 0 if words_match(words, [street_type_word, *name_words]) else -1
        else:
            quality = match_quality(words, name_words)
            if quality == 0 and street_type is None:
                # No type typed: the words may include the street's own (unlisted) type.
                quality = 1 if words_match(words, [street_type_word, *name_words]) else 0
            quality = quality or -1
        if quality >= 0:
            candidates.append(
                _Candidate(street=street, quality=quality, type_matches=street_type is not None)
            )
    candidates.sort(
        key=lambda candidate: (
            -candidate.quality,
            len(candidate.street.search_name),
            candidate.street.search_name,
        )
    )
    return candidates


def _civic_match(civic: CivicNumber) -> AddressMatch:
    return AddressMatch(
        kind=AddressMatchKind.CIVIC_NUMBER,
        id=civic.pk,
        street_id=civic.street_id,
        label=f"{civic.street.full_name} {civic.label}",
        street=civic.street.full_name,
        number=civic.label,
        latitude=civic.latitude,
        longitude=civic.longitude,
    )


def _street_matches(streets: list[Street]) -> list[AddressMatch]:
    centres = {
        row["street_id"]: row
        for row in CivicNumber.objects.filter(street_id__in=[street.pk for street in streets])
        .values("street_id")
        .annotate(latitude=Avg("latitude"), longitude=Avg("longitude"))
    }
    matches = []
    for street in streets:
        centre = centres.get(street.pk, {})
        matches.append(
            AddressMatch(
                kind=AddressMatchKind.STREET,
                id=None,
                street_id=street.pk,
                label=street.full_name,
                street=street.full_name,
                number=None,
                latitude=centre.get("latitude"),
                longitude=centre.get("longitude"),
            )
        )
    return matches


def _rank_civics(
    civics: list[CivicNumber], *, parsed: ParsedAddress, street_rank: dict[int, int]
) -> list[CivicNumber]:
    return sorted(
        civics,
        key=lambda civic: (
            civic.number != parsed.number,
            civic.exponent != parsed.exponent,
            street_rank[civic.street_id],
            civic.number,
            civic.exponent,
        ),
    )


def address_search(*, query: str, limit: int = 10) -> list[AddressMatch]:
    """Suggestions for what is being typed: civic numbers with that number first (the exact
    exponent before the others), then numbers that start with the typed digits, then streets."""
    limit = max(1, min(limit, MAX_LIMIT))
    parsed = address_parse(query)
    candidates = _street_candidates(parsed)[:limit]
    if not candidates:
        # A misspelt name: offer the streets spelt nearly like it.
        return _street_matches(_streets_similar(parsed)) if parsed.words else []
    streets = [candidate.street for candidate in candidates]
    if parsed.number is None:
        return _street_matches(streets)
    street_rank = {street.pk: rank for rank, street in enumerate(streets)}
    number = parsed.number
    civics = list(
        CivicNumber.objects.filter(street_id__in=street_rank)
        .filter(
            Q(number=number)
            | Q(number__range=(number * 10, number * 10 + 9))
            | Q(number__range=(number * 100, number * 100 + 99))
        )
        .select_related("street")
        .order_by("number", "exponent")[: limit * 5]
    )
    matches = [
        _civic_match(civic)
        for civic in _rank_civics(civics, parsed=parsed, street_rank=street_rank)
    ]
    if not matches:
        # The street exists but not that number: show the street, so the user sees why.
        return _street_matches(streets)
    return matches[:limit]


def _strip_municipality(text: str, municipality: Municipality | None) -> str:
    """«Via Roma 12, 57123 Livorno (LI)» -> «via roma 12 57123»: the comune is implied."""
    words = fold(text).split()
    if municipality is None:
        return " ".join(words)
    province = fold(municipality.province)
    for name in {fold(municipality.short_name), fold(municipality.name)}:
        name_words = name.split()
        size = len(name_words)
        if not size:
            continue
        if province and words[-1:] == [province] and words[-1 - size : -1] == name_words:
            words = words[:-1]
        if len(words) > size and words[-size:] == name_words:
            words = words[:-size]
    return " ".join(words)


def address_geocode(*, text: str) -> GeocodeResult:
    """The one civic number a free-text address names («v. g. garibaldi 12/a, Livorno»)."""
    parsed = address_parse(_strip_municipality(text, municipality_get()))
    if not parsed.words:
        # «Via Livorno» in Livorno: the comune's name was the street's.
        parsed = address_parse(text)
    if not parsed.words:
        return GeocodeResult(
            status=GeocodeStatus.NOT_FOUND,
            reason=_("Scrivi il nome della strada e il numero civico."),
        )
    candidates = _street_candidates(parsed)
    if not candidates:
        similar = _streets_similar(parsed)
        reason = _("Nessuna strada dello stradario corrisponde a «%(text)s».") % {
            "text": text.strip()
        }
        if similar:
            reason += " " + _("Forse intendevi: %(streets)s?") % {
                "streets": ", ".join(street.full_name for street in similar)
            }
        return GeocodeResult(
            status=GeocodeStatus.NOT_FOUND, candidates=_street_matches(similar), reason=reason
        )
    streets = [candidate.street for candidate in candidates]
    if parsed.number is None:
        return GeocodeResult(
            status=GeocodeStatus.NOT_FOUND,
            candidates=_street_matches(streets[:10]),
            reason=_("Manca il numero civico."),
        )
    street_rank = {street.pk: rank for rank, street in enumerate(streets)}
    civics = _rank_civics(
        list(
            CivicNumber.objects.filter(street_id__in=street_rank, number=parsed.number)
            .select_related("street")
            .order_by("exponent")
        ),
        parsed=parsed,
        street_rank=street_rank,
    )
    wanted = f"{parsed.number}/{parsed.exponent}" if parsed.exponent else str(parsed.number)
    exact = [civic for civic in civics if civic.exponent == parsed.exponent]
    if not exact:
        if not civics:
            street_names = ", ".join(street.full_name for street in streets[:3])
            return GeocodeResult(
                status=GeocodeStatus.NOT_FOUND,
                candidates=_street_matches(streets[:10]),
                reason=_("Il numero civico %(number)s non risulta in %(streets)s.")
                % {"number": wanted, "streets": street_names},
            )
        if parsed.exponent:
            return GeocodeResult(
                status=GeocodeStatus.NOT_FOUND,
                candidates=[_civic_match(civic) for civic in civics],
                reason=_("Il numero civico %(number)s non risulta; esistono: %(existing)s.")
                % {"number": wanted, "existing": ", ".join(civic.label for civic in civics)},
            )
        return GeocodeResult(
            status=GeocodeStatus.AMBIGUOUS,
            candidates=[_civic_match(civic) for civic in civics],
            reason=_("Il numero civico %(number)s ha degli esponenti: scegli quale.")
            % {"number": wanted},
        )
    if len(exact) > 1 and parsed.street_type:
        # A typed type and the exact name decide between «Via Roma» and «Via Roma Vecchia».
        quality = {candidate.street.pk: candidate for candidate in candidates}
        perfect = [
            civic
            for civic in exact
            if quality[civic.street_id].quality == 3 and quality[civic.street_id].type_matches
        ]
        if len(perfect) == 1:
            exact = perfect
    if len(exact) == 1:
        return GeocodeResult(status=GeocodeStatus.FOUND, civic_number=exact[0])
    return GeocodeResult(
        status=GeocodeStatus.AMBIGUOUS,
        candidates=[_civic_match(civic) for civic in exact],
        reason=_("Più strade hanno il numero civico %(number)s: scegli quella giusta.")
        % {"number": wanted},
    )


def civic_number_get(*, civic_number_id: int) -> CivicNumber | None:
    return CivicNumber.objects.select_related("street").filter(pk=civic_number_id).first()


def street_civic_numbers_near(*, street_id: int, number: int, limit: int = 8) -> list[AddressMatch]:
    """The civic numbers of a street closest to `number`: suggestions when the one typed does
    not exist («Via Grande 10» where the street has 8 and 12)."""
    civics = list(CivicNumber.objects.filter(street_id=street_id).select_related("street")[:2000])
    civics.sort(key=lambda civic: (abs(civic.number - number), civic.number, civic.exponent))
    return [_civic_match(civic) for civic in civics[:limit]]
