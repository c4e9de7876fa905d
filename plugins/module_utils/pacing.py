# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How long a request must wait so that a run never sends more than `rate` requests per second (option
max_requests_per_second). Pure: the time comes from an injected clock; the caller serialises the calls and sleeps.

S3 initiates at most 1,000 restores per second per account, shared by every tool and Batch job of the account and
Region, and answers 503 SlowDown / ThrottlingException beyond it (facts sheet, "RestoreObject"; S3 User Guide,
"Best practices design patterns: optimizing Amazon S3 performance"). A run that shares the quota with others is
given a share of it and keeps to it.

The rule is a token bucket of one token refilled at `rate` per second: a request may go 1 / rate seconds after the
one before it was sent, never sooner. The interval counts from when the previous request was really sent
(note_sent), not from when it was due: a thread that wakes late must not let the next one go early, or two
requests would reach S3 closer together than the cap allows. Any one-second window then holds at most `rate`
requests as sent, whatever the callers' own pace; a quiet spell gives no burst afterwards.
"""

from __future__ import annotations

from typing import Any


class TokenBucket:
    """Send times for requests at `rate` per second on `clock` (its monotonic())."""

    def __init__(self, rate: float, clock: Any) -> None:
        if not rate > 0:
            raise ValueError(f"rate must be more than 0, got {rate}")
        self.rate = rate
        self.clock = clock
        self.interval = 1.0 / rate
        self._next: float | None = None  # the earliest time the next request may go; None: at once

    def delay(self) -> float:
        """The seconds to wait before the next request may be sent (0.0: now). Takes nothing: call note_sent()
        when it is sent. Not thread-safe on its own: the caller holds a lock around delay / sleep / note_sent."""
        if self._next is None:
            return 0.0
        return max(0.0, self._next - self.clock.monotonic())

    def note_sent(self) -> None:
        """A request is being sent now: the next one waits a whole interval from here."""
        self._next = self.clock.monotonic() + self.interval


def limiter(rate: float | None, clock: Any) -> TokenBucket | None:
    """A TokenBucket for option max_requests_per_second, or None when it is not set (no cap)."""
    return None if rate is None else TokenBucket(rate, clock)
