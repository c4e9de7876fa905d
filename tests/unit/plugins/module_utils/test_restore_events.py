# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""restore_events: the three envelopes AWS delivers restore events in, key decoding, matching, the options."""

from __future__ import annotations

import datetime
import json
from urllib.parse import quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies

from ansible_collections.s3async.restore.plugins.module_utils import restore_events
from ansible_collections.s3async.restore.plugins.module_utils.restore_events import parse_message
from ansible_collections.s3async.restore.plugins.module_utils.restore_events import pending_id_of

BUCKET = "archive-bucket"


def s3_message(key, name="ObjectRestore:Completed", version_id=None, bucket=BUCKET, expiry="2026-12-10T00:00:00.000Z",
               event_time="2026-12-02T07:12:09.123Z"):
    """S3's event message, as documented (notification-content-structure): the key URL-encoded, '+' for a space."""
    obj = {"key": quote_plus(key, safe="/"), "size": 42, "eTag": "abc", "sequencer": "0055AED6DCD90281E5"}
    if version_id:
        obj["versionId"] = version_id
    record = {
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1", "eventTime": event_time,
        "eventName": name, "s3": {"s3SchemaVersion": "1.0", "configurationId": "restores",
                                  "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"}, "object": obj},
    }
    if name == "ObjectRestore:Completed":
        record["glacierEventData"] = {"restoreEventData": {"lifecycleRestorationExpiryTime": expiry,
                                                           "lifecycleRestoreStorageClass": "GLACIER"}}
    return json.dumps({"Records": [record]})


def sns_envelope(message):
    return json.dumps({"Type": "Notification", "MessageId": "1", "TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
                       "Message": message, "Timestamp": "2026-12-02T07:12:10.000Z"})


def eventbridge_message(key, detail_type="Object Restore Completed", version_id="null"):
    """The EventBridge event, as documented (ev-events)."""
    return json.dumps({
        "version": "0", "id": "17793124", "detail-type": detail_type, "source": "aws.s3", "account": "123456789012",
        "time": "2026-12-02T07:12:09Z", "region": "us-east-1", "resources": [f"arn:aws:s3:::{BUCKET}"],
        "detail": {"version": "0", "bucket": {"name": BUCKET},
                   "object": {"key": key, "size": 42, "etag": "abc", "version-id": version_id},
                   "request-id": "189F19CB7FB1B6A4", "requester": "s3.amazonaws.com",
                   "restore-expiry-time": "2026-12-10T00:00:00Z", "source-storage-class": "GLACIER"},
    })


UTC = datetime.timezone.utc


@pytest.mark.parametrize("body, name, key, version_id", [
    (s3_message("db/a b+c.dump"), "s3:ObjectRestore:Completed", "db/a b+c.dump", None),
    (sns_envelope(s3_message("db/ü.dump")), "s3:ObjectRestore:Completed", "db/ü.dump", None),
    (s3_message("db/x", name="ObjectRestore:Post", version_id="v1"), "s3:ObjectRestore:Post", "db/x", "v1"),
    (sns_envelope(s3_message("db/x", name="ObjectRestore:Delete")), "s3:ObjectRestore:Delete", "db/x", None),
    (eventbridge_message("db/x y"), "s3:ObjectRestore:Completed", "db/x y", None),
    (eventbridge_message("db/x", "Object Restore Expired", "v2"), "s3:ObjectRestore:Delete", "db/x", "v2"),
    (eventbridge_message("db/x", "Object Restore Initiated"), "s3:ObjectRestore:Post", "db/x", None),
])
def test_every_envelope_gives_the_event(body, name, key, version_id):
    (event,) = parse_message(body).events
    assert (event.name, event.keys[0], event.version_id, event.bucket) == (name, key, version_id, BUCKET)


def test_a_completed_event_carries_when_and_the_copy_expiry():
    (event,) = parse_message(s3_message("k")).events
    assert event.event_time == datetime.datetime(2026, 12, 2, 7, 12, 9, 123000, tzinfo=UTC)
    assert event.expiry == datetime.datetime(2026, 12, 10, tzinfo=UTC)
    (bridged,) = parse_message(eventbridge_message("k")).events
    assert bridged.expiry == datetime.datetime(2026, 12, 10, tzinfo=UTC)


