# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The run of s3_object_restore_info: read every object asked for, change nothing, say where they stand."""

from __future__ import annotations

import datetime
from typing import Any

from ansible.module_utils.common.warnings import warn

from ansible_collections.s3async.restore.plugins.module_utils import object_restore
from ansible_collections.s3async.restore.plugins.module_utils import object_sources
from ansible_collections.s3async.restore.plugins.module_utils import options
from ansible_collections.s3async.restore.plugins.module_utils import ready_window
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils import result_text
from ansible_collections.s3async.restore.plugins.module_utils import selection
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.failures import finish
from ansible_collections.s3async.restore.plugins.module_utils.object_results import Collector
from ansible_collections.s3async.restore.plugins.module_utils.object_results import report_view
from ansible_collections.s3async.restore.plugins.module_utils.object_results import target_of
from ansible_collections.s3async.restore.plugins.module_utils.restore_task import bucket_of
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket


def report_module(module: Any) -> None:
    """s3_object_restore_info: refuse bad input before any call, report, and end the module with the result."""
    problems = options.selection_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    bucket = bucket_of(module, "s3_object_restore_info")
    finish(module, lambda: run_report(module, bucket), f"S3 call failed for {target_of(module.params)}")


def needs_attention(obj: dict) -> bool:
    """What a report lists by default: objects that cannot be read yet."""
    return not restore_state.is_readable(obj["status"])


def run_report(module: Any, bucket: S3Bucket) -> dict:
    """Read every object asked for, changing nothing. Returns the result dict."""
    params = module.params
    key_run = params["key"] is not None
    collector = Collector(params["max_results"], params["list_objects"], (lambda obj: True) if key_run else needs_attention)
    chosen = None
    latest_ready = None
    if not key_run:
        trust_listing = restore_state.listing_trusted(params["status_source"], bucket.client.meta.endpoint_url)
        chosen = object_sources.selection_of(bucket, params, trust_listing)
    try:
        object_sources.check_manifest(bucket, params)
        objects = (object_restore.read_selection(bucket, chosen, params["concurrency"]) if chosen is not None
                   else [object_restore.read_object(bucket, params["key"], params["version_id"])])
        # Running restores of unknown tier and start: ready by now + the class's slowest published time (ready_window).
        now = datetime.datetime.now(datetime.timezone.utc)
        for obj in objects:
            obj = ready_window.with_window(report_view(obj), now, requested_by_us=False)
            latest_ready = ready_window.latest_ready_before(latest_ready, obj)
            collector.add(obj)
    except TaskFailure as failure:
        # Every result carries what RETURN says it always does.
        failure.result.update(changed=False, objects=collector.objects(), objects_truncated=collector.truncated,
                              summary=_summary(collector, chosen))
        raise
    summary = _summary(collector, chosen)
    summary["matched_nothing"] = chosen is not None and summary["total"] == 0
    summary["expected_ready_before"] = latest_ready
    _warn_about_selection(params, chosen, summary)
    result = {"changed": False, "objects": collector.objects(), "objects_truncated": collector.truncated, "summary": summary}
    if summary["failed"]:
        raise TaskFailure(
            f"{summary['failed']} of {summary['total']} objects could not be read: {collector.objects()[0]['error']}",
            failed_keys=sorted(collector.failed_keys), **result,
        )
    result["msg"] = result_text.report_message(target_of(params), summary)
    return result


def _summary(collector: Collector, chosen: Any) -> dict:
    """The report's summary, with what the selection left out (zero for a key run)."""
    summary = restore_state.report_summary(collector.summary)
    summary.update(chosen.counts() if chosen is not None else selection.empty_counts())
    return summary


def _warn_about_selection(params: dict, chosen: Any, summary: dict) -> None:
    if chosen is None:
        return
    for warning in chosen.warnings():
        warn(warning)
    if chosen.listed == 0 and params["prefix"] is not None:
        warn(result_text.matched_nothing_warning(params["prefix"]))
    elif summary["matched_nothing"]:
        warn(result_text.nothing_selected_warning(target_of(params), summary))
