# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests for what the notification merge shows the user: the overlap message, the destination policy statement
and its message, the configuration sorted for a diff."""

from __future__ import annotations

import json

import pytest

from ansible_collections.s3async.restore.plugins.module_utils.notification_text import (
    destination_policy_statement,
    destination_validation_message,
    overlap_message,
    sorted_for_diff,
)

TOPIC = "arn:aws:sns:us-east-1:123456789012:restore-events"
OTHER_TOPIC = "arn:aws:sns:us-east-1:123456789012:audit"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:ingest"
OUR_ID = "s3async-restore-restore-events"
POST = "s3:ObjectRestore:Post"
COMPLETED = "s3:ObjectRestore:Completed"


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
    assert overlap_message(TOPIC, "appended", "mine", [COMPLETED], conflicts) == (
        "Cannot route restore events to SNS topic arn:aws:sns:us-east-1:123456789012:restore-events: adding "
        "s3:ObjectRestore:Completed to this topic's unfiltered configuration 'mine' would overlap 3 existing notification "
        "configurations, and S3 rejects two configurations that share an event type (a wildcard such as s3:ObjectRestore:* "
        "includes its members) when their key filters overlap, whatever their destinations (\"Configuration is ambiguously "
        "defined\"). The bucket's notification configuration was not changed.\n"
        "Overlapping:\n"
        "  - topic configuration 'logs-only' -> arn:aws:sns:us-east-1:123456789012:restore-events, events "
        "s3:ObjectRestore:Completed, filter Prefix='logs/', Suffix='.gz'\n"
        "  - queue configuration 'q' -> arn:aws:sqs:us-east-1:123456789012:ingest, events (none), no filter (every key)\n"
        "  - topic configuration None -> arn:aws:sns:us-east-1:123456789012:audit, events s3:ObjectRestore:Post, "
        "s3:ObjectRestore:Completed, filter prefix=\"it's\"\n"
        "Ways out:\n"
        "  - configuration 'logs-only' already sends these events to this topic, but only for keys matching its filter: "
        "remove its filter (the events will then be added to it), or restore only keys it covers.\n"
        "  - narrow configuration 'q', None so that it no longer receives these restore events, or remove it; "
        "narrowing its key filter is not enough, because the restore configuration has no filter.\n"
        "  - move the restore events to that destination instead: run without sns_topic_arn and consume the events "
        "it already receives.\n"
        "  - route via one topic: take the restore events off configuration 'q', None and subscribe its "
        "destination (queue or function) to arn:aws:sns:us-east-1:123456789012:restore-events, so the one topic fans "
        "them out to both."
    )


def test_overlap_message_added_same_topic_only():
    conflicts = [described("logs-only", "topic", TOPIC, [POST], [("Prefix", "logs/")])]
    lines = overlap_message(TOPIC, "added", OUR_ID, [POST, COMPLETED], conflicts).split("\n")
    assert lines[0].startswith(
        "Cannot route restore events to SNS topic arn:aws:sns:us-east-1:123456789012:restore-events: adding the "
        "configuration 's3async-restore-restore-events' (no filter, so that it covers every key restored) with "
        "s3:ObjectRestore:Post, s3:ObjectRestore:Completed would overlap 1 existing notification configuration, and S3"
    )
    assert lines[1:] == [
        "Overlapping:",
        "  - topic configuration 'logs-only' -> arn:aws:sns:us-east-1:123456789012:restore-events, events "
        "s3:ObjectRestore:Post, filter Prefix='logs/'",
        "Ways out:",
        "  - configuration 'logs-only' already sends these events to this topic, but only for keys matching its filter: "
        "remove its filter (the events will then be added to it), or restore only keys it covers.",
    ]


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
        pytest.param(TOPIC, None, {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket"}}, id="without-account"),
        pytest.param(
            "arn:aws-cn:sns:cn-north-1:210987654321:t",
            "210987654321",
            {"ArnLike": {"aws:SourceArn": "arn:aws-cn:s3:::my-bucket"}, "StringEquals": {"aws:SourceAccount": "210987654321"}},
            id="china-partition",
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


def test_destination_validation_message_shows_statement():
    msg = destination_validation_message(TOPIC, "my-bucket", "123456789012")
    lines = msg.split("\n")
    assert TOPIC in lines[0] and "my-bucket" in lines[0] and "Unable to validate the following destination configurations" in lines[0]
    start = lines.index("{")
    end = lines.index("}")
    assert json.loads("\n".join(lines[start:end + 1])) == destination_policy_statement(TOPIC, "my-bucket", "123456789012")
    assert "aws:SourceAccount\": \"<bucket owner account id>" not in msg
    assert "kms:GenerateDataKey" in msg


def test_destination_validation_message_without_account_asks_for_it():
    msg = destination_validation_message(TOPIC, "my-bucket", None)
    assert "\"StringEquals\": {\"aws:SourceAccount\": \"<bucket owner account id>\"}" in msg
