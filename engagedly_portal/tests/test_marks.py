"""Marks (engagedly_portal.optional_redis): written once their transaction commits, a request's
together in one round trip when its one_round_trip() block ends, never after a rollback."""

import uuid

import pytest
from django.db import transaction

from engagedly_portal.optional_redis import (
    Write,
    marks_get,
    marks_write,
    marks_write_on_commit,
    marks_write_soon,
    one_round_trip,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def keys():
    made = [f"test-marks:{uuid.uuid4().hex}:{n}" for n in range(3)]
    yield made
    marks_write(*(Write("delete", key) for key in made))


def test_a_requests_marks_wait_for_its_commit_and_then_for_the_end_of_its_block(keys):
    first, second, third = keys
    added = []
    with one_round_trip():
        with transaction.atomic():
            marks_write_on_commit(Write("set", first, "a", 60))
            marks_write_on_commit(Write("add", second, "b", 60, then=added.append))
            assert marks_get(keys) == {}
        marks_write_soon(Write("set", third, "c", 60))
        # Committed, and still queued: they go out with the block's other writes.
        assert marks_get(keys) == {}
        assert added == []
    assert marks_get(keys) == {first: "a", second: "b", third: "c"}
    assert added == [True]


def test_add_writes_only_an_absent_mark_and_says_so(keys):
    key = keys[0]
    results = []
    marks_write(Write("add", key, "first", 60, then=results.append))
    marks_write(Write("add", key, "second", 60, then=results.append))
    assert results == [True, False]
    assert marks_get([key]) == {key: "first"}
    marks_write(Write("delete", key))
    assert marks_get([key]) == {}


def test_a_rolled_back_transaction_writes_nothing(keys):
    with one_round_trip(), pytest.raises(RuntimeError), transaction.atomic():
        marks_write_on_commit(Write("set", keys[0], "a", 60))
        raise RuntimeError("the write failed")
    assert marks_get(keys) == {}


def test_outside_a_block_a_committed_mark_is_written_at_once(keys):
    with transaction.atomic():
        marks_write_on_commit(Write("set", keys[0], "a", 60))
        assert marks_get(keys) == {}
    assert marks_get(keys) == {keys[0]: "a"}
