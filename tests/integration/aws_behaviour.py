# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An AWS behaviour layer: an HTTP proxy on 127.0.0.1 in front of moto_server that makes S3 behave as AWS does
where moto does not. Test code only, never shipped; standard library, boto3 and moto only.

Every behaviour below is one row of the project's AWS S3 restore facts sheet ("moto 5.2.5 versus AWS" and the
sections it summarises); each is cited where it is implemented, and each can be switched or tuned per test:

(a) stale notification reads: bucket configurations are eventually consistent, so for ``stale_reads`` reads (or
    ``stale_seconds`` seconds) after a PutBucketNotificationConfiguration, GetBucketNotificationConfiguration
    answers with the previous configuration (``stale_notification_reads``);
(b) the delayed effect of a notification change ("usually takes about five minutes"): the layer records when
    each bucket's configuration changed and which restores started within ``propagation_seconds`` after it
    (``restores_without_events``); moto itself delivers the events, the layer does not hold them back;
(c) S3 validates EVERY destination on each write: any SNS topic / SQS queue / Lambda function of the configuration
    that does not exist in moto (asked through moto's own APIs), is in another Region, or is in
    ``broken_destinations`` makes the write fail with 400 InvalidArgument "Unable to validate the following
    destination configurations" and ArgumentName<n> / ArgumentValue<n> naming each; header
    x-amz-skip-destination-validation skips it (``validate_destinations``);
(d) the overlap rule across all destinations (``check_overlaps``), implemented here from the User Guide,
    independently of the collection's code;
(e) restores that stay in progress for ``restore_seconds[tier]`` seconds: HEAD and listings show
    ongoing-request="true", GetObject and CopyObject refuse the object, a second request gets 409
    RestoreAlreadyInProgress unless it asks for a faster tier with the same Days (a restore speed upgrade: 202);
    once done, ongoing-request="false" with expiry-date = completion + Days rounded up to the next midnight UTC;
    a request on a restored copy gets 200 and resets that expiry; an expiry-date in the past means the copy is
    gone (``seed_restored`` can make one);
(f) Intelligent-Tiering objects the test puts in an archive tier (``seed_archive_tier``): HEAD shows
    x-amz-archive-status, GetObject answers 403 InvalidObjectState with AccessTier, RestoreObject refuses Days and
    (Deep Archive Access) Expedited, the restore takes ``restore_seconds[tier]`` and leaves the object readable in
    an access tier, where RestoreObject answers 403 ObjectAlreadyInActiveTierError;
(g) ListObjectsV2 asked for OptionalObjectAttributes=RestoreStatus reports RestoreStatus as AWS does;
(h) Days / Tier validation for GLACIER and DEEP_ARCHIVE (``validate_restore_requests``);
(i) 503 SlowDown (or another throttling code) above a per-operation request rate, a token bucket (``throttle``);
(j) expiry-dates rounded up to midnight UTC (part of e).

Requests are real S3 REST calls (path-style, as botocore sends them to an IP endpoint); answers are S3's XML,
which botocore parses. The restore state of an object is the layer's once a restore of it went through the layer
(or the test seeded it); other objects are moto's, passed through. Objects are told apart by (bucket, key,
versionId or None): a test that restores by version reads by version.

    with AwsBehaviour(moto_endpoint) as layer:
        layer.restore_seconds.update(Standard=3)
        ... point endpoint_url / AWS_URL at layer.endpoint ...
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import email.utils
import http.client
import http.server
import math
import re
import threading
import time
import urllib.parse
import uuid
from xml.etree import ElementTree

import boto3
from botocore.exceptions import ClientError

from fault_proxy import HOP_BY_HOP
from fault_proxy import ProxyHandler
from fault_proxy import operation_name as fault_proxy_operation

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
DAY = 86400
GLACIER_CLASSES = ("GLACIER", "DEEP_ARCHIVE")
INTELLIGENT_TIERING = "INTELLIGENT_TIERING"
INT_ARCHIVE_TIERS = ("ARCHIVE_ACCESS", "DEEP_ARCHIVE_ACCESS")
TIERS = ("Bulk", "Standard", "Expedited")  # slowest first (restoring-objects, "Archive retrieval options")
# Requests the layer makes of moto_server itself: signed in form only (moto routes a request to S3 by the
# credential scope of its Authorization header, and does not check the signature).
UPSTREAM_HEADERS = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, "
                     "SignedHeaders=host, Signature=0",
    "User-Agent": "aws-behaviour-layer",
}
MODULE_AGENT = re.compile(r"s3async\.restore/(\w+)")
_ONGOING = re.compile(r'ongoing-request\s*=\s*"(true|false)"', re.IGNORECASE)
_EXPIRY = re.compile(r'expiry-date\s*=\s*"([^"]+)"', re.IGNORECASE)

ElementTree.register_namespace("", S3_NAMESPACE)


# -- pure rules -------------------------------------------------------------------------------------------------

def expiry_after(moment: float, days: int) -> float:
    """moment + days, rounded up to the next midnight UTC (facts sheet, HeadObject "Restore" row: the expiry is
    rounded up to the next midnight UTC; POSIX time has no leap seconds, so UTC midnights are multiples of a day)."""
    return float(math.ceil((moment + days * DAY) / DAY) * DAY)


def http_date(moment: float) -> str:
    """RFC 1123 GMT, as in x-amz-restore's expiry-date ("Fri, 21 Dec 2012 00:00:00 GMT")."""
    return email.utils.formatdate(moment, usegmt=True)


