# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""object_restore: the thread-safe RestoreTally, reading one object (HEAD) or a listing entry, request_restore's
result for every RestoreObject outcome on a Stubber (check mode, max_restores, the Expedited fallback, the tier
refusal), the bounded pool, the prefix listing's stop, and waiting on a fake clock."""

from __future__ import annotations

import datetime
import sys
import threading
import time

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import restore_state as rs
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.object_restore import PrefixListing
from ansible_collections.s3async.restore.plugins.module_utils.object_restore import RestoreTally
from ansible_collections.s3async.restore.plugins.module_utils.object_restore import bounded
from ansible_collections.s3async.restore.plugins.module_utils.object_restore import object_from_listing
from ansible_collections.s3async.restore.plugins.module_utils.object_restore import read_object
from ansible_collections.s3async.restore.plugins.module_utils.object_restore import request_restore
from ansible_collections.s3async.restore.plugins.module_utils.object_restore import Watch
from ansible_collections.s3async.restore.plugins.module_utils.object_restore import wait_until_readable
from ansible_collections.s3async.restore.plugins.module_utils.object_results import object_id
from ansible_collections.s3async.restore.plugins.module_utils.object_results import KEYS_IN_MESSAGES
from ansible_collections.s3async.restore.plugins.module_utils.object_results import object_result
from ansible_collections.s3async.restore.plugins.module_utils.options import RestoreOptions

BUCKET = "archive-bucket"
KEY = "db/dump"
ONGOING = 'ongoing-request="true"'
DONE = 'ongoing-request="false", expiry-date="Wed, 02 Dec 2099 00:00:00 GMT"'
EXPIRY = datetime.datetime(2099, 12, 2, tzinfo=datetime.timezone.utc)
NOW = datetime.datetime(2026, 11, 30, tzinfo=datetime.timezone.utc)

# Keys a prefix listing held: few, so that one listing round costs less than a HEAD per pending object
# (restore_state.cheaper_to_list).
LISTED = 10


def head(storage_class=None, archive_status=None, restore=None, version_id=None, size=42):
    response = {"ContentLength": size}
    for name, value in (("StorageClass", storage_class), ("ArchiveStatus", archive_status),
                        ("Restore", restore), ("VersionId", version_id)):
        if value is not None:
            response[name] = value
    return response


def expect_restore(stubber, tier="Standard", days=7, status=202, key=KEY):
    request = {"GlacierJobParameters": {"Tier": tier}}
    if days is not None:
        request["Days"] = days
    stubber.add_response("restore_object", {"ResponseMetadata": {"HTTPStatusCode": status}},
                         {"Bucket": BUCKET, "Key": key, "RestoreRequest": request})


def expect_restore_error(stubber, code, status, retry_attempts=None):
    meta = {"RetryAttempts": retry_attempts} if retry_attempts is not None else None
    stubber.add_client_error("restore_object", code, code, status, response_meta=meta)


def archived(storage_class="GLACIER", archive_status=None, key=KEY, status=rs.STATUS_ARCHIVED, expiry=None):
    return object_result(key, None, storage_class, archive_status, 42, status, expiry, "current")


# -- RestoreTally ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "max_restores, attempts, taken, sent, held_back",
    [
        (None, 5, [True] * 5, 5, 0),
        (2, 4, [True, True, False, False], 2, 2),
        (0, 2, [False, False], 0, 2),
        (3, 3, [True, True, True], 3, 0),
    ],
    ids=["no-cap", "cap-2", "cap-0", "cap-reached-exactly"],
)
def test_take_slot(max_restores, attempts, taken, sent, held_back):
    tally = RestoreTally()
    assert [tally.take_slot(max_restores) for _attempt in range(attempts)] == taken
    assert (tally.sent, tally.held_back) == (sent, held_back)


