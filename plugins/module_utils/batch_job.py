# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure decisions for S3 Batch Operations restore jobs: what to send, how to recognise our jobs, what they report.

Nothing here talks to AWS (and nothing imports boto3): the functions build CreateJob requests, split the storage
classes into the jobs AWS requires, derive the idempotency token and the marker that lets a later run find the job
again, validate the options, and summarise what DescribeJob returns. Sources, cited where they are used:

* S3 User Guide, "Restore objects with Batch Operations" (batch-ops-initiate-restore-object);
* S3 User Guide, "Tracking job status and completion reports" (batch-ops-job-status) and "Examples: S3 Batch
  Operations completion reports" (batch-ops-examples-reports);
* S3 User Guide, "Creating an S3 Batch Operations job" (batch-ops-create-job);
* S3 API Reference, CreateJob, ListJobs, DescribeJob, UpdateJobStatus, S3InitiateRestoreObjectOperation,
  S3JobManifestGenerator, JobManifestGeneratorFilter, JobManifestSpec, JobReport (the s3control service model
  shipped in botocore, 2018-08-20, gives the shapes, enums and length limits used below).
"""

from __future__ import annotations

import hashlib
import json
import re

KIND_GLACIER = "glacier"
KIND_INTELLIGENT_TIERING = "intelligent_tiering"
# One job per kind, in this order. "S3 Batch Operations jobs can operate either on S3 Glacier and S3 Glacier Deep
# Archive storage class objects or on S3 Intelligent-Tiering Archive Access and Deep Archive Access storage tier
# objects, but not both types in the same job" (S3InitiateRestoreObjectOperation).
KIND_CLASSES = (
    (KIND_GLACIER, ("GLACIER", "DEEP_ARCHIVE")),
    (KIND_INTELLIGENT_TIERING, ("INTELLIGENT_TIERING",)),
)
STORAGE_CLASSES = tuple(cls for _kind, classes in KIND_CLASSES for cls in classes)

# "S3 Batch Operations supports STANDARD and BULK retrieval tiers, but not the EXPEDITED retrieval tier"
# (S3InitiateRestoreObjectOperation.GlacierJobTier). The module takes the tier names RestoreObject uses.
TIERS = ("Standard", "Bulk")
JOB_TIERS = {"Standard": "STANDARD", "Bulk": "BULK"}

REPORT_SCOPES = {"all": "AllTasks", "failed": "FailedTasksOnly"}
REPORT_FORMAT = "Report_CSV_20180820"
MANIFEST_FORMATS = {"csv": "S3BatchOperations_CSV_20180820", "inventory": "S3InventoryReport_CSV_20161130"}
MANIFEST_FIELDS = ("Ignore", "Bucket", "Key", "VersionId")
GENERATED_MANIFEST_FORMAT = "S3InventoryReport_CSV_20211130"
OPERATION_NAME = "S3InitiateRestoreObject"

# Job statuses (batch-ops-job-status). Complete, Cancelled and Failed are terminal; Completing, Cancelling and
# Failing lead to them without further action from anyone.
TERMINAL_STATUSES = ("Complete", "Cancelled", "Failed")
ENDING_STATUSES = ("Completing", "Cancelling", "Failing")
# Statuses UpdateJobStatus(RequestedJobStatus=Cancelled) applies to: every status that has not begun to end.
CANCELLABLE_STATUSES = ("New", "Preparing", "Suspended", "Ready", "Active", "Pausing", "Paused")
# A job that failed or was cancelled does not count as "the job these parameters created": the next run creates a
# new one (with a new token), so that fixing the cause and running again is enough.
RETRYABLE_STATUSES = ("Cancelled", "Cancelling", "Failed", "Failing")

# Limits from the s3control service model.
DESCRIPTION_MAX = 256  # NonEmptyMaxLength256String
TOKEN_MAX = 64  # ClientRequestToken: NonEmptyMaxLength64String
PREFIX_MAX = 1024  # KeyNameConstraint.MatchAnyPrefix items: NonEmptyMaxLength1024String
REPORT_PREFIX_MAX = 512  # JobReport.Prefix: ReportPrefixString
PRIORITY_MAX = 2147483647  # JobPriority
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256

ACCOUNT_ID_RE = re.compile(r"^\d{12}$")
# IAMRoleArn pattern from the model: arn:[^:]+:iam::\d{12}:role/.*
ROLE_ARN_RE = re.compile(r"^arn:([^:]+):iam::(\d{12}):role/.+$")
MARKER_RE = re.compile(r"\[s3async-restore ([0-9a-f]{12})\.([0-9a-f]{12})\]")
TOKEN_PREFIX = "s3async-"


def tier_problem(tier):
    """A user-facing message when ``tier`` cannot be used by a Batch Operations restore job, else None."""
    if tier == "Expedited":
        return (
            "tier=Expedited is not available in S3 Batch Operations, which supports only the Standard and Bulk "
            "retrieval tiers; use tier=Standard or tier=Bulk, or s3async.restore.s3_object_restore for an Expedited "
            "restore of a few objects"
        )
    if tier not in TIERS:
        return f"tier must be one of {', '.join(TIERS)}, got {tier!r}"
    return None


def split_kinds(storage_classes):
    """The jobs to create: ``[(kind, classes)]``, one per kind that has a class in ``storage_classes``.

    GLACIER and DEEP_ARCHIVE share one job (both take ExpirationInDays); INTELLIGENT_TIERING gets its own (it must
    not get ExpirationInDays). The order of the kinds and of the classes inside each is fixed, whatever the order
    given, so that the same request is built every time.
    """
    wanted = set(storage_classes or ())
    return [(kind, [cls for cls in classes if cls in wanted]) for kind, classes in KIND_CLASSES if wanted & set(classes)]


def restore_operation(kind, tier, days):
    """CreateJob's Operation for one kind of job."""
    operation = {"GlacierJobTier": JOB_TIERS[tier]}
    if kind == KIND_GLACIER:
        # "S3 Initiate Restore Object jobs that target S3 Glacier and S3 Glacier Deep Archive objects require
        # ExpirationInDays set to 1 or greater. Conversely, do not set ExpirationInDays when creating [jobs] that
        # target S3 Intelligent-Tiering Archive Access and Deep Archive Access tier objects [...] specifying
        # ExpirationInDays results in restore request failure." (S3InitiateRestoreObjectOperation)
        operation["ExpirationInDays"] = days
    return {OPERATION_NAME: operation}


