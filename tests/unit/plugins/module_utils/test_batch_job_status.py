# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils/batch_job_status: what a job's status, progress, report and failures come to, exactly."""

from __future__ import annotations

import datetime

import pytest

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


@pytest.mark.parametrize(
    "job, max_failed, expected",
    [
        (finished("Complete"), 0, None),
        (finished("Complete", failed=2), 1,
         "job j (glacier) completed, but 2 of 10 restore requests failed (max_failed_tasks is 1). The completion report "
         "is under s3://r/job-j/."),
        (finished("Complete", failed=2, location=None), 0,
         "job j (glacier) completed, but 2 of 10 restore requests failed (max_failed_tasks is 0). No completion report "
         "was asked for (report_bucket)."),
        (finished("Failed", total=0, reasons=[("ManifestNotFound", "gone"), (None, "second")]), 0,
         "job j (glacier) failed (ManifestNotFound: gone; second). The completion report is under s3://r/job-j/."),
        (finished("Failed", failed=6), 100,
         "job j (glacier) failed after 4 of 10 restore requests succeeded and 6 failed. The completion report is under "
         "s3://r/job-j/."),
        (finished("Cancelled", reason="No longer needed"), 0,
         "job j (glacier) was cancelled (No longer needed). The completion report is under s3://r/job-j/."),
        (finished("Cancelled"), 0, "job j (glacier) was cancelled (no reason given). The completion report is under s3://r/job-j/."),
    ],
    ids=["complete", "too-many-failed", "no-report", "failed-reasons", "failed-counts", "cancelled", "cancelled-no-reason"],
)
def test_job_problem_messages(job, max_failed, expected):
    assert batch_job_status.job_problem(job, max_failed) == expected