def test_expiry_resets_are_capped_in_order():
    tally = RestoreTally()
    for index in range(KEYS_IN_MESSAGES + 30):
        tally.note_expiry_reset(f"k{index}")
    assert tally.expiry_resets == [f"k{index}" for index in range(KEYS_IN_MESSAGES)]


def test_tally_counts_exactly_across_threads():
    tally = RestoreTally()
    start = threading.Barrier(8)

    def worker():
        start.wait()
        for index in range(500):
            tally.take_slot(1000)
            tally.note_fallback()
            tally.note_expiry_reset(str(index))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=worker) for _thread in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert (tally.sent, tally.held_back, tally.fallbacks) == (1000, 3000, 4000)
    assert len(tally.expiry_resets) == KEYS_IN_MESSAGES


# -- reading ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "response, version_id, expected",
    [
        (head(), None, ("STANDARD", None, rs.STATUS_NOT_ARCHIVED, None, None)),
        (head("GLACIER"), None, ("GLACIER", None, rs.STATUS_ARCHIVED, None, None)),
        (head("DEEP_ARCHIVE", restore=ONGOING), None, ("DEEP_ARCHIVE", None, rs.STATUS_IN_PROGRESS, None, None)),
        (head("GLACIER", restore=DONE), None, ("GLACIER", None, rs.STATUS_RESTORED, "2099-12-02T00:00:00Z", None)),
        (head("INTELLIGENT_TIERING", "ARCHIVE_ACCESS"), None,
         ("INTELLIGENT_TIERING", "ARCHIVE_ACCESS", rs.STATUS_ARCHIVED, None, None)),
        (head("INTELLIGENT_TIERING"), None, ("INTELLIGENT_TIERING", None, rs.STATUS_NOT_ARCHIVED, None, None)),
        # The version HEAD reports, else the one asked for.
        (head("GLACIER", version_id="v9"), None, ("GLACIER", None, rs.STATUS_ARCHIVED, None, "v9")),
        (head("GLACIER"), "v1", ("GLACIER", None, rs.STATUS_ARCHIVED, None, "v1")),
    ],
    ids=["standard", "glacier", "in-progress", "restored", "int-archive", "int-frequent", "version-from-head",
         "version-asked"],
)
def test_read_object(stubber, bucket, response, version_id, expected):
    params = {"Bucket": BUCKET, "Key": KEY}
    if version_id:
        params["VersionId"] = version_id
    stubber.add_response("head_object", response, params)
    obj = read_object(bucket, KEY, version_id)
    storage_class, archive_status, status, expiry_date, reported_version = expected
    # A HEAD of the current version (no version_id) reads the current version; a named version's kind is unknown.
    assert obj == object_result(KEY, reported_version, storage_class, archive_status, 42, status,
                                EXPIRY if expiry_date else None, None if version_id else "current")
    assert obj["expiry_date"] == expiry_date


@pytest.mark.parametrize(
    "version_id, where",
    [(None, f"s3://{BUCKET}/{KEY}"), ("v1", f"s3://{BUCKET}/{KEY} (version v1)")],
    ids=["current", "version"],
)
def test_read_object_refuses_an_unknown_restore_header(stubber, bucket, version_id, where):
    stubber.add_response("head_object", head("GLACIER", restore="in-flight"))
    with pytest.raises(TaskFailure) as raised:
        read_object(bucket, KEY, version_id)
    assert raised.value.msg == f"Cannot tell the restore state of {where}: unrecognised x-amz-restore header: 'in-flight'"
    assert isinstance(raised.value.__cause__, rs.RestoreHeaderError)


