#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: s3_restore_job
short_description: Restore millions of archived Amazon S3 objects with an S3 Batch Operations job, idempotently
version_added: 0.1.0
description:
  - Creates S3 Batch Operations jobs that send a restore request (C(S3InitiateRestoreObject)) for every archived
    object under a O(prefix) of a bucket, or for every object listed in an existing O(manifest). AWS runs the
    job, so the number of objects does not depend on the machine that runs the task.
  - By default the job lists the bucket itself (the Batch Operations manifest generator, filtered on the key
    prefix and the storage class); nothing is listed on the controller.
  - Objects in C(GLACIER) and C(DEEP_ARCHIVE) need an expiry (O(days)); objects in the Intelligent-Tiering
    archive tiers must not get one, and one job cannot do both. The module creates one job per kind of object
    named in O(storage_classes), and says so in RV(msg).
  - A second run with the same parameters finds the job the first one created (its description carries a marker
    derived from the parameters, and its C(ClientRequestToken) is derived from them too) and reports it instead
    of creating another.
  - A restore job only B(sends) the restore requests. When it completes, the objects are being restored; they
    become readable minutes to 48 hours later. Use M(s3async.restore.s3_object_restore) with
    O(s3async.restore.s3_object_restore#module:state=restored), or the bucket's C(s3:ObjectRestore:Completed)
    event notifications, to know when they are readable.
  - For when to use this module and when M(s3async.restore.s3_object_restore) (objects per run, time, cost per
    request), and the IAM role the job needs, see the collection's C(docs/scale.md).
author:
  - s3async.restore contributors (@s3async)
options:
  bucket:
    description:
      - Name of the bucket whose archived objects are restored. The job is created in the module's region, which
        must be the bucket's region (Batch Operations restores only objects in the job's region).
    type: str
    required: true
  prefix:
    description:
      - Restore the objects whose key starts with this prefix. V("") means the whole bucket.
      - The job's manifest generator lists the bucket, keeping the objects under the prefix whose storage class is
        in O(storage_classes).
      - Exactly one of O(prefix) and O(manifest) is required.
    type: str
  manifest:
    description:
      - An existing manifest object listing the objects to restore, instead of letting the job list the bucket.
      - Use it to restore exactly the archived Intelligent-Tiering objects (from an S3 Inventory report that has the
        C(IntelligentTieringAccessTier) field, filtered on it) or a chosen set of keys.
      - O(storage_classes) must then name one kind only, since a manifest does not tell which objects are which.
    type: dict
    suboptions:
      bucket:
        description:
          - Bucket of the manifest object. Defaults to O(bucket).
        type: str
      key:
        description:
          - Key of the manifest object. With O(manifest.format=inventory), the C(manifest.json) of the S3
            Inventory report.
        type: str
        required: true
      version_id:
        description:
          - Version of the manifest object to use.
        type: str
      etag:
        description:
          - ETag of the manifest object, which CreateJob requires. When omitted, the module reads it with
            HeadObject (needs C(s3:GetObject) on the manifest, C(s3:GetObjectVersion) with O(manifest.version_id)).
        type: str
      format:
        description:
          - V(csv) is a CSV file with one line per object, C(bucket,key) or C(bucket,key,version_id) (keys
            URL-encoded). V(inventory) is a CSV S3 Inventory report, given by its C(manifest.json).
        type: str
        choices: [csv, inventory]
        default: csv
      fields:
        description:
          - For V(csv), the columns of the file, in order. V(Ignore) skips a column.
          - Defaults to V([Bucket, Key]); use V([Bucket, Key, VersionId]) when the file has version IDs.
        type: list
        elements: str
        choices: [Bucket, Key, VersionId, Ignore]
  storage_classes:
    description:
      - Which archived objects to restore. V(GLACIER) and V(DEEP_ARCHIVE) go in one job, with O(days);
        V(INTELLIGENT_TIERING) goes in its own job, without days.
      - The manifest generator can filter on the storage class but not on the Intelligent-Tiering access tier, so
        the Intelligent-Tiering job covers every Intelligent-Tiering object under the prefix. Its restore requests
        fail for objects that are not in an archive tier, and a job whose tasks fail more than half the time (after
        1,000 tasks) is stopped by AWS. Leave V(INTELLIGENT_TIERING) out unless most of them are archived, or use
        O(manifest).
    type: list
    elements: str
    choices: [GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING]
    default: [GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING]
  state:
    description:
      - V(present) makes sure the jobs exist (creating them or finding the ones an earlier run created) and returns
        at once.
      - V(completed) does the same, then waits until every job has finished (all restore requests sent), polling
        DescribeJob with a growing delay, and returns the counts and the completion report's location. It fails if
        a job failed or was cancelled, or if more than O(max_failed_tasks) restore requests of a job failed.
      - V(absent) cancels the jobs that are still running for this O(bucket) and O(prefix) (or O(manifest)) and
        these O(storage_classes), whatever their tier, days or key. Restore requests already sent are not undone.
    type: str
    choices: [present, completed, absent]
    default: present
  role_arn:
    description:
      - ARN of the IAM role the job runs as. Required with O(state=present) and O(state=completed).
      - Its trust policy must let C(batchoperations.s3.amazonaws.com) assume it, and it needs
        C(s3:RestoreObject) on the objects, C(s3:ListBucket) on the bucket for the manifest generator (or
        C(s3:GetObject) on the O(manifest)) and C(s3:PutObject) on the report bucket. The caller needs
        C(iam:PassRole) on it. The collection's C(docs/scale.md) gives both policies.
    type: str
  account_id:
    description:
      - The AWS account that owns the jobs (Batch Operations calls need it). Defaults to the account of the
        credentials in use, from STS GetCallerIdentity.
    type: str
  days:
    description:
      - How many days the restored copies of C(GLACIER) and C(DEEP_ARCHIVE) objects stay readable
        (C(ExpirationInDays)). Not sent for Intelligent-Tiering objects, which return to the Frequent Access tier.
      - Objects already restored get their copy's expiry reset to this many days from the restore request, which
        can shorten it.
    type: int
    default: 7
  tier:
    description:
      - Retrieval tier. Batch Operations supports V(Standard) and V(Bulk) only; V(Expedited) is refused with a
        message (use M(s3async.restore.s3_object_restore) for an Expedited restore of a few objects).
    type: str
    choices: [Standard, Bulk, Expedited]
    default: Standard
  report_bucket:
    description:
      - Bucket (name) that receives the job's completion report, a CSV per outcome listing each object's result.
        Without it, no report is written and failed objects can be found only in CloudTrail.
    type: str
  report_prefix:
    description:
      - Key prefix of the completion report in O(report_bucket). The report goes under
        C(<report_prefix>/job-<job id>/).
    type: str
  report_scope:
    description:
      - V(all) reports every object, V(failed) only the objects whose restore request failed.
    type: str
    choices: [all, failed]
    default: all
  save_manifest:
    description:
      - Keep the list of objects the manifest generator made, as a manifest file in O(report_bucket) under
        O(report_prefix). Only with O(prefix).
    type: bool
    default: false
  priority:
    description:
      - The job's priority relative to the account's other Batch Operations jobs; higher runs first.
    type: int
    default: 10
  confirmation_required:
    description:
      - Create the jobs suspended, waiting for confirmation. Once prepared, a job shows how many objects it will
        restore (RV(jobs[].progress.total)) before anything is sent.
      - A later run with V(false) confirms a job found waiting, which then starts. Not with O(state=completed).
    type: bool
    default: false
  description:
    description:
      - Text of the jobs' descriptions (up to about 210 characters are kept). The module appends its marker to it.
        Defaults to a summary of what the job restores.
    type: str
  tags:
    description:
      - Tags to create the jobs with. Needs the permission C(s3:PutJobTagging) besides C(s3:CreateJob).
      - Used only when a job is created; the tags of a job found again are left as they are.
    type: dict
  idempotency_key:
    description:
      - A string that takes part in recognising a job. Two runs are the same job when the account, O(bucket),
        O(prefix) or O(manifest) (and its ETag), the kind of objects, O(tier), O(days) and this key are the same.
      - A job that completed is reported, not repeated. To restore the same objects again (once the earlier copies
        expired, say), set a new value, a date for example.
      - A job that failed or was cancelled is not reused; the next run creates a new one.
    type: str
    default: ""
  wait_timeout:
    description:
      - With O(state=completed), how many seconds to wait for the jobs to finish before failing.
    type: int
    default: 43200
  wait_delay:
    description:
      - With O(state=completed), seconds between the first two checks; the delay then doubles after every check,
        up to 15 minutes (or O(wait_delay), if that is larger).
    type: int
    default: 60
  max_failed_tasks:
    description:
      - With O(state=completed), how many failed restore requests per job are tolerated before the task fails.
      - Requests fail, for example, for an object whose restore is already running with the same or a faster tier,
        or an Intelligent-Tiering object that is not in an archive tier.
    type: int
    default: 0
