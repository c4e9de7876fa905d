# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure reading of what S3 Batch Operations says about a restore job: its status, progress, report, failures, and
which objects it restores (to tell whether two jobs overlap).

Nothing here talks to AWS (and nothing imports boto3). Sources, cited where they are used:

* S3 User Guide, "Tracking job status and completion reports" (batch-ops-job-status), "Examples: S3 Batch
  Operations completion reports" (batch-ops-examples-reports) and "Restore objects with Batch Operations"
  (batch-ops-initiate-restore-object);
* S3 API Reference, DescribeJob (JobDescriptor), ListJobs (JobListDescriptor), JobProgressSummary, JobReport,
  S3JobManifestGenerator, JobManifestGeneratorFilter.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.s3async.restore.plugins.module_utils import aws_names
from ansible_collections.s3async.restore.plugins.module_utils import batch_job
from ansible_collections.s3async.restore.plugins.module_utils import job_manifests


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


def progress_words(counts: dict | None) -> str | None:
    """``400 of 1,000 objects handled, 2 failed`` from progress(), or None before the job is prepared."""
    if not counts or not counts.get("total"):
        return None
    done = counts["succeeded"] + counts["failed"]
    return f"{done:,} of {counts['total']:,} objects handled, {counts['failed']:,} failed"


# Why a failed job is reported by every later run rather than replaced, and what to do about it.
FAILED_JOB_ADVICE = (
    "A run with the same parameters reports this job again rather than paying for a new one that would fail the same "
    "way: fix the cause, then run with a new idempotency_key to start a new job (state=absent is not needed for a "
    "failed job)."
)


def _see_report(job: dict) -> str:
    report = job.get("report") or {}
    if report.get("location"):
        return f" The completion report is under {report['location']}."
    return " No completion report was asked for (report_bucket)."


def failure_text(job: dict) -> str:
    """``Job <id> (<kind>) failed (<reasons>) after <counts>. <report>. <advice>`` for a job Failed or Failing."""
    verb = "is failing" if job["status"] == "Failing" else "failed"
    text = f"Job {job['job_id']} ({job['kind']}) {verb}"
    reasons = "; ".join(
        f"{failure['code']}: {failure['reason']}" if failure.get("code") else str(failure.get("reason"))
        for failure in job.get("failure_reasons") or []
    )
    if reasons:
        text += f" ({reasons})"
    counts = job.get("progress") or {}
    # "When a job has run at least 1,000 tasks [...] if the failure rate [...] exceeds 50 percent, the job fails"
    # (batch-ops-job-status, "Tracking job failure").
    if counts.get("total"):
        text += (f" after {counts['succeeded']:,} of {counts['total']:,} restore requests succeeded and "
                 f"{counts['failed']:,} failed")
    return f"{text}.{_see_report(job)} {FAILED_JOB_ADVICE}"


def job_problem(job: dict, max_failed_tasks: int = 0) -> str | None:
    """Why a finished job counts as a failure for state=completed, in words, or None."""
    if job["status"] in batch_job.FAILED_STATUSES:
        return failure_text(job)
    where = f"Job {job['job_id']} ({job['kind']})"
    if job["status"] == "Cancelled":
        return f"{where} was cancelled ({job.get('status_update_reason') or 'no reason given'})." + _see_report(job)
    counts = job.get("progress") or {}
    failed = counts.get("failed") or 0
    if failed > max_failed_tasks:
        return (
            f"{where} completed, but {failed:,} of {counts.get('total') or 0:,} restore requests failed "
            f"(max_failed_tasks is {max_failed_tasks})." + _see_report(job)
        )
    return None


# -- which objects a job restores: overlapping jobs ------------------------------------------------------------
# Two jobs that target the same objects compete: "a task on an object being restored succeeds only with the same
# Days and a faster tier; otherwise it fails; on an object already restored it resets the copy's expiry"
# (batch-ops-initiate-restore-object, "Overlapping restores"). "Targets" below: the bucket, the key prefixes and the
# storage classes of a generated manifest, or the manifest object (bucket/key) of a given one.