def partition_of(role_arn):
    """The ARN partition (aws, aws-cn, aws-us-gov, ...) of an IAM role ARN: bucket ARNs must use the same one."""
    match = ROLE_ARN_RE.match(role_arn or "")
    return match.group(1) if match else "aws"


def bucket_arn(partition, bucket):
    return f"arn:{partition}:s3:::{bucket}"


def s3_uri(bucket, key=""):
    return f"s3://{bucket}/{key}"


def normalize_etag(etag):
    """An ETag as CreateJob's Manifest.Location wants it: without the quotes HeadObject returns around it."""
    if etag is None:
        return None
    return etag.strip().strip('"') or None


def parse_manifest(manifest, default_bucket):
    """Normalise the ``manifest`` option; returns ``(manifest, problems)``.

    ``manifest`` names an existing manifest object: ``bucket`` (default: the bucket restored from), ``key``,
    ``version_id``, ``etag`` (None: to be read with HeadObject), ``format`` (``csv``: lines ``bucket,key`` or
    ``bucket,key,version_id``, URL-encoded; ``inventory``: the ``manifest.json`` of an S3 Inventory report) and,
    for CSV, ``fields`` (the columns, from Bucket, Key, VersionId and Ignore) (batch-ops-create-job, "Specifying a
    manifest"; JobManifestSpec).
    """
    problems = []
    manifest = dict(manifest or {})
    fmt = manifest.get("format") or "csv"
    normalized = {
        "bucket": manifest.get("bucket") or default_bucket,
        "key": manifest.get("key"),
        "version_id": manifest.get("version_id") or None,
        "etag": normalize_etag(manifest.get("etag")),
        "format": fmt,
        "fields": None,
    }
    if not normalized["key"]:
        problems.append("manifest.key must name the manifest object")
    if fmt not in MANIFEST_FORMATS:
        problems.append(f"manifest.format must be one of {', '.join(MANIFEST_FORMATS)}, got {fmt!r}")
    fields = manifest.get("fields")
    if fmt == "csv":
        fields = list(fields) if fields else ["Bucket", "Key"]
        unknown = [field for field in fields if field not in MANIFEST_FIELDS]
        if unknown:
            problems.append(f"manifest.fields may only contain {', '.join(MANIFEST_FIELDS)}, got {', '.join(map(str, unknown))}")
        for required in ("Bucket", "Key"):
            if fields.count(required) != 1:
                problems.append(f"manifest.fields must name the {required} column exactly once, got {fields}")
        if fields.count("VersionId") > 1:
            problems.append(f"manifest.fields may name the VersionId column at most once, got {fields}")
        normalized["fields"] = fields
    elif fmt == "inventory":
        if fields:
            problems.append("manifest.fields is only for format=csv: an S3 Inventory report describes its own columns")
        # "You must specify the manifest.json file that is associated with the inventory report" (batch-ops-create-job).
        if normalized["key"] and not normalized["key"].endswith("manifest.json"):
            problems.append(
                f"manifest.key {normalized['key']!r} must be the manifest.json of the S3 Inventory report "
                "(not one of its CSV data files) when manifest.format=inventory"
            )
    return normalized, problems


