"""Provider caps shared by all workers: messages per second and simultaneous lines."""

from __future__ import annotations

import pytest

from sportello.channels.limits import LocalLines, LocalRate, RedisLines, RedisRate

REDIS = "redis://127.0.0.1:6379/12"


@pytest.fixture
def redis_db():
    import redis

    client = redis.Redis.from_url(REDIS)
    client.flushdb()
    yield client
    client.flushdb()


def test_no_more_lines_than_the_provider_has(settings) -> None:
    settings.SPORTELLO_LINE_HOLD_SECONDS = 600
    lines = LocalLines(3)

    taken = lines.acquire(5)
    assert len(taken) == 3 and lines.acquire(1) == []
    lines.bind(taken, [11, 12])  # two calls placed, one token unused: back
    assert lines.in_use() == 2
    lines.release([11])  # a call ended
    assert len(lines.acquire(5)) == 2


@pytest.mark.redis
def test_two_workers_share_the_same_lines(redis_db, settings) -> None:
    settings.SPORTELLO_LINE_HOLD_SECONDS = 600
    first, second = RedisLines(REDIS, "voice", 4), RedisLines(REDIS, "voice", 4)

    mine = first.acquire(3)
    theirs = second.acquire(3)

    assert (len(mine), len(theirs)) == (3, 1)
    first.bind(mine, [1, 2, 3])
    second.bind(theirs, [4])
    assert second.acquire(1) == []
    first.release([2])
    assert len(second.acquire(2)) == 1
    assert first.in_use() == 4


@pytest.mark.redis
def test_a_lost_call_end_frees_its_line_after_the_hold_time(redis_db, settings) -> None:
    settings.SPORTELLO_LINE_HOLD_SECONDS = -1  # already expired when taken
    lines = RedisLines(REDIS, "fax", 1)

    lines.bind(lines.acquire(1), [7])

    assert lines.in_use() == 0 and len(lines.acquire(1)) == 1


@pytest.mark.redis
def test_workers_together_never_exceed_the_rate(redis_db) -> None:
    workers = [RedisRate(REDIS, "sms", 100) for _ in range(3)]

    granted = [worker.reserve(60) for worker in workers]

    assert [len(tokens) for tokens in granted] == [60, 40, 0]  # within the same second
    assert workers[0].reserve(1) == []
    assert 0 < workers[0].wait() <= 1.0


@pytest.mark.redis
def test_room_reserved_counts_until_the_hand_off_and_one_second_after(redis_db) -> None:
    import time

    rate = RedisRate(REDIS, "sms", 10)
    tokens = rate.reserve(10)
    time.sleep(1.1)  # a slow hand-off: the reservation still fills the window
    assert rate.reserve(1) == []
    rate.confirm(tokens)  # handed over now: counts for one more second
    assert rate.reserve(1) == []
    time.sleep(1.05)
    assert len(rate.reserve(10)) == 10


def test_the_local_rate_keeps_the_same_rule() -> None:
    rate = LocalRate(5)
    tokens = rate.reserve(4)
    assert len(tokens) == 4 and len(rate.reserve(4)) == 1
    rate.cancel(tokens[:2])  # not used: room again
    assert len(rate.reserve(3)) == 2