def iso_date(moment: float) -> str:
    """ISO 8601 with milliseconds, as S3 writes timestamps in XML (RestoreExpiryDate)."""
    return datetime.datetime.fromtimestamp(moment, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclasses.dataclass(frozen=True)
class EventRule:
    """One configuration of a notification write: its destination, events and key filter."""

    kind: str  # topic, queue or function
    arn: str
    events: tuple
    prefix: str = ""
    suffix: str = ""
    identifier: str | None = None


# PutBucketNotificationConfiguration's wire format (the S3 model's locationName for each list member).
DESTINATIONS = {
    "TopicConfiguration": ("topic", "Topic"),
    "QueueConfiguration": ("queue", "Queue"),
    "CloudFunctionConfiguration": ("function", "CloudFunction"),
}


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _key_filter(element) -> tuple:
    """(prefix, suffix) of a Filter element; rule names are case-insensitive (facts sheet, notification row)."""
    found = {"prefix": "", "suffix": ""}
    for rule in element.iter():
        if local_name(rule.tag) != "FilterRule":
            continue
        parts = {local_name(part.tag): part.text or "" for part in rule}
        found[parts.get("Name", "").lower()] = parts.get("Value", "")
    return found["prefix"], found["suffix"]


def parse_notification(body: bytes) -> list:
    """The EventRules of a PutBucketNotificationConfiguration body (EventBridge has no overlap rule nor
    destination to validate, facts sheet: "EventBridge ... with no overlap rule")."""
    return [_event_rule(child) for child in ElementTree.fromstring(body) if local_name(child.tag) in DESTINATIONS]


def _event_rule(element) -> EventRule:
    kind, arn_name = DESTINATIONS[local_name(element.tag)]
    fields = {"arn": "", "events": [], "identifier": None, "prefix": "", "suffix": ""}
    for part in element:
        name = local_name(part.tag)
        if name == "Event":
            fields["events"].append(part.text or "")
        elif name == "Filter":
            fields["prefix"], fields["suffix"] = _key_filter(part)
        elif name == "Id":
            fields["identifier"] = part.text
        elif name == arn_name:
            fields["arn"] = part.text or ""
    return EventRule(kind, fields["arn"], tuple(fields["events"]), fields["prefix"], fields["suffix"], fields["identifier"])


def events_overlap(first: str, second: str) -> bool:
    """The same event type, or a wildcard and one of its members (s3:ObjectRestore:* covers Post, Completed and
    Delete; notification-how-to-event-types-and-destinations)."""

    def covers(wildcard, event):
        return wildcard.endswith("*") and event.startswith(wildcard[:-1])

    return first == second or covers(first, second) or covers(second, first)


def rules_overlap(first: EventRule, second: EventRule) -> bool:
    """S3's overlap rule (facts sheet, "Overlap rule, across ALL destinations of the bucket";
    notification-how-to-filtering): two configurations that share an event type may not have overlapping
    prefixes AND overlapping suffixes; an absent filter is the empty string, which overlaps everything."""
    shared_event = any(events_overlap(one, other) for one in first.events for other in second.events)
    prefixes = first.prefix.startswith(second.prefix) or second.prefix.startswith(first.prefix)
    suffixes = first.suffix.endswith(second.suffix) or second.suffix.endswith(first.suffix)
    return shared_event and prefixes and suffixes


def first_overlap(rules: list) -> tuple | None:
    """The first pair of rules that overlap, or None."""
    for index, first in enumerate(rules):
        for second in rules[index + 1:]:
            if rules_overlap(first, second):
                return first, second
    return None


def parse_restore_header(value: str | None) -> tuple:
    """(ongoing, expiry epoch seconds) of an x-amz-restore header; (None, None) when absent."""
    if not value:
        return None, None
    ongoing = _ONGOING.search(value)
    expiry = _EXPIRY.search(value)
    when = email.utils.parsedate_to_datetime(expiry.group(1)).timestamp() if expiry else None
    return (ongoing.group(1).lower() == "true") if ongoing else None, when


def restore_request_fields(body: bytes) -> tuple:
    """(Days or None, Tier) of a RestoreRequest body; the Tier defaults to Standard (RestoreObject)."""
    root = ElementTree.fromstring(body)
    days = tier = None
    for element in root.iter():
        name = local_name(element.tag)
        if name == "Days":
            days = int((element.text or "0").strip())
        elif name == "Tier" and tier is None:
            tier = (element.text or "").strip()
    return days, tier or "Standard"


class TokenBucket:
    """`rate` requests per second, `burst` at once; thread-safe."""

    def __init__(self, rate: float, burst: float, clock) -> None:
        self.rate = rate
        self.capacity = burst
        self.tokens = burst
        self.clock = clock
        self.stamp = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


# -- the restore state of archived objects ---------------------------------------------------------------------

@dataclasses.dataclass
class Restore:
    """One restore: requested at `started`, done at `ready`; `expiry` once known (completion + Days, rounded)."""

    tier: str
    days: int | None
    started: float
    ready: float
    expiry: float | None = None
    by: str = "client"
    events_expected: bool = True


@dataclasses.dataclass
class ArchivedObject:
    """What the layer knows of one object: its class, its Intelligent-Tiering archive tier, its restore, and the
    HEAD headers moto gave before the restore (served while it runs, so that moto, which has restored the object
    at once, is not read and does not send its Completed event early)."""

    storage_class: str
    archive_tier: str | None = None
    restore: Restore | None = None
    headers: list | None = None


ARCHIVED, IN_PROGRESS, RESTORED, EXPIRED, ACTIVE = "archived", "in_progress", "restored", "expired", "active"


def object_state(obj: ArchivedObject, now: float) -> str:
    """archived, in_progress, restored, expired (a copy past its expiry-date: gone, archived again; facts sheet,
    "An expiry-date in the past does not mean the copy is still there") or active (Intelligent-Tiering in an
    access tier)."""
    restore = obj.restore
    if restore is not None and restore.ready > now:
        return IN_PROGRESS
    if obj.storage_class == INTELLIGENT_TIERING:
        # A finished restore moves the object back to the Frequent Access tier (restoring-objects).
        return ACTIVE if restore is not None or obj.archive_tier is None else ARCHIVED
    if restore is None:
        return ARCHIVED
    if restore.expiry is None:
        restore.expiry = expiry_after(restore.ready, restore.days or 1)
    return RESTORED if restore.expiry > now else EXPIRED


def restore_header(obj: ArchivedObject, now: float) -> str | None:
    """x-amz-restore as HeadObject shows it (facts sheet, HeadObject "Restore" row)."""
    state = object_state(obj, now)
    if state == IN_PROGRESS:
        return 'ongoing-request="true"'
    if state in (RESTORED, EXPIRED):
        return f'ongoing-request="false", expiry-date="{http_date(obj.restore.expiry)}"'
    if state == ACTIVE and obj.restore is not None:
        return 'ongoing-request="false"'
    return None


def readable(obj: ArchivedObject, now: float) -> bool:
    return object_state(obj, now) in (RESTORED, ACTIVE)


@dataclasses.dataclass
class Answer:
    status: int
    headers: list = dataclasses.field(default_factory=list)
    body: bytes = b""
    by: str = "layer"
    code: str | None = None


def error_answer(status: int, code: str, message: str, resource: str = "", **fields: str) -> Answer:
    """S3's XML error (S3 API Reference, "Error responses"); extra children such as ArgumentName1 / ArgumentValue1,
    StorageClass or AccessTier come from `fields`, which botocore puts into error.response["Error"]."""
    extra = "".join(f"<{name}>{xml_text(value)}</{name}>" for name, value in fields.items())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{xml_text(message)}</Message>{extra}<Resource>{xml_text(resource)}</Resource>"
        f"<RequestId>{uuid.uuid4().hex[:16].upper()}</RequestId><HostId>aws-behaviour-layer</HostId></Error>"
    ).encode("utf-8")
    return Answer(status, [("Content-Type", "application/xml")], body, code=code)


