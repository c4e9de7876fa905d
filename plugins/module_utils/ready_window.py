# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""When S3 says a running restore will be readable: expected_ready_after / expected_ready_before. Pure.

The hours are AWS's published retrieval times, restore_state.RETRIEVAL_HOURS (S3 User Guide, restoring-objects,
"Archive retrieval options"): Expedited 1 to 5 minutes, Standard 3 to 5 hours, Bulk 5 to 12 hours from GLACIER and
the Archive Access tier; Standard within 12 hours and Bulk within 48 hours from DEEP_ARCHIVE and the Deep Archive
Access tier. AWS publishes them as typical times, not as a guarantee: the window is what S3 says, not a promise.

Two rules, for what each module knows:

* s3_object_restore knows the tier it requested and when: the window runs from the request + the fewest hours to
  the request + the most hours for that tier (request_window);
* a restore this run did not request (s3_object_restore_info, or one already running) has an unknown tier and start
  time: it started at or before now, at one of the tiers the class offers, so it is ready by now + the slowest
  tier's most hours, and may be ready at any moment (report_window). That bound is sound, and loose by the time the
  restore has already run.
"""

from __future__ import annotations

import datetime

from ansible_collections.s3async.restore.plugins.module_utils import restore_state


def _hours(storage_class: str, archive_status: str | None, tier: str) -> tuple | None:
    return restore_state.retrieval_hours(storage_class, archive_status, tier)


def slowest_hours(storage_class: str, archive_status: str | None) -> float | None:
    """The most hours AWS publishes for any tier of this class (Bulk), or None for a class that is not restored."""
    most = [hours[1] for hours in (_hours(storage_class, archive_status, tier) for tier in restore_state.TIERS) if hours]
    return max(most) if most else None


def _window(start: datetime.datetime, fewest: float, most: float) -> dict:
    # Whole seconds: the strings then compare in time order (latest_ready_before).
    start = start.replace(microsecond=0)
    return {
        "expected_ready_after": restore_state.format_expiry(start + datetime.timedelta(hours=fewest)),
        "expected_ready_before": restore_state.format_expiry(start + datetime.timedelta(hours=most)),
    }


def request_window(obj: dict, requested_at: datetime.datetime) -> dict:
    """The window of a restore requested at `requested_at` with obj["tier"], or {} when AWS publishes none."""
    hours = _hours(obj["storage_class"], obj["archive_status"], obj.get("tier") or "")
    return _window(requested_at, *hours) if hours else {}


def report_window(obj: dict, now: datetime.datetime) -> dict:
    """The window of a running restore whose tier and start are unknown: from now to now + the slowest tier's most
    hours for the class, or {} for a class AWS publishes no time for."""
    most = slowest_hours(obj["storage_class"], obj["archive_status"])
    return _window(now, 0, most) if most is not None else {}


def with_window(obj: dict, now: datetime.datetime, requested_by_us: bool) -> dict:
    """The object's result with its window when its restore is in progress (unchanged otherwise): the requested
    tier's when `requested_by_us`, else the unknown-tier rule."""
    if obj["status"] != restore_state.STATUS_IN_PROGRESS or obj.get("error"):
        return obj
    window = request_window(obj, now) if requested_by_us and obj.get("tier") else {}
    return dict(obj, **(window or report_window(obj, now)))


def latest_ready_before(latest: str | None, obj: dict) -> str | None:
    """The later of `latest` and the object's expected_ready_before (ISO 8601 UTC strings compare in time order)."""
    before = obj.get("expected_ready_before")
    if before is None:
        return latest
    return before if latest is None or before > latest else latest
