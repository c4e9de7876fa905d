# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The per-object result record of the object modules and the bounded collector of a run. Pure (no boto3).

Each object a run reads becomes one result dict (RV(objects) of s3_object_restore and s3_object_restore_info);
the collector counts every one of them into the summary and keeps a bounded list for the result.
"""

from __future__ import annotations

import bisect

from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import s3_uri
from ansible_collections.s3async.restore.plugins.module_utils.selection import KIND_CURRENT
from ansible_collections.s3async.restore.plugins.module_utils.selection import VERSION_KIND

# How many keys a failure message and the result's failed_keys / pending_keys name at most.
KEYS_IN_MESSAGES = 100
# Restore-only fields that mean nothing in a report (s3_object_restore_info).
RESTORE_FIELDS = ("action", "tier")


def target_of(params: dict) -> str:
    """What a run works on, for messages: s3://bucket/key (version ...), s3://bucket/prefix*, "s3://bucket/ (3 keys)"
    or "s3://bucket/ (manifest keys.txt)", with the versions or the moment chosen (options versions, version_at)."""
    if params.get("keys") is not None:
        count = len(params["keys"])
        target = f"{s3_uri(params['bucket'])} ({count:,} key{'' if count == 1 else 's'})"
    elif params.get("manifest") is not None:
        target = f"{s3_uri(params['bucket'])} (manifest {params['manifest']})"
    else:
        key = params["key"] if params["key"] is not None else params["prefix"] + "*"
        return s3_uri(params["bucket"], key, params["version_id"]) + _versions_text(params)
    return target + _versions_text(params)


def _versions_text(params: dict) -> str:
    if params.get("version_at"):
        return f" as of {params['version_at']}"
    if params.get("versions") not in (None, "current"):
        return f" ({params['versions']} versions)"
    return ""


def object_id(obj: dict) -> tuple:
    """Which object version a result is about, as a run keys the objects it still waits on: (key, version ID or
    None). Computed once, from the first reading: a later HEAD of the current version may name its version ID where
    the listing did not (ListObjectsV2 returns no VersionId)."""
    return obj["key"], obj.get("version_id")


def describe(obj: dict) -> str:
    """The per-object message for a state read from S3."""
    status = obj["status"]
    if status == restore_state.STATUS_NOT_ARCHIVED:
        return f"not archived ({obj['storage_class']}): readable without a restore"
    if status == restore_state.STATUS_ARCHIVED and obj["expiry_date"]:
        return f"archived: the restored copy expired at {obj['expiry_date']}; a restore is needed before it can be read"
    if status == restore_state.STATUS_ARCHIVED:
        return "archived: a restore is needed before it can be read"
    if status == restore_state.STATUS_IN_PROGRESS:
        return "a restore is in progress"
    if obj["expiry_date"]:
        return f"restored: the copy is readable until {obj['expiry_date']}"
    return "restored: readable"


def object_result(key: str, version_id: str | None, storage_class: str, archive_status: str | None,
                  size: int | None, status: str, expiry, version_kind: str | None = None) -> dict:
    """The result dict of one object as read (no action taken yet). `version_kind`: current, noncurrent, or None
    when not known (a version named by its ID: HeadObject does not say whether it is the latest)."""
    obj = {
        "key": key,
        "version_id": version_id,
        "version_kind": version_kind,
        "storage_class": storage_class,
        "archive_status": archive_status,
        "size": size,
        "status": status,
        "expiry_date": restore_state.format_expiry(expiry),
        "action": restore_state.ACTION_NONE,
    }
    obj["message"] = describe(obj)
    return obj


def listing_stub(entry: dict) -> dict:
    """A result dict for a listing entry whose HEAD failed: what the listing said, status unknown = archived."""
    return object_result(entry["Key"], entry.get("VersionId"), entry.get("StorageClass") or "STANDARD", None, entry.get("Size"),
                         restore_state.STATUS_ARCHIVED, None, entry.get(VERSION_KIND, KIND_CURRENT))


def failed_result(obj: dict, message: str) -> dict:
    """The object's result with the error; its action stays: a restore sent before a later failure was sent."""
    return dict(obj, error=message, message=f"failed: {message}")


def report_view(obj: dict) -> dict:
    """The object's result as the read-only report shows it: without the restore-only fields."""
    return {name: value for name, value in obj.items() if name not in RESTORE_FIELDS}


LIST_ATTENTION = "attention"
LIST_ALL = "all"


def sort_key(obj: dict) -> tuple:
    """Objects are listed by key, then version: S3 lists keys in UTF-8 binary order, which str order matches."""
    return obj["key"], obj.get("version_id") or ""


class Collector:
    """Summary counts over every object, and a bounded, sorted list of per-object results (options max_results
    and list_objects).

    Failures come first, then objects a restore was requested for, then the rest, each group sorted by key (and
    version) and holding the first max_results of them, so that two runs over the same objects return the same
    list whatever order the threads finished in. With list_objects=attention the rest is left out, except the
    objects `needs_attention(obj)` picks. At 100,000 objects the list a user reads is the one that needs
    attention, and memory stays bounded.
    """

    def __init__(self, max_results: int, list_objects: str = LIST_ALL, needs_attention=None) -> None:
        self.max_results = max_results
        self.list_objects = list_objects
        self.needs_attention = needs_attention or (lambda obj: False)
        self.summary = restore_state.new_summary()
        self._groups: tuple = ([], [], [])
        self.listable = 0
        self.failed_keys: list = []

    @property
    def changed(self) -> bool:
        """True once a restore was requested (or, in check mode, would be) for an object collected."""
        return self.summary[restore_state.ACTION_RESTORE] > 0

    def _group_of(self, obj: dict) -> int | None:
        if obj.get("error"):
            return 0
        if obj.get("action") == restore_state.ACTION_RESTORE:
            return 1
        if self.list_objects == LIST_ALL or self.needs_attention(obj):
            return 2
        return None

    def add(self, obj: dict) -> None:
        restore_state.count(self.summary, obj)
        if obj.get("error") and len(self.failed_keys) < KEYS_IN_MESSAGES:
            self.failed_keys.append(obj["key"])
        group = self._group_of(obj)
        if group is None:
            return
        self.listable += 1
        kept = self._groups[group]
        # The count so far keeps equal keys apart without comparing the dicts.
        bisect.insort(kept, (sort_key(obj), self.listable, obj))
        if self.max_results and len(kept) > self.max_results:
            kept.pop()

    def objects(self) -> list:
        kept = [obj for group in self._groups for _key, _seen, obj in group]
        return kept[: self.max_results] if self.max_results else kept

    @property
    def truncated(self) -> bool:
        """True when the list holds fewer objects than list_objects asked for (max_results cut it)."""
        return bool(self.max_results) and self.listable > self.max_results
