# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pure decisions of module_utils/batch_job: requests, the kind split, tokens, markers, matching, summaries."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.s3async.restore.plugins.module_utils import batch_job
from ansible_collections.s3async.restore.plugins.module_utils import batch_job_checks
from ansible_collections.s3async.restore.plugins.module_utils import batch_job_status

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/batch-restore"


def params(**extra):
    base = {
        "bucket": "archive", "prefix": "db/", "manifest": None, "storage_classes": list(batch_job.STORAGE_CLASSES),
        "state": "present", "role_arn": ROLE, "account_id": None, "days": 7, "tier": "Standard",
        "report_bucket": None, "report_prefix": None, "report_scope": "all", "save_manifest": False, "priority": 10,
        "confirmation_required": False, "description": None, "tags": None, "idempotency_key": "",
        "wait_timeout": 43200, "wait_delay": 60, "max_failed_tasks": 0,
    }
    base.update(extra)
    return base


def plans(**extra):
    return batch_job.plan_jobs(params(**extra), ACCOUNT)


# ---------------------------------------------------------------------------------------------------------------
# The kind split and the operation.

@pytest.mark.parametrize(
    "classes, expected",
    [
        (["GLACIER", "DEEP_ARCHIVE", "INTELLIGENT_TIERING"],
         [("glacier", ["GLACIER", "DEEP_ARCHIVE"]), ("intelligent_tiering", ["INTELLIGENT_TIERING"])]),
        (["INTELLIGENT_TIERING", "DEEP_ARCHIVE"], [("glacier", ["DEEP_ARCHIVE"]), ("intelligent_tiering", ["INTELLIGENT_TIERING"])]),
        (["DEEP_ARCHIVE", "GLACIER", "GLACIER"], [("glacier", ["GLACIER", "DEEP_ARCHIVE"])]),
        (["INTELLIGENT_TIERING"], [("intelligent_tiering", ["INTELLIGENT_TIERING"])]),
        ([], []),
        (None, []),
    ],
)
def test_split_kinds(classes, expected):
    assert batch_job.split_kinds(classes) == expected


@pytest.mark.parametrize(
    "kind, tier, days, expected",
    [
        ("glacier", "Standard", 7, {"S3InitiateRestoreObject": {"GlacierJobTier": "STANDARD", "ExpirationInDays": 7}}),
        ("glacier", "Bulk", 1, {"S3InitiateRestoreObject": {"GlacierJobTier": "BULK", "ExpirationInDays": 1}}),
        # Intelligent-Tiering: never ExpirationInDays, whatever days says.
        ("intelligent_tiering", "Standard", 7, {"S3InitiateRestoreObject": {"GlacierJobTier": "STANDARD"}}),
        ("intelligent_tiering", "Bulk", 30, {"S3InitiateRestoreObject": {"GlacierJobTier": "BULK"}}),
    ],
)
def test_restore_operation(kind, tier, days, expected):
    assert batch_job.restore_operation(kind, tier, days) == expected


@pytest.mark.parametrize(
    "tier, problem",
    [
        ("Standard", None),
        ("Bulk", None),
        ("Expedited", "tier=Expedited is not available in S3 Batch Operations"),
        ("STANDARD", "tier must be one of Standard, Bulk"),
    ],
)
def test_tier_problem(tier, problem):
    message = batch_job_checks.tier_problem(tier)
    assert (message is None) if problem is None else (problem in message)


# ---------------------------------------------------------------------------------------------------------------
# Requests.

