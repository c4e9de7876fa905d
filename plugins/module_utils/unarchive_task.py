# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The run of s3_object_unarchive: read the selection (sending restores first with request_restores), copy each
readable object as it streams by on a pool of `concurrency` threads, wait for the pending ones (wait_timeout) and
copy each as it becomes readable, then warn and fail if anything failed.

What to copy, where and with which arguments is copy_plan's; the calls are s3_copy_api's; reading and restoring
are object_restore's, the same as s3_object_restore's.
"""

from __future__ import annotations

import threading
import time
from typing import Any
from typing import Iterable
from typing import Iterator

from ansible.module_utils.common.warnings import warn

from ansible_collections.s3async.restore.plugins.module_utils import copy_plan
from ansible_collections.s3async.restore.plugins.module_utils import object_restore
from ansible_collections.s3async.restore.plugins.module_utils import object_sources
from ansible_collections.s3async.restore.plugins.module_utils import pacing
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils import result_text
from ansible_collections.s3async.restore.plugins.module_utils import selection
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import s3_uri
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.failures import finish
from ansible_collections.s3async.restore.plugins.module_utils.interruption import Interruption
from ansible_collections.s3async.restore.plugins.module_utils.object_results import KEYS_IN_MESSAGES
from ansible_collections.s3async.restore.plugins.module_utils.object_results import Collector
from ansible_collections.s3async.restore.plugins.module_utils.object_results import object_id
from ansible_collections.s3async.restore.plugins.module_utils.object_results import target_of
from ansible_collections.s3async.restore.plugins.module_utils.options import RestoreOptions
from ansible_collections.s3async.restore.plugins.module_utils.restore_task import bucket_of
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket
from ansible_collections.s3async.restore.plugins.module_utils.s3_copy_api import COPY_NO_ACL
from ansible_collections.s3async.restore.plugins.module_utils.s3_copy_api import COPY_NO_LOCK
from ansible_collections.s3async.restore.plugins.module_utils.s3_copy_api import COPY_NOT_READABLE
from ansible_collections.s3async.restore.plugins.module_utils.s3_copy_api import CopyOutcome
from ansible_collections.s3async.restore.plugins.module_utils.s3_copy_api import HeadKeepingSource
from ansible_collections.s3async.restore.plugins.module_utils.s3_copy_api import S3Copier
from ansible_collections.s3async.restore.plugins.module_utils.s3_copy_api import grant_arguments
from ansible_collections.s3async.restore.plugins.module_utils.waiting import Wait

MODULE_NAME = "s3_object_unarchive"
# The most parts of one multipart copy in flight, so that `concurrency` large objects copied at once do not make
# `concurrency` squared threads; each UploadPartCopy is copied by S3 itself, the thread only waits for its answer.
PARTS_IN_FLIGHT = 16
# The HeadObject answers kept between an object's read and its copy (HeadKeepingSource), per thread: the read and
# copy pools hold at most 2 x concurrency objects each, so an object is copied before this many answers push it out.
HEADS_KEPT_PER_THREAD = 8


def unarchive_module(module: Any, limits: copy_plan.CopyLimits | None = None) -> None:
    """s3_object_unarchive: refuse bad input before any call, run, and end the module with the result."""
    problem = copy_plan.unarchive_problems(module.params)
    if problem:
        module.fail_json(msg=problem)
    bucket = bucket_of(module, MODULE_NAME)
    with Interruption() as interruption:
        finish(module, lambda: run_unarchive(module, bucket, interruption=interruption, limits=limits),
               f"S3 call failed for {target_of(module.params)}")


class CopyTally:
    """What the copies met, thread-safe: archived versions left noncurrent, grants and locks the destination refused."""

    def __init__(self) -> None:
        self.noncurrent_kept = 0
        self.grants_dropped: list = []
        self.locks_dropped: list = []
        self._lock = threading.Lock()

    def note_noncurrent(self) -> None:
        with self._lock:
            self.noncurrent_kept += 1

    def note(self, name: str, key: str) -> None:
        """Name `key` in the list `name` (grants_dropped, locks_dropped), up to KEYS_IN_MESSAGES keys."""
        with self._lock:
            kept = getattr(self, name)
            if len(kept) < KEYS_IN_MESSAGES:
                kept.append(key)


class UnarchiveRun:
    """One run of s3_object_unarchive: its options, destination, what it sent and collected."""

    def __init__(self, module: Any, bucket: S3Bucket, clock: Any, interruption: Interruption,
                 limits: copy_plan.CopyLimits) -> None:
        params = self.params = module.params
        self.check_mode = module.check_mode
        self.diff_wanted = module._diff  # pylint: disable=protected-access
        # One HEAD serves the read of an object's state and its copy (HeadKeepingSource keeps it in between).
        self.bucket = HeadKeepingSource(bucket, HEADS_KEPT_PER_THREAD * params["concurrency"] + 64, threading.Lock())
        self.interruption = interruption
        self.clock = interruption.clock(clock)
        self.limits = limits
        self.destination = copy_plan.Destination.from_params(params)
        self.copier = S3Copier(self.bucket, self.destination.bucket)
        self.restore_options = RestoreOptions(tier=params["tier"], days=params["days"], check_mode=module.check_mode,
                                              max_restores=params["max_restores"], tier_fallback=params["tier_fallback"])
        # max_requests_per_second paces the restore requests as in s3_object_restore, on the clock itself.
        tokens = pacing.limiter(params["max_requests_per_second"], clock)
        self.restores = object_restore.RestoreTally(object_restore.Pacer(tokens, clock) if tokens else None)
        self.copies = CopyTally()
        key_run = params["key"] is not None
        self.collector = Collector(params["max_results"], params["list_objects"],
                                   lambda obj: key_run or obj.get("copy_status") in (copy_plan.COPY_DONE, copy_plan.COPY_PENDING))
        self.collector.summary.update(copy_plan.new_copy_counts())
        self.trust_listing = restore_state.listing_trusted(params["status_source"], bucket.client.meta.endpoint_url)
        self.waiting = params["wait_timeout"] > 0 and not module.check_mode
        self.listing = None  # the selection of a prefix, keys or manifest run (object_sources), once it started
        self._bucket_settings: dict = {}
        self._settings_lock = threading.Lock()
        self._destinations_copying: set = set()  # the destination keys of the copies in flight
        self._destinations_lock = threading.Lock()

    # -- the selection: the one place that says which objects a run covers ---------------------------------------

    def selected_objects(self) -> Iterator[dict]:
        """Every selected object's state (key, prefix, keys or manifest, with versions, version_at and the filters:
        object_sources, as in s3_object_restore), after its restore request with request_restores (the restore
        path of s3_object_restore: the same rules, options and requests)."""
        params = self.params
        restoring = params["request_restores"]
        if params["key"] is not None:
            return iter([self.checked(object_restore.read_object(self.bucket, params["key"], params["version_id"]))])
        # A manifest is read through once before anything is sent: a bad row fails the run while nothing changed.
        object_sources.check_manifest(self.bucket, params)
        self.listing = object_sources.selection_of(self.bucket, params, self.trust_listing,
                                                   interrupted=self.interruption.stopping)
        if restoring and self.destination.whole_run_in_place:
            return object_restore.restore_selection(self.bucket, self.listing, self.restore_options, self.restores,
                                                    params["concurrency"])
        objects = object_restore.read_selection(self.bucket, self.listing, params["concurrency"])
        if self.destination.whole_run_in_place:
            return objects
        jobs = ((None, (obj, None)) if copy_plan.is_pending(obj) or restoring and self.restore_options.reason(obj)
                else (obj, None) for obj in objects)
        return object_restore.bounded(jobs, object_restore.guarded(lambda obj, _: self.checked(obj), self.bucket),
                                      params["concurrency"])

    def checked(self, obj: dict) -> dict:
        """The object after its restore request (request_restores), unless, not in place, the destination already
        holds its copy (made while its restored copy lasted): read first, as each RestoreObject is billed."""
        restore = object_restore.request_restore if self.params["request_restores"] else lambda *args: args[1]
        return self.copy_found(obj) or restore(self.bucket, obj, self.restore_options, self.restores)

    def copy_found(self, obj: dict) -> dict | None:
        """An archived or in-progress object's result when the destination (not in place) already holds its copy,
        else None; TaskFailure when it holds another object (a restore would be sent for a copy that is refused)."""
        key, version_id, destination_key = obj["key"], obj["version_id"], self.destination.key_for(obj["key"])
        if not copy_plan.is_pending(obj) or self.destination.in_place(key):
            return None
        head, where = self.bucket.take_head(key, version_id), s3_uri(self.destination.bucket, destination_key)
        found = self._already_there(lambda: head or self.copier.head_source(key, version_id), destination_key, where)
        return found and dict(obj, destination=where, destination_storage_class=self.params["storage_class"],
                              copy_status=copy_plan.COPY_ALREADY, message=found)

    def add_selection_counts(self) -> None:
        """The summary's counts of what the selection left out (zero for a key run)."""
        self.collector.summary.update(self.listing.counts() if self.listing is not None else selection.empty_counts())

    # -- copying ---------------------------------------------------------------------------------------------

    def copied_objects(self, objects: Iterable[dict]) -> Iterator[dict]:
        """Each object's result: readable ones copied on the pool as they stream by, the others settled at once."""

        def items():
            for obj in objects:
                if copy_plan.copy_needed(obj, self.destination.in_place(obj["key"])):
                    yield None, (obj, None)
                else:
                    self.bucket.take_head(obj["key"], obj["version_id"])  # not copied: its HEAD is not needed
                    yield settled(obj), None

        work = object_restore.guarded(lambda obj, _entry: self.copy_one(obj), self.bucket)
        return object_restore.bounded(items(), work, self.params["concurrency"])

    def copy_one(self, obj: dict) -> dict:
        """Copy one readable object, keeping everything of it, or say why not; never two at once to one key."""
        destination_key = self.destination.key_for(obj["key"])
        with self._destinations_lock:
            if destination_key in self._destinations_copying:
                raise TaskFailure(f"{s3_uri(self.destination.bucket, destination_key)} is the destination of another "
                                  "object of this run, being copied now: not overwritten. Name one version per key.")
            self._destinations_copying.add(destination_key)
        try:
            return self._copy(obj, destination_key)
        finally:
            with self._destinations_lock:
                self._destinations_copying.discard(destination_key)

    def _source_head(self, obj: dict, in_place: bool) -> tuple:
        """(HEAD of the source, the version ID to copy), or TaskFailure when it may not be copied."""
        key, version_id = obj["key"], obj["version_id"]
        head = self.bucket.take_head(key, version_id) or self.copier.head_source(key, version_id)
        # The copy is made of the version just read, not of whatever is current when it reaches S3.
        version_id = version_id or (head.get("VersionId") if head.get("VersionId") != "null" else None)
        problem = copy_plan.refusal(head) or copy_plan.too_large(head.get("ContentLength") or 0, self.limits)
        if problem:
            raise TaskFailure(f"{s3_uri(self.bucket.name, key, version_id)}: {problem}")
        if in_place:
            self._refuse_noncurrent(obj)
        return head, version_id

    def _copy(self, obj: dict, destination_key: str) -> dict:
        key = obj["key"]
        in_place = self.destination.in_place(key)
        where = s3_uri(self.destination.bucket, destination_key)
        head, version_id = self._source_head(obj, in_place)
        storage_class = self.params["storage_class"]
        result = dict(obj, destination=where, destination_storage_class=storage_class)
        found = None if in_place else self._already_there(lambda: head, destination_key, where)
        if found:
            return dict(result, copy_status=copy_plan.COPY_ALREADY, message=found)
        size = head.get("ContentLength") or 0
        ranges = copy_plan.part_ranges(size, self.limits) if copy_plan.uses_multipart(size, self.limits) else []
        if self.check_mode:
            return dict(result, action=_action_after_copy(result), copy_status=copy_plan.COPY_DONE,
                        message=copy_plan.copy_message(where, storage_class, True, len(ranges)))
        grants = self._grants(key, version_id)
        head = self._with_lock(head, key, version_id)
        now = object_restore.utc_now()  # an Object Lock retention that has passed is not applied (lock_arguments)
        if ranges:
            tags = self.copier.tags(key, version_id) if head.get("TagCount") else []
            args = dict(copy_plan.multipart_arguments(head, destination_key, storage_class, tags, in_place, now), **grants)
        else:
            args = dict(copy_plan.copy_arguments(head, destination_key, storage_class, in_place, now), **grants)
        response = self._send(key, version_id, args, ranges)
        if response is None:
            return dict(obj, status=restore_state.STATUS_ARCHIVED, copy_status=copy_plan.COPY_PENDING,
                        message="pending: the restored copy expired before it could be copied; restore it again")
        return self._copied(result, response, in_place, where, storage_class, len(ranges))

    def _refuse_noncurrent(self, obj: dict) -> None:
        """A version copied in place must be the current one (the listing says, else a HEAD of the current one)."""
        if not copy_plan.may_be_noncurrent(obj):
            return
        key, version_id = obj["key"], obj["version_id"]
        if obj.get("version_kind") == selection.KIND_NONCURRENT or self.bucket.current_version_id(key) != version_id:
            raise TaskFailure(f"{s3_uri(self.bucket.name, key, version_id)}: {copy_plan.noncurrent_in_place_problem(version_id)}")

    def _already_there(self, source_head, destination_key: str, where: str) -> str | None:
        """The message when the destination holds this source (source_head(): its HEAD, asked only when there is an
        object there), else None; TaskFailure when it holds another (never overwritten)."""
        destination_head = self.copier.head_destination(destination_key)
        if destination_head is None:
            return None
        # A copy made without room for the identity (2 KB user-metadata limit) is compared by size, date and class.
        unrecorded = "" if copy_plan.recorded_identity(destination_head) else (
            " (it records no source identity, which the source's metadata left no room for: compared by size, copy "
            "date and storage class)")
        if copy_plan.already_copied(source_head(), destination_head, self.params["storage_class"]):
            return f"already copied: {where} holds this object{unrecorded}"
        raise TaskFailure(f"{where} already holds another object (its size or recorded source differ from this one's)"
                          f"{unrecorded}: not overwritten. Give another destination_prefix, or move that object away and run again.")

    def _send(self, key: str, version_id: str | None, args: dict, ranges: list) -> dict | None:
        """The copy (again without what the destination refused: grants, Object Lock), or None if no longer readable."""
        for _attempt in range(3):
            try:
                if ranges:
                    return self.copier.copy_multipart(key, version_id, args, ranges, self._run_parts)
                return self.copier.copy_object(key, version_id, args)
            except CopyOutcome as outcome:
                if outcome.outcome == COPY_NOT_READABLE:
                    return None
                args = self._without_refused(outcome, key, args)
        raise TaskFailure(f"{s3_uri(self.bucket.name, key)}: S3 refused the copy three times")

    def _without_refused(self, outcome: CopyOutcome, key: str, args: dict) -> dict:
        """The copy's arguments without what the destination refused, noted for the warnings; else TaskFailure."""
        if outcome.outcome == COPY_NO_ACL and any(name.startswith("Grant") for name in args):
            self.copies.note("grants_dropped", key)
            return {name: value for name, value in args.items() if not name.startswith("Grant")}
        if outcome.outcome == COPY_NO_LOCK and copy_plan.lock_arguments(args):
            self.copies.note("locks_dropped", key)
            return copy_plan.without_lock(args)
        raise TaskFailure(f"{s3_uri(self.bucket.name, key)}: S3 refused the copy ({outcome.text})") from outcome

    def _run_parts(self, copy_part, ranges: list) -> list:
        """The parts of a multipart copy, copied in parallel (bounded, like the objects)."""
        jobs = ((None, part) for part in ranges)
        return list(object_restore.bounded(jobs, copy_part, min(self.params["concurrency"], len(ranges), PARTS_IN_FLIGHT)))

    def _bucket_setting(self, name: str, read) -> bool:
        """A setting of the source bucket (uses ACLs, uses Object Lock), read once per run, when first needed."""
        with self._settings_lock:
            if name not in self._bucket_settings:
                self._bucket_settings[name] = read()
            return self._bucket_settings[name]

    def _grants(self, key: str, version_id: str | None) -> dict:
        """The source's ACL grants to keep, where the bucket uses ACLs."""
        if not self._bucket_setting("acls", self.copier.uses_acls):
            return {}
        grants, owner_id = self.copier.acl(key, version_id)
        return grant_arguments(grants, owner_id)

    def _with_lock(self, head: dict, key: str, version_id: str | None) -> dict:
        """The HEAD with the object's Object Lock settings, read where the bucket has Object Lock and HEAD showed none."""
        if copy_plan.lock_arguments(head) or not self._bucket_setting("object_lock", self.copier.uses_object_lock):
            return head
        return dict(head, **self.copier.lock_settings(key, version_id))

    def _copied(self, result: dict, response: dict, in_place: bool, where: str, storage_class: str, parts: int) -> dict:
        message = copy_plan.copy_message(where, storage_class, False, parts)
        if in_place and response.get("VersionId"):
            # A versioned bucket keeps the archived version as a noncurrent one (S3 User Guide, "Retaining multiple
            # versions of objects with S3 Versioning"): reported, never deleted.
            self.copies.note_noncurrent()
            message += "; the archived version stays as a noncurrent version"
        return dict(result, action=_action_after_copy(result), copy_status=copy_plan.COPY_DONE,
                    destination_version_id=response.get("VersionId"), message=message)

    # -- collecting and waiting ------------------------------------------------------------------------------

    def add(self, obj: dict) -> None:
        self.collector.add(obj)
        copy_plan.count_copy(self.collector.summary, obj)

    def collect(self, objects: Iterable[dict]) -> dict:
        """Collect each result, keeping back ({object_id: obj}) the restores still running that wait_timeout waits for."""
        pending = {}
        for obj in objects:
            if self.waiting and obj.get("copy_status") == copy_plan.COPY_PENDING and obj["status"] == restore_state.STATUS_IN_PROGRESS:
                pending[object_id(obj)] = obj
            else:
                self.add(obj)
        return pending

    def wait_and_copy(self, pending: dict) -> float:
        """Wait for the pending objects (object_restore's polling, on waiting.Wait) and copy each as it becomes
        readable. Returns seconds waited; what is still pending at the timeout is collected as pending."""
        params = self.params
        # Only a prefix of current versions may be re-listed (Selection.prefix): a listing shows no other version.
        watch = object_restore.Watch(self.listing.prefix if self.listing else None, self.trust_listing,
                                     self.listing.listed if self.listing else 0, params["concurrency"])
        waiting = Wait(params["wait_timeout"], params["wait_delay"], self.clock)
        stopping = self.interruption.stopping
        while pending and not stopping() and waiting.sleep() and not stopping():
            finished = object_restore.settle_round(pending, object_restore.poll_round(self.bucket, pending, watch))
            for obj in self.copied_objects(finished):
                self.add(obj)
        for obj in pending.values():
            self.add(settled(obj))
        return round(waiting.waited(), 1)

    def warn_about_run(self) -> None:
        copies = self.copies
        if copies.noncurrent_kept:
            warn(copy_plan.versioned_warning(copies.noncurrent_kept))
        if copies.grants_dropped:
            warn(f"The destination bucket has ACLs disabled, so the ACL grants of {len(copies.grants_dropped)} object(s) "
                 f"were not kept (the copies belong to the bucket owner): {', '.join(sorted(copies.grants_dropped))}.")
        if copies.locks_dropped:
            warn(f"The destination bucket has no Object Lock, so the retention or legal hold of {len(copies.locks_dropped)} "
                 f"object(s) was not applied to the copies (the sources keep theirs): {', '.join(sorted(copies.locks_dropped))}.")
        if self.listing is None:
            return
        for warning in self.listing.warnings():
            warn(warning)
        if self.listing.listed == 0 and self.params["prefix"] is not None:
            warn(f"The prefix {self.params['prefix']!r} matched no object: check its spelling (S3 keys are case-sensitive).")
        elif self.collector.summary["total"] == 0:
            warn(copy_plan.nothing_selected_warning(target_of(self.params), result_text.selection_text(self.collector.summary)))

    def refuse_incomplete(self, result: dict) -> None:
        summary = self.collector.summary
        if summary["failed"]:
            raise TaskFailure(
                f"{summary['failed']} of {summary['total']} objects failed (the others were handled; run the task again "
                f"once the cause is fixed): {self.collector.objects()[0]['error']}",
                failed_keys=sorted(self.collector.failed_keys), **result)
        if self.restores.held_back:
            raise TaskFailure(
                f"max_restores ({self.restore_options.max_restores}) was reached: {self.restores.held_back} archived "
                "object(s) got no restore request. Run the task again to send the next batch, or raise max_restores.",
                **result)
        if self.interruption.stopping():
            raise TaskFailure(f"Interrupted by {self.interruption.requested}: stopped after "
                              f"{summary['total']} object(s). Run the task again to finish: nothing is copied twice.",
                              interrupted=self.interruption.requested, **result)

    def diff(self) -> dict:
        """Before: each listed object copied (would be) with its class; after: its copy with the new class."""
        before, after = {}, {}
        for obj in self.collector.objects():
            if obj.get("copy_status") == copy_plan.COPY_DONE:
                before[s3_uri(self.bucket.name, obj["key"], obj["version_id"])] = obj["storage_class"]
                after[obj["destination"]] = obj["destination_storage_class"]
        return {"before": {"objects": before}, "after": {"objects": after}}


