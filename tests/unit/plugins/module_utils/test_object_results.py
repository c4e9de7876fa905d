# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""object_results: the per-object result dict (message per status, keys and their order, the listing stub, the
failed and report views), the bounded Collector (failures, then restores, then the rest; max_results; failed_keys;
truncated; changed), and how a run names its target."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import restore_state as rs
from ansible_collections.s3async.restore.plugins.module_utils.object_results import KEYS_IN_MESSAGES
from ansible_collections.s3async.restore.plugins.module_utils.object_results import Collector
from ansible_collections.s3async.restore.plugins.module_utils.object_results import describe
from ansible_collections.s3async.restore.plugins.module_utils.object_results import failed_result
from ansible_collections.s3async.restore.plugins.module_utils.object_results import listing_stub
from ansible_collections.s3async.restore.plugins.module_utils.object_results import object_result
from ansible_collections.s3async.restore.plugins.module_utils.object_results import report_view
from ansible_collections.s3async.restore.plugins.module_utils.object_results import target_of

EXPIRY = datetime.datetime(2099, 12, 2, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(
    "obj, message",
    [
        ({"status": rs.STATUS_NOT_ARCHIVED, "storage_class": "STANDARD_IA", "expiry_date": None},
         "not archived (STANDARD_IA): readable without a restore"),
        ({"status": rs.STATUS_ARCHIVED, "storage_class": "GLACIER", "expiry_date": None},
         "archived: a restore is needed before it can be read"),
        ({"status": rs.STATUS_IN_PROGRESS, "storage_class": "DEEP_ARCHIVE", "expiry_date": None},
         "a restore is in progress"),
        ({"status": rs.STATUS_RESTORED, "storage_class": "GLACIER", "expiry_date": "2099-12-02T00:00:00Z"},
         "restored: the copy is readable until 2099-12-02T00:00:00Z"),
        ({"status": rs.STATUS_RESTORED, "storage_class": "INTELLIGENT_TIERING", "expiry_date": None},
         "restored: readable"),
    ],
    ids=["not-archived", "archived", "in-progress", "restored-with-expiry", "restored-without-expiry"],
)
def test_describe(obj, message):
    assert describe(obj) == message


def test_object_result_keys_order_and_values():
    obj = object_result("db/dump", "v1", "GLACIER", None, 42, rs.STATUS_RESTORED, EXPIRY, "noncurrent")
    assert list(obj) == ["key", "version_id", "version_kind", "storage_class", "archive_status", "size", "status", "expiry_date",
                         "action", "message"]
    assert obj == {
        "key": "db/dump",
        "version_id": "v1",
        "version_kind": "noncurrent",
        "storage_class": "GLACIER",
        "archive_status": None,
        "size": 42,
        "status": rs.STATUS_RESTORED,
        "expiry_date": "2099-12-02T00:00:00Z",
        "action": rs.ACTION_NONE,
        "message": "restored: the copy is readable until 2099-12-02T00:00:00Z",
    }


@pytest.mark.parametrize(
    "entry, storage_class, size",
    [
        ({"Key": "a", "StorageClass": "DEEP_ARCHIVE", "Size": 5}, "DEEP_ARCHIVE", 5),
        ({"Key": "a", "Size": 5}, "STANDARD", 5),  # ListObjectsV2 may leave StorageClass out
        ({"Key": "a", "StorageClass": ""}, "STANDARD", None),
    ],
    ids=["class", "no-class", "empty-class-no-size"],
)
def test_listing_stub_is_archived_with_what_the_listing_said(entry, storage_class, size):
    assert listing_stub(entry) == {
        "key": "a",
        "version_id": None,
        "version_kind": "current",  # a ListObjectsV2 entry is the current version
        "storage_class": storage_class,
        "archive_status": None,
        "size": size,
        "status": rs.STATUS_ARCHIVED,
        "expiry_date": None,
        "action": rs.ACTION_NONE,
        "message": "archived: a restore is needed before it can be read",
    }


def test_failed_result_keeps_the_action_already_taken():
    obj = dict(object_result("k", None, "GLACIER", None, 1, rs.STATUS_IN_PROGRESS, None),
               action=rs.ACTION_RESTORE, tier="Standard")
    failed = failed_result(obj, "Access denied: HeadObject")
    assert failed["action"] == rs.ACTION_RESTORE
    assert failed["tier"] == "Standard"
    assert failed["error"] == "Access denied: HeadObject"
    assert failed["message"] == "failed: Access denied: HeadObject"
    assert obj["message"] == "a restore is in progress"  # the original is not changed
    assert "error" not in obj


def test_report_view_drops_the_restore_fields():
    obj = dict(object_result("k", None, "GLACIER", None, 1, rs.STATUS_ARCHIVED, None), tier="Bulk", error="e")
    view = report_view(obj)
    assert list(view) == ["key", "version_id", "version_kind", "storage_class", "archive_status", "size", "status",
                          "expiry_date", "message", "error"]
    assert "action" in obj and "tier" in obj


# -- the collector ---------------------------------------------------------------------------------------------

def result(key, kind, size=1):
    """A result of one kind: "failed", "restore" (a restore requested), or "other"."""
    obj = object_result(key, None, "GLACIER", None, size, rs.STATUS_ARCHIVED, None)
    if kind == "restore":
        return dict(obj, action=rs.ACTION_RESTORE, status=rs.STATUS_IN_PROGRESS)
    if kind == "failed":
        return failed_result(obj, f"{key} failed")
    return obj


def collected(kinds, max_results):
    collector = Collector(max_results)
    for index, kind in enumerate(kinds):
        collector.add(result(f"{kind}-{index}", kind))
    return collector


def keys(collector):
    return [obj["key"] for obj in collector.objects()]


@pytest.mark.parametrize(
    "kinds, max_results, expected",
    [
        (["other", "restore", "failed", "other", "restore", "failed"], 0,
         ["failed-2", "failed-5", "restore-1", "restore-4", "other-0", "other-3"]),
        (["other", "restore", "failed", "other", "restore", "failed"], 1000,
         ["failed-2", "failed-5", "restore-1", "restore-4", "other-0", "other-3"]),
        # max_results bounds the list...
        (["other", "restore", "failed", "other", "restore", "failed"], 3, ["failed-2", "failed-5", "restore-1"]),
        # ...and each group, so that later failures still make it in.
        (["other", "other", "other", "failed"], 2, ["failed-3", "other-0"]),
        (["restore", "restore", "restore", "other"], 2, ["restore-0", "restore-1"]),
        (["other", "other"], 5, ["other-0", "other-1"]),
        ([], 5, []),
    ],
    ids=["unbounded", "large-bound", "bounded-list", "late-failure", "restores-fill-it", "under-bound", "empty"],
)
def test_collector_orders_failures_restores_rest(kinds, max_results, expected):
    assert keys(collected(kinds, max_results)) == expected


def test_collector_counts_every_object_even_those_not_kept():
    collector = collected(["other"] * 5 + ["restore"] * 3 + ["failed"] * 2, 2)
    assert len(collector.objects()) == 2
    assert collector.summary["total"] == 10
    assert collector.summary[rs.ACTION_RESTORE] == 3
    assert collector.summary["failed"] == 2
    assert collector.summary[rs.STATUS_ARCHIVED] == 7


def test_collector_bounds_each_group_in_memory():
    collector = collected(["other"] * 50 + ["restore"] * 50 + ["failed"] * 50, 3)
    # pylint: disable=protected-access
    assert [len(group) for group in collector._groups] == [3, 3, 3]


def test_failed_keys_are_capped():
    collector = collected(["failed"] * (KEYS_IN_MESSAGES + 20), 0)
    assert collector.failed_keys == [f"failed-{index}" for index in range(KEYS_IN_MESSAGES)]
    assert collector.summary["failed"] == KEYS_IN_MESSAGES + 20


@pytest.mark.parametrize(
    "count, max_results, truncated",
    [(3, 3, False), (4, 3, True), (10, 0, False), (0, 0, False), (0, 1, False), (2, 1, True)],
)
def test_truncated_when_more_objects_than_max_results(count, max_results, truncated):
    assert collected(["other"] * count, max_results).truncated is truncated


@pytest.mark.parametrize(
    "kinds, changed",
    [
        ([], False),
        (["other", "other"], False),
        (["failed"], False),
        (["other", "restore"], True),
        # A restore requested, then the object failed (while waiting): the restore was still sent.
        (["restore-then-failed"], True),
    ],
)
def test_changed_once_a_restore_was_requested(kinds, changed):
    collector = Collector(1)
    for index, kind in enumerate(kinds):
        obj = failed_result(result(str(index), "restore"), "HEAD failed") if kind == "restore-then-failed" else result(str(index), kind)
        collector.add(obj)
    assert collector.changed is changed


@pytest.mark.parametrize(
    "params, target",
    [
        ({"bucket": "b", "key": "db/dump", "prefix": None, "version_id": None}, "s3://b/db/dump"),
        ({"bucket": "b", "key": "db/dump", "prefix": None, "version_id": "v1"}, "s3://b/db/dump (version v1)"),
        ({"bucket": "b", "key": None, "prefix": "logs/", "version_id": None}, "s3://b/logs/*"),
        ({"bucket": "b", "key": None, "prefix": "", "version_id": None}, "s3://b/*"),
        ({"bucket": "b", "key": "", "prefix": None, "version_id": None}, "s3://b/"),
    ],
    ids=["key", "version", "prefix", "whole-bucket", "empty-key"],
)
def test_target_of(params, target):
    assert target_of(params) == target


def test_collector_sorts_each_group_by_key_whatever_the_order_seen():
    names = [f"k{index:03d}" for index in range(40)]
    orders = [names, list(reversed(names)), names[1::2] + names[::2]]
    lists = []
    for order in orders:
        collector = Collector(5)
        for name in order:
            collector.add(result(name, "restore" if name.endswith(("0", "5")) else "other"))
        lists.append(keys(collector))
    assert lists[0] == lists[1] == lists[2]
    # The restores first (k000, k005, ... the five smallest), then the first five others by key.
    assert lists[0] == ["k000", "k005", "k010", "k015", "k020"]


def test_collector_sorts_versions_of_a_key():
    collector = Collector(0)
    for version in ("v3", "v1", "v2"):
        collector.add(dict(result("k", "other"), version_id=version))
    assert [obj["version_id"] for obj in collector.objects()] == ["v1", "v2", "v3"]


@pytest.mark.parametrize(
    "list_objects, needs_attention, expected",
    [
        ("attention", None, ["failed-2", "restore-1"]),
        ("attention", lambda obj: obj["key"] == "other-0", ["failed-2", "restore-1", "other-0"]),
        ("all", None, ["failed-2", "restore-1", "other-0", "other-3"]),
    ],
    ids=["attention", "attention-picks", "all"],
)
def test_collector_lists_what_needs_attention_unless_asked_for_all(list_objects, needs_attention, expected):
    collector = Collector(0, list_objects, needs_attention)
    for index, kind in enumerate(["other", "restore", "failed", "other"]):
        collector.add(result(f"{kind}-{index}", kind))
    assert keys(collector) == expected
    assert collector.summary["total"] == 4


def test_truncated_counts_only_what_would_be_listed():
    collector = Collector(2, "attention")
    for index, kind in enumerate(["other"] * 10 + ["restore"] * 2):
        collector.add(result(f"{kind}-{index}", kind))
    assert collector.truncated is False  # ten objects need no attention; the two restores fit
    collector.add(result("restore-99", "restore"))
    assert collector.truncated is True


def test_an_expired_copy_says_when_it_expired():
    obj = object_result("k", None, "GLACIER", None, 1, rs.STATUS_ARCHIVED,
                        datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc))
    assert obj["expiry_date"] == "2026-11-01T00:00:00Z"
    assert obj["message"] == ("archived: the restored copy expired at 2026-11-01T00:00:00Z; a restore is needed before "
                              "it can be read")


@pytest.mark.parametrize(
    "params, target",
    [({"bucket": "b-1", "key": None, "prefix": None, "version_id": None, "keys": ["a"]}, "s3://b-1/ (1 key)"),
     ({"bucket": "b-1", "key": None, "prefix": None, "version_id": None, "keys": ["a", "b"], "version_at": "2026-11-24T18:00:00Z"},
      "s3://b-1/ (2 keys) as of 2026-11-24T18:00:00Z"),
     ({"bucket": "b-1", "key": None, "prefix": None, "version_id": None, "manifest": "s3://m-1/k.csv"}, "s3://b-1/ (manifest s3://m-1/k.csv)"),
     ({"bucket": "b-1", "key": None, "prefix": "db/", "version_id": None, "versions": "all"}, "s3://b-1/db/* (all versions)"),
     ({"bucket": "b-1", "key": None, "prefix": "db/", "version_id": None, "versions": "current"}, "s3://b-1/db/*")],
)
def test_target_of_the_other_sources(params, target):
    assert target_of(params) == target
