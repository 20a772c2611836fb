"""Counters in the shared cache that say whether one more action is allowed in a time window
(per client address, per e-mail address…). In production the cache is Redis, shared by every
web process; in the tests it is a local memory cache."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def throttle_allow(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one more action of `key` in `scope`; False once more than `limit` in `window`
    seconds. The key is hashed: e-mail addresses do not appear in the cache in clear."""
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
    name = f"throttle:{scope}:{digest}"
    if cache.add(name, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(name)
    except ValueError:  # expired between the two calls
        cache.set(name, 1, timeout=window)
        return limit >= 1
    return count <= limit
