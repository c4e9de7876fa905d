# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading objects' restore state and restoring them: one object, or every object under a prefix.

The decisions are restore_state's; this file does the I/O around them: HEAD or listing, RestoreObject, the
bounded thread pool that keeps a prefix run at the speed limit of the API with flat memory, and the polling
that waits for restores to finish.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import FIRST_COMPLETED
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait
from urllib.parse import urlparse

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.s3async.restore.plugins.module_utils import restore_state as rs
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import ACCESS_DENIED_CODES
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import access_denied_message
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import error_code
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import http_status

# How many keys a failure message and the result's failed_keys / pending_keys name at most.
KEYS_IN_MESSAGES = 100
# Hosts of AWS's own S3 endpoints, whose listings report RestoreStatus.
AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")


class TaskFailure(Exception):
    """A failure to report with a message of our own and whatever result was gathered so far."""

    def __init__(self, msg, **result):
        super().__init__(msg)
        self.msg = msg
        self.result = result


def s3_objects_argument_spec(**module_options):
    """The options of doc fragment s3async.restore.s3_objects plus which objects (key, prefix, version_id),
    shared by the modules that read archived objects, and the module's own options."""
    spec = dict(
        bucket=dict(type="str", required=True),
        key=dict(type="str", no_log=False),
        prefix=dict(type="str"),
        version_id=dict(type="str"),
        expected_bucket_owner=dict(type="str"),
        request_payer=dict(type="bool", default=False),
        status_source=dict(type="str", default="auto", choices=["auto", "listing", "head"]),
        concurrency=dict(type="int", default=16),
    )
    spec.update(module_options)
    return spec


def selection_problems(params, **least_values):
    """Problems with the options of s3_objects_argument_spec() (and `least_values`: option name -> least value
    allowed), as a list of messages that say how to fix them."""
    problems = []
    if not params["bucket"]:
        problems.append("bucket must name a bucket, got an empty string")
    if params["key"] is not None and not params["key"]:
        problems.append("key must name an object, got an empty string (for a whole bucket, use prefix='')")
    if params["version_id"] is not None and params["key"] is None:
        problems.append("version_id needs key: a prefix covers the current version of each object")
    bucket_name = params["bucket"] or ""
    if bucket_name and not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$", bucket_name):
        problems.append(f"bucket {bucket_name[:70]!r} is not a valid bucket name (3 to 63 lowercase letters, digits, dots and "
                        "hyphens; give the name alone, not an s3:// URI or an ARN)")
    for name in ("key", "prefix"):
        value = params.get(name)
        if value:
            try:
                size = len(value.encode("utf-8"))
            except UnicodeEncodeError:
                problems.append(f"{name} contains characters that are not valid UTF-8 (undecodable bytes?)")
                continue
            if size > 1024:
                problems.append(f"{name} is {size} bytes long; S3 keys are at most 1,024 bytes (UTF-8)")
    owner = params.get("expected_bucket_owner")
    if owner is not None and not re.match(r"^[0-9]{12}$", owner):
        problems.append(f"expected_bucket_owner must be an AWS account ID (12 digits), got {owner!r}")
    least_values = dict({"concurrency": 1, "max_results": 0}, **least_values)
    for name, least in least_values.items():
        if params.get(name) is not None and params[name] < least:
            problems.append(f"{name} must be {least} or more, got {params[name]}")
    return problems


def target_of(params):
    """What a run works on, for messages: s3://bucket/key (version ...) or s3://bucket/prefix*."""
    key = params["key"] if params["key"] is not None else params["prefix"] + "*"
    return s3_uri(params["bucket"], key, params["version_id"])


def finish(module, task, target):
    """Run task() for its result dict and end the module with it: exit_json, or fail_json with our own message
    (TaskFailure) or with AWS's error, naming `target` (what was being worked on)."""
    try:
        result = task()
    except TaskFailure as failure:
        module.fail_json(msg=failure.msg, **failure.result)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg=f"S3 call failed for {target}")
    module.exit_json(**result)


def s3_uri(bucket_name, key, version_id=None):
    uri = f"s3://{bucket_name}/{key}"
    return f"{uri} (version {version_id})" if version_id else uri