@pytest.mark.parametrize(
    "prefix, classes, output, expected",
    [
        ("db/", ["GLACIER"], None, {"S3JobManifestGenerator": {
            "SourceBucket": "arn:aws:s3:::archive", "EnableManifestOutput": False,
            "Filter": {"MatchAnyStorageClass": ["GLACIER"], "KeyNameConstraint": {"MatchAnyPrefix": ["db/"]}}}}),
        ("", ["INTELLIGENT_TIERING"], None, {"S3JobManifestGenerator": {
            "SourceBucket": "arn:aws:s3:::archive", "EnableManifestOutput": False,
            "Filter": {"MatchAnyStorageClass": ["INTELLIGENT_TIERING"]}}}),
        ("db/", ["GLACIER"], ("reports", "lists"), {"S3JobManifestGenerator": {
            "SourceBucket": "arn:aws:s3:::archive", "EnableManifestOutput": True,
            "Filter": {"MatchAnyStorageClass": ["GLACIER"], "KeyNameConstraint": {"MatchAnyPrefix": ["db/"]}},
            "ManifestOutputLocation": {"Bucket": "arn:aws:s3:::reports", "ManifestFormat": "S3InventoryReport_CSV_20211130",
                                       "ManifestPrefix": "lists"}}}),
    ],
    ids=["prefix", "whole-bucket", "saved"],
)
def test_manifest_generator(prefix, classes, output, expected):
    assert batch_job.manifest_generator("aws", "archive", prefix, classes, output) == expected


@pytest.mark.parametrize(
    "bucket, prefix, scope, expected",
    [
        (None, None, "all", {"Enabled": False}),
        ("reports", None, "all", {"Enabled": True, "Bucket": "arn:aws:s3:::reports", "Format": "Report_CSV_20180820",
                                  "ReportScope": "AllTasks"}),
        ("reports", "jobs", "failed", {"Enabled": True, "Bucket": "arn:aws:s3:::reports", "Format": "Report_CSV_20180820",
                                       "ReportScope": "FailedTasksOnly", "Prefix": "jobs"}),
    ],
)
def test_job_report(bucket, prefix, scope, expected):
    assert batch_job.job_report("aws", bucket, prefix, scope) == expected


@pytest.mark.parametrize(
    "role_arn, partition",
    [
        (ROLE, "aws"),
        (f"arn:aws-cn:iam::{ACCOUNT}:role/r", "aws-cn"),
        (f"arn:aws-us-gov:iam::{ACCOUNT}:role/path/r", "aws-us-gov"),
        ("not-an-arn", "aws"),
        (None, "aws"),
    ],
)
def test_partition_of(role_arn, partition):
    assert batch_job.partition_of(role_arn) == partition


def test_create_job_request_for_the_generator():
    plan = plans(storage_classes=["GLACIER"], report_bucket="reports", tags={"b": 2, "a": None})[0]
    request = batch_job.create_job_request(plan, params(storage_classes=["GLACIER"], report_bucket="reports",
                                                        tags={"b": 2, "a": None}), ACCOUNT)
    assert request == {
        "AccountId": ACCOUNT,
        "ConfirmationRequired": False,
        "Operation": {"S3InitiateRestoreObject": {"GlacierJobTier": "STANDARD", "ExpirationInDays": 7}},
        "Report": {"Enabled": True, "Bucket": "arn:aws:s3:::reports", "Format": "Report_CSV_20180820", "ReportScope": "AllTasks"},
        "ClientRequestToken": batch_job.client_request_token(plan["identity"]),
        "Priority": 10,
        "RoleArn": ROLE,
        "Description": plan["description"],
        "ManifestGenerator": batch_job.manifest_generator("aws", "archive", "db/", ["GLACIER"]),
        "Tags": [{"Key": "a", "Value": ""}, {"Key": "b", "Value": "2"}],
    }


def test_create_job_request_for_a_manifest():
    manifest, problems = batch_job.parse_manifest({"bucket": "lists", "key": "k.csv", "etag": '"e"'}, "archive")
    assert problems == []
    plan = batch_job.plan_jobs(params(prefix=None, storage_classes=["GLACIER"]), ACCOUNT, manifest)[0]
    request = batch_job.create_job_request(plan, params(prefix=None, storage_classes=["GLACIER"]), ACCOUNT)
    assert "ManifestGenerator" not in request
    assert request["Manifest"] == {
        "Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]},
        "Location": {"ObjectArn": "arn:aws:s3:::lists/k.csv", "ETag": "e"},
    }


