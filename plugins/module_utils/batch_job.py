# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure decisions for S3 Batch Operations restore jobs: what to send and how to recognise our jobs.

Nothing here talks to AWS (and nothing imports boto3): the functions build CreateJob requests, split the storage
classes into the jobs AWS requires, derive the idempotency token and the marker that lets a later run find the job
again, and match what ListJobs returns with the planned jobs. The options are checked in batch_job_checks, and
what DescribeJob returns is read in batch_job_status. Sources, cited where they are used:

* S3 User Guide, "Restore objects with Batch Operations" (batch-ops-initiate-restore-object);
* S3 User Guide, "Tracking job status and completion reports" (batch-ops-job-status);
* S3 User Guide, "Creating an S3 Batch Operations job" (batch-ops-create-job);
* S3 API Reference, CreateJob, ListJobs, UpdateJobStatus, S3InitiateRestoreObjectOperation, S3JobManifestGenerator,
  JobManifestGeneratorFilter, JobManifestSpec, JobReport (the s3control service model shipped in botocore,
  2018-08-20, gives the shapes, enums and length limits used below).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ansible_collections.s3async.restore.plugins.module_utils import aws_names

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
# What is restored when storage_classes is not given: the GLACIER kind only. The manifest generator filters on the
# storage class, not on the Intelligent-Tiering access tier (JobManifestGeneratorFilter), so a generated
# INTELLIGENT_TIERING job also targets the objects in the access tiers, whose tasks fail; and "When a job has run at
# least 1,000 tasks [...] if the failure rate [...] exceeds 50 percent, the job fails" (batch-ops-job-status). On a
# typical bucket that job fails: it has to be asked for (storage_classes) or given a manifest of archived objects.
DEFAULT_STORAGE_CLASSES = ("GLACIER", "DEEP_ARCHIVE")

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
# A job that failed is still "the job these parameters created": a later run reports it rather than paying for a
# new job that would fail the same way; a new idempotency_key starts another. A cancelled job was stopped on purpose:
# the next run creates a new one (with a new token).
FAILED_STATUSES = ("Failed", "Failing")
CANCELLED_STATUSES = ("Cancelled", "Cancelling")

# Limits from the s3control service model.
DESCRIPTION_MAX = 256  # NonEmptyMaxLength256String
TOKEN_MAX = 64  # ClientRequestToken: NonEmptyMaxLength64String
PREFIX_MAX = 1024  # KeyNameConstraint.MatchAnyPrefix items: NonEmptyMaxLength1024String
REPORT_PREFIX_MAX = 512  # JobReport.Prefix: ReportPrefixString
PRIORITY_MAX = 2147483647  # JobPriority
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256

# IAMRoleArn pattern from the model: arn:[^:]+:iam::\d{12}:role/.*, the account being aws_names' account ID.
ROLE_ARN_RE = re.compile(rf"^arn:([^:]+):iam::({aws_names.ACCOUNT_ID}):role/.+$")
MARKER_RE = re.compile(r"\[s3async-restore ([0-9a-f]{12})\.([0-9a-f]{12})\]")
TOKEN_PREFIX = "s3async-"


def split_kinds(storage_classes: list[str] | None) -> list[tuple[str, list[str]]]:
    """The jobs to create: ``[(kind, classes)]``, one per kind that has a class in ``storage_classes``.

    GLACIER and DEEP_ARCHIVE share one job (both take ExpirationInDays); INTELLIGENT_TIERING gets its own (it must
    not get ExpirationInDays). The order of the kinds and of the classes inside each is fixed, whatever the order
    given, so that the same request is built every time.
    """
    wanted = set(storage_classes or ())
    return [(kind, [cls for cls in classes if cls in wanted]) for kind, classes in KIND_CLASSES if wanted & set(classes)]


def restore_operation(kind: str, tier: str, days: int) -> dict:
    """CreateJob's Operation for one kind of job."""
    operation = {"GlacierJobTier": JOB_TIERS[tier]}
    if kind == KIND_GLACIER:
        # "S3 Initiate Restore Object jobs that target S3 Glacier and S3 Glacier Deep Archive objects require
        # ExpirationInDays set to 1 or greater. Conversely, do not set ExpirationInDays when creating [jobs] that
        # target S3 Intelligent-Tiering Archive Access and Deep Archive Access tier objects [...] specifying
        # ExpirationInDays results in restore request failure." (S3InitiateRestoreObjectOperation)
        operation["ExpirationInDays"] = days
    return {OPERATION_NAME: operation}


