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
  - With O(manifest_source=listing) the module reads the objects on the controller instead (those of O(prefix), of
    a list of O(keys), or of an existing O(manifest), optionally of other O(versions), at a moment (O(version_at)),
    and filtered), keeps only the objects that still need a restore (archived, with no restore running or done; a
    HeadObject for each Intelligent-Tiering object, whose archive tier a listing does not show), writes one CSV
    manifest per kind of object to O(manifest_bucket), and creates a job per manifest that is not empty. This is
    the way to restore a prefix (or an S3 Inventory report of one) that mixes Intelligent-Tiering objects in access
    and archive tiers without a job whose tasks fail for the objects already in an access tier.
  - Objects in C(GLACIER) and C(DEEP_ARCHIVE) need an expiry (O(days)); objects in the Intelligent-Tiering
    archive tiers must not get one, and one job cannot do both. The module creates one job per kind of object
    named in O(storage_classes), and says so in RV(msg). By default only C(GLACIER) and C(DEEP_ARCHIVE) objects are
    restored; Intelligent-Tiering is restored only when asked for (see O(storage_classes)).
  - A second run with the same parameters finds the job the first one created (its description carries a marker
    derived from the parameters, and its C(ClientRequestToken) is derived from them too) and reports it instead
    of creating another. That includes a job that failed, which is reported (with its failure reasons, and a
    warning) rather than replaced by a new job that would fail the same way; see O(idempotency_key).
  - A job is not created while another restore job of this module is still running for some of the same objects,
    that is for the same bucket with one prefix inside the other (V(db/) and V(db/2019/)) and a storage class in
    common, or for the same manifest object. The two jobs would compete, and restore requests for objects being
    restored fail.
  - A restore job only B(sends) the restore requests. When it completes, the objects are being restored; they
    become readable minutes to 48 hours later. Use M(s3async.restore.s3_object_restore) with
    O(s3async.restore.s3_object_restore#module:state=restored), or the bucket's C(s3:ObjectRestore:Completed)
    event notifications, to know when they are readable.
  - For when to use this module and when M(s3async.restore.s3_object_restore) (objects per run, time, cost per
    request), and the IAM role the job needs, see the collection's L(Scale guide,https://github.com/s3async/restore/blob/main/docs/scale.md).
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
      - Exactly one of O(prefix), O(manifest) and O(keys) is required (O(keys) with O(manifest_source=listing) only).
      - With O(manifest_source=listing), the prefix the controller lists.
    type: str
  manifest_source:
    description:
      - Where the jobs' lists of objects come from.
      - V(generated) lets each job list the bucket itself (the manifest generator, with O(prefix)), or hands it the
        O(manifest) as it is. It cannot tell whether an object was already restored, nor which Intelligent-Tiering
        objects are in an archive tier.
      - V(listing) reads the objects on the controller and keeps those that still need a restore. With O(prefix),
        one ListObjectsV2 request per 1,000 keys (ListObjectVersions with O(versions) or O(version_at)); a
        HeadObject for each Intelligent-Tiering object, and for each C(GLACIER) or C(DEEP_ARCHIVE) object where
        the listing's restore status is not trusted (see O(status_source)). With O(keys), at most one HeadObject
        per key. With O(manifest), its rows (a CSV manifest, or every CSV data file of an S3 Inventory report) are
        streamed with GetObject, and each object gets a HeadObject, so that an inventory of a mixed prefix becomes one clean
        manifest per kind. The filters (O(storage_classes), O(min_size), O(max_size), O(modified_after),
        O(modified_before), O(include), O(exclude)) apply before anything is written.
      - It writes one CSV manifest per kind (C(GLACIER)/C(DEEP_ARCHIVE), with O(days); C(INTELLIGENT_TIERING),
        without) to O(manifest_bucket) under O(manifest_prefix). A job is created per manifest that is not empty,
        with the manifest's ETag. A kind with nothing to restore gets no job, and RV(msg) says so.
      - The manifests name each object's version (a C(VersionId) column, C(null) for an object without one) when
        the objects were read with their version - with O(manifest), O(versions), O(version_at), or O(keys) that
        name a C(version_id) - so that the job restores exactly the version found archived; otherwise they name
        bucket and key, and the job restores the current version.
      - An object that cannot be read (a key that does not exist, a HeadObject denied) fails the task before any
        manifest is completed, as does a manifest row that cannot be parsed (with its line number). A signal
        (SIGTERM, Ctrl-C) stops the reading; the task then ends saying so, with no manifest left (the parts of a
        manifest upload sent so far are deleted) and no job created.
      - The manifests' keys derive from the job's parameters, not from the objects listed. A re-run finds the jobs
        an earlier run created (their description's marker) without listing again; when an earlier run wrote a
        manifest but created no job, the re-run uses that manifest as it is, without listing nor rewriting it.
      - In check mode the objects are still read (reads only); RV(listing) then counts the objects and shows the
        manifests that would be written, and nothing is written or created.
      - The caller needs C(s3:ListBucket) on the bucket to list it (C(s3:ListBucketVersions) with O(versions) or
        O(version_at)) and C(s3:GetObject) on its objects for the HeadObject requests (C(s3:GetObjectVersion) for
        named versions).
      - The machine that runs the task reads every object (about 1,000 keys per listing request, plus the
        HeadObject requests), so a run over tens of millions of objects takes a while; memory stays flat, since
        the source manifest is streamed and each manifest written is uploaded a part (8 MiB) at a time.
    type: str
    choices: [generated, listing]
    default: generated
  manifest_bucket:
    description:
      - With O(manifest_source=listing), the bucket (name) the manifests are written to. Defaults to
        O(report_bucket); one of them is required.
      - The caller needs C(s3:PutObject) (and C(s3:AbortMultipartUpload), to clean up after a failed upload) and
        C(s3:GetObject) on the manifests; the job's role needs C(s3:GetObject) on them.
    type: str
  manifest_prefix:
    description:
      - With O(manifest_source=listing), the key prefix of the manifests in O(manifest_bucket). Each manifest is
        C(<manifest_prefix><bucket>/<scope>-<identity>-<attempt>/<target>/<kind>.csv), where the middle part derives
        from the job's parameters, so that a re-run finds the same one, and C(<target>) encodes the prefix listed
        (or the manifest read), so that other runs can tell whether the job overlaps theirs.
      - Defaults to V(s3async-restore/manifests/); at most 800 characters.
    type: str
  status_source:
    description:
      - With O(manifest_source=listing), how the listing learns whether a C(GLACIER) or C(DEEP_ARCHIVE) object was
        already restored, as for M(s3async.restore.s3_object_restore).
      - V(listing) trusts ListObjectsV2's C(RestoreStatus); V(head) sends a HeadObject for each such object (for
        endpoints that do not report C(RestoreStatus), where a listing cannot tell "never restored" from "not
        reported"); V(auto) means V(listing) on AWS's own endpoints and V(head) elsewhere.
      - Intelligent-Tiering objects always get a HeadObject.
    type: str
    choices: [auto, listing, head]
    default: auto
  concurrency:
    description:
      - With O(manifest_source=listing), how many HeadObject requests are kept in flight.
    type: int
    default: 128
  manifest:
    description:
      - An existing manifest object listing the objects to restore, instead of letting the job list the bucket.
      - Use it to restore exactly the archived Intelligent-Tiering objects (from an S3 Inventory report that has the
        C(IntelligentTieringAccessTier) field, filtered on it) or a chosen set of keys.
      - O(storage_classes) must then name one kind only, since a manifest does not tell which objects are which.
      - With O(manifest_source=listing), the manifest is read on the controller instead (O(manifest.bucket),
        O(manifest.key) and O(manifest.format) only), and sorted into one manifest per kind, so any O(storage_classes)
        will do. Its rows must be for O(bucket); a row for another bucket is refused.
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
      - V(INTELLIGENT_TIERING) is not in the default, on purpose. The manifest generator can filter on the storage
        class but not on the Intelligent-Tiering access tier, so an Intelligent-Tiering job over a prefix covers
        every Intelligent-Tiering object under it, and its restore requests fail for the objects that are not in an
        archive tier. AWS fails a job once it has run at least 1,000 tasks and more than half of them failed, which
        on a typical bucket such a job does. Name V(INTELLIGENT_TIERING) only when most of those objects are
        archived, give a O(manifest) that lists the archived ones, or use O(manifest_source=listing), which puts
        only the archived ones in the job's manifest (the module warns when it creates an Intelligent-Tiering job
        over a prefix with the manifest generator).
      - With O(manifest_source=listing), objects of other classes are counted out
        (C(listing.summary.counted_out)), after their HeadObject for O(keys) and O(manifest).
    type: list
    elements: str
    choices: [GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING]
    default: [GLACIER, DEEP_ARCHIVE]
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
        C(iam:PassRole) on it. The collection's L(Scale guide,https://github.com/s3async/restore/blob/main/docs/scale.md) gives both policies.
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
      - A job that failed (or is failing) is reported too, with its failure reasons, since every run with the same
        parameters would otherwise create, and pay for, a new job that fails the same way. Fix the cause (the
        failure reasons and the completion report say it), then set a new value to start a new job; O(state=absent)
        is not needed for a failed job.
      - A job that was cancelled is replaced, the next run with the same parameters creates a new one.
    type: str
    default: ""
  keys:
    description:
      - With O(manifest_source=listing), a list of keys to restore, each a key (V(db/2026-11-01.dump)) or a dict
        with C(key) and an optional C(version_id), instead of O(prefix) or O(manifest).
      - Each key costs at most one HeadObject. On AWS (see O(status_source)), when many keys without C(version_id)
        share a folder and none names a version, one listing of their common prefix reads them instead. A key
        named twice is read once.
      - A key that does not exist fails the task, before any manifest is written.
      - A re-run with the same keys (in any order) finds the same jobs.
    type: list
    elements: raw
  versions:
    description:
      - With O(manifest_source=listing), which versions of the objects of O(prefix), O(keys) or O(manifest) to
        restore, as for M(s3async.restore.s3_object_restore).
      - V(current) - the current version of each key. V(all) - every version (ListObjectVersions, a page per 1,000
        versions). V(noncurrent) - every version but the current one. Delete markers are skipped and counted
        (C(listing.summary.delete_markers_skipped)).
    type: str
    choices: [current, all, noncurrent]
    default: current
  version_at:
    description:
      - With O(manifest_source=listing), an ISO 8601 date-time (UTC when no offset is given); for each key, the
        version that was current at that moment. Not with O(versions); a moment in the future is refused.
      - Keys that did not exist yet, or whose version then was a delete marker, are counted
        (C(listing.summary.absent_at_version_at), C(listing.summary.deleted_at_version_at)) and named in a
        warning; nothing is restored for them.
    type: str
  min_size:
    description:
      - With O(manifest_source=listing), restore only objects of at least this size - bytes (V(1073741824)) or a
        number and a unit - V(1 GB) (decimal) or V(1 GiB) (binary). Not above O(max_size).
    type: raw
  max_size:
    description:
      - With O(manifest_source=listing), restore only objects of at most this size, written as for O(min_size).
    type: raw
  modified_after:
    description:
      - With O(manifest_source=listing), restore only objects whose LastModified is after this ISO 8601 date-time.
    type: str
  modified_before:
    description:
      - With O(manifest_source=listing), restore only objects whose LastModified is before this ISO 8601 date-time.
    type: str
  include:
    description:
      - With O(manifest_source=listing), restore only keys that match one of these shell-style patterns (C(*)
        also matches C(/)), matched case-sensitively against the whole key, as in V(db/*.dump).
      - A pattern that matches no key is warned about, not an error.
    type: list
    elements: str
  exclude:
    description:
      - With O(manifest_source=listing), leave out keys that match one of these patterns; exclude wins over
        include.
    type: list
    elements: str
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
attributes:
  action_group:
    support: full
    membership:
      - s3async.restore.aws
  check_mode:
    support: full
    details: No job is created, confirmed or cancelled; the result says which would be.
  diff_mode:
    support: none
  platform:
    support: N/A
    platforms: all
notes:
  - C(changed) is true exactly when a job was created, confirmed or cancelled (or would be, in check mode).
  - "The caller needs C(s3:CreateJob), C(s3:ListJobs), C(s3:DescribeJob), C(s3:UpdateJobStatus) (for
    O(state=absent) and confirmation) and C(iam:PassRole) on O(role_arn)."
  - Batch Operations charges per job and per object, on top of the restore requests themselves; see the
    collection's L(Scale guide,https://github.com/s3async/restore/blob/main/docs/scale.md) for the arithmetic.
  - Jobs are found through ListJobs, which returns jobs that ended in the last 90 days; after that a run with the
    same parameters creates a new job.
  - Finding conflicts costs one DescribeJob per restore job of this module that is still running for another
    bucket, prefix, storage classes or manifest (their description's marker tells no more than that); none when
    there is no such job.
  - Supports check mode; the result then carries the CreateJob requests that would be sent (RV(jobs[].request)).
  - "S3 Control (Batch Operations) endpoints are account-specific hosts,
    C(<account>.s3-control.<region>.amazonaws.com): botocore puts the account ID in front of the host, also of an
    O(endpoint_url) (C(http://123456789012.127.0.0.1:5000) for C(http://127.0.0.1:5000)). S3 emulators such as moto
    do not implement Batch Operations, so the module cannot run against one: it fails with a message that says so,
    after botocore's retries (up to about a minute). In check mode it still returns the CreateJob requests it would
    send (RV(jobs[].action=would_create)), with a warning that existing jobs could not be listed, so it cannot tell
    whether one already exists. The collection's L(Scale guide,https://github.com/s3async/restore/blob/main/docs/scale.md) says more."
seealso:
  - name: Restore objects with Batch Operations
    description: The S3 User Guide on restore jobs, ExpirationInDays, tiers and overlapping restores.
    link: https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-initiate-restore-object.html
  - name: Granting permissions for Batch Operations
    description: The trust and permission policies of the role a job runs as.
    link: https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-iam-role-policies.html
  - module: s3async.restore.s3_object_restore
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Restore every GLACIER and DEEP_ARCHIVE object under a prefix for 7 days (Bulk), report failures only
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

- name: Restore a prefix that mixes GLACIER, DEEP_ARCHIVE and Intelligent-Tiering objects, archived or not
  # The controller lists db/ and HEADs each Intelligent-Tiering object; only objects that still need a restore go
  # into the manifests (one per kind), so no job fails on objects already in an access tier.
  s3async.restore.s3_restore_job:
    bucket: backups
    prefix: db/
    manifest_source: listing
    storage_classes: [GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING]
    manifest_bucket: backups-reports
    manifest_prefix: restore-manifests/
    role_arn: arn:aws:iam::123456789012:role/s3-batch-restore
    report_bucket: backups-reports
  register: listed_restore

- name: Show how many objects each job restores
  ansible.builtin.debug:
    msg: "{{ listed_restore.listing.manifests | map(attribute='objects') | list }}"

- name: Turn an S3 Inventory report of a mixed bucket into one clean manifest per kind, and a job for each
  # Read on the controller: each listed object gets a HeadObject; objects restored, being restored or in an
  # Intelligent-Tiering access tier are left out.
  s3async.restore.s3_restore_job:
    bucket: media
    manifest:
      bucket: media-inventory
      key: media/daily/2026-11-24T01-00Z/manifest.json
      format: inventory
    manifest_source: listing
    storage_classes: [GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING]
    min_size: 1 GB
    manifest_bucket: media-reports
    role_arn: arn:aws:iam::123456789012:role/s3-batch-restore

- name: Restore the files an incident list names, as they were before the incident
  s3async.restore.s3_restore_job:
    bucket: backups
    keys:
      - db/2026-11-01.dump
      - key: db/2026-11-02.dump
        version_id: 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY
    version_at: "2026-11-24T18:00:00Z"
    manifest_source: listing
    manifest_bucket: backups-reports
    role_arn: arn:aws:iam::123456789012:role/s3-batch-restore

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
  description:
    - One line that says what was found and done (or would be, in check mode), job by job, with each job's status
      and, once AWS has prepared it, how many of its objects are handled and how many failed; why there is one job
      per kind of object, when there are two; and for a found job that failed, why and what to do.
  returned: always
  type: str
  sample: >-
    Found job 00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c for GLACIER/DEEP_ARCHIVE with ExpirationInDays 7, created by an
    earlier run (Active, 4,000,000 of 12,000,000 objects handled, 10 failed).
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
        - V(created), V(found) (an earlier run created it; also when that job failed, see RV(jobs[].status) and
          RV(jobs[].failure_reasons)), V(confirmed) (found waiting for confirmation, and confirmed), V(cancelled),
          V(none) (O(state=absent), already ending).
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
listing:
  description: With O(manifest_source=listing), what the listing found and which manifests were written.
  returned: when O(manifest_source=listing) and O(state) is not V(absent)
  type: dict
  contains:
    prefix:
      description: The prefix listed; null with O(keys) or O(manifest).
      type: str
      sample: db/
    target:
      description: What was read, as RV(msg) names it - C(s3://bucket/prefix*), C(s3://bucket/ (3 keys)) or
        C(s3://bucket/ (manifest s3://lists/list.csv)), with the versions or the moment chosen.
      type: str
      sample: s3://backups/db/*
    listed:
      description: Objects (or versions) read from the prefix, the keys or the manifest; null when no listing was
        needed (every job was found, or every manifest had been written by an earlier run).
      type: int
      sample: 12000
    summary:
      description:
        - Counts and bytes per restore status and per storage class of the objects listed in the storage classes
          restored (null without a listing), as RV(s3async.restore.s3_object_restore_info#module:summary) has them.
          The C(archived) ones are in the manifests.
        - Also what the selection left out - C(counted_out) per filter (C(storage_classes) counts the objects of
          other classes), C(delete_markers_skipped), C(absent_at_version_at) and C(deleted_at_version_at).
      type: dict
      sample: {"total": 9000, "archived": 8000, "in_progress": 500, "restored": 300, "not_archived": 200}
    manifests:
      description: One entry per kind of job without a job yet.
      type: list
      elements: dict
      contains:
        kind:
          description: V(glacier) or V(intelligent_tiering).
          type: str
          sample: glacier
        storage_classes:
          description: The storage classes of the manifest.
          type: list
          elements: str
          sample: [GLACIER, DEEP_ARCHIVE]
        action:
          description: V(written), V(would_write) (check mode), V(found) (written by an earlier run, used as it is),
            V(none) (no object of the kind needs a restore, so no manifest and no job; an empty marker object is
            written instead, except in check mode), or V(found_empty) (an earlier run with the same scope and
            identity wrote that marker, so nothing is listed and no job created for the kind).
          type: str
          sample: written
        location:
          description: The manifest's S3 URI; for V(none) and V(found_empty), the empty marker's (C(<kind>.empty)
            beside it).
          type: str
          sample: s3://backups-reports/s3async-restore/manifests/backups/0a1b2c3d4e5f-6a7b8c9d0e1f-0/glacier.csv
        objects:
          description: Rows of the manifest; null for a manifest found, 0 for an empty marker found.
          type: int
          sample: 8000
        bytes:
          description: Size of the manifest; null for a manifest found.
          type: int
          sample: 412000
        etag:
          description: The manifest's ETag, given to CreateJob; null when nothing was written.
          type: str
          sample: 5d41402abc4b2a76b9719d911017c592
waited:
  description: Seconds spent waiting for the jobs to finish.
  returned: when O(state=completed)
  type: float
  sample: 5400.0
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.s3async.restore.plugins.module_utils import batch_job
from ansible_collections.s3async.restore.plugins.module_utils import job_manifests
from ansible_collections.s3async.restore.plugins.module_utils import job_task
from ansible_collections.s3async.restore.plugins.module_utils import options

# keys, versions, version_at and the filters, as the object modules take them (manifest_source=listing only).
SELECTION_OPTIONS = options.selection_options()


ARGUMENT_SPEC = dict(
    bucket=dict(type="str", required=True),
    prefix=dict(type="str"),
    manifest_source=dict(type="str", default="generated", choices=list(job_manifests.MANIFEST_SOURCES)),
    manifest_bucket=dict(type="str"),
    manifest_prefix=dict(type="str"),
    status_source=dict(type="str", default="auto", choices=["auto", "listing", "head"]),
    concurrency=dict(type="int", default=128),
    manifest=dict(
        type="dict",
        options=dict(
            bucket=dict(type="str"),
            key=dict(type="str", required=True, no_log=False),
            version_id=dict(type="str"),
            etag=dict(type="str"),
            format=dict(type="str", default="csv", choices=list(batch_job.MANIFEST_FORMATS)),
            fields=dict(type="list", elements="str", choices=list(batch_job.MANIFEST_FIELDS)),
        ),
    ),
    storage_classes=dict(type="list", elements="str", default=list(batch_job.DEFAULT_STORAGE_CLASSES), choices=list(batch_job.STORAGE_CLASSES)),
    state=dict(type="str", default="present", choices=["present", "completed", "absent"]),
    role_arn=dict(type="str"),
    account_id=dict(type="str"),
    days=dict(type="int", default=7),
    tier=dict(type="str", default="Standard", choices=list(batch_job.TIERS) + ["Expedited"]),
    report_bucket=dict(type="str"),
    report_prefix=dict(type="str"),
    report_scope=dict(type="str", default="all", choices=list(batch_job.REPORT_SCOPES)),
    save_manifest=dict(type="bool", default=False),
    priority=dict(type="int", default=10),
    confirmation_required=dict(type="bool", default=False),
    description=dict(type="str"),
    tags=dict(type="dict"),
    idempotency_key=dict(type="str", default="", no_log=False),
    wait_timeout=dict(type="int", default=43200),
    wait_delay=dict(type="int", default=60),
    max_failed_tasks=dict(type="int", default=0),
    **{name: SELECTION_OPTIONS[name] for name in job_manifests.SELECTION_OPTIONS}
)
SOURCES = ("prefix", "manifest", "keys")


def main():
    module = AnsibleAWSModule(
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
        mutually_exclusive=[SOURCES],
        required_one_of=[SOURCES],
        required_if=[("state", "present", ("role_arn",)), ("state", "completed", ("role_arn",))],
    )
    job_task.jobs_module(module)


if __name__ == "__main__":
    main()
