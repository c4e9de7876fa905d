# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_object_restore through main() against botocore's Stubber: the AWS behaviour moto lacks.

Intelligent-Tiering archive tiers, 409 RestoreAlreadyInProgress, ObjectAlreadyInActiveTierError, the 200 that
resets an expiry, 503 GlacierExpeditedRetrievalNotAvailable, the parameters sent (VersionId,
ExpectedBucketOwner, RequestPayer), waiting, EventBridge and S3's notification errors. Every request is
validated against S3's service model, and an unexpected call fails the test.
"""

from __future__ import annotations

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import restore_task
from ansible_collections.s3async.restore.plugins.modules import s3_object_restore

BUCKET = "archive-bucket"
KEY = "db/dump"
OWNER = "111122223333"
TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:restore-events"
ONGOING = 'ongoing-request="true"'
DONE = 'ongoing-request="false", expiry-date="Wed, 02 Dec 2099 00:00:00 GMT"'


def head(storage_class=None, archive_status=None, restore=None, version_id=None, size=42):
    response = {"ContentLength": size}
    for name, value in (("StorageClass", storage_class), ("ArchiveStatus", archive_status),
                        ("Restore", restore), ("VersionId", version_id)):
        if value is not None:
            response[name] = value
    return response


def head_params(**extra):
    return dict({"Bucket": BUCKET, "Key": KEY}, **extra)


def expect_head(stubber, response, **extra):
    stubber.add_response("head_object", response, head_params(**extra))


def expect_restore(stubber, request, status=202, **extra):
    stubber.add_response(
        "restore_object",
        {"ResponseMetadata": {"HTTPStatusCode": status}},
        dict(head_params(**extra), RestoreRequest=request),
    )


@pytest.mark.parametrize(
    "archive_status, tier",
    [("ARCHIVE_ACCESS", "Expedited"), ("ARCHIVE_ACCESS", "Standard"), ("DEEP_ARCHIVE_ACCESS", "Bulk")],
)
def test_intelligent_tiering_restore_sends_no_days(s3_stubber, run_module, archive_status, tier):
    expect_head(s3_stubber, head("INTELLIGENT_TIERING", archive_status))
    expect_restore(s3_stubber, {"GlacierJobParameters": {"Tier": tier}})
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "tier": tier, "days": 5})
    assert not failed, result
    assert result["changed"] is True
    obj = dict(result["objects"][0])
    # The window S3 publishes for the tier (ready_window.py): times relative to now, so checked apart.
    window = obj.pop("expected_ready_after"), obj.pop("expected_ready_before")
    assert window[0] < window[1]
    assert obj == {
        "key": KEY,
        "version_id": None,
        "version_kind": "current",
        "storage_class": "INTELLIGENT_TIERING",
        "archive_status": archive_status,
        "size": 42,
        "status": "in_progress",
        "expiry_date": None,
        "action": "restore_requested",
        "tier": tier,
        "message": f"restore requested (tier {tier})",
    }


@pytest.mark.parametrize(
    "head_response, described",
    [
        (head("DEEP_ARCHIVE"), "S3 Glacier Deep Archive"),
        (head("INTELLIGENT_TIERING", "DEEP_ARCHIVE_ACCESS"), "Deep Archive Access tier"),
    ],
)
def test_expedited_refused_for_deep_archive_before_anything_is_sent(s3_stubber, run_module, head_response, described):
    expect_head(s3_stubber, head_response)
    failed, result = run_module(
        s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "tier": "Expedited", "sns_topic_arn": TOPIC_ARN}
    )
    assert failed
    assert described in result["msg"] and "tier=Standard" in result["msg"]
    assert result["objects"][0]["status"] == "archived"


@pytest.mark.parametrize(
    "head_response, status",
    [
        (head("GLACIER", restore=ONGOING), "in_progress"),
        (head("DEEP_ARCHIVE", restore=DONE), "restored"),
        (head("INTELLIGENT_TIERING", "ARCHIVE_ACCESS", restore=ONGOING), "in_progress"),
        (head("INTELLIGENT_TIERING"), "not_archived"),
        (head("GLACIER_IR"), "not_archived"),
    ],
)
def test_nothing_is_sent_unless_archived(s3_stubber, run_module, head_response, status):
    expect_head(s3_stubber, head_response)
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY})
    assert not failed
    assert result["changed"] is False
    assert result["objects"][0]["status"] == status
    assert result["objects"][0]["action"] == "none"


def test_restored_copy_reports_its_expiry(s3_stubber, run_module):
    expect_head(s3_stubber, head("GLACIER", restore=DONE))
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY})
    assert not failed
    assert result["objects"][0]["expiry_date"] == "2099-12-02T00:00:00Z"
    assert result["objects"][0]["message"] == "restored: the copy is readable until 2099-12-02T00:00:00Z"


def test_race_409_restore_already_in_progress_is_ok(s3_stubber, run_module):
    expect_head(s3_stubber, head("GLACIER"))
    s3_stubber.add_client_error(
        "restore_object", "RestoreAlreadyInProgress", "Object restore is already in progress", 409,
        expected_params=dict(head_params(), RestoreRequest={"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}}),
    )
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY})
    assert not failed
    assert result["changed"] is False
    assert result["objects"][0]["status"] == "in_progress"
    assert result["objects"][0]["action"] == "none"


def test_race_object_already_in_active_tier_is_not_archived(s3_stubber, run_module):
    expect_head(s3_stubber, head("INTELLIGENT_TIERING", "ARCHIVE_ACCESS"))
    s3_stubber.add_client_error(
        "restore_object", "ObjectAlreadyInActiveTierError", "restore is not allowed, object is in an active tier", 403
    )
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY})
    assert not failed
    assert result["changed"] is False
    assert result["objects"][0]["status"] == "not_archived"


def test_restore_answered_200_reports_the_expiry_reset(s3_stubber, run_module):
    expect_head(s3_stubber, head("GLACIER"))
    expect_restore(s3_stubber, {"Days": 2, "GlacierJobParameters": {"Tier": "Standard"}}, status=200)
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "days": 2})
    assert not failed
    assert result["changed"] is True
    assert result["objects"][0]["status"] == "restored"
    assert result["objects"][0]["action"] == "restore_requested"
    assert "reset" in result["objects"][0]["message"]
    assert any("reset their copy's expiry to 2 days from now: db/dump" in str(warning) for warning in result["warnings"])
    assert "deprecations" not in result


def test_version_owner_and_requester_pays_are_sent_on_every_call(s3_stubber, run_module):
    sent = {"VersionId": "v1", "ExpectedBucketOwner": OWNER, "RequestPayer": "requester"}
    expect_head(s3_stubber, head("DEEP_ARCHIVE", version_id="v1"), **sent)
    expect_restore(s3_stubber, {"Days": 7, "GlacierJobParameters": {"Tier": "Bulk"}}, **sent)
    failed, result = run_module(
        s3_object_restore.main,
        {"bucket": BUCKET, "key": KEY, "version_id": "v1", "expected_bucket_owner": OWNER,
         "request_payer": True, "tier": "Bulk"},
    )
    assert not failed, result
    assert result["objects"][0]["version_id"] == "v1"


def test_expected_owner_is_sent_on_notification_calls(s3_stubber, run_module):
    expect_head(s3_stubber, head("GLACIER", restore=ONGOING), ExpectedBucketOwner=OWNER)
    current = {"TopicConfigurations": [{"Id": "t", "TopicArn": TOPIC_ARN, "Events": ["s3:ObjectRestore:*"]}]}
    s3_stubber.add_response("head_bucket", {"BucketRegion": "us-east-1"}, {"Bucket": BUCKET, "ExpectedBucketOwner": OWNER})
    s3_stubber.add_response("get_bucket_notification_configuration", current,
                            {"Bucket": BUCKET, "ExpectedBucketOwner": OWNER})
    failed, result = run_module(
        s3_object_restore.main,
        {"bucket": BUCKET, "key": KEY, "expected_bucket_owner": OWNER, "sns_topic_arn": TOPIC_ARN},
    )
    assert not failed, result
    assert result["changed"] is False
    assert result["notification"]["action"] == "none"


def test_restored_state_polls_with_doubling_delay(s3_stubber, run_module, monkeypatch, fake_clock):
    clock = fake_clock
    monkeypatch.setattr(restore_task, "time", clock)
    expect_head(s3_stubber, head("GLACIER"))
    expect_restore(s3_stubber, {"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}})
    for _attempt in range(3):
        expect_head(s3_stubber, head("GLACIER", restore=ONGOING))
    expect_head(s3_stubber, head("GLACIER", restore=DONE))
    failed, result = run_module(
        s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "state": "restored", "wait_delay": 10}
    )
    assert not failed, result
    assert clock.sleeps == [10, 20, 40, 80]
    assert result["waited"] == 150
    assert result["changed"] is True
    assert result["objects"][0]["status"] == "restored"
    assert result["objects"][0]["action"] == "restore_requested"


def test_delay_growth_stops_at_the_ceiling(s3_stubber, run_module, monkeypatch, fake_clock):
    clock = fake_clock
    monkeypatch.setattr(restore_task, "time", clock)
    expect_head(s3_stubber, head("GLACIER", restore=ONGOING))
    for _attempt in range(5):
        expect_head(s3_stubber, head("GLACIER", restore=ONGOING))
    expect_head(s3_stubber, head("GLACIER", restore=DONE))
    failed, result = run_module(
        s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "state": "restored", "wait_delay": 300}
    )
    assert not failed, result
    assert clock.sleeps == [300, 600, 900, 900, 900, 900]
    assert result["changed"] is False


def test_wait_timeout_fails_with_where_the_object_stands(s3_stubber, run_module, monkeypatch, fake_clock):
    clock = fake_clock
    monkeypatch.setattr(restore_task, "time", clock)
    expect_head(s3_stubber, head("DEEP_ARCHIVE", restore=ONGOING))
    for _attempt in range(3):
        expect_head(s3_stubber, head("DEEP_ARCHIVE", restore=ONGOING))
    failed, result = run_module(
        s3_object_restore.main,
        {"bucket": BUCKET, "key": KEY, "state": "restored", "wait_delay": 10, "wait_timeout": 65},
    )
    assert failed
    assert clock.sleeps == [10, 20, 35]
    assert "Timed out after 65 seconds waiting for s3://archive-bucket/db/dump" in result["msg"]
    assert "1 in progress" in result["msg"]
    assert result["pending_keys"] == [KEY]
    assert result["objects"][0]["status"] == "in_progress"
    assert result["summary"]["in_progress"] == 1


def test_check_mode_does_not_wait(s3_stubber, run_module):
    expect_head(s3_stubber, head("GLACIER"))
    failed, result = run_module(
        s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "state": "restored"}, check_mode=True
    )
    assert not failed
    assert result["changed"] is True
    assert result["objects"][0]["status"] == "archived"
    assert result["waited"] == 0.0


@pytest.mark.parametrize(
    "operation, code, http, message",
    [
        ("head_object", "403", 403, "HeadObject on s3://archive-bucket/db/dump needs the IAM permission s3:GetObject"),
        ("restore_object", "AccessDenied", 403, "RestoreObject on s3://archive-bucket/db/dump needs the IAM permission s3:RestoreObject"),
        ("restore_object", "GlacierExpeditedRetrievalNotAvailable", 503, "no Expedited retrieval capacity"),
    ],
)
def test_errors_name_the_cause(s3_stubber, run_module, operation, code, http, message):
    if operation == "restore_object":
        expect_head(s3_stubber, head("GLACIER"))
    s3_stubber.add_client_error(operation, code, "denied", http)
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "tier": "Expedited"})
    assert failed
    assert message in result["msg"]


# Notification configuration: what moto cannot show (EventBridge, S3's overlap and destination checks).

EVENTBRIDGE_AND_LAMBDA = {
    "EventBridgeConfiguration": {},
    "LambdaFunctionConfigurations": [
        {
            "Id": "thumbnails",
            "LambdaFunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:thumbs",
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "images/"}]}},
        }
    ],
}
OUR_TOPIC_CONFIGURATION = {
    "Id": "s3async-restore-restore-events",
    "TopicArn": TOPIC_ARN,
    "Events": ["s3:ObjectRestore:Post", "s3:ObjectRestore:Completed"],
}


def expect_bucket_region(stubber, region="us-east-1"):
    stubber.add_response("head_bucket", {"BucketRegion": region}, {"Bucket": BUCKET})


def expect_notification_read(stubber, configuration):
    stubber.add_response("get_bucket_notification_configuration", configuration, {"Bucket": BUCKET})


def expect_notification_write(stubber, configuration):
    stubber.add_response(
        "put_bucket_notification_configuration", {},
        {"Bucket": BUCKET, "NotificationConfiguration": configuration},
    )


def test_eventbridge_and_other_destinations_survive_the_write(s3_stubber, run_module):
    after = dict(EVENTBRIDGE_AND_LAMBDA, TopicConfigurations=[OUR_TOPIC_CONFIGURATION])
    expect_head(s3_stubber, head("GLACIER"))
    expect_bucket_region(s3_stubber)
    expect_notification_read(s3_stubber, EVENTBRIDGE_AND_LAMBDA)
    expect_notification_read(s3_stubber, EVENTBRIDGE_AND_LAMBDA)  # re-read right before writing
    expect_notification_write(s3_stubber, after)
    expect_notification_read(s3_stubber, after)  # read back after writing
    expect_restore(s3_stubber, {"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}})
    failed, result = run_module(
        s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "sns_topic_arn": TOPIC_ARN}, diff=True
    )
    assert not failed, result
    assert result["notification"]["action"] == "added"
    # The one warning: a restore sent right after a notification change may produce no event (about five minutes
    # to take effect, facts sheet "Bucket notification configuration").
    (warning,) = result["warnings"]
    assert ("The bucket's notification configuration was changed by this run and 1 restore was sent right after it: S3 "
            "says a change usually takes about five minutes to take effect, so the topic may get no "
            "s3:ObjectRestore:Post event (and, for Expedited restores, no Completed event) for them. Set up the "
            "notification ahead of the restores, or set notification_wait=300.") in str(warning)
    assert result["diff"]["before"]["notification_configuration"] == EVENTBRIDGE_AND_LAMBDA
    assert result["diff"]["after"]["notification_configuration"] == after
    # Keys sorted for a readable diff.
    assert list(result["diff"]["after"]["notification_configuration"]) == sorted(after)


def test_a_change_between_read_and_write_is_merged_not_overwritten(s3_stubber, run_module):
    queue = {"Id": "new-queue", "QueueArn": "arn:aws:sqs:us-east-1:111122223333:q", "Events": ["s3:ObjectRemoved:*"]}
    changed_meanwhile = dict(EVENTBRIDGE_AND_LAMBDA, QueueConfigurations=[queue])
    after = dict(changed_meanwhile, TopicConfigurations=[OUR_TOPIC_CONFIGURATION])
    expect_head(s3_stubber, head("GLACIER", restore=ONGOING))
    expect_bucket_region(s3_stubber)
    expect_notification_read(s3_stubber, EVENTBRIDGE_AND_LAMBDA)
    expect_notification_read(s3_stubber, changed_meanwhile)
    expect_notification_write(s3_stubber, after)
    expect_notification_read(s3_stubber, after)
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "sns_topic_arn": TOPIC_ARN})
    assert not failed, result
    assert result["changed"] is True


def test_a_change_after_the_write_is_reported(s3_stubber, run_module):
    after = dict(EVENTBRIDGE_AND_LAMBDA, TopicConfigurations=[OUR_TOPIC_CONFIGURATION])
    replaced = {"TopicConfigurations": [OUR_TOPIC_CONFIGURATION]}  # another writer dropped the rest
    expect_head(s3_stubber, head("GLACIER", restore=ONGOING))
    expect_bucket_region(s3_stubber)
    expect_notification_read(s3_stubber, EVENTBRIDGE_AND_LAMBDA)
    expect_notification_read(s3_stubber, EVENTBRIDGE_AND_LAMBDA)
    expect_notification_write(s3_stubber, after)
    expect_notification_read(s3_stubber, replaced)
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "sns_topic_arn": TOPIC_ARN})
    assert not failed, result
    (warning,) = [str(warning) for warning in result["warnings"]]
    assert "LambdaFunctionConfigurations[0] (Id 'thumbnails')" in warning and "EventBridgeConfiguration" in warning


def test_our_events_still_missing_after_the_re_reads_fail_the_task_as_changed(
        s3_stubber, run_module, monkeypatch, fake_clock):
    # Bucket configurations are eventually consistent (facts sheet): one stale read is normal; a configuration that
    # stays without our events through every backed-off re-read is a failure, and the bucket was written.
    monkeypatch.setattr(restore_task, "time", fake_clock)
    after = dict(EVENTBRIDGE_AND_LAMBDA, TopicConfigurations=[OUR_TOPIC_CONFIGURATION])
    expect_head(s3_stubber, head("GLACIER", restore=ONGOING))
    expect_bucket_region(s3_stubber)
    expect_notification_read(s3_stubber, {})
    expect_notification_read(s3_stubber, EVENTBRIDGE_AND_LAMBDA)
    expect_notification_write(s3_stubber, after)
    for _read in range(6):
        expect_notification_read(s3_stubber, EVENTBRIDGE_AND_LAMBDA)
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "sns_topic_arn": TOPIC_ARN})
    assert failed
    assert "was written, but 6 reads over 30 seconds" in result["msg"]
    assert result["changed"] is True
    assert fake_clock.sleeps == [1, 2, 4, 8, 15]


def test_overlap_with_a_queue_writes_nothing_and_sends_no_restore(s3_stubber, run_module):
    queue = {
        "Id": "all-restores",
        "QueueArn": "arn:aws:sqs:us-east-1:111122223333:restores",
        "Events": ["s3:ObjectRestore:*"],
    }
    expect_head(s3_stubber, head("GLACIER"))
    expect_bucket_region(s3_stubber)
    expect_notification_read(s3_stubber, {"QueueConfigurations": [queue]})
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "sns_topic_arn": TOPIC_ARN})
    assert failed
    assert "'all-restores'" in result["msg"] and "arn:aws:sqs:us-east-1:111122223333:restores" in result["msg"]
    assert "Ways out" in result["msg"]
    assert result["notification_conflicts"][0]["id"] == "all-restores"


def test_s3_overlap_error_is_explained(s3_stubber, run_module):
    expect_head(s3_stubber, head("GLACIER"))
    expect_bucket_region(s3_stubber)
    expect_notification_read(s3_stubber, {})
    expect_notification_read(s3_stubber, {})
    s3_stubber.add_client_error(
        "put_bucket_notification_configuration", "InvalidArgument",
        "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are "
        "overlapping for the same event type.", 400,
    )
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "sns_topic_arn": TOPIC_ARN})
    assert failed
    assert "overlapping" in result["msg"] and "Nothing was changed" in result["msg"]


def test_destination_validation_failure_shows_the_policy_to_add(s3_stubber, run_module):
    expect_head(s3_stubber, head("GLACIER"))
    expect_bucket_region(s3_stubber)
    expect_notification_read(s3_stubber, {})
    expect_notification_read(s3_stubber, {})
    s3_stubber.add_client_error(
        "put_bucket_notification_configuration", "InvalidArgument",
        "Unable to validate the following destination configurations", 400,
    )
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "sns_topic_arn": TOPIC_ARN})
    assert failed
    # S3 publishes with the bucket owner's account, which the module does not know without expected_bucket_owner
    # (facts sheet, "Bucket notification configuration"): a placeholder, never the topic's account.
    for needed in (TOPIC_ARN, '"Service": "s3.amazonaws.com"', '"Action": "SNS:Publish"',
                   '"aws:SourceArn": "arn:aws:s3:::archive-bucket"', '"aws:SourceAccount": "<bucket owner account id>"'):
        assert needed in result["msg"], needed


def test_topic_in_another_region_than_the_bucket_is_refused_before_any_write(s3_stubber, run_module):
    expect_head(s3_stubber, head("GLACIER"))
    expect_bucket_region(s3_stubber, "eu-west-1")
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "sns_topic_arn": TOPIC_ARN})
    assert failed
    assert "is in us-east-1, but bucket archive-bucket is in eu-west-1" in result["msg"]


def test_a_restore_sent_before_a_failing_wait_is_still_reported(s3_stubber, run_module, monkeypatch, fake_clock):
    """The restore went out; a HEAD that fails while waiting must not hide that (changed, restore_requested)."""
    monkeypatch.setattr(restore_task, "time", fake_clock)
    expect_head(s3_stubber, head("GLACIER"))
    expect_restore(s3_stubber, {"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}})
    s3_stubber.add_client_error("head_object", "403", "Forbidden", 403)
    failed, result = run_module(
        s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "state": "restored", "wait_delay": 10}
    )
    assert failed
    assert result["changed"] is True
    assert result["summary"]["restore_requested"] == 1
    assert result["summary"]["failed"] == 1
    assert result["objects"][0]["action"] == "restore_requested"
    assert "needs the IAM permission s3:GetObject" in result["objects"][0]["error"]


def test_a_removal_of_our_configuration_waits_for_nothing_and_warns_of_nothing(
        s3_stubber, run_module, monkeypatch, fake_clock):
    # notification_wait and the propagation warning are about events routed to the topic; a removal routes none.
    monkeypatch.setattr(restore_task, "time", fake_clock)
    current = dict(EVENTBRIDGE_AND_LAMBDA, TopicConfigurations=[OUR_TOPIC_CONFIGURATION])
    expect_head(s3_stubber, head("GLACIER"))
    expect_notification_read(s3_stubber, current)
    expect_notification_read(s3_stubber, current)
    without_ours = dict(EVENTBRIDGE_AND_LAMBDA, TopicConfigurations=[])
    expect_notification_write(s3_stubber, without_ours)
    expect_notification_read(s3_stubber, without_ours)
    expect_restore(s3_stubber, {"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}})
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": KEY, "sns_topic_arn": TOPIC_ARN,
                                                         "notification_state": "absent", "notification_wait": 300})
    assert not failed, result["msg"]
    assert result["notification"]["action"] == "removed"
    assert "warnings" not in result
    assert fake_clock.sleeps == []
