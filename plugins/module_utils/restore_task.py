# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The run of s3_object_restore, end to end, with its failure messages.

A restore run is a sequence: read the key (a prefix is read as it streams), set up the notification, restore,
wait, warn, and fail if anything is left undone; `changed` is computed once, from what the notification set-up and
the collected objects say. A signal (interruption.py) stops the run where it stands and ends it with the result
so far.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from ansible.module_utils.common.warnings import warn

from ansible_collections.s3async.restore.plugins.module_utils import event_wait
from ansible_collections.s3async.restore.plugins.module_utils import object_restore
from ansible_collections.s3async.restore.plugins.module_utils import object_sources
from ansible_collections.s3async.restore.plugins.module_utils import options
from ansible_collections.s3async.restore.plugins.module_utils import pacing
from ansible_collections.s3async.restore.plugins.module_utils import ready_window
from ansible_collections.s3async.restore.plugins.module_utils import restore_events
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils import result_text
from ansible_collections.s3async.restore.plugins.module_utils import selection
from ansible_collections.s3async.restore.plugins.module_utils import sqs_api
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import s3_uri
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.failures import finish
from ansible_collections.s3async.restore.plugins.module_utils.interruption import Interruption
from ansible_collections.s3async.restore.plugins.module_utils.notification_task import ensure_notification
from ansible_collections.s3async.restore.plugins.module_utils.object_results import KEYS_IN_MESSAGES
from ansible_collections.s3async.restore.plugins.module_utils.object_results import Collector
from ansible_collections.s3async.restore.plugins.module_utils.object_results import object_id
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
    with Interruption() as interruption:
        finish(module, lambda: run_restore(module, bucket, interruption=interruption),
               f"S3 call failed for {target_of(module.params)}")


