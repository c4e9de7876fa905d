#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: s3_object_unarchive
short_description: Make restored Amazon S3 objects permanent, copying them out of the archive classes
version_added: 0.1.0
description:
  - A restored copy of a C(GLACIER) or C(DEEP_ARCHIVE) object is temporary; when its days run out the object is
    archived again. This module copies restored objects into a class that needs no restore (O(storage_class)),
    in place or into another bucket or prefix, one object (O(key)), every object under a O(prefix), the objects
    a list (O(keys)) or a O(manifest) names, the versions of a past moment (O(version_at)), and only those the
    filters keep (O(storage_classes), O(min_size), O(include), ...), as M(s3async.restore.s3_object_restore)
    selects them.
  - Only readable objects are copied, restored C(GLACIER) / C(DEEP_ARCHIVE) copies, and Intelligent-Tiering objects
    when the copy goes elsewhere. Objects still archived or being restored are reported as pending, not failed;
    O(request_restores) sends the restores they need first, and O(wait_timeout) waits for them and copies each
    one as it becomes readable.
  - Nothing of the object is lost. User metadata and content headers, tags, the SSE-KMS key (which CopyObject does
    not carry over by itself) and bucket key setting, the checksum algorithm, Object Lock retention and legal
    hold, and ACL grants (where the bucket uses ACLs) are kept. An object encrypted with a customer-provided key
    (SSE-C) is refused with the reason.
  - Objects over 5 GiB (CopyObject's limit) are copied with a multipart copy (UploadPartCopy, parts copied in
    parallel), up to 5 TiB.
  - Idempotent. In place, a copied object is no longer archived, so a second run copies nothing. Elsewhere, the
    copy records its source (ETag and version ID) in its metadata, and an object whose destination already holds
    it (same size and recorded source) is skipped. A destination that holds another object is never overwritten.
  - Nothing is ever deleted. On a versioned bucket an in-place copy adds a new current version and the archived
    version stays, still billed; the task warns, and the collection's
    L(unarchive guide,https://github.com/s3async/restore/blob/main/docs/unarchive.md) shows the lifecycle rule
    that removes such versions.
author:
  - s3async.restore contributors (@s3async)
options:
  key:
    description:
      - Key of the object to copy, as S3 names it (not an C(s3://) URI).
      - Exactly one of O(key), O(prefix), O(keys) and O(manifest) is required.
    type: str
  prefix:
    description:
      - Copy every readable object whose key starts with this prefix (the current version of each). V("") means
        the whole bucket.
      - Objects are listed a page (1,000 keys) at a time and copied O(concurrency) at once; memory stays flat.
      - One object failing does not stop the others; the task fails at the end listing the failed keys.
      - With O(version_at), the versions of these objects at that moment; the filters choose among them.
    type: str
  version_id:
    description:
      - Version of the object to copy, on a versioned bucket. Only with O(key). For versions of several objects,
        give O(keys) entries with C(version_id), or O(version_at).
      - A copy is a new current version of its destination key. So in place (no O(destination_bucket) nor
        O(destination_prefix)) only the current version is copied; a noncurrent one fails with the reason
        (copied in place it would become the current version, over the one readers see now). The same holds for
        the versions O(keys) and O(manifest) name.
    type: str
  storage_class:
    description:
      - The storage class of the copies, one that needs no restore.
    type: str
    choices: [STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR]
    default: STANDARD
  destination_bucket:
    description:
      - The bucket the copies go to. The same bucket when omitted (with O(destination_prefix) omitted too, the
        objects are copied in place).
    type: str
  destination_prefix:
    description:
      - Replaces the selection's prefix at the start of each destination key (for a O(key), the key's folder, up
        to its last C(/)). The selection's own prefix when omitted.
      - For example O(prefix=db/2026-11/) with O(destination_prefix=kept/db/) copies C(db/2026-11/a.dump) to
        C(kept/db/a.dump).
      - O(keys) and O(manifest) have no prefix, so O(destination_prefix) is put in front of each whole key;
        O(destination_prefix=kept/) copies C(db/a.dump) to C(kept/db/a.dump). Omitted, each copy keeps its key.
      - Required, or O(destination_bucket), with O(version_at), whose versions of a past moment would otherwise
        become the current versions in place.
      - In the same bucket, a O(destination_prefix) inside O(prefix) (O(prefix=a/) with
        O(destination_prefix=a/copy/)) is refused before any call, as each run would select the copies of the one
        before and copy them into themselves.
    type: str
  request_restores:
    description:
      - First send the restore requests that are needed, with the rules and options of
        M(s3async.restore.s3_object_restore) (O(days), O(tier), O(tier_fallback), O(max_restores)). Restored
        copies are never sent a second request.
      - The objects whose restore starts are pending; O(wait_timeout) waits for them.
    type: bool
    default: false
  days:
    description:
      - With O(request_restores), how many days the restored copies stay readable (long enough for the copy).
    type: int
    default: 7
  tier:
    description:
      - With O(request_restores), the retrieval tier.
    type: str
    choices: [Standard, Bulk, Expedited]
    default: Standard
  tier_fallback:
    description:
      - With O(request_restores) and O(tier=Expedited), the tier for objects where Expedited cannot be had (see
        M(s3async.restore.s3_object_restore)).
    type: str
    choices: [Standard, Bulk]
  max_restores:
    description:
      - With O(request_restores), the most restore requests one run may send; a guard for money.
    type: int
  wait_timeout:
    description:
      - Seconds to wait for the objects whose restore is running, copying each as it becomes readable. V(0)
        waits for none; they are reported as pending and copied by a later run.
      - Restores take minutes (Expedited) to 48 hours (Deep Archive, Bulk); run a long wait under C(async).
    type: int
    default: 0
  wait_delay:
    description:
      - Seconds between the first two checks while waiting; the delay then doubles, up to 15 minutes.
    type: int
    default: 60
attributes:
  action_group:
    support: full
    membership:
      - s3async.restore.aws
  check_mode:
    support: full
    details: Only reads are sent; RV(objects) and RV(summary) say what would be copied where, in counts and bytes per class.
  diff_mode:
    support: full
    details: Each listed object copied (would be), with its storage class before and its copy's after.
  platform:
    support: N/A
    platforms: all
notes:
  - C(changed) is true exactly when a copy or a restore request was made (or, in check mode, would be).
  - "Needs the IAM permissions C(s3:GetObject) and C(s3:ListBucket) on the source (C(s3:ListBucketVersions) with
    O(version_at); on a versioned bucket, where
    the copy names the version it read, C(s3:GetObjectVersion), C(s3:GetObjectVersionTagging) and
    C(s3:GetObjectVersionAcl) too), C(s3:PutObject) on the destination, C(s3:GetObjectTagging) on the source and
    C(s3:PutObjectTagging) on the destination (tags are copied), C(s3:GetBucketOwnershipControls) and
    C(s3:GetBucketObjectLockConfiguration) on the source bucket; where it uses ACLs, C(s3:GetObjectAcl) and
    C(s3:PutObjectAcl); where it has Object Lock, C(s3:GetObjectRetention) and C(s3:GetObjectLegalHold) (and
    C(s3:PutObjectRetention), C(s3:PutObjectLegalHold) on the destination); C(s3:AbortMultipartUpload) for a failed multipart copy; C(kms:Decrypt) and
    C(kms:GenerateDataKey) on the key of SSE-KMS objects; C(s3:RestoreObject) with O(request_restores). An
    access-denied message names the permission a call lacks."
  - O(versions=all) and O(versions=noncurrent) are refused, since several versions of a key would be copied to
    one destination key; use O(version_at) into another bucket or prefix for a folder as it was at a moment, or
    O(keys) entries with C(version_id). Two O(keys) entries for one key are refused for the same reason; two
    O(manifest) rows naming versions of one key into one destination fail the second (nothing is overwritten).
  - Requests per object copied, one HeadObject of the source (it serves both the read of the object's state and
    the copy), one of the destination elsewhere, and one CopyObject;
    a multipart copy adds CreateMultipartUpload, one UploadPartCopy per part and CompleteMultipartUpload. Per run,
    GetBucketOwnershipControls and GetObjectLockConfiguration once; per object, GetObjectAcl where the bucket uses
    ACLs, and GetObjectRetention and GetObjectLegalHold where it has Object Lock and HeadObject did not show them.
  - A module that receives SIGTERM, SIGINT or SIGHUP starts no new copy, lets those in flight finish, and ends with
    the result so far; run the task again to finish (nothing is copied twice).
seealso:
  - name: Working with archived objects
    description: The S3 User Guide on archived objects and their temporary restored copies.
    link: https://docs.aws.amazon.com/AmazonS3/latest/userguide/archived-objects.html
  - name: CopyObject
    description: What a copy keeps and what it must be told.
    link: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
  - module: s3async.restore.s3_object_restore
  - module: s3async.restore.s3_object_restore_info
  - name: Unarchive guide
    description: What is kept, idempotency, versioned buckets and the lifecycle rule, permissions.
    link: https://github.com/s3async/restore/blob/main/docs/unarchive.md
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
- name: Make a restored object permanent, in place (STANDARD)
  s3async.restore.s3_object_unarchive:
    bucket: backups
    key: db/2026-11-01.dump

- name: See what copying a restored prefix to another bucket would do
  s3async.restore.s3_object_unarchive:
    bucket: backups
    prefix: db/2026-11/
    destination_bucket: backups-restored
    storage_class: STANDARD_IA
  check_mode: true
  register: plan

- name: Show the bytes that would be copied, per storage class
  ansible.builtin.debug:
    var: plan.summary.by_storage_class

- name: Restore what is archived, wait, and copy each object as it becomes readable (in the background)
  s3async.restore.s3_object_unarchive:
    bucket: backups
    prefix: db/2026-11/
    destination_bucket: backups-restored
    destination_prefix: db/2026-11/
    request_restores: true
    tier: Bulk
    wait_timeout: 172800
  async: 180000
  poll: 0
  register: unarchive_job

- name: Keep the files an incident list names, in place
  s3async.restore.s3_object_unarchive:
    bucket: backups
    keys:
      - db/2026-11-01.dump
      - etc/app.conf

- name: Keep the objects an S3 Batch Operations CSV manifest names, under kept/ in another bucket
  s3async.restore.s3_object_unarchive:
    bucket: backups
    manifest: s3://ops-manifests/restore/2026-11-24.csv
    destination_bucket: backups-restored
    destination_prefix: kept/

- name: Make a folder as it was last Tuesday at 18:00 UTC permanent, into another prefix (see docs/unarchive.md)
  s3async.restore.s3_object_unarchive:
    bucket: backups
    prefix: site/
    version_at: "2026-11-24T18:00:00Z"
    destination_prefix: site-2026-11-24/

- name: Keep only the Deep Archive dumps of November over 1 GB
  s3async.restore.s3_object_unarchive:
    bucket: backups
    prefix: db/
    storage_classes: [DEEP_ARCHIVE]
    min_size: 1 GB
    include: ["db/2026-11-*.dump"]
    destination_bucket: backups-restored
"""

RETURN = r"""
msg:
  description:
    - One line that says what was copied (would be, in check mode) where, what is pending, and where every object
      stands, in counts per status and per storage class and in readable sizes.
  returned: always
  type: str
  sample: "s3://backups/db/2026-11/*: copied 700 objects (2.1 GiB) to STANDARD in place; 3 pending (archived or
    being restored); 1,053 objects (3.2 GiB): 3 archived (1.5 KiB), 700 restored (2.1 GiB), 350 not archived
    (1.1 GiB); DEEP_ARCHIVE 353, GLACIER 350, STANDARD 350."
