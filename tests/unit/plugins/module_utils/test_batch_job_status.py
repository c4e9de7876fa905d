# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils/batch_job_status: what a job's status, progress, report and failures come to, exactly."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.s3async.restore.plugins.module_utils import batch_job_status

T0 = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
NO_REPORT = {"enabled": False, "bucket": None, "prefix": None, "scope": None, "location": None, "manifest": None}


@pytest.mark.parametrize(
    "status, terminal",
    [("Complete", True), ("Cancelled", True), ("Failed", True), ("Completing", False), ("Cancelling", False),
     ("Failing", False), ("Active", False), ("Suspended", False), ("New", False), (None, False)],
)
def test_is_terminal(status, terminal):
    assert batch_job_status.is_terminal(status) is terminal


@pytest.mark.parametrize(
    "report, job_id, expected",
    [
        (None, "j1", NO_REPORT),
        ({"Enabled": False, "Bucket": "arn:aws:s3:::r"}, "j1", NO_REPORT),
        ({"Enabled": True, "Bucket": "arn:aws:s3:::reports", "Prefix": "jobs", "ReportScope": "FailedTasksOnly"}, "j1",
         {"enabled": True, "bucket": "reports", "prefix": "jobs", "scope": "failed",
          "location": "s3://reports/jobs/job-j1/", "manifest": "s3://reports/jobs/job-j1/manifest.json"}),
        ({"Enabled": True, "Bucket": "arn:aws:s3:::reports", "Prefix": "/jobs/", "ReportScope": "AllTasks"}, "j1",
         {"enabled": True, "bucket": "reports", "prefix": "/jobs/", "scope": "all",
          "location": "s3://reports/jobs/job-j1/", "manifest": "s3://reports/jobs/job-j1/manifest.json"}),
        # A scope this collection does not know is passed on as AWS said it.
        ({"Enabled": True, "Bucket": "reports", "ReportScope": "SomeTasks"}, None,
         {"enabled": True, "bucket": "reports", "prefix": None, "scope": "SomeTasks", "location": None, "manifest": None}),
    ],
    ids=["none", "disabled", "failed-scope", "slashes", "unknown-scope-no-id"],
)
def test_report_location_exactly(report, job_id, expected):
    assert batch_job_status.report_location(job_id, report) == expected


def test_summarize_job_keys_and_values():
    summary = batch_job_status.summarize_job({
        "JobId": "j1", "JobArn": "arn:aws:s3:us-east-1:111122223333:job/j1", "Status": "Complete",
        "StatusUpdateReason": "done", "SuspendedCause": None, "Priority": 10, "ConfirmationRequired": False,
        "Description": "d", "CreationTime": T0, "TerminationDate": "2026-11-02",
        "ProgressSummary": {"TotalNumberOfTasks": 4, "NumberOfTasksSucceeded": 3, "NumberOfTasksFailed": 1},
        "Report": {"Enabled": False}, "FailureReasons": [{"FailureReason": "only a reason"}],
    })
    assert list(summary) == ["job_id", "job_arn", "status", "status_update_reason", "suspended_cause", "priority",
                             "confirmation_required", "description", "created", "terminated", "progress", "report",
                             "failure_reasons"]
    assert summary["created"] == "2026-11-01T00:00:00+00:00" and summary["terminated"] == "2026-11-02"
    assert summary["progress"] == {"total": 4, "succeeded": 3, "failed": 1, "pending": 0, "percent_done": 100.0,
                                   "elapsed_seconds": None}
    assert summary["report"] == NO_REPORT
    assert summary["failure_reasons"] == [{"code": None, "reason": "only a reason"}]


def finished(status, failed=0, total=10, reasons=(), location="s3://r/job-j/", reason=None):
    return {
        "job_id": "j", "kind": "glacier", "status": status, "status_update_reason": reason,
        "progress": {"total": total, "succeeded": total - failed, "failed": failed},
        "failure_reasons": [{"code": code, "reason": text} for code, text in reasons],
        "report": {"location": location},
    }


