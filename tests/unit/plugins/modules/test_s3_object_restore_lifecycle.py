# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Beyond the first request: extend_expiry, tier_fallback, upgrade_tier, batch_operations_threshold, and waiting
through moto's restore state manager."""

from __future__ import annotations

import datetime
from email.utils import format_datetime

import pytest
from moto.moto_api import state_manager

from ansible_collections.s3async.restore.plugins.module_utils import restore_task
from ansible_collections.s3async.restore.plugins.modules import s3_object_restore

BUCKET = "archive-bucket"
KEY = "db/dump"
ONGOING = 'ongoing-request="true"'


def restored_until(expiry):
    return f'ongoing-request="false", expiry-date="{format_datetime(expiry, usegmt=True)}"'


def expect_head(stubber, **head):
    stubber.add_response("head_object", dict({"ContentLength": 8}, **head), {"Bucket": BUCKET, "Key": KEY})


def expect_restore(stubber, tier="Standard", days=7, status=202, intelligent_tiering=False):
    request = {"GlacierJobParameters": {"Tier": tier}}
    if not intelligent_tiering:
        request["Days"] = days
    stubber.add_response("restore_object", {"ResponseMetadata": {"HTTPStatusCode": status}},
                         {"Bucket": BUCKET, "Key": KEY, "RestoreRequest": request})


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


@pytest.mark.parametrize("offset_hours, extended", [(-1, True), (1, False)], ids=["just-before", "just-after"])
def test_extend_expiry_boundaries(s3_stubber, run_module, offset_hours, extended):
    expiry = now() + datetime.timedelta(days=7, hours=offset_hours)
    expect_head(s3_stubber, StorageClass="GLACIER", Restore=restored_until(expiry))
    if extended:
        expect_restore(s3_stubber, status=200)
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "extend_expiry": True})
    assert not failed, result
    assert result["changed"] is extended
    obj = result["objects"][0]
    assert obj["status"] == "restored"
    if extended:
        assert obj["action"] == "restore_requested"
        assert obj["message"].startswith("expiry extended")
        assert "warnings" not in result, "a 200 asked for by extend_expiry is no surprise"
    else:
        assert obj["action"] == "none"


def test_without_extend_expiry_a_short_lived_copy_is_reported_and_left_alone(s3_stubber, run_module):
    expiry = now() + datetime.timedelta(hours=3)
    expect_head(s3_stubber, StorageClass="DEEP_ARCHIVE", Restore=restored_until(expiry))
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY})
    assert not failed
    assert result["changed"] is False
    assert result["objects"][0]["expiry_date"] == expiry.isoformat().replace("+00:00", "Z")


def test_extend_expiry_never_touches_intelligent_tiering(s3_stubber, run_module):
    expect_head(s3_stubber, StorageClass="INTELLIGENT_TIERING", Restore=restored_until(now()))
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "extend_expiry": True})
    assert not failed
    assert result["changed"] is False


def test_tier_fallback_on_no_expedited_capacity(s3_stubber, run_module):
    expect_head(s3_stubber, StorageClass="GLACIER")
    s3_stubber.add_client_error("restore_object", "GlacierExpeditedRetrievalNotAvailable",
                                "Glacier expedited retrievals are currently not available", 503)
    expect_restore(s3_stubber, tier="Bulk")
    failed, result = run_module(
        s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "tier": "Expedited", "tier_fallback": "Bulk"}
    )
    assert not failed, result
    obj = result["objects"][0]
    assert obj["tier"] == "Bulk"
    assert obj["status"] == "in_progress"
    assert "fallback tier" in obj["message"]
    assert any("tier Bulk instead" in str(warning) for warning in result["warnings"])


def test_no_expedited_capacity_without_fallback_fails_clearly(s3_stubber, run_module):
    expect_head(s3_stubber, StorageClass="GLACIER")
    s3_stubber.add_client_error("restore_object", "GlacierExpeditedRetrievalNotAvailable", "not available", 503)
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "tier": "Expedited"})
    assert failed
    assert "no Expedited retrieval capacity" in result["msg"] and "tier_fallback=Standard" in result["msg"]


def test_tier_fallback_needs_expedited(run_module):
    failed, result = run_module(
        s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "tier": "Standard", "tier_fallback": "Bulk"}
    )
    assert failed
    assert "tier_fallback applies to tier=Expedited only" in result["msg"]


