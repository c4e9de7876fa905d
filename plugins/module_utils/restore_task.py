# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The runs of s3_object_restore and s3_object_restore_info, end to end, with their failure messages.

A restore run is a sequence: read the key (a prefix is read as it streams), set up the notification, restore,
wait, warn, and fail if anything is left undone; `changed` is computed once, from what the notification set-up and
the collected objects say.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from ansible.module_utils.common.warnings import warn

from ansible_collections.s3async.restore.plugins.module_utils import object_restore
from ansible_collections.s3async.restore.plugins.module_utils import options
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import s3_uri
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.failures import finish
from ansible_collections.s3async.restore.plugins.module_utils.notification_task import ensure_notification
from ansible_collections.s3async.restore.plugins.module_utils.object_results import KEYS_IN_MESSAGES
from ansible_collections.s3async.restore.plugins.module_utils.object_results import Collector
from ansible_collections.s3async.restore.plugins.module_utils.object_results import report_view
from ansible_collections.s3async.restore.plugins.module_utils.object_results import target_of
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import s3_client


def bucket_of(module: Any, module_name: str) -> S3Bucket:
    """The bucket of the module's options, with its owner and payer bound to every call."""
    params = module.params
    client = s3_client(module, module_name, params["concurrency"])
    return S3Bucket(client, params["bucket"], params["expected_bucket_owner"], params["request_payer"])


def restore_module(module: Any) -> None:
    """s3_object_restore: refuse bad input before any call, run, and end the module with the result."""
    problem = options.restore_problems(module.params)
    if problem:
        module.fail_json(msg=problem)
    bucket = bucket_of(module, "s3_object_restore")
    finish(module, lambda: run_restore(module, bucket), f"S3 call failed for {target_of(module.params)}")


def report_module(module: Any) -> None:
    """s3_object_restore_info: refuse bad input before any call, report, and end the module with the result."""
    problems = options.selection_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    bucket = bucket_of(module, "s3_object_restore_info")
    finish(module, lambda: run_report(module, bucket), f"S3 call failed for {target_of(module.params)}")


# -- the report ------------------------------------------------------------------------------------------------

def run_report(module: Any, bucket: S3Bucket) -> dict:
    """Read every object asked for, changing nothing. Returns the result dict."""
    params = module.params
    collector = Collector(params["max_results"])
    if params["key"] is not None:
        objects = [object_restore.read_object(bucket, params["key"], params["version_id"])]
    else:
        trust_listing = restore_state.listing_trusted(params["status_source"], bucket.client.meta.endpoint_url)
        listing = object_restore.PrefixListing(bucket, params["prefix"], trust_listing)
        objects = object_restore.read_prefix(bucket, listing, params["concurrency"])
    for obj in objects:
        collector.add(report_view(obj))
    summary = restore_state.report_summary(collector.summary)
    result = {"changed": False, "objects": collector.objects(), "objects_truncated": collector.truncated, "summary": summary}
    if summary["failed"]:
        raise TaskFailure(
            f"{summary['failed']} of {summary['total']} objects could not be read: {collector.objects()[0]['error']}",
            failed_keys=collector.failed_keys, **result,
        )
    return result


# -- the restore -----------------------------------------------------------------------------------------------

