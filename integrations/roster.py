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

A SCIM request's bump is sent with the next round trip of its process (the next SCIM request's
rate-limit round trip, made before that request reads the roster) or by the activity writer's
tick within SCIM_ACTIVITY_FLUSH_SECONDS (engagedly_portal.cache.deferred_writes). So a page served
by the same process always sees it; a page served by another process within that fraction of a
second may still be answered under the previous generation, as one served between the write's
commit and an immediate bump always could be (after a creation, the new employee sorts last:
such a page has the offset query's rows, and only its total may miss the newest employees).

Without Redis the cache is per process (locmem): a change made in one process is then unknown to
the others, which is acceptable for the single-process setups that run without Redis. Rows written
around the services (bench's bulk seed) bump nothing: the benchmark flushes its Redis db first.
When the cache does not answer, nothing is remembered and every page takes the uncached path.
"""

import logging
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from engagedly_portal.cache import cache_set

logger = logging.getLogger(__name__)

GENERATION_TTL = 24 * 3600  # an expired generation only costs the next page its shortcut
MEMO_TTL = 600  # an import's pages follow each other within seconds


def _key(organization_id: int, name: str) -> str:
    return f"scim-roster:{organization_id}:{name}"


def _set_new_generation(organization_id: int) -> None:
    def failed(exc: Exception) -> None:  # what was stored under the old generation expires within MEMO_TTL
        logger.error(
            "Could not bump the roster generation of organization %s.", organization_id, exc_info=exc
        )

    # Sent with the other writes of a SCIM create when it gathers them (cache.writes_together).
    cache_set(_key(organization_id, "generation"), secrets.token_hex(8), GENERATION_TTL, on_error=failed)


def roster_generation_bump(*, organization_id: int) -> None:
    """Forget what list pages remembered about the organization; now, and once the transaction commits
    (outside a transaction the write is already committed: once is enough).

    The first bump makes the change visible at once to this transaction's own later reads (the
    tests, an admin's next page). A page read between the two bumps saw the rows before the
    commit and may have stored them under the first new generation: the second bump retires it.
    """
    _set_new_generation(organization_id)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _set_new_generation(organization_id))


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
# page n before page n - 1 has answered (bench/run.py keeps 16 in flight): the nearest start a
# finished page stored, then an OFFSET of a few pages, still spares the skip from the beginning.
LOOKBACK = 32


def memo_read(*, organization_id: int, start: int, count: int = 0) -> Memo:
    """The generation, the total and the nearest known start at or before `start` (looking back
    whole pages of `count`), in one round trip."""
    generation_key, total_key = _key(organization_id, "generation"), _key(organization_id, "total")
    starts = [start - back * count for back in range(LOOKBACK)] if count else [start]
    anchor_keys = {_key(organization_id, f"before:{s}"): s for s in starts if s > 1}
    try:
        found = cache.get_many([generation_key, total_key, *anchor_keys])
        generation = found.get(generation_key)
        if generation is None:
            # None yet (or lost): start one. Only the value this request put there may be used:
            # another one may have been set by a concurrent bump.
            generation = secrets.token_hex(8)
            if not cache.add(generation_key, generation, timeout=GENERATION_TTL):
                return Memo()
            return Memo(generation=generation)
    except Exception:
        logger.warning("The SCIM list cache did not answer; paging without it.")
        return Memo()
    memo = Memo(generation=generation)
    total = found.get(total_key)
    if total is not None and total[0] == generation:
        memo.total = total[1]
    for key, anchor_start in anchor_keys.items():  # nearest first
        after = found.get(key)
        if after is not None and after[0] == generation:
            memo.anchor_start, memo.after_pk = anchor_start, after[1]
            break
    return memo


def memo_write(
    memo: Memo, *, organization_id: int, total: int | None = None, next_start: int = 0, last_pk: int = 0
) -> None:
    """Remember the total and, for the page starting at `next_start`, the row before it."""
    if memo.generation is None:
        return
    values = {}
    if total is not None and total != memo.total:
        values[_key(organization_id, "total")] = (memo.generation, total)
    if next_start:
        values[_key(organization_id, f"before:{next_start}")] = (memo.generation, last_pk)
    if not values:
        return
    try:
        cache.set_many(values, timeout=MEMO_TTL)
    except Exception:
        logger.warning("The SCIM list cache did not answer; the next page takes the uncached path.")
