# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""state=restored with wait_events=sqs: wait on the s3:ObjectRestore:Completed events of the objects pending, with a
sweep for the events S3 never sends.

Events are delivered at least once, "typically in seconds but can sometimes take a minute or longer", possibly
twice and out of order, and the restores sent within about five minutes of a notification change may produce none
(S3 User Guide, notification-how-to-event-types-and-destinations and how-to-enable-disable-notification-intro;
facts sheet, "Bucket notification configuration"). So an event only ever moves an object it names from pending to
readable; duplicates and events of other objects change nothing; and a sweep (object_restore.poll_round: HEAD or
the listing, whichever costs less) reads every object still pending at the start, every wait_sweep_interval
seconds and before a timeout is declared, so that a dropped event costs time, never a wrong answer.

On a queue the user gave, messages about objects this wait does not watch are made visible again at once, for the
queue's other consumers, and never deleted; ours are deleted once used. Without a queue, one of our own is created
for the run and subscribed to sns_topic_arn, and both are removed when the wait ends, failed or not.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import uuid
from typing import Any
from typing import Callable

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.warnings import warn

from ansible_collections.s3async.restore.plugins.module_utils import object_restore
from ansible_collections.s3async.restore.plugins.module_utils import restore_events
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.object_results import KEYS_IN_MESSAGES
from ansible_collections.s3async.restore.plugins.module_utils.object_results import describe
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket
from ansible_collections.s3async.restore.plugins.module_utils.sqs_api import EventQueues

# One listening round: a long-polling receive covers up to 20 seconds (sqs_api.LONG_POLL_SECONDS); a receive that
# returns early with nothing new is waited out, so that the request count stays one per round.
ROUND_SECONDS = 20
# A Completed event stamped this long before the wait started is about an earlier restore of the key (its copy
# since expired), not the one waited on: the sweep at the start read the object after it. The margin allows for
# the difference between S3's clock and this host's.
STALE_EVENT_MARGIN = datetime.timedelta(minutes=5)
WINDOW_FIELDS = ("expected_ready_after", "expected_ready_before")


@dataclasses.dataclass(frozen=True)
class EventWaitSettings:
    """The options of one wait: the user's queue (None: a queue of our own on `topic_arn`), wait_timeout and
    wait_sweep_interval in seconds."""

    queue_url: str | None
    topic_arn: str | None
    timeout: float
    sweep_interval: float

    @classmethod
    def from_params(cls, params: dict) -> "EventWaitSettings":
        return cls(params.get("wait_queue_url"), params.get("sns_topic_arn"), params["wait_timeout"],
                   params.get("wait_sweep_interval") or restore_events.DEFAULT_SWEEP_INTERVAL)


def _iso(moment: datetime.datetime | None) -> str | None:
    return restore_state.format_expiry(moment.replace(microsecond=0)) if moment is not None else None


