# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Prefix restores: moto for GLACIER / DEEP_ARCHIVE / STANDARD mixes across page boundaries, the cap, check
mode and result bounds; the Stubber for what only AWS does (RestoreStatus in listings, Intelligent-Tiering,
errors) and to count every call.

moto's listings never carry RestoreStatus, so the moto tests use status_source=head, as `auto` does for any
endpoint that is not AWS's. (In-process moto answers on AWS's own endpoint names, where `auto` would trust
the listing.)
"""

from __future__ import annotations

import collections
import datetime

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import restore_task
from ansible_collections.s3async.restore.plugins.modules import s3_object_restore

BUCKET = "archive-bucket"


def seed_mix(s3, count, prefix="data/"):
    """`count` objects cycling GLACIER, DEEP_ARCHIVE, STANDARD, with spaces, unicode and '+' in some keys."""
    classes = ("GLACIER", "DEEP_ARCHIVE", "STANDARD")
    names = ("plain-{}.bin", "with space {}.bin", "ünïcødé-{}.bin", "plus+sign-{}.bin")
    seeded = {}
    for number in range(count):
        key = prefix + names[number % len(names)].format(number)
        storage_class = classes[number % len(classes)]
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x" * (number % 7 + 1), StorageClass=storage_class)
        seeded[key] = storage_class
    return seeded


def args(**extra):
    return dict({"bucket": BUCKET, "prefix": "data/", "status_source": "head", "max_results": 0, "list_objects": "all"},
                **extra)


def test_prefix_across_page_boundaries_restores_each_archived_object_once(s3, run_module, restore_calls):
    seeded = seed_mix(s3, 1050)
    s3.put_object(Bucket=BUCKET, Key="elsewhere/cold.bin", Body=b"x", StorageClass="GLACIER")
    archived = sorted(key for key, storage_class in seeded.items() if storage_class != "STANDARD")

    failed, first = run_module(s3_object_restore.main, args())
    assert not failed, first["msg"] if failed else None
    assert first["changed"] is True
    assert sorted(key for key, _request, _version in restore_calls) == archived
    summary = first["summary"]
    assert summary["total"] == 1050
    assert summary["restore_requested"] == len(archived) == 700
    assert summary["not_archived"] == 350
    assert summary["by_storage_class"]["GLACIER"]["restore_requested"] == 350
    assert summary["by_storage_class"]["DEEP_ARCHIVE"]["restore_requested"] == 350
    assert summary["by_storage_class"]["STANDARD"]["restore_requested"] == 0
    assert {obj["key"] for obj in first["objects"]} == set(seeded)
    assert first["objects_truncated"] is False
    for key in archived:
        assert "Restore" in s3.head_object(Bucket=BUCKET, Key=key)
    assert "Restore" not in s3.head_object(Bucket=BUCKET, Key="elsewhere/cold.bin")

    restore_calls.clear()
    failed, second = run_module(s3_object_restore.main, args())
    assert not failed
    assert second["changed"] is False
    assert restore_calls == [], "the re-run must not re-send restores (each would reset an expiry)"
    assert second["summary"]["restore_requested"] == 0
    assert second["summary"]["archived"] == 0


def test_check_mode_counts_requests_and_bytes_per_class_and_sends_nothing(s3, run_module, restore_calls):
    s3.put_object(Bucket=BUCKET, Key="data/a", Body=b"x" * 100, StorageClass="GLACIER")
    s3.put_object(Bucket=BUCKET, Key="data/b", Body=b"x" * 250, StorageClass="DEEP_ARCHIVE")
    s3.put_object(Bucket=BUCKET, Key="data/c", Body=b"x" * 50, StorageClass="DEEP_ARCHIVE")
    s3.put_object(Bucket=BUCKET, Key="data/d", Body=b"x" * 999, StorageClass="STANDARD")
    failed, result = run_module(s3_object_restore.main, args(), check_mode=True)
    assert not failed
    assert result["changed"] is True
    assert restore_calls == []
    assert result["summary"]["restore_requested"] == 3
    assert result["summary"]["restore_requested_bytes"] == 400
    by_class = result["summary"]["by_storage_class"]
    assert {name: (counts["total"], counts["restore_requested"], counts["restore_requested_bytes"])
            for name, counts in by_class.items()} == {
        "GLACIER": (1, 1, 100),
        "DEEP_ARCHIVE": (2, 2, 300),
        "STANDARD": (1, 0, 0),
    }
    # In check mode nothing was sent: the objects are still archived.
    assert by_class["DEEP_ARCHIVE"]["archived"] == 2 and by_class["DEEP_ARCHIVE"]["bytes"] == 300
    for key in ("data/a", "data/b", "data/c"):
        assert "Restore" not in s3.head_object(Bucket=BUCKET, Key=key)


def test_max_restores_caps_a_run_and_the_next_run_continues(s3, run_module, restore_calls):
    for number in range(10):
        s3.put_object(Bucket=BUCKET, Key=f"data/{number}", Body=b"x", StorageClass="GLACIER")
    failed, first = run_module(s3_object_restore.main, args(max_restores=4))
    assert failed
    assert first["changed"] is True
    assert "max_restores (4) was reached: 4 restore(s) sent, 6 archived object(s) left" in first["msg"]
    assert len(restore_calls) == 4
    assert first["summary"]["archived"] == 6

    failed, second = run_module(s3_object_restore.main, args(max_restores=4))
    assert failed and "4 restore(s) sent, 2 archived" in second["msg"]
    failed, third = run_module(s3_object_restore.main, args(max_restores=4))
    assert not failed
    assert third["summary"]["restore_requested"] == 2
    assert sorted(key for key, _request, _version in restore_calls) == sorted(f"data/{number}" for number in range(10))


def test_max_results_bounds_objects_changed_first(s3, run_module):
    for number in range(6):
        s3.put_object(Bucket=BUCKET, Key=f"data/live-{number}", Body=b"x")
    s3.put_object(Bucket=BUCKET, Key="data/z-cold", Body=b"x", StorageClass="GLACIER")
    failed, result = run_module(s3_object_restore.main, args(max_results=3))
    assert not failed
    assert result["objects_truncated"] is True
    assert [obj["key"] for obj in result["objects"]] == ["data/z-cold", "data/live-0", "data/live-1"]
    assert result["summary"]["total"] == 7


def test_empty_prefix_is_ok_and_changes_nothing(s3, run_module):
    failed, result = run_module(s3_object_restore.main, args(prefix="nothing-here/"))
    assert not failed
    assert result["changed"] is False
    assert result["summary"]["total"] == 0
    assert result["objects"] == []


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"key": "data/a"}, "parameters are mutually exclusive: key|prefix"),
        ({"prefix": None}, "one of the following is required: key, prefix"),
        ({"version_id": "v1"}, "version_id needs key"),
        ({"concurrency": 0}, "concurrency must be 1 or more"),
    ],
)
def test_option_combinations_are_refused(s3, run_module, restore_calls, extra, message):
    module_args = args(**extra)
    if module_args["prefix"] is None:
        del module_args["prefix"]
    failed, result = run_module(s3_object_restore.main, module_args)
    assert failed
    assert message in result["msg"]
    assert restore_calls == []


# The Stubber: AWS listings with RestoreStatus, and exact call counts. concurrency=1 keeps the order of calls
# fixed, which a Stubber needs; what needs work (a HEAD or a restore) sits on the last page, after every listing
# call, so that no work overlaps a listing call.

EXPIRY = datetime.datetime(2099, 12, 2, tzinfo=datetime.timezone.utc)
ONGOING = 'ongoing-request="true"'


def listing_entry(key, storage_class, restore_status=None, size=10):
    entry = {"Key": key, "Size": size, "StorageClass": storage_class}
    if restore_status is not None:
        entry["RestoreStatus"] = restore_status
    return entry


def aws_listing(total, unrestored, intelligent_tiering, rerun=False):
    """`total` entries, 1,000 a page; the last page holds the work, the others only what the listing settles."""
    settled = [
        ("STANDARD", None),
        ("GLACIER", {"IsRestoreInProgress": False, "RestoreExpiryDate": EXPIRY}),
        ("DEEP_ARCHIVE", {"IsRestoreInProgress": True}),
        ("GLACIER_IR", None),
    ]
    entries = []
    work = unrestored + intelligent_tiering
    for number in range(total - work):
        storage_class, restore_status = settled[number % len(settled)]
        entries.append(listing_entry(f"data/settled-{number:05}", storage_class, restore_status))
    for number in range(unrestored):
        storage_class = "GLACIER" if number % 2 else "DEEP_ARCHIVE"
        restore_status = {"IsRestoreInProgress": True} if rerun else None
        entries.append(listing_entry(f"data/cold-{number:05}", storage_class, restore_status))
    for number in range(intelligent_tiering):
        entries.append(listing_entry(f"data/int-{number:05}", "INTELLIGENT_TIERING"))
    return [entries[start:start + 1000] for start in range(0, total, 1000)]


def expect_listing(stubber, pages, prefix="data/"):
    for number, page in enumerate(pages):
        last = number == len(pages) - 1
        response = {"Contents": page, "KeyCount": len(page), "IsTruncated": not last}
        params = {"Bucket": BUCKET, "Prefix": prefix, "OptionalObjectAttributes": ["RestoreStatus"]}
        if number:
            params["ContinuationToken"] = f"token-{number}"
        if not last:
            response["NextContinuationToken"] = f"token-{number + 1}"
        stubber.add_response("list_objects_v2", response, params)


def calls_by_operation(stubber):
    """Count the operations the stubbed client is asked for, through botocore's own event hook."""
    counter = collections.Counter()
    stubber.client.meta.events.register("before-parameter-build.s3", lambda model, **_kwargs: counter.update([model.name]))
    return counter