notes:
  - C(changed) is true exactly when a job was created, confirmed or cancelled (or would be, in check mode).
  - "The caller needs C(s3:CreateJob), C(s3:ListJobs), C(s3:DescribeJob), C(s3:UpdateJobStatus) (for
    O(state=absent) and confirmation) and C(iam:PassRole) on O(role_arn)."
  - Batch Operations charges per job and per object, on top of the restore requests themselves; see the
    collection's C(docs/scale.md) for the arithmetic.
  - Jobs are found through ListJobs, which returns jobs that ended in the last 90 days; after that a run with the
    same parameters creates a new job.
  - Supports check mode; the result then carries the CreateJob requests that would be sent (RV(jobs[].request)).
seealso:
  - name: Restore objects with Batch Operations
    description: The S3 User Guide on restore jobs, ExpirationInDays, tiers and overlapping restores.
    link: https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-initiate-restore-object.html
  - name: Granting permissions for Batch Operations
    description: The trust and permission policies of the role a job runs as.
    link: https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-iam-role-policies.html
  - module: s3async.restore.s3_object_restore
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Restore every archived object under a prefix for 7 days (Bulk), one job per kind, report failures only
  s3async.restore.s3_restore_job:
    bucket: backups
    prefix: db/2019/
    tier: Bulk
    role_arn: arn:aws:iam::123456789012:role/s3-batch-restore
    report_bucket: backups-reports
    report_prefix: restore-jobs
    report_scope: failed
  register: restore

