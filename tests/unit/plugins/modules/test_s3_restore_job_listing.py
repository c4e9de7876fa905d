# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_restore_job with manifest_source=listing through main(), against botocore Stubbers for s3control and s3.

moto has no S3 Batch Operations, no Intelligent-Tiering archive tiers and no RestoreStatus in listings (facts sheet,
"moto 5.2.5 versus AWS"), so this mixed prefix is answered by a Stubber as AWS answers it: the listing settles the
GLACIER / DEEP_ARCHIVE objects, a HEAD each Intelligent-Tiering object, and only archived objects reach the
manifests. The writing of manifests against moto is in tests/unit/plugins/module_utils/test_job_listing.py.
"""

from __future__ import annotations

import copy
import datetime

import boto3
import pytest
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.s3async.restore.plugins.modules import s3_restore_job


class EndsWith(str):
    """A Stubber expected parameter that matches any string ending with this one."""

    def __eq__(self, other):
        return isinstance(other, str) and other.endswith(str(self))

    def __ne__(self, other):
        return not self == other

    __hash__ = str.__hash__


REGION = "us-east-1"
ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/batch-restore"
BUCKET = "archive-bucket"
REPORTS = "reports"
NOW = datetime.datetime.now(datetime.timezone.utc)
EVERY_CLASS = ["GLACIER", "DEEP_ARCHIVE", "INTELLIGENT_TIERING"]


@pytest.fixture
def aws(monkeypatch):
    credentials = {"region_name": REGION, "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    clients = {name: boto3.client(name, **credentials) for name in ("s3control", "s3")}
    stubbers = {name: Stubber(client) for name, client in clients.items()}

    def module_client(self, service, retry_decorator=None, **_params):
        return RetryingBotoClientWrapper(clients[service], retry_decorator) if retry_decorator else clients[service]

    monkeypatch.setattr(AnsibleAWSModule, "client", module_client)
    for stubber in stubbers.values():
        stubber.activate()
    yield stubbers
    for stubber in stubbers.values():
        stubber.deactivate()
        stubber.assert_no_pending_responses()


def args(**extra):
    base = {"bucket": BUCKET, "prefix": "db/", "role_arn": ROLE, "account_id": ACCOUNT, "manifest_source": "listing",
            "storage_classes": EVERY_CLASS, "report_bucket": REPORTS, "status_source": "listing", "concurrency": 1}
    base.update(extra)
    return {name: value for name, value in base.items() if value is not None}


def entry(key, storage_class, size=100, restore_status=None):
    listed = {"Key": key, "StorageClass": storage_class, "Size": size, "ETag": '"e"', "LastModified": NOW}
    if restore_status is not None:
        listed["RestoreStatus"] = restore_status
    return listed


MIXED = [
    entry("db/a.dump", "GLACIER"),  # never restored: archived
    entry("db/b.dump", "DEEP_ARCHIVE", restore_status={"IsRestoreInProgress": True}),  # left alone
    # restored, the copy readable for three more days
    entry("db/c.dump", "GLACIER", restore_status={"IsRestoreInProgress": False, "RestoreExpiryDate": NOW + datetime.timedelta(days=3)}),
    entry("db/int-archived.bin", "INTELLIGENT_TIERING"),
    entry("db/int-frequent.bin", "INTELLIGENT_TIERING"),
    entry("db/readme.txt", "STANDARD"),
]


def expect_no_manifest_yet(aws, kinds=("glacier", "intelligent_tiering")):
    # Per kind, HeadObject of its manifest, then of its empty marker (a kind an earlier run found nothing for): 404s.
    for _kind in kinds:
        aws["s3"].add_client_error("head_object", "404", "Not Found", 404, expected_params={"Bucket": REPORTS, "Key": ANY})
        aws["s3"].add_client_error("head_object", "404", "Not Found", 404, expected_params={"Bucket": REPORTS, "Key": ANY})


def expect_empty_marker(aws, kind):
    aws["s3"].add_response("put_object", {"ETag": '"d41d8cd98f00b204e9800998ecf8427e"'},
                           {"Bucket": REPORTS, "Key": EndsWith(f"/{kind}.empty"), "Body": b"", "ContentType": "text/csv"})


def expect_listing(aws, entries):
    # Deep copies: the selection marks the entries it reads (their version kind), as it may, being their owner.
    entries = copy.deepcopy(entries)
    aws["s3"].add_response("list_objects_v2", {"Contents": entries, "KeyCount": len(entries), "IsTruncated": False},
                           {"Bucket": BUCKET, "Prefix": "db/", "OptionalObjectAttributes": ["RestoreStatus"]})


def expect_int_heads(aws):
    # The archive tier is only in a HEAD (x-amz-archive-status); a listing never carries it (facts sheet).
    aws["s3"].add_response("head_object", {"StorageClass": "INTELLIGENT_TIERING", "ArchiveStatus": "ARCHIVE_ACCESS",
                                           "ContentLength": 100}, {"Bucket": BUCKET, "Key": "db/int-archived.bin"})
    aws["s3"].add_response("head_object", {"StorageClass": "INTELLIGENT_TIERING", "ContentLength": 100},
                           {"Bucket": BUCKET, "Key": "db/int-frequent.bin"})


def expect_put(aws, body, etag):
    aws["s3"].add_response("put_object", {"ETag": f'"{etag}"'},
                           {"Bucket": REPORTS, "Key": ANY, "Body": body, "ContentType": "text/csv"})


def expect_list_jobs(aws, jobs):
    aws["s3control"].add_response("list_jobs", {"Jobs": jobs}, {"AccountId": ACCOUNT, "MaxResults": 1000})


def manifest_request(kind, etag, operation):
    return {
        "AccountId": ACCOUNT, "ConfirmationRequired": False, "Operation": {"S3InitiateRestoreObject": operation},
        "Report": {"Enabled": True, "Bucket": f"arn:aws:s3:::{REPORTS}", "Format": "Report_CSV_20180820", "ReportScope": "AllTasks"},
        "ClientRequestToken": ANY, "Priority": 10, "RoleArn": ROLE, "Description": ANY,
        "Manifest": {"Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]},
                     "Location": {"ObjectArn": ANY, "ETag": etag}},
    }


def first_run(aws, run_module):
    expect_list_jobs(aws, [])
    expect_no_manifest_yet(aws)
    expect_listing(aws, MIXED)
    expect_int_heads(aws)
    expect_put(aws, b"archive-bucket,db/a.dump\n", "glacier-etag")
    expect_put(aws, b"archive-bucket,db/int-archived.bin\n", "int-etag")
    aws["s3control"].add_response("create_job", {"JobId": "job-glacier"},
                                  manifest_request("glacier", "glacier-etag", {"ExpirationInDays": 7, "GlacierJobTier": "STANDARD"}))
    aws["s3control"].add_response("create_job", {"JobId": "job-int"},
                                  manifest_request("intelligent_tiering", "int-etag", {"GlacierJobTier": "STANDARD"}))
    failed, result = run_module(s3_restore_job.main, args())
    assert not failed, result
    return result


def test_a_mixed_prefix_gets_one_manifest_and_one_job_per_kind_of_archived_object(aws, run_module):
    result = first_run(aws, run_module)
    assert result["changed"] is True
    assert [(job["kind"], job["action"], job["job_id"]) for job in result["jobs"]] == [
        ("glacier", "created", "job-glacier"), ("intelligent_tiering", "created", "job-int")]
    listing = result["listing"]
    assert listing["listed"] == 6
    assert (listing["summary"]["total"], listing["summary"]["archived"], listing["summary"]["in_progress"],
            listing["summary"]["restored"], listing["summary"]["not_archived"]) == (5, 2, 1, 1, 1)
    glacier, intelligent = listing["manifests"]
    assert (glacier["action"], glacier["objects"], glacier["etag"]) == ("written", 1, "glacier-etag")
    assert glacier["location"].startswith(f"s3://{REPORTS}/s3async-restore/manifests/{BUCKET}/")
    assert glacier["location"].endswith("/glacier.csv") and intelligent["location"].endswith("/intelligent_tiering.csv")
    request = result["jobs"][0]["request"]
    assert request["Manifest"]["Location"]["ObjectArn"] == f"arn:aws:s3:::{glacier['location'][len('s3://'):]}"
    # The manifests hold only archived Intelligent-Tiering objects: no warning about the manifest generator.
    assert not any("IntelligentTieringAccessTier" in str(warning) for warning in result.get("warnings", []))
    assert "wrote the manifest" in result["msg"] and "\n" not in result["msg"], result["msg"]


def test_a_rerun_finds_the_jobs_and_neither_lists_nor_writes(aws, run_module):
    first = first_run(aws, run_module)
    expect_list_jobs(aws, [
        {"JobId": job["job_id"], "Description": job["description"], "Operation": "S3InitiateRestoreObject",
         "Status": "Active", "CreationTime": NOW, "Priority": 10}
        for job in first["jobs"]
    ])
    for job in first["jobs"]:
        aws["s3control"].add_response("describe_job", {"Job": {
            "JobId": job["job_id"], "Status": "Active", "Description": job["description"], "Priority": 10,
            "CreationTime": NOW, "RoleArn": ROLE, "ConfirmationRequired": False}}, {"AccountId": ACCOUNT, "JobId": job["job_id"]})
    # Nothing queued on S3: a listing, a HEAD or a PUT would fail the test.
    failed, result = run_module(s3_restore_job.main, args())
    assert not failed, result
    assert result["changed"] is False
    assert [job["action"] for job in result["jobs"]] == ["found", "found"]
    assert result["listing"] == {"prefix": "db/", "target": "s3://archive-bucket/db/*", "listed": None, "summary": None,
                                 "manifests": []}


def test_a_manifest_written_without_its_job_is_used_again(aws, run_module):
    """An earlier run wrote the manifest, then CreateJob failed (a missing iam:PassRole, say): the re-run lists
    nothing and rewrites nothing; the job is created from the manifest as it is, with its ETag."""
    expect_list_jobs(aws, [])
    aws["s3"].add_response("head_object", {"ETag": '"earlier-etag"', "ContentLength": 25}, {"Bucket": REPORTS, "Key": ANY})
    aws["s3control"].add_response("create_job", {"JobId": "job-glacier"},
                                  manifest_request("glacier", "earlier-etag", {"ExpirationInDays": 7, "GlacierJobTier": "STANDARD"}))
    failed, result = run_module(s3_restore_job.main, args(storage_classes=["GLACIER", "DEEP_ARCHIVE"]))
    assert not failed, result
    assert result["listing"]["listed"] is None
    assert [(entry["action"], entry["etag"]) for entry in result["listing"]["manifests"]] == [("found", "earlier-etag")]
    assert result["jobs"][0]["action"] == "created"


def test_nothing_to_restore_creates_no_job_and_says_so(aws, run_module):
    expect_list_jobs(aws, [])
    expect_no_manifest_yet(aws)
    expect_listing(aws, [MIXED[1], MIXED[2], MIXED[4], MIXED[5]])
    aws["s3"].add_response("head_object", {"StorageClass": "INTELLIGENT_TIERING", "ContentLength": 100},
                           {"Bucket": BUCKET, "Key": "db/int-frequent.bin"})
    expect_empty_marker(aws, "glacier")
    expect_empty_marker(aws, "intelligent_tiering")
    failed, result = run_module(s3_restore_job.main, args())
    assert not failed, result["msg"]
    assert result["changed"] is False and result["jobs"] == []
    assert [entry["action"] for entry in result["listing"]["manifests"]] == ["none", "none"]
    assert result["listing"]["manifests"][0]["location"].endswith("/glacier.empty")
    assert result["msg"].startswith("No restore job created: s3://archive-bucket/db/* holds no object that needs a restore.")


def test_a_rerun_after_nothing_to_restore_lists_nothing_again(aws, run_module):
    """Both kinds' empty markers are there (HeadObject 200 after the manifests' 404): no listing, no job."""
    expect_list_jobs(aws, [])
    for _kind in ("glacier", "intelligent_tiering"):
        aws["s3"].add_client_error("head_object", "404", "Not Found", 404, expected_params={"Bucket": REPORTS, "Key": ANY})
        aws["s3"].add_response("head_object", {"ETag": '"d41d8cd98f00b204e9800998ecf8427e"', "ContentLength": 0},
                               {"Bucket": REPORTS, "Key": ANY})
    failed, result = run_module(s3_restore_job.main, args())
    assert not failed, result
    assert result["changed"] is False and result["jobs"] == []
    assert result["listing"]["listed"] is None
    assert [(entry["action"], entry["objects"]) for entry in result["listing"]["manifests"]] == [
        ("found_empty", 0), ("found_empty", 0)]
    assert result["msg"].startswith("No restore job created: s3://archive-bucket/db/* held no object that needs a "
                                    "restore when an earlier run listed it"), result["msg"]
    assert "an earlier run found no INTELLIGENT_TIERING object that needs a restore" in result["msg"]


def test_check_mode_lists_counts_and_writes_nothing(aws, run_module):
    expect_list_jobs(aws, [])
    expect_no_manifest_yet(aws)
    expect_listing(aws, MIXED)
    expect_int_heads(aws)
    failed, result = run_module(s3_restore_job.main, args(), check_mode=True)
    assert not failed, result
    assert result["changed"] is True
    assert [job["action"] for job in result["jobs"]] == ["would_create", "would_create"]
    assert [(entry["action"], entry["objects"]) for entry in result["listing"]["manifests"]] == [("would_write", 1), ("would_write", 1)]
    assert result["jobs"][0]["request"]["Manifest"]["Location"]["ETag"] is None
    assert result["msg"].startswith("Check mode: ") and "would write the manifest" in result["msg"]


@pytest.mark.parametrize("extra, message", [
    ({"report_bucket": None}, "give manifest_bucket (or report_bucket"),
    ({"prefix": None, "manifest": {"key": "list.csv", "etag": "abc"}}, "leave out manifest.etag"),
    ({"prefix": None, "keys": ["db/a.dump"], "manifest_source": "generated"}, "keys applies only with manifest_source=listing"),
    ({"version_at": "2999-01-01T00:00:00Z"}, "version_at '2999-01-01T00:00:00Z' is in the future"),
    ({"min_size": "2 GB", "max_size": "1 GB"}, "min_size (2 GB) is above max_size (1 GB)"),
    ({"manifest_source": "generated", "manifest_prefix": "x/"}, "manifest_prefix applies only with manifest_source=listing"),
])
def test_bad_listing_options_fail_before_any_call(aws, run_module, extra, message):
    failed, result = run_module(s3_restore_job.main, args(**extra))
    assert failed and message in result["msg"], result


def test_a_prefix_that_matches_nothing_is_warned_about(aws, run_module):
    expect_list_jobs(aws, [])
    expect_no_manifest_yet(aws, kinds=("glacier",))
    expect_listing(aws, [])
    expect_empty_marker(aws, "glacier")
    failed, result = run_module(s3_restore_job.main, args(storage_classes=["GLACIER"]))
    assert not failed, result
    assert result["jobs"] == [] and result["listing"]["listed"] == 0
    assert result["msg"].startswith("No restore job created: s3://archive-bucket/db/* matched no object.")
    assert any("matched no object" in str(warning) for warning in result.get("warnings", []))


# -- overlaps between listing jobs and the others: DescribeJob shows a listing job's manifest location only ----

def running_listing_job(aws, run_module):
    """Run a first listing run of db/, then queue ListJobs with its GLACIER job running, and its DescribeJob."""
    job = first_run(aws, run_module)["jobs"][0]
    expect_list_jobs(aws, [{"JobId": "job-listing", "Description": job["description"], "Operation": "S3InitiateRestoreObject",
                            "Status": "Active", "CreationTime": NOW, "Priority": 10}])
    aws["s3control"].add_response("describe_job", {"Job": {
        "JobId": "job-listing", "Status": "Active", "Description": job["description"], "Priority": 10, "CreationTime": NOW,
        "RoleArn": ROLE, "ConfirmationRequired": False, "Manifest": job["request"]["Manifest"]}},
        {"AccountId": ACCOUNT, "JobId": "job-listing"})
    return job


def test_a_generated_run_sees_a_running_listing_job_of_a_nested_prefix(aws, run_module):
    """The reverse of the listing run's own check: the listing job's manifest key names what it restores."""
    job = running_listing_job(aws, run_module)
    failed, result = run_module(s3_restore_job.main, {"bucket": BUCKET, "prefix": "db/2019/", "role_arn": ROLE,
                                                      "account_id": ACCOUNT})
    assert failed, result
    assert result["msg"].startswith(f"Restore job job-listing (Active, \"{job['description']}\") is still running and "
                                    f"restores GLACIER/DEEP_ARCHIVE under s3://{BUCKET}/db/, which overlaps this task's")
    assert "manifest_source=listing" in result["msg"]


def test_a_generated_run_of_a_sibling_prefix_is_not_held_by_a_listing_job(aws, run_module):
    running_listing_job(aws, run_module)
    aws["s3control"].add_response("create_job", {"JobId": "job-new"}, None)
    failed, result = run_module(s3_restore_job.main, {"bucket": BUCKET, "prefix": "logs/", "role_arn": ROLE,
                                                      "account_id": ACCOUNT})
    assert not failed, result
    assert result["jobs"][0]["action"] == "created"


# -- keys: a HEAD each, versions in the manifest -----------------------------------------------------------------

def test_keys_get_a_head_each_and_a_manifest_with_their_versions(aws, run_module):
    """A key list that names a version: every key is read by HEAD (no folder listing, which names no version), and
    the manifest names each version read, "null" for an object without one (inventory-configure-bops)."""
    expect_list_jobs(aws, [])
    expect_no_manifest_yet(aws)
    aws["s3"].add_response("head_object", {"StorageClass": "DEEP_ARCHIVE", "ContentLength": 5, "VersionId": "v-old"},
                           {"Bucket": BUCKET, "Key": "db/a.dump", "VersionId": "v-old"})
    aws["s3"].add_response("head_object", {"StorageClass": "GLACIER", "ContentLength": 5},
                           {"Bucket": BUCKET, "Key": "db/b.dump"})
    aws["s3"].add_response("head_object", {"StorageClass": "INTELLIGENT_TIERING", "ArchiveStatus": "DEEP_ARCHIVE_ACCESS",
                                           "ContentLength": 5, "VersionId": "v-int"}, {"Bucket": BUCKET, "Key": "db/int.bin"})
    aws["s3"].add_response("head_object", {"ContentLength": 5}, {"Bucket": BUCKET, "Key": "db/plain.txt"})
    expect_put(aws, b"archive-bucket,db/a.dump,v-old\narchive-bucket,db/b.dump,null\n", "glacier-etag")
    expect_put(aws, b"archive-bucket,db/int.bin,v-int\n", "int-etag")
    for etag, operation in (("glacier-etag", {"ExpirationInDays": 7, "GlacierJobTier": "STANDARD"}),
                            ("int-etag", {"GlacierJobTier": "STANDARD"})):
        request = manifest_request(None, etag, operation)
        request["Manifest"]["Spec"]["Fields"] = ["Bucket", "Key", "VersionId"]
        aws["s3control"].add_response("create_job", {"JobId": f"job-{etag}"}, request)
    keys = [{"key": "db/a.dump", "version_id": "v-old"}, "db/b.dump", "db/int.bin", "db/plain.txt"]
    failed, result = run_module(s3_restore_job.main, args(prefix=None, keys=keys))
    assert not failed, result
    listing = result["listing"]
    assert listing["prefix"] is None and listing["target"] == f"s3://{BUCKET}/ (4 keys)"
    assert listing["listed"] == 4 and listing["summary"]["counted_out"]["storage_classes"] == 1
    assert [entry["objects"] for entry in listing["manifests"]] == [2, 1]
    assert f"Listed 4 objects of s3://{BUCKET}/ (4 keys)" in result["msg"]


def test_a_missing_key_fails_before_any_manifest(aws, run_module):
    expect_list_jobs(aws, [])
    expect_no_manifest_yet(aws, kinds=("glacier",))
    aws["s3"].add_client_error("head_object", "404", "Not Found", 404, expected_params={"Bucket": BUCKET, "Key": "db/gone"})
    failed, result = run_module(s3_restore_job.main, args(prefix=None, keys=["db/gone"], storage_classes=["GLACIER"]))
    assert failed
    assert result["msg"].startswith(f"1 of 1 objects of s3://{BUCKET}/ (1 key) could not be read, so no manifest was written")
    assert result["changed"] is False
