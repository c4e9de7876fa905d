# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The s3_restore_job task: find, create, confirm or cancel the S3 Batch Operations restore jobs, and wait for them.

The decisions are batch_job's (what to send, which listed job is ours) and batch_job_status's (what a job
reports); the calls, and the messages for their errors, are s3control_api's and s3_api's. This file puts them in
order and keeps the clock (the time module, or a test's). Sources: S3 User Guide, "Restore objects with Batch
Operations" (batch-ops-initiate-restore-object) and "Tracking job status and completion reports"
(batch-ops-job-status).
"""

from __future__ import annotations

import time
from typing import Any

from ansible.module_utils.common.warnings import warn

from ansible_collections.s3async.restore.plugins.module_utils import batch_job
from ansible_collections.s3async.restore.plugins.module_utils import batch_job_checks
from ansible_collections.s3async.restore.plugins.module_utils import batch_job_status
from ansible_collections.s3async.restore.plugins.module_utils import job_listing
from ansible_collections.s3async.restore.plugins.module_utils import job_manifests
from ansible_collections.s3async.restore.plugins.module_utils import s3control_api
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.failures import finish
from ansible_collections.s3async.restore.plugins.module_utils.interruption import Interruption
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import s3_client
from ansible_collections.s3async.restore.plugins.module_utils.waiting import Wait

CANCEL_REASON = "Cancelled by s3async.restore.s3_restore_job (state=absent)"
CREATE_ACTIONS = ("created", "would_create")
# The actions that make `changed` true, by state.
CHANGED_ACTIONS = {
    "absent": ("cancelled", "would_cancel"),
    "present": ("created", "would_create", "confirmed", "would_confirm"),
    "completed": ("created", "would_create", "confirmed", "would_confirm"),
}


def jobs_module(module: Any) -> None:
    """s3_restore_job: refuse bad input before any call, run, and end the module with the result."""
    problems = batch_job_checks.validate(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    # A signal stops a listing (nothing written, no job created) or a wait (the jobs keep running), with a result.
    with Interruption() as interruption:
        finish(module, lambda: run_jobs(module, interruption=interruption),
               f"S3 Batch Operations call failed for bucket {module.params['bucket']}")


def account_of(module: Any) -> str:
    """The account that owns the jobs: account_id, or the account of the credentials in use."""
    if module.params["account_id"]:
        return module.params["account_id"]
    return s3control_api.caller_account_id(s3control_api.sts_client(module))


def read_manifest(module: Any) -> dict:
    """The normalised manifest option, with the manifest object's ETag read by HeadObject when not given."""
    params = module.params
    manifest, _problems = batch_job.parse_manifest(params["manifest"], params["bucket"])
    if manifest["etag"] is None and params["state"] != "absent":
        bucket = S3Bucket(s3_client(module, s3control_api.MODULE_NAME), manifest["bucket"])
        manifest["etag"] = batch_job.normalize_etag(bucket.manifest_etag(manifest["key"], manifest["version_id"]))
    return manifest


def job_result(plan: dict, action: str, summary: dict | None = None, job_id: str | None = None,
               request: dict | None = None) -> dict:
    """One entry of RV(jobs): the plan's kind, the action, and what DescribeJob said (or what is known)."""
    summary = summary or {}
    result = {
        "kind": plan["kind"],
        "storage_classes": list(plan["storage_classes"]),
        "action": action,
        "job_id": summary.get("job_id") or job_id,
        "job_arn": summary.get("job_arn"),
        "status": summary.get("status"),
        "description": summary.get("description") or plan["description"],
        "progress": summary.get("progress"),
        "report": summary["report"] if "report" in summary else batch_job_status.report_location(job_id, (request or {}).get("Report")),
        "failure_reasons": summary.get("failure_reasons") or [],
        "status_update_reason": summary.get("status_update_reason"),
        "created": summary.get("created"),
        "terminated": summary.get("terminated"),
    }
    if request is not None:
        result["request"] = request
        result["client_request_token"] = request["ClientRequestToken"]
    return result


def conflict_message(plan: dict, job: dict, targets: dict | None = None) -> str:
    """Why a second job for the same objects is refused (batch-ops-initiate-restore-object, "Overlapping restores").

    ``job`` is the ListJobs entry of the running job; ``targets`` what DescribeJob says it restores, when it is not
    the plan's own scope (None: the same scope, with another tier, days or idempotency_key)."""
    mine = batch_job_status.targets_text(batch_job_status.plan_targets(plan["scope"]))
    if targets is None:
        what = f"restores the same objects ({mine}) with other settings (tier, days or idempotency_key)"
        cancel = "cancel it with state=absent and these bucket, prefix (or manifest) and storage_classes"
    else:
        what = f"restores {batch_job_status.targets_text(targets)}, which overlaps this task's {mine}"
        cancel = "cancel it with state=absent and " + (
            f"the manifest options it was created with (s3://{targets['manifest']})" if targets["manifest"] else
            f"prefix {targets['prefixes'][0]!r} and storage_classes [{', '.join(targets['classes'])}]"
        )
        if targets.get("listing"):
            # A listing job's manifest names its prefix (or manifest) and kind, not the other options it had.
            cancel += " and manifest_source=listing (with the options it was created with)"
    return (
        f"Restore job {job['JobId']} ({job.get('Status')}, \"{job.get('Description')}\") is still running and {what}. "
        "A second job would send restore requests for objects already being restored, which fail, or reset the "
        f"expiry of copies already restored. Wait for it to finish, or {cancel}, then run again."
    )


# -- state=present / completed ----------------------------------------------------------------------------------

def ensure_jobs(module: Any, jobs: s3control_api.BatchJobs, plans: list[dict], listed: list[dict],
                manifests: job_listing.ListingRun | None = None) -> list[dict]:
    """state=present/completed: find or create (or confirm) one job per plan. Returns the RV(jobs) entries.

    Every plan is matched, and every conflict looked for, before anything is created: a conflict for any of them
    changes nothing. With ``manifests`` (manifest_source=listing), the objects are listed and the manifests written
    only for the plans no job answers, after those checks; a plan whose manifest would be empty gets no job, nor
    does one whose empty marker an earlier run wrote (job_listing.ListingRun.found_empty): it is not listed again."""
    decisions = [batch_job.match_jobs(listed, plan) for plan in plans]
    for plan, decision in zip(plans, decisions):
        if decision["found"] is None and decision["conflicts"]:
            raise TaskFailure(conflict_message(plan, decision["conflicts"][0]))
    creating = [plan for plan, decision in zip(plans, decisions) if decision["found"] is None]
    if creating:
        refuse_overlaps(jobs, creating, batch_job.running_elsewhere(listed, plans))
    if manifests is not None and creating:
        manifests.prepare([(plan, decision["attempt"]) for plan, decision in zip(plans, decisions) if decision["found"] is None])

    results = []
    for plan, decision in zip(plans, decisions):
        if decision["found"] is not None:
            results.append(found_job(module, jobs, plan, decision["found"]))
        elif manifests is None or plan["manifest"] is not None:
            results.append(new_job(module, jobs, plan, decision["attempt"]))
    return results


def first_jobs(module: Any, jobs: s3control_api.BatchJobs, plans: list[dict],
               manifests: job_listing.ListingRun | None = None) -> list[dict]:
    """Check mode with S3 Control out of reach: each plan as a first run would create it (new_job makes no call in
    check mode), after the listing (which only reads) for manifest_source=listing."""
    if manifests is not None:
        manifests.prepare([(plan, 0) for plan in plans])
    return [new_job(module, jobs, plan, 0) for plan in plans if manifests is None or plan["manifest"] is not None]


def refuse_overlaps(jobs: s3control_api.BatchJobs, plans: list[dict], running: list[dict]) -> None:
    """Raise the conflict when one of our running jobs of another scope targets objects of a plan (a nested prefix
    and a storage class in common, or the same manifest object). The marker carries only digests, so each such job
    is described, once; only our jobs still running are (ListJobs told which), so this stays a few calls."""
    for job in running:
        descriptor = jobs.describe_job(job["JobId"], missing_ok=True)
        if descriptor is None:
            continue
        targets = batch_job_status.job_targets(descriptor)
        for plan in plans:
            if batch_job_status.targets_overlap(batch_job_status.plan_targets(plan["scope"]), targets):
                raise TaskFailure(conflict_message(plan, job, targets))


def found_job(module: Any, jobs: s3control_api.BatchJobs, plan: dict, found: dict) -> dict:
    """The job an earlier run created: described, and confirmed when it waits for a confirmation no longer asked."""
    descriptor = jobs.describe_job(found["JobId"])
    action = "found"
    if batch_job_status.needs_confirmation(descriptor, module.params["confirmation_required"]):
        action = "would_confirm" if module.check_mode else "confirmed"
        if not module.check_mode:
            jobs.update_job_status(found["JobId"], "Ready")
            descriptor = dict(descriptor, Status="Ready")
    return job_result(plan, action, batch_job_status.summarize_job(descriptor))


def warn_about_failed_jobs(params: dict, results: list[dict]) -> None:
    """state=present: a found job that failed is a result, not a reason to create another; say so where a playbook
    shows it (state=completed fails with the same words instead)."""
    if params["state"] != "present":
        return
    for job in results:
        if job["action"] == "found" and job["status"] in batch_job.FAILED_STATUSES:
            warn(batch_job_status.failure_text(job))


def new_job(module: Any, jobs: s3control_api.BatchJobs, plan: dict, attempt: int) -> dict:
    """CreateJob for a plan no listed job answers (only the request, in check mode)."""
    params = module.params
    request = batch_job.create_job_request(plan, params, jobs.account_id, attempt)
    if module.check_mode:
        return job_result(plan, "would_create", request=request)
    job_id = jobs.create_job(request, params["bucket"])
    result = job_result(plan, "created", job_id=job_id, request=request)
    result["status"] = "New"
    return result


def warn_about_new_jobs(params: dict, manifest: dict | None, results: list[dict]) -> None:
    """The warnings for jobs created (or that would be): what they restore, and what they cannot report."""
    created = [job for job in results if job["action"] in CREATE_ACTIONS]
    # The manifest generator filters on the storage class, not the access tier (JobManifestGeneratorFilter); AWS
    # stops a job whose tasks fail too often (batch-ops-job-status, "Tracking job failure"). A listing run's manifests
    # hold only archived objects.
    if manifest is None and not job_manifests.is_listing(params) and any(job["kind"] == batch_job.KIND_INTELLIGENT_TIERING for job in created):
        warn(
            "The INTELLIGENT_TIERING job restores every Intelligent-Tiering object under the prefix: the manifest "
            "generator cannot filter on the access tier. Restore requests fail for objects outside the archive "
            "tiers, and AWS stops a job once more than half of at least 1,000 tasks have failed. To restore only "
            "archived ones, give a manifest built from an S3 Inventory report's IntelligentTieringAccessTier."
        )
    if not params["report_bucket"] and created:
        warn("No report_bucket: the jobs write no completion report, so failed restore requests cannot be listed.")


# -- state=absent -----------------------------------------------------------------------------------------------

def cancel_jobs(module: Any, jobs: s3control_api.BatchJobs, plans: list[dict], listed: list[dict]) -> list[dict]:
    """state=absent: cancel every job of the plans' scopes that can still be cancelled, and report those ending."""
    results = []
    for plan in plans:
        for job in batch_job.cancellable(listed, plan):
            results.append(cancel_job(module, jobs, plan, job))
        for job in batch_job.ending(listed, plan):
            results.append(job_result(plan, "none", listed_summary(job, job.get("Status"))))
    return results


def cancel_job(module: Any, jobs: s3control_api.BatchJobs, plan: dict, job: dict) -> dict:
    """UpdateJobStatus(Cancelled) for one listed job (nothing, in check mode)."""
    action = "would_cancel" if module.check_mode else "cancelled"
    status = job.get("Status")
    if not module.check_mode:
        answer = jobs.update_job_status(job["JobId"], "Cancelled", CANCEL_REASON)
        status = answer.get("Status") or "Cancelling"
    return job_result(plan, action, listed_summary(job, status))


def listed_summary(job: dict, status: str | None) -> dict:
    """What a ListJobs entry tells of a job, for job_result (its report is not known: ListJobs does not say)."""
    return {"job_id": job["JobId"], "status": status, "description": job.get("Description"),
            "progress": batch_job_status.progress(job.get("ProgressSummary")), "report": None}


# -- state=completed: waiting -----------------------------------------------------------------------------------

def describe_for_wait(jobs: s3control_api.BatchJobs, job: dict) -> dict | None:
    """DescribeJob for the wait loop; a job just created may not be visible yet (NotFound), which means New."""
    descriptor = jobs.describe_job(job["job_id"], missing_ok=job["action"] == "created")
    return None if descriptor is None else batch_job_status.summarize_job(descriptor)


def poll_jobs(jobs: s3control_api.BatchJobs, pending: list[dict]) -> list[dict]:
    """Describe every pending job, updating its RV(jobs) entry in place; returns those still pending."""
    for job in pending:
        summary = describe_for_wait(jobs, job)
        if summary is not None:
            job.update({key: value for key, value in summary.items() if key in job})
    return [job for job in pending if not batch_job_status.is_terminal(job["status"])]


def wait_for_jobs(module: Any, jobs: s3control_api.BatchJobs, results: list[dict], clock: Any = None,
                  interruption: Interruption | None = None) -> float:
    """state=completed: poll DescribeJob until every job has ended, or a signal arrives. Returns seconds waited."""
    params = module.params
    interruption = interruption or Interruption()
    wait = Wait(params["wait_timeout"], params["wait_delay"], interruption.clock(clock or time))
    pending = [job for job in results if not batch_job_status.is_terminal(job["status"])]
    while True:
        pending = poll_jobs(jobs, pending)
        waited = wait.waited()
        if not pending:
            return waited
        if not wait.sleep():
            raise timeout_failure(results, pending, waited)
        if interruption.stopping():
            raise TaskFailure(
                f"Interrupted by {interruption.requested} after {int(waited)} seconds waiting for {len(pending)} "
                "job(s) to finish. The jobs keep running (S3 runs them); run the task again to keep waiting "
                "(nothing is created twice).",
                jobs=results, waited=waited, interrupted=interruption.requested,
                changed=any(job["action"] in ("created", "confirmed") for job in results),
            )


def timeout_failure(results: list[dict], pending: list[dict], waited: float) -> TaskFailure:
    """The failure of a wait that timed out: how far the first pending job got, and every job as it was last seen."""
    first = pending[0]
    counts = first.get("progress") or {}
    total = f"{counts['total']:,}" if counts.get("total") is not None else "an unknown number of"
    return TaskFailure(
        f"Timed out after {int(waited)} seconds waiting for {len(pending)} job(s) to finish: job "
        f"{first['job_id']} is {first['status']} ({counts.get('percent_done', 0.0)}% of {total} objects handled). "
        "The jobs keep running; run the task again to keep waiting (nothing is created twice).",
        jobs=results, waited=waited, changed=any(job["action"] in ("created", "confirmed") for job in results),
    )


def finish_completed(module: Any, jobs: s3control_api.BatchJobs, result: dict, clock: Any,
                     interruption: Interruption | None = None) -> None:
    """state=completed: wait (not in check mode), then fail if a job failed, was cancelled or had too many failed
    restore requests. Sets result["waited"]."""
    if module.check_mode:
        result["waited"] = 0.0
        return
    result["waited"] = wait_for_jobs(module, jobs, result["jobs"], clock, interruption)
    problems = [batch_job_status.job_problem(job, module.params["max_failed_tasks"]) for job in result["jobs"]]
    problems = [problem for problem in problems if problem]
    if problems:
        raise TaskFailure(" ".join(problems), **result)


# -- the result -------------------------------------------------------------------------------------------------

ACTION_WORDS = {
    "created": "created job {id} for {what} ({status})",
    "would_create": "would create a job for {what}",
    "found": "found job {id} for {what}, created by an earlier run ({status})",
    "confirmed": "confirmed job {id} for {what}, which was waiting for confirmation ({status})",
    "would_confirm": "would confirm job {id} for {what}, which is waiting for confirmation",
    "cancelled": "cancelled job {id} for {what} ({status})",
    "would_cancel": "would cancel job {id} for {what} ({status})",
    "none": "job {id} for {what} is already ending ({status})",
}


def job_words(job: dict, state: str, days: int) -> str:
    """One job's part of RV(msg): the action, the kind, the status and, once known, how far the job got."""
    what = "/".join(job["storage_classes"])
    if state != "absent":
        what += f" with ExpirationInDays {days}" if job["kind"] == batch_job.KIND_GLACIER else " without ExpirationInDays"
    status = job["status"]
    counts = batch_job_status.progress_words(job.get("progress"))
    if counts:
        status = f"{status}, {counts}"
    return ACTION_WORDS[job["action"]].format(id=job["job_id"], what=what, status=status)


def summary_message(state: str, results: list[dict], check_mode: bool, params: dict, unlisted: bool = False) -> str:
    """RV(msg), one line: what was found and done, job by job, why there is one job per kind of object, and what a
    found job that failed means. ``unlisted``: S3 Control could not be reached (check mode), the jobs not listed."""
    if not results:
        return "No restore job to cancel." if state == "absent" else "Nothing to do."
    text = "; ".join(job_words(job, state, params["days"]) for job in results) + "."
    text = text[0].upper() + text[1:]
    if len({job["kind"] for job in results}) > 1 and state != "absent":
        text += (" One job per kind of object: GLACIER and DEEP_ARCHIVE need ExpirationInDays, the Intelligent-Tiering"
                 " archive tiers refuse it, and one Batch Operations job cannot mix them.")
    for job in results:
        if job["action"] == "found" and job["status"] in batch_job.FAILED_STATUSES:
            text += " " + batch_job_status.failure_text(job)
    if unlisted:
        text += (" S3 Batch Operations could not be reached, so whether such a job already exists is not known (see "
                 "the warning).")
    if check_mode:
        text = "Check mode: " + text
        if state == "completed":
            text += " Would then wait for the jobs to finish."
    return text


def listed_jobs(module: Any, jobs: s3control_api.BatchJobs) -> list[dict] | None:
    """ListJobs; None when S3 Control cannot be reached in check mode (state present or completed): that run still
    shows the CreateJob requests a first run would send, with a warning that existing jobs were not listed."""
    try:
        return jobs.list_jobs()
    except s3control_api.Unreachable as failure:
        if not module.check_mode or module.params["state"] == "absent":
            raise
        warn(
            f"{failure.msg} Existing jobs could not be listed, so this check cannot tell whether a job for these "
            "parameters already exists: the CreateJob requests shown are those a first run would send."
        )
        return None


def run_jobs(module: Any, clock: Any = None, interruption: Interruption | None = None) -> dict:
    """The whole task for a module whose options batch_job_checks.validate accepted; returns the module's result.

    `clock` (anything with monotonic() and sleep()) defaults to the time module."""
    params = module.params
    account_id = account_of(module)
    listing = job_manifests.is_listing(params)
    # With manifest_source=listing the manifest option is read on the controller, not handed to the job: no ETag.
    manifest = read_manifest(module) if params["manifest"] is not None and not listing else None
    plans = job_manifests.plan_listing_jobs(params, account_id) if listing else batch_job.plan_jobs(params, account_id, manifest)
    jobs = s3control_api.BatchJobs(s3control_api.s3control_client(module), account_id)
    listed = listed_jobs(module, jobs)

    result = {"account_id": account_id}
    manifests = job_listing.ListingRun(module, interruption) if listing and params["state"] != "absent" else None
    if params["state"] == "absent":
        results = cancel_jobs(module, jobs, plans, listed)
    else:
        # Not listed (check mode only): each plan as a first run would create it.
        results = ensure_jobs(module, jobs, plans, listed, manifests) if listed is not None else first_jobs(module, jobs, plans, manifests)
        warn_about_new_jobs(params, manifest, results)
        warn_about_failed_jobs(params, results)
    if manifests is not None:
        result["listing"] = manifests.result()
    result["changed"] = any(job["action"] in CHANGED_ACTIONS[params["state"]] for job in results)
    result["jobs"] = results

    if params["state"] == "completed":
        finish_completed(module, jobs, result, clock or time, interruption)
    result["msg"] = summary_message(params["state"], results, module.check_mode, params, unlisted=listed is None)
    if manifests is not None:
        result["msg"] = job_manifests.listing_message(result["listing"], params["bucket"], module.check_mode,
                                                      result["msg"] if results else None)
    return result
