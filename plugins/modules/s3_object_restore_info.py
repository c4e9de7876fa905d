#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: s3_object_restore_info
short_description: Report where archived Amazon S3 objects stand, one key or a whole prefix
version_added: 0.1.0
description:
  - For each object, its storage class, Intelligent-Tiering archive tier, restore status (V(not_archived),
    V(archived), V(in_progress) or V(restored)), the expiry of a restored copy, and its size; and a summary of
    counts and bytes per status and per storage class.
  - Reads only; never changes anything, so C(changed) is always false. Usable in C(until) loops.
  - Shares its classification and listing with M(s3async.restore.s3_object_restore), including
    O(status_source), so a prefix of 100,000 GLACIER objects costs 100 listing requests on AWS.
author:
  - s3async.restore contributors (@s3async)
options:
  key:
    description:
      - Key of one object. Exactly one of O(key), O(prefix), O(keys) and O(manifest) is required.
    type: str
  prefix:
    description:
      - Report every object whose key starts with this prefix (the current version of each); V("") means the
        whole bucket.
    type: str
  version_id:
    description:
      - Version of the object, with O(key). The current version when omitted.
    type: str
attributes:
  action_group:
    support: full
    membership:
      - s3async.restore.aws
  check_mode:
    support: full
    details: The module only reads, so a check-mode run returns the same result as a normal one.
  diff_mode:
    support: N/A
    details: The module changes nothing, so there is no difference to show.
  platform:
    support: N/A
    platforms: all
notes:
  - Needs C(s3:GetObject) (C(s3:GetObjectVersion) with O(version_id)), and C(s3:ListBucket) with O(prefix).
  - With O(versions) or O(version_at), also C(s3:ListBucketVersions) on the bucket, and C(s3:GetObjectVersion)
    for the versions read; with a O(manifest) in S3, C(s3:GetObject) on the manifest object (for an S3 Inventory
    manifest, on its data files too).
seealso:
  - module: s3async.restore.s3_object_restore
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
- name: Where does one object stand?
  s3async.restore.s3_object_restore_info:
    bucket: backups
    key: db/2026-11-01.dump
  register: info

- name: Wait (up to 12 hours, checking every 10 minutes) until a whole prefix is readable
  s3async.restore.s3_object_restore_info:
    bucket: backups
    prefix: db/2026-11/
  register: info
  # The summary counts every object; the list in objects stays short (max_results). A prefix that matched
  # nothing is not "all readable": matched_nothing keeps the loop going (and the module warns).
  until: not info.summary.matched_nothing and info.summary.archived + info.summary.in_progress == 0
  retries: 72
  delay: 600

- name: Bytes still archived, per storage class
  ansible.builtin.debug:
    msg: "{{ item.key }}: {{ item.value.archived }} archived objects, {{ item.value.bytes }} bytes in all"
  loop: "{{ info.summary.by_storage_class | dict2items }}"
  loop_control:
    label: "{{ item.key }}"

- name: Where do the non-current versions of a folder stand?
  s3async.restore.s3_object_restore_info:
    bucket: backups
    prefix: etc/
    versions: noncurrent
    list_objects: all

- name: Where do the objects of a key list stand, as they were on a date, larger than 10 MiB only?
  s3async.restore.s3_object_restore_info:
    bucket: backups
    keys: [site/index.html, site/app.js, site/data.bin]
    version_at: "2026-11-24T18:00:00Z"
    min_size: 10 MiB
"""

RETURN = r"""
changed:
  description: Always false.
  returned: always
  type: bool
  sample: false
msg:
  description: One line that says where every object stands, in counts per status and per storage class and in
    readable sizes (or, on failure, what went wrong).
  returned: always
  type: str
  sample: "s3://backups/db/2026-11/*: 3 objects (3.0 MiB): 1 in progress (1.0 MiB), 2 restored (2.0 MiB); GLACIER 3."