def describe(obj):
    """The per-object message for a state read from S3."""
    status = obj["status"]
    if status == rs.STATUS_NOT_ARCHIVED:
        return f"not archived ({obj['storage_class']}): readable without a restore"
    if status == rs.STATUS_ARCHIVED:
        return "archived: a restore is needed before it can be read"
    if status == rs.STATUS_IN_PROGRESS:
        return "a restore is in progress"
    if obj["expiry_date"]:
        return f"restored: the copy is readable until {obj['expiry_date']}"
    return "restored: readable"


def object_result(key, version_id, storage_class, archive_status, size, status, expiry):
    obj = {
        "key": key,
        "version_id": version_id,
        "storage_class": storage_class,
        "archive_status": archive_status,
        "size": size,
        "status": status,
        "expiry_date": rs.format_expiry(expiry),
        "action": rs.ACTION_NONE,
    }
    obj["message"] = describe(obj)
    return obj


def listing_trusted(status_source, client):
    """Whether a listing's RestoreStatus (or its absence) can be believed: option status_source.

    ``auto`` trusts it on AWS's own endpoints only. Elsewhere (S3-compatible stores, emulators) a missing
    RestoreStatus may mean "not reported" rather than "never restored", and believing it would re-send a restore
    to a restored object, resetting (and possibly shortening) its expiry.
    """
    if status_source != "auto":
        return status_source == "listing"
    host = urlparse(client.meta.endpoint_url).hostname or ""
    return host.endswith(AWS_HOST_SUFFIXES)


def read_object(bucket, key, version_id=None):
    """HEAD the object and classify it. Raises TaskFailure with a message naming what is wrong."""
    try:
        head = bucket.head_object(key, version_id)
    except botocore.exceptions.ClientError as error:
        code = error_code(error)
        if code in ("404", "NoSuchKey", "NoSuchBucket", "NoSuchVersion"):
            if not bucket.bucket_exists():
                raise TaskFailure(f"Bucket {bucket.name!r} does not exist (or is not visible to these credentials).") from error
            what = f"Version {version_id!r} of key {key!r}" if version_id else f"Key {key!r}"
            hint = f" A key ending in '/' names a folder: to restore the objects in it, use prefix={key!r}." if key.endswith("/") else ""
            raise TaskFailure(f"{what} not found in bucket {bucket.name!r}.{hint}") from error
        if code in ("301", "PermanentRedirect"):
            region = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("x-amz-bucket-region")
            raise TaskFailure(f"Bucket {bucket.name!r} is in region {region or 'another region'}, not the one this task "
                              f"uses: set region{'=' + region if region else ''}.") from error
        if code in ACCESS_DENIED_CODES:
            operation = "HeadObjectVersion" if version_id else "HeadObject"
            raise TaskFailure(access_denied_message(operation, s3_uri(bucket.name, key), bucket.expected_owner)) from error
        if code == "400" and version_id:
            raise TaskFailure(f"S3 rejected version_id {version_id!r} for {s3_uri(bucket.name, key)}: is it a valid version ID?") from error
        if code == "400":
            raise TaskFailure(f"S3 answered 400 Bad Request to HeadObject on {s3_uri(bucket.name, key)}, with no reason (HEAD "
                              "answers carry none): most often expired or invalid credentials (session token).") from error
        raise
    storage_class = head.get("StorageClass") or "STANDARD"
    archive_status = head.get("ArchiveStatus")
    try:
        status, expiry = rs.classify(storage_class, archive_status, head.get("Restore"))
    except rs.RestoreHeaderError as error:
        raise TaskFailure(f"Cannot tell the restore state of {s3_uri(bucket.name, key, version_id)}: {error}") from error
    return object_result(key, head.get("VersionId") or version_id, storage_class, archive_status,
                         head.get("ContentLength"), status, expiry)


def object_from_listing(entry, trust_restore_status):
    """The result dict for a listing entry when the listing is enough to know its state, else None."""
    decided = rs.classify_listing_entry(entry, trust_restore_status)
    if decided is None:
        return None
    status, expiry = decided
    return object_result(entry["Key"], None, entry.get("StorageClass") or "STANDARD", None, entry.get("Size"), status, expiry)


