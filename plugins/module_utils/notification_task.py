# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Make a bucket send the restore events to an SNS topic: region check, read, plan, re-read, write, read back.

The plan is notification's (pure); the calls are s3_api.S3Bucket's, which translates their errors.
PutBucketNotificationConfiguration replaces the whole configuration and S3 has no conditional write for it, so
the configuration is re-read right before the write and read back after it.
"""

from __future__ import annotations

from ansible.module_utils.common.warnings import warn

from ansible_collections.s3async.restore.plugins.module_utils import notification
from ansible_collections.s3async.restore.plugins.module_utils import notification_input
from ansible_collections.s3async.restore.plugins.module_utils import notification_text
from ansible_collections.s3async.restore.plugins.module_utils.notification_errors import NotificationConfigError
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket


def restore_scope(params: dict) -> dict:
    """The keys the restore events must cover: the one key, or every key under the prefix."""
    return {"keys": [params["key"]]} if params["key"] is not None else {"prefix": params["prefix"]}


def ensure_notification(bucket: S3Bucket, params: dict, check_mode: bool) -> tuple:
    """Make the bucket send the restore events to the topic. Returns (changed, result, diff)."""
    topic_arn, events = params["sns_topic_arn"], params["notification_events"]
    scope = restore_scope(params)
    refuse_other_region(bucket, topic_arn)
    current = bucket.get_notification_configuration()
    plan = plan_notification(current, topic_arn, events, scope)
    if plan["changed"] and not check_mode:
        plan = write_notification(bucket, current, plan, topic_arn, events, scope)
    result = {
        "topic_arn": topic_arn,
        "events": sorted(set(events)),
        "action": plan["action"],
        "configuration_id": plan["configuration_id"],
        "changed": plan["changed"],
    }
    diff = {"before": notification_text.sorted_for_diff(plan["before"]), "after": notification_text.sorted_for_diff(plan["after"])}
    return plan["changed"], result, diff


def refuse_other_region(bucket: S3Bucket, topic_arn: str) -> None:
    """S3 publishes only to a topic in the bucket's region; it would refuse the write with a bare "Unable to
    validate the following destination configurations" (S3 User Guide, "Amazon S3 Event Notifications")."""
    bucket_region = bucket.region()
    topic_region = notification_input.topic_arn_region(topic_arn)
    if bucket_region and bucket_region != topic_region:
        raise TaskFailure(
            f"sns_topic_arn {topic_arn} is in {topic_region}, but bucket {bucket.name} is in {bucket_region}: S3 "
            "sends event notifications only to a topic in the bucket's region. Use a topic in "
            f"{bucket_region} (it can forward to other regions through a subscription)."
        )


def plan_notification(current: dict, topic_arn: str, events: list, scope: dict) -> dict:
    try:
        return notification.plan_restore_notification(current, topic_arn, events=events, **scope)
    except NotificationConfigError as error:
        raise TaskFailure(error.msg, notification_conflicts=getattr(error, "conflicts", [])) from error


def write_notification(bucket: S3Bucket, current: dict, plan: dict, topic_arn: str, events: list, scope: dict) -> dict:
    """Write the planned configuration and read it back. Returns the plan that was written.

    PutBucketNotificationConfiguration replaces the whole configuration: re-read right before writing so that a
    change made by someone else since our first read is merged, not overwritten.
    """
    latest = bucket.get_notification_configuration()
    if latest != current:
        plan = plan_notification(latest, topic_arn, events, scope)
    if plan["changed"]:
        bucket.put_notification_configuration(plan["after"], topic_arn)
        verify_notification(bucket, plan, topic_arn, events, scope)
    return plan


def verify_notification(bucket: S3Bucket, plan: dict, topic_arn: str, events: list, scope: dict) -> None:
    """Read back after writing: our events must be there; another writer's change in between is reported."""
    written = bucket.get_notification_configuration()
    if plan_notification(written, topic_arn, events, scope)["changed"]:
        raise TaskFailure(
            f"The notification configuration of bucket {bucket.name} was changed by another writer while this task "
            f"wrote it: the restore events for {topic_arn} are missing now. Run the task again."
        )
    lost = notification.missing_entries(plan["after"], written)
    if lost:
        warn(
            f"After writing the notification configuration of bucket {bucket.name}, {len(lost)} configuration(s) "
            f"read back differently ({', '.join(lost)}): another tool may have written it at the same time."
        )