objects:
  description:
    - The objects that need attention (see O(list_objects)). First those that could not be read, then those that
      cannot be read yet (archived or in progress); with O(list_objects=all), every object. A O(key) run always lists its
      object. Each group is sorted by key (then version) and holds at most O(max_results) entries.
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
      description: The version ID, when known (read with O(key), or from a HeadObject).
      returned: always
      type: str
      sample: null
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
      description: The storage class (C(STANDARD) when S3 reports none).
      returned: always
      type: str
      sample: GLACIER
    archive_status:
      description: The Intelligent-Tiering archive tier, or null.
      returned: always
      type: str
      sample: null
    size:
      description: Size in bytes.
      returned: always
      type: int
      sample: 1048576
    status:
      description: V(not_archived), V(archived), V(in_progress) or V(restored).
      returned: always
      type: str
      sample: restored
    expiry_date:
      description:
        - When a restored C(GLACIER) / C(DEEP_ARCHIVE) copy expires (ISO 8601, UTC), else null.
        - For an object V(archived) again because its restored copy expired, when it expired.
      returned: always
      type: str
      sample: "2026-12-02T00:00:00Z"
    message:
      description: The state in words.
      returned: always
      type: str
      sample: "restored: the copy is readable until 2026-12-02T00:00:00Z"
    expected_ready_after:
      description:
        - For an object whose restore is in progress, the earliest time it can be readable (ISO 8601, UTC). S3
          does not say which tier a running restore uses nor when it was requested, so this is the time of the
          report.
      returned: when RV(objects[].status) is V(in_progress)
      type: str
      sample: "2026-12-02T03:00:00Z"
    expected_ready_before:
      description:
        - For an object whose restore is in progress, the time by which AWS's published retrieval times say it
          will be readable (ISO 8601, UTC). The tier and start of a running restore are unknown, so this is the
          time of the report + the slowest tier's published time for the class (12 hours from C(GLACIER) and the
          Archive Access tier, 48 hours from C(DEEP_ARCHIVE) and the Deep Archive Access tier); a restore that
          started earlier is ready sooner.
      returned: when RV(objects[].status) is V(in_progress)
      type: str
      sample: "2026-12-04T03:00:00Z"
    error:
      description: Why the object could not be read.
      returned: when reading the object failed
      type: str
      sample: "Access denied: HeadObject on s3://backups/db/1.dump needs the IAM permission s3:GetObject."
objects_truncated:
  description: Whether O(max_results) left out objects that O(list_objects) would list.
  returned: always
  type: bool
  sample: false
summary:
  description: Counts and bytes over every object.
  returned: always
  type: dict
  contains:
    total:
      description: Objects.
      returned: always
      type: int
      sample: 3
    bytes:
      description: Their total size.
      returned: always
      type: int
      sample: 3145728
    not_archived:
      description: Objects readable without a restore.
      returned: always
      type: int
      sample: 1
    archived:
      description: Objects that need a restore.
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
      sample: 1
    bytes_by_status:
      description: Total size per status.
      returned: always
      type: dict
      sample: {"not_archived": 1048576, "archived": 0, "in_progress": 1048576, "restored": 1048576}
    failed:
      description: Objects that could not be read (their entries carry an RV(objects[].error)).
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
      description: Per storage class, C(total), C(bytes) and the count per status.
      returned: always
      type: dict
      sample: {"GLACIER": {"total": 2, "bytes": 2097152, "not_archived": 0, "archived": 0, "in_progress": 1, "restored": 1}}
    matched_nothing:
      description:
        - True when the O(prefix) matched no object (a typo, or a case that differs, since keys are
          case-sensitive); the task also warns. An C(until) loop on the counts should test it, or it ends at once.
        - Also true when O(prefix), O(keys) or O(manifest) selected no object (the filters, O(versions) or
          O(version_at) left none).
      returned: always
      type: bool
      sample: false
    expected_ready_before:
      description:
        - The latest RV(objects[].expected_ready_before) over every object in progress (also those left out of
          RV(objects)), so that an operator can say "ready by" for the whole selection; null when none is in
          progress.
      returned: always
      type: str
      sample: "2026-12-04T03:00:00Z"
failed_keys:
  description: Keys that could not be read (the first 100); the task then fails.
  returned: when objects failed
  type: list
  elements: str
  sample: ["db/1.dump"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.s3async.restore.plugins.module_utils import options
from ansible_collections.s3async.restore.plugins.module_utils import report_task

ARGUMENT_SPEC = options.s3_objects_argument_spec(**options.selection_options())


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **options.SOURCE_RULES)
    report_task.report_module(module)


if __name__ == "__main__":
    main()
