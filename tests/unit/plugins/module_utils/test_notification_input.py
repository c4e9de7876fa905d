# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests for what a restore notification may be asked for: the topic ARN checks (partition included) and event
checks, how event types relate (the wildcard as the set of its members), the request normalised (events without
duplicates, keys and prefix as scopes, the narrowest prefix), how filter values are written and read, and how a key
filter is read."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.s3async.restore.plugins.module_utils.notification_errors import NotificationConfigError
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import (
    DEFAULT_RESTORE_EVENTS,
    KNOWN_PARTITIONS,
    RESTORE_EVENTS,
    decode_filter_value,
    encode_filter_value,
    event_covers,
    events_overlap,
    events_problem,
    events_to_write,
    narrowest_prefix,
    region_partition,
    requested_events,
    requested_scopes,
    rules_of,
    topic_arn_problem,
    topic_arn_region,
    wanted_members,
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
        pytest.param("arn:aws-iso:sns:us-iso-east-1:123456789012:t", id="aws-iso"),
        pytest.param("arn:aws-iso-b:sns:us-isob-east-1:123456789012:t", id="aws-iso-b"),
        pytest.param("arn:aws-iso-e:sns:eu-isoe-west-1:123456789012:t", id="aws-iso-e"),
        pytest.param("arn:aws-iso-f:sns:us-isof-south-1:123456789012:t", id="aws-iso-f"),
        pytest.param("arn:aws-eusc:sns:eusc-de-east-1:123456789012:t", id="aws-eusc"),
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
    pytest.param("arn:aws-moon:sns:moon-east-1:123456789012:t", ["unknown partition 'aws-moon'", "aws-us-gov", "aws-eusc"], id="unknown-partition"),
    pytest.param("arn:aws:sns:cn-north-1:123456789012:t", ["region cn-north-1, which is in partition aws-cn, not aws"],
                 id="region-of-another-partition"),
    pytest.param("arn:aws-cn:sns:us-east-1:123456789012:t", ["region us-east-1, which is in partition aws, not aws-cn"],
                 id="commercial-region-in-china-partition"),
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


# ---------------------------------------------------------------------------------------------------------------
# Partitions
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "region, partition",
    [
        ("us-east-1", "aws"),
        ("eu-west-3", "aws"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("us-isof-south-1", "aws-iso-f"),
        ("eusc-de-east-1", "aws-eusc"),
    ],
)
def test_region_partition(region, partition):
    assert region_partition(region) == partition


def test_known_partitions():
    assert sorted(KNOWN_PARTITIONS) == sorted(["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"])


# ---------------------------------------------------------------------------------------------------------------
# Event types: the wildcard and its members
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "have, want, covers, overlap",
    [
        (POST, POST, True, True),
        (WILD, POST, True, True),
        (POST, WILD, False, True),
        (POST, COMPLETED, False, False),
        (WILD, CREATED, False, False),
        (CREATED, "s3:ObjectCreated:Put", True, True),
    ],
)
def test_event_relations(have, want, covers, overlap):
    assert event_covers(have, want) is covers
    assert events_overlap(have, want) is overlap
    assert events_overlap(want, have) is overlap


@pytest.mark.parametrize(
    "events, members",
    [
        pytest.param([WILD], list(RESTORE_EVENTS), id="wildcard-is-its-members"),
        pytest.param([POST, WILD], list(RESTORE_EVENTS), id="wildcard-with-a-member"),
        pytest.param([COMPLETED, POST, COMPLETED], [COMPLETED, POST], id="members-as-given"),
    ],
)
def test_wanted_members(events, members):
    assert wanted_members(events) == members


@pytest.mark.parametrize(
    "events, missing, written",
    [
        pytest.param([WILD], list(RESTORE_EVENTS), [WILD], id="wildcard-asked-none-configured"),
        pytest.param([WILD], [COMPLETED, DELETE], [COMPLETED, DELETE], id="wildcard-asked-some-configured"),
        pytest.param(list(RESTORE_EVENTS), list(RESTORE_EVENTS), list(RESTORE_EVENTS), id="members-asked"),
        pytest.param([POST, COMPLETED], [COMPLETED], [COMPLETED], id="default"),
    ],
)
def test_events_to_write(events, missing, written):
    assert events_to_write(events, missing) == written