def partition_of(role_arn: str | None) -> str:
    """The ARN partition (aws, aws-cn, aws-us-gov, ...) of an IAM role ARN: bucket ARNs must use the same one."""
    match = ROLE_ARN_RE.match(role_arn or "")
    return match.group(1) if match else "aws"


def normalize_etag(etag: str | None) -> str | None:
    """An ETag as CreateJob's Manifest.Location wants it: without the quotes HeadObject returns around it."""
    if etag is None:
        return None
    return etag.strip().strip('"') or None


# -- an existing manifest -------------------------------------------------------------------------------------

def parse_manifest(manifest: dict | None, default_bucket: str) -> tuple[dict, list[str]]:
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
    if fmt == "csv":
        normalized["fields"], csv_problems = _csv_fields(manifest.get("fields"))
        problems.extend(csv_problems)
    elif fmt == "inventory":
        problems.extend(_inventory_problems(normalized["key"], manifest.get("fields")))
    return normalized, problems


def _csv_fields(fields: list[str] | None) -> tuple[list[str], list[str]]:
    """The columns of a CSV manifest (default: Bucket, Key) and what is wrong with them (JobManifestSpec.Fields)."""
    problems = []
    fields = list(fields) if fields else ["Bucket", "Key"]
    unknown = [field for field in fields if field not in MANIFEST_FIELDS]
    if unknown:
        problems.append(f"manifest.fields may only contain {', '.join(MANIFEST_FIELDS)}, got {', '.join(map(str, unknown))}")
    for required in ("Bucket", "Key"):
        if fields.count(required) != 1:
            problems.append(f"manifest.fields must name the {required} column exactly once, got {fields}")
    if fields.count("VersionId") > 1:
        problems.append(f"manifest.fields may name the VersionId column at most once, got {fields}")
    return fields, problems


def _inventory_problems(key: str | None, fields: list[str] | None) -> list[str]:
    """What is wrong with an S3 Inventory report given as the manifest."""
    problems = []
    if fields:
        problems.append("manifest.fields is only for format=csv: an S3 Inventory report describes its own columns")
    # "You must specify the manifest.json file that is associated with the inventory report" (batch-ops-create-job).
    if key and not key.endswith("manifest.json"):
        problems.append(
            f"manifest.key {key!r} must be the manifest.json of the S3 Inventory report "
            "(not one of its CSV data files) when manifest.format=inventory"
        )
    return problems


# -- CreateJob ------------------------------------------------------------------------------------------------

def job_manifest(partition: str, manifest: dict) -> dict:
    """CreateJob's Manifest for an existing manifest object (see parse_manifest)."""
    spec = {"Format": MANIFEST_FORMATS[manifest["format"]]}
    if manifest["format"] == "csv":
        spec["Fields"] = list(manifest["fields"])
    location = {"ObjectArn": f"{aws_names.bucket_arn(partition, manifest['bucket'])}/{manifest['key']}", "ETag": manifest["etag"]}
    if manifest["version_id"]:
        location["ObjectVersionId"] = manifest["version_id"]
    return {"Spec": spec, "Location": location}


def manifest_generator(partition: str, bucket: str, prefix: str | None, classes: list[str],
                       output: tuple[str, str | None] | None = None) -> dict:
    """CreateJob's ManifestGenerator: the job lists the bucket itself, keeping objects under ``prefix`` in ``classes``.

    JobManifestGeneratorFilter can express the key prefix (KeyNameConstraint.MatchAnyPrefix) and the storage class
    (MatchAnyStorageClass), not the Intelligent-Tiering access tier: an INTELLIGENT_TIERING job covers every
    Intelligent-Tiering object under the prefix, archived or not.
    ``output`` is ``(report_bucket, report_prefix)`` to keep the generated list as a manifest file, or None.
    """
    filters = {"MatchAnyStorageClass": list(classes)}
    if prefix:
        filters["KeyNameConstraint"] = {"MatchAnyPrefix": [prefix]}
    generator = {"SourceBucket": aws_names.bucket_arn(partition, bucket), "EnableManifestOutput": output is not None, "Filter": filters}
    if output is not None:
        out_bucket, out_prefix = output
        location = {"Bucket": aws_names.bucket_arn(partition, out_bucket), "ManifestFormat": GENERATED_MANIFEST_FORMAT}
        if out_prefix:
            location["ManifestPrefix"] = out_prefix
        generator["ManifestOutputLocation"] = location
    return {"S3JobManifestGenerator": generator}