# ---------------------------------------------------------------------------------------------------------------
# Manifest parsing.

@pytest.mark.parametrize(
    "option, expected, problems",
    [
        ({"key": "m.csv"}, {"bucket": "archive", "key": "m.csv", "version_id": None, "etag": None, "format": "csv",
                            "fields": ["Bucket", "Key"]}, []),
        ({"bucket": "b", "key": "m.csv", "etag": ' "abc" ', "version_id": "v", "fields": ["Ignore", "Bucket", "Key", "VersionId"]},
         {"bucket": "b", "key": "m.csv", "version_id": "v", "etag": "abc", "format": "csv",
          "fields": ["Ignore", "Bucket", "Key", "VersionId"]}, []),
        ({"key": "x/manifest.json", "format": "inventory"},
         {"bucket": "archive", "key": "x/manifest.json", "version_id": None, "etag": None, "format": "inventory", "fields": None}, []),
        ({"key": ""}, None, ["manifest.key must name the manifest object"]),
        ({"key": "m.csv", "fields": ["Key"]}, None, ["manifest.fields must name the Bucket column exactly once"]),
        ({"key": "m.csv", "fields": ["Bucket", "Key", "Key"]}, None, ["manifest.fields must name the Key column exactly once"]),
        ({"key": "m.csv", "fields": ["Bucket", "Key", "VersionId", "VersionId"]}, None, ["VersionId column at most once"]),
        ({"key": "m.csv", "fields": ["Bucket", "Key", "Size"]}, None, ["manifest.fields may only contain"]),
        ({"key": "x/data.csv", "format": "inventory"}, None, ["must be the manifest.json of the S3 Inventory report"]),
        ({"key": "x/manifest.json", "format": "inventory", "fields": ["Bucket", "Key"]}, None, ["manifest.fields is only for format=csv"]),
        ({"key": "m.orc", "format": "orc"}, None, ["manifest.format must be one of csv, inventory"]),
    ],
    ids=lambda value: str(value)[:30],
)
def test_parse_manifest(option, expected, problems):
    manifest, found = batch_job.parse_manifest(option, "archive")
    if expected is not None:
        assert manifest == expected
    assert len(found) == len(problems)
    for problem, message in zip(problems, found):
        assert problem in message


@pytest.mark.parametrize("etag, expected", [('"abc"', "abc"), ("abc", "abc"), (' "a-2" ', "a-2"), ('""', None), (None, None)])
def test_normalize_etag(etag, expected):
    assert batch_job.normalize_etag(etag) == expected


# ---------------------------------------------------------------------------------------------------------------
# Tokens, markers and descriptions.

def token_of(**extra):
    return {plan["kind"]: batch_job.client_request_token(plan["identity"]) for plan in plans(**extra)}


def test_token_is_deterministic_and_fits():
    first, second = token_of(), token_of()
    assert first == second
    for token in first.values():
        assert token.startswith("s3async-") and len(token) == batch_job.TOKEN_MAX
    assert first["glacier"] != first["intelligent_tiering"]


@pytest.mark.parametrize(
    "extra",
    [{"tier": "Bulk"}, {"days": 8}, {"prefix": "db/2019/"}, {"bucket": "other"}, {"idempotency_key": "2026-12"},
     {"storage_classes": ["GLACIER"]}],
    ids=str,
)
def test_token_changes_with_what_is_restored(extra):
    assert token_of(**extra)["glacier"] != token_of()["glacier"]


@pytest.mark.parametrize(
    "extra",
    [{"priority": 99}, {"description": "other words"}, {"report_bucket": "reports"}, {"tags": {"a": "b"}},
     {"confirmation_required": True}, {"role_arn": f"arn:aws:iam::{ACCOUNT}:role/other"}, {"state": "completed"}],
    ids=str,
)
def test_token_ignores_how_the_job_runs(extra):
    assert token_of(**extra) == token_of()


