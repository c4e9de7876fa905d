# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Make a bucket send the restore events to an SNS topic, or stop sending those this collection set up: partition
and region check, read, plan, re-read, write, read back.

The plans are notification's (pure); the calls are s3_api.S3Bucket's, which translates their errors.
PutBucketNotificationConfiguration replaces the whole configuration and S3 has no conditional write for it, so
the configuration is re-read right before the write and read back after it. Bucket configurations are eventually
consistent ("Bucket configurations have an eventual consistency model", S3 User Guide, "Amazon S3 data consistency
model"): a read right after the write may return the previous configuration, so the read-back is repeated, backed
off, for up to READ_BACK_SECONDS before the write counts as lost.
"""

from __future__ import annotations

import dataclasses
import os
import time

from typing import Any

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.warnings import warn

from ansible_collections.s3async.restore.plugins.module_utils import notification
from ansible_collections.s3async.restore.plugins.module_utils import notification_input
from ansible_collections.s3async.restore.plugins.module_utils import notification_text
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.failures import error_code
from ansible_collections.s3async.restore.plugins.module_utils.failures import error_message
from ansible_collections.s3async.restore.plugins.module_utils.notification_errors import NotificationConfigError
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket
from ansible_collections.s3async.restore.plugins.module_utils.waiting import Wait

# How long the read-back after a write may wait for S3 to show it, and the first delay (then 2, 4, 8, 15 s).
READ_BACK_SECONDS = 30
READ_BACK_FIRST_DELAY = 1


def restore_scope(params: dict) -> dict:
    """The keys the restore events must cover: the one key; every key under the prefix; for option keys, every key
    under their longest common prefix (a notification filter is a prefix and suffix, S3 User Guide "Configuring
    event notifications using object key name filtering"); else (a manifest, or keys with nothing in common) the
    whole bucket, as the manifest's keys are known only once it is read."""
    if params.get("key") is not None:
        return {"keys": [params["key"]]}
    if params.get("prefix") is not None:
        return {"prefix": params["prefix"]}
    keys = [item if isinstance(item, str) else item["key"] for item in params.get("keys") or ()]
    return {"prefix": os.path.commonprefix(keys) if keys else ""}


@dataclasses.dataclass(frozen=True)
class NotificationRequest:
    """What a run asks of the notification configuration: the topic (None: all of ours, with state absent), the
    restore events, the keys to cover, and notification_state."""

    topic_arn: str | None
    events: list
    scope: dict
    state: str

    @classmethod
    def from_params(cls, params: dict) -> NotificationRequest:
        events = params.get("notification_events")
        return cls(params["sns_topic_arn"], list(notification_input.DEFAULT_RESTORE_EVENTS if events is None else events),
                   restore_scope(params), params.get("notification_state") or "present")

    def plan(self, configuration: dict) -> dict:
        """The plan for this configuration; TaskFailure when the addition would overlap (nothing written)."""
        try:
            return self.pure_plan(configuration)
        except NotificationConfigError as error:
            raise TaskFailure(error.msg, notification_conflicts=getattr(error, "conflicts", [])) from error

    def pure_plan(self, configuration: dict) -> dict:
        if self.state == "absent":
            return notification.plan_notification_removal(configuration, self.topic_arn)
        return notification.plan_restore_notification(configuration, self.topic_arn, events=self.events, **self.scope)

    def done(self, configuration: dict) -> bool:
        """Whether `configuration` already is what this request asks for (planning on it changes nothing)."""
        try:
            return not self.pure_plan(configuration)["changed"]
        except NotificationConfigError:
            return False


def ensure_notification(bucket: S3Bucket, params: dict, check_mode: bool, clock: Any = None) -> tuple:
    """Make the bucket send the restore events to the topic (notification_state present), or remove the
    configurations this collection added (absent). `clock` (default: the time module) paces the read-back.
    Returns (changed, result, diff)."""
    request = NotificationRequest.from_params(params)
    if request.topic_arn is not None and request.state == "present":
        # A removal sends nothing to the topic: its partition and region do not matter.
        refuse_other_region(bucket, request.topic_arn)
    current = bucket.get_notification_configuration()
    plan = request.plan(current)
    if plan["changed"] and not check_mode:
        plan = write_notification(bucket, current, plan, request, clock or time)
    diff = {"before": notification_text.sorted_for_diff(plan["before"]), "after": notification_text.sorted_for_diff(plan["after"])}
    return plan["changed"], notification_result(request, plan), diff


def notification_result(request: NotificationRequest, plan: dict) -> dict:
    """The module's `notification` result: the events as configured (the wildcard as the wildcard)."""
    result = {
        "topic_arn": request.topic_arn,
        "events": plan["events"],
        "action": plan["action"],
        "configuration_id": plan["configuration_id"] if request.state == "present" else "",
        "changed": plan["changed"],
    }
    if request.state == "absent":
        result["removed"] = list(plan["configuration_ids"])
    return result


def refuse_other_region(bucket: S3Bucket, topic_arn: str) -> None:
    """S3 publishes only to a topic in the bucket's partition and region; it would refuse the write with a bare
    "Unable to validate the following destination configurations" (S3 User Guide, "Amazon S3 Event
    Notifications")."""
    bucket_region = bucket.region()
    # When HeadBucket does not say, the client's region still tells the partition: a client reaches only the
    # buckets of its own partition (AWS General Reference, "AWS service endpoints").
    refuse_other_partition(bucket, topic_arn, bucket_region or _client_region(bucket), bool(bucket_region))
    topic_region = notification_input.topic_arn_region(topic_arn)
    if bucket_region and bucket_region != topic_region:
        raise TaskFailure(
            f"sns_topic_arn {topic_arn} is in {topic_region}, but bucket {bucket.name} is in {bucket_region}: S3 "
            "sends event notifications only to a topic in the bucket's region. Use a topic in "
            f"{bucket_region} (it can forward to other regions through a subscription)."
        )


def refuse_other_partition(bucket: S3Bucket, topic_arn: str, region: str | None, region_is_the_buckets: bool) -> None:
    if not region:
        return
    bucket_partition = notification_input.region_partition(region)
    topic_partition = topic_arn.split(":")[1]
    if topic_partition != bucket_partition:
        where = f"is in {region}" if region_is_the_buckets else f"is reached through region {region}"
        raise TaskFailure(
            f"sns_topic_arn {topic_arn} is in partition {topic_partition}, but bucket {bucket.name} {where}, in partition "
            f"{bucket_partition}: S3 sends event notifications only to a topic in the bucket's own partition and region. "
            f"Use a topic ARN of the form arn:{bucket_partition}:sns:{region}:<account id>:<topic name>."
        )


def _client_region(bucket: S3Bucket) -> str | None:
    return getattr(getattr(bucket.client, "meta", None), "region_name", None)


def write_notification(bucket: S3Bucket, current: dict, plan: dict, request: NotificationRequest, clock: Any) -> dict:
    """Write the planned configuration and read it back. Returns the plan that was written.

    PutBucketNotificationConfiguration replaces the whole configuration: re-read right before writing so that a
    change made by someone else since our first read is merged, not overwritten. Once the write succeeded, every
    failure says the bucket was changed (changed=True, with the notification result).
    """
    latest = bucket.get_notification_configuration()
    if latest != current:
        plan = request.plan(latest)
    if plan["changed"]:
        bucket.put_notification_configuration(plan["after"], request.topic_arn if request.state == "present" else None)
        try:
            confirm_written(bucket, plan, request, clock)
        except TaskFailure as failure:
            failure.result.update(changed=True, notification=notification_result(request, plan))
            raise
    return plan


def confirm_written(bucket: S3Bucket, plan: dict, request: NotificationRequest, clock: Any) -> None:
    """Read back until the configuration shows what was asked for, backed off on `clock` for up to
    READ_BACK_SECONDS: a read that still shows the previous configuration is S3's eventual consistency, not yet
    proof of another writer. One that stays so fails the task; other entries of what was written that read back
    differently are warned about."""
    wait = Wait(READ_BACK_SECONDS, READ_BACK_FIRST_DELAY, clock)
    reads = 0
    while True:
        written = _read_back(bucket)
        reads += 1
        if request.done(written):
            break
        if not wait.sleep():
            raise TaskFailure(_not_confirmed_message(bucket, plan, request, reads, wait.waited()))
    lost = notification.missing_entries(plan["after"], written)
    if lost:
        warn(
            f"After writing the notification configuration of bucket {bucket.name}, {len(lost)} configuration(s) "
            f"read back differently ({', '.join(lost)}): another tool may have written it at the same time."
        )


def _read_back(bucket: S3Bucket) -> dict:
    try:
        return bucket.get_notification_configuration()
    except botocore.exceptions.ClientError as error:
        raise TaskFailure(
            f"The notification configuration of bucket {bucket.name} was written, but reading it back failed "
            f"({error_code(error)}: {error_message(error)}). Run the task again to check it: it writes nothing when the "
            "configuration is already right."
        ) from error


def _not_confirmed_message(bucket: S3Bucket, plan: dict, request: NotificationRequest, reads: int, waited: float) -> str:
    if request.state == "absent":
        what = f"this collection's configuration(s) {', '.join(repr(entry_id) for entry_id in plan['configuration_ids'])}"
    else:
        what = f"the configuration without the restore events for {request.topic_arn}"
    return (
        f"The notification configuration of bucket {bucket.name} was written, but {reads} reads over {waited:.0f} seconds "
        f"still show {what}. Bucket configurations are eventually consistent, so a read right after a write can return "
        "the previous configuration for a while; one that stays so most likely means another writer replaced the "
        "configuration meanwhile. Run the task again: it writes nothing if the configuration is right by then."
    )