def _action_after_copy(obj: dict) -> str:
    """A copied object's action: restore_requested stays when this run sent its restore (its copy field says copied)."""
    return obj["action"] if obj.get("action") == restore_state.ACTION_RESTORE else copy_plan.ACTION_COPY


def settled(obj: dict) -> dict:
    """The result of an object that is not copied: pending (not a failure), or nothing to do."""
    if obj.get("error") or obj.get("copy_status") == copy_plan.COPY_ALREADY:
        return obj
    if copy_plan.is_pending(obj):
        return dict(obj, copy_status=copy_plan.COPY_PENDING, message=copy_plan.pending_message(obj))
    return dict(obj, copy_status=copy_plan.COPY_NOT_NEEDED)


def run_unarchive(module: Any, bucket: S3Bucket, clock: Any = None, interruption: Interruption | None = None,
                  limits: copy_plan.CopyLimits | None = None) -> dict:
    """Select (and restore), copy, and (wait_timeout) wait and copy the rest, on `clock` (default: the time
    module). Returns the result dict."""
    run = UnarchiveRun(module, bucket, clock or time, interruption or Interruption(), limits or copy_plan.DEFAULT_LIMITS)
    params = run.params
    result = {"changed": False}
    try:
        pending = run.collect(run.copied_objects(run.selected_objects()))
        if pending:
            result["waited"] = run.wait_and_copy(pending)
    except TaskFailure as failure:
        run.add_selection_counts()
        failure.result.setdefault("objects", run.collector.objects())
        failure.result.setdefault("objects_truncated", run.collector.truncated)
        failure.result.setdefault("summary", run.collector.summary)
        failure.result["changed"] = _changed(run.collector.summary)
        raise
    run.add_selection_counts()
    summary = run.collector.summary
    result.update(changed=_changed(summary), objects=run.collector.objects(), objects_truncated=run.collector.truncated,
                  summary=summary)
    run.warn_about_run()
    if run.diff_wanted:
        result["diff"] = run.diff()
    run.refuse_incomplete(result)
    destination = copy_plan.destination_text(run.destination, params["storage_class"], run.destination.whole_run_in_place)
    result["msg"] = copy_plan.unarchive_message(target_of(params), destination, summary, run.check_mode)
    return result


def _changed(summary: dict) -> bool:
    """True once a copy or a restore request was made (or, in check mode, would be)."""
    return bool(summary.get(copy_plan.COPY_DONE) or summary[restore_state.ACTION_RESTORE])