@pytest.mark.parametrize(
    "entry, trusted, expected",
    [
        ({"Key": "a", "StorageClass": "STANDARD", "Size": 3}, False, ("STANDARD", rs.STATUS_NOT_ARCHIVED, None)),
        ({"Key": "a", "Size": 3}, False, ("STANDARD", rs.STATUS_NOT_ARCHIVED, None)),
        ({"Key": "a", "StorageClass": "GLACIER_IR", "Size": 3}, False, ("GLACIER_IR", rs.STATUS_NOT_ARCHIVED, None)),
        ({"Key": "a", "StorageClass": "INTELLIGENT_TIERING", "Size": 3}, True, None),  # no ArchiveStatus in listings
        ({"Key": "a", "StorageClass": "GLACIER", "Size": 3}, False, None),  # RestoreStatus not trusted
        ({"Key": "a", "StorageClass": "GLACIER", "Size": 3}, True, ("GLACIER", rs.STATUS_ARCHIVED, None)),
        ({"Key": "a", "StorageClass": "DEEP_ARCHIVE", "Size": 3, "RestoreStatus": {"IsRestoreInProgress": True}}, True,
         ("DEEP_ARCHIVE", rs.STATUS_IN_PROGRESS, None)),
        ({"Key": "a", "StorageClass": "GLACIER", "Size": 3,
          "RestoreStatus": {"IsRestoreInProgress": False, "RestoreExpiryDate": EXPIRY}}, True,
         ("GLACIER", rs.STATUS_RESTORED, "2099-12-02T00:00:00Z")),
    ],
    ids=["standard", "no-class", "instant-retrieval", "intelligent-tiering", "glacier-untrusted", "glacier-archived",
         "in-progress", "restored"],
)
def test_object_from_listing(entry, trusted, expected):
    obj = object_from_listing(entry, trusted)
    if expected is None:
        assert obj is None
        return
    storage_class, status, expiry_date = expected
    assert obj["key"] == "a" and obj["version_id"] is None and obj["archive_status"] is None and obj["size"] == 3
    assert (obj["storage_class"], obj["status"], obj["expiry_date"]) == (storage_class, status, expiry_date)
    assert obj["action"] == rs.ACTION_NONE


# -- request_restore -------------------------------------------------------------------------------------------

EXTEND = RestoreOptions("Standard", 7, extend_before=NOW + datetime.timedelta(days=7))
UPGRADE = RestoreOptions("Expedited", 7, upgrade_to="Expedited")
RESTORED_SOON = archived(status=rs.STATUS_RESTORED, expiry=NOW + datetime.timedelta(days=2))
RUNNING = archived(status=rs.STATUS_IN_PROGRESS)