class RestoreRun:
    """One run of s3_object_restore: its options, what it sent, what it collected."""

    def __init__(self, module: Any, bucket: S3Bucket, clock: Any, interruption: Interruption) -> None:
        self.params = module.params
        self.check_mode = module.check_mode
        self.diff_wanted = module._diff  # pylint: disable=protected-access
        self.bucket = bucket
        self.interruption = interruption
        self.clock = interruption.clock(clock)
        self.options = options.RestoreOptions.from_params(self.params, module.check_mode, datetime.datetime.now(datetime.timezone.utc))
        # max_requests_per_second paces on the clock itself, not the interruptible one: a signal must not let the
        # requests still queued go out at once, above the cap.
        tokens = pacing.limiter(self.params["max_requests_per_second"], clock)
        self.tally = object_restore.RestoreTally(object_restore.Pacer(tokens, clock) if tokens else None)
        # A key run always lists its one object; a prefix run, by default, only what needs attention.
        self.collector = Collector(self.params["max_results"], self.params["list_objects"],
                                   (lambda obj: True) if self.params["key"] is not None else None)
        self.waiting = self.params["state"] == "restored" and not module.check_mode
        self.trust_listing = restore_state.listing_trusted(self.params["status_source"], bucket.client.meta.endpoint_url)
        self.listing = None  # the selection of a prefix, keys or manifest run (object_sources), once it started
        self.notification_changed = False
        self.module = module  # the SQS and SNS clients of a wait on the restore events (wait_events=sqs)

    def read_key(self) -> dict:
        """The single-object run's first step: HEAD, folder-marker and tier checks (before any change)."""
        obj = object_restore.read_object(self.bucket, self.params["key"], self.params["version_id"])
        if obj["key"].endswith("/") and not obj["size"] and obj["status"] == restore_state.STATUS_NOT_ARCHIVED:
            raise TaskFailure(f"{s3_uri(self.bucket.name, obj['key'])} is an empty folder marker, not an archived object: to "
                              f"restore the objects in the folder, use prefix={obj['key']!r}.", objects=[obj],
                              summary=restore_state.summarize([obj]))
        if self.options.reason(obj) is not None:
            # Before the notification configuration is written: a bad tier changes nothing.
            object_restore.tier_for(self.bucket, obj, self.options)
        return obj

    def set_up_notification(self, result: dict, diff: dict, first: dict | None) -> None:
        """Route the restore events (or remove ours) before any restore is sent; with notification_wait, give a
        change the time S3 needs to act on it ("usually about five minutes", facts sheet)."""
        params = self.params
        if params["sns_topic_arn"] is None and params["notification_state"] != "absent":
            return
        self.notification_changed, result["notification"], notification_diff = ensure_notification(
            self.bucket, params, self.check_mode, self.clock)
        result["changed"] = self.notification_changed
        diff["before"]["notification_configuration"] = notification_diff["before"]
        diff["after"]["notification_configuration"] = notification_diff["after"]
        restores_follow = first is None or self.options.reason(first) is not None
        if self.routed_events() and not self.check_mode and params["notification_wait"] and restores_follow:
            self.clock.sleep(params["notification_wait"])

    def routed_events(self) -> bool:
        """True when this run added restore events to the configuration (a removal routes none)."""
        return self.notification_changed and self.params["notification_state"] == "present"

    def restored_objects(self, first: dict | None):
        """Every object's result after its restore request, streamed."""
        if first is not None:
            return iter([object_restore.request_restore(self.bucket, first, self.options, self.tally)])
        self.listing = object_sources.selection_of(self.bucket, self.params, self.trust_listing,
                                                   self.params["batch_operations_threshold"], self.interruption.stopping)
        return object_restore.restore_selection(self.bucket, self.listing, self.options, self.tally, self.params["concurrency"])

    def check_manifest(self) -> None:
        """With manifest: read it through once before anything is sent (a bad row fails the run, with its line,
        while nothing has changed), and refuse a manifest longer than batch_operations_threshold up front."""
        rows = object_sources.check_manifest(self.bucket, self.params)
        threshold = self.params["batch_operations_threshold"]
        if threshold is not None and rows > threshold:
            raise TaskFailure(
                f"The manifest {self.params['manifest']!r} names {rows:,} objects, more than batch_operations_threshold "
                f"({threshold}); nothing was sent. Restores at this scale are better run by S3 Batch Operations: use "
                "s3async.restore.s3_restore_job (see docs/scale.md), or raise batch_operations_threshold to go on here.")

    def add_selection_counts(self) -> None:
        """The summary's counts of what the selection left out (zero for a key run)."""
        self.collector.summary.update(self.listing.counts() if self.listing is not None else selection.empty_counts())

    def collect(self, objects) -> dict:
        """Collect each result, keeping back ({object_id: obj}) what state=restored still has to wait for."""
        pending = {}
        for obj in objects:
            # A running restore's window, from the tier this run requested, or the unknown-tier rule (ready_window).
            obj = ready_window.with_window(obj, datetime.datetime.now(datetime.timezone.utc),
                                           obj.get("action") == restore_state.ACTION_RESTORE)
            if self.waiting and _worth_waiting_for(obj):
                pending[object_id(obj)] = obj
            else:
                self.collector.add(obj)
        return pending

    def refuse_past_threshold(self, pending: dict) -> None:
        if self.listing is None or not self.listing.stopped:
            return
        threshold = self.params["batch_operations_threshold"]
        sent = "would be sent" if self.check_mode else "sent"
        source = f"The prefix {self.params['prefix']!r}" if self.params["prefix"] is not None else target_of(self.params)
        raise TaskFailure(
            f"{source} holds more than batch_operations_threshold ({threshold}) objects; "
            f"stopped after handling the first {self.collector.summary['total'] + len(pending)} "
            f"({self.tally.sent} restore request(s) {sent}). Restores at this "
            "scale are better run by S3 Batch Operations: use s3async.restore.s3_restore_job (see docs/scale.md), "
            "or raise batch_operations_threshold to go on here.",
        )

    def refuse_interrupted(self, pending: dict) -> None:
        """A signal arrived: end now, with what was sent so far (the objects still waited on are collected)."""
        if not self.interruption.stopping():
            return
        for obj in pending.values():
            self.collector.add(obj)
        pending.clear()
        raise TaskFailure(
            f"Interrupted by {self.interruption.requested}: stopped after {self.collector.summary['total']} object(s), "
            f"{self.tally.sent} restore request(s) sent (listed in objects, with summary). Run the task again to "
            "finish: objects already restored or being restored get no second request.",
            interrupted=self.interruption.requested,
        )

    def wait_for(self, pending: dict) -> float:
        """state=restored: wait for the pending objects (polling, or with wait_events=sqs on their restore events
        with a sweep, event_wait.py), then collect them. Returns seconds waited."""
        params = self.params
        warning = result_text.wait_timeout_warning(params["wait_timeout"], params["tier"], self._slowest(pending))
        if warning:
            warn(warning)
        # Only a prefix of current versions may be re-listed (Selection.prefix): a listing shows no other version.
        watch = object_restore.Watch(self.listing.prefix if self.listing else None, self.trust_listing,
                                     self.listing.listed if self.listing else 0, params["concurrency"])
        # A fresh reading has no window: the objects still running at the end keep the one they had.
        windows = {pending_id: {name: obj[name] for name in event_wait.WINDOW_FIELDS if name in obj}
                   for pending_id, obj in pending.items()}
        if params.get("wait_events") == restore_events.WAIT_EVENTS_SQS:
            queues = sqs_api.EventQueues(sqs_api.sqs_client(self.module, "s3_object_restore"),
                                         sqs_api.sns_client(self.module, "s3_object_restore"))
            finished, still_pending, waited, counts = event_wait.wait_on_events(
                self.bucket, queues, pending, watch, params, self.clock, self.interruption.stopping)
            self.collector.summary.update(counts)
        else:
            finished, still_pending, waited = object_restore.wait_until_readable(
                self.bucket, pending, watch, params["wait_timeout"], params["wait_delay"], self.clock,
                self.interruption.stopping,
            )
        still_pending = [dict(obj, **(windows.get(object_id(obj)) or windows.get((obj["key"], None)) or {}))
                         for obj in still_pending]
        for obj in finished + (still_pending if not self.interruption.stopping() else []):
            self.collector.add(obj)
        self.refuse_interrupted({object_id(obj): obj for obj in still_pending})
        if still_pending:
            raise self._timeout(still_pending, waited)
        return waited

    def _slowest(self, pending: dict) -> tuple | None:
        """(archive tier, most hours) of the slowest restore waited on, as AWS publishes it, or None."""
        slowest = None
        for obj in pending.values():
            hours = restore_state.retrieval_hours(obj["storage_class"], obj["archive_status"], obj.get("tier") or self.params["tier"])
            if hours and (slowest is None or hours[1] > slowest[1]):
                slowest = (restore_state.archive_tier(obj["storage_class"], obj["archive_status"]), hours[1])
        return slowest

    def _timeout(self, still_pending: list, waited: float) -> TaskFailure:
        first = min(still_pending, key=lambda obj: (obj["key"], obj["version_id"] or ""))
        where = s3_uri(self.bucket.name, first["key"], first["version_id"])
        subject = where if len(still_pending) == 1 else f"{len(still_pending)} objects (first {where})"
        summary = self.collector.summary
        return TaskFailure(
            f"Timed out after {int(waited)} seconds waiting for {subject} to be restored: "
            f"{summary['in_progress']} in progress, {summary['restored']} restored. Restores from "
            "Deep Archive can take up to 48 hours; raise wait_timeout or run the task again later (nothing is sent twice).",
            pending_keys=sorted(obj["key"] for obj in still_pending)[:KEYS_IN_MESSAGES],
            waited=waited,
        )

    def warn_about_run(self) -> None:
        """What the user should know about this run although nothing failed."""
        tally, params = self.tally, self.params
        if tally.fallbacks:
            warn(f"S3 had no Expedited capacity for {tally.fallbacks} object(s); their restores were requested with "
                 f"tier {params['tier_fallback']} instead (tier_fallback).")
        if tally.tier_unavailable:
            warn(f"{tally.tier_unavailable} object(s) are in an archive class that has no {params['tier']} retrieval; "
                 f"their restores were requested with tier {params['tier_fallback']} instead (tier_fallback).")
        if tally.expiry_resets:
            warn(f"{len(tally.expiry_resets)} object(s) were already restored when the restore request reached S3, which "
                 f"reset their copy's expiry to {self.options.days} days from now: {', '.join(sorted(tally.expiry_resets))}.")
        if self.routed_events() and tally.sent and not self.check_mode and params["notification_wait"] < 300:
            warn(result_text.propagation_warning(tally.sent))
        if self.listing is None:
            return
        for warning in self.listing.warnings():
            warn(warning)
        if self.listing.listed == 0 and params["prefix"] is not None:
            warn(result_text.matched_nothing_warning(params["prefix"]))
        elif self.collector.summary["total"] == 0:
            warn(result_text.nothing_selected_warning(target_of(params), self.collector.summary))

    def refuse_incomplete(self, result: dict) -> None:
        """Fail, with the result, when an object failed or max_restores held objects back."""
        summary = self.collector.summary
        if summary["failed"]:
            raise TaskFailure(
                f"{summary['failed']} of {summary['total']} objects failed (the others were handled; "
                f"run the task again once the cause is fixed): {self.collector.objects()[0]['error']}",
                failed_keys=sorted(self.collector.failed_keys), **result,
            )
        if self.tally.held_back:
            sent = "would be sent" if self.check_mode else "sent"
            raise TaskFailure(
                f"max_restores ({self.options.max_restores}) was reached: {self.tally.sent} restore(s) {sent}, "
                f"{self.tally.held_back} archived object(s) left as they are. Run the task again to send the next "
                "batch, or raise max_restores.",
                **result,
            )

    def diff_of_key(self, diff: dict, first: dict, after: dict) -> None:
        """The object's status before and after; in check mode, after is what the restore would make of it."""
        status = after["status"]
        if self.check_mode and after.get("action") == restore_state.ACTION_RESTORE and status == restore_state.STATUS_ARCHIVED:
            status = restore_state.STATUS_IN_PROGRESS
        diff["before"]["objects"] = {first["key"]: first["status"]}
        diff["after"]["objects"] = {after["key"]: status}


