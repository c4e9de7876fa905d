# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The restore events as they reach an SQS queue, and the options of a wait on them (wait_events=sqs). Pure.

A queue can receive S3's restore events three ways, each wrapping the event in its own envelope:

* straight from S3 (a QueueConfiguration): the body is S3's event message, ``{"Records": [...]}`` (S3 User Guide,
  "Event message structure", notification-content-structure);
* through an SNS topic: the body is SNS's JSON envelope, ``{"Type": "Notification", "Message": "<S3's event
  message as a string>"}``, or, with raw message delivery on the subscription, S3's event message itself (SNS
  Developer Guide, "Amazon SNS raw message delivery");
* through EventBridge (a rule targeting the queue): the body is the EventBridge event, ``{"source": "aws.s3",
  "detail-type": "Object Restore Completed", "detail": {...}}`` (S3 User Guide, "EventBridge event message
  structure", ev-events).

Everything here takes the message body and returns what it says; nothing is trusted beyond the keys it names.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from urllib.parse import unquote_plus

EVENT_POST = "s3:ObjectRestore:Post"
EVENT_COMPLETED = "s3:ObjectRestore:Completed"
EVENT_DELETE = "s3:ObjectRestore:Delete"

# EventBridge names the restore events by detail-type (S3 User Guide, "Using EventBridge").
EVENTBRIDGE_DETAIL_TYPES = {
    "Object Restore Initiated": EVENT_POST,
    "Object Restore Completed": EVENT_COMPLETED,
    "Object Restore Expired": EVENT_DELETE,
}

WAIT_EVENTS_NONE = "none"
WAIT_EVENTS_SQS = "sqs"
WAIT_EVENTS_CHOICES = (WAIT_EVENTS_NONE, WAIT_EVENTS_SQS)
# A sweep every 15 minutes: the longest delay between two checks of the polling wait (waiting.MAX_WAIT_DELAY), so
# that an object whose event S3 never sent is found no later than polling would find it. A longer interval cuts
# the sweeps' requests at the price of that delay (docs/waiting.md, "Requests and delay").
DEFAULT_SWEEP_INTERVAL = 900
MIN_SWEEP_INTERVAL = 60
# The temporary queue's name: a person who finds it in the console knows whose it is.
QUEUE_NAME_PREFIX = "s3async-restore-wait-"


@dataclasses.dataclass(frozen=True)
class RestoreEvent:
    """One restore event: its name (s3:ObjectRestore:*), the bucket, the key (as a one-item tuple),
    the version ID (None on an unversioned bucket), when it happened and, for Completed, the copy's expiry."""

    name: str
    bucket: str
    keys: tuple
    version_id: str | None
    event_time: datetime.datetime | None
    expiry: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class QueueMessage:
    """What one SQS message body holds: restore events, an SNS subscription confirmation (its token), or
    neither (a test event, a message of another kind)."""

    events: tuple = ()
    confirmation_token: str | None = None


def _parse_time(text) -> datetime.datetime | None:
    """An ISO 8601 time as S3, SNS and EventBridge write it ("2021-11-12T00:00:00.000Z"), aware, or None."""
    if not isinstance(text, str) or not text:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def _version(value) -> str | None:
    # Unversioned buckets name no version, or the version "null" (S3 API Reference, "Working with versioning").
    return None if value in (None, "", "null") else str(value)


def _record_event(record: dict) -> RestoreEvent | None:
    """A restore event from one record of S3's event message, or None for another event."""
    name = record.get("eventName") or ""
    if record.get("eventSource") != "aws:s3" or not name.startswith("ObjectRestore:"):
        return None
    s3 = record.get("s3") or {}
    obj = s3.get("object") or {}
    if "key" not in obj:
        return None
    restore_data = (record.get("glacierEventData") or {}).get("restoreEventData") or {}
    # "The object key name value is URL encoded", a space as "+" (notification-content-structure).
    return RestoreEvent(f"s3:{name}", (s3.get("bucket") or {}).get("name") or "", (unquote_plus(obj["key"]),),
                        _version(obj.get("versionId")), _parse_time(record.get("eventTime")),
                        _parse_time(restore_data.get("lifecycleRestorationExpiryTime")))


def _eventbridge_event(body: dict) -> RestoreEvent | None:
    name = EVENTBRIDGE_DETAIL_TYPES.get(body.get("detail-type"))
    detail = body.get("detail") or {}
    obj = detail.get("object") or {}
    if body.get("source") != "aws.s3" or name is None or "key" not in obj:
        return None
    # The key as it is: the EventBridge message structure (ev-events) names the object's key with no URL encoding,
    # unlike S3's event message (notification-content-structure), whose rule _record_event applies.
    return RestoreEvent(name, (detail.get("bucket") or {}).get("name") or "", (obj["key"],), _version(obj.get("version-id")),
                        _parse_time(body.get("time")), _parse_time(detail.get("restore-expiry-time")))


def _unwrap_sns(body: dict):
    """S3's event message inside an SNS envelope (raw delivery off), or the body itself."""
    if body.get("Type") == "Notification" and isinstance(body.get("Message"), str):
        try:
            return json.loads(body["Message"])
        except ValueError:
            return None
    return body


def parse_message(text: str) -> QueueMessage:
    """What an SQS message body says. Bodies of another kind (not JSON, s3:TestEvent, other events) hold none."""
    try:
        body = json.loads(text)
    except (TypeError, ValueError):
        return QueueMessage()
    if not isinstance(body, dict):
        return QueueMessage()
    if body.get("Type") == "SubscriptionConfirmation" and body.get("Token"):
        return QueueMessage(confirmation_token=body["Token"])
    if "detail-type" in body:
        event = _eventbridge_event(body)
        return QueueMessage(events=(event,) if event else ())
    body = _unwrap_sns(body)
    records = body.get("Records") if isinstance(body, dict) else None
    if not isinstance(records, list):
        return QueueMessage()
    events = (_record_event(record) for record in records if isinstance(record, dict))
    return QueueMessage(events=tuple(event for event in events if event is not None))


def _same_version(first, second) -> bool:
    # An unversioned bucket's object is the version "null" in ListObjectVersions and in HEAD, and no version in its
    # events (S3 API Reference, "Working with versioning"): the two spellings are one version.
    return _version(first) == _version(second)


def pending_id_of(event: RestoreEvent, bucket: str, waited_on: dict) -> tuple | None:
    """The id (object_results.object_id: key, version ID or None) in `waited_on` that the event is about, or None.

    An id with a version matches the event of that version only (S3 names the version in every event of a
    versioned bucket; "null" and no version are the same version). An id without one (the current version, as a
    listing reads it) matches the key's event unless a reading of the object (its `version_id`) names another
    version; an event that names a version the reading does not know is only a hint (is_hint). `waited_on` maps
    ids to the objects' results. Events of other buckets match nothing.
    """
    if event.bucket != bucket:
        return None
    for key in event.keys:
        # The event of no version is the version "null" of a ListObjectVersions reading.
        exact = (key, event.version_id if event.version_id is not None else "null")
        if exact in waited_on:
            return exact
        current = waited_on.get((key, None))
        # A reading by HEAD names the current version: an event of another version is not about it.
        if current is not None and (current.get("version_id") is None
                                    or _same_version(current["version_id"], event.version_id)):
            return key, None
    return None


def is_hint(event: RestoreEvent, obj: dict) -> bool:
    """Whether the event, matched to `obj` by pending_id_of, may be about another version than the one waited on:
    it names a version, and the object was read without one (ListObjectsV2 names none, even on a versioned
    bucket). A noncurrent version restored by someone else sends the same event, so only a reading of the object
    can tell that the version waited on is readable."""
    return event.version_id is not None and _version(obj.get("version_id")) is None


def queue_policy(queue_arn: str, topic_arn: str) -> str:
    """The temporary queue's policy: the topic, and only it, may send to the queue (SNS Developer Guide,
    "Fanout to Amazon SQS queues": the queue policy must allow sqs:SendMessage for sns.amazonaws.com, with
    aws:SourceArn naming the topic)."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "s3async-restore-wait",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
        }],
    })


def queue_name(suffix: str) -> str:
    """s3async-restore-wait-<suffix>: SQS names are at most 80 letters, digits, hyphens and underscores."""
    return (QUEUE_NAME_PREFIX + "".join(c for c in suffix if c.isalnum() or c in "-_"))[:80]


def _queue_url_problem(url: str) -> str | None:
    if url.startswith("arn:"):
        return (f"wait_queue_url must be the queue's URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME), not its "
                f"ARN: got {url!r}")
    if not url.startswith(("https://", "http://")) or url.rstrip("/").count("/") < 4:
        return (f"wait_queue_url must be an SQS queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/"
                f"restore-events, got {url!r}")
    return None


def wait_problems(params: dict) -> list:
    """Problems with wait_events, wait_queue_url and wait_sweep_interval, as messages that say how to fix them."""
    wait_events = params.get("wait_events") or WAIT_EVENTS_NONE
    queue_url = params.get("wait_queue_url")
    sweep = params.get("wait_sweep_interval")
    problems = []
    if queue_url is not None and wait_events != WAIT_EVENTS_SQS:
        problems.append("wait_queue_url is read only with wait_events=sqs: add wait_events=sqs, or leave wait_queue_url out")
    if queue_url is not None:
        problems.append(_queue_url_problem(queue_url))
    if sweep is not None and sweep < MIN_SWEEP_INTERVAL:
        problems.append(f"wait_sweep_interval must be {MIN_SWEEP_INTERVAL} seconds or more (a sweep reads every object "
                        f"still pending), got {sweep}")
    if wait_events == WAIT_EVENTS_SQS:
        if params.get("state") != "restored":
            problems.append("wait_events=sqs waits for the restores, which only state=restored does: add state=restored")
        if queue_url is None and not params.get("sns_topic_arn"):
            problems.append("wait_events=sqs needs wait_queue_url (a queue that receives the restore events) or "
                            "sns_topic_arn (the module then subscribes a queue of its own to the topic)")
        if queue_url is None and params.get("notification_state") == "absent":
            problems.append("wait_events=sqs without wait_queue_url waits on the topic's events, which "
                            "notification_state=absent stops: give wait_queue_url, or use notification_state=present")
        problems.append(_topic_events_problem(params))
    return [problem for problem in problems if problem]


def _topic_events_problem(params: dict) -> str | None:
    """wait_events=sqs waits on s3:ObjectRestore:Completed: the topic must be sent it (S3 User Guide,
    notification-how-to-event-types-and-destinations: a configuration sends only the event types it names)."""
    events = params.get("notification_events")
    if not params.get("sns_topic_arn") or params.get("notification_state") == "absent" or events is None:
        return None
    if EVENT_COMPLETED in events or "s3:ObjectRestore:*" in events:
        return None
    return (f"wait_events=sqs waits on {EVENT_COMPLETED} events, which notification_events ({', '.join(events)}) does "
            f"not send to sns_topic_arn: add {EVENT_COMPLETED} (or s3:ObjectRestore:*) to notification_events")