- name: Show the jobs
  ansible.builtin.debug:
    msg: "{{ restore.jobs | map(attribute='job_id') | list }}"

- name: See the CreateJob requests without creating anything
  s3async.restore.s3_restore_job:
    bucket: backups
    prefix: db/2019/
    storage_classes: [GLACIER, DEEP_ARCHIVE]
    role_arn: arn:aws:iam::123456789012:role/s3-batch-restore
  check_mode: true
  register: plan

- name: Restore the objects listed in a CSV manifest and wait until every request is sent (in the background)
  s3async.restore.s3_restore_job:
    bucket: backups
    manifest:
      bucket: backups-manifests
      key: restore/2026-11.csv
    storage_classes: [GLACIER, DEEP_ARCHIVE]
    days: 3
    role_arn: arn:aws:iam::123456789012:role/s3-batch-restore
    report_bucket: backups-reports
    state: completed
    wait_timeout: 86400
  async: 90000
  poll: 60

- name: Restore archived Intelligent-Tiering objects listed by an S3 Inventory report
  s3async.restore.s3_restore_job:
    bucket: media
    manifest:
      bucket: media-inventory
      key: media/daily/2026-11-24T01-00Z/manifest.json
      format: inventory
    storage_classes: [INTELLIGENT_TIERING]
    role_arn: arn:aws:iam::123456789012:role/s3-batch-restore

- name: Create the job suspended, to see how many objects it covers before paying for them
  s3async.restore.s3_restore_job:
    bucket: backups
    prefix: db/
    storage_classes: [DEEP_ARCHIVE]
    role_arn: arn:aws:iam::123456789012:role/s3-batch-restore
    confirmation_required: true
  register: suspended

- name: Confirm it (the same task with confirmation_required false starts the job found waiting)
  s3async.restore.s3_restore_job:
    bucket: backups
    prefix: db/
    storage_classes: [DEEP_ARCHIVE]
    role_arn: arn:aws:iam::123456789012:role/s3-batch-restore
    confirmation_required: false

- name: Cancel the jobs still running for this prefix
  s3async.restore.s3_restore_job:
    bucket: backups
    prefix: db/2019/
    state: absent
"""

RETURN = r"""
changed:
  description: Whether a job was created, confirmed or cancelled (would be, in check mode).
  returned: always
  type: bool
  sample: true