@pytest.mark.parametrize("accepted", [True, False], ids=["upgraded", "already-as-fast"])
def test_upgrade_tier_of_a_running_restore(s3_stubber, run_module, accepted):
    expect_head(s3_stubber, StorageClass="GLACIER", Restore=ONGOING)
    if accepted:
        expect_restore(s3_stubber, tier="Expedited")
    else:
        s3_stubber.add_client_error("restore_object", "RestoreAlreadyInProgress", "in progress", 409)
    failed, result = run_module(
        s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "tier": "Expedited", "upgrade_tier": True}
    )
    assert not failed, result
    assert result["changed"] is accepted
    obj = result["objects"][0]
    assert obj["status"] == "in_progress"
    if accepted:
        assert obj["tier"] == "Expedited" and "faster tier" in obj["message"]
    else:
        assert "did not upgrade" in obj["message"]


def test_running_restore_is_left_alone_without_upgrade_tier(s3_stubber, run_module):
    expect_head(s3_stubber, StorageClass="GLACIER", Restore=ONGOING)
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "tier": "Expedited"})
    assert not failed
    assert result["changed"] is False


def test_batch_operations_threshold_stops_the_listing_early(s3_stubber, run_module):
    calls = []
    s3_stubber.client.meta.events.register("before-parameter-build.s3", lambda model, **_kwargs: calls.append(model.name))
    for number in range(2):
        page = [{"Key": f"d/{number}-{index:04}", "Size": 1, "StorageClass": "STANDARD"} for index in range(1000)]
        params = {"Bucket": BUCKET, "Prefix": "d/"}
        response = {"Contents": page, "IsTruncated": True, "NextContinuationToken": f"t{number + 1}"}
        if number:
            params["ContinuationToken"] = "t1"
        s3_stubber.add_response("list_objects_v2", response, params)
    failed, result = run_module(
        s3_object_restore.main,
        {"bucket": BUCKET, "prefix": "d/", "status_source": "head", "batch_operations_threshold": 1500},
    )
    assert failed
    assert calls == ["ListObjectsV2", "ListObjectsV2"]
    assert "more than batch_operations_threshold (1500) objects; stopped after handling the first 1500 (0 restore" in result["msg"]
    assert "s3async.restore.s3_restore_job" in result["msg"]
    assert result["summary"]["total"] == 1500


def test_wait_through_moto_state_manager(s3, run_module, monkeypatch, fake_clock):
    """The real module waits while moto holds the restore in progress for a few reads, then sees it restored."""
    monkeypatch.setattr(restore_task, "time", fake_clock)
    state_manager.set_transition(model_name="s3::keyrestore", transition={"progression": "manual", "times": 4})
    try:
        s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"x", StorageClass="GLACIER")
        failed, result = run_module(
            s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "state": "restored", "wait_delay": 5}
        )
    finally:
        state_manager.unset_transition("s3::keyrestore")
    assert not failed, result
    assert len(fake_clock.sleeps) >= 2, "the restore should have been seen in progress at least once"
    assert fake_clock.sleeps[:2] == [5, 10]
    assert result["objects"][0]["status"] == "restored"
    assert result["objects"][0]["action"] == "restore_requested"
    assert result["waited"] == sum(fake_clock.sleeps)


def test_a_signalled_run_ends_with_what_it_sent(s3, run_module, monkeypatch):
    """SIGTERM halfway: no new request is started, those in flight finish, and the result lists what was sent."""
    import os
    import signal

    from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket

    for number in range(300):
        s3.put_object(Bucket=BUCKET, Key=f"big/{number:04d}", Body=b"x", StorageClass="GLACIER")
    real = S3Bucket.restore_object
    sent = []

    def restore_then_signal(self, key, restore_request, version_id=None):
        answer = real(self, key, restore_request, version_id)
        sent.append(key)
        if len(sent) == 50:
            os.kill(os.getpid(), signal.SIGTERM)
        return answer

    monkeypatch.setattr(S3Bucket, "restore_object", restore_then_signal)
    handler_before = signal.getsignal(signal.SIGTERM)
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "prefix": "big/", "status_source": "head",
                                                         "concurrency": 4, "list_objects": "all", "max_results": 0})
    assert failed
    assert result["msg"].startswith("Interrupted by SIGTERM: stopped after ")
    assert result["interrupted"] == "SIGTERM"
    assert result["changed"] is True
    assert 50 <= len(sent) < 300, "the run went on after the signal"
    # Every restore sent is in the result, and nothing else was requested.
    assert result["summary"]["restore_requested"] == len(sent)
    assert sorted(obj["key"] for obj in result["objects"] if obj["action"] == "restore_requested") == sorted(sent)
    assert signal.getsignal(signal.SIGTERM) is handler_before  # the module's handler is gone with the run
