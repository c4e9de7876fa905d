# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""pacing: when the next request may go under a token bucket (option max_requests_per_second), on a fake clock."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.s3async.restore.plugins.module_utils import pacing

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def send(bucket, clock, gap, late=0.0):
    """One request after `gap` seconds of the caller's own work: wait as delay() says (waking `late` seconds
    after the time asked for), send. Returns (seconds waited, send time)."""
    clock.now += gap
    waited = bucket.delay()
    clock.now += waited + (late if waited else 0.0)
    bucket.note_sent()
    return waited, clock.now


@pytest.mark.parametrize("rate, gaps, expected_waits", [
    # Back to back: the first goes at once, then one every 1 / rate.
    (10, [0, 0, 0, 0], [0.0, 0.1, 0.1, 0.1]),
    # A caller slower than the rate never waits.
    (10, [0, 0.2, 0.2, 0.2], [0.0, 0.0, 0.0, 0.0]),
    # Half an interval of own work: the other half is waited.
    (10, [0, 0.05, 0.05], [0.0, 0.05, 0.05]),
    # A fraction: one request every two seconds.
    (0.5, [0, 0, 0], [0.0, 2.0, 2.0]),
    # A quiet minute gives no burst afterwards: the second request after it waits a whole interval.
    (10, [0, 60, 0, 0], [0.0, 0.0, 0.1, 0.1]),
])
def test_each_request_waits_for_the_interval_since_the_last(make_clock, rate, gaps, expected_waits):
    clock = make_clock(now=500.0)
    bucket = pacing.TokenBucket(rate, clock)
    assert [send(bucket, clock, gap)[0] for gap in gaps] == pytest.approx(expected_waits)


def test_delay_takes_nothing(fake_clock):
    """Asking does not take a turn: only note_sent does (a waiting thread asks again after its sleep)."""
    bucket = pacing.TokenBucket(4, fake_clock)
    assert bucket.delay() == 0.0
    assert bucket.delay() == 0.0
    bucket.note_sent()
    assert bucket.delay() == pytest.approx(0.25)
    assert bucket.delay() == pytest.approx(0.25)


def test_a_late_send_pushes_the_next_one_back(fake_clock):
    """The interval counts from the real send time: a thread that woke 30 ms late does not let the next go early."""
    bucket = pacing.TokenBucket(10, fake_clock)
    send(bucket, fake_clock, 0)
    _waited, late = send(bucket, fake_clock, 0, late=0.03)
    _waited, after = send(bucket, fake_clock, 0)
    assert after - late == pytest.approx(0.1)


@pytest.mark.parametrize("rate", [0, -5, float("nan")])
def test_a_rate_that_is_not_positive_is_refused(fake_clock, rate):
    with pytest.raises(ValueError, match="rate must be more than 0"):
        pacing.TokenBucket(rate, fake_clock)


def test_limiter_is_none_without_a_cap(fake_clock):
    assert pacing.limiter(None, fake_clock) is None
    assert pacing.limiter(25.0, fake_clock).rate == 25.0


@settings(max_examples=200, **SETTINGS)
@given(
    rate=st.floats(min_value=0.5, max_value=2000),
    steps=st.lists(st.tuples(st.floats(min_value=0, max_value=0.05), st.floats(min_value=0, max_value=0.05)),
                   min_size=1, max_size=300),
)
def test_no_one_second_window_holds_more_than_the_rate(make_clock, rate, steps):
    """Whatever the callers' own pace and however late they wake, sends are at least 1 / rate apart, so any
    one-second window [t, t + 1) holds at most `rate` of them, rounded up (at 0.5 per second, one)."""
    clock = make_clock(now=0.0)
    bucket = pacing.TokenBucket(rate, clock)
    times = [send(bucket, clock, gap, late)[1] for gap, late in steps]
    assert all(later - earlier >= 1.0 / rate - 1e-9 for earlier, later in zip(times, times[1:]))
    for first, start in enumerate(times):
        assert sum(1 for later in times[first:] if later < start + 1.0 - 1e-9) <= math.ceil(rate - 1e-9)


@settings(max_examples=100, **SETTINGS)
@given(rate=st.floats(min_value=1, max_value=1000), count=st.integers(min_value=2, max_value=400))
def test_back_to_back_requests_go_at_exactly_the_rate(make_clock, rate, count):
    """The cap is also a pace: requests sent as fast as allowed take (count - 1) / rate seconds, no more."""
    clock = make_clock(now=0.0)
    bucket = pacing.TokenBucket(rate, clock)
    times = [send(bucket, clock, 0)[1] for _index in range(count)]
    assert times[-1] - times[0] == pytest.approx((count - 1) / rate)
