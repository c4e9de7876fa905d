#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: s3_object_restore
short_description: Restore archived Amazon S3 objects, one key or a whole prefix, idempotently
version_added: 0.1.0
description:
  - Brings back objects archived in S3 Glacier Flexible Retrieval (C(GLACIER)), S3 Glacier Deep Archive
    (C(DEEP_ARCHIVE)), or the Archive Access / Deep Archive Access tiers of S3 Intelligent-Tiering, one object
    (O(key)) or every object under a O(prefix).
  - Decides from the listing and HeadObject alone (storage class, archive status and the C(x-amz-restore)
    header); an object's body is never downloaded to probe it.
  - Sends RestoreObject only for an object that is archived and has no restore running or done. A restored copy
    is never restored again, because a second request resets the copy's expiry to now + O(days), which can
    shorten it.
  - With O(sns_topic_arn), makes the bucket's event notifications send the restore events to that topic,
    adding to what is configured and keeping every other notification setting of the bucket as it was. This is
    done before any restore is sent; S3 says a change usually takes about five minutes to take effect, so
    restores sent right after a change may produce no event (set the notification up ahead of the restores, or
    use O(notification_wait)).
  - With O(state=restored), also waits until the restored copy is readable. Restores take minutes (Expedited)
    to two days (Deep Archive, Bulk); run such a task under C(async).
author:
  - s3async.restore contributors (@s3async)
