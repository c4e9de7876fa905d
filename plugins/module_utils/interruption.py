# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a signalled module does: it stops starting new work, lets the requests in flight finish, and ends with
the result so far (what was sent, object by object), instead of dying with nothing said.

ansible-core runs a module in a process of its own; a CI job that times out, `kill`, or `timeout` send it SIGTERM,
a closed terminal SIGHUP, and Ctrl-C in a shell that runs the module's process group SIGINT (docs/reliability.md
says which of them reach the module, and how to see afterwards what was sent).
"""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


class Interruption:
    """A context in which SIGTERM, SIGINT and SIGHUP are noted instead of killing the process.

    `requested` names the signal once one arrived; `sleep()` returns early when one arrives. Handlers can only be
    set in the main thread: elsewhere (a test harness) the context notes nothing and changes nothing.
    """

    def __init__(self) -> None:
        self.requested: str | None = None
        self._event = threading.Event()
        self._previous: dict = {}

    def __enter__(self) -> "Interruption":
        if threading.current_thread() is threading.main_thread():
            for signum in SIGNALS:
                self._previous[signum] = signal.signal(signum, self._note)
        return self

    def __exit__(self, *_exc_info: Any) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _note(self, signum: int, _frame: Any) -> None:
        self.requested = signal.Signals(signum).name
        self._event.set()

    def stopping(self) -> bool:
        return self.requested is not None

    def wait(self, seconds: float) -> None:
        """Sleep `seconds`, or less if a signal arrives meanwhile."""
        self._event.wait(seconds)

    def clock(self, base: Any = None) -> Any:
        """A clock (monotonic() and sleep()) on `base` (default: the time module) whose sleep ends early when a
        signal arrives: a 15-minute wait between checks must not hold a signalled module."""
        return _InterruptibleClock(base or time, self)


class _InterruptibleClock:
    def __init__(self, base: Any, interruption: Interruption) -> None:
        self.base = base
        self.interruption = interruption

    def monotonic(self) -> float:
        return self.base.monotonic()

    def sleep(self, seconds: float) -> None:
        if self.interruption.stopping():
            return
        if self.base is time:
            # Event.wait returns as soon as the handler sets the event; time.sleep would resume after the handler.
            self.interruption.wait(seconds)
        else:
            self.base.sleep(seconds)