class RestoreRun:
    """One run of s3_object_restore: its options, what it sent, what it collected."""

    def __init__(self, module: Any, bucket: S3Bucket, clock: Any) -> None:
        self.params = module.params
        self.check_mode = module.check_mode
        self.diff_wanted = module._diff  # pylint: disable=protected-access
        self.bucket = bucket
        self.clock = clock
        self.options = options.RestoreOptions.from_params(self.params, module.check_mode, datetime.datetime.now(datetime.timezone.utc))
        self.tally = object_restore.RestoreTally()
        self.collector = Collector(self.params["max_results"])
        self.waiting = self.params["state"] == "restored" and not module.check_mode
        self.trust_listing = restore_state.listing_trusted(self.params["status_source"], bucket.client.meta.endpoint_url)
        self.listing = None  # a prefix run's listing, once it started

    def read_key(self) -> dict:
        """The single-object run's first step: HEAD, folder-marker and tier checks (before any change)."""
        obj = object_restore.read_object(self.bucket, self.params["key"], self.params["version_id"])
        if obj["key"].endswith("/") and not obj["size"] and obj["status"] == restore_state.STATUS_NOT_ARCHIVED:
            raise TaskFailure(f"{s3_uri(self.bucket.name, obj['key'])} is an empty folder marker, not an archived object: to "
                              f"restore the objects in the folder, use prefix={obj['key']!r}.", objects=[obj])
        if self.options.reason(obj) is not None:
            # Before the notification configuration is written: a bad tier changes nothing.
            object_restore.refuse_unavailable_tier(self.bucket, obj, self.options)
        return obj

    def restored_objects(self, first: dict | None):
        """Every object's result after its restore request, streamed."""
        if first is not None:
            return iter([object_restore.request_restore(self.bucket, first, self.options, self.tally)])
        self.listing = object_restore.PrefixListing(self.bucket, self.params["prefix"], self.trust_listing,
                                                    self.params["batch_operations_threshold"])
        return object_restore.restore_prefix(self.bucket, self.listing, self.options, self.tally, self.params["concurrency"])

    def collect(self, objects) -> dict:
        """Collect each result, keeping back ({key: obj}) what state=restored still has to wait for."""
        pending = {}
        for obj in objects:
            if self.waiting and _worth_waiting_for(obj):
                pending[obj["key"]] = obj
            else:
                self.collector.add(obj)
        return pending

    def refuse_past_threshold(self, pending: dict) -> None:
        if self.listing is None or not self.listing.stopped:
            return
        threshold = self.params["batch_operations_threshold"]
        raise TaskFailure(
            f"The prefix {self.params['prefix']!r} holds more than batch_operations_threshold ({threshold}) objects; "
            f"stopped after handling the first {self.collector.summary['total'] + len(pending)} "
            f"({self.tally.sent} restore request(s) sent). Restores at this "
            "scale are better run by S3 Batch Operations: use s3async.restore.s3_restore_job (see docs/scale.md), "
            "or raise batch_operations_threshold to go on here.",
        )

    def wait_for(self, pending: dict) -> float:
        """state=restored: wait for the pending objects, then collect them. Returns seconds waited."""
        params = self.params
        finished, still_pending, waited = object_restore.wait_until_readable(
            self.bucket, pending, params["prefix"], self.trust_listing, params["concurrency"],
            params["wait_timeout"], params["wait_delay"], self.clock,
        )
        for obj in finished + still_pending:
            self.collector.add(obj)
        if still_pending:
            raise self._timeout(still_pending, waited)
        return waited

    def _timeout(self, still_pending: list, waited: float) -> TaskFailure:
        first = still_pending[0]
        where = s3_uri(self.bucket.name, first["key"], first["version_id"])
        subject = where if len(still_pending) == 1 else f"{len(still_pending)} objects (first {where})"
        summary = self.collector.summary
        return TaskFailure(
            f"Timed out after {int(waited)} seconds waiting for {subject} to be restored: "
            f"{summary['in_progress']} in progress, {summary['restored']} restored. Restores from "
            "Deep Archive can take up to 48 hours; raise wait_timeout or run the task again later (nothing is sent twice).",
            pending_keys=[obj["key"] for obj in still_pending[:KEYS_IN_MESSAGES]],
            waited=waited,
        )

    def warn_about_tally(self) -> None:
        if self.tally.fallbacks:
            warn(f"S3 had no Expedited capacity for {self.tally.fallbacks} object(s); their restores were requested with "
                 f"tier {self.params['tier_fallback']} instead (tier_fallback).")
        if self.tally.expiry_resets:
            warn(f"{len(self.tally.expiry_resets)} object(s) were already restored when the restore request reached S3, which "
                 f"reset their copy's expiry to {self.options.days} days from now: {', '.join(self.tally.expiry_resets)}.")

    def refuse_incomplete(self, result: dict) -> None:
        """Fail, with the result, when an object failed or max_restores held objects back."""
        summary = self.collector.summary
        if summary["failed"]:
            raise TaskFailure(
                f"{summary['failed']} of {summary['total']} objects failed (the others were handled; "
                f"run the task again once the cause is fixed): {self.collector.objects()[0]['error']}",
                failed_keys=self.collector.failed_keys, **result,
            )
        if self.tally.held_back:
            raise TaskFailure(
                f"max_restores ({self.options.max_restores}) was reached: {self.tally.sent} restore(s) sent, "
                f"{self.tally.held_back} archived object(s) left as they are. Run the task again to send the next "
                "batch, or raise max_restores.",
                **result,
            )


def _worth_waiting_for(obj: dict) -> bool:
    """state=restored waits for objects whose restore runs; not for readable, failed or still archived ones."""
    return not restore_state.is_readable(obj["status"]) and not obj.get("error") and obj["status"] != restore_state.STATUS_ARCHIVED


def run_restore(module: Any, bucket: S3Bucket, clock: Any = None) -> dict:
    """Notify, classify and restore, and (state=restored) wait on `clock` (default: the time module). Returns the
    result dict."""
    run = RestoreRun(module, bucket, clock or time)
    params = run.params
    result = {"changed": False}
    diff = {"before": {}, "after": {}}
    first = run.read_key() if params["key"] is not None else None
    notification_changed = False
    if params["sns_topic_arn"] is not None:
        # Before any restore is sent, so that the topic receives the Post event of these very restores.
        notification_changed, result["notification"], notification_diff = ensure_notification(bucket, params, run.check_mode)
        result["changed"] = notification_changed
        diff["before"]["notification_configuration"] = notification_diff["before"]
        diff["after"]["notification_configuration"] = notification_diff["after"]
    try:
        pending = run.collect(run.restored_objects(first))
        run.refuse_past_threshold(pending)
        if params["state"] == "restored":
            # pending holds objects only when waiting (not in check mode).
            result["waited"] = run.wait_for(pending) if pending else 0.0
    except TaskFailure as failure:
        failure.result.setdefault("objects", run.collector.objects())
        failure.result.setdefault("summary", run.collector.summary)
        failure.result["changed"] = notification_changed or run.collector.changed
        raise
    result["changed"] = notification_changed or run.collector.changed
    objects = run.collector.objects()
    result.update(objects=objects, objects_truncated=run.collector.truncated, summary=run.collector.summary)
    run.warn_about_tally()
    if first is not None:
        diff["before"]["objects"] = {first["key"]: first["status"]}
        diff["after"]["objects"] = {objects[0]["key"]: objects[0]["status"]}
    if run.diff_wanted:
        result["diff"] = diff
    run.refuse_incomplete(result)
    return result
