# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the notification merge shows the user: the overlap message with its ways out, the SNS topic-policy
statement S3 needs to publish to the topic, the message for S3's failed destination validation (naming each
destination S3 could not reach), and a configuration sorted for a readable diff. Pure (no boto3).

Sources: S3 User Guide, "Configuring event notifications using object key name filtering"
(notification-how-to-filtering) and "Granting permissions to publish event notification messages to a destination"
(grant-destinations-permissions-to-s3).
"""

from __future__ import annotations

import json

from typing import Any

from ansible_collections.s3async.restore.plugins.module_utils.aws_names import bucket_arn
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import ID_PREFIX


def _filter_text(rules_as_read: list) -> str:
    if not rules_as_read:
        return "no filter (every key)"
    return "filter " + ", ".join(f"{rule.get('Name')}={rule.get('Value')!r}" for rule in rules_as_read if isinstance(rule, dict))


def _conflict_text(conflict: dict) -> str:
    events = ", ".join(conflict["events"]) or "(none)"
    filter_text = _filter_text(conflict["filter_rules"])
    return f"{conflict['destination_type']} configuration {conflict['id']!r} -> {conflict['destination_arn']}, events {events}, {filter_text}"


def _addition_text(addition: dict) -> str:
    """Our addition as the message names it: {"action", "id", "events", "prefix" (None when unfiltered)}."""
    events, our_id, prefix = ", ".join(addition["events"]), addition["id"], addition["prefix"]
    if prefix is None:
        # Reported unfiltered only when no prefix filter is narrower: the whole bucket (or keys with no common
        # prefix) is restored.
        if addition["action"] == "appended":
            return f"adding {events} to this topic's unfiltered configuration {our_id!r} (nothing narrower covers what is restored)"
        return f"adding the configuration {our_id!r} with {events} and no filter (nothing narrower covers what is restored)"
    if addition["action"] == "appended":
        return (f"even the narrowest addition, {events} added to this topic's configuration {our_id!r} with the prefix "
                f"filter {prefix!r} (the narrowest that covers what is restored),")
    return (f"even the narrowest addition, the configuration {our_id!r} with {events} and the prefix filter {prefix!r} "
            "(the narrowest that covers what is restored),")


def _own_other_topic(conflict: dict, topic_arn: str) -> bool:
    # A configuration this collection added (by its Id) for another topic.
    return (conflict["destination_type"] == "topic" and conflict["destination_arn"] != topic_arn
            and str(conflict["id"] or "").startswith(ID_PREFIX))


def _same_topic_ways(conflict: dict, addition: dict) -> str:
    events = ", ".join(addition["events"])
    if conflict["filter_rules"]:
        return (f"  - configuration {conflict['id']!r} already sends restore events to this topic, but only for keys "
                f"matching its {_filter_text(conflict['filter_rules'])}: remove that filter (the missing events are then "
                "added to it), or restore only keys it covers.")
    return (f"  - configuration {conflict['id']!r} already sends {', '.join(conflict['events'])} to this topic for every "
            f"key: add {events} to it yourself, or take the overlapping events off it.")


def _other_destination_ways(names: str, topic_arn: str, addition: dict) -> list[str]:
    if addition["prefix"] is None:
        narrow = "take the restore events off it or remove it (narrowing its key filter is not enough: nothing narrower covers what is restored)"
    else:
        narrow = (f"narrow its key filter so that it matches no key starting with {addition['prefix']!r}, take the "
                  "restore events off it, or remove it")
    return [
        f"  - change configuration {names}: {narrow}.",
        "  - receive the restore events where they already go: run without sns_topic_arn and consume the events that "
        "destination already receives.",
        f"  - route via one topic: take the restore events off configuration {names} and subscribe its destination "
        f"(queue or function) to {topic_arn}, so the one topic fans them out to both.",
        "  - or turn on Amazon EventBridge for the bucket (EventBridgeConfiguration), which receives every event of "
        "the bucket, restore events included, with no overlap rule, and run without sns_topic_arn.",
    ]


def overlap_message(topic_arn: str, addition: dict, conflicts: list[dict]) -> str:
    """Why our addition cannot be written, and the ways out.

    addition: {"action" "appended" | "added", "id", "events", "prefix" (the filter's prefix, None when none)};
    conflicts: the configurations it would overlap, as made by notification.describe_configuration().
    """
    count = len(conflicts)
    plural = "" if count == 1 else "s"
    lines = [
        f"Cannot route restore events to SNS topic {topic_arn}: {_addition_text(addition)} would overlap {count} "
        f"existing notification configuration{plural}, and S3 rejects two configurations that share an event type (a "
        "wildcard such as s3:ObjectRestore:* includes its members) when their key filters overlap, whatever their "
        "destinations (\"Configuration is ambiguously defined\"). The bucket's notification configuration was not "
        "changed.",
        "Overlapping:",
    ]
    lines.extend("  - " + _conflict_text(conflict) for conflict in conflicts)
    lines.append("Ways out:")
    own_other = [conflict for conflict in conflicts if _own_other_topic(conflict, topic_arn)]
    same_topic = [conflict for conflict in conflicts if conflict["destination_type"] == "topic" and conflict["destination_arn"] == topic_arn]
    others = [conflict for conflict in conflicts if conflict not in same_topic and conflict not in own_other]
    for conflict in own_other:
        lines.append(
            f"  - configuration {conflict['id']!r} was added by this collection for SNS topic {conflict['destination_arn']}: "
            f"to move the restore events to {topic_arn}, remove it first (run with notification_state=absent and "
            f"sns_topic_arn={conflict['destination_arn']}), then run this task again."
        )
    lines.extend(_same_topic_ways(conflict, addition) for conflict in same_topic)
    if others:
        lines.extend(_other_destination_ways(", ".join(repr(conflict["id"]) for conflict in others), topic_arn, addition))
    return "\n".join(lines)


# The placeholder left in the topic policy statement when the bucket owner's account is not known.
ACCOUNT_PLACEHOLDER = "<bucket owner account id>"


def destination_policy_statement(topic_arn: str, bucket: str, account_id: str | None = None) -> dict:
    """The SNS topic-policy statement that lets S3 publish this bucket's events to the topic.

    grant-destinations-permissions-to-s3: principal service s3.amazonaws.com, action SNS:Publish on the topic,
    conditioned on the bucket's ARN (aws:SourceArn) and the account that owns the bucket (aws:SourceAccount), so
    that no other bucket can publish through it. S3 publishes with the bucket owner's account, which for a topic in
    another account is not the topic's: account_id None leaves ACCOUNT_PLACEHOLDER for the user to fill in.
    """
    partition = topic_arn.split(":")[1] if topic_arn.count(":") >= 5 else "aws"
    condition = {
        "ArnLike": {"aws:SourceArn": bucket_arn(partition, bucket)},
        "StringEquals": {"aws:SourceAccount": str(account_id) if account_id else ACCOUNT_PLACEHOLDER},
    }
    return {
        "Sid": "AllowS3PublishRestoreEvents",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "SNS:Publish",
        "Resource": topic_arn,
        "Condition": condition,
    }


def validation_failures(error_fields: dict) -> list[tuple[str, str]]:
    """(destination ARN, S3's reason) for each ArgumentName<n> / ArgumentValue<n> pair of an "Unable to validate
    the following destination configurations" error, in the order of n. botocore puts the error's XML children
    in error.response["Error"]."""
    numbers = sorted(int(name[len("ArgumentName"):]) for name in error_fields
                     if name.startswith("ArgumentName") and name[len("ArgumentName"):].isdigit())
    return [(str(error_fields[f"ArgumentName{n}"]), str(error_fields.get(f"ArgumentValue{n}", ""))) for n in numbers]


def _topic_policy_lines(topic_arn: str, bucket: str, account_id: str | None) -> list[str]:
    lines = [
        f"SNS topic {topic_arn} (this task's) must exist in the bucket's region, and its access policy must let Amazon S3 "
        "publish to it. Add this statement to the topic's policy (keep the statements it already has), then run again:",
        json.dumps(destination_policy_statement(topic_arn, bucket, account_id), indent=2),
    ]
    if not account_id:
        lines.append(
            f"Replace {ACCOUNT_PLACEHOLDER} with the 12-digit ID of the account that owns bucket {bucket} (S3 publishes "
            "with the bucket owner's account, whichever account owns the topic), or give expected_bucket_owner and the "
            "message will fill it in."
        )
    lines.append("If the topic is encrypted with a customer managed KMS key, that key's policy must also allow the "
                 "s3.amazonaws.com service principal kms:GenerateDataKey and kms:Decrypt.")
    return lines


def _foreign_lines(foreign: list[str]) -> list[str]:
    names = ", ".join(foreign)
    return [
        f"{names} {'is a destination' if len(foreign) == 1 else 'are destinations'} of the bucket's existing notification "
        "configuration that S3 can no longer reach. That blocks every write of the bucket's notification configuration, "
        "by this task or anyone else. Fix it (recreate the queue, topic or function, or let S3 send to it in its access "
        "policy) or remove its configuration from the bucket, then run again. This task does not skip S3's check "
        "(SkipDestinationValidation): it would write a configuration whose events S3 cannot deliver."
    ]


def destination_validation_message(bucket: str, failures: list[tuple[str, str]], topic_arn: str | None = None,
                                   account_id: str | None = None, ids: dict | None = None) -> str:
    """The message for S3's 400 InvalidArgument "Unable to validate the following destination configurations".

    S3 tests every SNS / SQS / Lambda destination of the configuration on each write, not only the one added
    (grant-destinations-permissions-to-s3): failures names each destination S3 reports with its reason, ids maps a
    destination ARN to the Ids of its configurations. The topic policy statement is shown only when this task's
    topic is among them (or S3 named none); account_id is the bucket owner's.
    """
    ids = ids or {}
    lines = [f"S3 could not validate {len(failures) or 'some'} destination(s) of the notification configuration of bucket "
             f"{bucket} (\"Unable to validate the following destination configurations\"); the bucket's notification "
             "configuration was not changed. S3 tests every SNS topic, SQS queue and Lambda function of the configuration "
             "on each write, not only the one being added."]
    for arn, reason in failures:
        named = ", ".join(repr(entry_id) for entry_id in ids.get(arn, []))
        lines.append(f"  - {arn}{f' (configuration {named})' if named else ''}: {reason or 'no reason given'}")
    if not failures:
        lines.append("S3 did not name them: check every destination of the configuration, this task's topic first.")
    foreign = [arn for arn, _reason in failures if arn != topic_arn]
    if foreign:
        lines.extend(_foreign_lines(foreign))
    if topic_arn and (not failures or len(foreign) < len(failures)):
        lines.extend(_topic_policy_lines(topic_arn, bucket, account_id))
    return "\n".join(lines)


def sorted_for_diff(configuration: Any) -> Any:
    """The same data with mapping keys sorted recursively (lists keep their order), for a readable diff."""
    if isinstance(configuration, dict):
        return {key: sorted_for_diff(configuration[key]) for key in sorted(configuration, key=str)}
    if isinstance(configuration, (list, tuple)):
        return [sorted_for_diff(item) for item in configuration]
    return configuration
