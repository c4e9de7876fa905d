# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure checks of s3_restore_job's options, before any AWS call: what AWS would refuse, said in our words.

Nothing here talks to AWS (and nothing imports boto3). validate() runs the checks of each concern in a fixed
order (what is restored, where the list of objects comes from, the account, how the jobs are created, waiting),
so that the messages always come in the same order. Sources, cited where they are used:

* S3 User Guide, "Restore objects with Batch Operations" (batch-ops-initiate-restore-object);
* S3 User Guide, "Creating an S3 Batch Operations job" (batch-ops-create-job);
* S3 API Reference, CreateJob, S3InitiateRestoreObjectOperation, JobReport (the s3control service model gives the
  length limits and patterns, see batch_job).
"""

from __future__ import annotations

from ansible_collections.s3async.restore.plugins.module_utils import aws_names
from ansible_collections.s3async.restore.plugins.module_utils import batch_job
from ansible_collections.s3async.restore.plugins.module_utils import job_manifests


def tier_problem(tier: str) -> str | None:
    """A user-facing message when ``tier`` cannot be used by a Batch Operations restore job, else None.

    "S3 Batch Operations supports STANDARD and BULK retrieval tiers, but not the EXPEDITED retrieval tier"
    (S3InitiateRestoreObjectOperation.GlacierJobTier).
    """
    if tier == "Expedited":
        return (
            "tier=Expedited is not available in S3 Batch Operations, which supports only the Standard and Bulk "
            "retrieval tiers; use tier=Standard or tier=Bulk, or s3async.restore.s3_object_restore for an Expedited "
            "restore of a few objects"
        )
    if tier not in batch_job.TIERS:
        return f"tier must be one of {', '.join(batch_job.TIERS)}, got {tier!r}"
    return None


def restore_problems(params: dict) -> list[str]:
    """What is restored and how: the tier, the bucket, the storage classes and the days their kind needs."""
    problems = []
    tier_msg = tier_problem(params["tier"])
    if tier_msg:
        problems.append(tier_msg)
    if not params["bucket"] or "/" in params["bucket"]:
        problems.append(f"bucket must be a bucket name, got {params['bucket']!r}")
    classes = params["storage_classes"] or []
    if not classes:
        problems.append("storage_classes must name at least one of " + ", ".join(batch_job.STORAGE_CLASSES))
    unknown = [cls for cls in classes if cls not in batch_job.STORAGE_CLASSES]
    if unknown:
        problems.append(f"storage_classes may only contain {', '.join(batch_job.STORAGE_CLASSES)}, got {', '.join(map(str, unknown))}")
    # GLACIER and DEEP_ARCHIVE jobs "require ExpirationInDays set to 1 or greater" (S3InitiateRestoreObjectOperation).
    kinds = batch_job.split_kinds(classes)
    if any(kind == batch_job.KIND_GLACIER for kind, _classes in kinds) and (params["days"] is None or params["days"] < 1):
        problems.append(f"days must be 1 or more (how long the restored GLACIER/DEEP_ARCHIVE copies stay readable), got {params['days']!r}")
    return problems


def source_problems(params: dict) -> list[str]:
    """Where the list of objects comes from: the prefix the manifest generator filters on (or that the controller
    lists, manifest_source=listing, see job_manifests.listing_problems), or a manifest."""
    problems = job_manifests.listing_problems(params)
    if params.get("prefix") is not None and len(params["prefix"]) > batch_job.PREFIX_MAX:
        problems.append(f"prefix may be at most {batch_job.PREFIX_MAX} characters (the manifest generator's limit)")
    if params.get("manifest") is not None and job_manifests.is_listing(params):
        # Read on the controller and sorted into one manifest per kind: any storage_classes will do.
        problems.extend(batch_job.parse_manifest(params["manifest"], params["bucket"])[1])
    elif params.get("manifest") is not None:
        problems.extend(_manifest_problems(params))
    return problems


def _manifest_problems(params: dict) -> list[str]:
    problems = []
    # One job cannot restore both kinds (S3InitiateRestoreObjectOperation), and a manifest does not say which
    # objects are of which kind.
    if len(batch_job.split_kinds(params["storage_classes"] or [])) > 1:
        problems.append(
            "with manifest, storage_classes must name one kind of object: [GLACIER, DEEP_ARCHIVE] or "
            "[INTELLIGENT_TIERING]. A job cannot restore both (ExpirationInDays is required for the first and "
            "refused for the second), and a manifest does not say which objects are which: split it into one "
            "manifest per kind"
        )
    problems.extend(batch_job.parse_manifest(params["manifest"], params["bucket"])[1])
    if params.get("save_manifest"):
        problems.append("save_manifest keeps the list the manifest generator makes; it does not apply with manifest")
    return problems


def account_problems(params: dict) -> list[str]:
    """The account that owns the jobs, when given (CreateJob's AccountId: 12 digits)."""
    if params.get("account_id") is not None and not aws_names.is_account_id(params["account_id"]):
        return [f"account_id must be a 12-digit AWS account ID, got {params['account_id']!r}"]
    return []


def creation_problems(params: dict) -> list[str]:
    """How the jobs are created (CreateJob): the role, the priority, the completion report and the tags.
    None of it matters with state=absent, which creates nothing."""
    if params["state"] == "absent":
        return []
    return _role_and_priority_problems(params) + _report_problems(params) + _tag_problems(params)


def _role_and_priority_problems(params: dict) -> list[str]:
    problems = []
    if params.get("role_arn") and not batch_job.ROLE_ARN_RE.match(params["role_arn"]):
        problems.append(f"role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got {params['role_arn']!r}")
    if params["priority"] is None or not 0 <= params["priority"] <= batch_job.PRIORITY_MAX:
        problems.append(f"priority must be between 0 and {batch_job.PRIORITY_MAX}, got {params['priority']!r}")
    return problems


def _report_problems(params: dict) -> list[str]:
    """The completion report (JobReport) and the generated manifest kept next to it (S3ManifestOutputLocation)."""
    problems = []
    if not params.get("report_bucket"):
        if params.get("report_prefix"):
            problems.append("report_prefix needs report_bucket")
        if params.get("save_manifest"):
            problems.append("save_manifest writes the generated manifest next to the report: it needs report_bucket")
    elif "/" in params["report_bucket"]:
        problems.append(f"report_bucket must be a bucket name, got {params['report_bucket']!r}")
    if params.get("report_prefix") and len(params["report_prefix"]) > batch_job.REPORT_PREFIX_MAX:
        problems.append(f"report_prefix may be at most {batch_job.REPORT_PREFIX_MAX} characters")
    return problems


def _tag_problems(params: dict) -> list[str]:
    """CreateJob's Tags: keys of 1 to 128 characters, values of at most 256 (S3Tag)."""
    problems = []
    for key, value in (params.get("tags") or {}).items():
        if not 1 <= len(str(key)) <= batch_job.TAG_KEY_MAX:
            problems.append(f"tag keys must be 1 to {batch_job.TAG_KEY_MAX} characters, got {key!r}")
        if value is not None and len(str(value)) > batch_job.TAG_VALUE_MAX:
            problems.append(f"tag values must be at most {batch_job.TAG_VALUE_MAX} characters (tag {key!r})")
    return problems


def waiting_problems(params: dict) -> list[str]:
    """state=completed and its wait: a job created suspended (ConfirmationRequired) never ends by itself."""
    problems = []
    if params["state"] == "completed" and params.get("confirmation_required"):
        problems.append(
            "state=completed cannot wait for a job created with confirmation_required=true: it stays Suspended until "
            "confirmed. Run state=present with confirmation_required=true first, then again with "
            "confirmation_required=false to confirm it"
        )
    for name, least in (("wait_timeout", 0), ("wait_delay", 1), ("max_failed_tasks", 0)):
        if params.get(name) is not None and params[name] < least:
            problems.append(f"{name} must be {least} or more, got {params[name]}")
    return problems


def validate(params: dict) -> list[str]:
    """Problems with the arguments that need no AWS call, as a list of messages, concern by concern."""
    return (
        restore_problems(params)
        + source_problems(params)
        + account_problems(params)
        + creation_problems(params)
        + waiting_problems(params)
    )
