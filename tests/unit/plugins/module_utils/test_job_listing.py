# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils/job_listing against moto's in-process S3: manifests written whole or in parts, a listing sorted into
manifests, manifests found again, nothing written in check mode, and nothing left behind by a failure."""

from __future__ import annotations

import hashlib
import types

import boto3
import pytest
from moto import mock_aws

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.s3async.restore.plugins.module_utils import job_listing
from ansible_collections.s3async.restore.plugins.module_utils import job_manifests
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket

REGION = "us-east-1"
ACCOUNT = "111122223333"
BUCKET = "archive-bucket"
REPORTS = "reports"


@pytest.fixture
def s3(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_URL", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        client.create_bucket(Bucket=BUCKET)
        client.create_bucket(Bucket=REPORTS)
        yield client


def wrapped(client):
    return RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=1))


def module(s3, check_mode=False, **extra):
    params = {"bucket": BUCKET, "prefix": "db/", "storage_classes": ["GLACIER", "DEEP_ARCHIVE", "INTELLIGENT_TIERING"],
              "tier": "Standard", "days": 7, "idempotency_key": "", "description": None, "manifest_source": "listing",
              "manifest_bucket": None, "manifest_prefix": None, "report_bucket": REPORTS, "status_source": "head",
              "concurrency": 4}
    params.update(extra)
    return types.SimpleNamespace(params=params, check_mode=check_mode, client=lambda *args, **kwargs: wrapped(s3))


def uploads_in_progress(s3):
    return s3.list_multipart_uploads(Bucket=REPORTS).get("Uploads", [])


def test_a_small_manifest_is_one_put_object(s3):
    upload = job_listing.ManifestUpload(S3Bucket(wrapped(s3), REPORTS), "m/glacier.csv")
    for number in range(3):
        upload.add(job_manifests.manifest_row(BUCKET, f"db/{number}"))
    etag = upload.finish()
    body = s3.get_object(Bucket=REPORTS, Key="m/glacier.csv")["Body"].read()
    assert body == b"archive-bucket,db/0\narchive-bucket,db/1\narchive-bucket,db/2\n"
    assert etag.strip('"') == hashlib.md5(body).hexdigest()
    assert (upload.rows, upload.bytes, upload.upload_id) == (3, len(body), None)


def test_a_large_manifest_goes_in_parts_with_one_part_in_memory(s3):
    """S3 takes parts of at least 5 MiB but the last (mpuoverview): 5 MiB parts, 12 MiB of rows, three parts."""
    part_size = job_manifests.MIN_PART_SIZE
    upload = job_listing.ManifestUpload(S3Bucket(wrapped(s3), REPORTS), "m/big.csv", part_size=part_size)
    row = job_manifests.manifest_row(BUCKET, "db/" + "x" * 90)
    rows = (12 * 1024 * 1024) // len(row)
    largest_buffer = 0
    for _number in range(rows):
        upload.add(row)
        largest_buffer = max(largest_buffer, upload._buffered)
    etag = upload.finish()
    assert largest_buffer < part_size
    assert len(upload.part_etags) == 3 and etag.strip('"').endswith("-3")
    head = s3.head_object(Bucket=REPORTS, Key="m/big.csv")
    assert head["ContentLength"] == rows * len(row) == upload.bytes
    assert uploads_in_progress(s3) == []


def test_an_aborted_upload_leaves_nothing(s3):
    upload = job_listing.ManifestUpload(S3Bucket(wrapped(s3), REPORTS), "m/big.csv", part_size=job_manifests.MIN_PART_SIZE)
    row = job_manifests.manifest_row(BUCKET, "db/" + "x" * 90)
    for _number in range((6 * 1024 * 1024) // len(row)):
        upload.add(row)
    assert len(uploads_in_progress(s3)) == 1
    upload.abort()
    assert uploads_in_progress(s3) == []
    assert "Contents" not in s3.list_objects_v2(Bucket=REPORTS)


def test_check_mode_counts_and_writes_nothing(s3):
    upload = job_listing.ManifestUpload(None, "m/glacier.csv")
    upload.add("a,b\n")
    assert (upload.finish(), upload.rows, upload.bytes) == (None, 1, 4)


def seed(s3):
    s3.put_object(Bucket=BUCKET, Key="db/a.dump", Body=b"aa", StorageClass="GLACIER")
    s3.put_object(Bucket=BUCKET, Key="db/b.dump", Body=b"bbb", StorageClass="DEEP_ARCHIVE")
    s3.put_object(Bucket=BUCKET, Key="db/restored.dump", Body=b"r", StorageClass="GLACIER")
    s3.restore_object(Bucket=BUCKET, Key="db/restored.dump", RestoreRequest={"Days": 1})
    s3.put_object(Bucket=BUCKET, Key="db/readme.txt", Body=b"plain")
    s3.put_object(Bucket=BUCKET, Key="db/int.bin", Body=b"i", StorageClass="INTELLIGENT_TIERING")
    s3.put_object(Bucket=BUCKET, Key="other/c.dump", Body=b"c", StorageClass="GLACIER")


def planned(run):
    return [(plan, 0) for plan in job_manifests.plan_listing_jobs(run.params, ACCOUNT)]


def test_listing_writes_the_archived_objects_of_each_kind(s3):
    """On moto, Intelligent-Tiering objects are always in an access tier (facts sheet, moto row "Intelligent-Tiering
    archive tiers"): the INT one is read by HEAD and left out; the archived INT case is in the module's Stubber tests."""
    seed(s3)
    run = module(s3)
    listing = job_listing.ListingRun(run)
    plans = planned(run)
    listing.prepare(plans)
    result = listing.result()
    assert result["listed"] == 5  # under db/, every class
    assert result["summary"]["total"] == 4 and result["summary"]["archived"] == 2
    assert result["summary"]["restored"] == 1 and result["summary"]["not_archived"] == 1
    glacier, intelligent = result["manifests"]
    assert (glacier["action"], glacier["objects"]) == ("written", 2)
    assert (intelligent["action"], intelligent["objects"], intelligent["etag"]) == ("none", 0, None)
    key = glacier["location"][len(f"s3://{REPORTS}/"):]
    body = s3.get_object(Bucket=REPORTS, Key=key)["Body"].read().decode()
    # HEADs run on a pool: rows come in the order the reads end (a job's manifest has no order to keep).
    assert sorted(body.splitlines(keepends=True)) == ["archive-bucket,db/a.dump\n", "archive-bucket,db/b.dump\n"]
    assert plans[0][0]["manifest"]["etag"] == glacier["etag"]
    assert plans[1][0]["manifest"] is None


def test_a_manifest_an_earlier_run_wrote_is_used_as_it_is(s3, monkeypatch):
    seed(s3)
    run = module(s3, storage_classes=["GLACIER", "DEEP_ARCHIVE"])
    job_listing.ListingRun(run).prepare(planned(run))
    s3.put_object(Bucket=BUCKET, Key="db/new.dump", Body=b"n", StorageClass="GLACIER")
    monkeypatch.setattr(job_listing, "selected_objects", lambda *args: pytest.fail("listed again"))
    again = job_listing.ListingRun(run)
    plans = planned(run)
    again.prepare(plans)
    result = again.result()
    assert result["listed"] is None and result["manifests"][0]["action"] == "found"
    assert result["manifests"][0]["objects"] is None
    key = result["manifests"][0]["location"][len(f"s3://{REPORTS}/"):]
    assert s3.get_object(Bucket=REPORTS, Key=key)["Body"].read().count(b"\n") == 2  # not rewritten
    assert plans[0][0]["manifest"]["etag"] == result["manifests"][0]["etag"]


def test_a_kind_with_nothing_to_restore_is_not_listed_again(s3, monkeypatch):
    """The INTELLIGENT_TIERING kind had nothing (moto keeps it in an access tier): an empty marker is written beside
    its manifest key, and a re-run for that kind alone (the GLACIER job found) neither lists nor creates a job."""
    seed(s3)
    run = module(s3)
    first = job_listing.ListingRun(run)
    first.prepare(planned(run))
    intelligent = first.result()["manifests"][1]
    assert intelligent["action"] == "none" and intelligent["location"].endswith("/intelligent_tiering.empty")
    marker = intelligent["location"][len(f"s3://{REPORTS}/"):]
    assert s3.get_object(Bucket=REPORTS, Key=marker)["Body"].read() == b""
    monkeypatch.setattr(job_listing, "selected_objects", lambda *args: pytest.fail("listed again"))
    again = job_listing.ListingRun(run)
    plans = planned(run)[1:]
    again.prepare(plans)
    result = again.result()
    assert result["listed"] is None
    assert [(entry["action"], entry["location"], entry["objects"]) for entry in result["manifests"]] == [
        ("found_empty", intelligent["location"], 0)]
    assert plans[0][0]["manifest"] is None


def test_another_scope_lists_again_after_an_empty_kind(s3):
    seed(s3)
    run = module(s3)
    job_listing.ListingRun(run).prepare(planned(run))
    for other in (module(s3, idempotency_key="again"), module(s3, prefix="other/")):
        listing = job_listing.ListingRun(other)
        listing.prepare(planned(other)[1:])
        assert listing.result()["listed"] is not None
        assert listing.result()["manifests"][0]["action"] == "none"


def test_check_mode_writes_no_empty_marker(s3):
    seed(s3)
    run = module(s3, check_mode=True, storage_classes=["INTELLIGENT_TIERING"])
    listing = job_listing.ListingRun(run)
    listing.prepare(planned(run))
    assert listing.result()["manifests"][0]["action"] == "none"
    assert "Contents" not in s3.list_objects_v2(Bucket=REPORTS)


def test_check_mode_lists_and_writes_nothing(s3):
    seed(s3)
    run = module(s3, check_mode=True)
    listing = job_listing.ListingRun(run)
    plans = planned(run)
    listing.prepare(plans)
    assert listing.result()["manifests"][0]["action"] == "would_write"
    assert plans[0][0]["manifest"]["etag"] is None
    assert "Contents" not in s3.list_objects_v2(Bucket=REPORTS)


def test_an_object_that_cannot_be_read_fails_the_run_before_any_manifest(s3, monkeypatch):
    seed(s3)
    real = S3Bucket.head_object

    def head(self, key, version_id=None):
        if key == "db/b.dump":
            raise TaskFailure("Access denied: HeadObject on s3://archive-bucket/db/b.dump")
        return real(self, key, version_id)

    monkeypatch.setattr(S3Bucket, "head_object", head)
    run = module(s3)
    with pytest.raises(TaskFailure) as raised:
        job_listing.ListingRun(run).prepare(planned(run))
    assert "1 of 4 objects under s3://archive-bucket/db/* could not be read, so no manifest was written" in raised.value.msg
    assert "db/b.dump" in raised.value.msg
    assert raised.value.result["listing"]["summary"]["failed"] == 1
    assert "Contents" not in s3.list_objects_v2(Bucket=REPORTS)


# -- other sources, versions, filters, signals --------------------------------------------------------------------

def manifest_body(s3, location):
    return s3.get_object(Bucket=REPORTS, Key=location[len(f"s3://{REPORTS}/"):])["Body"].read().decode()


def test_a_csv_manifest_of_a_mixed_prefix_becomes_one_clean_manifest_per_kind(s3):
    """The useful case: a manifest someone made of a mixed prefix (restored, standard and archived objects alike)
    is read on the controller; only the archived objects reach the manifest written, each with the version read
    ("null" here: an unversioned bucket)."""
    seed(s3)
    rows = "".join(f"{BUCKET},{key}\n" for key in ("db/a.dump", "db/b.dump", "db/restored.dump", "db/readme.txt", "db/int.bin"))
    s3.put_object(Bucket=REPORTS, Key="lists/mixed.csv", Body=rows.encode())
    run = module(s3, prefix=None, manifest={"bucket": REPORTS, "key": "lists/mixed.csv", "format": "csv"})
    listing = job_listing.ListingRun(run)
    plans = planned(run)
    listing.prepare(plans)
    result = listing.result()
    assert result["target"] == f"s3://{BUCKET}/ (manifest s3://{REPORTS}/lists/mixed.csv)"
    assert result["listed"] == 5 and result["summary"]["counted_out"]["storage_classes"] == 1
    glacier = result["manifests"][0]
    assert sorted(manifest_body(s3, glacier["location"]).splitlines()) == [
        "archive-bucket,db/a.dump,null", "archive-bucket,db/b.dump,null"]
    assert plans[0][0]["manifest"]["fields"] == ["Bucket", "Key", "VersionId"]


def test_a_manifest_row_for_another_bucket_fails_and_leaves_nothing(s3):
    seed(s3)
    s3.put_object(Bucket=REPORTS, Key="lists/bad.csv", Body=f"{BUCKET},db/a.dump\nother-bucket,db/b.dump\n".encode())
    run = module(s3, prefix=None, manifest={"bucket": REPORTS, "key": "lists/bad.csv", "format": "csv"})
    with pytest.raises(TaskFailure) as raised:
        job_listing.ListingRun(run).prepare(planned(run))
    assert "line 2" in raised.value.msg
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=REPORTS)["Contents"]] == ["lists/bad.csv"]