def test_days_do_not_change_the_intelligent_tiering_job():
    assert token_of(days=30)["intelligent_tiering"] == token_of()["intelligent_tiering"]


def test_attempt_changes_the_token():
    identity = plans()[0]["identity"]
    tokens = {batch_job.client_request_token(identity, attempt) for attempt in range(5)}
    assert len(tokens) == 5


def test_scope_ignores_tier_days_and_key_but_identity_does_not():
    base = plans()[0]
    other = plans(tier="Bulk", days=3, idempotency_key="x")[0]
    assert base["scope_id"] == other["scope_id"]
    assert base["identity_id"] != other["identity_id"]


def test_manifest_etag_is_identity_not_scope():
    one = batch_job.plan_jobs(params(prefix=None, storage_classes=["GLACIER"]), ACCOUNT,
                              batch_job.parse_manifest({"key": "m.csv", "etag": "a"}, "archive")[0])[0]
    two = batch_job.plan_jobs(params(prefix=None, storage_classes=["GLACIER"]), ACCOUNT,
                              batch_job.parse_manifest({"key": "m.csv", "etag": "b"}, "archive")[0])[0]
    assert one["scope_id"] == two["scope_id"] and one["identity_id"] != two["identity_id"]


@pytest.mark.parametrize(
    "description, parsed",
    [
        ("Restore x [s3async-restore 0123456789ab.ba9876543210]", ("0123456789ab", "ba9876543210")),
        ("[s3async-restore 0123456789ab.ba9876543210] moved to the front", ("0123456789ab", "ba9876543210")),
        ("[s3async-restore 0123456789AB.ba9876543210]", None),
        ("[s3async-restore 0123456789ab]", None),
        ("nightly copy", None),
        (None, None),
    ],
)
def test_parse_marker(description, parsed):
    assert batch_job.parse_marker(description) == parsed


@given(text=st.text(max_size=400), days=st.integers(min_value=1, max_value=3650), key=st.text(max_size=80))
def test_description_always_fits_and_carries_the_marker(text, days, key):
    plan = plans(description=text or None, days=days, idempotency_key=key)[0]
    assert 0 < len(plan["description"]) <= batch_job.DESCRIPTION_MAX
    assert batch_job.parse_marker(plan["description"]) == (plan["scope_id"], plan["identity_id"])


@pytest.mark.parametrize(
    "kind, classes, prefix, manifest, expected",
    [
        ("glacier", ["GLACIER", "DEEP_ARCHIVE"], "db/", None, "Restore GLACIER/DEEP_ARCHIVE s3://archive/db/*, tier Bulk, 3 days"),
        ("intelligent_tiering", ["INTELLIGENT_TIERING"], "", None, "Restore INTELLIGENT_TIERING s3://archive/*, tier Bulk"),
        ("glacier", ["GLACIER"], None, {"bucket": "lists", "key": "k.csv"},
         "Restore GLACIER objects listed in s3://lists/k.csv, tier Bulk, 3 days"),
    ],
)
def test_default_description(kind, classes, prefix, manifest, expected):
    assert batch_job.default_description("archive", kind, classes, "Bulk", 3, prefix, manifest) == expected


def test_long_description_is_cut_with_an_ellipsis():
    tag = "[s3async-restore 0123456789ab.ba9876543210]"
    text = batch_job.job_description("word " * 100, tag)
    assert len(text) <= batch_job.DESCRIPTION_MAX
    assert text.endswith("... " + tag)


# ---------------------------------------------------------------------------------------------------------------
# Matching ListJobs entries.

T0 = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)


def entry(job_id, plan, status, days_later=0, identity=None, operation="S3InitiateRestoreObject"):
    description = f"x [s3async-restore {plan['scope_id']}.{identity or plan['identity_id']}]"
    return {"JobId": job_id, "Description": description, "Status": status, "Operation": operation,
            "CreationTime": T0 + datetime.timedelta(days=days_later)}


PLAN = plans(storage_classes=["GLACIER"])[0]
OTHER = "ffffffffffff"