def xml_text(value: str) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def restore_refusal(obj: ArchivedObject, days: int | None, tier: str, resource: str) -> Answer | None:
    """The 4xx S3 answers to a RestoreObject it refuses outright, or None (facts sheet, RestoreObject rows)."""
    if tier not in TIERS:
        return error_answer(400, "MalformedXML", "The XML you provided was not well-formed or did not validate "
                            "against our published schema", resource)
    if obj.storage_class == INTELLIGENT_TIERING:
        # Days: forbidden for the Intelligent-Tiering archive tiers (400 InvalidArgument "... Do not specify Days").
        if days is not None:
            return error_answer(400, "InvalidArgument", "Days is not allowed for objects in an S3 Intelligent-Tiering "
                                "archive access tier. Do not specify Days", resource)
        if tier == "Expedited" and obj.archive_tier == "DEEP_ARCHIVE_ACCESS":
            return error_answer(400, "InvalidArgument", "Expedited retrieval is not supported for objects in the "
                                "Deep Archive Access tier", resource)
        return None
    # Days: required for GLACIER / DEEP_ARCHIVE; Expedited does not exist for DEEP_ARCHIVE.
    if days is None:
        return error_answer(400, "MalformedXML", "The XML you provided was not well-formed or did not validate "
                            "against our published schema: Days is required for this storage class", resource)
    if days < 1:
        return error_answer(400, "InvalidArgument", "Days must be a positive integer", resource,
                            ArgumentName1="Days", ArgumentValue1=str(days))
    if tier == "Expedited" and obj.storage_class == "DEEP_ARCHIVE":
        return error_answer(400, "InvalidArgument", "Expedited retrieval is not supported for the DEEP_ARCHIVE "
                            "storage class", resource)
    return None


# -- the layer --------------------------------------------------------------------------------------------------