options:
  key:
    description:
      - Key of the object to restore, as S3 names it (C(db/2026-11-01.dump), not C(s3://bucket/db/...); an
        C(s3://) URI is refused with the bucket and key to give instead).
      - Exactly one of O(key), O(prefix), O(keys) and O(manifest) is required.
    type: str
  prefix:
    description:
      - Restore every object whose key starts with this prefix (the current version of each). V("") means the
        whole bucket.
      - Objects are listed a page (1,000 keys) at a time and handled O(concurrency) at once; memory stays flat
        however many objects there are.
      - One object failing (access denied, say) does not stop the others. The task handles the rest, then fails
        listing the failed keys; a second run picks up where the first left off.
      - For tens of millions of objects, S3 Batch Operations runs the restores for you; see the collection's
        L(Scale guide,https://github.com/s3async/restore/blob/main/docs/scale.md).
      - A prefix that matches no object is not an error, but the task warns (keys are case-sensitive).
      - With O(versions) or O(version_at), the versions of these objects; the filters (O(storage_classes),
        O(min_size), O(include), ...) choose among them.
    type: str
  version_id:
    description:
      - Version of the object to restore, on a versioned bucket. The current version when omitted (an empty
        string is refused, since S3 would silently take the current version).
      - Only with O(key). For versions of several objects, give O(keys) entries with C(version_id), or O(versions).
    type: str
  state:
    description:
      - V(present) makes sure a restore has been requested (or is not needed) and returns at once.
      - V(restored) does the same, then waits until the object is readable, checking with a growing delay
        (O(wait_delay), doubling up to 15 minutes) until O(wait_timeout) seconds have passed. Each check costs
        whichever is cheaper for the objects still pending, a HeadObject each or (where the listing is trusted,
        see O(status_source)) one listing of the prefix.
    type: str
    choices: [present, restored]
    default: present
  days:
    description:
      - How many days the restored copy of a C(GLACIER) or C(DEEP_ARCHIVE) object stays readable. S3 keeps it
        until midnight UTC after request time + O(days).
      - Not sent for Intelligent-Tiering objects, which return to the Frequent Access tier and have no expiry
        (S3 rejects Days for them).
      - The default is 7, as in the design of the sample this collection grew from (its usage note said 1).
      - More than 365 days is allowed but warned about, as it is more likely a typo (700 for 7) than a retention,
        and a later run does not shorten copies already restored.
    type: int
    default: 7
  tier:
    description:
      - Retrieval tier. V(Expedited) (minutes) is not available for C(DEEP_ARCHIVE) objects nor for the
        Intelligent-Tiering Deep Archive Access tier; the module refuses it for them before sending anything,
        unless O(tier_fallback) names the tier to use for them.
    type: str
    choices: [Standard, Bulk, Expedited]
    default: Standard
  sns_topic_arn:
    description:
      - ARN of an SNS topic (not a subscription ARN, not a FIFO topic) that should receive the bucket's restore
        events, in the bucket's partition and region.
      - The bucket's notification configuration is read, the events in O(notification_events) are added to an
        unfiltered configuration for this topic (or a new one is added), and every other setting (queues,
        Lambda functions, other topics, EventBridge, keys unknown to this module) is kept exactly as it was.
      - Where an unfiltered addition would overlap another configuration for the same event types, which S3
        forbids, the narrowest configuration that covers what is restored is added instead (a prefix filter
        equal to O(prefix), to O(key), or to the longest prefix the O(keys) share; a O(manifest) run, and O(keys)
        that share no prefix, cover the whole bucket); only if that still overlaps is nothing written, and the task
        fails naming the configurations in the way.
      - S3 says a change of the notification configuration usually takes about five minutes to take effect, so
        the topic may get no C(s3:ObjectRestore:Post) event (and, for an Expedited restore, no
        C(s3:ObjectRestore:Completed) event) for restores sent right after it. Set the notification up ahead of
        the restores (an earlier run), or use O(notification_wait).
      - S3 tests every destination of the configuration on each write; if one cannot be reached, the task fails
        naming it, and shows the topic policy statement to add when the topic is this one.
      - With O(notification_state=absent), the topic whose configurations to remove; all of this collection's
        when omitted.
    type: str
  notification_events:
    description:
      - The restore events to send to O(sns_topic_arn). V(s3:ObjectRestore:Delete) tells when a restored copy
        has expired; V(s3:ObjectRestore:*) stands for all three, and is satisfied by a topic that already receives
        the three.
    type: list
    elements: str
    choices: ['s3:ObjectRestore:Post', 's3:ObjectRestore:Completed', 's3:ObjectRestore:Delete', 's3:ObjectRestore:*']
    default: ['s3:ObjectRestore:Post', 's3:ObjectRestore:Completed']
  notification_state:
    description:
      - V(present) makes the bucket send the events in O(notification_events) to O(sns_topic_arn) (nothing is
        done to the notification configuration without O(sns_topic_arn)).
      - V(absent) removes the topic configurations this collection added, recognised by their Id
        (C(s3async-restore-...)), for O(sns_topic_arn) when given, else all of them, each whole, and touches
        nothing else; restores are then sent as usual. Events this collection appended to someone else's
        configuration stay.
      - To move the restore events from one topic to another, run once with V(absent) and the old topic, then
        with V(present) and the new one; a V(present) run whose only obstacle is the earlier configuration for
        the old topic fails saying so.
    type: str
    choices: [present, absent]
    default: present
  notification_wait:
    description:
      - After this run changed the notification configuration, wait this many seconds before sending the
        first restore, so that the change has taken effect and the topic gets the events of these restores. S3
        says a change usually takes about five minutes, so V(300).
      - Nothing is waited for when the configuration was already as asked, in check mode, or when the one
        O(key) needs no restore.
    type: int
    default: 0
  wait_timeout:
    description:
      - With O(state=restored), how many seconds to wait for the object to become readable before failing.
      - The default, 12 hours, covers a Standard retrieval from every archive tier. Bulk retrievals from Deep
        Archive can take up to 48 hours (172800 seconds).
      - When it is shorter than the time AWS publishes for the slowest restore waited on (Bulk from Deep
        Archive, 48 hours, say), the task warns before it starts waiting.
    type: int
    default: 43200
  wait_delay:
    description:
      - With O(state=restored), seconds between the first two checks; the delay then doubles after every
        check, up to 15 minutes (or O(wait_delay), if that is larger).
      - Not used with O(wait_events=sqs), which listens to the restore events instead and sweeps every
        O(wait_sweep_interval) seconds.
    type: int
    default: 60
  wait_events:
    description:
      - How O(state=restored) learns that a restore finished.
      - V(none) checks the objects still pending with a growing delay (O(wait_delay)).
      - V(sqs) waits on the C(s3:ObjectRestore:Completed) events of exactly the objects pending, received from
        O(wait_queue_url) or, without it, from a queue the module creates for the run and subscribes to
        O(sns_topic_arn) (named C(s3async-restore-wait-...), with a policy that lets only that topic send to it;
        the queue and the subscription are removed when the task ends, failed or not; check mode creates
        nothing). An object is readable as soon as its event arrives, without a request to S3; an object read
        without a version ID, whose event names a version, is read again (HeadObject) first.
      - With O(sns_topic_arn), O(notification_events) must include C(s3:ObjectRestore:Completed) (or
        C(s3:ObjectRestore:*)).
      - Events are delivered at least once, may come late, twice or out of order, and the restores sent within
        about five minutes of a notification change may produce none. So duplicates and events for other
        objects change nothing, and a sweep (a HeadObject per object still pending, or a listing of the prefix,
        whichever costs less) runs at the start, every O(wait_sweep_interval) seconds and before a timeout is
        declared. A dropped event costs time, never a wrong answer.
      - C(s3:ObjectRestore:Delete) events (a restored copy expired) seen for these objects are warned about and
        noted in the object's RV(objects[].message).
      - Only with O(state=restored). See the collection's
        L(Waiting guide,https://github.com/s3async/restore/blob/main/docs/waiting.md) for the requests and the
        delay of each way.
      - Needs the IAM permissions C(sqs:ReceiveMessage), C(sqs:DeleteMessage), C(sqs:ChangeMessageVisibility) and
        C(sqs:GetQueueAttributes) on the queue; without O(wait_queue_url), also C(sqs:CreateQueue),
        C(sqs:SetQueueAttributes) and C(sqs:DeleteQueue) on C(s3async-restore-wait-*) queues, and
        C(sns:Subscribe) and C(sns:Unsubscribe) on the topic (C(sns:ConfirmSubscription) when the topic belongs
        to another account).
    type: str
    choices: [none, sqs]
    default: none
  wait_queue_url:
    description:
      - With O(wait_events=sqs), the URL of an SQS queue that receives the bucket's restore events, straight
        from S3, through an SNS topic (with or without raw message delivery) or through an EventBridge rule.
      - Messages about objects this task does not wait on are made visible again at once for the queue's other
        consumers and never deleted; the messages about its objects are deleted once read. Each receive counts
        toward a redrive policy's C(maxReceiveCount), the other consumers' messages included, so a queue with
        one is warned about; use a queue of its own for the wait, or leave O(wait_queue_url) out to get a
        temporary one.
      - Without it, O(sns_topic_arn) is required, and the module uses a queue of its own.
    type: str
  wait_sweep_interval:
    description:
      - With O(wait_events=sqs), seconds between two sweeps of the objects still pending (at least 60).
      - The default, 15 minutes, is the longest delay between two checks of O(wait_events=none), so an event S3
        never sends delays the answer no more than polling would, at a fraction of the requests.
    type: int
    default: 900
  max_restores:
    description:
      - The most restore requests one run may send; a guard for money. Archived objects beyond it are left as
        they are, and the task fails saying how many were held back; run it again to send the next batch.
      - In check mode, RV(summary.restore_requested) and RV(summary.by_storage_class) show how many requests
        would go and how many bytes they cover.
    type: int
  extend_expiry:
    description:
      - A restored C(GLACIER) or C(DEEP_ARCHIVE) copy that expires before now + O(days) gets a new restore
        request, which resets its expiry to now + O(days) (S3 answers 200). The only case where a restored object
        is sent a request.
      - When V(false), such an object is reported with its RV(objects[].expiry_date) and left alone.
    type: bool
    default: false
  upgrade_tier:
    description:
      - Send a restore request with O(tier) to objects whose restore is running, so that S3 speeds them up
        (a restore speed upgrade). Use the same O(days) as the running restore.
      - S3 does not tell which tier a running restore uses; it answers 409 when the running restore is already
        as fast, and the object is then reported unchanged. In check mode every running restore counts as a
        change.
    type: bool
    default: false
  tier_fallback:
    description:
      - With O(tier=Expedited), the tier to use for an object where Expedited cannot be had, so that one run
        restores a mixed prefix at Expedited where S3 allows it and at this tier elsewhere. That is, for
        objects in C(DEEP_ARCHIVE) or the Intelligent-Tiering Deep Archive Access tier, for which S3 offers no
        Expedited retrieval, and objects for which S3 has no Expedited capacity right now (503
        GlacierExpeditedRetrievalNotAvailable, after botocore's own retries).
      - The object's RV(objects[].tier) and a warning report it. Without it, such objects fail with a message
        saying so.
    type: str
    choices: [Standard, Bulk]
  batch_operations_threshold:
    description:
      - With O(prefix), stop listing once more than this many objects are found, and fail recommending
        M(s3async.restore.s3_restore_job) (S3 Batch Operations), rather than run for hours. Objects listed
        before the limit are handled as usual.
    type: int
attributes:
  action_group:
    support: full
    membership:
      - s3async.restore.aws
  check_mode:
    support: full
    details: Only reads are sent; RV(objects) and RV(summary) say what a real run would request.
  diff_mode:
    support: full
    details: The bucket's notification configuration and, for a O(key), the object's restore status, before and after.
  platform:
    support: N/A
    platforms: all
notes:
  - C(changed) is true exactly when a restore request or a notification configuration change was sent (or, in
    check mode, would be).
  - "Needs the IAM permissions C(s3:GetObject) (C(s3:GetObjectVersion) with O(version_id)), C(s3:RestoreObject),
    C(s3:ListBucket) (with O(prefix), and to tell a missing key from a denied one), and with O(sns_topic_arn)
    C(s3:GetBucketNotification) and C(s3:PutBucketNotification). The SNS topic's
    policy must allow C(s3.amazonaws.com) to C(SNS:Publish) for this bucket: the error message shows the
    statement to add when it does not."
  - With O(versions) or O(version_at), also C(s3:ListBucketVersions) on the bucket, and C(s3:GetObjectVersion)
    for the versions read; with a O(manifest) in S3, C(s3:GetObject) on the manifest object (for an S3 Inventory
    manifest, on its data files too).
  - PutBucketNotificationConfiguration replaces a bucket's whole notification configuration. The module re-reads
    the configuration right before writing it and again after, but another tool writing at the same moment can
    still lose its change or ours; S3 offers no conditional write for it.
  - Supports check mode (nothing is sent but reads) and diff mode (the notification configuration and, for a
    O(key), the object's status before and after; in check mode, after is what the restore would make of it).
  - A module that receives SIGTERM, SIGINT or SIGHUP (a CI job that times out, C(kill), Ctrl-C reaching it
    through C(ansible)) starts no new request, lets those in flight finish, and ends with the result so far.
    RV(interrupted) names the signal and RV(objects) / RV(summary) say what was sent. The controller may be gone
    by then, so run the task again (nothing is sent twice) or M(s3async.restore.s3_object_restore_info) to see
    where things stand. See the collection's L(Reliability guide,https://github.com/s3async/restore/blob/main/docs/reliability.md).
seealso:
  - name: Restoring an archived object
    description: The S3 User Guide on restore requests, tiers and the x-amz-restore header.
    link: https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects.html
  - name: ListObjectsV2 RestoreStatus
    description: The listing attribute that tells a GLACIER / DEEP_ARCHIVE object's restore state.
    link: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
  - module: s3async.restore.s3_object_restore_info
  - module: s3async.restore.s3_restore_job
    description: Restores of millions of objects, run by S3 Batch Operations.
  - module: amazon.aws.s3_object
  - name: Notification merge rules
    description: What the collection keeps, adds and removes in a bucket's notification configuration.
    link: https://github.com/s3async/restore/blob/main/docs/notifications.md
  - name: Waiting and its cost
    description: state=restored, async with async_status, and the requests each check costs.
    link: https://github.com/s3async/restore/blob/main/docs/waiting.md
  - name: Reliability
    description: Faults, bad input, interrupted runs, least privilege.
    link: https://github.com/s3async/restore/blob/main/docs/reliability.md
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - s3async.restore.s3_objects
  - s3async.restore.s3_objects.selection
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Request a restore of one archived object for 7 days (Standard tier)
  s3async.restore.s3_object_restore:
    bucket: backups
    key: db/2026-11-01.dump

- name: Restore with the Bulk tier for 3 days and route restore events to an SNS topic
  s3async.restore.s3_object_restore:
    bucket: backups
    key: db/2026-11-01.dump
    days: 3
    tier: Bulk
    sns_topic_arn: arn:aws:sns:us-east-1:123456789012:restore-events

- name: Restore a given version and wait until it can be read (up to 6 hours, in the background)
  s3async.restore.s3_object_restore:
    bucket: backups
    key: db/2026-11-01.dump
    version_id: 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY
    state: restored
    tier: Expedited
    wait_timeout: 21600
  async: 22000
  poll: 60

- name: Restore everything under a prefix, at most 5,000 requests this run; see what it would cost first
  s3async.restore.s3_object_restore:
    bucket: backups
    prefix: db/2026-11/
    tier: Bulk
    max_restores: 5000
  check_mode: true
  register: plan

- name: Show the bytes a Bulk restore would bring back, per storage class
  ansible.builtin.debug:
    var: plan.summary.by_storage_class

- name: Restore a prefix and wait for all of it, in the background, collected later
  s3async.restore.s3_object_restore:
    bucket: backups
    prefix: db/2026-11/
    state: restored
    wait_timeout: 172800
  async: 180000
  poll: 0
  register: restore_job

- name: Collect it
  ansible.builtin.async_status:
    jid: "{{ restore_job.ansible_job_id }}"
  register: restore_result
  until: restore_result.finished
  retries: 2880
  delay: 60

- name: Restore a prefix and wait on its restore events (a queue of its own on the topic, removed at the end)
  s3async.restore.s3_object_restore:
    bucket: backups
    prefix: db/2026-11/
    tier: Bulk
    state: restored
    wait_events: sqs
    sns_topic_arn: arn:aws:sns:us-east-1:123456789012:restore-events
    wait_timeout: 172800
  async: 180000
  poll: 0

- name: Wait on the restore events of a queue that already receives them, sweeping every 30 minutes
  s3async.restore.s3_object_restore:
    bucket: backups
    key: db/2026-11-01.dump
    state: restored
    wait_events: sqs
    wait_queue_url: https://sqs.us-east-1.amazonaws.com/123456789012/restore-events
    wait_sweep_interval: 1800

- name: Restore from a Requester Pays bucket owned by a known account
  s3async.restore.s3_object_restore:
    bucket: shared-archive
    key: exports/2024.parquet
    request_payer: true
    expected_bucket_owner: "111122223333"
  register: restore

- name: Show where the object stands
  ansible.builtin.debug:
    msg: "{{ restore.objects[0].key }} is {{ restore.objects[0].status }}"

- name: Restore the files an incident list names, one of them at a given version
  s3async.restore.s3_object_restore:
    bucket: backups
    keys:
      - db/2026-11-01.dump
      - db/2026-11-02.dump
      - key: etc/app.conf
        version_id: 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY

- name: Restore what a key list on the controller names (one key per line), delegated to the controller
  s3async.restore.s3_object_restore:
    bucket: backups
    manifest: /srv/incidents/4711-keys.txt
    manifest_format: lines
  delegate_to: localhost

- name: Restore the objects of an S3 Batch Operations CSV manifest kept in S3
  s3async.restore.s3_object_restore:
    bucket: backups
    manifest: s3://ops-manifests/restore/2026-11-24.csv

- name: Restore the Deep Archive objects an S3 Inventory report lists, if they are over 1 GB
  s3async.restore.s3_object_restore:
    bucket: backups
    manifest: s3://inventory-reports/backups/daily/2026-11-24T01-00Z/manifest.json
    storage_classes: [DEEP_ARCHIVE]
    min_size: 1 GB

- name: Restore every version of a folder on a versioned bucket (delete markers are skipped and counted)
  s3async.restore.s3_object_restore:
    bucket: backups
    prefix: etc/
    versions: all

- name: Restore a folder as it was last Tuesday at 18:00 UTC (see docs/runbook/restore-as-of-date.yml)
  s3async.restore.s3_object_restore:
    bucket: backups
    prefix: site/
    version_at: "2026-11-24T18:00:00Z"

- name: Restore the dumps of November, but not the test ones
  s3async.restore.s3_object_restore:
    bucket: backups
    prefix: db/
    include: ["db/2026-11-*.dump"]
    exclude: ["*/test-*"]
    modified_after: "2026-11-01T00:00:00Z"
    modified_before: "2026-12-01T00:00:00Z"
    max_size: 500 GiB
"""

RETURN = r"""
msg:
  description:
    - One line that says what was sent (would be, in check mode) and where every object stands, in counts per
      status and per storage class and in readable sizes. On failure, what went wrong and what to do.
  returned: always
  type: str
  sample: "s3://backups/db/2026-11/*: requested 700 restores (2.1 GiB); 1,050 objects (3.2 GiB): 700 in progress
    (2.1 GiB), 350 not archived (1.1 GiB); DEEP_ARCHIVE 350, GLACIER 350, STANDARD 350."
changed:
  description: Whether a restore request or a notification configuration change was sent (would be, in check mode).
  returned: always
  type: bool
  sample: true
objects:
  description:
    - The objects that need attention, with their state after the task (see O(list_objects)). Failures come first,
      then the objects a restore was requested for; with O(list_objects=all), then every other object. A O(key)
      run always lists its object.
    - Each group is sorted by key (then version), and holds at most O(max_results) entries.
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: The object's key.
      returned: always
      type: str
      sample: db/2026-11-01.dump
    version_id:
      description: The object's version ID, when the bucket is versioned or O(version_id) was given.
      returned: always
      type: str
      sample: 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY
    version_kind:
      description:
        - V(current) or V(noncurrent) - which version this is, as the listing of versions (or the inventory)
          said; V(current) for a O(prefix) listing of current versions and for a key read without version ID.
        - Null for a version named by its ID (O(version_id), or C(version_id) in O(keys) or a manifest), since
          HeadObject does not say whether it is the latest.
      returned: always
      type: str
      sample: current
    storage_class:
      description: The object's storage class (C(STANDARD) when S3 reports none).
      returned: always
      type: str
      sample: DEEP_ARCHIVE
    archive_status:
      description: The Intelligent-Tiering archive tier (C(ARCHIVE_ACCESS) or C(DEEP_ARCHIVE_ACCESS)), or null.
      returned: always
      type: str
      sample: null
    size:
      description: The object's size in bytes.
      returned: always
      type: int
      sample: 1048576
    status:
      description:
        - V(not_archived) (readable, nothing to restore), V(archived) (needs a restore), V(in_progress)
          (a restore is running) or V(restored) (a restored copy is readable).
        - Right after a restore request is accepted this is V(in_progress).
      returned: always
      type: str
      sample: in_progress
    expiry_date:
      description:
        - When the restored copy of a C(GLACIER) or C(DEEP_ARCHIVE) object expires (ISO 8601, UTC), when
          V(restored); null otherwise, and always for Intelligent-Tiering objects, which do not expire.
        - For an object V(archived) again because its restored copy expired, when the copy expired (S3
          deletes it then, asynchronously, so an expiry in the past never counts as readable).
      returned: always
      type: str
      sample: "2026-12-02T00:00:00Z"
    action:
      description:
        - V(restore_requested) when a RestoreObject request was sent (would be, in check mode), else V(none).
        - Besides archived objects, requests go to restored copies expiring too soon (O(extend_expiry)) and to
          running restores (O(upgrade_tier)); RV(objects[].message) says which.
      returned: always
      type: str
      sample: restore_requested
    tier:
      description: The retrieval tier of the request sent (O(tier_fallback) when it was used).
      returned: when RV(objects[].action) is V(restore_requested)
      type: str
      sample: Standard
    error:
      description: Why this object failed (the task then fails after handling the others).
      returned: when the object failed
      type: str
      sample: "Access denied: RestoreObject on s3://backups/db/1.dump needs the IAM permission s3:RestoreObject."
    message:
      description: What was found and done, in words.
      returned: always
      type: str
      sample: restore requested (tier Standard, 7 days)
    expected_ready_after:
      description:
        - For an object whose restore is in progress, the earliest time AWS's published retrieval times say it
          can be readable (ISO 8601, UTC), from the tier and time of the request this task sent.
        - For a restore this task did not request, whose tier and start are unknown, the time of the task.
      returned: when RV(objects[].status) is V(in_progress)
      type: str
      sample: "2026-12-02T06:00:00Z"
    expected_ready_before:
      description:
        - For an object whose restore is in progress, the latest time AWS's published retrieval times say it
          will be readable (ISO 8601, UTC), from the tier and time of the request this task sent.
        - For a restore this task did not request, now + the slowest tier's published time for the class
          (12 hours from C(GLACIER), 48 hours from C(DEEP_ARCHIVE)).
      returned: when RV(objects[].status) is V(in_progress)
      type: str
      sample: "2026-12-02T08:00:00Z"
    readable_at:
      description:
        - With O(wait_events=sqs), when the object became readable (ISO 8601, UTC). The time of its
          C(s3:ObjectRestore:Completed) event, or, for an object found readable by a sweep, the time of the sweep.
      returned: when O(wait_events=sqs) and the object became readable while waiting
      type: str
      sample: "2026-12-02T07:12:09Z"
objects_truncated:
  description: Whether O(max_results) left out objects that O(list_objects) would list (RV(summary) still counts them).
  returned: always
  type: bool
  sample: false
interrupted:
  description: The signal (C(SIGTERM), C(SIGINT) or C(SIGHUP)) that stopped the run; RV(objects) and RV(summary) say what was sent.
  returned: when a signal stopped the run
  type: str
  sample: SIGTERM
summary:
  description: Counts over every object the task looked at, including those left out of RV(objects).
  returned: always
  type: dict
  contains:
    total:
      description: Objects looked at.
      returned: always
      type: int
      sample: 1
    bytes:
      description: Total size of the objects looked at, in bytes.
      returned: always
      type: int
      sample: 1048576
    not_archived:
      description: Objects that were readable without a restore.
      returned: always
      type: int
      sample: 0
    archived:
      description: Objects archived with no restore requested (only in check mode, or after a failure).
      returned: always
      type: int
      sample: 0
    in_progress:
      description: Objects whose restore is running.
      returned: always
      type: int
      sample: 1
    restored:
      description: Objects with a readable restored copy.
      returned: always
      type: int
      sample: 0
    restore_requested:
      description: Restore requests sent by this task (would be sent, in check mode).
      returned: always
      type: int
      sample: 1
    restore_requested_bytes:
      description: Total size of the objects counted in RV(summary.restore_requested).
      returned: always
      type: int
      sample: 1048576
    bytes_by_status:
      description: Total size in bytes of the objects in each status.
      returned: always
      type: dict
      sample: {"not_archived": 0, "archived": 0, "in_progress": 1048576, "restored": 0}
    failed:
      description: Objects that could not be handled (each has an RV(objects[].error)).
      returned: always
      type: int
      sample: 0
    by_version_kind:
      description: Objects per version kind (RV(objects[].version_kind)), C(current) and C(noncurrent); a version
        named by its ID is in neither.
      returned: always
      type: dict
      sample: {"current": 3, "noncurrent": 2}
    counted_out:
      description:
        - Objects the filters left out, per filter (C(include), C(exclude), C(storage_classes), C(min_size),
          C(max_size), C(modified_after), C(modified_before)); nothing was sent for them.
      returned: always
      type: dict
      sample: {"include": 0, "exclude": 12, "storage_classes": 40, "min_size": 0, "max_size": 0,
               "modified_after": 0, "modified_before": 0}
    delete_markers_skipped:
      description: Delete markers met among the versions asked for (O(versions), an inventory manifest), skipped.
      returned: always
      type: int
      sample: 0
    absent_at_version_at:
      description: With O(version_at), keys that did not exist yet at that moment (named in a warning).
      returned: always
      type: int
      sample: 0
    deleted_at_version_at:
      description: With O(version_at), keys whose version at that moment was a delete marker (named in a warning).
      returned: always
      type: int
      sample: 0
    by_storage_class:
      description:
        - Per storage class, the same counts as at the top of RV(summary) for the objects of that class
          (C(total), C(bytes), C(not_archived), C(archived), C(in_progress), C(restored), C(restore_requested),
          C(restore_requested_bytes)).
      returned: always
      type: dict
      sample: {"DEEP_ARCHIVE": {"total": 1, "bytes": 1048576, "not_archived": 0, "archived": 0, "in_progress": 1,
               "restored": 0, "restore_requested": 1, "restore_requested_bytes": 1048576}}
    readable_by_event:
      description: With O(wait_events=sqs), objects that became readable while waiting, told by their restore event.
      returned: when O(wait_events=sqs) and objects were waited on
      type: int
      sample: 998
    readable_by_sweep:
      description:
        - With O(wait_events=sqs), objects that became readable while waiting, found by a sweep (their event was
          late, dropped, or never sent).
      returned: when O(wait_events=sqs) and objects were waited on
      type: int
      sample: 2
failed_keys:
  description: Keys of the objects that failed (the first 100).
  returned: when objects failed
  type: list
  elements: str
  sample: ["db/1.dump"]
pending_keys:
  description: Keys still not readable when O(wait_timeout) ran out (the first 100).
  returned: when O(state=restored) timed out
  type: list
  elements: str
  sample: ["db/1.dump"]
notification_conflicts:
  description: The existing notification configurations that the restore events would overlap.
  returned: when the task failed because of an overlap
  type: list
  elements: dict
  sample: [{"id": "all-restores", "destination_type": "queue", "events": ["s3:ObjectRestore:*"]}]
notification:
  description: What was done to the bucket's notification configuration.
  returned: when O(sns_topic_arn) is given, or O(notification_state=absent)
  type: dict
  contains:
    topic_arn:
      description: The topic (null with O(notification_state=absent) and no O(sns_topic_arn)).
      returned: always
      type: str
      sample: arn:aws:sns:us-east-1:123456789012:restore-events
    events:
      description:
        - The restore events the topic is configured to receive for the keys restored, as configured
          (V(s3:ObjectRestore:*) when the wildcard is configured, its members when they are), sorted.
        - With O(notification_state=absent), those the topic still receives from configurations this collection
          did not add (none without O(sns_topic_arn)).
      returned: always
      type: list
      elements: str
      sample: ["s3:ObjectRestore:Completed", "s3:ObjectRestore:Post"]
    action:
      description:
        - V(none) when the configuration was already as asked, V(appended) when the events were added to an
          existing unfiltered configuration for the topic, V(added) when a new configuration was added (with a
          prefix filter when an unfiltered one would have overlapped another), V(removed) when this
          collection's configurations were removed (O(notification_state=absent)).
      returned: always
      type: str
      sample: added
    configuration_id:
      description: The Id of the topic configuration that carries the events ("" with O(notification_state=absent)).
      returned: always
      type: str
      sample: s3async-restore-restore-events
    removed:
      description: The Ids of the configurations removed (would be, in check mode).
      returned: when O(notification_state=absent)
      type: list
      elements: str
      sample: ["s3async-restore-restore-events"]
    changed:
      description:
        - Whether the configuration was written (would be, in check mode).
        - Once written, it stays true even when the task fails afterwards.
      returned: always
      type: bool
      sample: true
waited:
  description: Seconds spent waiting for the objects to become readable.
  returned: when O(state=restored)
  type: float
  sample: 3600.5
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.s3async.restore.plugins.module_utils import notification_input
from ansible_collections.s3async.restore.plugins.module_utils import options
from ansible_collections.s3async.restore.plugins.module_utils import restore_events
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils import restore_task

ARGUMENT_SPEC = options.s3_objects_argument_spec(
    **options.selection_options(),
    state=dict(type="str", default="present", choices=["present", "restored"]),
    days=dict(type="int", default=7),
    tier=dict(type="str", default="Standard", choices=list(restore_state.TIERS)),
    sns_topic_arn=dict(type="str"),
    notification_events=dict(
        type="list", elements="str", default=list(notification_input.DEFAULT_RESTORE_EVENTS),
        choices=list(notification_input.RESTORE_EVENTS) + [notification_input.RESTORE_WILDCARD],
    ),
    notification_state=dict(type="str", default="present", choices=["present", "absent"]),
    notification_wait=dict(type="int", default=0),
    wait_timeout=dict(type="int", default=43200),
    wait_delay=dict(type="int", default=60),
    wait_events=dict(type="str", default=restore_events.WAIT_EVENTS_NONE, choices=list(restore_events.WAIT_EVENTS_CHOICES)),
    wait_queue_url=dict(type="str"),
    wait_sweep_interval=dict(type="int", default=restore_events.DEFAULT_SWEEP_INTERVAL),
    max_restores=dict(type="int"),
    extend_expiry=dict(type="bool", default=False),
    upgrade_tier=dict(type="bool", default=False),
    tier_fallback=dict(type="str", choices=["Standard", "Bulk"]),
    batch_operations_threshold=dict(type="int"),
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **options.SOURCE_RULES)
    restore_task.restore_module(module)


if __name__ == "__main__":
    main()