ADVICE = (
    " A run with the same parameters reports this job again rather than paying for a new one that would fail the same "
    "way: fix the cause, then run with a new idempotency_key to start a new job (state=absent is not needed for a "
    "failed job)."
)


@pytest.mark.parametrize(
    "job, max_failed, expected",
    [
        (finished("Complete"), 0, None),
        (finished("Complete", failed=2), 1,
         "Job j (glacier) completed, but 2 of 10 restore requests failed (max_failed_tasks is 1). The completion report "
         "is under s3://r/job-j/."),
        (finished("Complete", failed=2, location=None), 0,
         "Job j (glacier) completed, but 2 of 10 restore requests failed (max_failed_tasks is 0). No completion report "
         "was asked for (report_bucket)."),
        (finished("Complete", failed=2500, total=12_000_000), 0,
         "Job j (glacier) completed, but 2,500 of 12,000,000 restore requests failed (max_failed_tasks is 0). The "
         "completion report is under s3://r/job-j/."),
        (finished("Failed", total=0, reasons=[("ManifestNotFound", "gone"), (None, "second")]), 0,
         "Job j (glacier) failed (ManifestNotFound: gone; second). The completion report is under s3://r/job-j/." + ADVICE),
        (finished("Failed", failed=6), 100,
         "Job j (glacier) failed after 4 of 10 restore requests succeeded and 6 failed. The completion report is under "
         "s3://r/job-j/." + ADVICE),
        (finished("Failed", failed=1100, total=2000, location=None), 0,
         "Job j (glacier) failed after 900 of 2,000 restore requests succeeded and 1,100 failed. No completion report "
         "was asked for (report_bucket)." + ADVICE),
        (finished("Cancelled", reason="No longer needed"), 0,
         "Job j (glacier) was cancelled (No longer needed). The completion report is under s3://r/job-j/."),
        (finished("Cancelled"), 0, "Job j (glacier) was cancelled (no reason given). The completion report is under s3://r/job-j/."),
    ],
    ids=["complete", "too-many-failed", "no-report", "thousands", "failed-reasons", "failed-counts", "failed-no-report",
         "cancelled", "cancelled-no-reason"],
)
def test_job_problem_messages(job, max_failed, expected):
    assert batch_job_status.job_problem(job, max_failed) == expected


def test_failure_text_of_a_failing_job():
    assert batch_job_status.failure_text(finished("Failing", failed=6, reasons=[("TaskFailureRateExceeded", "rate")])) == (
        "Job j (glacier) is failing (TaskFailureRateExceeded: rate) after 4 of 10 restore requests succeeded and 6 "
        "failed. The completion report is under s3://r/job-j/." + ADVICE
    )


@pytest.mark.parametrize(
    "counts, expected",
    [
        (None, None),
        ({"total": 0, "succeeded": 0, "failed": 0}, None),
        ({"total": 1000, "succeeded": 400, "failed": 0}, "400 of 1,000 objects handled, 0 failed"),
        ({"total": 12_000_000, "succeeded": 11_999_990, "failed": 10}, "12,000,000 of 12,000,000 objects handled, 10 failed"),
    ],
)
def test_progress_words(counts, expected):
    assert batch_job_status.progress_words(counts) == expected


# ---------------------------------------------------------------------------------------------------------------
# Which objects a job restores, and whether two jobs overlap.

def generator(bucket="archive", prefixes=("db/",), classes=("GLACIER", "DEEP_ARCHIVE")):
    filters = {}
    if classes:
        filters["MatchAnyStorageClass"] = list(classes)
    if prefixes:
        filters["KeyNameConstraint"] = {"MatchAnyPrefix": list(prefixes)}
    return {"ManifestGenerator": {"S3JobManifestGenerator": {"SourceBucket": f"arn:aws:s3:::{bucket}", "Filter": filters}}}