def job_manifest(partition, manifest):
    """CreateJob's Manifest for an existing manifest object (see parse_manifest)."""
    spec = {"Format": MANIFEST_FORMATS[manifest["format"]]}
    if manifest["format"] == "csv":
        spec["Fields"] = list(manifest["fields"])
    location = {"ObjectArn": f"arn:{partition}:s3:::{manifest['bucket']}/{manifest['key']}", "ETag": manifest["etag"]}
    if manifest["version_id"]:
        location["ObjectVersionId"] = manifest["version_id"]
    return {"Spec": spec, "Location": location}


def manifest_generator(partition, bucket, prefix, classes, output=None):
    """CreateJob's ManifestGenerator: the job lists the bucket itself, keeping objects under ``prefix`` in ``classes``.

    JobManifestGeneratorFilter can express the key prefix (KeyNameConstraint.MatchAnyPrefix) and the storage class
    (MatchAnyStorageClass), not the Intelligent-Tiering access tier: an INTELLIGENT_TIERING job covers every
    Intelligent-Tiering object under the prefix, archived or not.
    ``output`` is ``(report_bucket, report_prefix)`` to keep the generated list as a manifest file, or None.
    """
    filters = {"MatchAnyStorageClass": list(classes)}
    if prefix:
        filters["KeyNameConstraint"] = {"MatchAnyPrefix": [prefix]}
    generator = {"SourceBucket": bucket_arn(partition, bucket), "EnableManifestOutput": output is not None, "Filter": filters}
    if output is not None:
        out_bucket, out_prefix = output
        location = {"Bucket": bucket_arn(partition, out_bucket), "ManifestFormat": GENERATED_MANIFEST_FORMAT}
        if out_prefix:
            location["ManifestPrefix"] = out_prefix
        generator["ManifestOutputLocation"] = location
    return {"S3JobManifestGenerator": generator}


def job_report(partition, report_bucket, report_prefix, report_scope):
    """CreateJob's Report: a CSV completion report in ``report_bucket``, or none."""
    if not report_bucket:
        return {"Enabled": False}
    report = {
        "Enabled": True,
        "Bucket": bucket_arn(partition, report_bucket),
        "Format": REPORT_FORMAT,
        "ReportScope": REPORT_SCOPES[report_scope],
    }
    if report_prefix:
        report["Prefix"] = report_prefix
    return report


def tag_set(tags):
    """CreateJob's Tags from a dict, sorted by key so that the request is the same every time."""
    return [{"Key": str(key), "Value": "" if value is None else str(value)} for key, value in sorted((tags or {}).items())]


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def digest(value, length=12):
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()[:length]