def test_all_versions_of_a_prefix_go_in_with_their_version_ids(s3):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=BUCKET, Key="db/a.dump", Body=b"old", StorageClass="GLACIER")["VersionId"]
    new = s3.put_object(Bucket=BUCKET, Key="db/a.dump", Body=b"new", StorageClass="GLACIER")["VersionId"]
    s3.put_object(Bucket=BUCKET, Key="db/gone.dump", Body=b"g", StorageClass="DEEP_ARCHIVE")
    s3.delete_object(Bucket=BUCKET, Key="db/gone.dump")  # a delete marker: skipped and counted
    run = module(s3, versions="all", storage_classes=["GLACIER", "DEEP_ARCHIVE"])
    listing = job_listing.ListingRun(run)
    listing.prepare(planned(run))
    result = listing.result()
    assert result["summary"]["delete_markers_skipped"] == 1
    gone = [version["VersionId"] for version in s3.list_object_versions(Bucket=BUCKET, Prefix="db/gone")["Versions"]]
    body = manifest_body(s3, result["manifests"][0]["location"])
    assert sorted(body.splitlines()) == sorted([f"archive-bucket,db/a.dump,{old}", f"archive-bucket,db/a.dump,{new}",
                                                f"archive-bucket,db/gone.dump,{gone[0]}"])
    assert result["target"] == f"s3://{BUCKET}/db/* (all versions)"


