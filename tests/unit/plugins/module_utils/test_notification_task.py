# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""notification_task on botocore's Stubber: the scope of the restore events, and ensure_notification's sequence
(partition and region check, read, plan, re-read, write, read back): the partition and region refusals, an
unchanged configuration, a change by another writer merged before the write or noticed after it, a stale read-back
(moto's reads are strongly consistent; S3's bucket configurations are not: facts sheet, "Propagation and
consistency"), the failure after a write carrying changed, the narrowest addition, notification_state=absent, check
mode. A call not queued fails the test, so "nothing written" is checked by queueing no write."""

from __future__ import annotations

import copy

import pytest

from ansible.module_utils.common import warnings as module_warnings
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.notification_task import ensure_notification
from ansible_collections.s3async.restore.plugins.module_utils.notification_task import restore_scope

BUCKET = "archive-bucket"
KEY = "db/dump"
TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:restore-events"
EVENTS = ["s3:ObjectRestore:Post", "s3:ObjectRestore:Completed"]
PARAMS = {"key": KEY, "prefix": None, "sns_topic_arn": TOPIC_ARN, "notification_events": EVENTS, "notification_state": "present"}
ABSENT = dict(PARAMS, notification_state="absent")
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
        ({"key": None, "prefix": None, "keys": ["db/2026/a", {"key": "db/2026/b", "version_id": "v1"}, "db/2025/c"]},
         {"prefix": "db/202"}),  # the keys' longest common prefix
        ({"key": None, "prefix": None, "keys": ["db/a", "logs/b"]}, {"prefix": ""}),  # nothing in common
        ({"key": None, "prefix": None, "keys": None, "manifest": "keys.txt"}, {"prefix": ""}),  # read only later
    ],
    ids=["key", "folder-key", "prefix", "whole-bucket", "keys", "keys-apart", "manifest"],
)
def test_restore_scope(params, scope):
    assert restore_scope(params) == scope


def test_a_topic_in_another_region_is_refused_before_anything_is_read(stubber, bucket, fake_clock):
    expect_region(stubber, "eu-west-1")
    with pytest.raises(TaskFailure) as raised:
        ensure_notification(bucket, PARAMS, False, fake_clock)
    assert raised.value.msg == (
        f"sns_topic_arn {TOPIC_ARN} is in us-east-1, but bucket {BUCKET} is in eu-west-1: S3 sends event "
        "notifications only to a topic in the bucket's region. Use a topic in eu-west-1 (it can forward to other "
        "regions through a subscription)."
    )


def test_an_unknown_bucket_region_lets_the_set_up_go_on(stubber, bucket, fake_clock):
    stubber.add_client_error("head_bucket", "403", "Forbidden", 403)
    expect_read(stubber, {"TopicConfigurations": [OURS]})
    changed, _result, _diff = ensure_notification(bucket, PARAMS, False, fake_clock)
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
def test_an_unchanged_configuration_is_not_written(stubber, bucket, current, fake_clock):
    expect_region(stubber)
    expect_read(stubber, current)
    changed, result, diff = ensure_notification(bucket, PARAMS, False, fake_clock)
    assert changed is False
    # The events as configured: the wildcard as the wildcard.
    configured = sorted(current["TopicConfigurations"][0]["Events"])
    assert result == {"topic_arn": TOPIC_ARN, "events": configured, "action": "none",
                      "configuration_id": current["TopicConfigurations"][0]["Id"], "changed": False}
    assert diff["before"] == diff["after"] == current


def test_a_change_made_before_the_write_is_merged(stubber, bucket, fake_clock):
    meanwhile = {"QueueConfigurations": [QUEUE]}
    after = {"QueueConfigurations": [QUEUE], "TopicConfigurations": [OURS]}
    expect_region(stubber)
    expect_read(stubber, {})
    expect_read(stubber, meanwhile)  # re-read right before the write
    expect_write(stubber, after)
    expect_read(stubber, after)  # read back
    changed, result, diff = ensure_notification(bucket, PARAMS, False, fake_clock)
    assert changed is True
    assert (result["action"], result["configuration_id"], result["changed"]) == ("added", OURS["Id"], True)
    assert diff == {"before": meanwhile, "after": after}


def test_events_added_by_another_writer_before_the_write_need_no_write(stubber, bucket, fake_clock):
    expect_region(stubber)
    expect_read(stubber, {})
    expect_read(stubber, {"TopicConfigurations": [OURS]})
    changed, result, _diff = ensure_notification(bucket, PARAMS, False, fake_clock)
    assert changed is False
    assert result["action"] == "none"


def test_a_stale_read_back_is_read_again_until_the_write_shows(stubber, bucket, fake_clock):
    """S3's bucket configurations are eventually consistent: the old configuration read right after the write is
    normal, not another writer (facts sheet, "Propagation and consistency"; moto cannot show it)."""
    old = {"LambdaFunctionConfigurations": [LAMBDA]}
    after = {"LambdaFunctionConfigurations": [LAMBDA], "TopicConfigurations": [OURS]}
    expect_region(stubber)
    expect_read(stubber, old)
    expect_read(stubber, old)
    expect_write(stubber, after)
    expect_read(stubber, old)  # stale
    expect_read(stubber, old)  # still stale
    expect_read(stubber, after)
    changed, result, _diff = ensure_notification(bucket, PARAMS, False, fake_clock)
    assert (changed, result["action"], result["changed"]) == (True, "added", True)
    assert fake_clock.sleeps == [1, 2]
    assert module_warnings.get_warning_messages() == ()


def test_our_events_missing_after_the_re_reads_fail_the_task_as_changed(stubber, bucket, fake_clock):
    old = {"LambdaFunctionConfigurations": [LAMBDA]}
    after = {"LambdaFunctionConfigurations": [LAMBDA], "TopicConfigurations": [OURS]}
    expect_region(stubber)
    expect_read(stubber, old)
    expect_read(stubber, old)
    expect_write(stubber, after)
    for _read in range(6):  # at once, then after 1, 2, 4, 8 and 15 seconds: 30 in all
        expect_read(stubber, old)
    with pytest.raises(TaskFailure) as raised:
        ensure_notification(bucket, PARAMS, False, fake_clock)
    assert fake_clock.sleeps == [1, 2, 4, 8, 15]
    assert raised.value.msg == (
        f"The notification configuration of bucket {BUCKET} was written, but 6 reads over 30 seconds still show the "
        f"configuration without the restore events for {TOPIC_ARN}. Bucket configurations are eventually consistent, so a read right after "
        "a write can return the previous configuration for a while; one that stays so most likely means another writer "
        "replaced the configuration meanwhile. Run the task again: it writes nothing if the configuration is right by then."
    )
    # The bucket was written: the failure says so.
    assert raised.value.result == {
        "changed": True,
        "notification": {"topic_arn": TOPIC_ARN, "events": sorted(EVENTS), "action": "added",
                         "configuration_id": OURS["Id"], "changed": True},
    }


@pytest.mark.parametrize(
    "code, status, fragment",
    [("SlowDown", 503, "reading it back failed (SlowDown: "), ("AccessDenied", 403, "s3:GetBucketNotification")],
    ids=["error", "denied"],
)
def test_a_failed_read_back_fails_the_task_as_changed(stubber, bucket, fake_clock, code, status, fragment):
    after = {"TopicConfigurations": [OURS]}
    expect_region(stubber)
    expect_read(stubber, {})
    expect_read(stubber, {})
    expect_write(stubber, after)
    stubber.add_client_error("get_bucket_notification_configuration", code, "no", status)
    with pytest.raises(TaskFailure) as raised:
        ensure_notification(bucket, PARAMS, False, fake_clock)
    assert fragment in raised.value.msg
    assert raised.value.result["changed"] is True
    assert raised.value.result["notification"]["action"] == "added"


def test_an_overlap_appearing_on_read_back_is_read_again_then_fails_as_changed(stubber, bucket, fake_clock):
    """Another writer's unfiltered queue for the restore events read back: our events are not there; the planner's
    overlap refusal on the read-back is not the task's failure message, and the failure carries changed."""
    queue = {"Id": "all-restores", "QueueArn": "arn:aws:sqs:us-east-1:111122223333:restores", "Events": ["s3:ObjectRestore:*"]}
    expect_region(stubber)
    expect_read(stubber, {})
    expect_read(stubber, {})
    expect_write(stubber, {"TopicConfigurations": [OURS]})
    for _read in range(6):
        expect_read(stubber, {"QueueConfigurations": [queue]})
    with pytest.raises(TaskFailure) as raised:
        ensure_notification(bucket, PARAMS, False, fake_clock)
    assert raised.value.msg.startswith(f"The notification configuration of bucket {BUCKET} was written, but 6 reads")
    assert raised.value.result["changed"] is True


def test_others_missing_on_read_back_are_warned_about(stubber, bucket, fake_clock):
    after = {"LambdaFunctionConfigurations": [LAMBDA], "TopicConfigurations": [OURS]}
    expect_region(stubber)
    expect_read(stubber, {"LambdaFunctionConfigurations": [LAMBDA]})
    expect_read(stubber, {"LambdaFunctionConfigurations": [LAMBDA]})
    expect_write(stubber, after)
    expect_read(stubber, {"TopicConfigurations": [OURS]})
    changed, _result, _diff = ensure_notification(bucket, PARAMS, False, fake_clock)
    assert changed is True
    assert fake_clock.sleeps == []
    (warning,) = module_warnings.get_warning_messages()
    assert "LambdaFunctionConfigurations[0] (Id 'thumbnails')" in warning


@pytest.mark.parametrize(
    "current, action",
    [({}, "added"), ({"TopicConfigurations": [dict(OURS, Events=["s3:ObjectRestore:Post"])]}, "appended")],
    ids=["add", "append"],
)
def test_check_mode_writes_nothing(stubber, bucket, current, action, fake_clock):
    expect_region(stubber)
    expect_read(stubber, current)  # one read, no re-read, no write
    changed, result, diff = ensure_notification(bucket, PARAMS, True, fake_clock)
    assert changed is True
    assert result["action"] == action
    assert diff["before"] == current
    assert diff["after"]["TopicConfigurations"][0]["Events"] == EVENTS


def test_an_overlap_with_another_destination_is_refused_without_a_write(stubber, bucket, fake_clock):
    queue = {"Id": "all-restores", "QueueArn": "arn:aws:sqs:us-east-1:111122223333:restores",
             "Events": ["s3:ObjectRestore:*"]}
    expect_region(stubber)
    expect_read(stubber, {"QueueConfigurations": [queue]})
    with pytest.raises(TaskFailure) as raised:
        ensure_notification(bucket, PARAMS, False, fake_clock)
    assert "'all-restores'" in raised.value.msg
    assert raised.value.result["notification_conflicts"][0]["id"] == "all-restores"


# -- partitions -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head, topic_arn, message",
    [
        pytest.param(
            {"BucketRegion": "us-east-1"}, "arn:aws-cn:sns:cn-north-1:111122223333:restore-events",
            f"sns_topic_arn arn:aws-cn:sns:cn-north-1:111122223333:restore-events is in partition aws-cn, but bucket {BUCKET} "
            "is in us-east-1, in partition aws: S3 sends event notifications only to a topic in the bucket's own partition "
            "and region. Use a topic ARN of the form arn:aws:sns:us-east-1:<account id>:<topic name>.",
            id="china-topic-commercial-bucket",
        ),
        pytest.param(
            {"BucketRegion": "us-gov-west-1"}, TOPIC_ARN,
            f"sns_topic_arn {TOPIC_ARN} is in partition aws, but bucket {BUCKET} is in us-gov-west-1, in partition aws-us-gov: "
            "S3 sends event notifications only to a topic in the bucket's own partition and region. Use a topic ARN of the "
            "form arn:aws-us-gov:sns:us-gov-west-1:<account id>:<topic name>.",
            id="commercial-topic-govcloud-bucket",
        ),
        pytest.param(
            None, "arn:aws-iso:sns:us-iso-east-1:111122223333:restore-events",
            f"sns_topic_arn arn:aws-iso:sns:us-iso-east-1:111122223333:restore-events is in partition aws-iso, but bucket "
            f"{BUCKET} is reached through region us-east-1, in partition aws: S3 sends event notifications only to a topic "
            "in the bucket's own partition and region. Use a topic ARN of the form arn:aws:sns:us-east-1:<account id>:<topic name>.",
            id="bucket-region-unknown-client-region-tells",
        ),
    ],
)
def test_a_topic_in_another_partition_is_refused_before_anything_is_read(stubber, bucket, fake_clock, head, topic_arn, message):
    if head is None:
        stubber.add_client_error("head_bucket", "403", "Forbidden", 403)
    else:
        stubber.add_response("head_bucket", head, {"Bucket": BUCKET})
    with pytest.raises(TaskFailure) as raised:
        ensure_notification(bucket, dict(PARAMS, sns_topic_arn=topic_arn), False, fake_clock)
    assert raised.value.msg == message