def job_report(partition: str, report_bucket: str | None, report_prefix: str | None, report_scope: str) -> dict:
    """CreateJob's Report: a CSV completion report in ``report_bucket``, or none."""
    if not report_bucket:
        return {"Enabled": False}
    report = {
        "Enabled": True,
        "Bucket": aws_names.bucket_arn(partition, report_bucket),
        "Format": REPORT_FORMAT,
        "ReportScope": REPORT_SCOPES[report_scope],
    }
    if report_prefix:
        report["Prefix"] = report_prefix
    return report


def tag_set(tags: dict | None) -> list[dict]:
    """CreateJob's Tags from a dict, sorted by key so that the request is the same every time."""
    return [{"Key": str(key), "Value": "" if value is None else str(value)} for key, value in sorted((tags or {}).items())]


# -- identity: the token and the marker -----------------------------------------------------------------------

def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def digest(value: Any, length: int = 12) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()[:length]


def job_scope(account_id: str, bucket: str, kind: str, classes: list[str], prefix: str | None = None,
              manifest: dict | None = None) -> dict:
    """What a job restores, whatever the tier and days: one running job per scope at a time.

    The manifest's ETag is left out on purpose: a new manifest written at the same key is the same scope (its job
    would compete with a still-running job for the old one), and state=absent can find a job without knowing it.
    """
    if manifest is not None:
        source = {"manifest": {key: manifest[key] for key in ("bucket", "key", "version_id", "format", "fields")}}
    else:
        source = {"prefix": prefix or ""}
    return {"v": 1, "account": account_id, "bucket": bucket, "kind": kind, "classes": list(classes), "source": source}


def job_identity(scope: dict, tier: str, days: int | None, manifest_etag: str | None = None,
                 idempotency_key: str | None = "") -> dict:
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


def marker(scope: dict, identity: dict) -> str:
    """The tag put in the job's Description, which ListJobs returns: ``[s3async-restore <scope>.<identity>]``.

    The Description is used rather than job tags because creating a job with tags needs the extra permission
    s3:PutJobTagging, and ListJobs returns descriptions but not tags.
    """
    return f"[s3async-restore {digest(scope)}.{digest(identity)}]"


def parse_marker(description: str | None) -> tuple[str, str] | None:
    """``(scope_id, identity_id)`` from a job description carrying our marker, or None."""
    match = MARKER_RE.search(description or "")
    return (match.group(1), match.group(2)) if match else None


def client_request_token(identity: dict, attempt: int = 0) -> str:
    """CreateJob's ClientRequestToken: the same parameters (and attempt) give the same token, every time.

    ``attempt`` counts the earlier jobs for the same identity that failed or were cancelled, so that a run after a
    failure asks for a new job instead of being answered with the failed one. 8 + 56 = 64 characters, the limit.
    """
    return TOKEN_PREFIX + hashlib.sha256(f"{canonical(identity)}#{attempt}".encode("utf-8")).hexdigest()[: TOKEN_MAX - len(TOKEN_PREFIX)]


def default_description(bucket: str, kind: str, classes: list[str], tier: str, days: int, prefix: str | None = None,
                        manifest: dict | None = None) -> str:
    what = "/".join(classes)
    if manifest is not None:
        source = f"objects listed in {aws_names.s3_uri(manifest['bucket'], manifest['key'])}"
    else:
        source = f"{aws_names.s3_uri(bucket, prefix or '')}*"
    text = f"Restore {what} {source}, tier {tier}"
    if kind == KIND_GLACIER:
        text += f", {days} days"
    return text


