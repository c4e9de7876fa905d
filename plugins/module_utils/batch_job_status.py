# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure reading of what S3 Batch Operations says about a restore job: its status, progress, report and failures.

Nothing here talks to AWS (and nothing imports boto3). Sources, cited where they are used:

* S3 User Guide, "Tracking job status and completion reports" (batch-ops-job-status) and "Examples: S3 Batch
  Operations completion reports" (batch-ops-examples-reports);
* S3 API Reference, DescribeJob (JobDescriptor), ListJobs (JobListDescriptor), JobProgressSummary, JobReport.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.s3async.restore.plugins.module_utils import aws_names
from ansible_collections.s3async.restore.plugins.module_utils import batch_job


def is_terminal(status: str | None) -> bool:
    return status in batch_job.TERMINAL_STATUSES


def needs_confirmation(descriptor: dict, confirmation_required: bool) -> bool:
    """True when a found job waits for confirmation and the task no longer asks for it: the run confirms it."""
    return descriptor.get("Status") == "Suspended" and bool(descriptor.get("ConfirmationRequired")) and not confirmation_required


def progress(summary: dict | None) -> dict | None:
    """Counts from a JobProgressSummary (DescribeJob or ListJobs), or None when there is none yet."""
    if not summary:
        return None
    total = summary.get("TotalNumberOfTasks") or 0
    succeeded = summary.get("NumberOfTasksSucceeded") or 0
    failed = summary.get("NumberOfTasksFailed") or 0
    done = succeeded + failed
    return {
        "total": total,
        "succeeded": succeeded,
        "failed": failed,
        "pending": max(total - done, 0),
        "percent_done": round(100.0 * done / total, 2) if total else 0.0,
        "elapsed_seconds": (summary.get("Timers") or {}).get("ElapsedTimeInActiveSeconds"),
    }


def report_location(job_id: str | None, report: dict | None) -> dict:
    """Where the completion report of a job is: ``{enabled, bucket, prefix, scope, location, manifest}``.

    Batch Operations writes it under ``<prefix>/job-<job id>/``: a ``manifest.json`` there lists the result CSV
    files under ``results/`` (batch-ops-examples-reports). S3 writes it only once at least one task ran. Without a
    job ID yet (check mode), ``location`` and ``manifest`` are None.
    """
    report = report or {}
    if not report.get("Enabled"):
        return {"enabled": False, "bucket": None, "prefix": None, "scope": None, "location": None, "manifest": None}
    bucket = (report.get("Bucket") or "").split(":::", 1)[-1]
    scopes = {value: name for name, value in batch_job.REPORT_SCOPES.items()}
    result = {
        "enabled": True,
        "bucket": bucket,
        "prefix": report.get("Prefix"),
        "scope": scopes.get(report.get("ReportScope"), report.get("ReportScope")),
        "location": None,
        "manifest": None,
    }
    if job_id:
        prefix = (report.get("Prefix") or "").strip("/")
        directory = f"{prefix}/job-{job_id}/" if prefix else f"job-{job_id}/"
        result["location"] = aws_names.s3_uri(bucket, directory)
        result["manifest"] = aws_names.s3_uri(bucket, directory + "manifest.json")
    return result


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def summarize_job(descriptor: dict) -> dict:
    """The parts of a DescribeJob JobDescriptor that a task returns."""
    job_id = descriptor.get("JobId")
    return {
        "job_id": job_id,
        "job_arn": descriptor.get("JobArn"),
        "status": descriptor.get("Status"),
        "status_update_reason": descriptor.get("StatusUpdateReason"),
        "suspended_cause": descriptor.get("SuspendedCause"),
        "priority": descriptor.get("Priority"),
        "confirmation_required": descriptor.get("ConfirmationRequired"),
        "description": descriptor.get("Description"),
        "created": _iso(descriptor.get("CreationTime")),
        "terminated": _iso(descriptor.get("TerminationDate")),
        "progress": progress(descriptor.get("ProgressSummary")),
        "report": report_location(job_id, descriptor.get("Report")),
        "failure_reasons": [
            {"code": failure.get("FailureCode"), "reason": failure.get("FailureReason")}
            for failure in descriptor.get("FailureReasons") or []
        ],
    }


def job_problem(job: dict, max_failed_tasks: int = 0) -> str | None:
    """Why a finished job counts as a failure for state=completed, in words, or None."""
    where = f"job {job['job_id']} ({job['kind']})"
    reasons = "; ".join(
        f"{failure['code']}: {failure['reason']}" if failure.get("code") else str(failure.get("reason"))
        for failure in job.get("failure_reasons") or []
    )
    counts = job.get("progress") or {}
    report = job.get("report") or {}
    see = f" The completion report is under {report['location']}." if report.get("location") else " No completion report was asked for (report_bucket)."
    if job["status"] == "Failed":
        text = f"{where} failed"
        if reasons:
            text += f" ({reasons})"
        # "When a job has run at least 1,000 tasks [...] if the failure rate [...] exceeds 50 percent, the job fails"
        # (batch-ops-job-status, "Tracking job failure").
        if counts.get("total"):
            text += f" after {counts['succeeded']} of {counts['total']} restore requests succeeded and {counts['failed']} failed"
        return text + "." + see
    if job["status"] == "Cancelled":
        return f"{where} was cancelled ({job.get('status_update_reason') or 'no reason given'})." + see
    failed = counts.get("failed") or 0
    if failed > max_failed_tasks:
        return (
            f"{where} completed, but {failed} of {counts.get('total')} restore requests failed (max_failed_tasks is "
            f"{max_failed_tasks})." + see
        )
    return None
