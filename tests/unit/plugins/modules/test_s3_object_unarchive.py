# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_object_unarchive through main() against moto's in-process S3.

moto is faithful for: CopyObject of a restored GLACIER / DEEP_ARCHIVE object (and its refusal, 403
ObjectNotInActiveTierError, before the restore), MetadataDirective / TaggingDirective COPY and REPLACE, the refusal
of a copy to itself that changes nothing, UploadPartCopy with CopySourceRange, versioned copies. It completes
restores at once (facts sheet, "moto 5.2.5 versus AWS"), so an object "being restored" is made with a Stubber
elsewhere (test_s3_object_unarchive_stubbed.py).
"""

from __future__ import annotations

import datetime
import time

import botocore.client
import pytest

from ansible_collections.s3async.restore.plugins.module_utils import copy_plan
from ansible_collections.s3async.restore.plugins.modules import s3_object_unarchive

BUCKET = "archive-bucket"
OTHER = "kept-bucket"
METADATA = {"owner": "db-team", "purpose": "dump"}


def put(s3, key, storage_class="GLACIER", body=b"payload", restore=True, bucket=BUCKET):
    s3.put_object(Bucket=bucket, Key=key, Body=body, StorageClass=storage_class, Metadata=METADATA,
                  ContentType="application/x-dump", CacheControl="max-age=60", Tagging="team=db&keep=yes")
    if restore and storage_class in ("GLACIER", "DEEP_ARCHIVE"):
        s3.restore_object(Bucket=bucket, Key=key, RestoreRequest={"Days": 2})


def tags_of(s3, bucket, key):
    return sorted((tag["Key"], tag["Value"]) for tag in s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"])


def run(run_module, check_mode=False, diff=False, **args):
    return run_module(s3_object_unarchive.main, dict({"bucket": BUCKET}, **args), check_mode=check_mode, diff=diff)


@pytest.mark.parametrize("storage_class", ["GLACIER", "DEEP_ARCHIVE"])
def test_in_place_copy_keeps_metadata_and_tags_and_a_second_run_does_nothing(s3, run_module, storage_class):
    put(s3, "db/dump", storage_class)
    failed, first = run(run_module, key="db/dump")
    assert not failed, first
    assert first["changed"] is True
    (obj,) = first["objects"]
    assert obj["action"] == "copied" and obj["copy_status"] == "copied"
    assert obj["destination"] == f"s3://{BUCKET}/db/dump"
    assert first["summary"]["copied"] == 1
    assert first["summary"]["by_storage_class"][storage_class]["copied_bytes"] == len(b"payload")
    head = s3.head_object(Bucket=BUCKET, Key="db/dump")
    assert head.get("StorageClass", "STANDARD") == "STANDARD"
    assert head["Metadata"] == METADATA
    assert head["ContentType"] == "application/x-dump" and head["CacheControl"] == "max-age=60"
    assert tags_of(s3, BUCKET, "db/dump") == [("keep", "yes"), ("team", "db")]
    assert first["msg"].startswith(f"s3://{BUCKET}/db/dump: copied 1 object (7 bytes) to STANDARD in place;")

    failed, second = run(run_module, key="db/dump")
    assert not failed, second
    assert second["changed"] is False
    assert second["objects"][0]["copy_status"] == "not_needed"
    assert second["summary"]["copied"] == 0


def test_prefix_to_another_bucket_copies_restored_and_leaves_unrestored_pending(s3, run_module):
    s3.create_bucket(Bucket=OTHER)
    put(s3, "db/a.dump", "GLACIER")
    put(s3, "db/b.dump", "DEEP_ARCHIVE")
    put(s3, "db/cold.dump", "GLACIER", restore=False)
    put(s3, "db/live.txt", "STANDARD")
    put(s3, "db/tiered.bin", "INTELLIGENT_TIERING")
    # moto leaves RestoreStatus out of listings (facts sheet): status_source=head, as on any such endpoint.
    args = dict(prefix="db/", destination_bucket=OTHER, destination_prefix="kept/", storage_class="STANDARD_IA", status_source="head",
                list_objects="all")

    failed, first = run(run_module, **args)
    assert not failed, first
    summary = first["summary"]
    assert (summary["copied"], summary["pending"], summary["not_needed"], summary["failed"]) == (3, 1, 1, 0)
    copied = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=OTHER)["Contents"])
    assert copied == ["kept/a.dump", "kept/b.dump", "kept/tiered.bin"]
    head = s3.head_object(Bucket=OTHER, Key="kept/a.dump")
    assert head["StorageClass"] == "STANDARD_IA"
    assert head["Metadata"]["owner"] == "db-team"
    assert head["Metadata"][copy_plan.SOURCE_ETAG_METADATA] == s3.head_object(Bucket=BUCKET, Key="db/a.dump")["ETag"].strip('"')
    assert head["ContentType"] == "application/x-dump"
    assert tags_of(s3, OTHER, "kept/b.dump") == [("keep", "yes"), ("team", "db")]
    cold = next(obj for obj in first["objects"] if obj["key"] == "db/cold.dump")
    assert cold["copy_status"] == "pending" and "error" not in cold
    assert "1 pending" in first["msg"]
    # The sources stay as they were: nothing is ever deleted or changed at the source.
    assert s3.head_object(Bucket=BUCKET, Key="db/a.dump")["StorageClass"] == "GLACIER"

    failed, second = run(run_module, **args)
    assert not failed, second
    assert second["changed"] is False
    assert (second["summary"]["copied"], second["summary"]["already_copied"]) == (0, 3)


def test_a_destination_holding_another_object_is_never_overwritten(s3, run_module):
    s3.create_bucket(Bucket=OTHER)
    put(s3, "db/a.dump", "GLACIER")
    s3.put_object(Bucket=OTHER, Key="db/a.dump", Body=b"somebody else's")
    failed, result = run(run_module, key="db/a.dump", destination_bucket=OTHER)
    assert failed
    assert "already holds another object" in result["objects"][0]["error"]
    assert s3.get_object(Bucket=OTHER, Key="db/a.dump")["Body"].read() == b"somebody else's"


def test_check_mode_says_would_and_copies_nothing(s3, run_module):
    put(s3, "db/a.dump", "GLACIER")
    failed, result = run(run_module, check_mode=True, diff=True, prefix="db/", status_source="head")
    assert not failed, result
    assert result["changed"] is True
    assert result["msg"].startswith(f"s3://{BUCKET}/db/*: would copy 1 object (7 bytes) to STANDARD in place;")
    assert result["objects"][0]["message"].startswith("would be copied to")
    assert result["diff"] == {"before": {"objects": {f"s3://{BUCKET}/db/a.dump": "GLACIER"}},
                              "after": {"objects": {f"s3://{BUCKET}/db/a.dump": "STANDARD"}}}
    assert s3.head_object(Bucket=BUCKET, Key="db/a.dump")["StorageClass"] == "GLACIER"


def test_request_restores_then_wait_copies_each_as_it_becomes_readable(s3, run_module):
    put(s3, "db/a.dump", "DEEP_ARCHIVE", restore=False)
    failed, result = run(run_module, prefix="db/", request_restores=True, wait_timeout=600, wait_delay=1, status_source="head")
    assert not failed, result
    assert result["summary"]["restore_requested"] == 1
    # moto completes the restore at once; on AWS the wait polls until it has.
    assert result["summary"]["copied"] == 1
    assert s3.head_object(Bucket=BUCKET, Key="db/a.dump").get("StorageClass", "STANDARD") == "STANDARD"


def test_versioned_bucket_reports_the_archived_version_kept(s3, run_module):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    put(s3, "db/a.dump", "GLACIER")
    failed, result = run(run_module, key="db/a.dump")
    assert not failed, result
    assert any("versioned" in str(warning) and "NoncurrentVersionExpiration" in str(warning) for warning in result["warnings"])
    versions = s3.list_object_versions(Bucket=BUCKET, Prefix="db/a.dump")["Versions"]
    assert sorted((version["StorageClass"], version["IsLatest"]) for version in versions) == [("GLACIER", False), ("STANDARD", True)]
    assert result["objects"][0]["destination_version_id"] == next(v["VersionId"] for v in versions if v["IsLatest"])


def test_a_large_object_goes_through_the_multipart_copy(s3, run_module, monkeypatch):
    s3.create_bucket(Bucket=OTHER)
    body = bytes(range(256)) * (11 * 1024 * 4)  # 11 MiB
    put(s3, "big/blob", "DEEP_ARCHIVE", body=body)
    small = copy_plan.CopyLimits(single_copy_max=8 * copy_plan.MIB, part_size=5 * copy_plan.MIB)
    monkeypatch.setattr(copy_plan, "DEFAULT_LIMITS", small)
    failed, result = run(run_module, key="big/blob", destination_bucket=OTHER)
    assert not failed, result
    assert "multipart copy of 3 parts" in result["objects"][0]["message"]
    assert s3.get_object(Bucket=OTHER, Key="big/blob")["Body"].read() == body
    head = s3.head_object(Bucket=OTHER, Key="big/blob")
    assert head["Metadata"]["owner"] == "db-team" and head["ContentType"] == "application/x-dump"
    assert tags_of(s3, OTHER, "big/blob") == [("keep", "yes"), ("team", "db")]
    failed, again = run(run_module, key="big/blob", destination_bucket=OTHER)
    assert not failed and again["objects"][0]["copy_status"] == "already_copied"


@pytest.mark.parametrize("args, words", [
    ({"key": "a", "storage_class": "GLACIER"}, "storage_class"),
    ({"key": "a", "destination_bucket": "s3://other"}, "destination_bucket"),
    ({"key": "a", "request_restores": True, "days": 0}, "days must be 1 or more"),
    ({"key": "a", "wait_timeout": -1}, "wait_timeout must be 0 or more"),
])
def test_bad_input_is_refused_before_any_call(run_module, args, words):
    failed, result = run(run_module, **args)
    assert failed
    assert words in result["msg"]


# -- the selection of issue 12: keys, manifests, versions, version_at, filters ---------------------------------

@pytest.fixture
def api_calls(monkeypatch):
    """Every S3 call the module makes, as (operation, bucket, key); the call still goes to moto."""
    calls = []
    real = botocore.client.BaseClient._make_api_call  # pylint: disable=protected-access

    def spy(self, operation, params):
        calls.append((operation, params.get("Bucket"), params.get("Key")))
        return real(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
    return calls


def test_keys_are_copied_with_one_head_each_and_destination_prefix_in_front(s3, run_module, api_calls):
    for key in ("db/a.dump", "db/b.dump", "etc/app.conf"):
        put(s3, key, "DEEP_ARCHIVE")
    put(s3, "db/cold.dump", "GLACIER", restore=False)
    del api_calls[:]
    failed, result = run(run_module, keys=["db/a.dump", {"key": "db/b.dump"}, "etc/app.conf", "db/cold.dump"],
                         destination_prefix="kept/", list_objects="all")
    assert not failed, result
    summary = result["summary"]
    assert (summary["copied"], summary["pending"], summary["total"]) == (3, 1, 4)
    # keys have no prefix: destination_prefix goes in front of each whole key.
    listed = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix="kept/")["Contents"])
    assert listed == ["kept/db/a.dump", "kept/db/b.dump", "kept/etc/app.conf"]
    assert s3.head_object(Bucket=BUCKET, Key="kept/etc/app.conf")["Metadata"]["owner"] == "db-team"
    # One HEAD per named source object serves both its state and its copy (plus one of each destination key).
    source_heads = sorted(key for operation, bucket, key in api_calls if operation == "HeadObject" and not key.startswith("kept/"))
    assert source_heads == ["db/a.dump", "db/b.dump", "db/cold.dump", "etc/app.conf"]
    assert result["msg"].startswith(f"s3://{BUCKET}/ (4 keys): copied 3 objects (21 bytes) to STANDARD at s3://{BUCKET}/kept/*;")


def test_a_key_run_costs_one_head_of_the_source(s3, run_module, api_calls):
    put(s3, "db/a.dump", "GLACIER")
    del api_calls[:]
    failed, result = run(run_module, key="db/a.dump")
    assert not failed, result
    assert [call for call in api_calls if call[0] == "HeadObject"] == [("HeadObject", BUCKET, "db/a.dump")]


def test_a_local_lines_manifest_and_a_csv_manifest_in_s3(s3, run_module, tmp_path):
    s3.create_bucket(Bucket=OTHER)
    for key in ("db/a.dump", "db/b c.dump"):
        put(s3, key, "GLACIER")
    lines = tmp_path / "keys.txt"
    lines.write_text("db/a.dump\n\ndb/b c.dump\n")
    failed, result = run(run_module, manifest=str(lines), destination_bucket=OTHER)
    assert not failed, result
    assert result["summary"]["copied"] == 2
    assert sorted(item["Key"] for item in s3.list_objects_v2(Bucket=OTHER)["Contents"]) == ["db/a.dump", "db/b c.dump"]

    s3.put_object(Bucket=OTHER, Key="manifests/m.csv", Body=f"{BUCKET},db/a.dump\n{BUCKET},db/b%20c.dump\n".encode())
    failed, again = run(run_module, manifest=f"s3://{OTHER}/manifests/m.csv", destination_bucket=OTHER)
    assert not failed, again
    assert (again["summary"]["copied"], again["summary"]["already_copied"]) == (0, 2)


def test_a_manifest_row_for_another_bucket_fails_the_run_before_any_copy(s3, run_module, tmp_path):
    put(s3, "db/a.dump", "GLACIER")
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"{BUCKET},db/a.dump\nsomebody-else,db/b.dump\n")
    failed, result = run(run_module, manifest=str(manifest))
    assert failed
    assert "line 2" in result["msg"] and "somebody-else" in result["msg"]
    assert result["changed"] is False
    assert s3.head_object(Bucket=BUCKET, Key="db/a.dump")["StorageClass"] == "GLACIER"


def put_versions(s3, key, bodies):
    """Versions of `key`, oldest first, each restored while it was current; returns [(version ID, moment after it)]."""
    versions = []
    for body in bodies:
        version_id = s3.put_object(Bucket=BUCKET, Key=key, Body=body, StorageClass="GLACIER", Metadata=METADATA)["VersionId"]
        s3.restore_object(Bucket=BUCKET, Key=key, RestoreRequest={"Days": 2})
        time.sleep(1.1)  # LastModified has a resolution of a second
        versions.append((version_id, datetime.datetime.now(datetime.timezone.utc)))
        time.sleep(1.1)
    return versions


def test_version_at_copies_the_folder_as_it_was_into_another_prefix(s3, run_module):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    (old, moment), _new = put_versions(s3, "site/index.html", [b"old page", b"new page"])
    s3.put_object(Bucket=BUCKET, Key="site/later.html", Body=b"not there yet", StorageClass="GLACIER")
    version_at = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    failed, result = run(run_module, prefix="site/", version_at=version_at, destination_prefix="site-then/", status_source="head")
    assert not failed, result
    assert result["summary"]["copied"] == 1 and result["summary"]["absent_at_version_at"] == 1
    (obj,) = result["objects"]
    assert (obj["version_id"], obj["version_kind"], obj["destination"]) == (old, "noncurrent", f"s3://{BUCKET}/site-then/index.html")
    assert s3.get_object(Bucket=BUCKET, Key="site-then/index.html")["Body"].read() == b"old page"
    assert s3.head_object(Bucket=BUCKET, Key="site-then/index.html")["Metadata"][copy_plan.SOURCE_VERSION_METADATA] == old
    # The source is as it was: the current version is still the new page.
    assert s3.get_object(Bucket=BUCKET, Key="site/index.html")["Body"].read() == b"new page"
    assert any("did not exist yet" in str(warning) for warning in result["warnings"])
    failed, again = run(run_module, prefix="site/", version_at=version_at, destination_prefix="site-then/", status_source="head")
    assert not failed and again["summary"]["already_copied"] == 1 and again["changed"] is False


def test_a_noncurrent_version_is_never_copied_in_place(s3, run_module):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    (old, _moment), (new, _later) = put_versions(s3, "db/a.dump", [b"old", b"new"])
    failed, result = run(run_module, keys=[{"key": "db/a.dump", "version_id": old}])
    assert failed
    assert f"version {old} is not the current version of its key" in result["objects"][0]["error"]
    assert len(s3.list_object_versions(Bucket=BUCKET, Prefix="db/a.dump")["Versions"]) == 2
    # The current version named by its ID is copied in place.
    failed, result = run(run_module, key="db/a.dump", version_id=new)
    assert not failed, result
    assert result["objects"][0]["copy_status"] == "copied"


def test_the_filters_count_out_before_anything_is_copied(s3, run_module):
    put(s3, "db/2026-11-01.dump", "DEEP_ARCHIVE", body=b"x" * 100)
    put(s3, "db/2026-11-02.dump", "GLACIER", body=b"x" * 100)
    put(s3, "db/test-2026-11-03.dump", "DEEP_ARCHIVE", body=b"x" * 100)
    put(s3, "db/small.dump", "DEEP_ARCHIVE", body=b"x")
    failed, result = run(run_module, prefix="db/", storage_classes=["DEEP_ARCHIVE"], min_size="10", include=["db/*.dump"],
                         exclude=["*/test-*"], status_source="head")
    assert not failed, result
    summary = result["summary"]
    assert summary["copied"] == 1 and summary["total"] == 1
    assert {name: count for name, count in summary["counted_out"].items() if count} == {"exclude": 1, "storage_classes": 1, "min_size": 1}
    assert s3.head_object(Bucket=BUCKET, Key="db/2026-11-02.dump")["StorageClass"] == "GLACIER"


@pytest.mark.parametrize("args, words", [
    ({"prefix": "db/", "versions": "all", "destination_bucket": OTHER}, "versions=all would copy several versions of a key"),
    ({"prefix": "db/", "version_at": "2026-01-01T00:00:00Z"}, "version_at copies the versions of a past moment, and in place"),
    ({"keys": ["a", {"key": "a", "version_id": "v1"}], "destination_prefix": "x/"}, "keys names 'a' twice"),
    ({"key": "a", "prefix": "b/"}, "mutually exclusive"),
    ({"keys": ["a"], "manifest": "m.txt"}, "mutually exclusive"),
    ({"key": "a", "min_size": "1 GB"}, "the filters (min_size)"),
    ({"prefix": "db/", "min_size": "2 GB", "max_size": "1 GB"}, "min_size (2 GB) is above max_size"),
    ({"prefix": "db/", "version_at": "2999-01-01T00:00:00Z", "destination_prefix": "x/"}, "is in the future"),
])
def test_bad_selection_input_is_refused_before_any_call(run_module, args, words):
    failed, result = run(run_module, **args)
    assert failed
    assert words in result["msg"]