def job_description(text: str | None, tag: str) -> str:
    """``text`` followed by the marker, cut so that the whole fits Description's 256 characters."""
    room = DESCRIPTION_MAX - len(tag) - 1
    text = " ".join((text or "").split())
    if len(text) > room:
        text = text[: room - 3].rstrip() + "..."
    return f"{text} {tag}" if text else tag


# -- plans and requests ---------------------------------------------------------------------------------------

def create_job_request(plan: dict, params: dict, account_id: str, attempt: int = 0) -> dict:
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


def plan_jobs(params: dict, account_id: str, manifest: dict | None = None) -> list[dict]:
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


# -- matching what ListJobs returns ---------------------------------------------------------------------------

def ours(jobs: list[dict]) -> list[dict]:
    """The ListJobs entries that are restore jobs carrying our marker, each with its parsed ``marker``."""
    found = []
    for job in jobs:
        if job.get("Operation") not in (None, OPERATION_NAME):
            continue
        parsed = parse_marker(job.get("Description"))
        if parsed:
            found.append(dict(job, marker=parsed))
    return found


def _newest_first(jobs: list[dict]) -> list[dict]:
    # CreationTime is a datetime from botocore; missing ones sort last. The job ID breaks ties deterministically.
    return sorted(jobs, key=lambda job: (job.get("CreationTime") is not None, str(job.get("CreationTime") or ""), job.get("JobId", "")), reverse=True)


def is_running(status: str | None) -> bool:
    """True for a job that has not ended nor begun to end: it may still send restore requests."""
    return status not in TERMINAL_STATUSES + ENDING_STATUSES


def match_jobs(jobs: list[dict], plan: dict) -> dict:
    """What ListJobs says about a planned job: ``{"found", "attempt", "conflicts"}``.

    ``found``: the newest job with the same identity that neither failed nor was cancelled, else the newest one if it
    failed or is failing (a new job would fail the same way), else None (none, or the newest was cancelled).
    ``attempt``: how many jobs with the same identity failed or were cancelled (a new job's token depends on it).
    ``conflicts``: running jobs of the same scope with another identity (tier, days): a second job's requests for
    objects being restored fail (batch-ops-initiate-restore-object, "Overlapping restores").
    """
    same_scope = [job for job in ours(jobs) if job["marker"][0] == plan["scope_id"]]
    same = _newest_first([job for job in same_scope if job["marker"][1] == plan["identity_id"]])
    ended_badly = FAILED_STATUSES + CANCELLED_STATUSES
    kept = [job for job in same if job.get("Status") not in ended_badly]
    found = kept[0] if kept else None
    if found is None and same and same[0].get("Status") in FAILED_STATUSES:
        found = same[0]
    conflicts = [job for job in same_scope if job["marker"][1] != plan["identity_id"] and is_running(job.get("Status"))]
    return {
        "found": found,
        "attempt": len([job for job in same if job.get("Status") in ended_badly]),
        "conflicts": _newest_first(conflicts),
    }


def running_elsewhere(jobs: list[dict], plans: list[dict]) -> list[dict]:
    """Our running jobs whose scope is none of the plans', in ListJobs order. The marker carries only digests, so
    whether one of them overlaps a plan (a nested prefix, a storage class in common) takes a DescribeJob each."""
    scope_ids = {plan["scope_id"] for plan in plans}
    return [job for job in ours(jobs) if job["marker"][0] not in scope_ids and is_running(job.get("Status"))]


def cancellable(jobs: list[dict], plan: dict) -> list[dict]:
    """The jobs of the plan's scope (any tier, days or key) that UpdateJobStatus can still cancel, in ListJobs order."""
    return [
        job for job in ours(jobs)
        if job["marker"][0] == plan["scope_id"] and job.get("Status") in CANCELLABLE_STATUSES
    ]


def ending(jobs: list[dict], plan: dict) -> list[dict]:
    """The jobs of the plan's scope that are already ending (Completing, Cancelling, Failing), in ListJobs order."""
    return [
        job for job in ours(jobs)
        if job["marker"][0] == plan["scope_id"] and job.get("Status") in ENDING_STATUSES
    ]