class AwsBehaviour:
    """See the module docstring. Switches are plain attributes and methods; every public method is thread-safe."""

    def __init__(self, upstream: str, clock=time.time, region: str = "us-east-1", upstream_timeout: float = 30) -> None:
        parsed = urllib.parse.urlparse(upstream)
        self.upstream_endpoint = upstream
        self.upstream = (parsed.hostname, parsed.port)
        self.upstream_timeout = upstream_timeout
        self.clock = clock
        self.region = region
        # (e, f) seconds a restore takes, per tier; 0 completes at once (but still through the layer's states).
        self.restore_seconds = {"Expedited": 0.0, "Standard": 0.0, "Bulk": 0.0}
        self.validate_restore_requests = True  # (f, h)
        self.validate_destinations = True  # (c)
        self.broken_destinations: set = set()  # (c) ARNs S3 "cannot validate", whatever moto says
        self.check_overlaps = True  # (d)
        self.propagation_seconds = 300.0  # (b) "usually takes about five minutes"
        self._lock = threading.RLock()
        self._objects: dict = {}  # (bucket, key, version_id) -> ArchivedObject
        self._stale: dict = {}  # (a) the switch: {"reads": n, "seconds": s}
        self._previous: dict = {}  # (a) bucket -> (previous configuration body, reads left, stale until)
        self._changes = collections.defaultdict(list)  # (b) bucket -> times the configuration changed
        self._throttles: dict = {}  # (i) operation -> (TokenBucket, code)
        self._after_head: dict = {}  # (bucket, key) -> callable, run once after the next HEAD of the key
        self._log: list = []
        self._server = None
        self._thread = None

    # -- life cycle --------------------------------------------------------------------------------------------

    def start(self) -> "AwsBehaviour":
        layer = self

        class Handler(LayerHandler):
            owner = layer

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None

    def __enter__(self) -> "AwsBehaviour":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- switches ----------------------------------------------------------------------------------------------

    def stale_notification_reads(self, reads: int | None = None, seconds: float | None = None) -> None:
        """(a) After each notification write of a bucket, its next `reads` reads, or its reads during `seconds`,
        return the configuration from before the write ("Bucket configurations have an eventual consistency
        model", facts sheet, "Propagation and consistency"). Both None: reads are consistent again."""
        with self._lock:
            self._stale = {"reads": reads or 0, "seconds": seconds or 0.0} if (reads or seconds) else {}

    def throttle(self, operation: str, rate: float, burst: float | None = None, code: str = "SlowDown") -> None:
        """(i) Refuse `operation` above `rate` requests per second (a token bucket of `burst`, default max(1, rate)),
        with 503 `code` (facts sheet, RestoreObject: "capped at 1,000 requests per second per account ... beyond it,
        ThrottlingException / 503 SlowDown"). rate=None lifts it."""
        with self._lock:
            if rate is None:
                self._throttles.pop(operation, None)
            else:
                self._throttles[operation] = (TokenBucket(rate, burst or max(1.0, rate), self.clock), code)

    def after_head(self, bucket: str, key: str, action) -> None:
        """Run action() once, right after the next HeadObject of `key` was decided and before it is answered:
        what another client did between a reader's HEAD and its next request."""
        with self._lock:
            self._after_head[(bucket, key)] = action

    def race(self, bucket: str, key: str, tier: str = "Standard", days: int | None = 1) -> None:
        """Another client restores `key` right after the next HEAD of it: the reader's RestoreObject then meets
        409 RestoreAlreadyInProgress (facts sheet, RestoreObject: "409 RestoreAlreadyInProgress: one is running")."""
        self.after_head(bucket, key, lambda: self.start_restore(bucket, key, tier=tier, days=days, by="another client"))

    # -- seeding -----------------------------------------------------------------------------------------------

    def seed_archive_tier(self, bucket: str, key: str, tier: str, version_id: str | None = None) -> None:
        """(f) The INTELLIGENT_TIERING object `key` (already put) sits in archive tier `tier` (ARCHIVE_ACCESS or
        DEEP_ARCHIVE_ACCESS): moto has no archive tiers (facts sheet, moto row "Intelligent-Tiering archive tiers")."""
        assert tier in INT_ARCHIVE_TIERS, tier
        headers = self._upstream_head(bucket, key, version_id)
        storage_class = header_value(headers, "x-amz-storage-class")
        assert storage_class == INTELLIGENT_TIERING, f"{key} is {storage_class}, not INTELLIGENT_TIERING"
        with self._lock:
            self._objects[(bucket, key, version_id)] = ArchivedObject(INTELLIGENT_TIERING, tier, headers=headers)

    def seed_restored(self, bucket: str, key: str, expiry: datetime.datetime, version_id: str | None = None) -> None:
        """(e) The GLACIER / DEEP_ARCHIVE object `key` (already put) has a restored copy expiring at `expiry`; a
        past `expiry` is a copy S3 has deleted or is about to (HEAD still shows the old header)."""
        headers = self._upstream_head(bucket, key, version_id)
        storage_class = header_value(headers, "x-amz-storage-class")
        assert storage_class in GLACIER_CLASSES, f"{key} is {storage_class}, not GLACIER / DEEP_ARCHIVE"
        at = expiry.timestamp()
        if at > self.clock():
            # moto must have the copy too, so that GetObject reads it.
            self._upstream(bucket, key, version_id, "POST", "restore",
                           b"<RestoreRequest><Days>1</Days></RestoreRequest>")
        done = min(self.clock(), at) - 1
        with self._lock:
            self._objects[(bucket, key, version_id)] = ArchivedObject(
                storage_class, restore=Restore("Standard", None, done, done, expiry=at, by="seed"), headers=headers)

    def start_restore(self, bucket: str, key: str, tier: str = "Standard", days: int | None = 1,
                      version_id: str | None = None, by: str = "client") -> int:
        """A restore request as another client would send it, decided like any other; returns the status."""
        body = f"<RestoreRequest>{'' if days is None else f'<Days>{days}</Days>'}" \
               f"<GlacierJobParameters><Tier>{tier}</Tier></GlacierJobParameters></RestoreRequest>"
        target = object_path(bucket, key) + "?restore" + (f"&versionId={urllib.parse.quote(version_id)}" if version_id else "")
        request = Request("POST", target, bucket, key, version_id, {}, body.encode(), "RestoreObject", by)
        return self.restore_object(request).status

    # -- what happened -----------------------------------------------------------------------------------------

    def log(self, module_only: bool = True) -> list:
        """One dict per request: operation, method, bucket, key, version_id, module, from_module, status, code,
        by (layer or moto), at, and for RestoreObject days and tier."""
        with self._lock:
            return [dict(entry) for entry in self._log if entry["from_module"] or not module_only]

    def reset_log(self) -> None:
        with self._lock:
            self._log = []

    def requests(self, operation: str, module_only: bool = True) -> list:
        return [entry for entry in self.log(module_only) if entry["operation"] == operation]

    def accepted_restores(self, module_only: bool = True) -> collections.Counter:
        """Counter of keys whose RestoreObject got 202 (a new restore or an upgrade) or 200 (an expiry reset)."""
        return collections.Counter(entry["key"] for entry in self.requests("RestoreObject", module_only)
                                   if entry["status"] in (200, 202))

    def restore_statuses(self, module_only: bool = True) -> collections.Counter:
        return collections.Counter(entry["status"] for entry in self.requests("RestoreObject", module_only))

    def notification_changes(self, bucket: str) -> list:
        """(b) When the bucket's notification configuration was written (epoch seconds)."""
        with self._lock:
            return list(self._changes[bucket])

    def restores_without_events(self, bucket: str) -> list:
        """(b) Keys whose restore started within propagation_seconds after a notification change of the bucket:
        on AWS their events may never come ("it usually takes about five minutes for the changes to take effect")."""
        with self._lock:
            return sorted(key for (name, key, _version), obj in self._objects.items()
                          if name == bucket and obj.restore is not None and not obj.restore.events_expected)

    def restore_of(self, bucket: str, key: str, version_id: str | None = None) -> Restore | None:
        with self._lock:
            obj = self._objects.get((bucket, key, version_id))
            return dataclasses.replace(obj.restore) if obj and obj.restore else None

    def state_of(self, bucket: str, key: str, version_id: str | None = None) -> str | None:
        with self._lock:
            obj = self._objects.get((bucket, key, version_id))
            return object_state(obj, self.clock()) if obj else None

    # -- the handler's entry points ----------------------------------------------------------------------------

    def begin(self, request: "Request") -> dict:
        entry = {"operation": request.operation, "method": request.method, "bucket": request.bucket,
                 "key": request.key, "version_id": request.version_id, "module": request.module,
                 "from_module": request.module is not None, "status": None, "code": None, "by": None,
                 "at": self.clock()}
        with self._lock:
            self._log.append(entry)
        return entry

    def complete(self, entry: dict, answer: Answer, **details) -> None:
        with self._lock:
            entry.update(status=answer.status, code=answer.code, by=answer.by, **details)

    def answer(self, request: "Request") -> Answer:
        """The answer to one request: throttled, decided by the layer, or moto's (adjusted)."""
        throttled = self._throttled(request.operation)
        if throttled:
            return error_answer(503, throttled, "Please reduce your request rate.", request.path)
        handler = {
            "RestoreObject": self.restore_object,
            "HeadObject": self.head_object,
            "GetObject": self.get_object,
            "CopyObject": self.copy_object,
            "ListObjectsV2": self.list_objects,
            "PutBucketNotificationConfiguration": self.put_notification,
            "GetBucketNotificationConfiguration": self.get_notification,
        }.get(request.operation, self.forward)
        return handler(request)

    def _throttled(self, operation: str) -> str | None:
        with self._lock:
            throttle = self._throttles.get(operation)
        if throttle is None or throttle[0].take():
            return None
        return throttle[1]

    # -- moto --------------------------------------------------------------------------------------------------

    def forward(self, request: "Request") -> Answer:
        """The request as the client sent it, to moto_server (the Host header too: it is part of the signature)."""
        sent = dict(request.headers) or dict(UPSTREAM_HEADERS)
        status, answer_headers, payload = self._send(request.method, request.target, sent, request.body)
        return Answer(status, answer_headers, payload, by="moto", code=None if status < 300 else error_code(payload))

    def _send(self, method: str, target: str, headers: dict, body: bytes = b"") -> tuple:
        connection = http.client.HTTPConnection(*self.upstream, timeout=self.upstream_timeout)
        try:
            connection.putrequest(method, target, skip_host="host" in {name.lower() for name in headers},
                                  skip_accept_encoding=True)
            for name, value in headers.items():
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                    connection.putheader(name, value)
            if body or method in ("PUT", "POST"):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body or None)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _upstream(self, bucket: str, key: str | None, version_id: str | None, method: str, query: str = "",
                  body: bytes = b"") -> tuple:
        """A request of the layer's own to moto_server (not logged, not a module's)."""
        target = object_path(bucket, key) if key is not None else f"/{bucket}"
        parameters = [query] if query else []
        if version_id:
            parameters.append(f"versionId={urllib.parse.quote(version_id)}")
        if parameters:
            target += "?" + "&".join(parameters)
        return self._send(method, target, dict(UPSTREAM_HEADERS), body)

    def _upstream_head(self, bucket: str, key: str, version_id: str | None) -> list | None:
        status, headers, _payload = self._upstream(bucket, key, version_id, "HEAD")
        return headers if status == 200 else None

    # -- objects (e, f, h, j) ----------------------------------------------------------------------------------

    def _known(self, request: "Request") -> ArchivedObject | None:
        with self._lock:
            return self._objects.get((request.bucket, request.key, request.version_id))

    def _learn(self, request: "Request") -> ArchivedObject | None:
        """The object's record, made from a HEAD of moto's when the layer has none (GLACIER, DEEP_ARCHIVE and
        INTELLIGENT_TIERING only: other classes are left to moto, which refuses their restores as AWS does)."""
        known = self._known(request)
        if known is not None:
            return known
        headers = self._upstream_head(request.bucket, request.key, request.version_id)
        storage_class = header_value(headers or [], "x-amz-storage-class")
        if storage_class not in GLACIER_CLASSES + (INTELLIGENT_TIERING,):
            return None
        with self._lock:
            return self._objects.setdefault((request.bucket, request.key, request.version_id),
                                            ArchivedObject(storage_class, headers=headers))

    def restore_object(self, request: "Request") -> Answer:
        """(e, f, h) RestoreObject, decided here (facts sheet, RestoreObject and moto rows "409", "Days / Tier
        validation", "Intelligent-Tiering archive tiers")."""
        obj = self._learn(request)
        if obj is None:
            return self.forward(request)
        try:
            days, tier = restore_request_fields(request.body)
        except (ElementTree.ParseError, ValueError):
            return error_answer(400, "MalformedXML", "The XML you provided was not well-formed or did not validate "
                                "against our published schema", request.path)
        request.details.update(days=days, tier=tier)
        with self._lock:
            answer, new = self._decide_restore(request, obj, days, tier)
        if not new or obj.storage_class == INTELLIGENT_TIERING:
            # moto refuses restores of INT objects (it has no archive tiers); the layer's answer is the whole story.
            return answer
        # A new GLACIER / DEEP_ARCHIVE restore also goes to moto: it makes the copy GetObject will read and sends
        # the Post event. Whatever moto answers (200 if it still has a copy), S3's answer is 202.
        moto = self.forward(request)
        if moto.status >= 300:
            with self._lock:
                obj.restore = None
            return moto
        return answer

    def _decide_restore(self, request: "Request", obj: ArchivedObject, days: int | None, tier: str) -> tuple:
        """(answer, whether a new restore started). Called with the lock held."""
        now = self.clock()
        state = object_state(obj, now)
        if state == ACTIVE:
            # Intelligent-Tiering in an access tier (never archived, or restored): facts sheet, RestoreObject, "INT
            # not archived may also give 403 ObjectAlreadyInActiveTierError".
            return error_answer(403, "ObjectAlreadyInActiveTierError", "Restore is not allowed for the object's "
                                "current access tier", request.path), False
        refusal = restore_refusal(obj, days, tier, request.path) if self.validate_restore_requests else None
        if refusal is not None:
            return refusal, False
        if state == IN_PROGRESS:
            return self._running(obj, days, tier, now, request), False
        if state == RESTORED:
            # 200: the copy exists; the request resets its expiry to now + Days (RestoreObject, "Responses").
            obj.restore.expiry = expiry_after(now, days or 1)
            obj.restore.days = days
            return Answer(200), False
        obj.restore = Restore(tier, days, now, now + self.restore_seconds[tier], by=request.by,
                              events_expected=self._events_expected(request.bucket, now))
        return Answer(202), True

    def _running(self, obj: ArchivedObject, days: int | None, tier: str, now: float, request: "Request") -> Answer:
        """A request while a restore runs: a faster tier with the same Days upgrades it (202, restoring-objects
        "Upgrading the speed of an in-progress restore"); anything else is 409 RestoreAlreadyInProgress."""
        running = obj.restore
        if TIERS.index(tier) > TIERS.index(running.tier) and days == running.days:
            running.tier = tier
            running.ready = min(running.ready, now + self.restore_seconds[tier])
            return Answer(202)
        return error_answer(409, "RestoreAlreadyInProgress", "Object restore is already in progress", request.path)

    def _events_expected(self, bucket: str, now: float) -> bool:
        return not any(changed <= now < changed + self.propagation_seconds for changed in self._changes[bucket])

    def head_object(self, request: "Request") -> Answer:
        """(e, f) HeadObject with x-amz-restore and x-amz-archive-status as AWS shows them."""
        obj = self._known(request)
        now = self.clock()
        with self._lock:
            cached = obj is not None and obj.headers is not None and object_state(obj, now) == IN_PROGRESS
        if cached:
            answer = Answer(200, list(obj.headers))
        else:
            answer = self.forward(request)
        if obj is not None and answer.status == 200:
            with self._lock:
                answer.headers = self._object_headers(obj, answer.headers, now)
        with self._lock:
            action = self._after_head.pop((request.bucket, request.key), None)
        if action is not None:
            action()
        return answer

    @staticmethod
    def _object_headers(obj: ArchivedObject, headers: list, now: float) -> list:
        kept = [(name, value) for name, value in headers
                if name.lower() not in ("x-amz-restore", "x-amz-archive-status", "date")]
        kept.append(("Date", http_date(now)))
        header = restore_header(obj, now)
        if header:
            kept.append(("x-amz-restore", header))
        if obj.storage_class == INTELLIGENT_TIERING and object_state(obj, now) in (ARCHIVED, IN_PROGRESS):
            kept.append(("x-amz-archive-status", obj.archive_tier))
        return kept

    def get_object(self, request: "Request") -> Answer:
        """(e, f) GetObject on an object that is not readable: 403 InvalidObjectState, with StorageClass and (INT)
        AccessTier (facts sheet, "GetObject on an archived, unrestored object")."""
        obj = self._known(request)
        if obj is None or readable(obj, self.clock()):
            return self.forward(request)
        fields = {"StorageClass": obj.storage_class}
        if obj.storage_class == INTELLIGENT_TIERING:
            fields["AccessTier"] = obj.archive_tier
        return error_answer(403, "InvalidObjectState", "The operation is not valid for the object's storage class",
                            request.path, **fields)

    def copy_object(self, request: "Request") -> Answer:
        """(e) CopyObject from a source that is not readable: 403 ObjectNotInActiveTierError."""
        source = request.headers.get("x-amz-copy-source") or request.headers.get("X-Amz-Copy-Source", "")
        path, _sep, query = source.lstrip("/").partition("?")
        bucket, _slash, key = urllib.parse.unquote(path).partition("/")
        version_id = urllib.parse.parse_qs(query).get("versionId", [None])[0]
        with self._lock:
            obj = self._objects.get((bucket, key, version_id))
        if obj is None or readable(obj, self.clock()):
            return self.forward(request)
        return error_answer(403, "ObjectNotInActiveTierError", "The source object of the COPY operation is not in the "
                            "active tier and is only stored in Amazon Glacier.", request.path)

    # -- listings (g) ------------------------------------------------------------------------------------------

    def list_objects(self, request: "Request") -> Answer:
        """(g) ListObjectsV2 with x-amz-optional-object-attributes: RestoreStatus reports, for each GLACIER /
        DEEP_ARCHIVE object that was restored or is being restored, RestoreStatus {IsRestoreInProgress,
        RestoreExpiryDate} (ListObjectsV2; facts sheet, "Listing with restore state"; moto omits it)."""
        answer = self.forward(request)
        wanted = request.headers.get("x-amz-optional-object-attributes") or ""
        if answer.status != 200 or "RestoreStatus" not in wanted:
            return answer
        root = ElementTree.fromstring(answer.body)
        url_encoded = "url" in urllib.parse.parse_qs(request.query).get("encoding-type", [])
        for contents in root.iter(f"{{{S3_NAMESPACE}}}Contents"):
            key = contents.findtext(f"{{{S3_NAMESPACE}}}Key") or ""
            key = urllib.parse.unquote_plus(key) if url_encoded else key
            storage_class = contents.findtext(f"{{{S3_NAMESPACE}}}StorageClass") or "STANDARD"
            if storage_class in GLACIER_CLASSES:
                self._add_restore_status(contents, request.bucket, key)
        answer.body = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
        return answer

    def _add_restore_status(self, contents, bucket: str, key: str) -> None:
        with self._lock:
            obj = self._objects.get((bucket, key, None))
            header = restore_header(obj, self.clock()) if obj is not None else None
        if obj is None:
            # Restored without the layer (straight at moto): moto's own header tells.
            headers = self._upstream_head(bucket, key, None) or []
            header = header_value(headers, "x-amz-restore")
        ongoing, expiry = parse_restore_header(header)
        if ongoing is None:
            return  # never restored: RestoreStatus is absent
        status = ElementTree.SubElement(contents, f"{{{S3_NAMESPACE}}}RestoreStatus")
        ElementTree.SubElement(status, f"{{{S3_NAMESPACE}}}IsRestoreInProgress").text = "true" if ongoing else "false"
        if not ongoing and expiry is not None:
            ElementTree.SubElement(status, f"{{{S3_NAMESPACE}}}RestoreExpiryDate").text = iso_date(expiry)

    # -- notification configuration (a, b, c, d) ---------------------------------------------------------------

    def put_notification(self, request: "Request") -> Answer:
        """PutBucketNotificationConfiguration: the overlap rule (d), then every destination (c), then moto; a
        successful write starts the stale reads (a) and the propagation window (b)."""
        try:
            rules = parse_notification(request.body)
        except ElementTree.ParseError:
            return self.forward(request)  # moto answers MalformedXML
        refusal = self._overlap_refusal(rules, request)
        skip = (request.headers.get("x-amz-skip-destination-validation") or "").lower() == "true"
        if refusal is None and self.validate_destinations and not skip:
            refusal = self._destination_refusal(rules, request)
        if refusal is not None:
            return refusal
        previous = self._upstream(request.bucket, None, None, "GET", "notification")[2]
        answer = self.forward(lowercase_filter_rule_names(request))
        if answer.status == 200:
            now = self.clock()
            with self._lock:
                self._changes[request.bucket].append(now)
                if self._stale:
                    self._previous[request.bucket] = (previous, self._stale["reads"], now + self._stale["seconds"])
        return answer

    def _overlap_refusal(self, rules: list, request: "Request") -> Answer | None:
        """(d) 400 when two configurations overlap (facts sheet, "Overlap rule"; moto has no overlap check)."""
        if not self.check_overlaps:
            return None
        pair = first_overlap(rules)
        if pair is None:
            return None
        request.details["overlap"] = [rule.identifier or rule.arn for rule in pair]
        return error_answer(400, "InvalidArgument", "Configuration is ambiguously defined. Cannot have overlapping "
                            "suffixes in two rules if the prefixes are overlapping for the same event type.",
                            request.path, ArgumentName1="Event", ArgumentValue1=pair[1].events[0])

    def _destination_refusal(self, rules: list, request: "Request") -> Answer | None:
        """(c) S3 tests every destination of the configuration on each write, not only the one added (facts sheet,
        "S3 validates EVERY SNS / SQS / Lambda destination"; moto validates none)."""
        failing = []
        for rule in rules:
            if rule.arn in (arn for arn, _reason in failing):
                continue
            reason = self._destination_problem(rule)
            if reason:
                failing.append((rule.arn, reason))
        if not failing:
            return None
        fields = {}
        for number, (arn, reason) in enumerate(failing, start=1):
            fields[f"ArgumentName{number}"] = arn
            fields[f"ArgumentValue{number}"] = reason
        request.details["failing_destinations"] = [arn for arn, _reason in failing]
        return error_answer(400, "InvalidArgument", "Unable to validate the following destination configurations",
                            request.path, **fields)

    def _destination_problem(self, rule: EventRule) -> str | None:
        parts = rule.arn.split(":")
        if len(parts) < 6:
            return f"The destination {rule.kind} ARN is not valid"
        if parts[3] != self.region:
            return "The notification destination service region is not valid for the bucket location constraint"
        if rule.arn in self.broken_destinations or not self._destination_exists(rule.kind, parts):
            return f"Permissions on the destination {rule.kind} do not allow S3 to publish notifications from this bucket"
        return None

    def _destination_exists(self, kind: str, parts: list) -> bool:
        """Asked of moto's own SNS / SQS / Lambda, as the destination's account."""
        arn, region, account = ":".join(parts), parts[3], parts[4]
        calls = {
            "topic": ("sns", lambda client: client.get_topic_attributes(TopicArn=arn)),
            "queue": ("sqs", lambda client: client.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=account)),
            "function": ("lambda", lambda client: client.get_function(FunctionName=arn)),
        }
        service, call = calls[kind]
        client = account_client(service, self.upstream_endpoint, region, account)
        try:
            call(client)
        except ClientError:
            return False
        return True

    def get_notification(self, request: "Request") -> Answer:
        """(a) A read soon after a write may return the configuration from before it."""
        with self._lock:
            previous = self._previous.get(request.bucket)
            stale = previous is not None and (previous[1] > 0 or self.clock() < previous[2])
            if stale:
                self._previous[request.bucket] = (previous[0], previous[1] - 1, previous[2])
        answer = self.forward(request) if not stale else Answer(200, [("Content-Type", "application/xml")], previous[0])
        request.details["stale"] = stale
        if answer.status == 200:
            answer.body = capitalised_filter_rule_names(answer.body)
        return answer