# -- the narrowest addition, events as configured --------------------------------------------------------------


def test_an_overlapping_queue_on_another_prefix_gets_the_narrowest_addition(stubber, bucket, fake_clock):
    """Issue 11's example: a queue with s3:ObjectRestore:* on logs/ no longer stops a restore of db/."""
    queue = {"Id": "logs-restores", "QueueArn": "arn:aws:sqs:us-east-1:111122223333:logs", "Events": ["s3:ObjectRestore:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "logs/"}]}}}
    ours = dict(OURS, Filter={"Key": {"FilterRules": [{"Name": "prefix", "Value": "db/"}]}})
    after = {"QueueConfigurations": [queue], "TopicConfigurations": [ours]}
    expect_region(stubber)
    expect_read(stubber, {"QueueConfigurations": [queue]})
    expect_read(stubber, {"QueueConfigurations": [queue]})
    expect_write(stubber, after)
    # S3 returns the rule name capitalised.
    expect_read(stubber, {"QueueConfigurations": [queue], "TopicConfigurations": [
        dict(OURS, Filter={"Key": {"FilterRules": [{"Name": "Prefix", "Value": "db/"}]}})]})
    changed, result, diff = ensure_notification(bucket, dict(PARAMS, key=None, prefix="db/"), False, fake_clock)
    assert (changed, result["action"], result["configuration_id"]) == (True, "added", OURS["Id"])
    assert diff["after"] == after
    assert module_warnings.get_warning_messages() == ()


def test_the_wildcard_asked_for_is_reported_as_configured(stubber, bucket, fake_clock):
    """Issue 17: the topic already receives the three members: nothing is written, and events say what is there."""
    current = {"TopicConfigurations": [dict(OURS, Events=["s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete"])]}
    expect_region(stubber)
    expect_read(stubber, current)
    changed, result, _diff = ensure_notification(bucket, dict(PARAMS, notification_events=["s3:ObjectRestore:*"]), False, fake_clock)
    assert changed is False
    assert result["events"] == ["s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete", "s3:ObjectRestore:Post"]


# -- notification_state=absent --------------------------------------------------------------------------------

OTHER_TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:audit"
OURS_OTHER = {"Id": "s3async-restore-audit", "TopicArn": OTHER_TOPIC_ARN, "Events": ["s3:ObjectRestore:*"]}
SOMEONE_ELSES = {"Id": "someone-elses", "TopicArn": TOPIC_ARN, "Events": ["s3:ObjectRestore:Delete"]}


@pytest.mark.parametrize(
    "params, removed, kept",
    [
        pytest.param(ABSENT, [OURS["Id"]], [SOMEONE_ELSES, OURS_OTHER], id="this-topic"),
        pytest.param(dict(ABSENT, sns_topic_arn=None), [OURS["Id"], OURS_OTHER["Id"]], [SOMEONE_ELSES], id="all-of-ours"),
    ],
)
def test_absent_removes_only_ours(stubber, bucket, fake_clock, params, removed, kept):
    current = {"TopicConfigurations": [SOMEONE_ELSES, OURS, OURS_OTHER], "QueueConfigurations": [QUEUE], "EventBridgeConfiguration": {}}
    after = {"TopicConfigurations": kept, "QueueConfigurations": [QUEUE], "EventBridgeConfiguration": {}}
    expect_read(stubber, current)  # no region check: a removal sends nothing to the topic
    expect_read(stubber, current)
    expect_write(stubber, after)
    expect_read(stubber, after)
    changed, result, diff = ensure_notification(bucket, params, False, fake_clock)
    assert changed is True
    assert result == {"topic_arn": params["sns_topic_arn"], "events": ["s3:ObjectRestore:Delete"] if params["sns_topic_arn"] else [],
                      "action": "removed", "configuration_id": "", "removed": removed, "changed": True}
    assert diff == {"before": current, "after": after}


def test_absent_in_check_mode_writes_nothing_and_shows_the_diff(stubber, bucket, fake_clock):
    current = {"TopicConfigurations": [OURS], "LambdaFunctionConfigurations": [LAMBDA]}
    expect_read(stubber, current)  # one read, no write
    changed, result, diff = ensure_notification(bucket, ABSENT, True, fake_clock)
    assert (changed, result["action"], result["removed"]) == (True, "removed", [OURS["Id"]])
    assert diff == {"before": current, "after": {"TopicConfigurations": [], "LambdaFunctionConfigurations": [LAMBDA]}}


def test_absent_with_nothing_of_ours_writes_nothing(stubber, bucket, fake_clock):
    current = {"TopicConfigurations": [SOMEONE_ELSES]}
    expect_read(stubber, current)
    changed, result, diff = ensure_notification(bucket, dict(ABSENT, sns_topic_arn=None), False, fake_clock)
    assert (changed, result["action"], result["removed"]) == (False, "none", [])
    assert diff["before"] == diff["after"] == current


def test_absent_with_a_stale_read_back_is_read_again(stubber, bucket, fake_clock):
    current = {"TopicConfigurations": [OURS]}
    expect_read(stubber, current)
    expect_read(stubber, current)
    expect_write(stubber, {"TopicConfigurations": []})
    expect_read(stubber, current)  # stale
    expect_read(stubber, {})
    changed, _result, _diff = ensure_notification(bucket, ABSENT, False, fake_clock)
    assert changed is True
    assert fake_clock.sleeps == [1]


def test_absent_still_there_after_the_re_reads_fails_as_changed(stubber, bucket, fake_clock):
    current = {"TopicConfigurations": [OURS]}
    expect_read(stubber, current)
    expect_read(stubber, current)
    expect_write(stubber, {"TopicConfigurations": []})
    for _read in range(6):
        expect_read(stubber, copy.deepcopy(current))
    with pytest.raises(TaskFailure) as raised:
        ensure_notification(bucket, ABSENT, False, fake_clock)
    assert f"6 reads over 30 seconds still show this collection's configuration(s) '{OURS['Id']}'. Bucket" in raised.value.msg
    assert raised.value.result["changed"] is True
    assert raised.value.result["notification"]["removed"] == [OURS["Id"]]


def test_moving_to_another_topic_is_refused_pointing_to_absent(stubber, bucket, fake_clock):
    expect_region(stubber)
    expect_read(stubber, {"TopicConfigurations": [dict(OURS_OTHER, Events=EVENTS)]})
    with pytest.raises(TaskFailure) as raised:
        ensure_notification(bucket, PARAMS, False, fake_clock)
    assert f"run with notification_state=absent and sns_topic_arn={OTHER_TOPIC_ARN}" in raised.value.msg
    assert "changed" not in raised.value.result


def test_a_write_s3_cannot_validate_changes_nothing(stubber, bucket, fake_clock):
    gone = "arn:aws:sqs:us-east-1:111122223333:gone"
    current = {"QueueConfigurations": [dict(QUEUE, QueueArn=gone)]}
    expect_region(stubber)
    expect_read(stubber, current)
    expect_read(stubber, current)
    stubber.add_client_error("put_bucket_notification_configuration", "InvalidArgument",
                             "Unable to validate the following destination configurations", 400,
                             service_error_meta={"ArgumentName1": gone, "ArgumentValue1": "The destination queue does not exist"})
    with pytest.raises(TaskFailure) as raised:
        ensure_notification(bucket, PARAMS, False, fake_clock)
    assert f"  - {gone} (configuration 'new-queue'): The destination queue does not exist" in raised.value.msg
    assert "changed" not in raised.value.result