@pytest.mark.parametrize(
    "descriptor, expected",
    [
        (generator(), {"bucket": "archive", "prefixes": ["db/"], "classes": ["GLACIER", "DEEP_ARCHIVE"], "manifest": None}),
        # No KeyNameConstraint: the whole bucket; no MatchAnyStorageClass: every class.
        (generator(prefixes=(), classes=()), {"bucket": "archive", "prefixes": [""],
                                              "classes": ["GLACIER", "DEEP_ARCHIVE", "INTELLIGENT_TIERING"], "manifest": None}),
        (generator(bucket="gov-bucket"), {"bucket": "gov-bucket", "prefixes": ["db/"], "classes": ["GLACIER", "DEEP_ARCHIVE"],
                                          "manifest": None}),
        ({"Manifest": {"Location": {"ObjectArn": "arn:aws-cn:s3:::lists/a/b.csv", "ETag": "e"}}},
         {"bucket": None, "prefixes": [], "classes": [], "manifest": "lists/a/b.csv"}),
        ({}, {"bucket": None, "prefixes": [], "classes": [], "manifest": None}),
    ],
    ids=["generator", "generator-unfiltered", "other-bucket", "manifest", "nothing"],
)
def test_job_targets(descriptor, expected):
    assert batch_job_status.job_targets(descriptor) == expected


def scope(prefix="db/", classes=("GLACIER",), manifest=None, bucket="archive"):
    source = {"manifest": manifest} if manifest else {"prefix": prefix}
    return {"v": 1, "account": "111122223333", "bucket": bucket, "kind": "glacier", "classes": list(classes), "source": source}


@pytest.mark.parametrize(
    "planned, expected",
    [
        (scope(), {"bucket": "archive", "prefixes": ["db/"], "classes": ["GLACIER"], "manifest": None}),
        (scope(prefix=""), {"bucket": "archive", "prefixes": [""], "classes": ["GLACIER"], "manifest": None}),
        (scope(manifest={"bucket": "lists", "key": "k.csv", "version_id": None, "format": "csv", "fields": ["Bucket", "Key"]}),
         {"bucket": "archive", "prefixes": [], "classes": ["GLACIER"], "manifest": "lists/k.csv"}),
    ],
    ids=["prefix", "whole-bucket", "manifest"],
)
def test_plan_targets(planned, expected):
    assert batch_job_status.plan_targets(planned) == expected


def targets(prefixes=("db/",), classes=("GLACIER", "DEEP_ARCHIVE"), bucket="archive", manifest=None):
    return {"bucket": bucket, "prefixes": list(prefixes), "classes": list(classes), "manifest": manifest}


@pytest.mark.parametrize(
    "first, second, overlap",
    [
        (targets(["db/"]), targets(["db/2019/"]), True),
        (targets(["db/2019/"]), targets(["db/"]), True),
        (targets([""]), targets(["db/2019/"]), True),
        (targets(["db"]), targets(["db/"]), True),
        (targets(["db/2019/"]), targets(["db/2020/"]), False),
        (targets(["db/2019"]), targets(["db/2019x"]), True),
        (targets(["db/"], ["GLACIER", "DEEP_ARCHIVE"]), targets(["db/"], ["DEEP_ARCHIVE"]), True),
        (targets(["db/"], ["GLACIER"]), targets(["db/"], ["DEEP_ARCHIVE"]), False),
        (targets(["db/"], ["GLACIER", "DEEP_ARCHIVE"]), targets(["db/"], ["INTELLIGENT_TIERING"]), False),
        (targets(["db/"]), targets(["db/"], bucket="other"), False),
        (targets(["logs/", "db/"]), targets(["db/2019/"]), True),
        (targets([], manifest="lists/k.csv"), targets([], manifest="lists/k.csv"), True),
        (targets([], ["GLACIER"], manifest="lists/k.csv"), targets([], ["INTELLIGENT_TIERING"], manifest="lists/k.csv"), True),
        (targets([], manifest="lists/k.csv"), targets([], manifest="lists/other.csv"), False),
        # A manifest is not read: it is not compared with a prefix.
        (targets([], manifest="lists/k.csv"), targets([""]), False),
    ],
    ids=["contains", "contained", "whole-bucket", "no-slash", "siblings", "string-prefix", "classes-intersect",
         "classes-disjoint", "other-kind", "other-bucket", "several-prefixes", "same-manifest",
         "same-manifest-other-kind", "other-manifest", "manifest-and-prefix"],
)
def test_targets_overlap(first, second, overlap):
    assert batch_job_status.targets_overlap(first, second) is overlap