# ---------------------------------------------------------------------------------------------------------------
# The narrowest prefix, and filter values
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scopes, prefix",
    [
        pytest.param([("prefix", "db/")], "db/", id="the-prefix"),
        pytest.param([("key", "db/2019/full.dump")], "db/2019/full.dump", id="the-key"),
        pytest.param([("key", "db/a"), ("key", "db/b")], "db/", id="common-prefix-of-keys"),
        pytest.param([("key", "db/a"), ("prefix", "db/")], "db/", id="key-and-prefix"),
        pytest.param([("key", "a"), ("key", "b")], "", id="nothing-in-common"),
        pytest.param([("prefix", "")], "", id="whole-bucket"),
        pytest.param([], "", id="no-scope"),
    ],
)
def test_narrowest_prefix(scopes, prefix):
    assert narrowest_prefix(scopes) == prefix


@pytest.mark.parametrize(
    "value, encoded",
    [
        ("db/2019/full.dump", "db/2019/full.dump"),
        ("my photos/a.jpg", "my+photos/a.jpg"),
        ("a+b", "a%2Bb"),
        ("x(1)!*'_-.", "x(1)!*'_-."),
        ("50%/é", "50%25/%C3%A9"),
    ],
)
def test_encode_filter_value(value, encoded):
    assert encode_filter_value(value) == encoded
    assert decode_filter_value(encoded) == value


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=40))
def test_property_filter_value_round_trip(value):
    """A prefix written as a filter value reads back as the same key text, and matches exactly the same keys."""
    assert decode_filter_value(encode_filter_value(value)) == value
    entry = {"Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": encode_filter_value(value)}]}}}
    assert tuple(rules_of(entry)) == ([value], [], False)


# ---------------------------------------------------------------------------------------------------------------
# Reading a key filter
# ---------------------------------------------------------------------------------------------------------------

def flt(*rules):
    """A Filter from (name, value) pairs, names exactly as given."""
    return {"Key": {"FilterRules": [{"Name": name, "Value": value} for name, value in rules]}}


RULES_OF_CASES = [
    pytest.param(None, ([], [], False), id="no-filter"),
    pytest.param({}, ([], [], False), id="empty-filter"),
    pytest.param("x", ([], [], True), id="filter-not-a-mapping"),
    pytest.param({"Key": {}}, ([], [], False), id="key-without-rules"),
    pytest.param({"Key": {"FilterRules": []}}, ([], [], False), id="empty-rules"),
    pytest.param({"Key": "x"}, ([], [], False), id="key-not-a-mapping-read-as-no-rules"),
    pytest.param({"Key": {"FilterRules": "x"}}, ([], [], True), id="rules-not-a-list"),
    pytest.param(flt(("Prefix", "my+photos/"), ("suffix", "%2Egz")), (["my photos/"], [".gz"], False), id="decoded-values"),
    pytest.param(flt(("PREFIX", "a/"), ("prefix", "a/b")), (["a/", "a/b"], [], False), id="all-prefixes-kept-in-order"),
    pytest.param({"Key": {"FilterRules": ["prefix"]}}, ([], [], True), id="rule-not-a-mapping"),
    pytest.param(flt((1, "a")), ([], [], True), id="name-not-a-string"),
    pytest.param(flt(("prefix", None)), ([""], [], False), id="value-none-is-empty"),
    pytest.param(flt(("prefix", 5)), ([], [], True), id="value-not-a-string"),
    pytest.param(flt(("glob", "*.gz")), ([], [], True), id="unknown-rule-name"),
    pytest.param({"Key": {"FilterRules": [{"Name": "prefix", "Value": "a"}]}, "Metadata": {}}, (["a"], [], True), id="unknown-filter-kind"),
]


@pytest.mark.parametrize("entry_filter, expected", RULES_OF_CASES)
def test_rules_of(entry_filter, expected):
    entry = {"Id": "t", "TopicArn": TOPIC, "Events": [POST]}
    if entry_filter is not None:
        entry["Filter"] = entry_filter
    assert tuple(rules_of(entry)) == expected