@pytest.mark.parametrize(
    "obj, options, answer, expected",
    [
        (archived(), RestoreOptions("Standard", 7), {"status": 202},
         (rs.STATUS_IN_PROGRESS, rs.ACTION_RESTORE, "Standard", "restore requested (tier Standard, 7 days)")),
        (archived("INTELLIGENT_TIERING", "ARCHIVE_ACCESS"), RestoreOptions("Bulk", 7), {"status": 202, "days": None},
         (rs.STATUS_IN_PROGRESS, rs.ACTION_RESTORE, "Bulk", "restore requested (tier Bulk)")),
        (archived(), RestoreOptions("Standard", 3), {"status": 200, "days": 3},
         (rs.STATUS_RESTORED, rs.ACTION_RESTORE, "Standard", "already restored: S3 reset the copy's expiry to 3 days from now")),
        (RESTORED_SOON, EXTEND, {"status": 202},
         (rs.STATUS_IN_PROGRESS, rs.ACTION_RESTORE, "Standard",
          "restore to extend the copy's expiry (was 2026-12-02T00:00:00Z) requested (tier Standard, 7 days)")),
        (RESTORED_SOON, EXTEND, {"status": 200},
         (rs.STATUS_RESTORED, rs.ACTION_RESTORE, "Standard", "expiry extended: the copy stays readable until 7 days from now")),
        (RUNNING, UPGRADE, {"status": 202, "tier": "Expedited"},
         (rs.STATUS_IN_PROGRESS, rs.ACTION_RESTORE, "Expedited",
          "restore with a faster tier for the running restore requested (tier Expedited, 7 days)")),
        (archived(), RestoreOptions("Standard", 7), ("RestoreAlreadyInProgress", 409, None),
         (rs.STATUS_IN_PROGRESS, rs.ACTION_NONE, None, "a restore is in progress (started by another request)")),
        # 409 after a retry: our own earlier attempt started it.
        (archived(), RestoreOptions("Standard", 7), ("RestoreAlreadyInProgress", 409, 1),
         (rs.STATUS_IN_PROGRESS, rs.ACTION_RESTORE, "Standard", "restore requested (tier Standard); S3 reports it in progress")),
        (RUNNING, UPGRADE, ("RestoreAlreadyInProgress", 409, None),
         (rs.STATUS_IN_PROGRESS, rs.ACTION_NONE, None,
          "a restore is in progress; S3 did not upgrade it (it already runs at this tier or faster)")),
        (RUNNING, UPGRADE, ("RestoreAlreadyInProgress", 409, 1),
         (rs.STATUS_IN_PROGRESS, rs.ACTION_NONE, None,
          "a restore is in progress; S3 did not upgrade it (it already runs at this tier or faster)")),
        (archived("INTELLIGENT_TIERING", "ARCHIVE_ACCESS"), RestoreOptions("Standard", 7),
         ("ObjectAlreadyInActiveTierError", 403, None),
         (rs.STATUS_NOT_ARCHIVED, rs.ACTION_NONE, None, "not archived: the object is already in an access tier")),
    ],
    ids=["202", "202-intelligent-tiering", "200-reset", "extend-202", "extend-200", "upgrade-202", "409",
         "409-after-retry", "upgrade-409", "upgrade-409-after-retry", "active-tier"],
)
def test_request_restore_outcome(stubber, bucket, obj, options, answer, expected):
    if isinstance(answer, dict):
        expect_restore(stubber, answer.get("tier", options.tier), answer.get("days", options.days), answer["status"])
    else:
        expect_restore_error(stubber, *answer)
    tally = RestoreTally()
    result = request_restore(bucket, obj, options, tally)
    status, action, tier, message = expected
    assert (result["status"], result["action"], result.get("tier"), result["message"]) == (status, action, tier, message)
    assert tally.sent == 1
    # The fields read from S3 stay as they were, but a running restore has no expiry yet.
    assert {name: result[name] for name in ("key", "storage_class", "size")} == \
        {name: obj[name] for name in ("key", "storage_class", "size")}
    assert result["expiry_date"] == (None if status == rs.STATUS_IN_PROGRESS else obj["expiry_date"])


def test_an_unasked_reset_is_noted_for_the_warning(stubber, bucket):
    expect_restore(stubber, status=200)
    tally = RestoreTally()
    request_restore(bucket, archived(), RestoreOptions("Standard", 7), tally)
    assert tally.expiry_resets == [KEY]


def test_an_asked_for_extension_is_not_noted_as_a_reset(stubber, bucket):
    expect_restore(stubber, status=200)
    tally = RestoreTally()
    request_restore(bucket, RESTORED_SOON, EXTEND, tally)
    assert tally.expiry_resets == []


@pytest.mark.parametrize(
    "obj, options",
    [
        (archived(status=rs.STATUS_IN_PROGRESS), RestoreOptions("Standard", 7)),
        (archived(status=rs.STATUS_RESTORED, expiry=EXPIRY), RestoreOptions("Standard", 7)),
        (archived("STANDARD", status=rs.STATUS_NOT_ARCHIVED), RestoreOptions("Standard", 7)),
    ],
    ids=["in-progress", "restored", "not-archived"],
)
def test_nothing_is_sent_without_a_reason(bucket, obj, options):
    tally = RestoreTally()
    assert request_restore(bucket, obj, options, tally) is obj
    assert tally.sent == 0