@pytest.mark.parametrize("body", [
    "not json", "[]", "{}", json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": BUCKET}),
    sns_envelope(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"})), sns_envelope("not json"),
    s3_message("k", name="ObjectCreated:Put"), eventbridge_message("k", "Object Created"),
    json.dumps({"detail-type": "Object Restore Completed", "source": "aws.ec2", "detail": {"object": {"key": "k"}}}),
    json.dumps({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectRestore:Completed", "s3": {}}]}),
])
def test_other_bodies_hold_no_restore_event(body):
    assert parse_message(body).events == ()


def test_a_subscription_confirmation_gives_its_token():
    body = json.dumps({"Type": "SubscriptionConfirmation", "Token": "2336412f37", "TopicArn": "arn:aws:sns:::t"})
    assert parse_message(body).confirmation_token == "2336412f37"


@given(strategies.text(min_size=1, max_size=40))
def test_any_key_survives_s3_url_encoding(key):
    (event,) = parse_message(s3_message(key)).events
    assert event.keys == (key,)


def pending(*ids):
    return {object_id: {"key": object_id[0], "version_id": object_id[1]} for object_id in ids}


@pytest.mark.parametrize("body, waited_on, expected", [
    (s3_message("a"), pending(("a", None)), ("a", None)),
    (s3_message("a", version_id="v1"), pending(("a", None)), ("a", None)),
    (s3_message("a", version_id="v1"), pending(("a", "v1")), ("a", "v1")),
    (s3_message("a", version_id="v2"), pending(("a", "v1")), None),
    (s3_message("a"), pending(("a", "v1")), None),
    (s3_message("b"), pending(("a", None)), None),
    (s3_message("a", bucket="other-bucket"), pending(("a", None)), None),
    (eventbridge_message("a b"), pending(("a b", None)), ("a b", None)),
    (eventbridge_message("a+b"), pending(("a+b", None)), ("a+b", None)),
    # EventBridge keys are taken as they are (ev-events); only S3's event message is URL-encoded.
    (eventbridge_message("a%20b"), pending(("a b", None)), None),
    (eventbridge_message("a+b"), pending(("a b", None)), None),
    # An unversioned bucket: ListObjectVersions names the version "null", the event none (or "null").
    (s3_message("a"), pending(("a", "null")), ("a", "null")),
    (eventbridge_message("a", version_id="null"), pending(("a", "null")), ("a", "null")),
    (s3_message("a", version_id="null"), pending(("a", None)), ("a", None)),
])
def test_an_event_matches_the_object_it_names(body, waited_on, expected):
    (event,) = parse_message(body).events
    assert pending_id_of(event, BUCKET, waited_on) == expected


def test_a_reading_that_names_another_version_is_not_matched():
    (event,) = parse_message(s3_message("a", version_id="old")).events
    assert pending_id_of(event, BUCKET, {("a", None): {"key": "a", "version_id": "current"}}) is None


def test_a_reading_that_names_null_matches_the_event_of_no_version():
    (event,) = parse_message(s3_message("a")).events
    assert pending_id_of(event, BUCKET, {("a", None): {"key": "a", "version_id": "null"}}) == ("a", None)


@pytest.mark.parametrize("body, version_id, hint", [
    (s3_message("a", version_id="v1"), None, True),
    (s3_message("a", version_id="v1"), "null", True),
    (s3_message("a", version_id="v1"), "v1", False),
    (s3_message("a"), None, False),
    (s3_message("a", version_id="null"), None, False),
])
def test_an_event_naming_a_version_the_reading_does_not_know_is_only_a_hint(body, version_id, hint):
    (event,) = parse_message(body).events
    assert restore_events.is_hint(event, {"key": "a", "version_id": version_id}) is hint


def test_the_queue_policy_lets_only_the_topic_send():
    policy = json.loads(restore_events.queue_policy("arn:aws:sqs:us-east-1:123456789012:q", "arn:aws:sns:us-east-1:123456789012:t"))
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == "arn:aws:sqs:us-east-1:123456789012:q"
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}}


def test_the_queue_name_says_whose_it_is():
    assert restore_events.queue_name("ab12") == "s3async-restore-wait-ab12"
    assert len(restore_events.queue_name("x" * 200)) == 80


def params(**overrides):
    base = {"state": "restored", "wait_events": "sqs", "wait_queue_url": None, "wait_sweep_interval": 900,
            "sns_topic_arn": "arn:aws:sns:us-east-1:123456789012:t", "notification_state": "present"}
    base.update(overrides)
    return base


@pytest.mark.parametrize("overrides, fragment", [
    ({"state": "present"}, "add state=restored"),
    ({"sns_topic_arn": None}, "needs wait_queue_url"),
    ({"wait_events": "none", "wait_queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/q"}, "add wait_events=sqs"),
    ({"wait_queue_url": "arn:aws:sqs:us-east-1:123456789012:q"}, "not its ARN"),
    ({"wait_queue_url": "restore-events"}, "must be an SQS queue URL"),
    ({"wait_sweep_interval": 5}, "wait_sweep_interval must be 60 seconds or more"),
    ({"notification_state": "absent"}, "notification_state=absent stops"),
    ({"notification_events": ["s3:ObjectRestore:Post", "s3:ObjectRestore:Delete"]}, "add s3:ObjectRestore:Completed"),
    ({"notification_events": ["s3:ObjectRestore:Post"], "wait_queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/q"},
     "notification_events (s3:ObjectRestore:Post) does not send"),
])
def test_bad_wait_options_are_refused_saying_how_to_fix_them(overrides, fragment):
    problems = restore_events.wait_problems(params(**overrides))
    assert any(fragment in problem for problem in problems), problems


@pytest.mark.parametrize("overrides", [
    {}, {"sns_topic_arn": None, "wait_queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/q"},
    {"wait_events": "none", "state": "present", "sns_topic_arn": None}, {"wait_events": None},
    {"notification_events": ["s3:ObjectRestore:*"]}, {"notification_events": ["s3:ObjectRestore:Completed"]},
    {"wait_events": "none", "state": "present", "notification_events": ["s3:ObjectRestore:Post"]},
])
def test_good_wait_options_pass(overrides):
    assert restore_events.wait_problems(params(**overrides)) == []