PREFIXES = st.text(alphabet="ab/", max_size=5)
CLASS_SETS = st.lists(st.sampled_from(["GLACIER", "DEEP_ARCHIVE", "INTELLIGENT_TIERING"]), min_size=1, unique=True)
TARGETS = st.one_of(
    st.builds(targets, st.lists(PREFIXES, min_size=1, max_size=2), CLASS_SETS, st.sampled_from(["archive", "other"])),
    st.builds(targets, st.just([]), CLASS_SETS, st.just("archive"), st.sampled_from(["lists/a.csv", "lists/b.csv"])),
)


@given(first=TARGETS, second=TARGETS)
def test_overlap_is_symmetric(first, second):
    pair = (first, second)
    assert batch_job_status.targets_overlap(*pair) == batch_job_status.targets_overlap(*reversed(pair))


@given(first=TARGETS)
def test_a_job_overlaps_itself(first):
    assert batch_job_status.targets_overlap(first, first)


@given(prefix=PREFIXES, suffix=PREFIXES, classes=CLASS_SETS)
def test_a_prefix_overlaps_every_prefix_inside_it(prefix, suffix, classes):
    """Every key under prefix + suffix is also under prefix: the two jobs would restore those keys twice."""
    assert batch_job_status.targets_overlap(targets([prefix], classes), targets([prefix + suffix], classes))


@given(first=PREFIXES, second=PREFIXES, classes=CLASS_SETS)
def test_prefixes_overlap_exactly_when_some_key_is_under_both(first, second, classes):
    # A key under both starts with both, so with the longer one, which then starts with the shorter.
    longer = max(first, second, key=len)
    shares_a_key = longer.startswith(first) and longer.startswith(second)
    assert batch_job_status.targets_overlap(targets([first], classes), targets([second], classes)) is shares_a_key


@pytest.mark.parametrize(
    "described, expected",
    [
        (targets(["db/"]), "GLACIER/DEEP_ARCHIVE under s3://archive/db/"),
        (targets([""], ["DEEP_ARCHIVE"]), "DEEP_ARCHIVE under s3://archive/"),
        (targets(["a/", "b/"], ["GLACIER"]), "GLACIER under s3://archive/a/ and s3://archive/b/"),
        (targets([], manifest="lists/k.csv"), "the objects listed in s3://lists/k.csv"),
    ],
)
def test_targets_text(described, expected):
    assert batch_job_status.targets_text(described) == expected


def test_a_listing_job_is_seen_by_its_manifest_key():
    """DescribeJob shows a listing job's manifest location only; its key names the prefix and kind listed, so a
    generated run of a nested prefix sees the overlap (and a sibling prefix does not)."""
    from ansible_collections.s3async.restore.plugins.module_utils import job_manifests

    params = {"bucket": "archive", "prefix": "db/", "storage_classes": ["GLACIER"], "tier": "Standard", "days": 7,
              "idempotency_key": "", "description": None, "manifest_prefix": None}
    plan = job_manifests.plan_listing_jobs(params, "111122223333")[0]
    key = job_manifests.manifest_key(params, plan, 0)
    targets = batch_job_status.job_targets({"Manifest": {"Location": {"ObjectArn": f"arn:aws:s3:::reports/{key}"}}})
    assert targets == {"bucket": "archive", "prefixes": ["db/"], "classes": ["GLACIER", "DEEP_ARCHIVE"], "manifest": None,
                       "listing": True}
    nested = {"bucket": "archive", "prefixes": ["db/2019/"], "classes": ["GLACIER"], "manifest": None}
    sibling = dict(nested, prefixes=["logs/"])
    assert batch_job_status.targets_overlap(nested, targets) and not batch_job_status.targets_overlap(sibling, targets)