@pytest.mark.parametrize(
    "obj, message",
    [
        (archived(), "a restore would be requested (tier Standard, 7 days)"),
        (archived("INTELLIGENT_TIERING", "ARCHIVE_ACCESS"), "a restore would be requested (tier Standard)"),
    ],
    ids=["glacier", "intelligent-tiering"],
)
def test_check_mode_sends_nothing(bucket, obj, message):
    tally = RestoreTally()
    result = request_restore(bucket, obj, RestoreOptions("Standard", 7, check_mode=True), tally)
    assert (result["status"], result["action"], result["tier"], result["message"]) == \
        (rs.STATUS_ARCHIVED, rs.ACTION_RESTORE, "Standard", message)
    assert tally.sent == 1  # it counts against max_restores as it would for real


def test_max_restores_holds_back(stubber, bucket):
    expect_restore(stubber, key="first")
    options = RestoreOptions("Standard", 7, max_restores=1)
    tally = RestoreTally()
    first = request_restore(bucket, archived(key="first"), options, tally)
    second = request_restore(bucket, archived(key="second"), options, tally)
    assert first["action"] == rs.ACTION_RESTORE
    assert second["action"] == rs.ACTION_NONE
    assert second["status"] == rs.STATUS_ARCHIVED
    assert second["message"] == ("archived: a restore is needed before it can be read; not requested, max_restores "
                                 "(1) was reached")
    assert (tally.sent, tally.held_back) == (1, 1)


def test_expedited_falls_back_when_s3_has_no_capacity(stubber, bucket):
    expect_restore_error(stubber, "GlacierExpeditedRetrievalNotAvailable", 503)
    expect_restore(stubber, tier="Standard")
    tally = RestoreTally()
    result = request_restore(bucket, archived(), RestoreOptions("Expedited", 7, tier_fallback="Standard"), tally)
    assert (result["status"], result["action"], result["tier"]) == (rs.STATUS_IN_PROGRESS, rs.ACTION_RESTORE, "Standard")
    assert result["message"] == "restore (no Expedited capacity, so with the fallback tier) requested (tier Standard, 7 days)"
    assert (tally.sent, tally.fallbacks) == (1, 1)


def test_a_fallback_that_finds_a_running_restore_is_not_counted(stubber, bucket):
    expect_restore_error(stubber, "GlacierExpeditedRetrievalNotAvailable", 503)
    expect_restore_error(stubber, "RestoreAlreadyInProgress", 409)
    tally = RestoreTally()
    result = request_restore(bucket, archived(), RestoreOptions("Expedited", 7, tier_fallback="Bulk"), tally)
    assert (result["status"], result["action"]) == (rs.STATUS_IN_PROGRESS, rs.ACTION_NONE)
    assert tally.fallbacks == 0


def test_no_expedited_capacity_without_fallback_fails(stubber, bucket):
    expect_restore_error(stubber, "GlacierExpeditedRetrievalNotAvailable", 503)
    with pytest.raises(TaskFailure) as raised:
        request_restore(bucket, archived(), RestoreOptions("Expedited", 7), RestoreTally())
    assert raised.value.msg == (
        f"S3 has no Expedited retrieval capacity for s3://{BUCKET}/{KEY} right now (503 "
        "GlacierExpeditedRetrievalNotAvailable): try again later, use tier=Standard, or set tier_fallback=Standard "
        "to fall back on its own."
    )


@pytest.mark.parametrize(
    "obj, described",
    [
        (archived("DEEP_ARCHIVE"), "S3 Glacier Deep Archive"),
        (archived("INTELLIGENT_TIERING", "DEEP_ARCHIVE_ACCESS"), "the S3 Intelligent-Tiering Deep Archive Access tier"),
    ],
    ids=["deep-archive", "deep-archive-access"],
)
def test_expedited_is_refused_for_deep_archive_before_anything_is_sent(bucket, obj, described):
    tally = RestoreTally()
    with pytest.raises(TaskFailure) as raised:
        request_restore(bucket, obj, RestoreOptions("Expedited", 7), tally)
    assert raised.value.msg == (f"s3://{BUCKET}/{KEY}: tier=Expedited is not available for objects in {described}; "
                                "use tier=Standard (within 12 hours) or tier=Bulk (within 48 hours), or keep "
                                "tier=Expedited with tier_fallback=Standard to restore these objects at the Standard "
                                "tier and the others at Expedited")
    assert raised.value.result["objects"] == [obj]
    assert raised.value.result["summary"]["total"] == 1
    assert tally.sent == 0