changed:
  description: Whether a copy or a restore request was made (would be, in check mode).
  returned: always
  type: bool
  sample: true
objects:
  description:
    - The objects that need attention (see O(list_objects)), failures first, then those a restore was requested
      for, then those copied and pending. A O(key) run always lists its object.
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
      description: The object's version ID, when known.
      returned: always
      type: str
      sample: null
    version_kind:
      description:
        - V(current) or V(noncurrent), as the listing of versions (or the inventory) said; V(current) for a
          O(prefix) listing of current versions and for a key read without version ID.
        - Null for a version named by its ID, since HeadObject does not say whether it is the latest.
      returned: always
      type: str
      sample: current
    storage_class:
      description: The source object's storage class (C(STANDARD) when S3 reports none).
      returned: always
      type: str
      sample: DEEP_ARCHIVE
    archive_status:
      description: The Intelligent-Tiering archive tier, or null.
      returned: always
      type: str
      sample: null
    size:
      description: The object's size in bytes.
      returned: always
      type: int
      sample: 1048576
    status:
      description: The source's restore status as read, V(not_archived), V(archived), V(in_progress) or V(restored).
      returned: always
      type: str
      sample: restored
    expiry_date:
      description: When the restored copy expires (ISO 8601, UTC), or null.
      returned: always
      type: str
      sample: "2026-12-02T00:00:00Z"
    action:
      description: V(copied) when a copy was made (would be, in check mode), V(restore_requested) when a restore was sent, else V(none).
      returned: always
      type: str
      sample: copied
    copy_status:
      description:
        - V(copied) (would be, in check mode), V(already_copied) (the destination holds it), V(pending) (archived
          or being restored), or V(not_needed) (readable without a restore, or not copied in place).
      returned: unless the object failed
      type: str
      sample: copied
    destination:
      description: Where the copy is (would be), as an C(s3://) URI.
      returned: when a copy was considered
      type: str
      sample: s3://backups/db/2026-11-01.dump
    destination_storage_class:
      description: The copy's storage class.
      returned: when a copy was considered
      type: str
      sample: STANDARD
    destination_version_id:
      description: The copy's version ID on a versioned bucket, else null.
      returned: when a copy was made
      type: str
      sample: null
    tier:
      description: The retrieval tier of the restore request sent.
      returned: when RV(objects[].action) is V(restore_requested)
      type: str
      sample: Standard
    error:
      description: Why this object failed (the task then fails after handling the others).
      returned: when the object failed
      type: str
      sample: "Access denied: CopyObject on s3://backups/a to s3://backups/a needs the IAM permission s3:PutObject."
    message:
      description: What was found and done, in words.
      returned: always
      type: str
      sample: copied to s3://backups/db/2026-11-01.dump (STANDARD)
objects_truncated:
  description: Whether O(max_results) left out objects that O(list_objects) would list.
  returned: success
  type: bool
  sample: false
summary:
  description:
    - Counts over every object the task looked at, as in M(s3async.restore.s3_object_restore) (C(total),
      C(bytes), C(not_archived), C(archived), C(in_progress), C(restored), C(restore_requested),
      C(restore_requested_bytes), C(bytes_by_status), C(failed), C(by_storage_class)), and the copy counts
      below, overall and in each C(by_storage_class) entry.
  returned: always
  type: dict
  contains:
    copied:
      description: Objects copied (would be, in check mode).
      returned: always
      type: int
      sample: 700
    copied_bytes:
      description: Total size of the objects counted in RV(summary.copied).
      returned: always
      type: int
      sample: 2254857830
    already_copied:
      description: Objects whose destination already held them.
      returned: always
      type: int
      sample: 0
    pending:
      description: Objects archived or being restored, left for a later run (or still pending when O(wait_timeout) ran out).
      returned: always
      type: int
      sample: 3
    not_needed:
      description: Objects that needed no copy.
      returned: always
      type: int
      sample: 350
    by_version_kind:
      description: Objects per version kind (RV(objects[].version_kind)), C(current) and C(noncurrent); a version
        named by its ID is in neither.
      returned: always
      type: dict
      sample: {"current": 3, "noncurrent": 0}
    counted_out:
      description:
        - Objects the filters left out, per filter (C(include), C(exclude), C(storage_classes), C(min_size),
          C(max_size), C(modified_after), C(modified_before)); nothing was copied or sent for them.
      returned: always
      type: dict
      sample: {"include": 0, "exclude": 12, "storage_classes": 40, "min_size": 0, "max_size": 0,
               "modified_after": 0, "modified_before": 0}
    delete_markers_skipped:
      description: Delete markers met among the versions of an inventory manifest, skipped.
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
failed_keys:
  description: Keys of the objects that failed (the first 100).
  returned: when objects failed
  type: list
  elements: str
  sample: ["db/1.dump"]
waited:
  description: Seconds spent waiting for restores to finish.
  returned: when objects were waited for
  type: float
  sample: 3600.5
interrupted:
  description: The signal that stopped the run.
  returned: when a signal stopped the run
  type: str
  sample: SIGTERM
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.s3async.restore.plugins.module_utils import copy_plan
from ansible_collections.s3async.restore.plugins.module_utils import options
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils import unarchive_task

ARGUMENT_SPEC = options.s3_objects_argument_spec(
    **options.selection_options(),
    storage_class=dict(type="str", default="STANDARD", choices=list(copy_plan.TARGET_CLASSES)),
    destination_bucket=dict(type="str"),
    destination_prefix=dict(type="str"),
    request_restores=dict(type="bool", default=False),
    days=dict(type="int", default=7),
    tier=dict(type="str", default="Standard", choices=list(restore_state.TIERS)),
    tier_fallback=dict(type="str", choices=["Standard", "Bulk"]),
    max_restores=dict(type="int"),
    wait_timeout=dict(type="int", default=0),
    wait_delay=dict(type="int", default=60),
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **options.SOURCE_RULES)
    unarchive_task.unarchive_module(module)


if __name__ == "__main__":
    main()