msg:
  description: What was found and done, in words, including why there is one job per kind of object.
  returned: always
  type: str
  sample: >-
    Created job 00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c for GLACIER/DEEP_ARCHIVE with ExpirationInDays 7 (New); created
    job 5b1e4c2d-7a9f-4e3b-8c6d-2f0a1b3c4d5e for INTELLIGENT_TIERING without ExpirationInDays (New). One job per kind
    of object: GLACIER and DEEP_ARCHIVE need ExpirationInDays, the Intelligent-Tiering archive tiers refuse it, and
    one Batch Operations job cannot mix them.
account_id:
  description: The account that owns the jobs.
  returned: always
  type: str
  sample: "123456789012"
jobs:
  description:
    - One entry per job the task created, found, confirmed or cancelled (or would have).
    - With O(state=absent), one entry per job cancelled or found ending.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: V(glacier) (C(GLACIER) and C(DEEP_ARCHIVE)) or V(intelligent_tiering).
      returned: always
      type: str
      sample: glacier
    storage_classes:
      description: The storage classes the job restores.
      returned: always
      type: list
      elements: str
      sample: [GLACIER, DEEP_ARCHIVE]
    action:
      description:
        - V(created), V(found) (an earlier run created it), V(confirmed) (found waiting for confirmation, and
          confirmed), V(cancelled), V(none) (O(state=absent), already ending).
        - In check mode, V(would_create), V(would_confirm) or V(would_cancel).
      returned: always
      type: str
      sample: created
    job_id:
      description: The job's ID; null for a job that would be created in check mode.
      returned: always
      type: str
      sample: 00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c
    job_arn:
      description: The job's ARN, once DescribeJob has returned it.
      returned: always
      type: str
      sample: arn:aws:s3:us-east-1:123456789012:job/00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c
    status:
      description:
        - The job's status (C(New), C(Preparing), C(Suspended), C(Ready), C(Active), C(Pausing), C(Paused),
          C(Completing), C(Complete), C(Failing), C(Failed), C(Cancelling), C(Cancelled)).
        - C(Complete) means every restore request was sent, not that the objects are readable yet.
      returned: always
      type: str
      sample: Active
    client_request_token:
      description: The ClientRequestToken the job was (or would be) created with, derived from the parameters.
      returned: when the task created the job, or would
      type: str
      sample: s3async-3f1d0c4e9b2a7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f
    description:
      description: The job's description, ending with the module's marker.
      returned: always
      type: str
      sample: Restore GLACIER/DEEP_ARCHIVE s3://backups/db/2019/*, tier Bulk, 7 days [s3async-restore 0a1b2c3d4e5f.6a7b8c9d0e1f]
    request:
      description: The CreateJob request sent (would be sent, in check mode), without credentials.
      returned: when the task created the job, or would
      type: dict
      sample: {"Operation": {"S3InitiateRestoreObject": {"ExpirationInDays": 7, "GlacierJobTier": "BULK"}}}
    progress:
      description: Counts from DescribeJob; null until the job has been described.
      returned: always
      type: dict
      contains:
        total:
          description: Objects in the job's manifest (known once the job is prepared).
          type: int
          sample: 12000000
        succeeded:
          description: Restore requests accepted.
          type: int
          sample: 11999990
        failed:
          description: Restore requests that failed (see the completion report).
          type: int
          sample: 10
        pending:
          description: Objects not handled yet.
          type: int
          sample: 0
        percent_done:
          description: Share of the objects handled, succeeded or failed.
          type: float
          sample: 100.0
        elapsed_seconds:
          description: Seconds the job has been active.
          type: int
          sample: 5400
    report:
      description: Where the completion report is (or will be); null for jobs cancelled by O(state=absent).
      returned: always
      type: dict
      contains:
        enabled:
          description: Whether a completion report was asked for.
          type: bool
          sample: true
        bucket:
          description: The report bucket.
          type: str
          sample: backups-reports
        prefix:
          description: The report prefix.
          type: str
          sample: restore-jobs
        scope:
          description: V(all) or V(failed).
          type: str
          sample: failed
        location:
          description: The S3 URI under which the job writes its report.
          type: str
          sample: s3://backups-reports/restore-jobs/job-00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c/
        manifest:
          description: The report's C(manifest.json), which lists the result CSV files.
          type: str
          sample: s3://backups-reports/restore-jobs/job-00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c/manifest.json
    failure_reasons:
      description: The job's failure codes and reasons, when it failed.
      returned: always
      type: list
      elements: dict
      sample: [{"code": "ManifestNotFound", "reason": "The manifest object could not be found"}]
    status_update_reason:
      description: Why the job's status last changed, as DescribeJob tells it.
      returned: always
      type: str
      sample: null
    created:
      description: When the job was created (ISO 8601), once described.
      returned: always
      type: str
      sample: "2026-11-24T10:00:00+00:00"
    terminated:
      description: When the job ended (ISO 8601), once ended and described.
      returned: always
      type: str
      sample: "2026-11-24T11:30:00+00:00"