def _worth_waiting_for(obj: dict) -> bool:
    """state=restored waits for objects whose restore runs; not for readable, failed or still archived ones."""
    return not restore_state.is_readable(obj["status"]) and not obj.get("error") and obj["status"] != restore_state.STATUS_ARCHIVED


def run_restore(module: Any, bucket: S3Bucket, clock: Any = None, interruption: Interruption | None = None) -> dict:
    """Notify, classify and restore, and (state=restored) wait on `clock` (default: the time module). Returns the
    result dict."""
    run = RestoreRun(module, bucket, clock or time, interruption or Interruption())
    params = run.params
    days_warning = result_text.days_warning(params["days"])
    if days_warning:
        warn(days_warning)
    result = {"changed": False}
    diff = {"before": {}, "after": {}}
    try:
        first = run.read_key() if params["key"] is not None else None
        run.check_manifest()
        run.set_up_notification(result, diff, first)
        pending = run.collect(run.restored_objects(first))
        run.refuse_interrupted(pending)
        run.refuse_past_threshold(pending)
        if params["state"] == "restored":
            # pending holds objects only when waiting (not in check mode).
            result["waited"] = run.wait_for(pending) if pending else 0.0
    except TaskFailure as failure:
        # Every result carries what RETURN says it always does, and `changed` says whether anything was sent.
        run.add_selection_counts()
        failure.result.setdefault("objects", run.collector.objects())
        failure.result.setdefault("objects_truncated", run.collector.truncated)
        failure.result.setdefault("summary", run.collector.summary)
        failure.result["changed"] = run.notification_changed or run.collector.changed or failure.result.get("changed", False)
        raise
    result["changed"] = run.notification_changed or run.collector.changed
    run.add_selection_counts()
    objects = run.collector.objects()
    result.update(objects=objects, objects_truncated=run.collector.truncated, summary=run.collector.summary)
    run.warn_about_run()
    if first is not None:
        run.diff_of_key(diff, first, objects[0])
    if run.diff_wanted:
        result["diff"] = diff
    run.refuse_incomplete(result)
    result["msg"] = result_text.restore_message(target_of(params), run.collector.summary, run.check_mode,
                                                _notification_text(result.get("notification"), run.check_mode))
    return result


def _notification_text(notification: dict | None, check_mode: bool) -> str:
    if not notification or not notification.get("changed"):
        return ""
    return f"; notification configuration {'would be ' if check_mode else ''}changed ({notification.get('action')})"