@pytest.mark.parametrize(
    "jobs, found, attempt, conflicts",
    [
        ([], None, 0, []),
        ([entry("a", PLAN, "Active")], "a", 0, []),
        ([entry("a", PLAN, "Complete")], "a", 0, []),
        ([entry("a", PLAN, "Suspended")], "a", 0, []),
        # A failed (or failing) job is found and reported: a new job would fail the same way.
        ([entry("a", PLAN, "Failed")], "a", 1, []),
        ([entry("a", PLAN, "Failing")], "a", 1, []),
        ([entry("b", PLAN, "Failed", 1), entry("a", PLAN, "Failed")], "b", 2, []),
        # A cancelled one is replaced: the user stopped it on purpose.
        ([entry("a", PLAN, "Cancelled")], None, 1, []),
        ([entry("a", PLAN, "Cancelling")], None, 1, []),
        ([entry("a", PLAN, "Failed"), entry("b", PLAN, "Cancelled", 1)], None, 2, []),
        ([entry("a", PLAN, "Cancelled"), entry("b", PLAN, "Failed", 1)], "b", 2, []),
        ([entry("a", PLAN, "Failed"), entry("b", PLAN, "Active", 1)], "b", 1, []),
        ([entry("a", PLAN, "Active"), entry("b", PLAN, "Failed", 1)], "a", 1, []),
        ([entry("a", PLAN, "Complete"), entry("b", PLAN, "Complete", 2)], "b", 0, []),
        ([entry("a", PLAN, "Active", identity=OTHER)], None, 0, ["a"]),
        ([entry("a", PLAN, "Paused", identity=OTHER)], None, 0, ["a"]),
        ([entry("a", PLAN, "Complete", identity=OTHER)], None, 0, []),
        ([entry("a", PLAN, "Cancelling", identity=OTHER)], None, 0, []),
        ([entry("a", PLAN, "Failing", identity=OTHER)], None, 0, []),
        ([entry("a", PLAN, "Active", operation="S3PutObjectCopy")], None, 0, []),
        ([dict(entry("a", PLAN, "Active"), Description="nightly")], None, 0, []),
    ],
    ids=["none", "active", "complete", "suspended", "failed", "failing", "failed-twice", "cancelled", "cancelling",
         "failed-then-cancelled", "cancelled-then-failed", "failed-then-active", "active-then-failed", "newest",
         "conflict", "conflict-paused", "other-identity-done", "other-identity-ending", "other-identity-failing",
         "other-operation", "no-marker"],
)
def test_match_jobs(jobs, found, attempt, conflicts):
    decision = batch_job.match_jobs(jobs, PLAN)
    assert (decision["found"] or {}).get("JobId") == found
    assert decision["attempt"] == attempt
    assert [job["JobId"] for job in decision["conflicts"]] == conflicts


def test_running_elsewhere_is_our_running_jobs_of_other_scopes():
    other = plans(prefix="db/2019/", storage_classes=["GLACIER"])[0]
    jobs = [
        entry("a", other, "Active"),
        entry("b", other, "Paused", identity=OTHER),
        entry("c", other, "Complete"),
        entry("d", other, "Failing"),
        entry("e", other, "Cancelling"),
        entry("f", PLAN, "Active", identity=OTHER),
        entry("g", other, "Active", operation="S3PutObjectCopy"),
        dict(entry("h", other, "Active"), Description="a restore job of another tool"),
    ]
    assert [job["JobId"] for job in batch_job.running_elsewhere(jobs, [PLAN])] == ["a", "b"]
    assert batch_job.running_elsewhere(jobs, [PLAN, other]) == []


@pytest.mark.parametrize(
    "status, running",
    [("New", True), ("Preparing", True), ("Suspended", True), ("Ready", True), ("Active", True), ("Pausing", True),
     ("Paused", True), ("Completing", False), ("Complete", False), ("Failing", False), ("Failed", False),
     ("Cancelling", False), ("Cancelled", False)],
)
def test_is_running(status, running):
    assert batch_job.is_running(status) is running