def account_client(service: str, endpoint: str, region: str, account: str):
    """A boto3 client of moto_server acting as `account` (moto's x-moto-account-id request header)."""
    client = boto3.client(service, region_name=region, endpoint_url=endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing")

    def add_account(request, **_kwargs):
        request.headers["x-moto-account-id"] = account

    client.meta.events.register("before-sign.*.*", add_account)
    return client


def _filter_rule_names(body: bytes, rename) -> tuple:
    """(body with each FilterRule Name renamed, whether any changed)."""
    root = ElementTree.fromstring(body)
    changed = False
    for element in root.iter():
        if local_name(element.tag) == "FilterRule":
            for part in element:
                if local_name(part.tag) == "Name" and rename(part.text or "") != part.text:
                    part.text = rename(part.text or "")
                    changed = True
    return (ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) if changed else body), changed


def lowercase_filter_rule_names(request: "Request") -> "Request":
    """The write as moto can take it: AWS accepts rule names in any case, moto fails with a 500 on `Prefix`
    (facts sheet, moto row "notification Get/Put": "a `Prefix` (capitalised) rule name crashes it"). The body
    changes, so its checksum headers go."""
    body, changed = _filter_rule_names(request.body, str.lower)
    if not changed:
        return request
    headers = CaseInsensitive({name: value for name, value in request.headers.items()
                               if not name.lower().startswith(("content-md5", "x-amz-checksum", "x-amz-sdk-checksum"))})
    return dataclasses.replace(request, body=body, headers=headers)


