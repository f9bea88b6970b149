"""The offline index of French places: communes, municipal arrondissements and former communes,
by name and by postal code (standard library only; no network, no Flask).

The data (``data/communes.tsv.gz``, built by ``data/build_communes.py``) is read once per process
and per file by ``load_index``, lazily and thread-safely; nothing is read at import time.
``normalize`` is the one way names are compared (accents, case, punctuation, "St"/"Ste" folded).
``_Index.lookup`` resolves free text (a commune name, a postal code, both, a département in
parentheses or as its own segment, or an address containing them) to candidates best first, the
most populous first, current communes before former ones, Paris, Lyon and Marseille replaced by
their arrondissements when the postal code says which; a bare name is ``ambiguous`` unless its top
commune is ``AMBIGUITY_RATIO`` times more populous than the next. ``_Index.suggest`` gives the
current communes whose names are closest to a query (names it begins, or within two edits: a
misspelt "Loche" suggests Loches), for pages that must not match something else silently.
"""

from __future__ import annotations

import bisect
import gzip
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import accumulate, pairwise
from pathlib import Path
from typing import NamedTuple

DATA_FILE = Path(__file__).resolve().parent / "data" / "communes.tsv.gz"
AMBIGUITY_RATIO = 5  # a bare name is ambiguous unless its top commune is 5x the next one
CURRENT_KINDS = frozenset({"COM", "ARM"})  # COMD/COMA (former communes) are fallbacks only
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_ABBREVIATION = re.compile(r"\b(?:st|ste|sts|stes)\b")
_WORD = re.compile(r"[a-z0-9]+")
_ARTICLES = frozenset({"le", "la", "les", "l", "aux", "las", "los"})
_REGIONS = {"corse": ("2A", "2B"), "reunion": ("974",), "ile de la reunion": ("974",)}
_ARRONDISSEMENT = re.compile(r"^(.+) (\d+)(?:er|e) arrondissement$")
_PARENTHESES = re.compile(r"\(([^)]*)\)")


def normalize(text: str) -> str:
    """Lowercase ASCII words separated by single spaces; accents, hyphens, apostrophes and
    punctuation removed, "st"/"ste" expanded to "saint"/"sainte"."""
    if not text.isascii():
        text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
        text = unicodedata.normalize("NFKD", re.sub(r"[\W_]+", " ", text))
        text = text.encode("ascii", "ignore").decode("ascii")
    text = " ".join(_WORD.findall(text.casefold()))
    return _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m[0]], text) if "st" in text else text


class Commune(NamedTuple):
    """One row of the data file: a commune, a municipal arrondissement or a former commune."""

    insee: str
    name: str
    departement: str
    postal_codes: tuple[str, ...]
    latitude: float
    longitude: float
    population: int | None
    timezone: str
    kind: str
    parent: str

    @property
    def weight(self) -> int:
        return self.population or 0


@dataclass(frozen=True)
class Lookup:
    """Outcome of an offline query: candidates best first (most populous first)."""

    candidates: tuple[Commune, ...]
    postal_code: str | None = None
    match: str = "none"  # "name", "postal_code", with "+postal_code" / "+departement"
    ambiguous: bool = False

    def postal_code_of(self, commune: Commune) -> str | None:
        """The queried postal code if the commune has it, else its first one."""
        if self.postal_code in commune.postal_codes:
            return self.postal_code
        return commune.postal_codes[0] if commune.postal_codes else None


_Token = tuple[str, int]  # a word and the number of its segment


@dataclass
class _Span:
    start: int
    end: int
    whole_segment: bool
    communes: list[Commune]