@pytest.mark.parametrize("days", [7, None], ids=["deep-archive", "deep-archive-access"])
def test_expedited_with_tier_fallback_restores_deep_archive_at_the_fallback_tier(bucket, stubber, days):
    obj = archived("DEEP_ARCHIVE") if days else archived("INTELLIGENT_TIERING", "DEEP_ARCHIVE_ACCESS")
    expect_restore(stubber, tier="Standard", days=days)
    tally = RestoreTally()
    result = request_restore(bucket, obj, RestoreOptions("Expedited", 7, tier_fallback="Standard"), tally)
    assert (result["status"], result["action"], result["tier"]) == ("in_progress", "restore_requested", "Standard")
    assert "tier_fallback: Expedited is not offered" in result["message"]
    assert (tally.sent, tally.tier_unavailable, tally.fallbacks) == (1, 1, 0)


# -- bounded ---------------------------------------------------------------------------------------------------

def test_bounded_passes_ready_items_through_in_place():
    items = [("r1", None), (None, 1), ("r2", None), (None, 2), ("r3", None)]
    # Fewer jobs than the bound: no ready item waits for a job.
    results = list(bounded(iter(items), lambda job: f"w{job}", 1))
    assert results[:3] == ["r1", "r2", "r3"]
    assert sorted(results[3:]) == ["w1", "w2"]


@pytest.mark.parametrize("concurrency", [1, 2, 4])
def test_bounded_returns_every_result(concurrency):
    results = list(bounded(((None, job) for job in range(100)), lambda job: job * 10, concurrency))
    assert sorted(results) == [job * 10 for job in range(100)]


@pytest.mark.parametrize("concurrency", [1, 3])
def test_bounded_keeps_at_most_twice_concurrency_in_flight(concurrency):
    """Jobs started minus results taken never exceeds 2 x concurrency; at most `concurrency` run at once."""
    lock = threading.Lock()
    counts = {"started": 0, "running": 0, "taken": 0, "most_outstanding": 0, "most_running": 0}

    def work(job):
        with lock:
            counts["started"] += 1
            counts["running"] += 1
            counts["most_outstanding"] = max(counts["most_outstanding"], counts["started"] - counts["taken"])
            counts["most_running"] = max(counts["most_running"], counts["running"])
        time.sleep(0.002)
        with lock:
            counts["running"] -= 1
        return job

    for _result in bounded(((None, job) for job in range(40)), work, concurrency):
        with lock:
            counts["taken"] += 1
        time.sleep(0.001)  # a slow consumer: the pool must not run ahead of it
    assert counts["taken"] == 40
    assert counts["most_outstanding"] <= 2 * concurrency
    assert counts["most_running"] <= concurrency


# -- the prefix listing ----------------------------------------------------------------------------------------

PAGES = [["logs/a", "logs/b"], ["logs/c", "logs/d"], ["logs/e"]]


def expect_pages(stubber, count):
    """The first `count` pages of PAGES, each saying whether more follow (as S3 does, whatever is read)."""
    for index, keys in enumerate(PAGES[:count]):
        answer = {"Contents": [{"Key": key, "StorageClass": "GLACIER", "Size": 1} for key in keys],
                  "IsTruncated": index < len(PAGES) - 1}
        if answer["IsTruncated"]:
            answer["NextContinuationToken"] = f"t{index + 1}"
        params = {"Bucket": BUCKET, "Prefix": "logs/"}
        if index:
            params["ContinuationToken"] = f"t{index}"
        stubber.add_response("list_objects_v2", answer, params)


