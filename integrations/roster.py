"""What an organization's unfiltered SCIM user list remembers between the pages of an import.

An identity provider's import reads every user a page at a time (Okta: count=100, startIndex 1,
101, 201, ...). Each page would count the whole organization again and skip its offset over the
index; both answers are the same from one page to the next as long as no employee was added or
removed. So each organization has a *roster generation* in the cache, replaced whenever its set of
employees changes (employees.signals.employee_roster_changed), and what a page learns is stored
under it: the total, and for the next page's start the primary key of the row before it. A value
counts only while the generation it was stored under is still the current one.

The generation is a random value, not a counter: a counter that Redis lost (a restart, an evicted
key) would start again at 1 and could match values stored under an earlier 1.

The bump is written in the request that changes the set, once its transaction commits.

Without Redis the cache is per process (locmem): a change made in one process is then unknown to
the others, which is acceptable for the single-process setups that run without Redis. When the
cache does not answer, nothing is remembered and every page takes the uncached path; a bump that
could not be written leaves what was stored under the old generation to expire within MEMO_TTL.
"""

import secrets
from dataclasses import dataclass

from engagedly_portal.optional_redis import Write, marks_get, marks_write, marks_write_on_commit

GENERATION_TTL = 24 * 3600  # an expired generation only costs the next page its shortcut
MEMO_TTL = 600  # an import's pages follow each other within seconds


def _key(organization_id: int, name: str) -> str:
    return f"scim-roster:{organization_id}:{name}"


def roster_generation_bump(*, organization_id: int) -> None:
    """Forget what list pages remembered about the organization, once the change is committed (at
    once outside a transaction): a page read before the commit sees the rows as they were and may
    store them under the old generation, which this retires."""
    key = _key(organization_id, "generation")
    marks_write_on_commit(Write("set", key, secrets.token_hex(8), GENERATION_TTL))


def _memo_value(memo_generation: str, raw: str | None) -> int | None:
    """A stored "<generation>:<number>", when stored under the current generation."""
    generation, _, number = (raw or "").partition(":")
    return int(number) if generation == memo_generation and number else None


@dataclass
class Memo:
    """What the cache knows for one page request; generation None means store nothing."""

    generation: str | None = None
    total: int | None = None
    # The nearest known page start at or before `start` and the primary key of the row just
    # before it (at most LOOKBACK pages back), when known.
    anchor_start: int | None = None
    after_pk: int | None = None


# How many pages back a page looks for a known start. An import with pages in flight asks for
# page n before page n - 1 has answered: the nearest start a finished page stored, then an
# OFFSET of a few pages, still spares the skip from the beginning.
LOOKBACK = 32


def memo_read(*, organization_id: int, start: int, count: int = 0) -> Memo:
    """The generation, the total and the nearest known start at or before `start` (looking back
    whole pages of `count`), in one round trip."""
    generation_key, total_key = _key(organization_id, "generation"), _key(organization_id, "total")
    starts = [start - back * count for back in range(LOOKBACK)] if count else [start]
    anchor_keys = {_key(organization_id, f"before:{s}"): s for s in starts if s > 1}
    found = marks_get([generation_key, total_key, *anchor_keys])
    if found is None:
        return Memo()
    generation = found.get(generation_key)
    if generation is None:
        # None yet (or lost): start one. Only the value this request put there may be used:
        # another one may have been set by a concurrent bump.
        generation = secrets.token_hex(8)
        added = marks_write(Write("add", generation_key, generation, GENERATION_TTL))
        return Memo(generation=generation) if added and added[0] else Memo()
    memo = Memo(generation=generation, total=_memo_value(generation, found.get(total_key)))
    for key, anchor_start in anchor_keys.items():  # nearest first
        after_pk = _memo_value(generation, found.get(key))
        if after_pk is not None:
            memo.anchor_start, memo.after_pk = anchor_start, after_pk
            break
    return memo


def memo_write(
    memo: Memo, *, organization_id: int, total: int | None = None, next_start: int = 0, last_pk: int = 0
) -> None:
    """Remember the total and, for the page starting at `next_start`, the row before it."""
    if memo.generation is None:
        return
    writes = []
    if total is not None and total != memo.total:
        writes.append(Write("set", _key(organization_id, "total"), f"{memo.generation}:{total}", MEMO_TTL))
    if next_start:
        key = _key(organization_id, f"before:{next_start}")
        writes.append(Write("set", key, f"{memo.generation}:{last_pk}", MEMO_TTL))
    if writes:
        marks_write(*writes)