def job_scope(account_id, bucket, kind, classes, prefix=None, manifest=None):
    """What a job restores, whatever the tier and days: one running job per scope at a time.

    The manifest's ETag is left out on purpose: a new manifest written at the same key is the same scope (its job
    would compete with a still-running job for the old one), and state=absent can find a job without knowing it.
    """
    if manifest is not None:
        source = {"manifest": {key: manifest[key] for key in ("bucket", "key", "version_id", "format", "fields")}}
    else:
        source = {"prefix": prefix or ""}
    return {"v": 1, "account": account_id, "bucket": bucket, "kind": kind, "classes": list(classes), "source": source}


def job_identity(scope, tier, days, manifest_etag=None, idempotency_key=""):
    """Everything that makes two runs ask for the same job: the scope, the tier, the days (GLACIER kind only), the
    manifest's content (its ETag) and the user's idempotency_key. Priority, description, tags, the report and the
    role are left out: changing them does not make the restores different, so it must not start a second job."""
    return {
        "scope": scope,
        "tier": tier,
        "days": days if scope["kind"] == KIND_GLACIER else None,
        "etag": manifest_etag,
        "key": idempotency_key or "",
    }


def marker(scope, identity):
    """The tag put in the job's Description, which ListJobs returns: ``[s3async-restore <scope>.<identity>]``.

    The Description is used rather than job tags because creating a job with tags needs the extra permission
    s3:PutJobTagging, and ListJobs returns descriptions but not tags.
    """
    return f"[s3async-restore {digest(scope)}.{digest(identity)}]"


def parse_marker(description):
    """``(scope_id, identity_id)`` from a job description carrying our marker, or None."""
    match = MARKER_RE.search(description or "")
    return (match.group(1), match.group(2)) if match else None


def client_request_token(identity, attempt=0):
    """CreateJob's ClientRequestToken: the same parameters (and attempt) give the same token, every time.

    ``attempt`` counts the earlier jobs for the same identity that failed or were cancelled, so that a run after a
    failure asks for a new job instead of being answered with the failed one. 8 + 56 = 64 characters, the limit.
    """
    return TOKEN_PREFIX + hashlib.sha256(f"{canonical(identity)}#{attempt}".encode("utf-8")).hexdigest()[: TOKEN_MAX - len(TOKEN_PREFIX)]


def default_description(bucket, kind, classes, tier, days, prefix=None, manifest=None):
    what = "/".join(classes)
    if manifest is not None:
        source = f"objects listed in {s3_uri(manifest['bucket'], manifest['key'])}"
    else:
        source = f"{s3_uri(bucket, prefix or '')}*"
    text = f"Restore {what} {source}, tier {tier}"
    if kind == KIND_GLACIER:
        text += f", {days} days"
    return text


def job_description(text, tag):
    """``text`` followed by the marker, cut so that the whole fits Description's 256 characters."""
    room = DESCRIPTION_MAX - len(tag) - 1
    text = " ".join((text or "").split())
    if len(text) > room:
        text = text[: room - 3].rstrip() + "..."
    return f"{text} {tag}" if text else tag


def create_job_request(plan, params, account_id, attempt=0):
    """The full CreateJob request for one planned job (see plan_jobs)."""
    partition = partition_of(params["role_arn"])
    request = {
        "AccountId": account_id,
        "ConfirmationRequired": bool(params["confirmation_required"]),
        "Operation": restore_operation(plan["kind"], params["tier"], params["days"]),
        "Report": job_report(partition, params["report_bucket"], params["report_prefix"], params["report_scope"]),
        "ClientRequestToken": client_request_token(plan["identity"], attempt),
        "Priority": params["priority"],
        "RoleArn": params["role_arn"],
        "Description": plan["description"],
    }
    if plan["manifest"] is not None:
        request["Manifest"] = job_manifest(partition, plan["manifest"])
    else:
        output = (params["report_bucket"], params["report_prefix"]) if params.get("save_manifest") else None
        request["ManifestGenerator"] = manifest_generator(partition, params["bucket"], params["prefix"], plan["storage_classes"], output)
    if params.get("tags"):
        request["Tags"] = tag_set(params["tags"])
    return request