def test_aws_listing_with_restore_status_costs_a_call_per_thousand_keys_and_no_head(s3_stubber, run_module):
    counter = calls_by_operation(s3_stubber)
    unrestored, intelligent_tiering = 40, 4
    expect_listing(s3_stubber, aws_listing(5000, unrestored, intelligent_tiering))
    for number in range(unrestored):
        storage_class = "GLACIER" if number % 2 else "DEEP_ARCHIVE"
        s3_stubber.add_response(
            "restore_object", {"ResponseMetadata": {"HTTPStatusCode": 202}},
            {"Bucket": BUCKET, "Key": f"data/cold-{number:05}",
             "RestoreRequest": {"Days": 7, "GlacierJobParameters": {"Tier": "Bulk"}}},
        )
    for number in range(intelligent_tiering):
        key = f"data/int-{number:05}"
        s3_stubber.add_response(
            "head_object", {"ContentLength": 10, "StorageClass": "INTELLIGENT_TIERING", "ArchiveStatus": "ARCHIVE_ACCESS"},
            {"Bucket": BUCKET, "Key": key},
        )
        s3_stubber.add_response(
            "restore_object", {"ResponseMetadata": {"HTTPStatusCode": 202}},
            {"Bucket": BUCKET, "Key": key, "RestoreRequest": {"GlacierJobParameters": {"Tier": "Bulk"}}},
        )
    failed, result = run_module(
        s3_object_restore.main,
        {"bucket": BUCKET, "prefix": "data/", "status_source": "listing", "concurrency": 1, "tier": "Bulk"},
    )
    assert not failed, result.get("msg")
    assert counter == {"ListObjectsV2": 5, "RestoreObject": unrestored + intelligent_tiering,
                       "HeadObject": intelligent_tiering}
    assert result["summary"]["total"] == 5000
    assert result["summary"]["restore_requested"] == unrestored + intelligent_tiering
    assert result["summary"]["restore_requested_bytes"] == 10 * (unrestored + intelligent_tiering)


