# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_object_restore_info through main(): moto (with its restore state manager) and the Stubber (INT tiers,
in-progress, an expired copy), asserting that it never writes."""

from __future__ import annotations

import pytest
from moto.moto_api import state_manager

from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket
from ansible_collections.s3async.restore.plugins.modules import s3_object_restore_info

BUCKET = "archive-bucket"


@pytest.fixture
def no_writes(monkeypatch):
    """Fail the test if the info module tries to send a restore or a notification change."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("s3_object_restore_info must never write")

    monkeypatch.setattr(S3Bucket, "restore_object", refuse)
    monkeypatch.setattr(S3Bucket, "put_notification_configuration", refuse)


def test_prefix_report_counts_and_bytes_per_status_and_class(s3, run_module, no_writes):
    s3.put_object(Bucket=BUCKET, Key="d/a", Body=b"x" * 10, StorageClass="GLACIER")
    s3.put_object(Bucket=BUCKET, Key="d/b", Body=b"x" * 20, StorageClass="DEEP_ARCHIVE")
    s3.put_object(Bucket=BUCKET, Key="d/c", Body=b"x" * 30, StorageClass="STANDARD")
    s3.put_object(Bucket=BUCKET, Key="d/d", Body=b"x" * 40, StorageClass="GLACIER")
    s3.restore_object(Bucket=BUCKET, Key="d/d", RestoreRequest={"Days": 2})
    failed, result = run_module(s3_object_restore_info.main, {"bucket": BUCKET, "prefix": "d/", "status_source": "head", "list_objects": "all"})
    assert not failed, result
    assert result["changed"] is False
    by_key = {obj["key"]: obj for obj in result["objects"]}
    assert by_key["d/a"]["status"] == "archived"
    assert by_key["d/b"]["status"] == "archived"
    assert by_key["d/c"]["status"] == "not_archived"
    assert by_key["d/d"]["status"] in ("in_progress", "restored")
    assert "action" not in by_key["d/a"]
    summary = result["summary"]
    assert summary["total"] == 4 and summary["bytes"] == 100
    assert summary["archived"] == 2 and summary["bytes_by_status"]["archived"] == 30
    assert summary["by_storage_class"]["GLACIER"]["total"] == 2
    assert summary["by_storage_class"]["GLACIER"]["bytes"] == 50
    assert summary["by_storage_class"]["STANDARD"]["not_archived"] == 1
    assert "restore_requested" not in summary


def test_state_manager_in_progress_then_restored(s3, run_module, no_writes):
    """moto's s3::keyrestore state manager holds a restore in progress for a few reads, as AWS does for hours."""
    state_manager.set_transition(model_name="s3::keyrestore", transition={"progression": "manual", "times": 3})
    try:
        s3.put_object(Bucket=BUCKET, Key="slow", Body=b"x", StorageClass="DEEP_ARCHIVE")
        failed, before = run_module(s3_object_restore_info.main, {"bucket": BUCKET, "key": "slow"})
        assert not failed
        assert before["objects"][0]["status"] == "archived"
        s3.restore_object(Bucket=BUCKET, Key="slow", RestoreRequest={"Days": 2})
        seen = []
        for _attempt in range(6):
            failed, result = run_module(s3_object_restore_info.main, {"bucket": BUCKET, "key": "slow"})
            assert not failed
            seen.append(result["objects"][0]["status"])
        assert seen[0] == "in_progress"
        assert seen[-1] == "restored"
        assert result["objects"][0]["expiry_date"].endswith("Z")
    finally:
        state_manager.unset_transition("s3::keyrestore")


HEAD_CASES = [
    ({"StorageClass": "INTELLIGENT_TIERING", "ArchiveStatus": "ARCHIVE_ACCESS"}, "archived", None),
    ({"StorageClass": "INTELLIGENT_TIERING", "ArchiveStatus": "DEEP_ARCHIVE_ACCESS",
      "Restore": 'ongoing-request="true"'}, "in_progress", None),
    ({"StorageClass": "INTELLIGENT_TIERING"}, "not_archived", None),
    ({"StorageClass": "GLACIER", "Restore": 'ongoing-request="true"'}, "in_progress", None),
    ({"StorageClass": "GLACIER", "Restore": 'ongoing-request="false", expiry-date="Wed, 02 Dec 2099 00:00:00 GMT"'},
     "restored", "2099-12-02T00:00:00Z"),
    # An expired copy: S3 removes the x-amz-restore header, and the object is archived again.
    ({"StorageClass": "DEEP_ARCHIVE"}, "archived", None),
]


@pytest.mark.parametrize("head, status, expiry", HEAD_CASES)
def test_stubbed_states(s3_stubber, run_module, head, status, expiry):
    s3_stubber.add_response("head_object", dict(head, ContentLength=5), {"Bucket": BUCKET, "Key": "k"})
    failed, result = run_module(s3_object_restore_info.main, {"bucket": BUCKET, "key": "k"})
    assert not failed, result
    assert result["changed"] is False
    obj = result["objects"][0]
    assert (obj["status"], obj["expiry_date"], obj["archive_status"]) == (status, expiry, head.get("ArchiveStatus"))


def test_listing_expiry_in_the_listing_is_reported_without_a_head(s3_stubber, run_module):
    import datetime

    expiry = datetime.datetime(2099, 12, 2, tzinfo=datetime.timezone.utc)
    s3_stubber.add_response(
        "list_objects_v2",
        {"Contents": [
            {"Key": "d/a", "Size": 1, "StorageClass": "GLACIER",
             "RestoreStatus": {"IsRestoreInProgress": False, "RestoreExpiryDate": expiry}},
            {"Key": "d/b", "Size": 2, "StorageClass": "DEEP_ARCHIVE", "RestoreStatus": {"IsRestoreInProgress": True}},
        ]},
        {"Bucket": BUCKET, "Prefix": "d/", "OptionalObjectAttributes": ["RestoreStatus"]},
    )
    failed, result = run_module(
        s3_object_restore_info.main, {"bucket": BUCKET, "prefix": "d/", "status_source": "listing", "list_objects": "all"}
    )
    assert not failed, result
    assert [(obj["key"], obj["status"], obj["expiry_date"]) for obj in result["objects"]] == [
        ("d/a", "restored", "2099-12-02T00:00:00Z"),
        ("d/b", "in_progress", None),
    ]


def test_unreadable_object_fails_naming_it(s3_stubber, run_module):
    s3_stubber.add_client_error("head_object", "403", "Forbidden", 403)
    failed, result = run_module(s3_object_restore_info.main, {"bucket": BUCKET, "key": "secret"})
    assert failed
    assert "needs the IAM permission s3:GetObject" in result["msg"]


def test_check_mode_reports_the_same(s3_stubber, run_module):
    s3_stubber.add_response("head_object", {"ContentLength": 1, "StorageClass": "GLACIER"}, {"Bucket": BUCKET, "Key": "k"})
    failed, result = run_module(s3_object_restore_info.main, {"bucket": BUCKET, "key": "k"}, check_mode=True)
    assert not failed
    assert result["objects"][0]["status"] == "archived"