@pytest.mark.parametrize(
    "limit, pages_read, keys, stopped",
    [
        (None, 3, ["a", "b", "c", "d", "e"], False),
        (5, 3, ["a", "b", "c", "d", "e"], False),  # exactly at the limit
        (4, 3, ["a", "b", "c", "d"], True),
        (3, 2, ["a", "b", "c"], True),  # the objects before the limit are handled, even within a page
        (1, 1, ["a"], True),
    ],
    ids=["no-limit", "at-limit", "last-page-past", "second-page-past", "first-page-past"],
)
def test_prefix_listing_stops_past_the_limit(stubber, bucket, limit, pages_read, keys, stopped):
    expect_pages(stubber, pages_read)  # the Stubber fails the test if a page beyond these is asked for
    listing = PrefixListing(bucket, "logs/", with_restore_status=False, limit=limit)
    assert [entry["Key"] for entry in listing] == [f"logs/{key}" for key in keys]
    assert listing.stopped is stopped
    assert listing.listed == len(keys)


# -- waiting ---------------------------------------------------------------------------------------------------

def pending_of(*objects):
    return {object_id(obj): obj for obj in objects}


def requested(key=KEY, storage_class="GLACIER"):
    return dict(archived(storage_class, key=key, status=rs.STATUS_IN_PROGRESS), action=rs.ACTION_RESTORE, tier="Standard")


def test_wait_until_readable_polls_until_restored(stubber, bucket, fake_clock):
    for restore in (ONGOING, ONGOING, DONE):
        stubber.add_response("head_object", head("GLACIER", restore=restore), {"Bucket": BUCKET, "Key": KEY})
    finished, still_pending, waited = wait_until_readable(bucket, pending_of(requested()), Watch(None, False, LISTED, 1), 3600, 10, fake_clock)
    assert fake_clock.sleeps == [10, 20, 40]
    assert waited == 70
    assert still_pending == []
    (obj,) = finished
    assert (obj["status"], obj["expiry_date"], obj["action"]) == (rs.STATUS_RESTORED, "2099-12-02T00:00:00Z", rs.ACTION_RESTORE)


def test_wait_until_readable_times_out_with_what_is_pending(stubber, bucket, fake_clock):
    for _check in range(2):
        stubber.add_response("head_object", head("DEEP_ARCHIVE", restore=ONGOING))
    finished, still_pending, waited = wait_until_readable(
        bucket, pending_of(requested(storage_class="DEEP_ARCHIVE")), Watch(None, False, LISTED, 1), 25, 10, fake_clock)
    assert fake_clock.sleeps == [10, 15]
    assert waited == 25
    assert finished == []
    assert [(obj["key"], obj["status"], obj["action"]) for obj in still_pending] == \
        [(KEY, rs.STATUS_IN_PROGRESS, rs.ACTION_RESTORE)]


def test_wait_until_readable_finishes_a_failed_object(stubber, bucket, fake_clock):
    stubber.add_client_error("head_object", "403", "Forbidden", 403)
    finished, still_pending, _waited = wait_until_readable(bucket, pending_of(requested()), Watch(None, False, LISTED, 1), 600, 10, fake_clock)
    assert still_pending == []
    (obj,) = finished
    assert obj["action"] == rs.ACTION_RESTORE
    assert obj["error"].startswith(f"Access denied: HeadObject on s3://{BUCKET}/{KEY}")