class RestoreOrder:
    """What to send, and when, for this run; counts what was sent (option max_restores). Thread-safe.

    ``extend_before``: with option extend_expiry, now + days; restored copies expiring earlier are re-requested.
    ``upgrade_to``: with option upgrade_tier, the tier to ask of restores already running.
    ``tier_fallback``: the tier to use when S3 has no Expedited capacity (option tier_fallback).
    """

    def __init__(self, tier, days, check_mode=False, max_restores=None, extend_before=None, upgrade_to=None,
                 tier_fallback=None):
        self.tier = tier
        self.days = days
        self.check_mode = check_mode
        self.max_restores = max_restores
        self.extend_before = extend_before
        self.upgrade_to = upgrade_to
        self.tier_fallback = tier_fallback
        self.sent = 0
        self.held_back = 0
        self.expiry_resets = []
        self.fallbacks = 0
        self._lock = threading.Lock()

    def reason(self, obj):
        return rs.restore_reason(obj["status"], rs.parse_expiry(obj["expiry_date"]), self.extend_before, self.upgrade_to)

    def take_slot(self):
        with self._lock:
            if self.max_restores is not None and self.sent >= self.max_restores:
                self.held_back += 1
                return False
            self.sent += 1
            return True

    def note_expiry_reset(self, obj):
        with self._lock:
            if len(self.expiry_resets) < KEYS_IN_MESSAGES:
                self.expiry_resets.append(obj["key"])

    def note_fallback(self):
        with self._lock:
            self.fallbacks += 1


def refuse_unavailable_tier(bucket, obj, order):
    """Raise TaskFailure when order.tier cannot be used for this object's class (no Expedited for Deep Archive):
    RestoreObject would refuse it, so nothing is sent."""
    problem = rs.tier_problem(obj["storage_class"], obj["archive_status"], order.tier)
    if problem:
        raise TaskFailure(f"{s3_uri(bucket.name, obj['key'])}: {problem}", objects=[obj], summary=rs.summarize([obj]))


def ensure_restore_requested(bucket, obj, order):
    """Send RestoreObject where order.reason(obj) says so. Returns (changed, obj) with the object's new state."""
    reason = order.reason(obj)
    if reason is None:
        return False, obj
    refuse_unavailable_tier(bucket, obj, order)
    if not order.take_slot():
        return False, dict(obj, message=f"{obj['message']}; not requested, max_restores ({order.max_restores}) was reached")
    tier = order.tier
    request = rs.restore_request(obj["storage_class"], obj["archive_status"], tier, order.days)
    lifetime = f", {order.days} days" if "Days" in request else ""
    what = {
        rs.REASON_ARCHIVED: "restore",
        rs.REASON_EXTEND_EXPIRY: f"restore to extend the copy's expiry (was {obj['expiry_date']})",
        rs.REASON_UPGRADE_TIER: "restore with a faster tier for the running restore",
    }[reason]
    if order.check_mode:
        return True, dict(obj, action=rs.ACTION_RESTORE, tier=tier, message=f"a {what} would be requested (tier {tier}{lifetime})")
    try:
        try:
            response = bucket.restore_object(obj["key"], request, obj["version_id"])
        except botocore.exceptions.ClientError as error:
            if error_code(error) != "GlacierExpeditedRetrievalNotAvailable" or not order.tier_fallback:
                raise
            # Expedited capacity is not guaranteed (503, restoring-objects "Provisioned capacity"): the user chose
            # a slower tier over failing.
            tier = order.tier_fallback
            request = rs.restore_request(obj["storage_class"], obj["archive_status"], tier, order.days)
            response = bucket.restore_object(obj["key"], request, obj["version_id"])
            order.note_fallback()
            what += " (no Expedited capacity, so with the fallback tier)"
    except botocore.exceptions.ClientError as error:
        code = error_code(error)
        # Races with another restorer are outcomes, not errors (RestoreObject, "Errors"): the object is already
        # being restored (or, asked for a tier upgrade, already at that speed), or (Intelligent-Tiering) already
        # back in an access tier.
        if code == "RestoreAlreadyInProgress" and reason != rs.REASON_UPGRADE_TIER and \
                error.response.get("ResponseMetadata", {}).get("RetryAttempts"):
            # botocore retried this request: an earlier attempt of ours reached S3 and started the restore, and its
            # answer was lost (a 5xx or a dropped connection after S3 acted).
            return True, dict(obj, action=rs.ACTION_RESTORE, tier=order.tier, status=rs.STATUS_IN_PROGRESS,
                              message=f"restore requested (tier {order.tier}); S3 reports it in progress")
        if code == "RestoreAlreadyInProgress":
            message = ("a restore is in progress; S3 did not upgrade it (it already runs at this tier or faster)"
                       if reason == rs.REASON_UPGRADE_TIER else "a restore is in progress (started by another request)")
            return False, dict(obj, status=rs.STATUS_IN_PROGRESS, message=message)
        if code == "ObjectAlreadyInActiveTierError":
            return False, dict(obj, status=rs.STATUS_NOT_ARCHIVED, message="not archived: the object is already in an access tier")
        if code in ACCESS_DENIED_CODES:
            raise TaskFailure(access_denied_message("RestoreObject", s3_uri(bucket.name, obj["key"]), bucket.expected_owner)) from error
        if code == "GlacierExpeditedRetrievalNotAvailable":
            raise TaskFailure(
                f"S3 has no Expedited retrieval capacity for {s3_uri(bucket.name, obj['key'])} right now "
                "(503 GlacierExpeditedRetrievalNotAvailable): try again later, use tier=Standard, "
                "or set tier_fallback=Standard to fall back on its own."
            ) from error
        raise
    obj = dict(obj, action=rs.ACTION_RESTORE, tier=tier)
    if http_status(response) == 200:
        # 200 instead of 202: a restored copy existed and S3 has reset its expiry to now + Days (RestoreObject,
        # "Responses"). Asked for by extend_expiry; otherwise it was restored between our read and this request.
        if reason != rs.REASON_EXTEND_EXPIRY:
            order.note_expiry_reset(obj)
            obj["message"] = f"already restored: S3 reset the copy's expiry to {order.days} days from now"
        else:
            obj["message"] = f"expiry extended: the copy stays readable until {order.days} days from now"
        obj["status"] = rs.STATUS_RESTORED
        return True, obj
    obj.update(status=rs.STATUS_IN_PROGRESS, message=f"{what} requested (tier {tier}{lifetime})")
    return True, obj


