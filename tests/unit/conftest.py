# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures for every unit test: a fake clock."""

from __future__ import annotations

import pytest


class FakeClock:
    """Stands in for the `time` module (or a clock argument) in the code under test: sleeping advances the clock,
    instantly, and is recorded in `sleeps`; `step` is added to every sleep, so that waits need not be whole
    seconds."""

    def __init__(self, now=1000.0, step=0.0):
        self.now = now
        self.step = step
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds + self.step


@pytest.fixture
def fake_clock():
    """A FakeClock at 1000.0 that sleeps exactly what it is asked to."""
    return FakeClock()


@pytest.fixture
def make_clock():
    """The FakeClock class, for a test that needs several clocks or other arguments: make_clock(now=..., step=...)."""
    return FakeClock
