# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""notification_task on botocore's Stubber: the scope of the restore events, and ensure_notification's sequence
(region check, read, plan, re-read, write, read back): the region refusal, an unchanged configuration, a change
by another writer merged before the write or noticed after it, check mode. A call not queued fails the test, so
"nothing written" is checked by queueing no write."""

from __future__ import annotations

import pytest

from ansible.module_utils.common import warnings as module_warnings
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.notification_task import ensure_notification
from ansible_collections.s3async.restore.plugins.module_utils.notification_task import restore_scope

BUCKET = "archive-bucket"
KEY = "db/dump"
TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:restore-events"
EVENTS = ["s3:ObjectRestore:Post", "s3:ObjectRestore:Completed"]
PARAMS = {"key": KEY, "prefix": None, "sns_topic_arn": TOPIC_ARN, "notification_events": EVENTS}
OURS = {"Id": "s3async-restore-restore-events", "TopicArn": TOPIC_ARN, "Events": EVENTS}
QUEUE = {"Id": "new-queue", "QueueArn": "arn:aws:sqs:us-east-1:111122223333:q", "Events": ["s3:ObjectRemoved:*"]}
LAMBDA = {"Id": "thumbnails", "LambdaFunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:thumbs",
          "Events": ["s3:ObjectCreated:*"]}


@pytest.fixture(autouse=True)
def no_warnings_carried_over():
    module_warnings._global_warnings.clear()  # pylint: disable=protected-access
    yield
    module_warnings._global_warnings.clear()  # pylint: disable=protected-access


def expect_region(stubber, region="us-east-1"):
    stubber.add_response("head_bucket", {"BucketRegion": region}, {"Bucket": BUCKET})


def expect_read(stubber, configuration):
    stubber.add_response("get_bucket_notification_configuration", configuration, {"Bucket": BUCKET})


def expect_write(stubber, configuration):
    stubber.add_response("put_bucket_notification_configuration", {},
                         {"Bucket": BUCKET, "NotificationConfiguration": configuration})


@pytest.mark.parametrize(
    "params, scope",
    [
        ({"key": KEY, "prefix": None}, {"keys": [KEY]}),
        ({"key": "folder/", "prefix": None}, {"keys": ["folder/"]}),
        ({"key": None, "prefix": "logs/"}, {"prefix": "logs/"}),
        ({"key": None, "prefix": ""}, {"prefix": ""}),  # the whole bucket
    ],
    ids=["key", "folder-key", "prefix", "whole-bucket"],
)
def test_restore_scope(params, scope):
    assert restore_scope(params) == scope


def test_a_topic_in_another_region_is_refused_before_anything_is_read(stubber, bucket):
    expect_region(stubber, "eu-west-1")
    with pytest.raises(TaskFailure) as raised:
        ensure_notification(bucket, PARAMS, False)
    assert raised.value.msg == (
        f"sns_topic_arn {TOPIC_ARN} is in us-east-1, but bucket {BUCKET} is in eu-west-1: S3 sends event "
        "notifications only to a topic in the bucket's region. Use a topic in eu-west-1 (it can forward to other "
        "regions through a subscription)."
    )


def test_an_unknown_bucket_region_lets_the_set_up_go_on(stubber, bucket):
    stubber.add_client_error("head_bucket", "403", "Forbidden", 403)
    expect_read(stubber, {"TopicConfigurations": [OURS]})
    changed, _result, _diff = ensure_notification(bucket, PARAMS, False)
    assert changed is False


@pytest.mark.parametrize(
    "current",
    [
        {"TopicConfigurations": [OURS]},
        {"TopicConfigurations": [dict(OURS, Id="someone-elses-id", Events=["s3:ObjectRestore:*"])]},
        {"TopicConfigurations": [OURS], "LambdaFunctionConfigurations": [LAMBDA], "EventBridgeConfiguration": {}},
    ],
    ids=["ours", "wildcard-under-another-id", "among-others"],
)
def test_an_unchanged_configuration_is_not_written(stubber, bucket, current):
    expect_region(stubber)
    expect_read(stubber, current)
    changed, result, diff = ensure_notification(bucket, PARAMS, False)
    assert changed is False
    assert result == {"topic_arn": TOPIC_ARN, "events": sorted(EVENTS), "action": "none",
                      "configuration_id": current["TopicConfigurations"][0]["Id"], "changed": False}
    assert diff["before"] == diff["after"] == current


def test_a_change_made_before_the_write_is_merged(stubber, bucket):
    meanwhile = {"QueueConfigurations": [QUEUE]}
    after = {"QueueConfigurations": [QUEUE], "TopicConfigurations": [OURS]}
    expect_region(stubber)
    expect_read(stubber, {})
    expect_read(stubber, meanwhile)  # re-read right before the write
    expect_write(stubber, after)
    expect_read(stubber, after)  # read back
    changed, result, diff = ensure_notification(bucket, PARAMS, False)
    assert changed is True
    assert (result["action"], result["configuration_id"], result["changed"]) == ("added", OURS["Id"], True)
    assert diff == {"before": meanwhile, "after": after}


def test_events_added_by_another_writer_before_the_write_need_no_write(stubber, bucket):
    expect_region(stubber)
    expect_read(stubber, {})
    expect_read(stubber, {"TopicConfigurations": [OURS]})
    changed, result, _diff = ensure_notification(bucket, PARAMS, False)
    assert changed is False
    assert result["action"] == "none"


def test_our_events_missing_on_read_back_fail_the_task(stubber, bucket):
    after = {"LambdaFunctionConfigurations": [LAMBDA], "TopicConfigurations": [OURS]}
    expect_region(stubber)
    expect_read(stubber, {"LambdaFunctionConfigurations": [LAMBDA]})
    expect_read(stubber, {"LambdaFunctionConfigurations": [LAMBDA]})
    expect_write(stubber, after)
    expect_read(stubber, {"LambdaFunctionConfigurations": [LAMBDA]})
    with pytest.raises(TaskFailure) as raised:
        ensure_notification(bucket, PARAMS, False)
    assert raised.value.msg == (
        f"The notification configuration of bucket {BUCKET} was changed by another writer while this task wrote it: "
        f"the restore events for {TOPIC_ARN} are missing now. Run the task again."
    )


def test_others_missing_on_read_back_are_warned_about(stubber, bucket):
    after = {"LambdaFunctionConfigurations": [LAMBDA], "TopicConfigurations": [OURS]}
    expect_region(stubber)
    expect_read(stubber, {"LambdaFunctionConfigurations": [LAMBDA]})
    expect_read(stubber, {"LambdaFunctionConfigurations": [LAMBDA]})
    expect_write(stubber, after)
    expect_read(stubber, {"TopicConfigurations": [OURS]})
    changed, _result, _diff = ensure_notification(bucket, PARAMS, False)
    assert changed is True
    (warning,) = module_warnings.get_warning_messages()
    assert "LambdaFunctionConfigurations[0] (Id 'thumbnails')" in warning


@pytest.mark.parametrize(
    "current, action",
    [({}, "added"), ({"TopicConfigurations": [dict(OURS, Events=["s3:ObjectRestore:Post"])]}, "appended")],
    ids=["add", "append"],
)
def test_check_mode_writes_nothing(stubber, bucket, current, action):
    expect_region(stubber)
    expect_read(stubber, current)  # one read, no re-read, no write
    changed, result, diff = ensure_notification(bucket, PARAMS, True)
    assert changed is True
    assert result["action"] == action
    assert diff["before"] == current
    assert diff["after"]["TopicConfigurations"][0]["Events"] == EVENTS


def test_an_overlap_with_another_destination_is_refused_without_a_write(stubber, bucket):
    queue = {"Id": "all-restores", "QueueArn": "arn:aws:sqs:us-east-1:111122223333:restores",
             "Events": ["s3:ObjectRestore:*"]}
    expect_region(stubber)
    expect_read(stubber, {"QueueConfigurations": [queue]})
    with pytest.raises(TaskFailure) as raised:
        ensure_notification(bucket, PARAMS, False)
    assert "'all-restores'" in raised.value.msg
    assert raised.value.result["notification_conflicts"][0]["id"] == "all-restores"