def failed_result(obj, message):
    """The object's result with the error; its action stays: a restore sent before a later failure was sent."""
    return dict(obj, error=message, message=f"failed: {message}")


class Collector:
    """Summary counts over every object, and a bounded list of per-object results (option max_results).

    Failures come first, then objects a restore was requested for, then the rest, each in the order seen: at
    100,000 objects the list a user reads is the one that needs attention, and memory stays bounded.
    """

    def __init__(self, max_results):
        self.max_results = max_results
        self.summary = rs.new_summary()
        self._failed, self._changed, self._others = [], [], []
        self.failed_keys = []
        self.changed = False

    def add(self, obj):
        rs.count(self.summary, obj)
        if obj.get("action") == rs.ACTION_RESTORE:
            self.changed = True
        if obj.get("error"):
            bucket, keys = self._failed, self.failed_keys
            if len(keys) < KEYS_IN_MESSAGES:
                keys.append(obj["key"])
        elif obj.get("action") == rs.ACTION_RESTORE:
            bucket = self._changed
        else:
            bucket = self._others
        if not self.max_results or len(bucket) < self.max_results:
            bucket.append(obj)

    def objects(self):
        kept = self._failed + self._changed + self._others
        return kept[: self.max_results] if self.max_results else kept

    @property
    def truncated(self):
        return bool(self.max_results) and self.summary["total"] > self.max_results


def run_bounded(items, work, concurrency, collect):
    """Call work(item) for every item on a pool of `concurrency` threads and collect(result) in this thread.

    At most 2 x concurrency items are in flight, so a listing of any length is held a page at a time.
    """
    in_flight = set()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for item in items:
            if len(in_flight) >= 2 * concurrency:
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    collect(future.result())
            in_flight.add(pool.submit(work, item))
        for future in in_flight:
            collect(future.result())


