# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_object_restore through main() against moto's in-process S3 (GLACIER, DEEP_ARCHIVE and STANDARD objects).

moto is faithful for: storage classes, GetObject's 403 on archived objects, the Restore header, the 202 of a
first restore, notification configuration round trips. It completes restores at once and never answers 409, so
these tests assert only what holds on AWS too (see tests/unit/plugins/modules/test_s3_object_restore_stubbed.py).
"""

from __future__ import annotations

import pytest

from ansible_collections.s3async.restore.plugins.modules import s3_object_restore

BUCKET = "archive-bucket"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:restore-events"


def put(s3, key, storage_class="GLACIER"):
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"payload", StorageClass=storage_class)


@pytest.mark.parametrize("storage_class", ["GLACIER", "DEEP_ARCHIVE"])
def test_first_run_requests_restore_second_run_sends_nothing(s3, run_module, restore_calls, storage_class):
    put(s3, "db/dump", storage_class)
    args = {"bucket": BUCKET, "key": "db/dump", "days": 3, "tier": "Bulk"}

    failed, first = run_module(s3_object_restore.main, args)
    assert not failed
    assert first["changed"] is True
    (obj,) = first["objects"]
    assert obj["action"] == "restore_requested"
    assert obj["status"] == "in_progress"
    assert obj["storage_class"] == storage_class
    assert obj["size"] == len(b"payload")
    assert first["summary"]["restore_requested"] == 1
    assert restore_calls == [("db/dump", {"Days": 3, "GlacierJobParameters": {"Tier": "Bulk"}}, None)]
    # S3 itself now shows a restore (running on AWS; moto completes it at once).
    assert "Restore" in s3.head_object(Bucket=BUCKET, Key="db/dump")

    failed, second = run_module(s3_object_restore.main, args)
    assert not failed
    assert second["changed"] is False
    assert second["objects"][0]["action"] == "none"
    assert second["objects"][0]["status"] in ("in_progress", "restored")
    assert len(restore_calls) == 1, "a second run must never re-send a restore (it would reset the expiry)"


@pytest.mark.parametrize("storage_class", ["STANDARD", "STANDARD_IA", "GLACIER_IR", "INTELLIGENT_TIERING"])
def test_readable_objects_are_left_alone(s3, run_module, restore_calls, storage_class):
    put(s3, "live", storage_class)
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": "live"})
    assert not failed
    assert result["changed"] is False
    assert result["objects"][0]["status"] == "not_archived"
    assert result["objects"][0]["storage_class"] == storage_class
    assert restore_calls == []


def test_check_mode_sends_nothing_and_reports_the_change(s3, run_module, restore_calls):
    put(s3, "cold")
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": "cold"}, check_mode=True)
    assert not failed
    assert result["changed"] is True
    assert result["objects"][0]["action"] == "restore_requested"
    assert result["objects"][0]["status"] == "archived"
    assert restore_calls == []
    assert "Restore" not in s3.head_object(Bucket=BUCKET, Key="cold")


def test_restored_state_waits_until_readable(s3, run_module):
    put(s3, "cold")
    failed, result = run_module(
        s3_object_restore.main, {"bucket": BUCKET, "key": "cold", "state": "restored", "wait_delay": 1}
    )
    assert not failed
    assert result["changed"] is True
    assert result["objects"][0]["status"] == "restored"
    assert result["objects"][0]["expiry_date"].endswith("Z")
    assert result["waited"] >= 0


def test_version_id_reads_that_version(s3, run_module, restore_calls):
    # Check mode: moto ignores VersionId on RestoreObject (it would restore the current version), so what is
    # sent with it is asserted against the Stubber instead; HEAD with VersionId is faithful.
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=BUCKET, Key="v", Body=b"old", StorageClass="GLACIER")["VersionId"]
    s3.put_object(Bucket=BUCKET, Key="v", Body=b"new-version", StorageClass="STANDARD")
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": "v", "version_id": old}, check_mode=True)
    assert not failed, result
    assert result["objects"][0]["version_id"] == old
    assert result["objects"][0]["storage_class"] == "GLACIER"
    assert result["objects"][0]["size"] == 3
    assert result["objects"][0]["action"] == "restore_requested"
    assert restore_calls == []


@pytest.mark.parametrize(
    "args, message",
    [
        ({"key": "nope"}, "Key 'nope' not found in bucket 'archive-bucket'"),
        ({"bucket": "no-such-bucket", "key": "x"}, "Bucket 'no-such-bucket' does not exist"),
        ({"key": "cold", "days": 0}, "days must be 1 or more"),
        ({"key": "cold", "sns_topic_arn": "restore-events"}, "sns_topic_arn"),
        ({"key": ""}, "key must name an object"),
    ],
    ids=["missing-key", "missing-bucket", "days-zero", "malformed-arn", "empty-key"],
)
def test_bad_input_fails_clearly_before_any_change(s3, run_module, restore_calls, args, message):
    put(s3, "cold")
    failed, result = run_module(s3_object_restore.main, dict({"bucket": BUCKET}, **args))
    assert failed
    assert message in result["msg"]
    assert restore_calls == []
    assert "Restore" not in s3.head_object(Bucket=BUCKET, Key="cold")
    assert "TopicConfigurations" not in s3.get_bucket_notification_configuration(Bucket=BUCKET)


def test_deep_archive_refuses_expedited_before_sending(s3, run_module, restore_calls):
    put(s3, "deep", "DEEP_ARCHIVE")
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": "deep", "tier": "Expedited"})
    assert failed
    assert "Expedited is not available" in result["msg"] and "Deep Archive" in result["msg"]
    assert restore_calls == []


def test_topic_is_configured_before_restore_and_other_settings_kept(s3, run_module, restore_calls):
    put(s3, "cold")
    queue = {
        "Id": "uploads-to-queue",
        "QueueArn": "arn:aws:sqs:us-east-1:123456789012:uploads",
        "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"}]}},
    }
    s3.put_bucket_notification_configuration(Bucket=BUCKET, NotificationConfiguration={"QueueConfigurations": [queue]})
    args = {"bucket": BUCKET, "key": "cold", "sns_topic_arn": TOPIC_ARN}

    failed, result = run_module(s3_object_restore.main, args, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["notification"]["action"] == "added"
    assert result["notification"]["changed"] is True
    configuration = s3.get_bucket_notification_configuration(Bucket=BUCKET)
    assert configuration["QueueConfigurations"] == [queue]
    (topic,) = configuration["TopicConfigurations"]
    assert topic["TopicArn"] == TOPIC_ARN
    assert sorted(topic["Events"]) == ["s3:ObjectRestore:Completed", "s3:ObjectRestore:Post"]
    assert topic["Id"] == result["notification"]["configuration_id"]
    assert "TopicConfigurations" not in result["diff"]["before"]["notification_configuration"]
    assert result["diff"]["after"]["notification_configuration"]["TopicConfigurations"][0]["TopicArn"] == TOPIC_ARN
    assert result["diff"]["before"]["objects"] == {"cold": "archived"}
    assert result["diff"]["after"]["objects"] == {"cold": "in_progress"}

    failed, again = run_module(s3_object_restore.main, args)
    assert not failed
    assert again["changed"] is False
    assert again["notification"]["action"] == "none"
    assert s3.get_bucket_notification_configuration(Bucket=BUCKET)["TopicConfigurations"] == [topic]
    assert len(restore_calls) == 1


def test_topic_configuration_with_post_only_is_appended_to(s3, run_module):
    put(s3, "plain", "STANDARD")
    s3.put_bucket_notification_configuration(
        Bucket=BUCKET,
        NotificationConfiguration={
            "TopicConfigurations": [{"Id": "mine", "TopicArn": TOPIC_ARN, "Events": ["s3:ObjectRestore:Post"]}]
        },
    )
    failed, result = run_module(s3_object_restore.main, {"bucket": BUCKET, "key": "plain", "sns_topic_arn": TOPIC_ARN})
    assert not failed
    assert result["changed"] is True
    assert result["notification"] == {
        "topic_arn": TOPIC_ARN,
        "events": ["s3:ObjectRestore:Completed", "s3:ObjectRestore:Post"],
        "action": "appended",
        "configuration_id": "mine",
        "changed": True,
    }
    (topic,) = s3.get_bucket_notification_configuration(Bucket=BUCKET)["TopicConfigurations"]
    assert topic["Id"] == "mine"
    assert sorted(topic["Events"]) == ["s3:ObjectRestore:Completed", "s3:ObjectRestore:Post"]


def test_check_mode_leaves_notification_configuration_alone(s3, run_module):
    put(s3, "cold")
    failed, result = run_module(
        s3_object_restore.main, {"bucket": BUCKET, "key": "cold", "sns_topic_arn": TOPIC_ARN}, check_mode=True, diff=True
    )
    assert not failed
    assert result["changed"] is True
    assert result["notification"]["action"] == "added"
    assert "TopicConfigurations" in result["diff"]["after"]["notification_configuration"]
    assert "TopicConfigurations" not in s3.get_bucket_notification_configuration(Bucket=BUCKET)
