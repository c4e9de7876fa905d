# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one way the collection waits: for restores (state=restored) and for Batch Operations jobs (state=completed).

Restores take minutes (Expedited) to 48 hours (Deep Archive, Bulk) (S3 User Guide, restoring-objects, "Archive
retrieval options"), and a Batch Operations job only starts them, so checking often costs requests and tells
nothing sooner: the delay between checks doubles after every check, up to 15 minutes (or the user's first delay,
if larger). The clock is given (the time module, or a test's clock): nothing here reads the time by itself.
"""

from __future__ import annotations

from typing import Any

MAX_WAIT_DELAY = 900


def next_wait_delay(delay: float, first_delay: float) -> float:
    """The delay before the next check, after waiting `delay` seconds, for a wait that started at `first_delay`."""
    return min(delay * 2, max(MAX_WAIT_DELAY, first_delay))


class Wait:
    """A wait of at most `timeout` seconds, started now on `clock` (anything with monotonic() and sleep())."""

    def __init__(self, timeout: float, first_delay: float, clock: Any) -> None:
        self.clock = clock
        self.first_delay = self.delay = max(1, first_delay)
        self.started = clock.monotonic()
        self.deadline = self.started + timeout

    def waited(self) -> float:
        """Seconds since the wait started."""
        return self.clock.monotonic() - self.started

    def sleep(self) -> bool:
        """Sleep until the next check (never past the deadline) and return True; False, at once, once the
        timeout has passed."""
        remaining = self.deadline - self.clock.monotonic()
        if remaining <= 0:
            return False
        self.clock.sleep(min(self.delay, remaining))
        self.delay = next_wait_delay(self.delay, self.first_delay)
        return True