def guarded(work, bucket):
    """work(item) -> obj, with a failure turned into a failed result so that one object never stops the rest."""

    def run(item):
        obj, entry = item
        try:
            return work(obj, entry)
        except TaskFailure as failure:
            return failed_result(obj or listing_stub(entry), failure.msg)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            key = obj["key"] if obj else entry["Key"]
            return failed_result(obj or listing_stub(entry), f"{s3_uri(bucket.name, key)}: {error}")

    return run


def listing_stub(entry):
    """A result dict for a listing entry whose HEAD failed: what the listing said, status unknown = archived."""
    return object_result(entry["Key"], None, entry.get("StorageClass") or "STANDARD", None, entry.get("Size"),
                         rs.STATUS_ARCHIVED, None)


def process_prefix(bucket, prefix, order, trust_listing, concurrency, on_result, listing_limit=None):
    """Classify and (with an order) restore every object under `prefix`; on_result(obj) for each, in this thread.

    Requests: one listing page per 1,000 keys; a HEAD only where the listing cannot tell (Intelligent-Tiering
    always; GLACIER / DEEP_ARCHIVE unless the listing's RestoreStatus is trusted); one RestoreObject per object
    that needs one. Objects the listing settles are handled here without a thread. ``order`` None only reads.
    Returns False when the listing went past ``listing_limit`` keys and was stopped there, else True.
    """
    listed = [0]

    def work(obj, entry):
        if obj is None:
            obj = read_object(bucket, entry["Key"])
        return obj if order is None else ensure_restore_requested(bucket, obj, order)[1]

    def pages():
        try:
            yield from bucket.list_object_pages(prefix, with_restore_status=trust_listing)
        except botocore.exceptions.ClientError as error:
            if error_code(error) in ACCESS_DENIED_CODES:
                raise TaskFailure(access_denied_message("ListObjectsV2", f"bucket {bucket.name}", bucket.expected_owner)) from error
            raise

    def items():
        for page in pages():
            listed[0] += len(page)
            if listing_limit is not None and listed[0] > listing_limit:
                return
            for entry in page:
                obj = object_from_listing(entry, trust_listing)
                if obj is not None and (order is None or order.reason(obj) is None):
                    on_result(obj)
                else:
                    yield obj, entry

    run_bounded(items(), guarded(work, bucket), concurrency, on_result)
    return listing_limit is None or listed[0] <= listing_limit


def wait_until_readable(bucket, pending, prefix, trust_listing, concurrency, timeout, delay, clock=time):
    """Poll the objects in `pending` ({key: obj}) until each is readable or `timeout` seconds have passed.

    A round costs one listing page per 1,000 keys under the prefix when the listing's RestoreStatus is trusted
    (plus a HEAD per pending Intelligent-Tiering object), else one HEAD per object still pending; an object seen
    readable is never read again. The delay starts at `delay` and doubles up to 15 minutes.
    Returns (finished objects, still pending objects, seconds waited).
    """
    started = clock.monotonic()
    deadline = started + timeout
    first_delay = delay = max(1, delay)
    finished = []
    while pending:
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            break
        clock.sleep(min(delay, remaining))
        delay = rs.next_wait_delay(delay, first_delay)
        for obj in poll_round(bucket, pending, prefix, trust_listing, concurrency):
            if rs.is_readable(obj["status"]) or obj.get("error"):
                finished.append(obj)
                del pending[obj["key"]]
            else:
                pending[obj["key"]] = obj
    return finished, list(pending.values()), round(clock.monotonic() - started, 1)


def poll_round(bucket, pending, prefix, trust_listing, concurrency):
    """One fresh reading of every pending object: the list of updated result dicts (action kept)."""
    updated = []
    to_head = []
    if trust_listing and prefix is not None:
        for page in bucket.list_object_pages(prefix, with_restore_status=True):
            for entry in page:
                before = pending.get(entry["Key"])
                if before is None:
                    continue
                obj = object_from_listing(entry, True)
                if obj is None:
                    to_head.append(before)
                else:
                    updated.append(dict(obj, action=before["action"]))
    else:
        to_head = list(pending.values())

    def head(before, _entry):
        return dict(read_object(bucket, before["key"], before["version_id"]), action=before["action"])

    run_bounded(((obj, None) for obj in to_head), guarded(head, bucket), concurrency, updated.append)
    return updated
