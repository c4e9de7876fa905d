# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading objects' restore state and restoring them: one object, or every object under a prefix, streamed.

The decisions are restore_state's and the request's options are options.RestoreOptions; this file does the work
around them: HEAD or listing, RestoreObject with the Expedited fallback, the bounded thread pool that keeps a
prefix run at the speed limit of the API with flat memory, and the polling that waits for restores to finish.
Results are streamed (generators yield each object's result in the order seen), never called back.
"""

from __future__ import annotations

import datetime
import threading
from concurrent.futures import FIRST_COMPLETED
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait
from typing import Any
from typing import Callable
from typing import Iterable
from typing import Iterator

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.s3async.restore.plugins.module_utils import pacing
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils import s3_api
from ansible_collections.s3async.restore.plugins.module_utils import selection
# The prefix source lives in object_sources; the tasks and the tests know it as object_restore.PrefixListing too.
from ansible_collections.s3async.restore.plugins.module_utils.object_sources import PrefixListing  # noqa: F401 pylint: disable=unused-import
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import s3_uri
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.object_results import KEYS_IN_MESSAGES
from ansible_collections.s3async.restore.plugins.module_utils.object_results import failed_result
from ansible_collections.s3async.restore.plugins.module_utils.object_results import listing_stub
from ansible_collections.s3async.restore.plugins.module_utils.object_results import object_result
from ansible_collections.s3async.restore.plugins.module_utils.object_results import sort_key
from ansible_collections.s3async.restore.plugins.module_utils.options import RestoreOptions
from ansible_collections.s3async.restore.plugins.module_utils.waiting import Wait


class Pacer:
    """A pacing.TokenBucket shared by every thread of a run (option max_requests_per_second): wait() returns when
    the next RestoreObject may be sent. One thread waits for its turn at a time, holding the lock, and the others
    queue on the lock (woken one by one, not all at each turn)."""

    def __init__(self, bucket: pacing.TokenBucket, clock: Any) -> None:
        self.bucket = bucket
        self.clock = clock
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            delay = self.bucket.delay()
            while delay > 0:
                self.clock.sleep(delay)
                delay = self.bucket.delay()
            self.bucket.note_sent()


class RestoreTally:
    """What a run sent, held back (option max_restores), reset and fell back on, and the pace of its
    RestoreObject requests (a Pacer, or none). Thread-safe."""

    def __init__(self, pacer: Pacer | None = None) -> None:
        self.pacer = pacer
        self.sent = 0
        self.held_back = 0
        self.expiry_resets: list = []
        self.fallbacks = 0
        self.tier_unavailable = 0
        self._lock = threading.Lock()

    def take_slot(self, max_restores: int | None) -> bool:
        """Count one more restore request, or (max_restores reached) one more held back: False."""
        with self._lock:
            if max_restores is not None and self.sent >= max_restores:
                self.held_back += 1
                return False
            self.sent += 1
            return True

    def pace(self) -> None:
        """Before each RestoreObject: wait for its turn under max_requests_per_second."""
        if self.pacer is not None:
            self.pacer.wait()

    def note_expiry_reset(self, key: str) -> None:
        with self._lock:
            if len(self.expiry_resets) < KEYS_IN_MESSAGES:
                self.expiry_resets.append(key)

    def note_fallback(self) -> None:
        with self._lock:
            self.fallbacks += 1

    def note_tier_unavailable(self) -> None:
        with self._lock:
            self.tier_unavailable += 1


# -- reading ---------------------------------------------------------------------------------------------------

def utc_now() -> datetime.datetime:
    """Now, to tell a restored copy from one whose expiry-date has passed (the clock of the reads)."""
    return datetime.datetime.now(datetime.timezone.utc)


def read_object(bucket: s3_api.S3Bucket, key: str, version_id: str | None = None, version_kind: str | None = None) -> dict:
    """HEAD the object and classify it. Raises TaskFailure with a message naming what is wrong."""
    return read_object_head(bucket, key, version_id, version_kind)[0]


def read_object_head(bucket: s3_api.S3Bucket, key: str, version_id: str | None = None,
                     version_kind: str | None = None) -> tuple:
    """(the object's result, HeadObject's answer): HEAD with the version ID when one is named. `version_kind` as
    the source knows it; by default, current for a key without version ID (HeadObject reads the current version)."""
    head = bucket.head_object(key, version_id)
    storage_class = head.get("StorageClass") or "STANDARD"
    archive_status = head.get("ArchiveStatus")
    try:
        status, expiry = restore_state.classify(storage_class, archive_status, head.get("Restore"), utc_now())
    except restore_state.RestoreHeaderError as error:
        raise TaskFailure(f"Cannot tell the restore state of {s3_uri(bucket.name, key, version_id)}: {error}") from error
    if version_kind is None and version_id is None:
        version_kind = selection.KIND_CURRENT
    return object_result(key, head.get("VersionId") or version_id, storage_class, archive_status,
                         head.get("ContentLength"), status, expiry, version_kind), head


def object_from_listing(entry: dict, trust_restore_status: bool) -> dict | None:
    """The result dict for a listing entry when the listing is enough to know its state, else None (also for an
    entry of a key list or manifest, which only a HEAD can tell about). ListObjectVersions entries name their
    version (VersionId), ListObjectsV2 entries do not."""
    if entry.get(selection.HEAD_ONLY):
        return None
    decided = restore_state.classify_listing_entry(entry, trust_restore_status, utc_now())
    if decided is None:
        return None
    status, expiry = decided
    return object_result(entry["Key"], entry.get("VersionId"), entry.get("StorageClass") or "STANDARD", None,
                         entry.get("Size"), status, expiry, entry.get(selection.VERSION_KIND, selection.KIND_CURRENT))


# -- restoring -------------------------------------------------------------------------------------------------

# What the per-object message calls the request, by restore_state's reason.
RESTORE_PHRASES = {
    restore_state.REASON_ARCHIVED: "restore",
    restore_state.REASON_EXTEND_EXPIRY: "restore to extend the copy's expiry (was {expiry})",
    restore_state.REASON_UPGRADE_TIER: "restore with a faster tier for the running restore",
}


def tier_for(bucket: s3_api.S3Bucket, obj: dict, options: RestoreOptions) -> str:
    """The tier to request for this object: the run's tier, or tier_fallback where S3 does not offer the run's
    tier for the object's class (no Expedited for Deep Archive, restoring-objects "Archive retrieval options").
    Raises TaskFailure when neither can be used: RestoreObject would refuse it, so nothing is sent."""
    problem = restore_state.tier_problem(obj["storage_class"], obj["archive_status"], options.tier)
    if problem is None:
        return options.tier
    if options.tier_fallback:
        return options.tier_fallback
    raise TaskFailure(f"{s3_uri(bucket.name, obj['key'])}: {problem}", objects=[obj], summary=restore_state.summarize([obj]))


def request_restore(bucket: s3_api.S3Bucket, obj: dict, options: RestoreOptions, tally: RestoreTally) -> dict:
    """Send RestoreObject where options.reason(obj) says so. Returns the object's result after it."""
    reason = options.reason(obj)
    if reason is None:
        return obj
    tier = tier_for(bucket, obj, options)
    if not tally.take_slot(options.max_restores):
        return dict(obj, message=f"{obj['message']}; not requested, max_restores ({options.max_restores}) was reached")
    what = RESTORE_PHRASES[reason].format(expiry=obj["expiry_date"])
    if tier != options.tier:
        tally.note_tier_unavailable()
        what += f" (tier_fallback: {options.tier} is not offered for {obj['storage_class']})"
    if options.check_mode:
        return dict(obj, action=restore_state.ACTION_RESTORE, tier=tier,
                    message=f"a {what} would be requested (tier {tier}{_lifetime(obj, options)})")
    outcome, tier, what = _send_with_fallback(bucket, obj, options, tally, what, tier)
    return _restore_result(bucket, obj, options, tally, reason, outcome, tier, what)


def _lifetime(obj: dict, options: RestoreOptions) -> str:
    return f", {options.days} days" if "Days" in options.request(obj) else ""


def _send_with_fallback(bucket, obj, options, tally, what, tier):
    """RestoreObject at `tier`, then, when S3 has no Expedited capacity and the user chose a slower tier over
    failing (option tier_fallback), at that tier: Expedited capacity is not guaranteed (503, restoring-objects
    "Provisioned capacity"). Returns (outcome, tier sent, phrase)."""
    tally.pace()
    outcome = bucket.restore_object(obj["key"], options.request(obj, tier), obj["version_id"])
    if outcome == s3_api.RESTORE_NO_EXPEDITED_CAPACITY and options.tier_fallback:
        tier = options.tier_fallback
        tally.pace()
        outcome = bucket.restore_object(obj["key"], options.request(obj, tier), obj["version_id"])
        if outcome in (s3_api.RESTORE_STARTED, s3_api.RESTORE_RESET):
            tally.note_fallback()
            what += " (no Expedited capacity, so with the fallback tier)"
    return outcome, tier, what


def _restore_result(bucket, obj, options, tally, reason, outcome, tier, what):
    """The object's result for what RestoreObject came to (s3_api.RESTORE_*)."""
    upgrade = reason == restore_state.REASON_UPGRADE_TIER
    if outcome == s3_api.RESTORE_RUNNING_AFTER_RETRY and not upgrade:
        return dict(obj, action=restore_state.ACTION_RESTORE, tier=tier, status=restore_state.STATUS_IN_PROGRESS, expiry_date=None,
                    message=f"restore requested (tier {tier}); S3 reports it in progress")
    if outcome in (s3_api.RESTORE_RUNNING, s3_api.RESTORE_RUNNING_AFTER_RETRY):
        message = ("a restore is in progress; S3 did not upgrade it (it already runs at this tier or faster)"
                   if upgrade else "a restore is in progress (started by another request)")
        return dict(obj, status=restore_state.STATUS_IN_PROGRESS, expiry_date=None, message=message)
    if outcome == s3_api.RESTORE_ACTIVE_TIER:
        return dict(obj, status=restore_state.STATUS_NOT_ARCHIVED, message="not archived: the object is already in an access tier")
    if outcome == s3_api.RESTORE_NO_EXPEDITED_CAPACITY:
        raise TaskFailure(
            f"S3 has no Expedited retrieval capacity for {s3_uri(bucket.name, obj['key'])} right now "
            "(503 GlacierExpeditedRetrievalNotAvailable): try again later, use tier=Standard, "
            "or set tier_fallback=Standard to fall back on its own."
        )
    sent = dict(obj, action=restore_state.ACTION_RESTORE, tier=tier)
    if outcome == s3_api.RESTORE_RESET:
        return _reset_result(sent, options, tally, reason)
    # A running restore has no expiry yet (an expired copy's past one no longer applies).
    sent.update(status=restore_state.STATUS_IN_PROGRESS, expiry_date=None,
                message=f"{what} requested (tier {tier}{_lifetime(obj, options)})")
    return sent


def _reset_result(sent: dict, options: RestoreOptions, tally: RestoreTally, reason: str) -> dict:
    """200 instead of 202: a restored copy existed and S3 has reset its expiry to now + Days (RestoreObject,
    "Responses"). Asked for by extend_expiry; otherwise it was restored between our read and this request."""
    if reason != restore_state.REASON_EXTEND_EXPIRY:
        tally.note_expiry_reset(sent["key"])
        sent["message"] = f"already restored: S3 reset the copy's expiry to {options.days} days from now"
    else:
        sent["message"] = f"expiry extended: the copy stays readable until {options.days} days from now"
    sent["status"] = restore_state.STATUS_RESTORED
    return sent


# -- streaming a prefix ----------------------------------------------------------------------------------------

def bounded(items: Iterable, work: Callable[[Any], dict], concurrency: int) -> Iterator[dict]:
    """Yield each item's result: an item is (result, None), passed straight through in place, or (None, job),
    whose result is work(job) on a pool of `concurrency` threads, yielded as it completes (not in job order).

    At most 2 x concurrency jobs are in flight, so a listing of any length is held a page at a time.
    """
    in_flight: set = set()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for ready, job in items:
            if ready is not None:
                yield ready
                continue
            if len(in_flight) >= 2 * concurrency:
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
            in_flight.add(pool.submit(work, job))
        for future in in_flight:
            yield future.result()


def guarded(work: Callable, bucket: s3_api.S3Bucket, failed: Callable | None = None) -> Callable:
    """work(obj, entry) -> result, with a failure turned into failed(obj, entry, message) (default: the object's
    failed result) so that one object never stops the rest."""

    def failed_object(obj, entry, message):
        if failed is not None:
            return failed(obj, entry, message)
        return failed_result(obj or listing_stub(entry), message)

    def run(job):
        obj, entry = job
        try:
            return work(obj, entry)
        except TaskFailure as failure:
            return failed_object(obj, entry, failure.msg)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            key = obj["key"] if obj else entry["Key"]
            return failed_object(obj, entry, f"{s3_uri(bucket.name, key)}: {error}")

    return run


def _stream(bucket, listing, concurrency, needs_work, work):
    """Each listed object's result: settled by the listing alone (no thread) unless needs_work(obj) or only a
    HEAD can tell, in which case work(obj or None, entry) runs on the pool. A work that returns None (an object
    the filters count out after its HEAD) yields nothing."""

    def items():
        for entry in listing:
            obj = object_from_listing(entry, listing.with_restore_status)
            if obj is not None and not needs_work(obj):
                yield obj, None
            else:
                yield None, (obj, entry)

    return (obj for obj in bounded(items(), guarded(work, bucket), concurrency) if obj is not None)


def _reader(bucket: s3_api.S3Bucket, listing: Any) -> Callable:
    """read(obj, entry) -> the object's result from the listing (obj), else from a HEAD (with the entry's version
    ID); None when the filters on class, size or date count a HEAD-only object out after its HEAD."""
    note_head = getattr(listing, "note_head", None)

    def read(obj, entry):
        if obj is not None:
            return obj
        obj, head = read_object_head(bucket, entry["Key"], entry.get("VersionId"), entry.get(selection.VERSION_KIND))
        if entry.get(selection.HEAD_ONLY) and note_head is not None and not note_head(obj, head.get("LastModified")):
            return None
        return obj

    return read


def read_selection(bucket: s3_api.S3Bucket, chosen: Any, concurrency: int) -> Iterator[dict]:
    """The state of every object of a selection (object_sources.selection_of): from the listing where it tells,
    from a HEAD otherwise (with the version ID of a listed or named version); each object read once."""
    return _stream(bucket, chosen, concurrency, lambda obj: False, _reader(bucket, chosen))


def restore_selection(bucket: s3_api.S3Bucket, chosen: Any, options: RestoreOptions, tally: RestoreTally,
                      concurrency: int) -> Iterator[dict]:
    """Every object of a selection after a RestoreObject where one is needed (sent with the object's version ID)."""
    read = _reader(bucket, chosen)

    def work(obj, entry):
        obj = read(obj, entry)
        return None if obj is None else request_restore(bucket, obj, options, tally)

    return _stream(bucket, chosen, concurrency, lambda obj: options.reason(obj) is not None, work)


# A prefix run is a selection of the prefix's current versions: read_prefix(bucket, PrefixListing, concurrency) costs
# one listing page per 1,000 keys, plus a HEAD only where the listing cannot tell (Intelligent-Tiering always;
# GLACIER / DEEP_ARCHIVE unless RestoreStatus is trusted); restore_prefix adds a RestoreObject per object that needs one.
read_prefix = read_selection
restore_prefix = restore_selection


# -- waiting ---------------------------------------------------------------------------------------------------

class Watch:
    """What a wait watches: the prefix (None for one key), whether its listing is trusted, how many keys the
    listing held (to price a listing round), and the run's concurrency."""

    def __init__(self, prefix: str | None, trust_listing: bool, listed: int, concurrency: int) -> None:
        self.prefix = prefix
        self.trust_listing = trust_listing
        self.listed = listed
        self.concurrency = concurrency

    def lists(self, pending_count: int) -> bool:
        """Whether a round re-lists the prefix rather than HEAD each pending object: only where the listing tells
        the state (RestoreStatus trusted) and costs less (restore_state.cheaper_to_list)."""
        return self.trust_listing and self.prefix is not None and restore_state.cheaper_to_list(self.listed, pending_count)


def wait_until_readable(bucket: s3_api.S3Bucket, pending: dict, watch: Watch, timeout: int, delay: int, clock: Any,
                        interrupted: Callable[[], bool] = lambda: False) -> tuple:
    """Poll the objects in `pending` ({object_results.object_id: obj}) until each is readable, `timeout` seconds
    have passed or `interrupted()` is true.

    A round costs whichever is cheaper for the objects still pending: one listing page per 1,000 keys under the
    prefix (when the listing's RestoreStatus is trusted; plus a HEAD per pending Intelligent-Tiering object), or one
    HEAD per pending object. An object seen readable is never read again. The delay grows as waiting.Wait says.
    Returns (finished objects, still pending objects, seconds waited).
    """
    waiting = Wait(timeout, delay, clock)
    finished = []
    while pending and not interrupted() and waiting.sleep() and not interrupted():
        finished += settle_round(pending, poll_round(bucket, pending, watch))
    return finished, list(pending.values()), round(waiting.waited(), 1)


def settle_round(pending: dict, readings: Iterable) -> list:
    """Apply one round's readings ((object id, updated result) pairs) to `pending`: the objects that are now
    readable or failed leave it and are returned; the others are updated in place."""
    finished = []
    for pending_id, obj in readings:
        if restore_state.is_readable(obj["status"]) or obj.get("error"):
            finished.append(obj)
            pending.pop(pending_id, None)
        elif pending_id in pending:
            pending[pending_id] = obj
    return finished


def poll_round(bucket: s3_api.S3Bucket, pending: dict, watch: Watch) -> list:
    """One fresh reading of every pending object ({object id: obj}): a list of (object id, updated result) pairs,
    the action and tier of a request sent kept. The id is the pending dict's, whatever version ID the new reading
    names."""
    updated = []
    # In key order, so that a round reads the objects in the same order whatever order their restores finished in.
    to_head = sorted(pending.items(), key=lambda item: sort_key(item[1]))
    if watch.lists(len(pending)):
        updated, to_head = _poll_listing(bucket, pending, watch.prefix)

    # Each job is (the object as it stood, its id), so that a reading or a failure comes back under the same id.
    def head(before, pending_id):
        fresh = read_object(bucket, before["key"], before["version_id"], before.get("version_kind"))
        return pending_id, dict(fresh, **_what_was_sent(before))

    def failed(before, pending_id, message):
        return pending_id, failed_result(before, message)

    jobs = ((None, (before, pending_id)) for pending_id, before in to_head)
    updated += bounded(jobs, guarded(head, bucket, failed), watch.concurrency)
    return updated


def _what_was_sent(before: dict) -> dict:
    """What this run did to an object (its action, and the tier of a request sent), kept across fresh readings."""
    return {name: before[name] for name in ("action", "tier") if name in before}


def _poll_listing(bucket, pending, prefix):
    """((object id, updated result) pairs, (object id, obj) pairs only a HEAD can tell) from one listing of the
    prefix. A listing shows current versions only, so it settles the pending objects that named no version."""
    updated, to_head = [], []
    listed = set()
    for page in bucket.list_object_pages(prefix, with_restore_status=True):
        for entry in page:
            pending_id = (entry["Key"], None)
            before = pending.get(pending_id)
            if before is None:
                continue
            listed.add(pending_id)
            obj = object_from_listing(entry, True)
            if obj is None:
                to_head.append((pending_id, before))
            else:
                updated.append((pending_id, dict(obj, **_what_was_sent(before))))
    # A pending version the listing cannot show (a named version) is read by HEAD.
    to_head += [(pending_id, before) for pending_id, before in sorted(pending.items(), key=lambda item: sort_key(item[1]))
                if pending_id not in listed and pending_id[1] is not None]
    return updated, to_head
