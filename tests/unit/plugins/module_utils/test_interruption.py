# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""interruption: a real signal to this process is noted, cuts a sleep short, and the handlers are put back."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from ansible_collections.s3async.restore.plugins.module_utils.interruption import Interruption


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda signum: signum.name)
def test_a_signal_is_noted_and_the_handlers_are_put_back(signum):
    before = signal.getsignal(signum)
    with Interruption() as interruption:
        assert not interruption.stopping()
        os.kill(os.getpid(), signum)
        assert interruption.requested == signum.name
        assert interruption.stopping()
    assert signal.getsignal(signum) is before


def test_a_signal_cuts_a_real_sleep_short():
    with Interruption() as interruption:
        clock = interruption.clock()
        timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM))
        timer.start()
        started = time.monotonic()
        clock.sleep(30)
        assert time.monotonic() - started < 10
        assert interruption.requested == "SIGTERM"
        started = time.monotonic()
        clock.sleep(30)  # once stopping, sleeping returns at once
        assert time.monotonic() - started < 1


def test_a_test_clock_is_used_as_it_is(fake_clock):
    with Interruption() as interruption:
        clock = interruption.clock(fake_clock)
        clock.sleep(60)
        assert fake_clock.sleeps == [60]
        assert clock.monotonic() == fake_clock.now


def test_outside_the_main_thread_nothing_is_changed():
    seen = {}

    def run():
        with Interruption() as interruption:
            seen["handler"] = signal.getsignal(signal.SIGTERM)
            seen["stopping"] = interruption.stopping()

    before = signal.getsignal(signal.SIGTERM)
    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert seen == {"handler": before, "stopping": False}
