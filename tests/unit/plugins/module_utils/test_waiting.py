# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""waiting: the growing delay and the one wait step, on a clock that only pretends to sleep."""

from __future__ import annotations

import pytest

from ansible_collections.s3async.restore.plugins.module_utils.waiting import Wait
from ansible_collections.s3async.restore.plugins.module_utils.waiting import next_wait_delay


@pytest.mark.parametrize(
    "delay, first_delay, expected",
    [(60, 60, 120), (480, 60, 900), (900, 60, 900), (1000, 1000, 1000), (5, 5, 10)],
)
def test_next_wait_delay_doubles_up_to_fifteen_minutes(delay, first_delay, expected):
    assert next_wait_delay(delay, first_delay) == expected


@pytest.mark.parametrize(
    "timeout, first_delay, sleeps",
    [
        (0, 60, []),  # no time at all: no check after the first
        (100, 10, [10, 20, 40, 30]),  # the last sleep stops at the deadline
        (3000, 600, [600, 900, 900, 600]),  # doubling stops at 15 minutes
        (3000, 1000, [1000, 1000, 1000]),  # a first delay above 15 minutes is the cap
        (5, 0, [1, 2, 2]),  # at least one second between checks
    ],
)
def test_wait_sleeps_with_growing_delay_until_the_deadline(fake_clock, timeout, first_delay, sleeps):
    wait = Wait(timeout, first_delay, fake_clock)
    while wait.sleep():
        pass
    assert fake_clock.sleeps == sleeps
    assert wait.waited() == sum(sleeps)


def test_wait_counts_time_spent_between_sleeps(fake_clock):
    wait = Wait(30, 10, fake_clock)
    fake_clock.now += 25  # a slow check
    assert wait.sleep() is True
    assert fake_clock.sleeps == [5]
    assert wait.sleep() is False