def plan_jobs(params, account_id, manifest=None):
    """One plan per kind of job: its kind and classes, scope, identity, marker and description.

    ``manifest`` is the normalised manifest (parse_manifest, with its ETag when known) or None for the generator.
    """
    plans = []
    for kind, classes in split_kinds(params["storage_classes"]):
        scope = job_scope(account_id, params["bucket"], kind, classes, params.get("prefix"), manifest)
        identity = job_identity(
            scope, params["tier"], params["days"], manifest["etag"] if manifest else None, params.get("idempotency_key")
        )
        tag = marker(scope, identity)
        text = params.get("description") or default_description(
            params["bucket"], kind, classes, params["tier"], params["days"], params.get("prefix"), manifest
        )
        plans.append({
            "kind": kind,
            "storage_classes": classes,
            "scope": scope,
            "scope_id": digest(scope),
            "identity": identity,
            "identity_id": digest(identity),
            "marker": tag,
            "description": job_description(text, tag),
            "manifest": manifest,
        })
    return plans


def ours(jobs):
    """The ListJobs entries that are restore jobs carrying our marker, each with its parsed ``marker``."""
    found = []
    for job in jobs:
        if job.get("Operation") not in (None, OPERATION_NAME):
            continue
        parsed = parse_marker(job.get("Description"))
        if parsed:
            found.append(dict(job, marker=parsed))
    return found


def _newest_first(jobs):
    # CreationTime is a datetime from botocore; missing ones sort last. The job ID breaks ties deterministically.
    return sorted(jobs, key=lambda job: (job.get("CreationTime") is not None, str(job.get("CreationTime") or ""), job.get("JobId", "")), reverse=True)


def match_jobs(jobs, plan):
    """What ListJobs says about a planned job: ``{"found", "attempt", "conflicts"}``.

    ``found``: the newest job with the same identity that has not failed or been cancelled (it is reported, not
    created again). ``attempt``: how many jobs with the same identity failed or were cancelled (the token of a new
    job depends on it). ``conflicts``: jobs for the same scope with another identity (another tier or days) still
    running: a second job would send restore requests for objects already being restored, which fail (S3 User
    Guide, batch-ops-initiate-restore-object, "Overlapping restores").
    """
    same_scope = [job for job in ours(jobs) if job["marker"][0] == plan["scope_id"]]
    same = [job for job in same_scope if job["marker"][1] == plan["identity_id"]]
    alive = [job for job in same if job.get("Status") not in RETRYABLE_STATUSES]
    retried = [job for job in same if job.get("Status") in RETRYABLE_STATUSES]
    conflicts = [
        job for job in same_scope
        if job["marker"][1] != plan["identity_id"] and job.get("Status") not in TERMINAL_STATUSES + ENDING_STATUSES
    ]
    return {
        "found": _newest_first(alive)[0] if alive else None,
        "attempt": len(retried),
        "conflicts": _newest_first(conflicts),
    }


def cancellable(jobs, plan):
    """The jobs of the plan's scope (any tier, days or key) that UpdateJobStatus can still cancel, in ListJobs order."""
    return [
        job for job in ours(jobs)
        if job["marker"][0] == plan["scope_id"] and job.get("Status") in CANCELLABLE_STATUSES
    ]


def is_terminal(status):
    return status in TERMINAL_STATUSES


def needs_confirmation(descriptor, confirmation_required):
    """True when a found job waits for confirmation and the task no longer asks for it: the run confirms it."""
    return descriptor.get("Status") == "Suspended" and bool(descriptor.get("ConfirmationRequired")) and not confirmation_required


def progress(summary):
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


def report_location(job_id, report):
    """Where the completion report of a job is: ``{enabled, bucket, prefix, scope, location, manifest}``.

    Batch Operations writes it under ``<prefix>/job-<job id>/``: a ``manifest.json`` there lists the result CSV
    files under ``results/`` (batch-ops-examples-reports). S3 writes it only once at least one task ran. Without a
    job ID yet (check mode), ``location`` and ``manifest`` are None.
    """
    report = report or {}
    if not report.get("Enabled"):
        return {"enabled": False, "bucket": None, "prefix": None, "scope": None, "location": None, "manifest": None}
    bucket = (report.get("Bucket") or "").split(":::", 1)[-1]
    scopes = {value: name for name, value in REPORT_SCOPES.items()}
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
        result["location"] = s3_uri(bucket, directory)
        result["manifest"] = s3_uri(bucket, directory + "manifest.json")
    return result


