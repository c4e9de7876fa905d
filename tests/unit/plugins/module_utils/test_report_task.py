# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""report_task: run_report end to end on a Stubber-backed S3Bucket, through the stand-in module of
test_restore_task: nothing changed, restore fields dropped, the summary, the list of what needs attention, the
one-line msg, failures."""

from __future__ import annotations

from ansible_collections.s3async.restore.plugins.module_utils import report_task
from ansible_collections.s3async.restore.plugins.module_utils import restore_state as rs
from ansible_collections.s3async.restore.plugins.module_utils import restore_task

# The stand-in module and the Stubber helpers are test_restore_task's (pytest puts this folder on sys.path).
from test_restore_task import BUCKET, DONE, KEY  # pylint: disable=wrong-import-order
from test_restore_task import FakeModule, entry, expect_head, expect_listing, failure_of, head  # pylint: disable=wrong-import-order


def report(stubber, **params):
    module = FakeModule(stubber, **params)
    return report_task.run_report(module, restore_task.bucket_of(module, "s3_object_restore_info"))


def test_report_of_one_key_changes_nothing_and_shows_no_restore_fields(stubber):
    expect_head(stubber, head("GLACIER", restore=DONE))
    result = report(stubber, key=KEY)
    assert result["changed"] is False
    assert result["objects_truncated"] is False
    (obj,) = result["objects"]
    assert "action" not in obj and "tier" not in obj
    assert (obj["status"], obj["expiry_date"]) == (rs.STATUS_RESTORED, "2099-12-02T00:00:00Z")
    assert rs.ACTION_RESTORE not in result["summary"] and "restore_requested_bytes" not in result["summary"]
    assert result["summary"]["restored"] == 1


def test_report_of_a_prefix_heads_only_what_the_listing_cannot_tell(stubber):
    expect_listing(stubber, [entry("a", "STANDARD"), entry("b"), entry("c", "INTELLIGENT_TIERING")])
    expect_head(stubber, head("INTELLIGENT_TIERING", "DEEP_ARCHIVE_ACCESS"), key="logs/c")
    result = report(stubber, key=None, prefix="logs/", concurrency=1, max_results=1)
    assert result["changed"] is False
    assert result["objects_truncated"] is True  # two archived objects to list, one listed
    assert [obj["key"] for obj in result["objects"]] == ["logs/b"]
    summary = result["summary"]
    assert (summary["total"], summary["not_archived"], summary["archived"]) == (3, 1, 2)


def test_report_fails_when_an_object_cannot_be_read(stubber):
    expect_listing(stubber, [entry("a", "STANDARD"), entry("c", "INTELLIGENT_TIERING")])
    stubber.add_client_error("head_object", "403", "Forbidden", 403)
    failure = failure_of(report, stubber, key=None, prefix="logs/", concurrency=1)
    assert failure.msg.startswith(
        f"1 of 2 objects could not be read: Access denied: HeadObject on s3://{BUCKET}/logs/c needs the IAM permission "
        "s3:GetObject")
    assert failure.result["failed_keys"] == ["logs/c"]
    assert failure.result["changed"] is False
    assert failure.result["objects"][0]["key"] == "logs/c"  # failures first


def test_report_lists_what_cannot_be_read_yet_and_says_it_in_one_line(stubber):
    expect_listing(stubber, [entry("a", "STANDARD"), entry("b"), entry("c", restore_status={"IsRestoreInProgress": True})])
    result = report(stubber, key=None, prefix="logs/", concurrency=1)
    assert [obj["key"] for obj in result["objects"]] == ["logs/b", "logs/c"]  # the readable one is left out
    assert result["msg"] == (f"s3://{BUCKET}/logs/*: 3 objects (30 bytes): 1 archived (10 bytes), 1 in progress "
                             "(10 bytes), 1 not archived (10 bytes); GLACIER 2, STANDARD 1.")
    assert result["summary"]["matched_nothing"] is False


def test_report_lists_every_object_on_request(stubber):
    expect_listing(stubber, [entry("b"), entry("a", "STANDARD")])
    result = report(stubber, key=None, prefix="logs/", concurrency=1, list_objects="all")
    assert [obj["key"] for obj in result["objects"]] == ["logs/a", "logs/b"]  # sorted by key


def test_a_prefix_that_matches_nothing_is_said_and_warned_about(stubber):
    expect_listing(stubber, [])
    result = report(stubber, key=None, prefix="logs/", concurrency=1)
    assert result["summary"]["matched_nothing"] is True
    assert result["msg"] == f"s3://{BUCKET}/logs/*: nothing matched."