def test_aws_rerun_sends_no_restore(s3_stubber, run_module):
    counter = calls_by_operation(s3_stubber)
    expect_listing(s3_stubber, aws_listing(5000, 40, 4, rerun=True))
    for number in range(4):
        s3_stubber.add_response(
            "head_object",
            {"ContentLength": 10, "StorageClass": "INTELLIGENT_TIERING", "ArchiveStatus": "ARCHIVE_ACCESS", "Restore": ONGOING},
            {"Bucket": BUCKET, "Key": f"data/int-{number:05}"},
        )
    failed, result = run_module(
        s3_object_restore.main,
        {"bucket": BUCKET, "prefix": "data/", "status_source": "listing", "concurrency": 1},
    )
    assert not failed, result.get("msg")
    assert result["changed"] is False
    assert counter == {"ListObjectsV2": 5, "HeadObject": 4}
    settled_in_progress = sum(1 for number in range(5000 - 44) if number % 4 == 2)  # the DEEP_ARCHIVE ones
    assert result["summary"]["in_progress"] == settled_in_progress + 40 + 4


def test_one_failing_object_does_not_stop_the_others(s3_stubber, run_module):
    page = [listing_entry(f"data/{name}", "GLACIER") for name in ("a", "b", "c")]
    expect_listing(s3_stubber, [page])
    s3_stubber.add_response("restore_object", {"ResponseMetadata": {"HTTPStatusCode": 202}})
    s3_stubber.add_client_error("restore_object", "AccessDenied", "Access Denied", 403)
    s3_stubber.add_client_error("restore_object", "RestoreAlreadyInProgress", "in progress", 409)
    failed, result = run_module(
        s3_object_restore.main,
        {"bucket": BUCKET, "prefix": "data/", "status_source": "listing", "concurrency": 1},
    )
    assert failed
    assert result["changed"] is True
    assert result["msg"].startswith("1 of 3 objects failed")
    assert "needs the IAM permission s3:RestoreObject" in result["msg"]
    assert result["failed_keys"] == ["data/b"]
    assert result["summary"]["failed"] == 1
    assert result["summary"]["restore_requested"] == 1
    assert result["summary"]["in_progress"] == 2
    assert result["objects"][0]["key"] == "data/b" and "error" in result["objects"][0]