def test_filters_count_objects_out_before_anything_is_written(s3):
    seed(s3)
    run = module(s3, min_size="3", exclude=["*.txt"], include=["db/*", "nothing/*"])
    listing = job_listing.ListingRun(run)
    listing.prepare(planned(run))
    result = listing.result()
    assert result["summary"]["counted_out"]["min_size"] == 3  # a.dump (2 B), restored.dump and int.bin (1 B)
    assert result["summary"]["counted_out"]["exclude"] == 1
    assert manifest_body(s3, result["manifests"][0]["location"]) == "archive-bucket,db/b.dump\n"


class Signalled:
    """An Interruption that a signal reached after `after` checks (the selection checks once per entry)."""

    def __init__(self, after):
        self.after, self.requested = after, None

    def stopping(self):
        self.after -= 1
        if self.after < 0:
            self.requested = "SIGTERM"
        return self.requested is not None


def test_a_signal_during_the_listing_aborts_the_upload_and_writes_nothing(s3, monkeypatch):
    """SIGTERM or Ctrl-C while reading: a partial manifest is no manifest (its multipart upload is aborted), and
    the run ends saying what it did."""
    for number in range(40):
        s3.put_object(Bucket=BUCKET, Key=f"db/{number:03}.dump", Body=b"x", StorageClass="GLACIER")
    run = module(s3, storage_classes=["GLACIER"])
    listing = job_listing.ListingRun(run, Signalled(after=30))
    real_add = job_listing.ManifestUpload.add

    started = []

    def add_in_parts(self, row):
        self.part_size = 1  # every row a part, so that a multipart upload is under way when the signal comes
        real_add(self, row)
        started.append(self.upload_id)

    monkeypatch.setattr(job_listing.ManifestUpload, "add", add_in_parts)
    with pytest.raises(TaskFailure) as raised:
        listing.prepare(planned(run))
    assert started and started[-1] is not None
    assert raised.value.msg.startswith("Interrupted by SIGTERM while reading s3://archive-bucket/db/*: stopped after 31 "
                                       "objects read, so no manifest was written and no job created.")
    assert raised.value.result["interrupted"] == "SIGTERM" and raised.value.result["changed"] is False
    assert uploads_in_progress(s3) == []
    assert "Contents" not in s3.list_objects_v2(Bucket=REPORTS)
