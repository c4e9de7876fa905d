# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests for what the notification merge shows the user: the overlap message and its ways out, the destination
policy statement (the bucket owner's account), the message for S3's failed destination validation (each destination
S3 names, the statement only for our topic), the configuration sorted for a diff."""

from __future__ import annotations

import json

import pytest

from ansible_collections.s3async.restore.plugins.module_utils.notification_text import (
    ACCOUNT_PLACEHOLDER,
    destination_policy_statement,
    destination_validation_message,
    overlap_message,
    sorted_for_diff,
    validation_failures,
)

TOPIC = "arn:aws:sns:us-east-1:123456789012:restore-events"
OTHER_TOPIC = "arn:aws:sns:us-east-1:123456789012:audit"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:ingest"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:thumbnail"
OUR_ID = "s3async-restore-restore-events"
POST = "s3:ObjectRestore:Post"
COMPLETED = "s3:ObjectRestore:Completed"
DELETE = "s3:ObjectRestore:Delete"
WILD = "s3:ObjectRestore:*"


def described(id_, destination_type, arn, events, rules=(), index=0):
    """A configuration as notification.describe_configuration() describes it."""
    section = {"topic": "TopicConfigurations", "queue": "QueueConfigurations", "lambda": "LambdaFunctionConfigurations"}[destination_type]
    return {
        "id": id_,
        "destination_type": destination_type,
        "destination_arn": arn,
        "events": list(events),
        "filter_rules": [{"Name": name, "Value": value} for name, value in rules],
        "section": section,
        "index": index,
    }


# ---------------------------------------------------------------------------------------------------------------
# overlap_message
# ---------------------------------------------------------------------------------------------------------------


def test_overlap_message_appended_same_topic_and_others_exact():
    conflicts = [
        described("logs-only", "topic", TOPIC, [COMPLETED], [("Prefix", "logs/"), ("Suffix", ".gz")]),
        described("q", "queue", QUEUE, [], index=1),
        described(None, "topic", OTHER_TOPIC, [POST, COMPLETED], [("prefix", "it's")], index=2),
    ]
    addition = {"action": "appended", "id": "mine", "events": [COMPLETED], "prefix": None}
    assert overlap_message(TOPIC, addition, conflicts) == (
        "Cannot route restore events to SNS topic arn:aws:sns:us-east-1:123456789012:restore-events: adding "
        "s3:ObjectRestore:Completed to this topic's unfiltered configuration 'mine' (nothing narrower covers what is restored) would "
        "overlap 3 existing notification configurations, and S3 rejects two configurations that share an event type (a "
        "wildcard such as s3:ObjectRestore:* includes its members) when their key filters overlap, whatever their "
        "destinations (\"Configuration is ambiguously defined\"). The bucket's notification configuration was not changed.\n"
        "Overlapping:\n"
        "  - topic configuration 'logs-only' -> arn:aws:sns:us-east-1:123456789012:restore-events, events "
        "s3:ObjectRestore:Completed, filter Prefix='logs/', Suffix='.gz'\n"
        "  - queue configuration 'q' -> arn:aws:sqs:us-east-1:123456789012:ingest, events (none), no filter (every key)\n"
        "  - topic configuration None -> arn:aws:sns:us-east-1:123456789012:audit, events s3:ObjectRestore:Post, "
        "s3:ObjectRestore:Completed, filter prefix=\"it's\"\n"
        "Ways out:\n"
        "  - configuration 'logs-only' already sends restore events to this topic, but only for keys matching its filter "
        "Prefix='logs/', Suffix='.gz': remove that filter (the missing events are then added to it), or restore only keys "
        "it covers.\n"
        "  - change configuration 'q', None: take the restore events off it or remove it (narrowing its key filter is not "
        "enough: nothing narrower covers what is restored).\n"
        "  - receive the restore events where they already go: run without sns_topic_arn and consume the events that "
        "destination already receives.\n"
        "  - route via one topic: take the restore events off configuration 'q', None and subscribe its "
        "destination (queue or function) to arn:aws:sns:us-east-1:123456789012:restore-events, so the one topic fans "
        "them out to both.\n"
        "  - or turn on Amazon EventBridge for the bucket (EventBridgeConfiguration), which receives every event of the "
        "bucket, restore events included, with no overlap rule, and run without sns_topic_arn."
    )


def test_overlap_message_added_same_topic_only():
    conflicts = [described("logs-only", "topic", TOPIC, [POST], [("Prefix", "logs/")])]
    addition = {"action": "added", "id": OUR_ID, "events": [POST, COMPLETED], "prefix": None}
    lines = overlap_message(TOPIC, addition, conflicts).split("\n")
    assert lines[0].startswith(
        "Cannot route restore events to SNS topic arn:aws:sns:us-east-1:123456789012:restore-events: adding the "
        "configuration 's3async-restore-restore-events' with s3:ObjectRestore:Post, s3:ObjectRestore:Completed and no "
        "filter (nothing narrower covers what is restored) would overlap 1 existing notification configuration, and S3"
    )
    assert lines[1:] == [
        "Overlapping:",
        "  - topic configuration 'logs-only' -> arn:aws:sns:us-east-1:123456789012:restore-events, events "
        "s3:ObjectRestore:Post, filter Prefix='logs/'",
        "Ways out:",
        "  - configuration 'logs-only' already sends restore events to this topic, but only for keys matching its filter "
        "Prefix='logs/': remove that filter (the missing events are then added to it), or restore only keys it covers.",
    ]


def test_overlap_message_never_names_a_filter_that_does_not_exist():
    """An unfiltered configuration of the same topic: the advice is about its events, not about a filter."""
    conflicts = [described("b", "topic", TOPIC, [DELETE])]
    addition = {"action": "appended", "id": "a", "events": [WILD], "prefix": None}
    ways = overlap_message(TOPIC, addition, conflicts).split("Ways out:\n")[1]
    assert ways == ("  - configuration 'b' already sends s3:ObjectRestore:Delete to this topic for every key: add "
                    "s3:ObjectRestore:* to it yourself, or take the overlapping events off it.")
    assert "filter" not in ways


def test_overlap_message_narrowed_names_the_prefix():
    conflicts = [described("all", "queue", QUEUE, [WILD])]
    addition = {"action": "added", "id": OUR_ID, "events": [POST], "prefix": "db/x.dump"}
    msg = overlap_message(TOPIC, addition, conflicts)
    assert ("even the narrowest addition, the configuration 's3async-restore-restore-events' with s3:ObjectRestore:Post "
            "and the prefix filter 'db/x.dump' (the narrowest that covers what is restored), would overlap 1") in msg
    assert ("narrow its key filter so that it matches no key starting with 'db/x.dump', take the restore events off it, or "
            "remove it.") in msg


def test_overlap_message_narrowed_and_appended():
    conflicts = [described("all", "queue", QUEUE, [WILD])]
    addition = {"action": "appended", "id": "db", "events": [POST], "prefix": "db/"}
    assert overlap_message(TOPIC, addition, conflicts).startswith(
        f"Cannot route restore events to SNS topic {TOPIC}: even the narrowest addition, s3:ObjectRestore:Post added to "
        "this topic's configuration 'db' with the prefix filter 'db/' (the narrowest that covers what is restored), would "
        "overlap 1 existing notification configuration"
    )


def test_overlap_message_our_own_configuration_for_another_topic_points_to_absent():
    conflicts = [described("s3async-restore-audit", "topic", OTHER_TOPIC, [POST, COMPLETED])]
    addition = {"action": "added", "id": OUR_ID, "events": [POST, COMPLETED], "prefix": "db/"}
    ways = overlap_message(TOPIC, addition, conflicts).split("Ways out:\n")[1]
    assert ways == (
        "  - configuration 's3async-restore-audit' was added by this collection for SNS topic "
        "arn:aws:sns:us-east-1:123456789012:audit: to move the restore events to "
        "arn:aws:sns:us-east-1:123456789012:restore-events, remove it first (run with notification_state=absent and "
        "sns_topic_arn=arn:aws:sns:us-east-1:123456789012:audit), then run this task again."
    )


# ---------------------------------------------------------------------------------------------------------------
# sorted_for_diff, destination policy
# ---------------------------------------------------------------------------------------------------------------


def test_sorted_for_diff():
    data = {"b": [{"z": 1, "a": {"y": 2, "x": 3}}, 5], "a": {"d": 1, "c": [3, 1, 2]}}
    result = sorted_for_diff(data)
    assert result == data
    assert list(result) == ["a", "b"]
    assert list(result["a"]) == ["c", "d"]
    assert result["a"]["c"] == [3, 1, 2]
    assert list(result["b"][0]) == ["a", "z"]
    assert list(result["b"][0]["a"]) == ["x", "y"]
    assert json.dumps(result) == '{"a": {"c": [3, 1, 2], "d": 1}, "b": [{"a": {"x": 3, "y": 2}, "z": 1}, 5]}'


@pytest.mark.parametrize(
    "topic_arn, account_id, expected_condition",
    [
        pytest.param(
            TOPIC,
            "123456789012",
            {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket"}, "StringEquals": {"aws:SourceAccount": "123456789012"}},
            id="with-account",
        ),
        pytest.param(
            TOPIC,
            None,
            {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket"}, "StringEquals": {"aws:SourceAccount": "<bucket owner account id>"}},
            id="without-account-a-placeholder",
        ),
        pytest.param(
            "arn:aws-cn:sns:cn-north-1:210987654321:t",
            "111122223333",
            {"ArnLike": {"aws:SourceArn": "arn:aws-cn:s3:::my-bucket"}, "StringEquals": {"aws:SourceAccount": "111122223333"}},
            id="china-partition-bucket-owner-not-topic-account",
        ),
    ],
)
def test_destination_policy_statement(topic_arn, account_id, expected_condition):
    assert destination_policy_statement(topic_arn, "my-bucket", account_id) == {
        "Sid": "AllowS3PublishRestoreEvents",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "SNS:Publish",
        "Resource": topic_arn,
        "Condition": expected_condition,
    }


# ---------------------------------------------------------------------------------------------------------------
# S3's failed destination validation
# ---------------------------------------------------------------------------------------------------------------

NO_PERMISSION = "Permissions on the destination topic do not allow S3 to publish notifications from this bucket"
NO_QUEUE = "The destination queue does not exist"
UNABLE = "Unable to validate the following destination configurations"


@pytest.mark.parametrize(
    "fields, failures",
    [
        pytest.param({"Code": "InvalidArgument", "Message": UNABLE}, [], id="none-named"),
        pytest.param({"Code": "InvalidArgument", "ArgumentName1": TOPIC, "ArgumentValue1": NO_PERMISSION}, [(TOPIC, NO_PERMISSION)], id="one"),
        pytest.param(
            {"ArgumentName10": "arn:10", "ArgumentValue10": "ten", "ArgumentName2": QUEUE, "ArgumentValue2": NO_QUEUE,
             "ArgumentName1": TOPIC, "ArgumentValue1": NO_PERMISSION, "ArgumentNameX": "not a number"},
            [(TOPIC, NO_PERMISSION), (QUEUE, NO_QUEUE), ("arn:10", "ten")],
            id="numeric-order",
        ),
        pytest.param({"ArgumentName1": QUEUE}, [(QUEUE, "")], id="no-reason"),
    ],
)
def test_validation_failures(fields, failures):
    assert validation_failures(fields) == failures


def _statement_in(msg):
    lines = msg.split("\n")
    return json.loads("\n".join(lines[lines.index("{"):lines.index("}") + 1]))


def test_destination_validation_message_our_topic_shows_statement_with_the_bucket_owner():
    msg = destination_validation_message("my-bucket", [(TOPIC, NO_PERMISSION)], TOPIC, "111122223333", {TOPIC: [OUR_ID]})
    lines = msg.split("\n")
    assert lines[0] == (
        "S3 could not validate 1 destination(s) of the notification configuration of bucket my-bucket (\"Unable to "
        "validate the following destination configurations\"); the bucket's notification configuration was not changed. "
        "S3 tests every SNS topic, SQS queue and Lambda function of the configuration on each write, not only the one "
        "being added."
    )
    assert lines[1] == f"  - {TOPIC} (configuration '{OUR_ID}'): {NO_PERMISSION}"
    assert _statement_in(msg) == destination_policy_statement(TOPIC, "my-bucket", "111122223333")
    assert ACCOUNT_PLACEHOLDER not in msg
    assert "can no longer reach" not in msg
    assert "kms:GenerateDataKey" in msg


def test_destination_validation_message_without_owner_asks_to_fill_in_the_placeholder():
    msg = destination_validation_message("my-bucket", [(TOPIC, NO_PERMISSION)], TOPIC, None)
    assert _statement_in(msg)["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT_PLACEHOLDER}
    assert (f"Replace {ACCOUNT_PLACEHOLDER} with the 12-digit ID of the account that owns bucket my-bucket (S3 publishes "
            "with the bucket owner's account, whichever account owns the topic)") in msg


def test_destination_validation_message_foreign_stale_queue_shows_no_statement():
    msg = destination_validation_message("my-bucket", [(QUEUE, NO_QUEUE)], TOPIC, "111122223333", {QUEUE: ["ingest"], TOPIC: [OUR_ID]})
    assert msg.split("\n")[1:] == [
        f"  - {QUEUE} (configuration 'ingest'): {NO_QUEUE}",
        f"{QUEUE} is a destination of the bucket's existing notification configuration that S3 can no longer reach. That "
        "blocks every write of the bucket's notification configuration, by this task or anyone else. Fix it (recreate the "
        "queue, topic or function, or let S3 send to it in its access policy) or remove its configuration from the "
        "bucket, then run again. This task does not skip S3's check (SkipDestinationValidation): it would write a "
        "configuration whose events S3 cannot deliver.",
    ]
    assert "SNS:Publish" not in msg


def test_destination_validation_message_both_ours_and_foreign():
    msg = destination_validation_message("my-bucket", [(QUEUE, NO_QUEUE), (TOPIC, NO_PERMISSION)], TOPIC, "111122223333")
    assert "S3 could not validate 2 destination(s)" in msg
    assert f"{QUEUE} is a destination of the bucket's existing notification configuration" in msg
    assert _statement_in(msg)["Resource"] == TOPIC


def test_destination_validation_message_none_named():
    msg = destination_validation_message("my-bucket", [], TOPIC, "111122223333")
    assert "S3 did not name them: check every destination of the configuration, this task's topic first." in msg
    assert _statement_in(msg)["Resource"] == TOPIC


def test_destination_validation_message_removal_without_topic():
    msg = destination_validation_message("my-bucket", [(LAMBDA, "The destination function does not exist")], None, None)
    assert f"{LAMBDA} is a destination of the bucket's existing notification configuration" in msg
    assert "SNS:Publish" not in msg