def capitalised_filter_rule_names(body: bytes) -> bytes:
    """AWS reads the rule names back capitalised, whatever case they were written in (facts sheet, notification
    row: "GetBucketNotificationConfiguration returns rule names capitalised (`Prefix`/`Suffix`)")."""
    try:
        return _filter_rule_names(body, str.capitalize)[0]
    except ElementTree.ParseError:
        return body


def header_value(headers: list | None, name: str) -> str | None:
    for header, value in headers or []:
        if header.lower() == name:
            return value
    return None


def error_code(payload: bytes) -> str | None:
    match = re.search(rb"<Code>([^<]+)</Code>", payload or b"")
    return match.group(1).decode() if match else None


def object_path(bucket: str, key: str) -> str:
    return f"/{bucket}/{urllib.parse.quote(key, safe='/~')}"


def operation_name(method: str, path: str, query: str, headers) -> str:
    """fault_proxy's operation names, with CopyObject told from PutObject by its x-amz-copy-source header."""
    name = fault_proxy_operation(method, path, query)
    if name == "PutObject" and headers.get("x-amz-copy-source"):
        return "CopyObject"
    return name


@dataclasses.dataclass
class Request:
    """One client request, as the layer decides it."""

    method: str
    target: str  # path and query as sent
    bucket: str
    key: str | None
    version_id: str | None
    headers: dict
    body: bytes
    operation: str
    by: str = "client"
    module: str | None = None
    details: dict = dataclasses.field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]