def test_rerun_after_a_partial_failure_converges(s3_stubber, run_module):
    counter = calls_by_operation(s3_stubber)
    page = [
        listing_entry("data/a", "GLACIER", {"IsRestoreInProgress": True}),
        listing_entry("data/b", "GLACIER"),
        listing_entry("data/c", "GLACIER", {"IsRestoreInProgress": True}),
    ]
    expect_listing(s3_stubber, [page])
    s3_stubber.add_response(
        "restore_object", {"ResponseMetadata": {"HTTPStatusCode": 202}},
        {"Bucket": BUCKET, "Key": "data/b", "RestoreRequest": {"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}}},
    )
    failed, result = run_module(
        s3_object_restore.main,
        {"bucket": BUCKET, "prefix": "data/", "status_source": "listing", "concurrency": 1},
    )
    assert not failed
    assert counter == {"ListObjectsV2": 1, "RestoreObject": 1}
    assert result["summary"]["restore_requested"] == 1


def test_expedited_refused_per_object_for_deep_archive_in_a_prefix(s3_stubber, run_module):
    page = [listing_entry("data/deep", "DEEP_ARCHIVE"), listing_entry("data/flex", "GLACIER")]
    expect_listing(s3_stubber, [page])
    s3_stubber.add_response(
        "restore_object", {"ResponseMetadata": {"HTTPStatusCode": 202}},
        {"Bucket": BUCKET, "Key": "data/flex", "RestoreRequest": {"Days": 7, "GlacierJobParameters": {"Tier": "Expedited"}}},
    )
    failed, result = run_module(
        s3_object_restore.main,
        {"bucket": BUCKET, "prefix": "data/", "status_source": "listing", "concurrency": 1, "tier": "Expedited"},
    )
    assert failed
    assert result["failed_keys"] == ["data/deep"]
    assert "tier=Expedited is not available" in result["msg"]
    assert result["summary"]["restore_requested"] == 1


def test_prefix_wait_heads_the_few_pending_objects_and_never_rereads_a_restored_one(s3_stubber, run_module, monkeypatch,
                                                                                    fake_clock):
    # Two objects pending: a HEAD each costs less than re-listing the prefix (a page costs what 12.5 HEADs cost).
    monkeypatch.setattr(restore_task, "time", fake_clock)
    counter = calls_by_operation(s3_stubber)
    expect_listing(s3_stubber, [[listing_entry("data/a", "GLACIER"), listing_entry("data/b", "GLACIER")]])
    for key in ("data/a", "data/b"):
        s3_stubber.add_response("restore_object", {"ResponseMetadata": {"HTTPStatusCode": 202}})
    # Round 1: a done, b running. Round 2: b done.
    done = 'ongoing-request="false", expiry-date="Wed, 02 Dec 2099 00:00:00 GMT"'
    for key, restore in (("data/a", done), ("data/b", 'ongoing-request="true"'), ("data/b", done)):
        s3_stubber.add_response("head_object", {"ContentLength": 1, "StorageClass": "GLACIER", "Restore": restore},
                                {"Bucket": BUCKET, "Key": key})
    failed, result = run_module(
        s3_object_restore.main,
        {"bucket": BUCKET, "prefix": "data/", "status_source": "listing", "concurrency": 1,
         "state": "restored", "wait_delay": 30},
    )
    assert not failed, result.get("msg")
    assert counter == {"ListObjectsV2": 1, "RestoreObject": 2, "HeadObject": 3}
    assert fake_clock.sleeps == [30, 60]
    assert result["waited"] == 90
    assert result["summary"]["restored"] == 2
    assert result["summary"]["restore_requested"] == 2
    assert {obj["status"] for obj in result["objects"]} == {"restored"}
