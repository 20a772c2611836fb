"""Provider capacity shared by every worker on every machine: messages per second and lines.

Rates are a sliding window of the hand-offs themselves (no span of one second ever holds more than
the cap, measured when the provider took the messages), kept where
settings.SPORTELLO_RATE_LIMIT_URL says: Redis in production, so that all workers draw from one
budget; "memory://" (per process) on a single machine without Redis.

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


@dataclass(frozen=True)
class Capacity:
    rate: int | None  # messages (or new calls) per second
    lines: int | None  # simultaneous calls or faxes


def capacity(medium: str) -> Capacity:
    conf = settings.SPORTELLO_CHANNEL_LIMITS.get(medium, {})
    return Capacity(rate=conf.get("rate") or None, lines=conf.get("lines") or None)


# Rates are counted on the hand-offs themselves, not on permissions asked beforehand: a worker
# reserves room in the window before handing messages over ("pending" entries, counted until
# confirmed), and confirms each with the time the provider returned, which is after the
# provider's own stamp. Any 1-second span of provider stamps then holds at most `cap` messages:
# when the last of them was reserved, every other one was either pending or confirmed less than a
# second before. A pending entry a dead worker never confirmed expires after RESERVATION_SECONDS.
RESERVATION_SECONDS = 60.0

# KEYS[1] the window; ARGV: cap, reservation seconds, tokens… Returns how many were added.
_RESERVE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t - 1)
local free = tonumber(ARGV[1]) - redis.call('ZCARD', KEYS[1])
local added = 0
for i = 3, #ARGV do
    if added >= free then break end
    redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[i])
    added = added + 1
end
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 2)
return added
"""
# KEYS[1] the window; ARGV: tokens. Stamps them with the hand-off time (now).
_CONFIRM = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
for i = 1, #ARGV do
    if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
        redis.call('ZADD', KEYS[1], t, ARGV[i])
    end
end
return 1
"""
# KEYS[1] the window. Seconds until room may be back (the oldest confirmed entry leaves).
_WAIT = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #oldest == 0 then return '0' end
return tostring(tonumber(oldest[2]) + 1 - t)
"""


class RedisRate:
    """A cap shared by every worker on every machine, on Redis's clock."""

    def __init__(self, url: str, medium: str, per_second: int) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.key = f"sportello:rate:{medium}"
        self.cap = per_second
        self._reserve = self.client.register_script(_RESERVE)
        self._confirm = self.client.register_script(_CONFIRM)
        self._wait = self.client.register_script(_WAIT)

    def reserve(self, want: int) -> list[str]:
        """Room for up to `want` hand-offs now (none when the last second is full)."""
        tokens = [f"r{uuid.uuid4().hex}" for _ in range(want)]
        added = int(self._reserve(keys=[self.key], args=[self.cap, RESERVATION_SECONDS, *tokens]))
        return tokens[:added]

    def confirm(self, tokens: list[str]) -> None:
        """These messages were handed over: they count from now on, for one second."""
        if tokens:
            self._confirm(keys=[self.key], args=tokens)

    def cancel(self, tokens: list[str]) -> None:
        """Reserved and not used (nothing left to send, or the claim came back shorter)."""
        if tokens:
            self.client.zrem(self.key, *tokens)

    def wait(self) -> float:
        """Seconds until some room may be back."""
        seconds = float(self._wait(keys=[self.key]))
        return min(1.0, max(0.01, seconds))


class LocalRate:
    """One process's cap (a machine without Redis), the same rule on the local clock."""

    def __init__(self, per_second: int) -> None:
        self.cap = per_second
        self.entries: dict[str, float] = {}
        self.lock = threading.Lock()

    def _expire(self, now: float) -> None:
        for key in [key for key, at in self.entries.items() if at < now - 1]:
            del self.entries[key]

    def reserve(self, want: int) -> list[str]:
        with self.lock:
            now = time.time()
            self._expire(now)
            free = max(0, self.cap - len(self.entries))
            tokens = [f"r{uuid.uuid4().hex}" for _ in range(min(want, free))]
            self.entries.update(dict.fromkeys(tokens, now + RESERVATION_SECONDS))
            return tokens

    def confirm(self, tokens: list[str]) -> None:
        with self.lock:
            now = time.time()
            for token in tokens:
                if token in self.entries:
                    self.entries[token] = now

    def cancel(self, tokens: list[str]) -> None:
        with self.lock:
            for token in tokens:
                self.entries.pop(token, None)

    def wait(self) -> float:
        with self.lock:
            oldest = min(self.entries.values(), default=None)
        if oldest is None:
            return 0.01
        return min(1.0, max(0.01, oldest + 1 - time.time()))


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


def _redis_url(url: str) -> bool:
    return url.startswith(("redis://", "rediss://", "unix://"))


@cache
def rate_limit(medium: str) -> RedisRate | LocalRate | None:
    rate = capacity(medium).rate
    if not rate:
        return None
    url = _storage_url()
    return RedisRate(url, medium, int(rate)) if _redis_url(url) else LocalRate(int(rate))


@cache
def lines(medium: str) -> RedisLines | LocalLines | None:
    size = capacity(medium).lines
    if not size:
        return None
    url = _storage_url()
    if _redis_url(url):
        return RedisLines(url, medium, size)
    return LocalLines(size)


def limits_reset() -> None:
    """Forget the cached limiters (settings changed: tests, benchmarks)."""
    rate_limit.cache_clear()
    lines.cache_clear()