waited:
  description: Seconds spent waiting for the jobs to finish.
  returned: when O(state=completed)
  type: float
  sample: 5400.0
"""

import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.warnings import warn

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.s3async.restore.plugins.module_utils import batch_job as bj
from ansible_collections.s3async.restore.plugins.module_utils import restore_state as rs
from ansible_collections.s3async.restore.plugins.module_utils import s3control_api as api
from ansible_collections.s3async.restore.plugins.module_utils.restore_runner import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import s3_client

CANCEL_REASON = "Cancelled by s3async.restore.s3_restore_job (state=absent)"


def call(operation, what, function, *args, **kwargs):
    """Run one AWS call, turning access denied into a message that names the permission."""
    try:
        return function(*args, **kwargs)
    except botocore.exceptions.ClientError as error:
        if api.is_access_denied(error):
            raise TaskFailure(api.access_denied_message(operation, what)) from error
        raise


def account_of(module):
    if module.params["account_id"]:
        return module.params["account_id"]
    sts = api.sts_client(module)
    return call("GetCallerIdentity", "the credentials in use", api.caller_account_id, sts)


def read_manifest(module):
    """The normalised manifest option, with the manifest object's ETag read by HeadObject when not given."""
    params = module.params
    manifest, _problems = bj.parse_manifest(params["manifest"], params["bucket"])
    if manifest["etag"] is None and params["state"] != "absent":
        bucket = S3Bucket(s3_client(module, "s3_restore_job"), manifest["bucket"])
        where = bj.s3_uri(manifest["bucket"], manifest["key"])
        try:
            head = call("HeadObject", where, bucket.head_object, manifest["key"], manifest["version_id"])
        except botocore.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise TaskFailure(f"The manifest object {where} does not exist.") from error
            raise
        manifest["etag"] = bj.normalize_etag(head.get("ETag"))
    return manifest


def job_result(plan, action, summary=None, job_id=None, request=None):
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
        "report": summary["report"] if "report" in summary else bj.report_location(job_id, (request or {}).get("Report")),
        "failure_reasons": summary.get("failure_reasons") or [],
        "status_update_reason": summary.get("status_update_reason"),
        "created": summary.get("created"),
        "terminated": summary.get("terminated"),
    }
    if request is not None:
        result["request"] = request
        result["client_request_token"] = request["ClientRequestToken"]
    return result


def conflict_message(plan, conflicts):
    job = conflicts[0]
    return (
        f"Another restore job for the same objects ({'/'.join(plan['storage_classes'])}) is still running with other "
        f"settings (tier, days or idempotency_key): job {job['JobId']}, status {job.get('Status')}, "
        f"\"{job.get('Description')}\". A second job would send restore requests for objects already being restored, "
        "which fail. Wait for it to finish, or cancel it with state=absent, then run again."
    )


def ensure_jobs(module, jobs_api, plans, listed):
    """state=present/completed: find or create (or confirm) one job per plan. Returns the RV(jobs) entries."""
    params = module.params
    decisions = []
    for plan in plans:
        decision = bj.match_jobs(listed, plan)
        if decision["conflicts"] and decision["found"] is None:
            raise TaskFailure(conflict_message(plan, decision["conflicts"]))
        decisions.append(decision)

    results = []
    for plan, decision in zip(plans, decisions):
        found = decision["found"]
        if found is not None:
            descriptor = call("DescribeJob", f"job {found['JobId']}", jobs_api.describe_job, found["JobId"])
            action = "found"
            if bj.needs_confirmation(descriptor, params["confirmation_required"]):
                action = "would_confirm" if module.check_mode else "confirmed"
                if not module.check_mode:
                    call("UpdateJobStatus", f"job {found['JobId']}", jobs_api.update_job_status, found["JobId"], "Ready")
                    descriptor = dict(descriptor, Status="Ready")
            results.append(job_result(plan, action, bj.summarize_job(descriptor)))
            continue
        request = bj.create_job_request(plan, params, jobs_api.account_id, decision["attempt"])
        if module.check_mode:
            results.append(job_result(plan, "would_create", request=request))
            continue
        job_id = call("CreateJob", f"bucket {params['bucket']}", jobs_api.create_job, request)
        result = job_result(plan, "created", job_id=job_id, request=request)
        result["status"] = "New"
        results.append(result)
    return results


