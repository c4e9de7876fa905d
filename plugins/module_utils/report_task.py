# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The run of s3_object_restore_info: read every object asked for, change nothing, say where they stand."""

from __future__ import annotations

from typing import Any

from ansible.module_utils.common.warnings import warn

from ansible_collections.s3async.restore.plugins.module_utils import object_restore
from ansible_collections.s3async.restore.plugins.module_utils import options
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils import result_text
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
    listing = None
    if not key_run:
        trust_listing = restore_state.listing_trusted(params["status_source"], bucket.client.meta.endpoint_url)
        listing = object_restore.PrefixListing(bucket, params["prefix"], trust_listing)
    try:
        objects = (object_restore.read_prefix(bucket, listing, params["concurrency"]) if listing is not None
                   else [object_restore.read_object(bucket, params["key"], params["version_id"])])
        for obj in objects:
            collector.add(report_view(obj))
    except TaskFailure as failure:
        # Every result carries what RETURN says it always does.
        failure.result.update(changed=False, objects=collector.objects(), objects_truncated=collector.truncated,
                              summary=restore_state.report_summary(collector.summary))
        raise
    summary = restore_state.report_summary(collector.summary)
    summary["matched_nothing"] = listing is not None and listing.listed == 0
    if summary["matched_nothing"]:
        warn(result_text.matched_nothing_warning(params["prefix"]))
    result = {"changed": False, "objects": collector.objects(), "objects_truncated": collector.truncated, "summary": summary}
    if summary["failed"]:
        raise TaskFailure(
            f"{summary['failed']} of {summary['total']} objects could not be read: {collector.objects()[0]['error']}",
            failed_keys=sorted(collector.failed_keys), **result,
        )
    result["msg"] = result_text.report_message(target_of(params), summary)
    return result