class _Index:
    """Communes indexed by normalised name and by postal code."""

    def __init__(self, communes: list[Commune], departements: dict[str, str]) -> None:
        self.communes = sorted(communes, key=lambda c: -c.weight)  # so every bucket is sorted
        self.by_name: dict[str, list[Commune]] = defaultdict(list)
        self.by_postal_code: dict[str, list[Commune]] = defaultdict(list)
        self.departement_names: dict[str, tuple[str, ...]] = dict(_REGIONS)
        for code, name in departements.items():
            for key in _names(name):
                self.departement_names[key] = (code,)
        aliases = []
        for commune in self.communes:
            key, *others = _names(commune.name)
            self.by_name[key].append(commune)
            aliases += [(other, commune) for other in others]
            for code in commune.postal_codes:
                self.by_postal_code[code].append(commune)
        for key, commune in aliases:  # after full names: "Vergné" before "La Vergne"
            self.by_name[key].append(commune)
        self.by_name, self.by_postal_code = dict(self.by_name), dict(self.by_postal_code)
        self.max_words = max(key.count(" ") + 1 for key in self.by_name)
        self._name_index: _NameIndex | None = None  # built on the first suggestion
        self._name_index_lock = threading.Lock()

    def complete(
        self, query: str, limit: int = 8, prefer: frozenset[str] = frozenset()
    ) -> list[Commune]:
        """For a place field being typed: current communes whose names begin with the query
        (the ``prefer`` départements first, then the most populous), then close names."""
        key = normalize(query[:100])
        if len(key) < 2:
            return []
        if key.isdigit():  # a postal code being typed
            codes = [code for code in self.by_postal_code if code.startswith(key)]
            communes = {c.insee: c for code in codes for c in self.by_postal_code[code]}
            current = [c for c in communes.values() if c.kind in CURRENT_KINDS]
            current.sort(key=lambda c: (c.departement not in prefer, -c.weight, c.name))
            return current[:limit]
        names = self._name_list()
        found: dict[str, tuple[tuple, Commune]] = {}
        for name in names.starting_with(key, limit=3000, partial=True):
            for commune in self.by_name[name]:
                if commune.kind in CURRENT_KINDS and commune.insee not in found:
                    rank = (commune.departement not in prefer, -commune.weight, commune.name)
                    found[commune.insee] = (rank, commune)
        best = [c for _, c in sorted(found.values(), key=lambda pair: pair[0])][:limit]
        if len(best) < limit:
            seen = {c.insee for c in best}
            close = self.suggest(query, limit=limit, prefer=prefer)
            best += [c for c in close if c.insee not in seen][: limit - len(best)]
        return best

    def _name_list(self) -> _NameIndex:
        names = self._name_index
        if names is None:
            with self._name_index_lock:
                names = self._name_index = self._name_index or _NameIndex(list(self.by_name))
        return names

    def suggest(
        self, query: str, limit: int = 5, prefer: frozenset[str] = frozenset()
    ) -> list[Commune]:
        """Current communes whose names are closest to the query's words, best first: those of
        the ``prefer`` départements, then fewest edits (at most 2, 1 for names of 5 letters or
        less), then names the query begins, the most populous first. The query's own name (same
        normalised form) is left out."""
        key = " ".join(w for w in normalize(query[:200]).split() if not w.isdigit())
        if len(key) < 2:
            return []
        names = self._name_list()
        ranked = dict(names.close_to(key))
        for name in names.starting_with(key):
            ranked.setdefault(name, 3)  # after every close name
        found: dict[str, tuple[tuple, Commune]] = {}
        for name, edits in ranked.items():
            for commune in self.by_name[name]:
                if commune.kind not in CURRENT_KINDS or commune.insee in found:
                    continue
                rank = (commune.departement not in prefer, edits, -commune.weight, commune.name)
                found[commune.insee] = (rank, commune)
        return [c for _, c in sorted(found.values(), key=lambda pair: pair[0])][:limit]

    @classmethod
    def from_file(cls, path: Path) -> _Index:
        communes: list[Commune] = []
        departements: dict[str, str] = {}
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        for line in lines:
            if line.startswith("#"):
                if line.startswith("#dep\t"):
                    _, code, name = line.split("\t")
                    departements[code] = name
                continue
            insee, name, dep, codes, lat, lon, pop, zone, kind, parent = line.split("\t")
            if insee != "insee":  # the header line
                postal_codes = tuple(codes.split(",")) if codes else ()
                population = int(pop) if pop else None
                row = (float(lat), float(lon), population, zone, kind, parent)
                communes.append(Commune(insee, name, dep, postal_codes, *row))
        return cls(communes, departements)

    def lookup(self, query: str) -> Lookup:
        """Resolve free text: a commune name, a postal code, both, or an address containing them."""
        postal_code, hard, soft, segments = self._parse(query)
        tokens = [(word, number) for number, words in enumerate(segments) for word in words]
        spans = self._spans(tokens, segments)
        hinted = self._departement_hint(tokens, segments, spans, postal_code)
        if hinted:  # unless it leads nowhere ("12 rue de Paris"), or only a département was named
            result = self._resolve(hinted[1], postal_code, (hard or set()) | set(hinted[0]), soft)
            if result.candidates or not hinted[1]:
                return result
        return self._resolve(spans, postal_code, hard, soft)

    def _resolve(
        self, spans: list[_Span], postal_code: str | None, hard: set[str] | None, soft: set[str]
    ) -> Lookup:
        """The latest name match that fits the hints, else the postal code's communes."""
        best: tuple[tuple[bool, int, int], list[Commune]] | None = None
        for span in spans:
            found = _filter(span.communes, postal_code, hard, soft)
            rank = (span.whole_segment, span.end, span.end - span.start)
            if found and (best is None or rank > best[0]):
                best = (rank, found)
        if best is not None:
            match = "name" + ("+postal_code" if postal_code else "") + ("+departement" * bool(hard))
            found = best[1]
        elif postal_code:
            match = "postal_code"
            found = _filter(self.by_postal_code[postal_code], None, hard, soft)
        else:
            return Lookup((), None)
        found = self._arrondissements_first(found, postal_code)
        ambiguous = match == "name" and len(found) > 1 and not _dominates(*found[:2])
        return Lookup(tuple(found), postal_code, match, ambiguous)

    def _parse(self, query: str) -> tuple[str | None, set[str] | None, set[str], list[list[str]]]:
        """Postal code, hard and soft département hints, and the words of each segment."""
        postal_code, hard, soft = None, set(), set()

        def hint(match: re.Match[str]) -> str:  # "(93)", "(La Réunion)"; "(Ville)" stays
            words = normalize(match[1])
            codes = self.departement_names.get(words) or _departement_code(words)
            hard.update(codes)
            return " " if codes else f" {match[1]} "

        segments = []
        for text in re.split(r"[,;\n]", _PARENTHESES.sub(hint, query)):
            words = []
            for word in normalize(text).split():
                if len(word) == 5 and word.isdigit():
                    if word in self.by_postal_code:
                        postal_code = word
                    else:  # CEDEX or unknown code: its département is a soft hint
                        soft |= set(_departement_code(word[: 3 if word[:2] == "97" else 2]))
                elif word != "cedex":
                    words.append(word)
            if words and words != ["france"]:
                segments.append(words)
        return postal_code, hard or None, soft, segments

    def _spans(self, tokens: list[_Token], segments: list[list[str]]) -> list[_Span]:
        """Longest name matches inside segments (a match inside a longer one is dropped)."""
        spans = []
        for start in range(len(tokens)):
            for end in range(start + 1, min(len(tokens), start + self.max_words) + 1):
                if tokens[end - 1][1] != tokens[start][1]:
                    break
                communes = self.by_name.get(" ".join(w for w, _ in tokens[start:end]))
                if communes:
                    whole = end - start == len(segments[tokens[start][1]])
                    spans.append(_Span(start, end, whole, communes))
        return [
            s
            for s in spans
            if not any(o is not s and o.start <= s.start and s.end <= o.end for o in spans)
        ]

    def _departement_hint(
        self, tokens: list[_Token], segments: list[list[str]], spans: list[_Span], code: str | None
    ) -> tuple[tuple[str, ...], list[_Span]] | None:
        """A département named or numbered by a whole segment or the end of the query, next to
        a commune name: its codes and the name matches outside it. A query that only names a
        département (and no commune of that name) gives its codes and no match. Words that
        also name a commune with the queried postal code are that commune ("25300 Doubs")."""
        n, starts = len(tokens), list(accumulate(map(len, segments), initial=0))
        bounds = list(pairwise(starts))  # whole segments
        bounds += [(i, n) for i in range(n) if tokens[i][1] == tokens[-1][1]]  # suffixes
        for start, end in bounds:
            words = " ".join(w for w, _ in tokens[start:end])
            codes = self.departement_names.get(words) or _departement_code(words)
            if not codes or any(s.start < start < s.end for s in spans):
                continue  # part of a longer commune name ("Bar-sur-Aube", "Paris 11")
            if code and any(
                (s.start, s.end) == (start, end) and _filter(s.communes, code, None, set())
                for s in spans
            ):
                continue  # also a commune with that postal code ("25300 Doubs")
            rest = [s for s in spans if s.end <= start or s.start >= end]
            whole = (start, end) == (0, n) and not any((s.start, s.end) == (0, n) for s in spans)
            if rest or whole:
                return codes, rest
        return None

    def _arrondissements_first(self, found: list[Commune], code: str | None) -> list[Commune]:
        """Replace Paris, Lyon or Marseille by their arrondissements that have this postal code."""
        arms = [c for c in self.by_postal_code[code] if c.kind == "ARM"] if code else []
        cities = {c.insee for c in found} & {c.parent for c in arms}
        rest = [c for c in found if c.insee not in cities]
        return list(dict.fromkeys([c for c in arms if c.parent in cities] + rest))