class LayerHandler(ProxyHandler):
    """fault_proxy's handler (HTTP/1.1 keep-alive, whole bodies), answering what AwsBehaviour.answer decides."""

    owner = None  # the AwsBehaviour, set by AwsBehaviour.start

    def handle_one(self):
        parsed = urllib.parse.urlsplit(self.path)
        try:
            body = self.read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        bucket, _slash, raw_key = parsed.path.lstrip("/").partition("/")
        headers = dict(self.headers.items())
        lowered = {name.lower(): value for name, value in headers.items()}
        agent = MODULE_AGENT.search(lowered.get("user-agent", "")) if "Ansible/" in lowered.get("user-agent", "") else None
        request = Request(
            method=self.command, target=parsed.path + (f"?{parsed.query}" if parsed.query else ""), bucket=bucket,
            key=urllib.parse.unquote(raw_key) or None,
            version_id=urllib.parse.parse_qs(parsed.query).get("versionId", [None])[0],
            headers=CaseInsensitive(headers), body=body,
            operation=operation_name(self.command, parsed.path, parsed.query, CaseInsensitive(headers)),
            by=f"module {agent.group(1)}" if agent else "client", module=agent.group(1) if agent else None,
        )
        entry = self.owner.begin(request)
        try:
            answer = self.owner.answer(request)
        except (OSError, http.client.HTTPException):
            answer = error_answer(500, "InternalError", "We encountered an internal error. Please try again.", request.path)
        self.owner.complete(entry, answer, **request.details)
        self.send_answer(answer)

    def send_answer(self, answer: Answer) -> None:
        self.send_response_only(answer.status)
        length = str(len(answer.body))
        for name, value in answer.headers:
            lowered = name.lower()
            if lowered == "content-length" and self.command == "HEAD":
                length = value
            elif lowered not in HOP_BY_HOP and lowered not in ("content-length", "server"):
                self.send_header(name, value)
        if answer.by == "layer":
            self.send_header("x-amz-request-id", uuid.uuid4().hex[:16].upper())
        self.send_header("Content-Length", "0" if self.command == "HEAD" and answer.status >= 300 else length)
        self.end_headers()
        if self.command != "HEAD" and answer.body:
            self.wfile.write(answer.body)


class CaseInsensitive(dict):
    """Request headers, looked up whatever their case (`in`, [] and get), kept as the client sent them."""

    def _find(self, name):
        for header in self.keys():
            if header.lower() == name.lower():
                return header
        return None

    def get(self, name, default=None):
        found = self._find(name)
        return super().get(found) if found is not None else default

    def __contains__(self, name):
        return self._find(name) is not None