def _iso(value):
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def summarize_job(descriptor):
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


def job_problem(job, max_failed_tasks=0):
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


def validate(params):
    """Problems with the arguments that need no AWS call, as a list of messages."""
    problems = []
    state = params["state"]
    tier_msg = tier_problem(params["tier"])
    if tier_msg:
        problems.append(tier_msg)
    if not params["bucket"] or "/" in params["bucket"]:
        problems.append(f"bucket must be a bucket name, got {params['bucket']!r}")
    classes = params["storage_classes"] or []
    if not classes:
        problems.append("storage_classes must name at least one of " + ", ".join(STORAGE_CLASSES))
    unknown = [cls for cls in classes if cls not in STORAGE_CLASSES]
    if unknown:
        problems.append(f"storage_classes may only contain {', '.join(STORAGE_CLASSES)}, got {', '.join(map(str, unknown))}")
    kinds = split_kinds(classes)
    if any(kind == KIND_GLACIER for kind, _classes in kinds) and (params["days"] is None or params["days"] < 1):
        problems.append(f"days must be 1 or more (how long the restored GLACIER/DEEP_ARCHIVE copies stay readable), got {params['days']!r}")
    if params.get("prefix") is not None and len(params["prefix"]) > PREFIX_MAX:
        problems.append(f"prefix may be at most {PREFIX_MAX} characters (the manifest generator's limit)")
    if params.get("manifest") is not None:
        if len(kinds) > 1:
            problems.append(
                "with manifest, storage_classes must name one kind of object: [GLACIER, DEEP_ARCHIVE] or "
                "[INTELLIGENT_TIERING]. A job cannot restore both (ExpirationInDays is required for the first and "
                "refused for the second), and a manifest does not say which objects are which: split it into one "
                "manifest per kind"
            )
        problems.extend(parse_manifest(params["manifest"], params["bucket"])[1])
        if params.get("save_manifest"):
            problems.append("save_manifest keeps the list the manifest generator makes; it does not apply with manifest")
    if params.get("account_id") is not None and not ACCOUNT_ID_RE.match(params["account_id"]):
        problems.append(f"account_id must be a 12-digit AWS account ID, got {params['account_id']!r}")
    if state != "absent":
        if params.get("role_arn") and not ROLE_ARN_RE.match(params["role_arn"]):
            problems.append(f"role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got {params['role_arn']!r}")
        if params["priority"] is None or not 0 <= params["priority"] <= PRIORITY_MAX:
            problems.append(f"priority must be between 0 and {PRIORITY_MAX}, got {params['priority']!r}")
        if not params.get("report_bucket"):
            if params.get("report_prefix"):
                problems.append("report_prefix needs report_bucket")
            if params.get("save_manifest"):
                problems.append("save_manifest writes the generated manifest next to the report: it needs report_bucket")
        elif "/" in params["report_bucket"]:
            problems.append(f"report_bucket must be a bucket name, got {params['report_bucket']!r}")
        if params.get("report_prefix") and len(params["report_prefix"]) > REPORT_PREFIX_MAX:
            problems.append(f"report_prefix may be at most {REPORT_PREFIX_MAX} characters")
        for key, value in (params.get("tags") or {}).items():
            if not 1 <= len(str(key)) <= TAG_KEY_MAX:
                problems.append(f"tag keys must be 1 to {TAG_KEY_MAX} characters, got {key!r}")
            if value is not None and len(str(value)) > TAG_VALUE_MAX:
                problems.append(f"tag values must be at most {TAG_VALUE_MAX} characters (tag {key!r})")
    if state == "completed" and params.get("confirmation_required"):
        problems.append(
            "state=completed cannot wait for a job created with confirmation_required=true: it stays Suspended until "
            "confirmed. Run state=present with confirmation_required=true first, then again with "
            "confirmation_required=false to confirm it"
        )
    for name, least in (("wait_timeout", 0), ("wait_delay", 1), ("max_failed_tasks", 0)):
        if params.get(name) is not None and params[name] < least:
            problems.append(f"{name} must be {least} or more, got {params[name]}")
    return problems