class EventWait:
    """One wait on the restore events of the objects in `pending` ({object_results.object_id: obj}).

    After run(): `by_event` and `by_sweep` count the objects that became readable each way, `expired` maps the ids
    of our objects to the s3:ObjectRestore:Delete event seen for them, and `receives` / `sweeps` count the
    requests made (a sweep's own requests are those of object_restore.poll_round)."""

    def __init__(self, bucket: S3Bucket, queues: EventQueues, watch: object_restore.Watch, settings: EventWaitSettings,
                 clock: Any, interrupted: Callable[[], bool] = lambda: False,
                 utc_now: Callable[[], datetime.datetime] = object_restore.utc_now) -> None:
        self.bucket = bucket
        self.queues = queues
        self.watch = watch
        self.settings = settings
        self.clock = clock
        self.interrupted = interrupted
        self.utc_now = utc_now
        self.finished: list = []
        self.readable: dict = {}
        self.expired: dict = {}
        # The MessageIds of the other consumers' messages released so far (listen).
        self.released: set = set()
        self.by_event = self.by_sweep = self.receives = self.sweeps = 0
        self.started_at = utc_now()

    # -- the queue ------------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def listening(self):
        """The queue URL to receive from: the user's, or a queue of our own subscribed to the topic, removed (with
        its subscription) on the way out, whatever happened."""
        if self.settings.queue_url is not None:
            self._warn_about_redrive(self.settings.queue_url)
            yield self.settings.queue_url
            return
        queue_url = subscription_arn = None
        try:
            queue_url = self.queues.create_queue(restore_events.queue_name(uuid.uuid4().hex[:12]))
            # Known to the cleanup below before the next call: a failing GetQueueAttributes must not leak the queue.
            queue_arn = self.queues.queue_arn(queue_url)
            self.queues.set_policy(queue_url, restore_events.queue_policy(queue_arn, self.settings.topic_arn))
            subscription_arn = self.queues.subscribe(self.settings.topic_arn, queue_arn)
            yield queue_url
        finally:
            self._remove(subscription_arn, self.queues.unsubscribe, "the subscription")
            self._remove(queue_url, self.queues.delete_queue, "the queue")

    @staticmethod
    def _remove(resource: str | None, remove: Callable[[str], None], what: str) -> None:
        """Remove one temporary resource; a failure is warned about (never hiding the wait's own outcome)."""
        if resource is None:
            return
        try:
            remove(resource)
        except TaskFailure as failure:
            warn(f"Could not remove {what} made for this wait ({resource}): {failure.msg} Remove it by hand.")
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            warn(f"Could not remove {what} made for this wait ({resource}): {error}. Remove it by hand.")

    def _warn_about_redrive(self, queue_url: str) -> None:
        """Every receive counts toward a redrive policy's maxReceiveCount (SQS Developer Guide, "Using dead-letter
        queues"): say so, since this wait reads the other consumers' messages too."""
        try:
            redrive = self.queues.attributes(queue_url, ["RedrivePolicy"]).get("RedrivePolicy")
        except TaskFailure:
            return
        if redrive:
            warn(f"The queue {queue_url} has a redrive policy: this wait receives and releases the messages of the "
                 "queue's other consumers too, and each receive counts toward their maxReceiveCount (they may move to "
                 "the dead-letter queue). Use a queue of its own for the wait, or leave wait_queue_url out (with "
                 "sns_topic_arn) to get a temporary one.")

    # -- events ---------------------------------------------------------------------------------------------------

    def _completed(self, obj: dict, event: restore_events.RestoreEvent) -> dict:
        """The object's result once its Completed event arrived: readable, with the copy's expiry the event names
        (GLACIER / DEEP_ARCHIVE; an Intelligent-Tiering object returns to an access tier and has none)."""
        expiry = event.expiry if obj["storage_class"] in restore_state.GLACIER_CLASSES else None
        result = {name: value for name, value in obj.items() if name not in WINDOW_FIELDS}
        result.update(status=restore_state.STATUS_RESTORED, expiry_date=_iso(expiry),
                      readable_at=_iso(event.event_time or self.utc_now()))
        result["message"] = f"{describe(result)} (s3:ObjectRestore:Completed event, at {result['readable_at']})"
        return result

    def _stale(self, event: restore_events.RestoreEvent) -> bool:
        return event.event_time is not None and event.event_time < self.started_at - STALE_EVENT_MARGIN

    def apply(self, events: tuple, pending: dict) -> bool:
        """Apply a message's events to `pending`; True when one of them is about an object of this wait."""
        used = False
        for event in events:
            pending_id = restore_events.pending_id_of(event, self.bucket.name, pending)
            known_id = pending_id or restore_events.pending_id_of(event, self.bucket.name, self.readable)
            if known_id is None:
                continue
            # An event that may be about another version of a key waited on (restore_events.is_hint) may belong to
            # another consumer of the user's queue: it is acted on (a fresh reading) but not taken as ours.
            used = used or not restore_events.is_hint(event, pending.get(known_id) or self.readable[known_id])
            if event.name == restore_events.EVENT_DELETE:
                self.expired[known_id] = event
            elif event.name == restore_events.EVENT_COMPLETED and pending_id is not None and not self._stale(event):
                self._complete(pending_id, event, pending)
        return used

    def _complete(self, pending_id: tuple, event: restore_events.RestoreEvent, pending: dict) -> None:
        """An object's Completed event. One that names a version the reading does not know (a listing without
        VersionId) may be about a noncurrent version restored by someone else: the object is read again instead
        (HEAD of the version waited on) and leaves `pending` only if that reading says it is readable."""
        if restore_events.is_hint(event, pending[pending_id]):
            self._read_again(pending, {pending_id: pending[pending_id]})
            return
        obj = pending.pop(pending_id)
        self.readable[pending_id] = obj
        self.finished.append(self._completed(obj, event))
        self.by_event += 1

    def listen(self, queue_url: str, pending: dict, seconds: float) -> None:
        """One round: receive, apply, delete ours, release the others (on the user's queue) and, when nothing new
        came, wait out the rest of the round."""
        begun = self.clock.monotonic()
        messages = self.queues.receive(queue_url, seconds)
        self.receives += 1
        ours, others = [], []
        own_queue = self.settings.queue_url is None
        for message in messages:
            parsed = restore_events.parse_message(message.get("Body"))
            if parsed.confirmation_token and own_queue:
                self.queues.confirm(self.settings.topic_arn, parsed.confirmation_token)
            used = self.apply(parsed.events, pending)
            # Our own queue holds nothing anybody else reads: whatever it holds is done with once read.
            (ours if used or own_queue else others).append(message["ReceiptHandle"])
        self.queues.delete(queue_url, ours)
        self.queues.release(queue_url, others)
        # A receive that brought messages not seen before goes on at once: sleeping would leave the rest of the queue
        # (ours among it) unread, while the released messages come back and every receive of them raises their
        # ApproximateReceiveCount (SQS Developer Guide, "Using dead-letter queues"). Only a receive of nothing, or of
        # messages released before (the queue read through), waits out the round.
        fresh = [message for message in messages if message.get("MessageId") not in self.released]
        self.released.update(message.get("MessageId") for message in messages if message["ReceiptHandle"] in others)
        rest = seconds - (self.clock.monotonic() - begun)
        if not fresh and rest > 0:
            self.clock.sleep(rest)

    # -- the sweep and the wait -----------------------------------------------------------------------------------

    def sweep(self, pending: dict) -> None:
        """Read every object still pending (HEAD or listing, whichever costs less); the readable ones leave it."""
        self.sweeps += 1
        self._read_again(pending, pending)

    def _read_again(self, pending: dict, to_read: dict) -> None:
        """Read the objects of `to_read` (all or some of `pending`); the readable ones leave `pending`, the others
        keep the new reading (its version ID, from a HEAD, makes their next event match exactly)."""
        seen_at = _iso(self.utc_now())
        before = dict(pending)
        finished = object_restore.settle_round(pending, object_restore.poll_round(self.bucket, dict(to_read), self.watch))
        # Kept, so that a late or repeated event about them is known as ours (deleted, not left on the queue).
        self.readable.update({object_id: obj for object_id, obj in before.items() if object_id not in pending})
        for obj in finished:
            if restore_state.is_readable(obj["status"]) and not obj.get("error"):
                obj = dict(obj, readable_at=seen_at)
                self.by_sweep += 1
            self.finished.append(obj)

    def run(self, pending: dict) -> tuple:
        """Wait until every object in `pending` is readable, the timeout passed or interrupted() is true.
        Returns (finished objects, still pending objects, seconds waited)."""
        started = self.clock.monotonic()
        deadline = started + self.settings.timeout
        with self.listening() as queue_url:
            self.sweep(pending)
            next_sweep = self.clock.monotonic() + self.settings.sweep_interval
            while pending and not self.interrupted():
                now = self.clock.monotonic()
                if now >= deadline:
                    break
                if now >= next_sweep:
                    self.sweep(pending)
                    next_sweep = self.clock.monotonic() + self.settings.sweep_interval
                    continue
                self.listen(queue_url, pending, min(ROUND_SECONDS, next_sweep - now, deadline - now))
            if pending and not self.interrupted():
                # Before a timeout is declared: what the events did not say, the objects may.
                self.sweep(pending)
        finished = [self._with_expiry_note(obj) for obj in self.finished]
        still_pending = [self._with_expiry_note(obj) for obj in pending.values()]
        self._warn_about_expired()
        return finished, still_pending, round(self.clock.monotonic() - started, 1)

    def _with_expiry_note(self, obj: dict) -> dict:
        event = self.expired.get((obj["key"], obj.get("version_id"))) or self.expired.get((obj["key"], None))
        if event is None:
            return obj
        return dict(obj, message=f"{obj['message']}; S3 reported its restored copy expired (s3:ObjectRestore:Delete, at "
                                 f"{_iso(event.event_time) or 'an unknown time'})")

    def _warn_about_expired(self) -> None:
        if not self.expired:
            return
        keys = sorted(key for key, _version in self.expired)[:KEYS_IN_MESSAGES]
        warn(f"S3 sent s3:ObjectRestore:Delete (the restored copy expired) for {len(self.expired)} object(s) while "
             f"waiting: {', '.join(keys)}. Such an object is archived again; run the task again to restore it.")


def wait_on_events(bucket: S3Bucket, queues: EventQueues, pending: dict, watch: object_restore.Watch, params: dict,
                   clock: Any, interrupted: Callable[[], bool]) -> tuple:
    """wait_events=sqs: (finished, still pending, seconds waited, {readable_by_event, readable_by_sweep})."""
    waiting = EventWait(bucket, queues, watch, EventWaitSettings.from_params(params), clock, interrupted)
    finished, still_pending, waited = waiting.run(pending)
    return finished, still_pending, waited, {"readable_by_event": waiting.by_event, "readable_by_sweep": waiting.by_sweep}