def cancel_jobs(module, jobs_api, plans, listed):
    """state=absent: cancel every job of the plans' scopes that can still be cancelled."""
    results = []
    for plan in plans:
        for job in bj.cancellable(listed, plan):
            action = "would_cancel" if module.check_mode else "cancelled"
            status = job.get("Status")
            if not module.check_mode:
                answer = call("UpdateJobStatus", f"job {job['JobId']}", jobs_api.update_job_status, job["JobId"], "Cancelled", CANCEL_REASON)
                status = answer.get("Status") or "Cancelling"
            summary = {"job_id": job["JobId"], "status": status, "description": job.get("Description"),
                       "progress": bj.progress(job.get("ProgressSummary")), "report": None}
            results.append(job_result(plan, action, summary))
        for job in bj.ours(listed):
            if job["marker"][0] == plan["scope_id"] and job.get("Status") in bj.ENDING_STATUSES:
                summary = {"job_id": job["JobId"], "status": job.get("Status"), "description": job.get("Description"),
                           "progress": bj.progress(job.get("ProgressSummary")), "report": None}
                results.append(job_result(plan, "none", summary))
    return results


def describe_for_wait(jobs_api, job):
    """DescribeJob for the wait loop; a job just created may not be visible yet (NotFound), which means New."""
    try:
        return bj.summarize_job(call("DescribeJob", f"job {job['job_id']}", jobs_api.describe_job, job["job_id"]))
    except botocore.exceptions.ClientError as error:
        if api.is_not_found(error) and job["action"] == "created":
            return None
        raise


def wait_for_jobs(module, jobs_api, results, clock=None):
    """state=completed: poll DescribeJob until every job has ended. Returns seconds waited."""
    params = module.params
    clock = clock or time
    start = clock.monotonic()
    delay = params["wait_delay"]
    pending = [job for job in results if not bj.is_terminal(job["status"])]
    while True:
        for job in pending:
            summary = describe_for_wait(jobs_api, job)
            if summary is not None:
                job.update({key: value for key, value in summary.items() if key in job})
        pending = [job for job in pending if not bj.is_terminal(job["status"])]
        waited = clock.monotonic() - start
        if not pending:
            return waited
        if waited >= params["wait_timeout"]:
            first = pending[0]
            counts = first.get("progress") or {}
            raise TaskFailure(
                f"Timed out after {int(waited)} seconds waiting for {len(pending)} job(s) to finish: job "
                f"{first['job_id']} is {first['status']} ({counts.get('percent_done', 0.0)}% of "
                f"{counts.get('total', 'an unknown number of')} objects handled). The jobs keep running; run the task "
                "again to keep waiting (nothing is created twice).",
                jobs=results, waited=waited, changed=any(job["action"] in ("created", "confirmed") for job in results),
            )
        clock.sleep(min(delay, max(params["wait_timeout"] - waited, 0)))
        delay = rs.next_wait_delay(delay, params["wait_delay"])


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


def summary_message(state, results, check_mode, params):
    if not results:
        return "No restore job to cancel." if state == "absent" else "Nothing to do."
    parts = []
    for job in results:
        what = "/".join(job["storage_classes"])
        if state != "absent":
            what += f" with ExpirationInDays {params['days']}" if job["kind"] == bj.KIND_GLACIER else " without ExpirationInDays"
        parts.append(ACTION_WORDS[job["action"]].format(id=job["job_id"], what=what, status=job["status"]))
    text = "; ".join(parts) + "."
    text = text[0].upper() + text[1:]
    if len({job["kind"] for job in results}) > 1 and state != "absent":
        text += (" One job per kind of object: GLACIER and DEEP_ARCHIVE need ExpirationInDays, the Intelligent-Tiering"
                 " archive tiers refuse it, and one Batch Operations job cannot mix them.")
    if check_mode:
        text = "Check mode: " + text
    return text