def test_wait_until_readable_reads_a_trusted_listing_and_heads_only_what_it_cannot_tell(stubber, bucket, fake_clock):
    # 14 pending objects under a prefix of 10 keys: one listing page costs what 12.5 HEADs cost, so the round lists.
    glacier = [f"logs/g{index:02d}" for index in range(13)]
    listing = {"Contents": [
        {"Key": key, "StorageClass": "GLACIER", "Size": 1,
         "RestoreStatus": {"IsRestoreInProgress": False, "RestoreExpiryDate": EXPIRY}} for key in glacier
    ] + [
        {"Key": "logs/b", "StorageClass": "INTELLIGENT_TIERING", "Size": 1},
        {"Key": "logs/other", "StorageClass": "GLACIER", "Size": 1},  # not pending: ignored
    ], "IsTruncated": False}
    stubber.add_response("list_objects_v2", listing,
                         {"Bucket": BUCKET, "Prefix": "logs/", "OptionalObjectAttributes": ["RestoreStatus"]})
    stubber.add_response("head_object", head("INTELLIGENT_TIERING", "ARCHIVE_ACCESS", restore='ongoing-request="false"'),
                         {"Bucket": BUCKET, "Key": "logs/b"})
    pending = pending_of(*[requested(key) for key in glacier], requested("logs/b", "INTELLIGENT_TIERING"))
    finished, still_pending, waited = wait_until_readable(bucket, pending, Watch("logs/", True, LISTED, 1), 600, 10, fake_clock)
    assert sorted((obj["key"], obj["status"], obj["action"]) for obj in finished) == [
        ("logs/b", rs.STATUS_RESTORED, rs.ACTION_RESTORE)] + [(key, rs.STATUS_RESTORED, rs.ACTION_RESTORE) for key in glacier]
    assert still_pending == []
    assert waited == 10


def test_wait_until_readable_heads_a_few_pending_objects_rather_than_list_a_large_prefix(stubber, bucket, fake_clock):
    # 2 pending objects under a prefix of 50,000 keys: 50 listing pages would cost what 625 HEADs cost.
    for key in ("logs/a", "logs/b"):
        stubber.add_response("head_object", head("GLACIER", restore=DONE), {"Bucket": BUCKET, "Key": key})
    pending = pending_of(requested("logs/a"), requested("logs/b"))
    finished, still_pending, _waited = wait_until_readable(bucket, pending, Watch("logs/", True, 50000, 1), 600, 10, fake_clock)
    assert sorted(obj["key"] for obj in finished) == ["logs/a", "logs/b"] and still_pending == []


@pytest.mark.parametrize(
    "prefix, trusted, listed, pending, lists",
    [
        ("logs/", True, 10, 13, True),
        ("logs/", True, 10, 12, False),  # 12 HEADs cost less than one page (12.5)
        ("logs/", True, 1000, 13, True),
        ("logs/", True, 1001, 13, False),  # two pages cost 25 HEADs
        ("logs/", False, 10, 1000, False),  # an untrusted listing cannot tell
        (None, True, 10, 1000, False),  # one key: nothing to list
    ],
)
def test_a_wait_round_lists_only_where_that_is_cheaper_and_tells_the_state(prefix, trusted, listed, pending, lists):
    assert Watch(prefix, trusted, listed, 1).lists(pending) is lists


def test_wait_until_readable_with_nothing_pending_does_not_sleep(bucket, fake_clock):
    assert wait_until_readable(bucket, {}, Watch(None, False, LISTED, 1), 600, 10, fake_clock) == ([], [], 0)
    assert fake_clock.sleeps == []


def test_a_fresh_reading_keeps_the_action_and_tier_sent(stubber, bucket, fake_clock):
    stubber.add_response("head_object", head("GLACIER", restore=DONE), {"Bucket": BUCKET, "Key": KEY})
    pending = pending_of(dict(requested(), tier="Bulk"))
    finished, _still_pending, _waited = wait_until_readable(bucket, pending, Watch(None, False, LISTED, 1), 600, 10,
                                                            fake_clock)
    assert (finished[0]["status"], finished[0]["action"], finished[0]["tier"]) == (rs.STATUS_RESTORED, rs.ACTION_RESTORE, "Bulk")