class _NameIndex:
    """Normalised names by trigram (for names within a few edits) and in order (for prefixes)."""

    def __init__(self, names: list[str]) -> None:
        self.names = sorted(set(names))
        self.grams: dict[str, list[int]] = defaultdict(list)
        for number, name in enumerate(self.names):
            for gram in set(_trigrams(name)):
                self.grams[gram].append(number)
        self.grams = dict(self.grams)

    def close_to(self, key: str, candidates: int = 60) -> list[tuple[str, int]]:
        """Names within 2 edits of ``key`` (1 for short keys), other than ``key``, with their
        distance: the names sharing the most trigrams are measured."""
        budget = 1 if len(key) <= 5 else 2
        shared: Counter = Counter()
        for gram in set(_trigrams(key)):
            shared.update(self.grams.get(gram, ()))
        found = []
        for number, _count in shared.most_common(candidates * 4):
            name = self.names[number]
            if name == key or abs(len(name) - len(key)) > budget:
                continue
            edits = edit_distance(key, name, budget)
            if edits <= budget:
                found.append((name, edits))
            if len(found) >= candidates:
                break
        return found

    def starting_with(self, key: str, limit: int = 200, partial: bool = False) -> list[str]:
        """Names that begin with ``key`` followed by another word ("azay" → "azay le rideau"),
        or with ``partial``, names that begin with ``key`` at all ("lo" → "loches")."""
        prefix = key if partial else key + " "
        start = bisect.bisect_left(self.names, prefix)
        found = []
        for name in self.names[start : start + limit]:
            if not name.startswith(prefix):
                break
            found.append(name)
        return found


