# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the notification merge shows the user: the overlap message with its ways out, the SNS topic-policy
statement S3 needs to publish to the topic with the message for S3's failed destination validation, and a
configuration sorted for a readable diff. Pure (no boto3).

Sources: S3 User Guide, "Configuring event notifications using object key name filtering"
(notification-how-to-filtering) and "Granting permissions to publish event notification messages to a destination"
(grant-destinations-permissions-to-s3).
"""

from __future__ import annotations

import json

from typing import Any

from ansible_collections.s3async.restore.plugins.module_utils.aws_names import bucket_arn


def _filter_text(rules_as_read: list) -> str:
    if not rules_as_read:
        return "no filter (every key)"
    return "filter " + ", ".join(f"{rule.get('Name')}={rule.get('Value')!r}" for rule in rules_as_read if isinstance(rule, dict))


def _conflict_text(conflict: dict) -> str:
    events = ", ".join(conflict["events"]) or "(none)"
    filter_text = _filter_text(conflict["filter_rules"])
    return f"{conflict['destination_type']} configuration {conflict['id']!r} -> {conflict['destination_arn']}, events {events}, {filter_text}"


def overlap_message(topic_arn: str, action: str, our_id: str, added: list[str], conflicts: list[dict]) -> str:
    """Why our addition (action "appended" or "added", of the events `added`) cannot be written, and the ways out.

    conflicts: the configurations it would overlap, as made by notification.describe_configuration().
    """
    added_text = ", ".join(added)
    if action == "appended":
        ours = f"adding {added_text} to this topic's unfiltered configuration {our_id!r}"
    else:
        ours = f"adding the configuration {our_id!r} (no filter, so that it covers every key restored) with {added_text}"
    count = len(conflicts)
    plural = "" if count == 1 else "s"
    lines = [
        f"Cannot route restore events to SNS topic {topic_arn}: {ours} would overlap {count} existing notification configuration{plural}, "
        "and S3 rejects two configurations that share an event type (a wildcard such as s3:ObjectRestore:* includes "
        "its members) when their key filters overlap, whatever their destinations (\"Configuration is ambiguously "
        "defined\"). The bucket's notification configuration was not changed.",
        "Overlapping:",
    ]
    for conflict in conflicts:
        lines.append("  - " + _conflict_text(conflict))
    lines.append("Ways out:")
    same_topic = [conflict for conflict in conflicts if conflict["destination_type"] == "topic" and conflict["destination_arn"] == topic_arn]
    others = [conflict for conflict in conflicts if conflict not in same_topic]
    if same_topic:
        same_topic_ids = ", ".join(repr(conflict["id"]) for conflict in same_topic)
        lines.append(
            f"  - configuration {same_topic_ids} already sends these events to this topic, but only for keys matching its filter: "
            "remove its filter (the events will then be added to it), or restore only keys it covers."
        )
    if others:
        names = ", ".join(repr(conflict["id"]) for conflict in others)
        lines.extend(
            [
                f"  - narrow configuration {names} so that it no longer receives these restore events, or remove it; "
                "narrowing its key filter is not enough, because the restore configuration has no filter.",
                "  - move the restore events to that destination instead: run without sns_topic_arn and consume "
                "the events it already receives.",
                f"  - route via one topic: take the restore events off configuration {names} and subscribe its "
                f"destination (queue or function) to {topic_arn}, so the one topic fans them out to both.",
            ]
        )
    return "\n".join(lines)


def destination_policy_statement(topic_arn: str, bucket: str, account_id: str | None = None) -> dict:
    """The SNS topic-policy statement that lets S3 publish this bucket's events to the topic.

    grant-destinations-permissions-to-s3: principal service s3.amazonaws.com, action SNS:Publish on the topic,
    conditioned on the bucket's ARN (aws:SourceArn) and the bucket owner's account (aws:SourceAccount) so that
    no other bucket can publish through it. account_id None leaves the account condition out.
    """
    partition = topic_arn.split(":")[1] if topic_arn.count(":") >= 5 else "aws"
    condition = {"ArnLike": {"aws:SourceArn": bucket_arn(partition, bucket)}}
    if account_id:
        condition["StringEquals"] = {"aws:SourceAccount": str(account_id)}
    return {
        "Sid": "AllowS3PublishRestoreEvents",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "SNS:Publish",
        "Resource": topic_arn,
        "Condition": condition,
    }


def destination_validation_message(topic_arn: str, bucket: str, account_id: str | None = None) -> str:
    """The message for S3's 400 "Unable to validate the following destination configurations"."""
    statement = destination_policy_statement(topic_arn, bucket, account_id)
    lines = [
        f"S3 could not validate SNS topic {topic_arn} as a destination for bucket {bucket} (\"Unable to validate the following "
        "destination configurations\"); the bucket's notification configuration was not changed. S3 publishes a "
        "test message when the configuration is written, so the topic must exist in the bucket's region and its "
        "access policy must let Amazon S3 publish to it. Add this statement to the topic's policy (keep the "
        "statements it already has), then run again:",
        json.dumps(statement, indent=2),
    ]
    if not account_id:
        lines.append(
            "Also add \"StringEquals\": {\"aws:SourceAccount\": \"<bucket owner account id>\"} to the Condition, so "
            "that only this account's bucket can publish."
        )
    lines.append(
        "If the topic is encrypted with a customer managed KMS key, that key's policy must also allow the "
        "s3.amazonaws.com service principal kms:GenerateDataKey and kms:Decrypt."
    )
    return "\n".join(lines)


def sorted_for_diff(configuration: Any) -> Any:
    """The same data with mapping keys sorted recursively (lists keep their order), for a readable diff."""
    if isinstance(configuration, dict):
        return {key: sorted_for_diff(configuration[key]) for key in sorted(configuration, key=str)}
    if isinstance(configuration, (list, tuple)):
        return [sorted_for_diff(item) for item in configuration]
    return configuration
