"""Connection attempts per address: a sliding one-minute window."""

from __future__ import annotations

import time
from collections import deque
from typing import Callable


class RateLimiter:
    """`allow(address)` is True for at most `per_minute` attempts from one address in
    any `window` seconds. Refused attempts do not extend the window (a client that
    keeps hammering is let in again once its earlier attempts have aged out)."""

    def __init__(self, per_minute: int, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, max_addresses: int = 10_000) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.window = window
        self._clock = clock
        self._max_addresses = max_addresses
        self._seen: dict[str, deque[float]] = {}

    def _prune(self, now: float) -> None:
        horizon = now - self.window
        for address in [a for a, q in self._seen.items() if not q or q[-1] <= horizon]:
            del self._seen[address]

    def allow(self, address: str) -> bool:
        now = self._clock()
        horizon = now - self.window
        attempts = self._seen.get(address)
        if attempts is None:
            if len(self._seen) >= self._max_addresses:
                self._prune(now)
                if len(self._seen) >= self._max_addresses:
                    return False  # under a wide flood, refuse newcomers rather than grow
            attempts = self._seen[address] = deque()
        while attempts and attempts[0] <= horizon:
            attempts.popleft()
        if len(attempts) >= self.per_minute:
            return False
        attempts.append(now)
        return True
