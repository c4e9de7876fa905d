# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ready_window: the window AWS's published retrieval times give a running restore."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import ready_window

NOW = datetime.datetime(2026, 12, 2, 3, 0, 0, 500000, tzinfo=datetime.timezone.utc)


def running(storage_class, tier=None, archive_status=None, **extra):
    obj = {"key": "k", "storage_class": storage_class, "archive_status": archive_status, "status": "in_progress"}
    if tier:
        obj["tier"] = tier
    obj.update(extra)
    return obj


@pytest.mark.parametrize("obj, after, before", [
    (running("GLACIER", "Standard"), "2026-12-02T06:00:00Z", "2026-12-02T08:00:00Z"),
    (running("GLACIER", "Bulk"), "2026-12-02T08:00:00Z", "2026-12-02T15:00:00Z"),
    (running("GLACIER", "Expedited"), "2026-12-02T03:01:00Z", "2026-12-02T03:05:00Z"),
    (running("DEEP_ARCHIVE", "Standard"), "2026-12-02T03:00:00Z", "2026-12-02T15:00:00Z"),
    (running("DEEP_ARCHIVE", "Bulk"), "2026-12-02T03:00:00Z", "2026-12-04T03:00:00Z"),
    (running("INTELLIGENT_TIERING", "Standard", "ARCHIVE_ACCESS"), "2026-12-02T06:00:00Z", "2026-12-02T08:00:00Z"),
    (running("INTELLIGENT_TIERING", "Bulk", "DEEP_ARCHIVE_ACCESS"), "2026-12-02T03:00:00Z", "2026-12-04T03:00:00Z"),
])
def test_a_restore_this_run_requested_has_its_tier_window(obj, after, before):
    windowed = ready_window.with_window(obj, NOW, requested_by_us=True)
    assert (windowed["expected_ready_after"], windowed["expected_ready_before"]) == (after, before)


@pytest.mark.parametrize("obj, before", [
    (running("GLACIER"), "2026-12-02T15:00:00Z"),
    (running("DEEP_ARCHIVE", "Standard"), "2026-12-04T03:00:00Z"),
    (running("INTELLIGENT_TIERING", archive_status="ARCHIVE_ACCESS"), "2026-12-02T15:00:00Z"),
])
def test_a_restore_of_unknown_tier_is_ready_by_now_plus_the_slowest_tier(obj, before):
    windowed = ready_window.with_window(obj, NOW, requested_by_us=False)
    assert windowed["expected_ready_after"] == "2026-12-02T03:00:00Z"
    assert windowed["expected_ready_before"] == before


@pytest.mark.parametrize("obj", [
    dict(running("GLACIER", "Standard"), status="restored"),
    dict(running("GLACIER", "Standard"), status="archived"),
    dict(running("GLACIER", "Standard"), error="denied"),
    running("STANDARD"),
    running("INTELLIGENT_TIERING"),
])
def test_no_window_where_no_restore_runs_or_aws_publishes_no_time(obj):
    assert "expected_ready_before" not in ready_window.with_window(obj, NOW, requested_by_us=True)


def test_the_latest_ready_before_is_kept():
    latest = None
    for before in ("2026-12-02T08:00:00Z", "2026-12-04T03:00:00Z", "2026-12-03T00:00:00Z"):
        latest = ready_window.latest_ready_before(latest, {"expected_ready_before": before})
    assert ready_window.latest_ready_before(latest, {"key": "no window"}) == "2026-12-04T03:00:00Z"
