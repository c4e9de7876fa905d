# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""object_sources, end to end through report_task.run_report and restore_task.run_restore: key lists, the three
manifest formats (local and in S3), versioned buckets (several versions, delete markers, archived non-current
versions), version_at across version boundaries, each filter, a 10,000-line manifest with flat memory.

moto's in-process S3 for what it does as AWS does; botocore's Stubber where it does not (facts sheet, "moto 5.2.5
versus AWS"): Intelligent-Tiering archive tiers, RestoreStatus in listings (so the trusted key-list listing), and
the VersionId sent with RestoreObject (which moto ignores). moto runs use status_source=head: moto omits
RestoreStatus from listings, so its listing must not be trusted.
"""

from __future__ import annotations

import copy
import datetime
import gzip
import json
import time
import tracemalloc

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ansible.module_utils.common import warnings as module_warnings
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.s3async.restore.plugins.module_utils import object_sources
from ansible_collections.s3async.restore.plugins.module_utils import report_task
from ansible_collections.s3async.restore.plugins.module_utils import restore_task
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket
from ansible_collections.s3async.restore.plugins.modules.s3_object_restore import ARGUMENT_SPEC

BUCKET = "archive-bucket"
REGION = "us-east-1"
DEFAULTS = {name: copy.deepcopy(spec.get("default")) for name, spec in ARGUMENT_SPEC.items()}


class Module:
    """What the tasks use of AnsibleAWSModule, on a given client (moto's or a Stubber's)."""

    def __init__(self, client, check_mode=False, **params):
        self.params = dict(DEFAULTS, bucket=BUCKET, key=None, **params)
        self.check_mode = check_mode
        self._diff = False
        self._client = client

    def client(self, service, retry_decorator=None, config=None):
        return RetryingBotoClientWrapper(self._client, retry_decorator)


@pytest.fixture(autouse=True)
def no_warnings_carried_over():
    module_warnings._global_warnings.clear()  # pylint: disable=protected-access
    yield
    module_warnings._global_warnings.clear()  # pylint: disable=protected-access


def warnings():
    return list(module_warnings.get_warning_messages())


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture
def stubber():
    client = boto3.client("s3", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    with Stubber(client) as stub:
        yield stub
    stub.assert_no_pending_responses()


@pytest.fixture
def calls(s3):
    """The S3 operations the run sends, in order (botocore's before-call event)."""
    made = []
    s3.meta.events.register("before-call.s3.*", lambda model, **_kwargs: made.append(model.name))
    return made


def report(client, **params):
    module = Module(client, **dict({"status_source": "head", "concurrency": 4, "list_objects": "all", "max_results": 0}, **params))
    return report_task.run_report(module, restore_task.bucket_of(module, "s3_object_restore_info"))


def restore(client, check_mode=False, **params):
    module = Module(client, check_mode, **dict({"status_source": "head", "concurrency": 4, "list_objects": "all", "max_results": 0}, **params))
    return restore_task.run_restore(module, restore_task.bucket_of(module, "s3_object_restore"))


def put(client, key, storage_class="GLACIER", body=b"x" * 10):
    return client.put_object(Bucket=BUCKET, Key=key, Body=body, StorageClass=storage_class).get("VersionId")


def seen(result):
    return [(obj["key"], obj["status"]) for obj in result["objects"]]


# -- key lists -------------------------------------------------------------------------------------------------

def test_a_key_list_costs_a_head_per_key_and_reads_a_key_named_twice_once(s3, calls):
    put(s3, "db/a")
    put(s3, "db/b", "STANDARD")
    result = report(s3, keys=["db/a", "db/b", "db/a"])
    assert seen(result) == [("db/a", "archived"), ("db/b", "not_archived")]
    assert calls.count("HeadObject") == 2 and "ListObjectsV2" not in calls
    assert result["msg"].startswith(f"s3://{BUCKET}/ (3 keys): 2 objects")
    assert result["summary"]["by_version_kind"] == {"current": 2, "noncurrent": 0}


def test_a_missing_key_of_a_list_fails_that_object_only(s3):
    put(s3, "db/a")
    with pytest.raises(TaskFailure) as raised:
        report(s3, keys=["db/a", "db/missing"])
    assert raised.value.result["failed_keys"] == ["db/missing"]
    assert "Key 'db/missing' not found" in raised.value.msg


def test_head_only_filters_apply_after_the_head_and_before_any_restore(s3, calls):
    put(s3, "db/small", body=b"x")
    put(s3, "db/big", body=b"x" * 2000)
    put(s3, "db/deep", "DEEP_ARCHIVE", body=b"x" * 2000)
    result = restore(s3, keys=["db/small", "db/big", "db/deep"], min_size="1 KB", storage_classes=["GLACIER"])
    assert [obj["key"] for obj in result["objects"]] == ["db/big"]
    assert calls.count("RestoreObject") == 1
    assert result["summary"]["counted_out"]["min_size"] == 1
    assert result["summary"]["counted_out"]["storage_classes"] == 1
    assert result["msg"].endswith("; 2 counted out by the filters.")


def test_key_patterns_count_out_before_the_head_and_an_unmatched_pattern_is_warned_about(s3, calls):
    put(s3, "db/a.dump")
    put(s3, "db/a.log")
    result = report(s3, keys=["db/a.dump", "db/a.log"], include=["*.dump", "*.tar"])
    assert [obj["key"] for obj in result["objects"]] == ["db/a.dump"]
    assert calls.count("HeadObject") == 1
    assert any("include pattern '*.tar' matched no key" in text for text in warnings())


# -- manifests -------------------------------------------------------------------------------------------------

def test_a_local_lines_manifest(s3, tmp_path):
    put(s3, "db/a b")
    manifest = tmp_path / "keys.txt"
    manifest.write_text("db/a b\n\ndb/a b\n")
    result = report(s3, manifest=str(manifest))
    assert seen(result) == [("db/a b", "archived")]  # empty line skipped, consecutive duplicate read once


def test_a_local_gzipped_csv_manifest_with_versions(s3, tmp_path):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    first = put(s3, "db/x,y")
    put(s3, "db/x,y", "STANDARD")
    manifest = tmp_path / "m.csv.gz"
    manifest.write_bytes(gzip.compress(f"{BUCKET},db/x%2Cy,{first}\n".encode()))
    result = report(s3, manifest=str(manifest))
    (obj,) = result["objects"]
    assert (obj["key"], obj["version_id"], obj["version_kind"], obj["status"]) == ("db/x,y", first, None, "archived")


def test_a_csv_manifest_in_s3(s3):
    put(s3, "db/a")
    s3.create_bucket(Bucket="manifests")
    s3.put_object(Bucket="manifests", Key="run/1.csv", Body=f"{BUCKET},db/a\n".encode())
    assert seen(report(s3, manifest="s3://manifests/run/1.csv")) == [("db/a", "archived")]


def test_an_inventory_manifest_in_s3_reads_its_gzipped_csv_data_files(s3):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    old = put(s3, "db/a")
    new = put(s3, "db/a", "STANDARD")
    s3.create_bucket(Bucket="inventory-reports")
    rows = (f'"{BUCKET}","db/a","{new}","true","false"\n"{BUCKET}","db/a","{old}","false","false"\n'
            f'"{BUCKET}","db/gone","dm1","true","true"\n')
    s3.put_object(Bucket="inventory-reports", Key="data/1.csv.gz", Body=gzip.compress(rows.encode()))
    document = {"sourceBucket": BUCKET, "destinationBucket": "arn:aws:s3:::inventory-reports", "fileFormat": "CSV",
                "fileSchema": "Bucket, Key, VersionId, IsLatest, IsDeleteMarker", "files": [{"key": "data/1.csv.gz"}]}
    s3.put_object(Bucket="inventory-reports", Key="daily/manifest.json", Body=json.dumps(document).encode())
    result = report(s3, manifest="s3://inventory-reports/daily/manifest.json", versions="all")
    assert [(obj["version_id"], obj["version_kind"], obj["status"]) for obj in result["objects"]] == sorted(
        [(new, "current", "not_archived"), (old, "noncurrent", "archived")], key=lambda item: item[0])
    assert result["summary"]["delete_markers_skipped"] == 1
    # By default, only the current versions of an inventory of all versions.
    assert [obj["version_id"] for obj in report(s3, manifest="s3://inventory-reports/daily/manifest.json")["objects"]] == [new]


def test_a_manifest_row_for_another_bucket_fails_before_anything_is_sent(s3, tmp_path, calls):
    put(s3, "db/a")
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"{BUCKET},db/a\nother-bucket,db/b\n")
    with pytest.raises(TaskFailure, match="m.csv line 2: the row is for bucket 'other-bucket'"):
        restore(s3, manifest=str(manifest))
    assert "RestoreObject" not in calls and "HeadObject" not in calls


@pytest.mark.parametrize(
    "manifest, message",
    [("/nonexistent/keys.txt", "Cannot read manifest '/nonexistent/keys.txt' on the host that runs the module"),
     ("s3://archive-bucket/missing.csv", "The manifest s3://archive-bucket/missing.csv does not exist")],
)
def test_a_manifest_that_cannot_be_read_says_why(s3, manifest, message):
    with pytest.raises(TaskFailure, match=message):
        report(s3, manifest=manifest)


def test_a_manifest_longer_than_the_threshold_is_refused_up_front(s3, tmp_path, calls):
    manifest = tmp_path / "keys.txt"
    manifest.write_text("".join(f"db/{number}\n" for number in range(5)))
    with pytest.raises(TaskFailure, match="names 5 objects, more than batch_operations_threshold \\(4\\); nothing was sent"):
        restore(s3, manifest=str(manifest), batch_operations_threshold=4)
    assert "HeadObject" not in calls


def test_a_ten_thousand_line_manifest_is_streamed_with_flat_memory(s3, tmp_path):
    manifest = tmp_path / "keys.txt"
    manifest.write_text("".join(f"folder/{number:07d}-{'x' * 100}\n" for number in range(10_000)))
    bucket = S3Bucket(s3, BUCKET)
    tracemalloc.start()
    try:
        assert object_sources.check_manifest(bucket, {"manifest": str(manifest), "manifest_format": "auto"}) == 10_000
        chosen = object_sources.selection_of(bucket, dict(DEFAULTS, bucket=BUCKET, key=None, manifest=str(manifest)), False)
        assert sum(1 for _entry in chosen) == 10_000
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The file is 1.1 MB; ten thousand keys held at once would take more than that. A line at a time takes far less.
    assert peak < 300_000, peak
    assert chosen.listed == chosen.selected == 10_000


# -- versions --------------------------------------------------------------------------------------------------

@pytest.fixture
def versioned(s3):
    """db/a: an archived non-current version, then a current STANDARD one; db/b: a version, then a delete marker;
    db/c: one archived version. Returns {name: version ID}."""
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    ids = {"a1": put(s3, "db/a"), "a2": put(s3, "db/a", "STANDARD"), "b1": put(s3, "db/b")}
    ids["b-deleted"] = s3.delete_object(Bucket=BUCKET, Key="db/b")["VersionId"]
    ids["c1"] = put(s3, "db/c")
    return ids


@pytest.mark.parametrize(
    "versions, expected, markers",
    [("all", [("db/a", "a1", "noncurrent", "archived"), ("db/a", "a2", "current", "not_archived"), ("db/b", "b1", "noncurrent", "archived"),
              ("db/c", "c1", "current", "archived")], 1),
     ("noncurrent", [("db/a", "a1", "noncurrent", "archived"), ("db/b", "b1", "noncurrent", "archived")], 0)],
)
def test_versions_of_a_prefix_skip_and_count_delete_markers(s3, versioned, calls, versions, expected, markers):
    result = report(s3, prefix="db/", versions=versions)
    names = {value: name for name, value in versioned.items()}
    got = sorted((obj["key"], names[obj["version_id"]], obj["version_kind"], obj["status"]) for obj in result["objects"])
    assert got == expected
    assert result["summary"]["delete_markers_skipped"] == markers
    assert calls.count("ListObjectVersions") == 1 and "ListObjectsV2" not in calls
    kinds = result["summary"]["by_version_kind"]
    assert kinds == {"current": sum(kind == "current" for *_rest, kind, _status in expected),
                     "noncurrent": sum(kind == "noncurrent" for *_rest, kind, _status in expected)}


def test_restoring_noncurrent_versions_sends_each_version_id(stubber):
    """moto ignores VersionId on RestoreObject (facts sheet), so the parameters sent are asserted on a Stubber;
    the listing is AWS's (RestoreStatus trusted, asked for on ListObjectVersions too)."""
    moment = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
    stubber.add_response("list_object_versions", {
        "Versions": [{"Key": "db/a", "VersionId": "a2", "IsLatest": True, "LastModified": moment, "StorageClass": "STANDARD", "Size": 1},
                     {"Key": "db/a", "VersionId": "a1", "IsLatest": False, "LastModified": moment, "StorageClass": "GLACIER", "Size": 1},
                     {"Key": "db/b", "VersionId": "b1", "IsLatest": False, "LastModified": moment, "StorageClass": "DEEP_ARCHIVE", "Size": 1,
                      "RestoreStatus": {"IsRestoreInProgress": True}}],
        "DeleteMarkers": [{"Key": "db/b", "VersionId": "bd", "IsLatest": True, "LastModified": moment}],
    }, {"Bucket": BUCKET, "Prefix": "db/", "OptionalObjectAttributes": ["RestoreStatus"]})
    stubber.add_response("restore_object", {}, {"Bucket": BUCKET, "Key": "db/a", "VersionId": "a1",
                                                "RestoreRequest": {"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}}})
    result = restore(stubber.client, prefix="db/", versions="noncurrent", status_source="auto", concurrency=1)
    assert [(obj["version_id"], obj["status"], obj["action"]) for obj in result["objects"]] == [
        ("a1", "in_progress", "restore_requested"), ("b1", "in_progress", "none")]  # b1's restore runs: no request
    assert result["msg"].startswith(f"s3://{BUCKET}/db/* (noncurrent versions): requested 1 restore")


def test_versions_of_named_keys_list_each_key_alone(s3, versioned):
    put(s3, "db/a-longer")  # a key that merely starts with db/a
    result = report(s3, keys=["db/a"], versions="all")
    assert sorted(obj["version_id"] for obj in result["objects"]) == sorted([versioned["a1"], versioned["a2"]])


def test_a_named_key_costs_one_listing_page_whatever_starts_with_it(stubber):
    """ListObjectVersions(Prefix=key) lists in UTF-8 binary key order: the first other key ends the key's
    entries, so the next page (of keys that merely start with it) is not asked for."""
    moment = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
    stubber.add_response("list_object_versions", {
        "Versions": [{"Key": "db/a", "VersionId": "a1", "IsLatest": True, "LastModified": moment, "StorageClass": "GLACIER", "Size": 1},
                     {"Key": "db/a-longer", "VersionId": "l1", "IsLatest": True, "LastModified": moment, "StorageClass": "GLACIER", "Size": 1}],
        "IsTruncated": True, "NextKeyMarker": "db/a-longer", "NextVersionIdMarker": "l1",
    }, {"Bucket": BUCKET, "Prefix": "db/a", "OptionalObjectAttributes": ["RestoreStatus"]})
    result = report(stubber.client, keys=["db/a"], versions="all", status_source="auto", concurrency=1)
    assert [(obj["key"], obj["version_id"]) for obj in result["objects"]] == [("db/a", "a1")]


def all_versions_inventory(s3, rows):
    """An S3 Inventory of all versions in bucket inventory-reports; returns its manifest's s3:// URI."""
    s3.create_bucket(Bucket="inventory-reports")
    body = "".join(f'"{BUCKET}","{key}","{version_id}","{latest}","false"\n' for key, version_id, latest in rows)
    s3.put_object(Bucket="inventory-reports", Key="data/1.csv.gz", Body=gzip.compress(body.encode()))
    document = {"sourceBucket": BUCKET, "destinationBucket": "arn:aws:s3:::inventory-reports", "fileFormat": "CSV",
                "fileSchema": "Bucket, Key, VersionId, IsLatest, IsDeleteMarker", "files": [{"key": "data/1.csv.gz"}]}
    s3.put_object(Bucket="inventory-reports", Key="daily/manifest.json", Body=json.dumps(document).encode())
    return "s3://inventory-reports/daily/manifest.json"


def test_version_at_with_an_inventory_of_all_versions_resolves_each_key_at_that_moment(s3, calls):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    a1 = put(s3, "db/a")
    time.sleep(1.1)
    a2 = put(s3, "db/a", "STANDARD")
    manifest = all_versions_inventory(s3, [("db/a", a2, "true"), ("db/a", a1, "false")])
    moment = last_modified(s3, "db/a", a1)
    calls.clear()
    result = report(s3, manifest=manifest, version_at=moment.isoformat())
    assert [(obj["key"], obj["version_id"]) for obj in result["objects"]] == [("db/a", a1)]  # not today's a2
    assert calls.count("ListObjectVersions") == 1  # the key's two rows: one listing


def test_noncurrent_versions_of_named_versions(s3, tmp_path, calls):
    """versions=noncurrent: an inventory's IsLatest says which rows are non-current; a CSV or keys entry naming a
    version cannot say it, so the run is refused before anything is sent."""
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    old, new = put(s3, "db/a"), put(s3, "db/a", "STANDARD")
    manifest = all_versions_inventory(s3, [("db/a", new, "true"), ("db/a", old, "false")])
    assert [obj["version_id"] for obj in report(s3, manifest=manifest, versions="noncurrent")["objects"]] == [old]
    csv = tmp_path / "m.csv"
    csv.write_text(f"{BUCKET},db/a,{new}\n{BUCKET},db/a,{old}\n")
    assert sorted(obj["version_id"] for obj in report(s3, manifest=str(csv), versions="all")["objects"]) == sorted([old, new])
    calls.clear()
    with pytest.raises(TaskFailure, match="versions=noncurrent: 'db/a' version '.*' \\(line 1\\) names a version"):
        restore(s3, manifest=str(csv), versions="noncurrent")
    with pytest.raises(TaskFailure, match="versions=noncurrent: 'db/a' version '.*' names a version"):
        restore(s3, keys=["db/b", {"key": "db/a", "version_id": new}], versions="noncurrent")
    assert "HeadObject" not in calls and "RestoreObject" not in calls and "ListObjectVersions" not in calls


def last_modified(s3, key, version_id):
    """LastModified as ListObjectVersions gives it (HeadObject's HTTP date has whole seconds only)."""
    versions = s3.list_object_versions(Bucket=BUCKET, Prefix=key)
    return next(entry["LastModified"] for entry in versions.get("Versions", []) if entry["VersionId"] == version_id)


# moto's listings give LastModified in whole seconds: the versions a test tells apart are a second apart.
def test_version_at_restores_the_folder_as_it_was_across_version_boundaries(s3):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    a1, b1 = put(s3, "site/a"), put(s3, "site/b")
    time.sleep(1.1)
    a2 = put(s3, "site/a", "STANDARD")
    s3.delete_object(Bucket=BUCKET, Key="site/b")
    c1 = put(s3, "site/c")
    # Two puts in a row may fall in two seconds on a busy machine: each moment is the later of its writes.
    first = max(last_modified(s3, "site/a", a1), last_modified(s3, "site/b", b1))
    second = max(last_modified(s3, "site/a", a2), last_modified(s3, "site/c", c1))

    def at(moment):
        result = report(s3, prefix="site/", version_at=moment.isoformat())
        return sorted((obj["key"], obj["version_id"]) for obj in result["objects"]), result["summary"]

    objects, summary = at(last_modified(s3, "site/a", a1) - datetime.timedelta(seconds=1))
    assert objects == [] and summary["absent_at_version_at"] == 3  # before anything
    objects, summary = at(first)
    assert objects == [("site/a", a1), ("site/b", b1)] and summary["absent_at_version_at"] == 1  # c came later
    objects, summary = at(second)
    assert objects == [("site/a", a2), ("site/c", c1)] and summary["deleted_at_version_at"] == 1
    assert any("had been deleted (a delete marker)" in text for text in warnings())
    assert report(s3, prefix="site/", version_at=second.isoformat())["summary"]["by_version_kind"] == {"current": 2, "noncurrent": 0}


def test_version_at_with_keys_and_a_key_that_did_not_exist(s3):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    a1 = put(s3, "db/a")
    time.sleep(1.1)
    put(s3, "db/a", "STANDARD")
    put(s3, "db/later")
    moment = last_modified(s3, "db/a", a1)
    result = report(s3, keys=["db/a", "db/later", "db/never"], version_at=moment.isoformat())
    assert [(obj["key"], obj["version_id"], obj["version_kind"]) for obj in result["objects"]] == [("db/a", a1, "noncurrent")]
    assert result["summary"]["absent_at_version_at"] == 2
    assert result["msg"].endswith("; 2 keys absent or deleted at version_at.")


# -- filters on a prefix listing ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "params, kept, counted_out",
    [({"storage_classes": ["DEEP_ARCHIVE"]}, ["p/deep"], {"storage_classes": 3}),
     ({"min_size": 100}, ["p/big"], {"min_size": 3}),
     ({"max_size": "0.05 KB"}, ["p/a.log", "p/deep", "p/std"], {"max_size": 1}),
     ({"include": ["p/*.log", "p/std"], "exclude": ["p/std"]}, ["p/a.log"], {"include": 2, "exclude": 1}),  # exclude wins
     ({"exclude": ["*.log", "p/b*"]}, ["p/deep", "p/std"], {"exclude": 2}),
     ({"modified_before": "2000-01-01T00:00:00Z"}, [], {"modified_before": 4}),
     ({"modified_after": "2000-01-01T00:00:00Z"}, ["p/a.log", "p/big", "p/deep", "p/std"], {})],
)
def test_each_filter_counts_out_before_anything_is_sent(s3, calls, params, kept, counted_out):
    put(s3, "p/a.log")
    put(s3, "p/big", body=b"x" * 200)
    put(s3, "p/deep", "DEEP_ARCHIVE")
    put(s3, "p/std", "STANDARD")
    result = restore(s3, prefix="p/", **params)
    assert sorted(obj["key"] for obj in result["objects"]) == kept
    assert {name: count for name, count in result["summary"]["counted_out"].items() if count} == counted_out
    assert calls.count("RestoreObject") == sum(1 for key in kept if key != "p/std")
    if not kept:
        assert result["msg"] == f"s3://{BUCKET}/p/*: nothing matched, no restore sent; 4 counted out by the filters."
        assert any("selected no object; 4 counted out by the filters" in text for text in warnings())


# -- Stubber: what moto lacks ----------------------------------------------------------------------------------

def test_intelligent_tiering_in_a_key_list_is_restored_without_days(stubber):
    """moto has no Intelligent-Tiering archive tiers (facts sheet): a HEAD tells the tier, the request has no Days."""
    stubber.add_response("head_object", {"ContentLength": 5, "StorageClass": "INTELLIGENT_TIERING", "ArchiveStatus": "DEEP_ARCHIVE_ACCESS"},
                         {"Bucket": BUCKET, "Key": "db/int"})
    stubber.add_response("restore_object", {}, {"Bucket": BUCKET, "Key": "db/int", "RestoreRequest": {"GlacierJobParameters": {"Tier": "Bulk"}}})
    result = restore(stubber.client, keys=["db/int"], tier="Bulk", status_source="auto", concurrency=1)
    (obj,) = result["objects"]
    assert (obj["archive_status"], obj["action"], obj["version_kind"]) == ("DEEP_ARCHIVE_ACCESS", "restore_requested", "current")


def listed(key, storage_class="GLACIER", **extra):
    return dict({"Key": key, "StorageClass": storage_class, "Size": 1}, **extra)


def test_many_keys_in_one_folder_are_read_from_one_trusted_listing_not_a_head_each(stubber):
    """On AWS (RestoreStatus trusted), 20 keys of one folder cost one listing page instead of 20 HEADs; the listing
    of their common prefix stops past the last key; a key it does not show gets its HEAD (which says it is missing);
    a named version is HEADed."""
    keys = [f"db/2026/{number:02d}" for number in range(20)]
    page = [listed(key) for key in keys] + [listed("db/2026/99")]
    page[3]["RestoreStatus"] = {"IsRestoreInProgress": True}
    stubber.add_response("list_objects_v2", {"Contents": [dict(entry) for entry in page if entry["Key"] != "db/2026/05"]},
                         {"Bucket": BUCKET, "Prefix": "db/2026/", "OptionalObjectAttributes": ["RestoreStatus"]})
    stubber.add_response("head_object", {"ContentLength": 1, "StorageClass": "GLACIER", "VersionId": "v1"},
                         {"Bucket": BUCKET, "Key": "db/2026/05"})
    stubber.add_response("head_object", {"ContentLength": 1, "StorageClass": "GLACIER"},
                         {"Bucket": BUCKET, "Key": "other/x", "VersionId": "v9"})
    result = report(stubber.client, keys=keys + [{"key": "other/x", "version_id": "v9"}], status_source="auto", concurrency=1)
    assert result["summary"]["total"] == 21
    assert result["summary"]["in_progress"] == 1
    assert "db/2026/99" not in [obj["key"] for obj in result["objects"]]  # listed, but not asked for
    assert result["summary"]["by_version_kind"] == {"current": 20, "noncurrent": 0}  # other/x: a named version


def test_a_folder_listing_gives_up_once_it_costs_what_the_heads_would(stubber):
    """13 wanted keys among thousands: after one page (12.5 HEADs' worth) the rest are HEADed, each once."""
    keys = [f"logs/{number:04d}" for number in (0, 1500, 1501, 1502, 1503, 1504, 1505, 1506, 1507, 1508, 1509, 1510, 1511)]
    first_page = [listed(f"logs/{number:04d}") for number in range(1000)]
    stubber.add_response("list_objects_v2", {"Contents": first_page, "IsTruncated": True, "NextContinuationToken": "t"},
                         {"Bucket": BUCKET, "Prefix": "logs/", "OptionalObjectAttributes": ["RestoreStatus"]})
    for key in keys[1:]:
        stubber.add_response("head_object", {"ContentLength": 1, "StorageClass": "GLACIER"}, {"Bucket": BUCKET, "Key": key})
    result = report(stubber.client, keys=keys, status_source="auto", concurrency=1)
    assert result["summary"]["total"] == 13 and result["summary"]["archived"] == 13