def test_default_storage_classes_leave_intelligent_tiering_out():
    assert batch_job.split_kinds(list(batch_job.DEFAULT_STORAGE_CLASSES)) == [("glacier", ["GLACIER", "DEEP_ARCHIVE"])]


def test_cancellable_keeps_every_identity_of_the_scope():
    jobs = [
        entry("a", PLAN, "Active"),
        entry("b", PLAN, "Paused", identity=OTHER),
        entry("c", PLAN, "Complete"),
        entry("d", PLAN, "Cancelling"),
        dict(entry("e", PLAN, "Active"), Description="x [s3async-restore 000000000000.111111111111]"),
    ]
    assert [job["JobId"] for job in batch_job.cancellable(jobs, PLAN)] == ["a", "b"]


@pytest.mark.parametrize(
    "descriptor, confirmation_required, expected",
    [
        ({"Status": "Suspended", "ConfirmationRequired": True}, False, True),
        ({"Status": "Suspended", "ConfirmationRequired": True}, True, False),
        ({"Status": "Suspended", "ConfirmationRequired": False}, False, False),
        ({"Status": "Active", "ConfirmationRequired": True}, False, False),
    ],
)
def test_needs_confirmation(descriptor, confirmation_required, expected):
    assert batch_job_status.needs_confirmation(descriptor, confirmation_required) is expected


# ---------------------------------------------------------------------------------------------------------------
# Summaries.

@pytest.mark.parametrize(
    "summary, expected",
    [
        (None, None),
        ({}, None),
        ({"TotalNumberOfTasks": 0}, {"total": 0, "succeeded": 0, "failed": 0, "pending": 0, "percent_done": 0.0,
                                     "elapsed_seconds": None}),
        ({"TotalNumberOfTasks": 3, "NumberOfTasksSucceeded": 1, "NumberOfTasksFailed": 1, "Timers": {"ElapsedTimeInActiveSeconds": 9}},
         {"total": 3, "succeeded": 1, "failed": 1, "pending": 1, "percent_done": 66.67, "elapsed_seconds": 9}),
        ({"TotalNumberOfTasks": 10_000_000, "NumberOfTasksSucceeded": 10_000_000},
         {"total": 10_000_000, "succeeded": 10_000_000, "failed": 0, "pending": 0, "percent_done": 100.0, "elapsed_seconds": None}),
    ],
)
def test_progress(summary, expected):
    assert batch_job_status.progress(summary) == expected


@pytest.mark.parametrize(
    "job_id, report, location, manifest",
    [
        ("j1", {"Enabled": True, "Bucket": "arn:aws:s3:::reports", "Prefix": "jobs", "ReportScope": "AllTasks"},
         "s3://reports/jobs/job-j1/", "s3://reports/jobs/job-j1/manifest.json"),
        ("j1", {"Enabled": True, "Bucket": "arn:aws:s3:::reports", "Prefix": "jobs/", "ReportScope": "FailedTasksOnly"},
         "s3://reports/jobs/job-j1/", "s3://reports/jobs/job-j1/manifest.json"),
        ("j1", {"Enabled": True, "Bucket": "arn:aws-cn:s3:::reports"}, "s3://reports/job-j1/", "s3://reports/job-j1/manifest.json"),
        (None, {"Enabled": True, "Bucket": "arn:aws:s3:::reports"}, None, None),
        ("j1", {"Enabled": False}, None, None),
        ("j1", None, None, None),
    ],
)
def test_report_location(job_id, report, location, manifest):
    found = batch_job_status.report_location(job_id, report)
    assert (found["location"], found["manifest"]) == (location, manifest)
    assert found["enabled"] is bool(report and report.get("Enabled"))


def job(status, succeeded=0, failed=0, total=10, reasons=(), report="s3://r/job-j/"):
    return {
        "job_id": "j", "kind": "glacier", "status": status, "status_update_reason": None,
        "progress": {"total": total, "succeeded": succeeded, "failed": failed},
        "failure_reasons": [{"code": code, "reason": text} for code, text in reasons],
        "report": {"location": report},
    }


