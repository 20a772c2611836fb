"""Provider capacity shared by every worker on every machine: messages per second and lines.

Rates use the `limits` library's moving window (no second ever holds more than the cap), stored
where settings.SPORTELLO_RATE_LIMIT_URL says: Redis in production, so that all workers draw from
one budget; "memory://" (per process) on a single machine without Redis.

Lines (simultaneous calls or faxes) are a Redis sorted set of the deliveries holding one, each
with an expiry as a safety net: a line is taken before the call is placed and given back when the
call reaches a final state (channels.dispatch.delivery_finished). An expired entry (a lost
callback) frees its line after SPORTELLO_LINE_HOLD_SECONDS.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


@dataclass(frozen=True)
class Capacity:
    rate: int | None  # messages (or new calls) per second
    lines: int | None  # simultaneous calls or faxes


def capacity(medium: str) -> Capacity:
    conf = settings.SPORTELLO_CHANNEL_LIMITS.get(medium, {})
    return Capacity(rate=conf.get("rate") or None, lines=conf.get("lines") or None)


class RateLimit:
    def __init__(self, url: str, medium: str, per_second: int) -> None:
        self.limiter = MovingWindowRateLimiter(storage_from_string(url))
        self.item = RateLimitItemPerSecond(per_second)
        self.key = f"sportello-{medium}"

    def take(self, want: int) -> int:
        """Up to `want` messages that may go now (0 when this second's budget is spent)."""
        remaining = self.limiter.get_window_stats(self.item, self.key).remaining
        amount = min(want, remaining)
        if amount > 0 and self.limiter.hit(self.item, self.key, cost=amount):
            return amount
        return 0

    def wait(self) -> float:
        """Seconds until some budget is back."""
        reset = self.limiter.get_window_stats(self.item, self.key).reset_time
        return min(1.0, max(0.01, reset - time.time()))


# Takes up to n free lines at once, atomically for all workers: drop expired holders, then add
# as many of the given tokens as there is room for. Returns how many were added.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local free = tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[1])
local added = 0
for i = 4, #ARGV do
    if added >= free then break end
    redis.call('ZADD', KEYS[1], ARGV[3], ARGV[i])
    added = added + 1
end
return added
"""


class RedisLines:
    def __init__(self, url: str, medium: str, size: int) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.key = f"sportello:lines:{medium}"
        self.size = size
        self._acquire = self.client.register_script(_ACQUIRE)

    def _expiry(self) -> float:
        return time.time() + settings.SPORTELLO_LINE_HOLD_SECONDS

    def acquire(self, want: int) -> list[str]:
        tokens = [f"t{uuid.uuid4().hex}" for _ in range(want)]
        added = int(
            self._acquire(keys=[self.key], args=[time.time(), self.size, self._expiry(), *tokens])
        )
        return tokens[:added]

    def bind(self, tokens: list[str], delivery_ids: list[int]) -> None:
        """Hand the lines taken with placeholder tokens over to the deliveries that use them;
        tokens left over are given back."""
        pipe = self.client.pipeline(transaction=True)
        if tokens:
            pipe.zrem(self.key, *tokens)
        if delivery_ids:
            pipe.zadd(self.key, {str(pk): self._expiry() for pk in delivery_ids})
        pipe.execute()

    def release(self, delivery_ids: list[int]) -> None:
        if delivery_ids:
            self.client.zrem(self.key, *[str(pk) for pk in delivery_ids])

    def in_use(self) -> int:
        self.client.zremrangebyscore(self.key, "-inf", time.time())
        return int(self.client.zcard(self.key))


class LocalLines:
    """One process's lines (a machine without Redis: the demo, a single worker)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.holders: dict[str, float] = {}
        self.lock = threading.Lock()

    def _expire(self) -> None:
        now = time.time()
        for key in [key for key, until in self.holders.items() if until < now]:
            del self.holders[key]

    def acquire(self, want: int) -> list[str]:
        with self.lock:
            self._expire()
            free = max(0, self.size - len(self.holders))
            tokens = [f"t{uuid.uuid4().hex}" for _ in range(min(want, free))]
            until = time.time() + settings.SPORTELLO_LINE_HOLD_SECONDS
            self.holders.update(dict.fromkeys(tokens, until))
            return tokens

    def bind(self, tokens: list[str], delivery_ids: list[int]) -> None:
        with self.lock:
            for token in tokens:
                self.holders.pop(token, None)
            until = time.time() + settings.SPORTELLO_LINE_HOLD_SECONDS
            self.holders.update({str(pk): until for pk in delivery_ids})

    def release(self, delivery_ids: list[int]) -> None:
        with self.lock:
            for pk in delivery_ids:
                self.holders.pop(str(pk), None)

    def in_use(self) -> int:
        with self.lock:
            self._expire()
            return len(self.holders)


def _storage_url() -> str:
    return settings.SPORTELLO_RATE_LIMIT_URL or "memory://"


@cache
def rate_limit(medium: str) -> RateLimit | None:
    rate = capacity(medium).rate
    return RateLimit(_storage_url(), medium, int(rate)) if rate else None


@cache
def lines(medium: str) -> RedisLines | LocalLines | None:
    size = capacity(medium).lines
    if not size:
        return None
    url = _storage_url()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisLines(url, medium, size)
    return LocalLines(size)


def limits_reset() -> None:
    """Forget the cached limiters (settings changed: tests, benchmarks)."""
    rate_limit.cache_clear()
    lines.cache_clear()