def _trigrams(text: str) -> list[str]:
    padded = f"  {text} "
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insertions, deletions, substitutions, swaps of neighbours) from ``a`` to ``b``;
    ``limit + 1`` as soon as it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def _names(name: str) -> list[str]:
    """Index keys of a name: itself first, then without its article, short arrondissements."""
    key = normalize(name)
    article, _, rest = key.partition(" ")
    keys = [key, rest] if article in _ARTICLES and rest else [key]
    if key.endswith("arrondissement") and (match := _ARRONDISSEMENT.match(key)):
        city, number = match.groups()
        keys += [f"{city} {number}{suffix}" for suffix in ("", "e", "er", "eme")]
    return keys


def _departement_code(text: str) -> tuple[str, ...]:
    code = text.upper()
    if code == "20":
        return ("2A", "2B")
    if re.fullmatch(r"0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6]", code):
        return (code,)
    return ()


def _filter(
    communes: list[Commune], postal_code: str | None, hard: set[str] | None, soft: set[str]
) -> list[Commune]:
    """Communes matching the postal code and département hints, current ones before former."""
    found = [c for c in communes if postal_code is None or postal_code in c.postal_codes]
    if hard is not None:
        found = [c for c in found if c.departement in hard]
    if soft:
        found = [c for c in found if c.departement in soft] or found
    return [c for c in found if c.kind in CURRENT_KINDS] or found


def _dominates(first: Commune, second: Commune) -> bool:
    return first.weight > 0 and first.weight >= AMBIGUITY_RATIO * second.weight


_INDEXES: dict[Path, _Index] = {}
_LOCK = threading.Lock()


def load_index(path: Path = DATA_FILE) -> _Index:
    """The index of a data file, read once per process (thread-safe)."""
    index = _INDEXES.get(path)
    if index is None:
        with _LOCK:
            index = _INDEXES.get(path)
            if index is None:
                index = _INDEXES[path] = _Index.from_file(path)
    return index