@pytest.mark.parametrize(
    "finished, max_failed, expected",
    [
        (job("Complete", succeeded=10), 0, None),
        (job("Complete", succeeded=8, failed=2), 0, "2 of 10 restore requests failed (max_failed_tasks is 0)"),
        (job("Complete", succeeded=8, failed=2), 2, None),
        (job("Failed", reasons=[("ManifestNotFound", "no manifest")], total=0), 0, "Job j (glacier) failed (ManifestNotFound: no manifest)."),
        (job("Failed", succeeded=400, failed=600, total=1000), 10**9, "after 400 of 1,000 restore requests succeeded and 600 failed"),
        (job("Failed", total=0), 0, "run with a new idempotency_key to start a new job"),
        (job("Cancelled"), 0, "was cancelled (no reason given)"),
        (job("Complete", failed=1, report=None), 0, "No completion report was asked for"),
    ],
)
def test_job_problem(finished, max_failed, expected):
    problem = batch_job_status.job_problem(finished, max_failed)
    assert (problem is None) if expected is None else (expected in problem)


def test_summarize_job_dates_and_failures():
    summary = batch_job_status.summarize_job({
        "JobId": "j", "Status": "Failed", "CreationTime": T0, "FailureReasons": [{"FailureCode": "C", "FailureReason": "R"}],
        "Report": {"Enabled": False},
    })
    assert summary["created"] == "2026-11-01T00:00:00+00:00"
    assert summary["terminated"] is None
    assert summary["failure_reasons"] == [{"code": "C", "reason": "R"}]
    assert summary["progress"] is None


# ---------------------------------------------------------------------------------------------------------------
# Validation.

@pytest.mark.parametrize(
    "extra, message",
    [
        ({}, None),
        ({"state": "absent", "role_arn": None, "priority": -5}, None),
        ({"storage_classes": ["INTELLIGENT_TIERING"], "days": 0}, None),
        ({"tier": "Expedited"}, "tier=Expedited is not available"),
        ({"days": 0}, "days must be 1 or more"),
        ({"storage_classes": ["GLACIER", "STANDARD"]}, "storage_classes may only contain"),
        ({"prefix": "p" * 1025}, "prefix may be at most 1024"),
        ({"prefix": None, "manifest": {"key": "m.csv"}}, "with manifest, storage_classes must name one kind"),
        ({"prefix": None, "manifest": {"key": "m.csv"}, "storage_classes": ["GLACIER"], "save_manifest": True,
          "report_bucket": "r"}, "save_manifest keeps the list the manifest generator makes"),
        ({"account_id": "12345678901a"}, "account_id must be a 12-digit"),
        ({"role_arn": "arn:aws:iam::1234:role/r"}, "role_arn must be an IAM role ARN"),
        ({"role_arn": f"arn:aws:iam::{ACCOUNT}:user/u"}, "role_arn must be an IAM role ARN"),
        ({"priority": 2147483648}, "priority must be between"),
        ({"report_prefix": "p"}, "report_prefix needs report_bucket"),
        ({"report_bucket": "r/x"}, "report_bucket must be a bucket name"),
        ({"report_bucket": "r", "report_prefix": "p" * 513}, "report_prefix may be at most 512"),
        ({"tags": {"k" * 129: "v"}}, "tag keys must be 1 to 128"),
        ({"tags": {"k": "v" * 257}}, "tag values must be at most 256"),
        ({"state": "completed", "confirmation_required": True}, "state=completed cannot wait"),
        ({"wait_timeout": -1}, "wait_timeout must be 0 or more"),
        ({"max_failed_tasks": -1}, "max_failed_tasks must be 0 or more"),
        ({"bucket": ""}, "bucket must be a bucket name"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_validate(extra, message):
    problems = batch_job_checks.validate(params(**extra))
    if message is None:
        assert problems == []
    else:
        assert any(message in problem for problem in problems), problems
