# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests for the pure notification merge: table-driven cases per rule and per planning step, and property tests over
generated configurations (nothing lost or altered, idempotent, never a new overlap involving our configuration).
The input checks are tested in test_notification_input.py, the messages in test_notification_text.py."""

from __future__ import annotations

import copy
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.s3async.restore.plugins.module_utils.notification import (
    _coverage,
    _new_conflicts,
    _plan,
    _rules_of,
    _topic_configurations,
    _with_events_added,
    clean_configuration,
    find_overlaps,
    plan_restore_notification,
)
from ansible_collections.s3async.restore.plugins.module_utils.notification_errors import NotificationConfigError, NotificationOverlapError
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import DEFAULT_RESTORE_EVENTS, RESTORE_EVENTS

TOPIC = "arn:aws:sns:us-east-1:123456789012:restore-events"
OTHER_TOPIC = "arn:aws:sns:us-east-1:123456789012:audit"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:ingest"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:thumbnail"
OUR_ID = "s3async-restore-restore-events"

POST = "s3:ObjectRestore:Post"
COMPLETED = "s3:ObjectRestore:Completed"
DELETE = "s3:ObjectRestore:Delete"
WILD = "s3:ObjectRestore:*"
CREATED = "s3:ObjectCreated:*"
PUT = "s3:ObjectCreated:Put"
REMOVED = "s3:ObjectRemoved:*"

RESPONSE_METADATA = {"RequestId": "ABC", "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}


def flt(*rules):
    """A Filter from (name, value) pairs, names exactly as given."""
    return {"Key": {"FilterRules": [{"Name": name, "Value": value} for name, value in rules]}}


def topic(id_, arn, events, *rules):
    entry = {"Id": id_, "TopicArn": arn, "Events": list(events)}
    if rules:
        entry["Filter"] = flt(*rules)
    return entry


def queue(id_, events, *rules):
    entry = {"Id": id_, "QueueArn": QUEUE, "Events": list(events)}
    if rules:
        entry["Filter"] = flt(*rules)
    return entry


def lambda_(id_, events, *rules):
    entry = {"Id": id_, "LambdaFunctionArn": LAMBDA, "Events": list(events)}
    if rules:
        entry["Filter"] = flt(*rules)
    return entry


def ours(events, id_=OUR_ID):
    return {"Id": id_, "TopicArn": TOPIC, "Events": list(events)}


# ---------------------------------------------------------------------------------------------------------------
# plan_restore_notification: successful plans
# ---------------------------------------------------------------------------------------------------------------

QUEUE_CREATED = queue("ingest", [CREATED], ("Prefix", "in/"))
LAMBDA_REMOVED = lambda_("thumbs", [REMOVED])

PLAN_CASES = [
    pytest.param({}, {}, "added", OUR_ID, [POST, COMPLETED], {"TopicConfigurations": [ours([POST, COMPLETED])]}, id="fresh-bucket"),
    pytest.param(
        {"ResponseMetadata": RESPONSE_METADATA},
        {},
        "added",
        OUR_ID,
        [POST, COMPLETED],
        {"TopicConfigurations": [ours([POST, COMPLETED])]},
        id="fresh-bucket-response-metadata-dropped",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("mine", TOPIC, [POST])]},
        {},
        "appended",
        "mine",
        [COMPLETED],
        {"TopicConfigurations": [topic("mine", TOPIC, [POST, COMPLETED])]},
        id="same-topic-post-only-appended-same-id",
    ),
    pytest.param(
        {"TopicConfigurations": [{"Id": "mine", "TopicArn": TOPIC, "Events": [POST], "Filter": {}}]},
        {},
        "appended",
        "mine",
        [COMPLETED],
        {"TopicConfigurations": [{"Id": "mine", "TopicArn": TOPIC, "Events": [POST, COMPLETED], "Filter": {}}]},
        id="same-topic-empty-filter-is-unfiltered",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("mine", TOPIC, [COMPLETED, PUT])]},
        {"events": list(RESTORE_EVENTS)},
        "appended",
        "mine",
        [POST, DELETE],
        {"TopicConfigurations": [topic("mine", TOPIC, [COMPLETED, PUT, POST, DELETE])]},
        id="notification-events-with-delete-appended",
    ),
    pytest.param(
        {},
        {"events": list(RESTORE_EVENTS)},
        "added",
        OUR_ID,
        [POST, COMPLETED, DELETE],
        {"TopicConfigurations": [ours([POST, COMPLETED, DELETE])]},
        id="notification-events-with-delete-fresh",
    ),
    pytest.param(
        {},
        {"events": [POST, WILD, POST]},
        "added",
        OUR_ID,
        [WILD],
        {"TopicConfigurations": [ours([WILD])]},
        id="requested-wildcard-makes-members-redundant",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("audit", OTHER_TOPIC, [CREATED])]},
        {},
        "added",
        OUR_ID,
        [POST, COMPLETED],
        {"TopicConfigurations": [topic("audit", OTHER_TOPIC, [CREATED]), ours([POST, COMPLETED])]},
        id="other-topic-kept-new-config-added",
    ),
    pytest.param(
        {"QueueConfigurations": [QUEUE_CREATED], "LambdaFunctionConfigurations": [LAMBDA_REMOVED]},
        {},
        "added",
        OUR_ID,
        [POST, COMPLETED],
        {
            "QueueConfigurations": [QUEUE_CREATED],
            "LambdaFunctionConfigurations": [LAMBDA_REMOVED],
            "TopicConfigurations": [ours([POST, COMPLETED])],
        },
        id="queue-and-lambda-kept",
    ),
    pytest.param(
        {"EventBridgeConfiguration": {}, "ResponseMetadata": RESPONSE_METADATA},
        {},
        "added",
        OUR_ID,
        [POST, COMPLETED],
        {"EventBridgeConfiguration": {}, "TopicConfigurations": [ours([POST, COMPLETED])]},
        id="eventbridge-kept",
    ),
    pytest.param(
        {"FutureConfigurations": [{"Anything": ["kept", 1]}], "TopicConfigurations": []},
        {},
        "added",
        OUR_ID,
        [POST, COMPLETED],
        {"FutureConfigurations": [{"Anything": ["kept", 1]}], "TopicConfigurations": [ours([POST, COMPLETED])]},
        id="unknown-top-level-key-kept",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("mine", TOPIC, [CREATED], ("Prefix", "logs/"))]},
        {"keys": ["data/a.bin"]},
        "added",
        OUR_ID,
        [POST, COMPLETED],
        {"TopicConfigurations": [topic("mine", TOPIC, [CREATED], ("Prefix", "logs/")), ours([POST, COMPLETED])]},
        id="same-topic-prefix-filter-other-events-not-covering",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("logs", TOPIC, [POST], ("Prefix", "logs/"))]},
        {"keys": ["logs/a"]},
        "added",
        OUR_ID,
        [COMPLETED],
        {"TopicConfigurations": [topic("logs", TOPIC, [POST], ("Prefix", "logs/")), ours([COMPLETED])]},
        id="filtered-config-covers-post-only-missing-event-added",
    ),
    pytest.param(
        {"QueueConfigurations": [queue(OUR_ID, [CREATED])]},
        {},
        "added",
        OUR_ID + "-2",
        [POST, COMPLETED],
        {"QueueConfigurations": [queue(OUR_ID, [CREATED])], "TopicConfigurations": [ours([POST, COMPLETED], OUR_ID + "-2")]},
        id="id-collision-with-queue",
    ),
    pytest.param(
        {"TopicConfigurations": [topic(OUR_ID, OTHER_TOPIC, [CREATED])], "LambdaFunctionConfigurations": [lambda_(OUR_ID + "-2", [REMOVED])]},
        {},
        "added",
        OUR_ID + "-3",
        [POST, COMPLETED],
        {
            "TopicConfigurations": [topic(OUR_ID, OTHER_TOPIC, [CREATED]), ours([POST, COMPLETED], OUR_ID + "-3")],
            "LambdaFunctionConfigurations": [lambda_(OUR_ID + "-2", [REMOVED])],
        },
        id="id-collision-twice",
    ),
    pytest.param(
        {"QueueConfigurations": [queue("a", [CREATED])], "LambdaFunctionConfigurations": [lambda_("b", [PUT])]},
        {},
        "added",
        OUR_ID,
        [POST, COMPLETED],
        {
            "QueueConfigurations": [queue("a", [CREATED])],
            "LambdaFunctionConfigurations": [lambda_("b", [PUT])],
            "TopicConfigurations": [ours([POST, COMPLETED])],
        },
        id="pre-existing-overlap-between-others-not-ours",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("first", TOPIC, [POST]), topic("second", TOPIC, [DELETE])]},
        {},
        "appended",
        "first",
        [COMPLETED],
        {"TopicConfigurations": [topic("first", TOPIC, [POST, COMPLETED]), topic("second", TOPIC, [DELETE])]},
        id="two-unfiltered-same-topic-first-extended",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("mine", TOPIC, [POST])], "QueueConfigurations": [queue("q", [POST])]},
        {},
        "appended",
        "mine",
        [COMPLETED],
        {"TopicConfigurations": [topic("mine", TOPIC, [POST, COMPLETED])], "QueueConfigurations": [queue("q", [POST])]},
        id="pre-existing-overlap-with-ours-not-on-added-event",
    ),
]


@pytest.mark.parametrize("current, kwargs, action, config_id, missing, after", PLAN_CASES)
def test_plan_changes(current, kwargs, action, config_id, missing, after):
    original = copy.deepcopy(current)
    plan = plan_restore_notification(current, TOPIC, **kwargs)
    expected_before = copy.deepcopy(original)
    expected_before.pop("ResponseMetadata", None)
    assert plan["changed"] is True
    assert plan["action"] == action
    assert plan["configuration_id"] == config_id
    assert plan["missing_events"] == missing
    assert plan["before"] == expected_before
    assert plan["after"] == after
    assert current == original  # the input is never modified
    again = plan_restore_notification(plan["after"], TOPIC, **kwargs)
    assert (again["changed"], again["action"], again["after"]) == (False, "none", plan["after"])


NO_CHANGE_CASES = [
    pytest.param({"TopicConfigurations": [topic("mine", TOPIC, [WILD])]}, {}, ["mine"], id="same-topic-wildcard"),
    pytest.param({"TopicConfigurations": [topic("mine", TOPIC, [COMPLETED, POST, POST])]}, {}, ["mine"], id="events-compare-as-set"),
    pytest.param(
        {"TopicConfigurations": [topic("mine", TOPIC, [POST, COMPLETED], ("Prefix", "logs/"))]},
        {"keys": ["logs/a.gz", "logs/b/c.gz"]},
        ["mine"],
        id="same-topic-prefix-filter-covering-keys",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("mine", TOPIC, [WILD], ("Prefix", "logs/"), ("Suffix", ".gz"))]},
        {"keys": ["logs/a.gz"]},
        ["mine"],
        id="capitalised-rule-names",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("mine", TOPIC, [WILD], ("prefix", "logs/"), ("suffix", ".gz"))]},
        {"keys": ["logs/a.gz"]},
        ["mine"],
        id="lowercase-rule-names",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("mine", TOPIC, [WILD], ("PREFIX", "logs/"))]},
        {"prefix": "logs/2024/"},
        ["mine"],
        id="upper-case-rule-name-covers-longer-prefix",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("mine", TOPIC, [WILD], ("Prefix", "my+photos/"))]},
        {"keys": ["my photos/a.jpg"]},
        ["mine"],
        id="filter-value-url-encoded-space",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("logs", TOPIC, [POST], ("Prefix", "logs/")), topic("all", TOPIC, [COMPLETED])]},
        {"keys": ["logs/a"]},
        ["logs", "all"],
        id="coverage-spread-over-two-configs",
    ),
    pytest.param(
        {
            "TopicConfigurations": [topic("mine", TOPIC, [POST, COMPLETED, DELETE])],
            "QueueConfigurations": [queue("q", [CREATED])],
            "EventBridgeConfiguration": {},
            "ResponseMetadata": RESPONSE_METADATA,
        },
        {},
        ["mine"],
        id="all-present-with-others",
    ),
]


@pytest.mark.parametrize("current, kwargs, ids", NO_CHANGE_CASES)
def test_plan_no_change(current, kwargs, ids):
    plan = plan_restore_notification(current, TOPIC, **kwargs)
    expected = clean_configuration(current)
    assert plan == {
        "changed": False,
        "action": "none",
        "configuration_id": ids[0],
        "configuration_ids": ids,
        "missing_events": [],
        "before": expected,
        "after": expected,
    }
    assert "ResponseMetadata" not in plan["after"]


# ---------------------------------------------------------------------------------------------------------------
# plan_restore_notification: overlap errors
# ---------------------------------------------------------------------------------------------------------------


def conflict(section, index, entry):
    kind, arn_key = {
        "TopicConfigurations": ("topic", "TopicArn"),
        "QueueConfigurations": ("queue", "QueueArn"),
        "LambdaFunctionConfigurations": ("lambda", "LambdaFunctionArn"),
    }[section]
    return {
        "id": entry["Id"],
        "destination_type": kind,
        "destination_arn": entry[arn_key],
        "events": entry["Events"],
        "filter_rules": entry.get("Filter", {}).get("Key", {}).get("FilterRules", []),
        "section": section,
        "index": index,
    }


ARCHIVE_QUEUE = queue("archive-queue", [WILD], ("Prefix", "archive/"))
OWN_LOGS = topic("logs-only", TOPIC, [WILD], ("Prefix", "logs/"))
# A filter kind S3 might add later narrows the entry in a way we cannot judge: never "unfiltered", never covering.
UNKNOWN_FILTER = {"Id": "future", "TopicArn": TOPIC, "Events": [POST], "Filter": {"Key": {"FilterRules": []}, "Metadata": {"Tag": "x"}}}

OVERLAP_CASES = [
    pytest.param(
        {"QueueConfigurations": [ARCHIVE_QUEUE], "EventBridgeConfiguration": {}},
        {},
        [conflict("QueueConfigurations", 0, ARCHIVE_QUEUE)],
        ["'archive-queue'", QUEUE, WILD, "Prefix='archive/'", "adding the configuration %r" % OUR_ID, "run without sns_topic_arn", "route via one topic"],
        id="queue-on-restore-wildcard",
    ),
    pytest.param(
        {"LambdaFunctionConfigurations": [lambda_("fn", [POST], ("suffix", ".gz"))]},
        {"keys": ["a.txt"]},
        [conflict("LambdaFunctionConfigurations", 0, lambda_("fn", [POST], ("suffix", ".gz")))],
        ["lambda configuration 'fn'", LAMBDA, "suffix='.gz'"],
        id="lambda-on-post-with-suffix",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("audit", OTHER_TOPIC, [COMPLETED])]},
        {},
        [conflict("TopicConfigurations", 0, topic("audit", OTHER_TOPIC, [COMPLETED]))],
        ["topic configuration 'audit'", OTHER_TOPIC, "no filter (every key)"],
        id="other-topic-on-completed",
    ),
    pytest.param(
        {"TopicConfigurations": [OWN_LOGS]},
        {"keys": ["data/a"]},
        [conflict("TopicConfigurations", 0, OWN_LOGS)],
        ["'logs-only' already sends these events to this topic", "remove its filter"],
        id="own-prefix-filter-not-covering-key",
    ),
    pytest.param(
        {"TopicConfigurations": [OWN_LOGS]},
        {},
        [conflict("TopicConfigurations", 0, OWN_LOGS)],
        ["'logs-only'"],
        id="no-keys-means-whole-bucket",
    ),
    pytest.param(
        {"TopicConfigurations": [OWN_LOGS]},
        {"prefix": "log"},
        [conflict("TopicConfigurations", 0, OWN_LOGS)],
        ["'logs-only'"],
        id="filter-longer-than-restore-prefix-does-not-cover",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("gz", TOPIC, [WILD], ("Prefix", "logs/"), ("Suffix", ".gz"))]},
        {"prefix": "logs/"},
        [conflict("TopicConfigurations", 0, topic("gz", TOPIC, [WILD], ("Prefix", "logs/"), ("Suffix", ".gz")))],
        ["'gz'"],
        id="suffix-filter-does-not-cover-prefix",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("mine", TOPIC, [POST])], "QueueConfigurations": [queue("q", [COMPLETED], ("prefix", "x/"))]},
        {},
        [conflict("QueueConfigurations", 0, queue("q", [COMPLETED], ("prefix", "x/")))],
        ["adding s3:ObjectRestore:Completed to this topic's unfiltered configuration 'mine'", "queue configuration 'q'"],
        id="appended-event-collides-with-queue",
    ),
    pytest.param(
        {"QueueConfigurations": [queue("q1", [POST]), queue("q2", [CREATED])], "LambdaFunctionConfigurations": [lambda_("l1", [WILD])]},
        {},
        [conflict("QueueConfigurations", 0, queue("q1", [POST])), conflict("LambdaFunctionConfigurations", 0, lambda_("l1", [WILD]))],
        ["2 existing notification configurations", "'q1'", "'l1'"],
        id="two-conflicts-named",
    ),
    pytest.param(
        {"TopicConfigurations": [UNKNOWN_FILTER]},
        {},
        [conflict("TopicConfigurations", 0, UNKNOWN_FILTER)],
        ["'future'"],
        id="unknown-filter-kind-is-not-unfiltered",
    ),
]


@pytest.mark.parametrize("current, kwargs, conflicts, fragments", OVERLAP_CASES)
def test_plan_overlap_error(current, kwargs, conflicts, fragments):
    original = copy.deepcopy(current)
    with pytest.raises(NotificationOverlapError) as raised:
        plan_restore_notification(current, TOPIC, **kwargs)
    error = raised.value
    assert isinstance(error, NotificationConfigError)
    assert error.conflicts == conflicts
    assert str(error) == error.msg
    for fragment in fragments:
        assert fragment in error.msg
    assert "was not changed" in error.msg
    assert current == original


def test_overlap_message_exact():
    with pytest.raises(NotificationOverlapError) as raised:
        plan_restore_notification({"QueueConfigurations": [ARCHIVE_QUEUE]}, TOPIC)
    assert raised.value.msg == (
        "Cannot route restore events to SNS topic arn:aws:sns:us-east-1:123456789012:restore-events: adding the "
        "configuration 's3async-restore-restore-events' (no filter, so that it covers every key restored) with "
        "s3:ObjectRestore:Post, s3:ObjectRestore:Completed would overlap 1 existing notification configuration, and S3 "
        "rejects two configurations that share an event type (a wildcard such as s3:ObjectRestore:* includes its "
        "members) when their key filters overlap, whatever their destinations (\"Configuration is ambiguously "
        "defined\"). The bucket's notification configuration was not changed.\n"
        "Overlapping:\n"
        "  - queue configuration 'archive-queue' -> arn:aws:sqs:us-east-1:123456789012:ingest, events "
        "s3:ObjectRestore:*, filter Prefix='archive/'\n"
        "Ways out:\n"
        "  - narrow configuration 'archive-queue' so that it no longer receives these restore events, or remove it; "
        "narrowing its key filter is not enough, because the restore configuration has no filter.\n"
        "  - move the restore events to that destination instead: run without sns_topic_arn and consume the events "
        "it already receives.\n"
        "  - route via one topic: take the restore events off configuration 'archive-queue' and subscribe its "
        "destination (queue or function) to arn:aws:sns:us-east-1:123456789012:restore-events, so the one topic fans "
        "them out to both."
    )


@pytest.mark.parametrize(
    "topic_arn, events, fragment",
    [
        pytest.param("arn:aws:sns:us-east-1:123456789012:t.fifo", DEFAULT_RESTORE_EVENTS, "FIFO", id="fifo-topic"),
        pytest.param(TOPIC, [CREATED], "Only restore event types", id="non-restore-event"),
        pytest.param(TOPIC, [], "At least one", id="no-events"),
    ],
)
def test_plan_rejects_bad_input(topic_arn, events, fragment):
    with pytest.raises(NotificationConfigError) as raised:
        plan_restore_notification({}, topic_arn, events=events)
    assert not isinstance(raised.value, NotificationOverlapError)
    assert fragment in raised.value.msg


# ---------------------------------------------------------------------------------------------------------------
# find_overlaps
# ---------------------------------------------------------------------------------------------------------------

FIND_OVERLAP_CASES = [
    pytest.param([topic("t", TOPIC, [WILD]), queue("q", [POST])], [("t", "q")], id="wildcard-overlaps-member"),
    pytest.param([queue("q", [CREATED]), lambda_("l", [PUT])], [("q", "l")], id="created-wildcard-overlaps-put"),
    pytest.param([topic("t", TOPIC, [WILD]), queue("q", [CREATED])], [], id="different-event-families"),
    pytest.param([topic("t", TOPIC, [POST]), queue("q", [COMPLETED])], [], id="different-members"),
    pytest.param([topic("t", TOPIC, [POST], ("prefix", "a/")), queue("q", [POST], ("prefix", "b/"))], [], id="disjoint-prefixes"),
    pytest.param([topic("t", TOPIC, [POST], ("prefix", "a/")), queue("q", [POST], ("prefix", "a/b/"))], [("t", "q")], id="nested-prefixes"),
    pytest.param(
        [topic("t", TOPIC, [POST], ("prefix", "a/"), ("suffix", ".jpg")), queue("q", [POST], ("prefix", "a/"), ("suffix", ".png"))],
        [],
        id="same-prefix-disjoint-suffixes",
    ),
    pytest.param([topic("t", TOPIC, [POST], ("suffix", "jpg")), queue("q", [POST], ("suffix", ".jpg"))], [("t", "q")], id="suffix-of-suffix"),
    pytest.param([topic("t", TOPIC, [POST], ("prefix", "images")), queue("q", [POST], ("suffix", "jpg"))], [("t", "q")], id="prefix-only-vs-suffix-only"),
    pytest.param(
        [topic("t", TOPIC, [POST], ("prefix", "a/"), ("suffix", ".jpg")), queue("q", [POST], ("prefix", "a/b"), ("suffix", ".png"))],
        [],
        id="prefixes-overlap-suffixes-do-not",
    ),
    pytest.param([topic("t", TOPIC, [POST]), queue("q", [POST], ("prefix", "a/"), ("suffix", ".x"))], [("t", "q")], id="unfiltered-overlaps-all"),
    pytest.param([topic("t", TOPIC, [POST], ("Prefix", "a/")), queue("q", [POST], ("prefix", "b/"))], [], id="rule-names-case-insensitive"),
    pytest.param(
        [topic("t", TOPIC, [POST]), topic("u", OTHER_TOPIC, [POST]), queue("q", [POST], ("prefix", "a")), lambda_("l", [REMOVED])],
        [("t", "u"), ("t", "q"), ("u", "q")],
        id="three-way-document-order",
    ),
    pytest.param([topic("t", TOPIC, [POST]), topic("u", TOPIC, [POST], ("prefix", "a"))], [("t", "u")], id="same-topic-also-overlaps"),
]


def _by_section(entries):
    configuration = {}
    for entry in entries:
        section = "TopicConfigurations" if "TopicArn" in entry else "QueueConfigurations" if "QueueArn" in entry else "LambdaFunctionConfigurations"
        configuration.setdefault(section, []).append(entry)
    return configuration


@pytest.mark.parametrize("entries, expected", FIND_OVERLAP_CASES)
def test_find_overlaps(entries, expected):
    pairs = find_overlaps(_by_section(entries))
    assert [(first["id"], second["id"]) for first, second in pairs] == expected


def test_find_overlaps_descriptions_exact():
    configuration = {
        "TopicConfigurations": [topic("t", TOPIC, [WILD], ("Prefix", "a/"))],
        "QueueConfigurations": [queue("q", [POST])],
        "EventBridgeConfiguration": {},
    }
    assert find_overlaps(configuration) == [
        (
            {
                "id": "t",
                "destination_type": "topic",
                "destination_arn": TOPIC,
                "events": [WILD],
                "filter_rules": [{"Name": "Prefix", "Value": "a/"}],
                "section": "TopicConfigurations",
                "index": 0,
            },
            {
                "id": "q",
                "destination_type": "queue",
                "destination_arn": QUEUE,
                "events": [POST],
                "filter_rules": [],
                "section": "QueueConfigurations",
                "index": 0,
            },
        )
    ]


# ---------------------------------------------------------------------------------------------------------------
# clean_configuration
# ---------------------------------------------------------------------------------------------------------------


def test_clean_configuration_drops_only_response_metadata_and_copies():
    raw = {
        "ResponseMetadata": RESPONSE_METADATA,
        "TopicConfigurations": [topic("t", TOPIC, [POST], ("Prefix", "a/"))],
        "EventBridgeConfiguration": {},
        "SomethingNew": {"Nested": [1, 2]},
    }
    cleaned = clean_configuration(raw)
    assert cleaned == {
        "TopicConfigurations": [topic("t", TOPIC, [POST], ("Prefix", "a/"))],
        "EventBridgeConfiguration": {},
        "SomethingNew": {"Nested": [1, 2]},
    }
    cleaned["TopicConfigurations"][0]["Events"].append(COMPLETED)
    cleaned["SomethingNew"]["Nested"].append(3)
    assert raw["TopicConfigurations"][0]["Events"] == [POST]
    assert raw["SomethingNew"]["Nested"] == [1, 2]
    assert "ResponseMetadata" in raw


@pytest.mark.parametrize("raw, expected", [pytest.param(None, {}, id="none"), pytest.param({}, {}, id="empty")])
def test_clean_configuration_empty(raw, expected):
    assert clean_configuration(raw) == expected


def test_clean_configuration_rejects_non_mapping():
    with pytest.raises(NotificationConfigError):
        clean_configuration(["TopicConfigurations"])


# ---------------------------------------------------------------------------------------------------------------
# Reading a key filter
# ---------------------------------------------------------------------------------------------------------------

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
    assert tuple(_rules_of(entry)) == expected


# ---------------------------------------------------------------------------------------------------------------
# Planning steps: our configurations, coverage, the addition, the new conflicts, the plan
# ---------------------------------------------------------------------------------------------------------------


def test_topic_configurations_only_this_topic_in_document_order():
    mine, filtered = topic("mine", TOPIC, [POST]), topic("logs", TOPIC, [WILD], ("Prefix", "logs/"))
    configuration = {"TopicConfigurations": [mine, "not an entry", topic("audit", OTHER_TOPIC, [POST]), filtered], "QueueConfigurations": [queue("q", [POST])]}
    found = _topic_configurations(configuration, TOPIC)
    assert [(index, entry, tuple(rules)) for index, entry, rules in found] == [(0, mine, ([], [], False)), (3, filtered, (["logs/"], [], False))]
    assert _topic_configurations({"TopicConfigurations": "x"}, TOPIC) == []


WHOLE_BUCKET = [("prefix", "")]

COVERAGE_CASES = [
    pytest.param([], [POST, COMPLETED], WHOLE_BUCKET, [POST, COMPLETED], [], id="nothing-yet"),
    pytest.param([topic("mine", TOPIC, [WILD])], [POST, COMPLETED], WHOLE_BUCKET, [], ["mine"], id="wildcard-covers-all"),
    pytest.param([topic("audit", OTHER_TOPIC, [WILD])], [POST], WHOLE_BUCKET, [POST], [], id="other-topic-does-not-count"),
    pytest.param([topic("mine", TOPIC, [POST])], [POST, COMPLETED], WHOLE_BUCKET, [COMPLETED], ["mine"], id="partly-covered"),
    pytest.param(
        [topic("logs", TOPIC, [POST], ("Prefix", "logs/")), topic("all", TOPIC, [COMPLETED])],
        [POST, COMPLETED],
        [("key", "logs/a")],
        [],
        ["logs", "all"],
        id="spread-over-two-configs",
    ),
    pytest.param(
        [topic("logs", TOPIC, [WILD], ("Prefix", "logs/"))],
        [POST],
        [("key", "logs/a"), ("key", "data/b")],
        [POST],
        [],
        id="one-scope-uncovered-means-missing",
    ),
    pytest.param(
        [topic("logs", TOPIC, [WILD], ("Prefix", "logs/")), topic("data", TOPIC, [WILD], ("Prefix", "data/"))],
        [POST],
        [("key", "logs/a"), ("key", "data/b")],
        [],
        ["logs", "data"],
        id="each-scope-its-own-config",
    ),
    pytest.param([topic("a", TOPIC, [WILD]), topic("b", TOPIC, [WILD])], [POST, COMPLETED], [("key", "x"), ("key", "y")], [], ["a"], id="first-match-once"),
    pytest.param([{"TopicArn": TOPIC, "Events": [WILD]}], [POST], WHOLE_BUCKET, [], [None], id="config-without-id"),
    pytest.param([topic("gz", TOPIC, [WILD], ("Suffix", ".gz"))], [POST], [("prefix", "logs/")], [POST], [], id="suffix-filter-not-covering-prefix"),
    pytest.param([topic("gz", TOPIC, [WILD], ("Suffix", ".gz"))], [POST], [("key", "logs/a.gz")], [], ["gz"], id="suffix-filter-covering-key"),
]


@pytest.mark.parametrize("topic_entries, wanted, scopes, missing, covering_ids", COVERAGE_CASES)
def test_coverage(topic_entries, wanted, scopes, missing, covering_ids):
    ours = _topic_configurations({"TopicConfigurations": topic_entries}, TOPIC)
    assert _coverage(ours, wanted, scopes) == (missing, covering_ids)


ADDITION_CASES = [
    pytest.param({}, [POST], {"TopicConfigurations": [ours([POST])]}, "added", 0, OUR_ID, id="fresh-bucket"),
    pytest.param({"TopicConfigurations": "x"}, [POST], {"TopicConfigurations": [ours([POST])]}, "added", 0, OUR_ID, id="topic-list-not-a-list"),
    pytest.param(
        {"TopicConfigurations": [topic("audit", OTHER_TOPIC, [POST]), topic("mine", TOPIC, [DELETE])]},
        [POST],
        {"TopicConfigurations": [topic("audit", OTHER_TOPIC, [POST]), topic("mine", TOPIC, [DELETE, POST])]},
        "appended",
        1,
        "mine",
        id="appended-to-unfiltered",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("first", TOPIC, [POST]), topic("second", TOPIC, [DELETE])]},
        [COMPLETED],
        {"TopicConfigurations": [topic("first", TOPIC, [POST, COMPLETED]), topic("second", TOPIC, [DELETE])]},
        "appended",
        0,
        "first",
        id="first-unfiltered-extended",
    ),
    pytest.param(
        {"TopicConfigurations": [{"TopicArn": TOPIC, "Events": [POST]}]},
        [COMPLETED],
        {"TopicConfigurations": [{"TopicArn": TOPIC, "Events": [POST, COMPLETED]}]},
        "appended",
        0,
        "",
        id="appended-to-config-without-id",
    ),
    pytest.param(
        {"TopicConfigurations": [OWN_LOGS]},
        [POST],
        {"TopicConfigurations": [OWN_LOGS, ours([POST])]},
        "added",
        1,
        OUR_ID,
        id="filtered-config-not-extended",
    ),
    pytest.param(
        {"TopicConfigurations": [UNKNOWN_FILTER]},
        [COMPLETED],
        {"TopicConfigurations": [UNKNOWN_FILTER, ours([COMPLETED])]},
        "added",
        1,
        OUR_ID,
        id="unknown-filter-kind-not-extended",
    ),
    pytest.param(
        {"LambdaFunctionConfigurations": [lambda_(OUR_ID, [REMOVED])]},
        [POST],
        {"LambdaFunctionConfigurations": [lambda_(OUR_ID, [REMOVED])], "TopicConfigurations": [ours([POST], OUR_ID + "-2")]},
        "added",
        0,
        OUR_ID + "-2",
        id="id-taken-by-lambda",
    ),
]


@pytest.mark.parametrize("before, missing, after, action, index, config_id", ADDITION_CASES)
def test_with_events_added(before, missing, after, action, index, config_id):
    original = copy.deepcopy(before)
    result = _with_events_added(before, TOPIC, _topic_configurations(before, TOPIC), missing)
    assert result == (after, action, index, config_id)
    assert before == original  # after is a copy
    result[0]["TopicConfigurations"][index]["Events"].append("changed")
    assert before == original


NEW_CONFLICT_CASES = [
    pytest.param({"TopicConfigurations": [ours([POST])]}, 0, [POST], [], id="alone"),
    pytest.param(
        {"TopicConfigurations": [ours([POST])], "QueueConfigurations": [queue("q", [WILD])]},
        0,
        [POST],
        [conflict("QueueConfigurations", 0, queue("q", [WILD]))],
        id="overlap-on-added-event",
    ),
    pytest.param(
        {"TopicConfigurations": [ours([POST, COMPLETED])], "QueueConfigurations": [queue("q", [POST])]},
        0,
        [COMPLETED],
        [],
        id="older-overlap-on-event-not-added",
    ),
    pytest.param(
        {"TopicConfigurations": [ours([POST])], "QueueConfigurations": [queue("a", [CREATED])], "LambdaFunctionConfigurations": [lambda_("b", [PUT])]},
        0,
        [POST],
        [],
        id="overlap-between-others",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("audit", OTHER_TOPIC, [COMPLETED]), ours([COMPLETED])]},
        1,
        [COMPLETED],
        [conflict("TopicConfigurations", 0, topic("audit", OTHER_TOPIC, [COMPLETED]))],
        id="ours-second-in-pair",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("audit", OTHER_TOPIC, [COMPLETED]), ours([COMPLETED])]},
        0,
        [COMPLETED],
        [conflict("TopicConfigurations", 1, ours([COMPLETED]))],
        id="our-index-says-which-is-ours",
    ),
    pytest.param(
        {"TopicConfigurations": [ours([WILD])], "QueueConfigurations": [queue("q1", [POST])], "LambdaFunctionConfigurations": [lambda_("l1", [DELETE])]},
        0,
        [WILD],
        [conflict("QueueConfigurations", 0, queue("q1", [POST])), conflict("LambdaFunctionConfigurations", 0, lambda_("l1", [DELETE]))],
        id="wildcard-added-document-order",
    ),
]


@pytest.mark.parametrize("after, our_index, added, expected", NEW_CONFLICT_CASES)
def test_new_conflicts(after, our_index, added, expected):
    assert _new_conflicts(after, our_index, added) == expected


@pytest.mark.parametrize(
    "action, ids, expected_changed, expected_id",
    [
        pytest.param("none", [], False, "", id="none-without-ids"),
        pytest.param("none", ["a", "b"], False, "a", id="none-first-covering-id"),
        pytest.param("added", [OUR_ID, "a"], True, OUR_ID, id="added"),
        pytest.param("appended", ["", "a"], True, "", id="appended-to-config-without-id"),
    ],
)
def test_plan_result(action, ids, expected_changed, expected_id):
    before, after = {"b": 1}, {"a": 2}
    plan = _plan(action, ids, [POST], before, after)
    assert list(plan) == ["changed", "action", "configuration_id", "configuration_ids", "missing_events", "before", "after"]
    assert plan == {
        "changed": expected_changed,
        "action": action,
        "configuration_id": expected_id,
        "configuration_ids": ids,
        "missing_events": [POST],
        "before": before,
        "after": after,
    }


# ---------------------------------------------------------------------------------------------------------------
# Property tests over generated configurations
# ---------------------------------------------------------------------------------------------------------------

# A realistic mix: the restore events and their wildcard, other families with wildcards and members.
EVENT_POOL = [
    POST,
    COMPLETED,
    DELETE,
    WILD,
    CREATED,
    PUT,
    "s3:ObjectCreated:Copy",
    REMOVED,
    "s3:ObjectRemoved:Delete",
    "s3:LifecycleTransition",
    "s3:ObjectTagging:*",
]
TOPIC_POOL = [TOPIC, TOPIC, OTHER_TOPIC]
ID_POOL = [OUR_ID, OUR_ID + "-2", "a", "b", "c"]
VALUE_POOL = ["", "a", "ab", "a/", "b", ".gz", "z"]
REQUESTS = [list(DEFAULT_RESTORE_EVENTS), list(RESTORE_EVENTS), [WILD], [COMPLETED], [DELETE, POST]]
KEY_POOL = ["a", "ab", "a/x.gz", "b.gz", "z", "abz"]


@st.composite
def filters(draw):
    rules = []
    if draw(st.booleans()):
        rules.append({"Name": draw(st.sampled_from(["prefix", "Prefix", "PREFIX"])), "Value": draw(st.sampled_from(VALUE_POOL))})
    if draw(st.booleans()):
        rules.append({"Name": draw(st.sampled_from(["suffix", "Suffix"])), "Value": draw(st.sampled_from(VALUE_POOL))})
    form = draw(st.sampled_from(["rules", "rules", "absent", "empty"]))
    if form == "absent" and not rules:
        return None
    if form == "empty" and not rules:
        return {}
    return {"Key": {"FilterRules": rules}}


@st.composite
def entries(draw, arn_key, arns):
    entry = {}
    if draw(st.integers(0, 9)):
        entry["Id"] = draw(st.sampled_from(ID_POOL))
    entry[arn_key] = draw(st.sampled_from(arns))
    entry["Events"] = draw(st.lists(st.sampled_from(EVENT_POOL), min_size=1, max_size=3))
    entry_filter = draw(filters())
    if entry_filter is not None:
        entry["Filter"] = entry_filter
    return entry


@st.composite
def configurations(draw):
    configuration = {}
    for section, arn_key, arns in (
        ("TopicConfigurations", "TopicArn", TOPIC_POOL),
        ("QueueConfigurations", "QueueArn", [QUEUE]),
        ("LambdaFunctionConfigurations", "LambdaFunctionArn", [LAMBDA]),
    ):
        if draw(st.booleans()):
            configuration[section] = draw(st.lists(entries(arn_key, arns), max_size=3))
    if draw(st.booleans()):
        configuration["EventBridgeConfiguration"] = {}
    if draw(st.booleans()):
        configuration["FutureConfigurations"] = [{"Whatever": draw(st.sampled_from(["x", "y"]))}]
    if draw(st.booleans()):
        configuration["ResponseMetadata"] = dict(RESPONSE_METADATA)
    return configuration


@st.composite
def requests(draw):
    kwargs = {"events": draw(st.sampled_from(REQUESTS))}
    scope = draw(st.sampled_from(["keys", "prefix", "both", "bucket"]))
    if scope in ("keys", "both"):
        kwargs["keys"] = draw(st.lists(st.sampled_from(KEY_POOL), min_size=1, max_size=3))
    if scope in ("prefix", "both"):
        kwargs["prefix"] = draw(st.sampled_from(VALUE_POOL))
    return kwargs


PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SECTIONS = ("TopicConfigurations", "QueueConfigurations", "LambdaFunctionConfigurations")


def _plan_or_none(configuration, kwargs):
    try:
        return plan_restore_notification(configuration, TOPIC, **kwargs)
    except NotificationOverlapError as error:
        assert error.conflicts
        return None


@PROPERTY_SETTINGS
@given(configurations(), requests())
def test_property_nothing_removed_or_altered(configuration, kwargs):
    original = copy.deepcopy(configuration)
    plan = _plan_or_none(configuration, kwargs)
    assert configuration == original
    if plan is None:
        return
    before, after = plan["before"], plan["after"]
    assert before == {key: value for key, value in original.items() if key != "ResponseMetadata"}
    if not plan["changed"]:
        assert after == before
        return
    # Top-level keys other than the topic list are untouched; the topic list may only appear when it was absent.
    for key, value in before.items():
        if key != "TopicConfigurations":
            assert after[key] == value
    assert set(after) - set(before) <= {"TopicConfigurations"}
    for section in ("QueueConfigurations", "LambdaFunctionConfigurations"):
        assert after.get(section) == before.get(section)
    old_topics = before.get("TopicConfigurations") or []
    new_topics = after["TopicConfigurations"]
    changed = [index for index, entry in enumerate(old_topics) if new_topics[index] != entry]
    if plan["action"] == "added":
        assert len(new_topics) == len(old_topics) + 1
        assert changed == []
        assert new_topics[-1] == {"Id": plan["configuration_id"], "TopicArn": TOPIC, "Events": plan["missing_events"]}
    else:
        assert plan["action"] == "appended"
        assert len(new_topics) == len(old_topics)
        assert len(changed) == 1
        index = changed[0]
        old, new = old_topics[index], new_topics[index]
        assert {k: v for k, v in new.items() if k != "Events"} == {k: v for k, v in old.items() if k != "Events"}
        assert new["Events"] == old["Events"] + plan["missing_events"]
        assert old["TopicArn"] == TOPIC


@PROPERTY_SETTINGS
@given(configurations(), requests())
def test_property_idempotent(configuration, kwargs):
    plan = _plan_or_none(configuration, kwargs)
    if plan is None:
        return
    again = plan_restore_notification(plan["after"], TOPIC, **kwargs)
    assert again["changed"] is False
    assert again["action"] == "none"
    assert again["after"] == plan["after"]


def _pair_keys(pairs):
    return set(frozenset([(first["section"], first["index"]), (second["section"], second["index"])]) for first, second in pairs)


@PROPERTY_SETTINGS
@given(configurations(), requests())
def test_property_never_adds_overlap_with_ours(configuration, kwargs):
    plan = _plan_or_none(configuration, kwargs)
    if plan is None or not plan["changed"]:
        return
    topics = plan["after"]["TopicConfigurations"]
    if plan["action"] == "added":
        index = len(topics) - 1
    else:
        old_topics = plan["before"]["TopicConfigurations"]
        (index,) = [i for i, entry in enumerate(old_topics) if topics[i] != entry]
    our_position = ("TopicConfigurations", index)
    new_pairs = _pair_keys(find_overlaps(plan["after"])) - _pair_keys(find_overlaps(plan["before"]))
    assert not [pair for pair in new_pairs if our_position in pair]


@PROPERTY_SETTINGS
@given(configurations(), requests())
def test_property_error_only_for_real_new_overlap(configuration, kwargs):
    """An overlap error names only configurations that exist, as read, and share a requested event type."""
    try:
        plan_restore_notification(configuration, TOPIC, **kwargs)
    except NotificationOverlapError as error:
        assert error.conflicts
        wanted = kwargs["events"]
        for other in error.conflicts:
            entry = configuration[other["section"]][other["index"]]
            assert other["events"] == entry["Events"]
            assert other["filter_rules"] == ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules", [])
            assert other["id"] == entry.get("Id")
            assert any(
                a == b or (a.endswith(":*") and b.startswith(a[:-1])) or (b.endswith(":*") and a.startswith(b[:-1]))
                for a in other["events"]
                for b in wanted
            )


ALPHABET_KEYS = ["".join(chars) for length in range(5) for chars in itertools.product("ab", repeat=length)]
SHORT_VALUES = ["".join(chars) for length in range(3) for chars in itertools.product("ab", repeat=length)]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(SHORT_VALUES),
    st.sampled_from(SHORT_VALUES),
    st.sampled_from(SHORT_VALUES),
    st.sampled_from(SHORT_VALUES),
)
def test_property_filter_overlap_means_a_key_matches_both(prefix_a, suffix_a, prefix_b, suffix_b):
    configuration = {
        "TopicConfigurations": [topic("t", TOPIC, [POST], ("Prefix", prefix_a), ("Suffix", suffix_a))],
        "QueueConfigurations": [queue("q", [WILD], ("prefix", prefix_b), ("suffix", suffix_b))],
    }
    some_key_matches_both = any(
        key.startswith(prefix_a) and key.endswith(suffix_a) and key.startswith(prefix_b) and key.endswith(suffix_b) for key in ALPHABET_KEYS
    )
    assert bool(find_overlaps(configuration)) == some_key_matches_both
