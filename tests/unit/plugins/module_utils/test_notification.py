# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests for the pure notification merge and removal: table-driven cases per rule and per planning step, and
property tests over generated configurations (nothing lost or altered, idempotent, never an overlap S3 would
refuse, a refusal only when even the narrowest addition overlaps, the removal touching only ours). The input checks
and the key-filter rules are tested in test_notification_input.py, the messages in test_notification_text.py."""

from __future__ import annotations

import copy
import itertools

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ansible_collections.s3async.restore.plugins.module_utils.notification import (
    _coverage,
    _new_conflicts,
    _plan,
    _topic_configurations,
    _with_events_added,
    clean_configuration,
    destination_ids,
    find_overlaps,
    is_ours,
    missing_entries,
    plan_notification_removal,
    plan_restore_notification,
)
from ansible_collections.s3async.restore.plugins.module_utils.notification_errors import NotificationConfigError, NotificationOverlapError
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import DEFAULT_RESTORE_EVENTS, RESTORE_EVENTS
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import encode_filter_value, narrowest_prefix, wanted_members

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


def ours(events, id_=OUR_ID, prefix=None):
    entry = {"Id": id_, "TopicArn": TOPIC, "Events": list(events)}
    if prefix is not None:
        entry["Filter"] = flt(("prefix", prefix))
    return entry


# ---------------------------------------------------------------------------------------------------------------
# plan_restore_notification: successful plans
# ---------------------------------------------------------------------------------------------------------------

QUEUE_CREATED = queue("ingest", [CREATED], ("Prefix", "in/"))
LAMBDA_REMOVED = lambda_("thumbs", [REMOVED])
OWN_LOGS_EARLY = topic("logs-only", TOPIC, [WILD], ("Prefix", "logs/"))

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
    # Where the unfiltered addition would overlap, the narrowest one that covers what is restored is added.
    pytest.param(
        {"QueueConfigurations": [queue("logs-restores", [WILD], ("Prefix", "logs/"))]},
        {"prefix": "db/"},
        "added",
        OUR_ID,
        [POST, COMPLETED],
        {"QueueConfigurations": [queue("logs-restores", [WILD], ("Prefix", "logs/"))], "TopicConfigurations": [ours([POST, COMPLETED], prefix="db/")]},
        id="narrowed-to-the-prefix-beside-a-queue-on-another-prefix",
    ),
    pytest.param(
        {"QueueConfigurations": [queue("logs-restores", [WILD], ("Prefix", "logs/"))]},
        {"keys": ["db/2019/full.dump"]},
        "added",
        OUR_ID,
        [POST, COMPLETED],
        {"QueueConfigurations": [queue("logs-restores", [WILD], ("Prefix", "logs/"))],
         "TopicConfigurations": [ours([POST, COMPLETED], prefix="db/2019/full.dump")]},
        id="narrowed-to-the-key",
    ),
    pytest.param(
        {"TopicConfigurations": [OWN_LOGS_EARLY]},
        {"keys": ["data/a"]},
        "added",
        OUR_ID,
        [POST, COMPLETED],
        {"TopicConfigurations": [OWN_LOGS_EARLY, ours([POST, COMPLETED], prefix="data/a")]},
        id="narrowed-beside-this-topics-filtered-configuration",
    ),
    pytest.param(
        {"LambdaFunctionConfigurations": [lambda_("fn", [POST], ("prefix", "my"))]},
        {"keys": ["photos/my cat+dog.jpg"]},
        "added",
        OUR_ID,
        [POST, COMPLETED],
        {"LambdaFunctionConfigurations": [lambda_("fn", [POST], ("prefix", "my"))],
         "TopicConfigurations": [ours([POST, COMPLETED], prefix="photos/my+cat%2Bdog.jpg")]},
        id="narrowed-filter-value-url-encoded",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("mine", TOPIC, [POST])], "QueueConfigurations": [queue("q", [COMPLETED], ("prefix", "x/"))]},
        {"keys": ["y/1"]},
        "added",
        OUR_ID,
        [COMPLETED],
        {"TopicConfigurations": [topic("mine", TOPIC, [POST]), ours([COMPLETED], prefix="y/1")],
         "QueueConfigurations": [queue("q", [COMPLETED], ("prefix", "x/"))]},
        id="append-would-overlap-so-narrowed-instead",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("db", TOPIC, [CREATED], ("Prefix", "db/"))],
         "QueueConfigurations": [queue("logs-restores", [WILD], ("Prefix", "logs/"))]},
        {"prefix": "db/"},
        "appended",
        "db",
        [POST, COMPLETED],
        {"TopicConfigurations": [topic("db", TOPIC, [CREATED, POST, COMPLETED], ("Prefix", "db/"))],
         "QueueConfigurations": [queue("logs-restores", [WILD], ("Prefix", "logs/"))]},
        id="narrowed-appended-to-this-topics-configuration-with-that-prefix",
    ),
    # The wildcard asked for is the set of its members: what is missing of them is added, never the wildcard
    # beside a member.
    pytest.param(
        {"TopicConfigurations": [topic("mine", TOPIC, [POST])]},
        {"events": [WILD]},
        "appended",
        "mine",
        [COMPLETED, DELETE],
        {"TopicConfigurations": [topic("mine", TOPIC, [POST, COMPLETED, DELETE])]},
        id="wildcard-asked-members-missing-appended",
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
    assert _pair_keys(find_overlaps(plan["after"])) == _pair_keys(find_overlaps(plan["before"]))  # no new overlap
    again = plan_restore_notification(plan["after"], TOPIC, **kwargs)
    assert (again["changed"], again["action"], again["after"]) == (False, "none", plan["after"])
    assert again["events"] == plan["events"]


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
    # s3:ObjectRestore:* asked for is covered by its three members, wherever they are.
    pytest.param({"TopicConfigurations": [topic("mine", TOPIC, [POST, COMPLETED, DELETE])]}, {"events": [WILD]}, ["mine"],
                 id="wildcard-asked-members-configured"),
    pytest.param(
        {"TopicConfigurations": [topic("a", TOPIC, [POST]), topic("b", TOPIC, [COMPLETED, DELETE])]},
        {"events": [WILD]},
        ["a", "b"],
        id="wildcard-asked-members-in-two-unfiltered-configurations",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("logs", TOPIC, [POST, COMPLETED, DELETE], ("Prefix", "logs/"))]},
        {"events": [WILD], "keys": ["logs/a"]},
        ["logs"],
        id="wildcard-asked-members-configured-for-the-key",
    ),
]


@pytest.mark.parametrize("current, kwargs, ids", NO_CHANGE_CASES)
def test_plan_no_change(current, kwargs, ids):
    plan = plan_restore_notification(current, TOPIC, **kwargs)
    expected = clean_configuration(current)
    configured = sorted({event for entry in expected["TopicConfigurations"] if entry.get("Id") in ids
                         for event in entry["Events"] if event.startswith("s3:ObjectRestore:")})
    assert plan == {
        "changed": False,
        "action": "none",
        "configuration_id": ids[0],
        "configuration_ids": ids,
        "missing_events": [],
        "events": configured,
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
        {"keys": ["logs"]},
        [conflict("TopicConfigurations", 0, OWN_LOGS)],
        ["'logs-only' already sends restore events to this topic", "remove that filter", "the prefix filter 'logs'"],
        id="own-prefix-filter-overlapping-the-narrowest-addition",
    ),
    pytest.param(
        {"QueueConfigurations": [queue("all-restores", [WILD])]},
        {"keys": ["db/a"]},
        [conflict("QueueConfigurations", 0, queue("all-restores", [WILD]))],
        ["even the narrowest addition", "and the prefix filter 'db/a'", "EventBridge"],
        id="unfiltered-queue-overlaps-even-the-narrowest-addition",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("s3async-restore-audit", OTHER_TOPIC, [POST, COMPLETED])]},
        {"keys": ["db/a"]},
        [conflict("TopicConfigurations", 0, topic("s3async-restore-audit", OTHER_TOPIC, [POST, COMPLETED]))],
        ["'s3async-restore-audit' was added by this collection for SNS topic " + OTHER_TOPIC,
         "notification_state=absent and sns_topic_arn=" + OTHER_TOPIC],
        id="our-own-configuration-for-another-topic",
    ),
    pytest.param(
        {"TopicConfigurations": [topic("mine", TOPIC, [POST])], "QueueConfigurations": [queue("q", [COMPLETED], ("prefix", "x/"))]},
        {"keys": ["x/1"]},
        [conflict("QueueConfigurations", 0, queue("q", [COMPLETED], ("prefix", "x/")))],
        ["even the narrowest addition, the configuration 's3async-restore-restore-events' with s3:ObjectRestore:Completed"],
        id="appended-and-narrowed-both-collide",
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
        plan_restore_notification({"QueueConfigurations": [ARCHIVE_QUEUE]}, TOPIC, prefix="archive/2019/")
    assert raised.value.msg == (
        "Cannot route restore events to SNS topic arn:aws:sns:us-east-1:123456789012:restore-events: even the narrowest "
        "addition, the configuration 's3async-restore-restore-events' with s3:ObjectRestore:Post, "
        "s3:ObjectRestore:Completed and the prefix filter 'archive/2019/' (the narrowest that covers what is restored), "
        "would overlap 1 existing notification configuration, and S3 rejects two configurations that share an event type "
        "(a wildcard such as s3:ObjectRestore:* includes its members) when their key filters overlap, whatever their "
        "destinations (\"Configuration is ambiguously defined\"). The bucket's notification configuration was not changed.\n"
        "Overlapping:\n"
        "  - queue configuration 'archive-queue' -> arn:aws:sqs:us-east-1:123456789012:ingest, events "
        "s3:ObjectRestore:*, filter Prefix='archive/'\n"
        "Ways out:\n"
        "  - change configuration 'archive-queue': narrow its key filter so that it matches no key starting with "
        "'archive/2019/', take the restore events off it, or remove it.\n"
        "  - receive the restore events where they already go: run without sns_topic_arn and consume the events that "
        "destination already receives.\n"
        "  - route via one topic: take the restore events off configuration 'archive-queue' and subscribe its "
        "destination (queue or function) to arn:aws:sns:us-east-1:123456789012:restore-events, so the one topic fans "
        "them out to both.\n"
        "  - or turn on Amazon EventBridge for the bucket (EventBridgeConfiguration), which receives every event of the "
        "bucket, restore events included, with no overlap rule, and run without sns_topic_arn."
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
    plan = _plan(action, ids, [POST], before, after, [POST, COMPLETED])
    assert list(plan) == ["changed", "action", "configuration_id", "configuration_ids", "missing_events", "events", "before", "after"]
    assert plan == {
        "changed": expected_changed,
        "action": action,
        "configuration_id": expected_id,
        "configuration_ids": ids,
        "missing_events": [POST],
        "events": [POST, COMPLETED],
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
ID_POOL = [OUR_ID, OUR_ID + "-2", "s3async-restore-audit", "a", "b", "c"]
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
        added = dict(new_topics[-1])
        added_filter = added.pop("Filter", None)
        assert added == {"Id": plan["configuration_id"], "TopicArn": TOPIC, "Events": plan["missing_events"]}
        # Unfiltered, or filtered on the narrowest prefix that covers what is restored.
        scopes = [("key", key) for key in kwargs.get("keys", [])] + ([("prefix", kwargs["prefix"])] if "prefix" in kwargs else [])
        if added_filter is not None:
            assert added_filter == {"Key": {"FilterRules": [{"Name": "prefix", "Value": encode_filter_value(narrowest_prefix(scopes))}]}}
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


def _scopes_of(kwargs):
    scopes = [("key", key) for key in dict.fromkeys(kwargs.get("keys", []))]
    if "prefix" in kwargs:
        scopes.append(("prefix", kwargs["prefix"]))
    return scopes or [("prefix", "")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(configurations(), requests())
def test_property_never_an_overlap_s3_would_refuse(configuration, kwargs):
    """A configuration S3 accepted (no overlapping pair) is still one S3 accepts after our change."""
    assume(not find_overlaps(configuration))
    plan = _plan_or_none(configuration, kwargs)
    if plan is not None:
        assert find_overlaps(plan["after"]) == []


@PROPERTY_SETTINGS
@given(configurations(), requests())
def test_property_refused_only_when_even_the_narrowest_addition_overlaps(configuration, kwargs):
    """Each configuration a refusal names overlaps the narrowest addition: the requested events with a prefix filter
    equal to the common prefix of what is restored (none for the whole bucket)."""
    try:
        plan_restore_notification(configuration, TOPIC, **kwargs)
    except NotificationOverlapError as error:
        narrowest = narrowest_prefix(_scopes_of(kwargs))
        probe = {"Id": "probe", "TopicArn": TOPIC, "Events": wanted_members(kwargs["events"])}
        if narrowest:
            probe["Filter"] = flt(("prefix", encode_filter_value(narrowest)))
        for other in error.conflicts:
            entry = configuration[other["section"]][other["index"]]
            pair = {"TopicConfigurations": [probe]}
            pair.setdefault(other["section"], []).append(entry)
            assert find_overlaps(pair), (other, probe)


@PROPERTY_SETTINGS
@given(configurations(), requests())
def test_property_events_reported_as_configured(configuration, kwargs):
    """The events reported are restore events carried, as written, by a configuration of the topic in `after`."""
    plan = _plan_or_none(configuration, kwargs)
    if plan is None:
        return
    written = {event for entry in plan["after"].get("TopicConfigurations") or [] if isinstance(entry, dict) and entry.get("TopicArn") == TOPIC
               for event in entry.get("Events", [])}
    assert plan["events"] == sorted(plan["events"])
    assert set(plan["events"]) <= written
    assert set(wanted_members(kwargs["events"])) <= {member for member in RESTORE_EVENTS
                                                     if member in plan["events"] or WILD in plan["events"]}


@PROPERTY_SETTINGS
@given(configurations(), st.sampled_from([None, TOPIC, OTHER_TOPIC]))
def test_property_removal_touches_only_ours(configuration, topic_arn):
    original = copy.deepcopy(configuration)
    plan = plan_notification_removal(configuration, topic_arn)
    assert configuration == original
    before, after = plan["before"], plan["after"]
    assert {key: value for key, value in before.items() if key != "TopicConfigurations"} == \
        {key: value for key, value in after.items() if key != "TopicConfigurations"}
    old_topics = before.get("TopicConfigurations")
    kept = [entry for entry in old_topics or [] if not (isinstance(entry, dict) and is_ours(entry, topic_arn))]
    assert after.get("TopicConfigurations") == (kept if plan["changed"] else old_topics)
    assert plan["configuration_ids"] == [entry["Id"] for entry in old_topics or [] if isinstance(entry, dict) and is_ours(entry, topic_arn)]
    assert plan["action"] == ("removed" if plan["configuration_ids"] else "none")
    again = plan_notification_removal(after, topic_arn)
    assert (again["changed"], again["after"]) == (False, after)


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


# ---------------------------------------------------------------------------------------------------------------
# plan_notification_removal (notification_state=absent), is_ours, destination_ids
# ---------------------------------------------------------------------------------------------------------------

OURS_AUDIT = topic("s3async-restore-audit", OTHER_TOPIC, [WILD], ("prefix", "db/"))
SOMEONE_ELSES = topic("mine", TOPIC, [POST, CREATED])

REMOVAL_CASES = [
    pytest.param({}, TOPIC, [], {}, [], id="nothing-configured"),
    pytest.param({"TopicConfigurations": [ours([POST, COMPLETED])]}, TOPIC, [OUR_ID], {"TopicConfigurations": []}, [], id="ours-removed"),
    pytest.param(
        {"TopicConfigurations": [dict(ours([POST]), Events=[POST, CREATED])]},
        TOPIC, [OUR_ID], {"TopicConfigurations": []}, [],
        id="ours-by-id-removed-whole-with-events-we-did-not-add",
    ),
    pytest.param(
        {"TopicConfigurations": [SOMEONE_ELSES, ours([COMPLETED]), OURS_AUDIT], "QueueConfigurations": [queue("q", [WILD])],
         "EventBridgeConfiguration": {}},
        TOPIC, [OUR_ID],
        {"TopicConfigurations": [SOMEONE_ELSES, OURS_AUDIT], "QueueConfigurations": [queue("q", [WILD])], "EventBridgeConfiguration": {}},
        [POST],
        id="only-this-topics-ours-removed-the-rest-kept",
    ),
    pytest.param(
        {"TopicConfigurations": [SOMEONE_ELSES, ours([COMPLETED]), OURS_AUDIT]},
        None, [OUR_ID, "s3async-restore-audit"], {"TopicConfigurations": [SOMEONE_ELSES]}, [],
        id="without-topic-all-of-ours-removed",
    ),
    pytest.param(
        {"TopicConfigurations": [SOMEONE_ELSES], "QueueConfigurations": [queue(OUR_ID + "-q", [WILD])]},
        None, [], {"TopicConfigurations": [SOMEONE_ELSES], "QueueConfigurations": [queue(OUR_ID + "-q", [WILD])]}, [],
        id="only-topic-configurations-are-ours",
    ),
    pytest.param(
        {"TopicConfigurations": [{"TopicArn": TOPIC, "Events": [POST]}, "not an entry"], "ResponseMetadata": RESPONSE_METADATA},
        TOPIC, [], {"TopicConfigurations": [{"TopicArn": TOPIC, "Events": [POST]}, "not an entry"]}, [POST],
        id="entries-without-our-id-kept",
    ),
]


@pytest.mark.parametrize("current, topic_arn, removed, after, remaining_events", REMOVAL_CASES)
def test_plan_notification_removal(current, topic_arn, removed, after, remaining_events):
    original = copy.deepcopy(current)
    plan = plan_notification_removal(current, topic_arn)
    assert current == original
    assert plan == {
        "changed": bool(removed),
        "action": "removed" if removed else "none",
        "configuration_id": removed[0] if removed else "",
        "configuration_ids": removed,
        "missing_events": [],
        "events": remaining_events,
        "before": clean_configuration(original),
        "after": after,
    }


def test_moving_to_another_topic_after_removal():
    """Routed to OTHER_TOPIC before: refused for TOPIC until ours for OTHER_TOPIC is removed, then added."""
    routed = {"TopicConfigurations": [topic("s3async-restore-audit", OTHER_TOPIC, [POST, COMPLETED])]}
    with pytest.raises(NotificationOverlapError) as raised:
        plan_restore_notification(routed, TOPIC, keys=["db/a"])
    assert "notification_state=absent" in raised.value.msg
    removed = plan_notification_removal(routed, OTHER_TOPIC)["after"]
    plan = plan_restore_notification(removed, TOPIC, keys=["db/a"])
    assert plan["after"] == {"TopicConfigurations": [ours([POST, COMPLETED])]}


@pytest.mark.parametrize(
    "entry, topic_arn, expected",
    [
        pytest.param(ours([POST]), None, True, id="our-id"),
        pytest.param(ours([POST]), TOPIC, True, id="our-id-this-topic"),
        pytest.param(ours([POST]), OTHER_TOPIC, False, id="our-id-other-topic"),
        pytest.param(topic("restore-s3async-x", TOPIC, [POST]), None, False, id="prefix-elsewhere"),
        pytest.param({"TopicArn": TOPIC, "Events": [POST]}, None, False, id="no-id"),
        pytest.param({"Id": 5, "TopicArn": TOPIC}, None, False, id="id-not-a-string"),
    ],
)
def test_is_ours(entry, topic_arn, expected):
    assert is_ours(entry, topic_arn) is expected


def test_destination_ids():
    configuration = {
        "TopicConfigurations": [topic("a", TOPIC, [POST]), topic("b", TOPIC, [DELETE], ("prefix", "x"))],
        "QueueConfigurations": [queue("q", [CREATED]), {"Events": [PUT]}],
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": LAMBDA, "Events": [REMOVED]}],
        "EventBridgeConfiguration": {},
    }
    assert destination_ids(configuration) == {TOPIC: ["a", "b"], QUEUE: ["q"], LAMBDA: [None]}


# ---------------------------------------------------------------------------------------------------------------
# missing_entries: what was written and reads back differently
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expected, actual, missing",
    [
        pytest.param({"TopicConfigurations": [ours([POST])]}, {"TopicConfigurations": [ours([POST])]}, [], id="same"),
        pytest.param({"TopicConfigurations": [ours([POST], prefix="db/")]},
                     {"TopicConfigurations": [dict(ours([POST]), Filter=flt(("Prefix", "db/")))]}, [], id="rule-names-capitalised"),
        pytest.param({"TopicConfigurations": [{"TopicArn": TOPIC, "Events": [POST]}]},
                     {"TopicConfigurations": [ours([POST], id_="made-up")]}, [], id="id-made-up-by-s3"),
        pytest.param({"TopicConfigurations": [ours([POST])], "QueueConfigurations": [queue("q", [CREATED])]},
                     {"TopicConfigurations": [ours([POST])]}, ["QueueConfigurations[0] (Id 'q')"], id="queue-lost"),
        pytest.param({"EventBridgeConfiguration": {}}, {}, ["EventBridgeConfiguration"], id="eventbridge-lost"),
    ],
)
def test_missing_entries(expected, actual, missing):
    assert missing_entries(expected, actual) == missing
