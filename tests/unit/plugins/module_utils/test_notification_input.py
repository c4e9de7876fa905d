# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests for what a restore notification may be asked for: the topic ARN and event checks, and the request
normalised (events without duplicates, keys and prefix as scopes)."""

from __future__ import annotations

import pytest

from ansible_collections.s3async.restore.plugins.module_utils.notification_errors import NotificationConfigError
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import (
    DEFAULT_RESTORE_EVENTS,
    RESTORE_EVENTS,
    events_problem,
    requested_events,
    requested_scopes,
    topic_arn_problem,
    topic_arn_region,
)

TOPIC = "arn:aws:sns:us-east-1:123456789012:restore-events"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:thumbnail"

POST = "s3:ObjectRestore:Post"
COMPLETED = "s3:ObjectRestore:Completed"
DELETE = "s3:ObjectRestore:Delete"
WILD = "s3:ObjectRestore:*"
CREATED = "s3:ObjectCreated:*"


# ---------------------------------------------------------------------------------------------------------------
# ARNs and events
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arn",
    [
        pytest.param(TOPIC, id="aws"),
        pytest.param("arn:aws-cn:sns:cn-north-1:123456789012:t", id="aws-cn"),
        pytest.param("arn:aws-us-gov:sns:us-gov-west-1:123456789012:My_Topic-1", id="aws-us-gov"),
        pytest.param("arn:aws:sns:ap-southeast-2:123456789012:" + "x" * 256, id="256-char-name"),
    ],
)
def test_topic_arn_valid(arn):
    assert topic_arn_problem(arn) is None


SUBSCRIPTION = TOPIC + ":0b7f4f6e-3c1d-4b9a-9d2e-8f5a6c7b8d9e"

ARN_PROBLEMS = [
    pytest.param(SUBSCRIPTION, ["subscription ARN", "Use the topic ARN without the subscription id: " + TOPIC], id="subscription-arn"),
    pytest.param("arn:aws:sqs:us-east-1:123456789012:ingest", ["an SQS queue ARN", "subscribe it to that topic"], id="sqs-arn"),
    pytest.param(LAMBDA, ["a Lambda function ARN"], id="lambda-arn"),
    pytest.param("arn:aws:sns:us-east-1:123456789012:orders.fifo", ["FIFO topic", "standard (non-FIFO)"], id="fifo"),
    pytest.param("restore-events", ["is not an ARN", "list-topics"], id="bare-name"),
    pytest.param("not an arn at all", ["is not an ARN"], id="garbage"),
    pytest.param("", ["An SNS topic ARN is required"], id="empty"),
    pytest.param(None, ["An SNS topic ARN is required"], id="none"),
    pytest.param(" " + TOPIC, ["white space"], id="whitespace"),
    pytest.param("arn:aws:sns:us-east-1:123456789012", ["not a complete ARN"], id="truncated"),
    pytest.param("arn:aws:sns:us-east-1:12345:t", ["invalid account id '12345'"], id="short-account"),
    pytest.param("arn:aws:sns::123456789012:t", ["has no region"], id="no-region"),
    pytest.param("arn:aws:sns:useast1:123456789012:t", ["invalid region 'useast1'"], id="bad-region"),
    pytest.param("arn:amazon:sns:us-east-1:123456789012:t", ["invalid partition 'amazon'"], id="bad-partition"),
    pytest.param("arn:aws:sns:us-east-1:123456789012:", ["no topic name"], id="no-name"),
    pytest.param("arn:aws:sns:us-east-1:123456789012:bad name", ["invalid topic name 'bad name'"], id="bad-name"),
    pytest.param("arn:aws:sns:us-east-1:123456789012:" + "x" * 257, ["invalid topic name"], id="name-too-long"),
    pytest.param(TOPIC + ":extra:parts", ["extra ':'-separated parts", TOPIC], id="extra-parts"),
]


@pytest.mark.parametrize("arn, fragments", ARN_PROBLEMS)
def test_topic_arn_problem(arn, fragments):
    problem = topic_arn_problem(arn)
    assert problem is not None
    for fragment in fragments:
        assert fragment in problem


def test_topic_arn_problem_subscription_exact():
    assert topic_arn_problem(SUBSCRIPTION) == (
        "%r is an SNS subscription ARN, not a topic ARN. Use the topic ARN without the subscription id: %s" % (SUBSCRIPTION, TOPIC)
    )


@pytest.mark.parametrize(
    "arn, region",
    [pytest.param(TOPIC, "us-east-1", id="us-east-1"), pytest.param("arn:aws-us-gov:sns:us-gov-west-1:123456789012:t", "us-gov-west-1", id="gov")],
)
def test_topic_arn_region(arn, region):
    assert topic_arn_region(arn) == region


def test_topic_arn_region_rejects_bad_arn():
    with pytest.raises(NotificationConfigError) as raised:
        topic_arn_region(SUBSCRIPTION)
    assert "subscription ARN" in raised.value.msg


@pytest.mark.parametrize(
    "events, fragments",
    [
        pytest.param(list(DEFAULT_RESTORE_EVENTS), None, id="default"),
        pytest.param(list(RESTORE_EVENTS), None, id="with-delete"),
        pytest.param([WILD], None, id="wildcard"),
        pytest.param((POST,), None, id="tuple"),
        pytest.param([], ["At least one restore event type"], id="empty"),
        pytest.param(POST, ["must be a list"], id="string-not-list"),
        pytest.param([POST, CREATED], ["not 's3:ObjectCreated:*'"], id="created-event"),
        pytest.param(["s3:objectrestore:post"], ["should be spelled 's3:ObjectRestore:Post'"], id="wrong-case"),
        pytest.param(["s3:ObjectRestore:Started"], ["not 's3:ObjectRestore:Started'", DELETE], id="unknown-restore-event"),
    ],
)
def test_events_problem(events, fragments):
    problem = events_problem(events)
    if fragments is None:
        assert problem is None
    else:
        assert problem is not None
        for fragment in fragments:
            assert fragment in problem


# ---------------------------------------------------------------------------------------------------------------
# The request normalised
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "events, expected",
    [
        pytest.param(list(DEFAULT_RESTORE_EVENTS), [POST, COMPLETED], id="default"),
        pytest.param([COMPLETED, POST, COMPLETED], [COMPLETED, POST], id="duplicates-dropped-order-kept"),
        pytest.param((DELETE,), [DELETE], id="tuple"),
        pytest.param([POST, WILD, POST], [WILD], id="wildcard-makes-members-redundant"),
        pytest.param([WILD, WILD], [WILD], id="wildcard-once"),
    ],
)
def test_requested_events(events, expected):
    assert requested_events(events) == expected


@pytest.mark.parametrize(
    "keys, prefix, expected",
    [
        pytest.param((), None, [("prefix", "")], id="whole-bucket"),
        pytest.param(None, None, [("prefix", "")], id="keys-none-whole-bucket"),
        pytest.param([], "", [("prefix", "")], id="empty-prefix"),
        pytest.param(["a", "b/c"], None, [("key", "a"), ("key", "b/c")], id="keys"),
        pytest.param(["b", "a", "b"], None, [("key", "b"), ("key", "a")], id="duplicate-keys-once-order-kept"),
        pytest.param("a/x.gz", None, [("key", "a/x.gz")], id="one-key-as-string"),
        pytest.param("", None, [("key", "")], id="empty-key-string"),
        pytest.param((), "logs/", [("prefix", "logs/")], id="prefix"),
        pytest.param(["a"], "logs/", [("key", "a"), ("prefix", "logs/")], id="keys-and-prefix"),
    ],
)
def test_requested_scopes(keys, prefix, expected):
    assert requested_scopes(keys, prefix) == expected
