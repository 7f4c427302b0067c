"""Likely duplicates among person values, proposed to librarians for a one-click merge.

One person often ends up under several values: a source's surname beside the full name
("Reagan" / "Ronald Reagan"), a middle initial or not ("Martin T. Sosnoff" / "Martin
Sosnoff"), a spelling variant ("George Schultz" / "George Shultz"). `propose_merges` finds
such pairs among the values the archive holds, from three signs:

- the same surname, where one name is the surname alone or the first names agree (an
  initial fits the name it starts: "J. Baker" / "James Baker");
- a small edit distance between two full names with the same first name (rapidfuzz);
- shared stories: a surname alone is proposed only when it shares a story with the full
  name (the "Santana" of one story need not be the Carlos Santana of another).

Two names the authority file holds as different people (George Bush, George W. Bush) are
never proposed.

Each proposal merges the rarer value into the more frequent one; a librarian accepts it
with the archive's own audited merge (Curator.merge), so it can be undone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz

from .persons import SUFFIXES, name_key

SPELLING_SIMILARITY = 88  # rapidfuzz ratio (0-100) of two full names with the same first name
MAX_PROPOSALS = 200


@dataclass(frozen=True)
class Proposal:
    source: str  # the value that goes
    target: str  # the value it becomes
    reason: str  # "surname", "initials" or "spelling"
    source_count: int
    target_count: int
    shared: int  # stories holding both values

    @property
    def score(self) -> float:
        """Shared stories weigh most, then how much rarer the value that goes is."""
        return self.shared + self.source_count / (self.source_count + self.target_count)


def propose_merges(values_with_counts: Mapping[str, int],
                   cooccurrence: Callable[[str, str], int],
                   distinct: Iterable[str] = ()) -> list[Proposal]:
    """Proposals, most likely first. `values_with_counts`: person value -> articles holding
    it; `cooccurrence(a, b)`: articles holding both values; `distinct`: names known to be
    different people (the authority file's), never merged into one another."""
    known = set(distinct)
    proposals: dict[tuple[str, str], Proposal] = {}
    for source, target, reason in _candidate_pairs(values_with_counts):
        if source in known and target in known:
            continue
        shared = cooccurrence(source, target)
        if reason == "surname" and not shared:
            continue
        proposal = Proposal(source, target, reason, values_with_counts[source],
                            values_with_counts[target], shared)
        proposals.setdefault((source, target), proposal)
    ranked = sorted(proposals.values(), key=lambda p: (-p.score, p.source))
    return ranked[:MAX_PROPOSALS]


def _parts(value: str) -> tuple[str, ...]:
    """Folded name parts without generational suffixes: "James A. Baker III" -> (james, a, baker)."""
    words = [w for w in value.split() if w.rstrip(".") not in SUFFIXES]
    return tuple(p for w in words for p in name_key(w))


def _surname(value: str) -> str:
    parts = _parts(value)
    return parts[-1] if parts else ""


def _candidate_pairs(counts: Mapping[str, int]):
    """(value that goes, value it becomes, reason) for every pair worth asking about."""
    by_surname: dict[str, list[str]] = defaultdict(list)
    by_first: dict[str, list[str]] = defaultdict(list)
    for value in counts:
        parts = _parts(value)
        if parts:
            by_surname[parts[-1]].append(value)
            if len(parts) > 1:
                by_first[parts[0]].append(value)
    for group in by_surname.values():
        for a, b in _pairs(group):
            reason = _same_person(a, b)
            if reason == "surname":  # the surname alone goes into the full name
                yield (a, b, reason) if len(_parts(a)) == 1 else (b, a, reason)
            elif reason:
                yield _ordered(a, b, counts) + (reason,)
    for group in by_first.values():
        for a, b in _pairs(group):
            if _surname(a) != _surname(b) and _spelling_variant(a, b):
                yield _ordered(a, b, counts) + ("spelling",)


def _pairs(group: list[str]):
    group = sorted(group)
    for i, a in enumerate(group):
        for b in group[i + 1:]:
            yield a, b


def _ordered(a: str, b: str, counts: Mapping[str, int]) -> tuple[str, str]:
    """(rarer, more frequent); on a tie the shorter name goes, so the fuller name stays."""
    key_a, key_b = (counts[a], len(a)), (counts[b], len(b))
    return (a, b) if key_a < key_b else (b, a)


def _same_person(a: str, b: str) -> str | None:
    """Why two values with the same surname name one person, if they do."""
    pa, pb = _parts(a), _parts(b)
    if len(pa) == 1 or len(pb) == 1:
        return "surname"
    if not _first_names_fit(pa[:-1], pb[:-1]):
        return None
    return "initials"


def _first_names_fit(fa: tuple[str, ...], fb: tuple[str, ...]) -> bool:
    """"james" fits "j"; ("martin", "t") fits ("martin",): the shorter list's names each fit
    the longer one's, in order, starting with the first."""
    short, long_ = (fa, fb) if len(fa) <= len(fb) else (fb, fa)
    if not short or not _fits(short[0], long_[0]):
        return False
    rest = iter(long_[1:])
    return all(any(_fits(s, other) for other in rest) for s in short[1:])


def _fits(x: str, y: str) -> bool:
    return x == y or (min(len(x), len(y)) == 1 and x[0] == y[0])


def _spelling_variant(a: str, b: str) -> bool:
    pa, pb = _parts(a), _parts(b)
    if len(pa) < 2 or len(pb) < 2 or min(len(pa[-1]), len(pb[-1])) < 4:
        return False
    return fuzz.ratio(" ".join(pa), " ".join(pb)) >= SPELLING_SIMILARITY