def _arn_resource(arn: str | None) -> str | None:
    """``bucket`` or ``bucket/key`` from an S3 ARN (``arn:<partition>:s3:::bucket[/key]``), or None."""
    if not arn or ":::" not in arn:
        return None
    return arn.split(":::", 1)[1] or None


def plan_targets(scope: dict) -> dict:
    """The targets of a planned job, from its scope (batch_job.job_scope, or job_manifests.listing_scope: a listed
    prefix, or the common prefix of a key list, targets what the manifest generator's job for that prefix would, at
    most; a manifest read on the controller targets what a job given that manifest would)."""
    source = scope["source"]
    if "listing" in source:
        target, value = job_manifests.plan_target(scope)
        by_manifest = target == job_manifests.TARGET_MANIFEST
        return {"bucket": scope["bucket"], "prefixes": [] if by_manifest else [value], "classes": list(scope["classes"]),
                "manifest": value if by_manifest else None}
    if "manifest" in source:
        manifest = source["manifest"]
        return {"bucket": scope["bucket"], "prefixes": [], "classes": list(scope["classes"]),
                "manifest": f"{manifest['bucket']}/{manifest['key']}"}
    return {"bucket": scope["bucket"], "prefixes": [source["prefix"] or ""], "classes": list(scope["classes"]),
            "manifest": None}


def job_targets(descriptor: dict) -> dict:
    """The targets of a job, from DescribeJob's JobDescriptor (its ManifestGenerator, else its Manifest)."""
    generator = (descriptor.get("ManifestGenerator") or {}).get("S3JobManifestGenerator")
    if generator:
        filters = generator.get("Filter") or {}
        return {
            "bucket": _arn_resource(generator.get("SourceBucket")),
            # JobManifestGeneratorFilter: without KeyNameConstraint the whole bucket, without MatchAnyStorageClass
            # every storage class.
            "prefixes": list((filters.get("KeyNameConstraint") or {}).get("MatchAnyPrefix") or [""]),
            "classes": list(filters.get("MatchAnyStorageClass") or batch_job.STORAGE_CLASSES),
            "manifest": None,
        }
    location = (descriptor.get("Manifest") or {}).get("Location") or {}
    resource = _arn_resource(location.get("ObjectArn"))
    # A manifest written by a manifest_source=listing run names, in its key, what the job restores.
    listed = job_manifests.listed_targets(resource)
    if listed is not None:
        return listed
    return {"bucket": None, "prefixes": [], "classes": [], "manifest": resource}


def targets_overlap(first: dict, second: dict) -> bool:
    """True when two jobs may send restore requests for the same objects.

    Generated manifests overlap in the same bucket when one prefix contains the other (``db/`` and ``db/2019/``;
    ``""`` contains every prefix) and the storage classes intersect. A given manifest is not read: the same manifest
    object is a conflict, whatever the classes (they only choose the operation); a manifest and a prefix are not.
    """
    if first["manifest"] or second["manifest"]:
        return first["manifest"] == second["manifest"]
    nested = any(one.startswith(other) or other.startswith(one) for one in first["prefixes"] for other in second["prefixes"])
    return first["bucket"] == second["bucket"] and nested and bool(set(first["classes"]) & set(second["classes"]))


def targets_text(targets: dict) -> str:
    """``GLACIER/DEEP_ARCHIVE under s3://bucket/db/`` or ``the objects listed in s3://manifests/list.csv``."""
    if targets["manifest"]:
        return f"the objects listed in s3://{targets['manifest']}"
    where = " and ".join(aws_names.s3_uri(targets["bucket"] or "", prefix) for prefix in targets["prefixes"])
    return f"{'/'.join(targets['classes'])} under {where}"