def run(module, clock=None):
    params = module.params
    account_id = account_of(module)
    manifest = read_manifest(module) if params["manifest"] is not None else None
    plans = bj.plan_jobs(params, account_id, manifest)
    jobs_api = api.BatchJobs(api.s3control_client(module), account_id)
    listed = call("ListJobs", f"account {account_id}", lambda: list(jobs_api.list_jobs()))

    result = {"account_id": account_id}
    if params["state"] == "absent":
        results = cancel_jobs(module, jobs_api, plans, listed)
        changed_actions = ("cancelled", "would_cancel")
    else:
        results = ensure_jobs(module, jobs_api, plans, listed)
        changed_actions = ("created", "would_create", "confirmed", "would_confirm")
        if manifest is None and any(plan["kind"] == bj.KIND_INTELLIGENT_TIERING for plan in plans) and any(
            job["action"] in ("created", "would_create") for job in results
        ):
            warn(
                "The INTELLIGENT_TIERING job restores every Intelligent-Tiering object under the prefix: the manifest "
                "generator cannot filter on the access tier. Restore requests fail for objects outside the archive "
                "tiers, and AWS stops a job once more than half of at least 1,000 tasks have failed. To restore only "
                "archived ones, give a manifest built from an S3 Inventory report's IntelligentTieringAccessTier."
            )
        if not params["report_bucket"] and any(job["action"] in ("created", "would_create") for job in results):
            warn("No report_bucket: the jobs write no completion report, so failed restore requests cannot be listed.")
    result["changed"] = any(job["action"] in changed_actions for job in results)
    result["jobs"] = results

    if params["state"] == "completed" and not module.check_mode:
        result["waited"] = wait_for_jobs(module, jobs_api, results, clock)
        problems = [bj.job_problem(job, params["max_failed_tasks"]) for job in results]
        problems = [problem for problem in problems if problem]
        if problems:
            raise TaskFailure(" ".join(problems), **result)
    elif params["state"] == "completed":
        result["waited"] = 0.0
    result["msg"] = summary_message(params["state"], results, module.check_mode, params)
    return result


def main():
    argument_spec = dict(
        bucket=dict(type="str", required=True),
        prefix=dict(type="str"),
        manifest=dict(
            type="dict",
            options=dict(
                bucket=dict(type="str"),
                key=dict(type="str", required=True, no_log=False),
                version_id=dict(type="str"),
                etag=dict(type="str"),
                format=dict(type="str", default="csv", choices=list(bj.MANIFEST_FORMATS)),
                fields=dict(type="list", elements="str", choices=list(bj.MANIFEST_FIELDS)),
            ),
        ),
        storage_classes=dict(type="list", elements="str", default=list(bj.STORAGE_CLASSES), choices=list(bj.STORAGE_CLASSES)),
        state=dict(type="str", default="present", choices=["present", "completed", "absent"]),
        role_arn=dict(type="str"),
        account_id=dict(type="str"),
        days=dict(type="int", default=7),
        tier=dict(type="str", default="Standard", choices=list(bj.TIERS) + ["Expedited"]),
        report_bucket=dict(type="str"),
        report_prefix=dict(type="str"),
        report_scope=dict(type="str", default="all", choices=list(bj.REPORT_SCOPES)),
        save_manifest=dict(type="bool", default=False),
        priority=dict(type="int", default=10),
        confirmation_required=dict(type="bool", default=False),
        description=dict(type="str"),
        tags=dict(type="dict"),
        idempotency_key=dict(type="str", default="", no_log=False),
        wait_timeout=dict(type="int", default=43200),
        wait_delay=dict(type="int", default=60),
        max_failed_tasks=dict(type="int", default=0),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("prefix", "manifest")],
        required_one_of=[("prefix", "manifest")],
        required_if=[("state", "present", ("role_arn",)), ("state", "completed", ("role_arn",))],
    )

    problems = bj.validate(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))

    try:
        result = run(module)
    except TaskFailure as failure:
        module.fail_json(msg=failure.msg, **failure.result)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg=f"S3 Batch Operations call failed for bucket {module.params['bucket']}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
