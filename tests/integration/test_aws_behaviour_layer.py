# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS behaviour layer (aws_behaviour.py) models each row of the facts sheet it claims to, as botocore sees it.

Every test here sends real S3 requests through the layer to the session's moto_server with boto3 (retries off, so
that each answer is the layer's own), on a clock the test moves: nothing sleeps. Each test names the facts-sheet
row it checks ("facts sheet" is the project's AWS S3 restore facts; the letters are the layer's, see its docstring).
"""

from __future__ import annotations

import datetime
import socket
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies

import aws_behaviour
from aws_behaviour import AwsBehaviour
from aws_behaviour import EventRule

REGION = "us-east-1"
UTC = datetime.timezone.utc
# 10:30 UTC on a Tuesday: expiries computed from here must land on a midnight.
START = datetime.datetime(2026, 12, 1, 10, 30, tzinfo=UTC).timestamp()


class Clock:
    """The layer's clock: epoch seconds, moved by the test."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def layer(moto_endpoint, clock):
    with AwsBehaviour(moto_endpoint, clock=clock) as started:
        started.restore_seconds.update(Expedited=60, Standard=3600, Bulk=5 * 3600)
        yield started


@pytest.fixture
def s3(layer):
    """S3 through the layer, one attempt per call: the layer's answer is what the test sees."""
    return boto3.client("s3", region_name=REGION, endpoint_url=layer.endpoint, aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def direct(aws):
    """S3 straight at moto_server, for seeding."""
    return aws("s3")


def put(direct, bucket, key, storage_class):
    direct.put_object(Bucket=bucket, Key=key, Body=b"body", StorageClass=storage_class)


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response


def at(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- (j) expiry rounded up to midnight UTC ---------------------------------------------------------------------


@pytest.mark.parametrize(("completed", "days", "expiry"), [
    (at(2026, 12, 1, 10, 30), 1, at(2026, 12, 3)),
    (at(2026, 12, 1, 10, 30), 3, at(2026, 12, 5)),
    (at(2026, 12, 1, 23, 59), 1, at(2026, 12, 3)),
    (at(2026, 12, 1, 0, 0), 1, at(2026, 12, 2)),  # already a midnight: nothing to round
    (at(2026, 12, 31, 12, 0), 1, at(2027, 1, 2)),
])
def test_expiry_is_completion_plus_days_rounded_up_to_midnight_utc(completed, days, expiry):
    """Facts sheet, HeadObject "Restore" row: "rounded up to the next midnight UTC"; moto row "expiry-date": moto
    does not round."""
    assert aws_behaviour.expiry_after(completed.timestamp(), days) == expiry.timestamp()


# -- (e) restores that stay in progress ------------------------------------------------------------------------


def test_restore_stays_in_progress_then_shows_the_rounded_expiry(layer, s3, direct, bucket, clock):
    """Facts sheet, RestoreObject "202 Accepted" and HeadObject "Restore" rows; moto row "restore completes:
    instantly"."""
    put(direct, bucket, "cold.bin", "GLACIER")
    answer = s3.restore_object(Bucket=bucket, Key="cold.bin", RestoreRequest={"Days": 3})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.head_object(Bucket=bucket, Key="cold.bin")["Restore"] == 'ongoing-request="true"'
    clock.advance(3599)
    assert s3.head_object(Bucket=bucket, Key="cold.bin")["Restore"] == 'ongoing-request="true"'
    clock.advance(1)  # Standard: one hour here; done at 11:30, + 3 days, rounded up
    assert s3.head_object(Bucket=bucket, Key="cold.bin")["Restore"] == \
        'ongoing-request="false", expiry-date="Sat, 05 Dec 2026 00:00:00 GMT"'
    assert s3.head_object(Bucket=bucket, Key="cold.bin")["StorageClass"] == "GLACIER"


def test_object_is_unreadable_until_the_restore_is_done(layer, s3, direct, bucket, clock):
    """Facts sheet, "GetObject on an archived, unrestored object: 403 InvalidObjectState" (and CopyObject's 403
    ObjectNotInActiveTierError): while a restore runs, moto would already serve the body."""
    put(direct, bucket, "cold.bin", "DEEP_ARCHIVE")
    s3.restore_object(Bucket=bucket, Key="cold.bin", RestoreRequest={"Days": 1})
    error = error_of(s3.get_object, Bucket=bucket, Key="cold.bin")
    assert error["Error"]["Code"] == "InvalidObjectState"
    assert error["StorageClass"] == "DEEP_ARCHIVE"
    error = error_of(s3.copy_object, Bucket=bucket, Key="copy.bin", CopySource={"Bucket": bucket, "Key": "cold.bin"})
    assert error["Error"]["Code"] == "ObjectNotInActiveTierError"
    clock.advance(3600)
    assert s3.get_object(Bucket=bucket, Key="cold.bin")["Body"].read() == b"body"
    s3.copy_object(Bucket=bucket, Key="copy.bin", CopySource={"Bucket": bucket, "Key": "cold.bin"})


@pytest.mark.parametrize(("tier", "days", "status"), [
    ("Bulk", 3, 409),  # the same tier: nothing to upgrade
    ("Standard", 3, 202),  # faster, same Days: a restore speed upgrade
    ("Expedited", 3, 202),
    ("Standard", 5, 409),  # faster but other Days
])
def test_a_second_request_while_running_is_409_unless_it_upgrades(layer, s3, direct, bucket, tier, days, status):
    """Facts sheet, RestoreObject: "409 RestoreAlreadyInProgress: one is running" and "A faster tier may be
    requested while a restore runs (restore speed upgrade), with the same Days"; moto row "409 ... never returned"."""
    put(direct, bucket, "cold.bin", "GLACIER")
    s3.restore_object(Bucket=bucket, Key="cold.bin", RestoreRequest={"Days": 3, "GlacierJobParameters": {"Tier": "Bulk"}})
    request = {"Days": days, "GlacierJobParameters": {"Tier": tier}}
    if status == 409:
        error = error_of(s3.restore_object, Bucket=bucket, Key="cold.bin", RestoreRequest=request)
        assert error["Error"]["Code"] == "RestoreAlreadyInProgress"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    else:
        assert s3.restore_object(Bucket=bucket, Key="cold.bin", RestoreRequest=request)["ResponseMetadata"]["HTTPStatusCode"] == 202
    running = layer.restore_of(bucket, "cold.bin")
    expected_tier = tier if status == 202 else "Bulk"
    assert running.tier == expected_tier
    assert running.ready - running.started == pytest.approx(layer.restore_seconds[expected_tier])


def test_a_request_on_a_restored_copy_is_200_and_resets_its_expiry(layer, s3, direct, bucket, clock):
    """Facts sheet, RestoreObject: "200 OK: the object was already restored, and the request RESET the copy's
    expiry to now + Days (it can shorten it)"."""
    put(direct, bucket, "cold.bin", "GLACIER")
    s3.restore_object(Bucket=bucket, Key="cold.bin", RestoreRequest={"Days": 10, "GlacierJobParameters": {"Tier": "Expedited"}})
    clock.advance(60)
    assert "Sat, 12 Dec 2026 00:00:00 GMT" in s3.head_object(Bucket=bucket, Key="cold.bin")["Restore"]
    answer = s3.restore_object(Bucket=bucket, Key="cold.bin", RestoreRequest={"Days": 1})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.head_object(Bucket=bucket, Key="cold.bin")["Restore"] == \
        'ongoing-request="false", expiry-date="Thu, 03 Dec 2026 00:00:00 GMT"'


def test_an_expired_copy_is_gone_and_is_restored_anew(layer, s3, direct, bucket, clock):
    """Facts sheet, HeadObject: "An expiry-date in the past does not mean the copy is still there ... Treat such an
    object as archived"; a restore of it is a new one (202)."""
    put(direct, bucket, "old.bin", "GLACIER")
    layer.seed_restored(bucket, "old.bin", at(2026, 11, 20))
    assert s3.head_object(Bucket=bucket, Key="old.bin")["Restore"] == \
        'ongoing-request="false", expiry-date="Fri, 20 Nov 2026 00:00:00 GMT"'
    assert error_of(s3.get_object, Bucket=bucket, Key="old.bin")["Error"]["Code"] == "InvalidObjectState"
    listed = s3.list_objects_v2(Bucket=bucket, OptionalObjectAttributes=["RestoreStatus"])["Contents"][0]
    assert listed["RestoreStatus"] == {"IsRestoreInProgress": False, "RestoreExpiryDate": at(2026, 11, 20)}
    assert s3.restore_object(Bucket=bucket, Key="old.bin", RestoreRequest={"Days": 1})["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.head_object(Bucket=bucket, Key="old.bin")["Restore"] == 'ongoing-request="true"'


def test_a_seeded_copy_that_has_not_expired_is_readable(layer, s3, direct, bucket):
    put(direct, bucket, "warm.bin", "DEEP_ARCHIVE")
    layer.seed_restored(bucket, "warm.bin", at(2026, 12, 9))
    assert s3.get_object(Bucket=bucket, Key="warm.bin")["Body"].read() == b"body"
    assert s3.restore_object(Bucket=bucket, Key="warm.bin", RestoreRequest={"Days": 2})["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_race_starts_another_clients_restore_between_a_head_and_the_restore(layer, s3, direct, bucket):
    """Facts sheet, RestoreObject "409 RestoreAlreadyInProgress"; moto never returns it."""
    put(direct, bucket, "raced.bin", "GLACIER")
    layer.race(bucket, "raced.bin", tier="Standard", days=2)
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="raced.bin")  # the reader saw it archived
    error = error_of(s3.restore_object, Bucket=bucket, Key="raced.bin", RestoreRequest={"Days": 2})
    assert error["Error"]["Code"] == "RestoreAlreadyInProgress"
    assert layer.restore_of(bucket, "raced.bin").by == "another client"


# -- (h) Days / Tier validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(("storage_class", "request_body", "status", "code"), [
    ("GLACIER", {"GlacierJobParameters": {"Tier": "Standard"}}, 400, "MalformedXML"),  # no Days
    ("GLACIER", {"Days": 0}, 400, "InvalidArgument"),
    ("DEEP_ARCHIVE", {"Days": -1}, 400, "InvalidArgument"),
    ("DEEP_ARCHIVE", {"Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}}, 400, "InvalidArgument"),
    ("DEEP_ARCHIVE", {"Days": 1, "GlacierJobParameters": {"Tier": "Bulk"}}, 202, None),
    ("GLACIER", {"Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}}, 202, None),
    ("STANDARD", {"Days": 1}, 403, "InvalidObjectState"),  # moto's own answer, as AWS's
    ("GLACIER_IR", {"Days": 1}, 403, "InvalidObjectState"),
])
def test_days_and_tier_are_validated(layer, s3, direct, bucket, storage_class, request_body, status, code):
    """Facts sheet, RestoreObject: "Days: required for GLACIER / DEEP_ARCHIVE", "Expedited is not available for
    DEEP_ARCHIVE", "STANDARD / GLACIER_IR ...: 403 InvalidObjectState"; moto row "Days / Tier validation: none"."""
    put(direct, bucket, "object.bin", storage_class)
    if code is None:
        answer = s3.restore_object(Bucket=bucket, Key="object.bin", RestoreRequest=request_body)
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == status
        return
    error = error_of(s3.restore_object, Bucket=bucket, Key="object.bin", RestoreRequest=request_body)
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (status, code)
    assert layer.restore_of(bucket, "object.bin") is None


def test_a_missing_key_is_moto_s_404(layer, s3, bucket):
    assert error_of(s3.restore_object, Bucket=bucket, Key="nothing", RestoreRequest={"Days": 1})["Error"]["Code"] == "NoSuchKey"


# -- (f) Intelligent-Tiering archive tiers ---------------------------------------------------------------------


def test_intelligent_tiering_archive_tier_from_archived_to_readable(layer, s3, direct, bucket, clock):
    """Facts sheet, HeadObject ArchiveStatus row, "GetObject ... AccessTier (INT only)", RestoreObject "forbidden for
    INT archive tiers (... Do not specify Days)", "An INT object that finished restoring moves back to the Frequent
    Access tier"; moto row "Intelligent-Tiering archive tiers ... absent"."""
    put(direct, bucket, "int.bin", "INTELLIGENT_TIERING")
    layer.seed_archive_tier(bucket, "int.bin", "ARCHIVE_ACCESS")
    head = s3.head_object(Bucket=bucket, Key="int.bin")
    assert (head["StorageClass"], head["ArchiveStatus"], head.get("Restore")) == ("INTELLIGENT_TIERING", "ARCHIVE_ACCESS", None)
    error = error_of(s3.get_object, Bucket=bucket, Key="int.bin")
    assert (error["Error"]["Code"], error["StorageClass"], error["AccessTier"]) == \
        ("InvalidObjectState", "INTELLIGENT_TIERING", "ARCHIVE_ACCESS")
    error = error_of(s3.restore_object, Bucket=bucket, Key="int.bin", RestoreRequest={"Days": 1})
    assert error["Error"]["Code"] == "InvalidArgument" and "Do not specify Days" in error["Error"]["Message"]

    assert s3.restore_object(Bucket=bucket, Key="int.bin", RestoreRequest={})["ResponseMetadata"]["HTTPStatusCode"] == 202
    head = s3.head_object(Bucket=bucket, Key="int.bin")
    assert (head["ArchiveStatus"], head["Restore"]) == ("ARCHIVE_ACCESS", 'ongoing-request="true"')
    assert error_of(s3.restore_object, Bucket=bucket, Key="int.bin", RestoreRequest={})["Error"]["Code"] == "RestoreAlreadyInProgress"

    clock.advance(3600)
    head = s3.head_object(Bucket=bucket, Key="int.bin")
    assert "ArchiveStatus" not in head and "expiry-date" not in head.get("Restore", "")
    assert s3.get_object(Bucket=bucket, Key="int.bin")["Body"].read() == b"body"
    error = error_of(s3.restore_object, Bucket=bucket, Key="int.bin", RestoreRequest={})
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (403, "ObjectAlreadyInActiveTierError")


def test_expedited_is_refused_for_the_deep_archive_access_tier(layer, s3, direct, bucket):
    """Facts sheet, RestoreObject: "Expedited is not available ... nor for the INT Deep Archive Access tier"."""
    put(direct, bucket, "int.bin", "INTELLIGENT_TIERING")
    layer.seed_archive_tier(bucket, "int.bin", "DEEP_ARCHIVE_ACCESS")
    error = error_of(s3.restore_object, Bucket=bucket, Key="int.bin", RestoreRequest={"GlacierJobParameters": {"Tier": "Expedited"}})
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (400, "InvalidArgument")
    assert s3.restore_object(Bucket=bucket, Key="int.bin", RestoreRequest={"GlacierJobParameters": {"Tier": "Bulk"}})[
        "ResponseMetadata"]["HTTPStatusCode"] == 202


def test_intelligent_tiering_not_in_an_archive_tier_is_already_active(layer, s3, direct, bucket):
    """Facts sheet, RestoreObject: "INT not archived may also give 403 ObjectAlreadyInActiveTierError"."""
    put(direct, bucket, "int.bin", "INTELLIGENT_TIERING")
    assert "ArchiveStatus" not in s3.head_object(Bucket=bucket, Key="int.bin")
    error = error_of(s3.restore_object, Bucket=bucket, Key="int.bin", RestoreRequest={})
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (403, "ObjectAlreadyInActiveTierError")


# -- (g) RestoreStatus in listings -----------------------------------------------------------------------------


def test_listing_reports_restore_status_when_asked(layer, s3, direct, bucket, clock):
    """Facts sheet, "Listing with restore state": RestoreStatus {IsRestoreInProgress, RestoreExpiryDate}, "absent
    when the object was never restored", never ArchiveStatus; moto row "ListObjectsV2 RestoreStatus: silently
    omitted"."""
    for key, storage_class in (("a/never", "GLACIER"), ("a/running", "DEEP_ARCHIVE"), ("a/done", "GLACIER"),
                               ("a/direct", "GLACIER"), ("a/int", "INTELLIGENT_TIERING"), ("a/hot", "STANDARD")):
        put(direct, bucket, key, storage_class)
    layer.seed_archive_tier(bucket, "a/int", "DEEP_ARCHIVE_ACCESS")
    s3.restore_object(Bucket=bucket, Key="a/done", RestoreRequest={"Days": 2, "GlacierJobParameters": {"Tier": "Expedited"}})
    clock.advance(60)
    s3.restore_object(Bucket=bucket, Key="a/running", RestoreRequest={"Days": 2})
    direct.restore_object(Bucket=bucket, Key="a/direct", RestoreRequest={"Days": 2})  # not through the layer: moto's

    listed = {entry["Key"]: entry for entry in s3.list_objects_v2(
        Bucket=bucket, Prefix="a/", OptionalObjectAttributes=["RestoreStatus"])["Contents"]}
    assert "RestoreStatus" not in listed["a/never"]
    assert listed["a/running"]["RestoreStatus"] == {"IsRestoreInProgress": True}
    assert listed["a/done"]["RestoreStatus"] == {"IsRestoreInProgress": False, "RestoreExpiryDate": at(2026, 12, 4)}
    assert listed["a/direct"]["RestoreStatus"]["IsRestoreInProgress"] is False
    assert "RestoreStatus" not in listed["a/int"] and "ArchiveStatus" not in listed["a/int"]
    assert "RestoreStatus" not in listed["a/hot"]

    plain = s3.list_objects_v2(Bucket=bucket, Prefix="a/")["Contents"]
    assert not any("RestoreStatus" in entry for entry in plain)


# -- (i) throttling --------------------------------------------------------------------------------------------


def test_throttling_above_a_rate_per_operation(layer, s3, direct, bucket, clock):
    """Facts sheet, RestoreObject: "capped at 1,000 requests per second per account ... beyond it,
    ThrottlingException / 503 SlowDown"."""
    for number in range(4):
        put(direct, bucket, f"cold/{number}", "GLACIER")
    layer.throttle("RestoreObject", rate=1, burst=2)
    for number in range(2):
        s3.restore_object(Bucket=bucket, Key=f"cold/{number}", RestoreRequest={"Days": 1})
    error = error_of(s3.restore_object, Bucket=bucket, Key="cold/2", RestoreRequest={"Days": 1})
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (503, "SlowDown")
    assert layer.restore_of(bucket, "cold/2") is None, "a throttled request must not reach S3"
    s3.head_object(Bucket=bucket, Key="cold/2")  # other operations are not throttled
    clock.advance(1)
    s3.restore_object(Bucket=bucket, Key="cold/2", RestoreRequest={"Days": 1})
    layer.throttle("RestoreObject", rate=None)
    s3.restore_object(Bucket=bucket, Key="cold/3", RestoreRequest={"Days": 1})


def test_throttling_code_is_configurable(layer, s3, direct, bucket):
    put(direct, bucket, "cold", "GLACIER")
    layer.throttle("RestoreObject", rate=1, burst=1, code="ThrottlingException")
    s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    assert error_of(s3.restore_object, Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})["Error"]["Code"] == "ThrottlingException"


# -- (a, b) notification consistency and propagation -------------------------------------------------------------


@pytest.fixture
def topic_arn(aws, bucket):
    return aws("sns").create_topic(Name=f"{bucket}-topic")["TopicArn"]


def topic_configuration(topic_arn, events=("s3:ObjectRestore:Post",), prefix=None, identifier="restores"):
    entry = {"Id": identifier, "TopicArn": topic_arn, "Events": list(events)}
    if prefix is not None:
        entry["Filter"] = {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}}
    return {"TopicConfigurations": [entry]}


def test_reads_right_after_a_write_can_return_the_previous_configuration(layer, s3, bucket, topic_arn, clock):
    """Facts sheet, "Propagation and consistency": "a read right after a write may return the previous
    configuration"; moto row "bucket configuration reads: strongly consistent"."""
    layer.stale_notification_reads(reads=2)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=topic_configuration(topic_arn))
    assert "TopicConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)
    assert "TopicConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)
    assert s3.get_bucket_notification_configuration(Bucket=bucket)["TopicConfigurations"][0]["Id"] == "restores"

    layer.stale_notification_reads(seconds=5)
    second = topic_configuration(topic_arn, identifier="second")
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=second)
    assert s3.get_bucket_notification_configuration(Bucket=bucket)["TopicConfigurations"][0]["Id"] == "restores"
    clock.advance(5)
    assert s3.get_bucket_notification_configuration(Bucket=bucket)["TopicConfigurations"][0]["Id"] == "second"

    layer.stale_notification_reads()
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    assert "TopicConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)


def test_restores_sent_right_after_a_notification_change_are_recorded_as_without_events(
        layer, s3, direct, bucket, topic_arn, clock):
    """Facts sheet, "Propagation and consistency": "it usually takes about five minutes for the changes to take
    effect ... the restores sent right after a change may produce no events"."""
    for key in ("early", "late"):
        put(direct, bucket, key, "GLACIER")
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=topic_configuration(topic_arn))
    assert layer.notification_changes(bucket) == [START]
    clock.advance(299)
    s3.restore_object(Bucket=bucket, Key="early", RestoreRequest={"Days": 1})
    clock.advance(1)
    s3.restore_object(Bucket=bucket, Key="late", RestoreRequest={"Days": 1})
    assert layer.restores_without_events(bucket) == ["early"]


# -- (c) every destination is validated --------------------------------------------------------------------------


def queue_arn(aws, name):
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_a_stale_foreign_destination_blocks_every_write_and_is_named(layer, s3, aws, bucket, topic_arn):
    """Facts sheet: "S3 validates EVERY SNS / SQS / Lambda destination of the configuration on each write ... the
    error names the failing destinations (ArgumentName1 / ArgumentValue1, ...)"; moto row "no destination check"."""
    gone = queue_arn(aws, f"{bucket}-gone")
    aws("sqs").delete_queue(QueueUrl=aws("sqs").get_queue_url(QueueName=f"{bucket}-gone")["QueueUrl"])
    missing_function = f"arn:aws:lambda:{REGION}:123456789012:function:{bucket}-nothing"
    configuration = topic_configuration(topic_arn)
    configuration["QueueConfigurations"] = [{"Id": "theirs", "QueueArn": gone, "Events": ["s3:ObjectCreated:*"]}]
    configuration["LambdaFunctionConfigurations"] = [{"Id": "fn", "LambdaFunctionArn": missing_function,
                                                      "Events": ["s3:ObjectRemoved:*"]}]
    error = error_of(s3.put_bucket_notification_configuration, Bucket=bucket, NotificationConfiguration=configuration)
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (400, "InvalidArgument")
    assert error["Error"]["Message"] == "Unable to validate the following destination configurations"
    named = {error["Error"]["ArgumentName1"], error["Error"]["ArgumentName2"]}
    assert named == {gone, missing_function}
    assert "queue" in error["Error"][f"ArgumentValue{1 if error['Error']['ArgumentName1'] == gone else 2}"]
    assert "ArgumentName3" not in error["Error"], "the existing topic passed"
    assert aws("s3").get_bucket_notification_configuration(Bucket=bucket).get("TopicConfigurations") is None

    # SkipDestinationValidation writes it anyway (PutBucketNotificationConfiguration).
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=configuration,
                                             SkipDestinationValidation=True)


def test_broken_destinations_and_other_regions_fail_validation(layer, s3, aws, bucket, topic_arn):
    """Facts sheet: the fix for our topic is its policy (the layer's broken_destinations stands for a topic
    S3 may not publish to); "it must be in the bucket's Region"."""
    layer.broken_destinations.add(topic_arn)
    error = error_of(s3.put_bucket_notification_configuration, Bucket=bucket,
                     NotificationConfiguration=topic_configuration(topic_arn))
    assert error["Error"]["ArgumentName1"] == topic_arn
    assert "topic" in error["Error"]["ArgumentValue1"]
    layer.broken_destinations.clear()
    elsewhere = boto3.client("sns", region_name="eu-west-1", endpoint_url=layer.upstream_endpoint,
                             aws_access_key_id="testing", aws_secret_access_key="testing")
    other_region = elsewhere.create_topic(Name=f"{bucket}-eu")["TopicArn"]
    error = error_of(s3.put_bucket_notification_configuration, Bucket=bucket,
                     NotificationConfiguration=topic_configuration(other_region))
    assert error["Error"]["ArgumentName1"] == other_region
    assert "region" in error["Error"]["ArgumentValue1"]
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=topic_configuration(topic_arn))


def test_a_destination_in_another_account_is_looked_up_in_that_account(layer, s3, bucket):
    foreign = aws_behaviour.account_client("sns", layer.upstream_endpoint, REGION, "210987654321")
    topic = foreign.create_topic(Name=f"{bucket}-foreign")["TopicArn"]
    assert ":210987654321:" in topic
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=topic_configuration(topic))
    unknown = topic.replace("210987654321", "111122223333")
    error = error_of(s3.put_bucket_notification_configuration, Bucket=bucket,
                     NotificationConfiguration=topic_configuration(unknown))
    assert error["Error"]["ArgumentName1"] == unknown


# -- (d) the overlap rule ----------------------------------------------------------------------------------------


def rule(events, prefix="", suffix="", kind="topic"):
    return EventRule(kind, f"arn:aws:sns:{REGION}:123456789012:{uuid.uuid4().hex[:6]}", tuple(events), prefix, suffix)


@pytest.mark.parametrize(("one", "other", "overlap"), [
    (rule(["s3:ObjectRestore:Post"]), rule(["s3:ObjectRestore:Post"]), True),
    (rule(["s3:ObjectRestore:*"]), rule(["s3:ObjectRestore:Completed"], kind="queue"), True),  # a wildcard and a member
    (rule(["s3:ObjectRestore:Post"]), rule(["s3:ObjectRestore:Completed"]), False),
    (rule(["s3:ObjectRestore:*"]), rule(["s3:ObjectCreated:*"]), False),
    (rule(["s3:ObjectRestore:Post"], prefix="logs/"), rule(["s3:ObjectRestore:Post"], prefix="db/"), False),
    (rule(["s3:ObjectRestore:Post"], prefix="db/"), rule(["s3:ObjectRestore:Post"], prefix="db/2019/"), True),
    (rule(["s3:ObjectRestore:Post"]), rule(["s3:ObjectRestore:Post"], prefix="logs/"), True),  # no filter: everything
    (rule(["s3:ObjectRestore:Post"], suffix=".jpg"), rule(["s3:ObjectRestore:Post"], suffix=".png"), False),
    (rule(["s3:ObjectRestore:Post"], suffix=".jpg"), rule(["s3:ObjectRestore:Post"], suffix="cat.jpg"), True),
    (rule(["s3:ObjectRestore:Post"], "a/", ".jpg"), rule(["s3:ObjectRestore:Post"], "a/b/", ".png"), False),
    (rule(["s3:ObjectRestore:Post"], "a/", ".jpg"), rule(["s3:ObjectRestore:Post"], "b/", ".jpg"), False),
])
def test_overlap_rule(one, other, overlap):
    """Facts sheet, "Overlap rule, across ALL destinations of the bucket: two configurations may not share an event
    type (a wildcard overlaps its members) when their prefix/suffix filters overlap; a configuration without
    filter overlaps everything"."""
    assert aws_behaviour.rules_overlap(one, other) is overlap
    assert aws_behaviour.rules_overlap(other, one) is overlap


EVENTS = strategies.sampled_from(["s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed",
                                  "s3:ObjectRestore:Delete", "s3:ObjectCreated:*", "s3:ObjectCreated:Put"])
AFFIXES = strategies.sampled_from(["", "a", "a/", "a/b", "b", ".jpg", "x.jpg"])
RULES = strategies.builds(rule, strategies.lists(EVENTS, min_size=1, max_size=3), AFFIXES, AFFIXES)


@given(RULES, RULES)
def test_overlap_is_symmetric_and_an_unfiltered_copy_always_overlaps(one, other):
    assert aws_behaviour.rules_overlap(one, other) == aws_behaviour.rules_overlap(other, one)
    unfiltered = EventRule("queue", "arn:aws:sqs:us-east-1:123456789012:q", one.events)
    assert aws_behaviour.rules_overlap(one, unfiltered)


def test_an_overlapping_write_is_refused_with_s3_s_message(layer, s3, aws, bucket, topic_arn):
    """Facts sheet, the overlap rule's error: 400 "Configuration is ambiguously defined..."; moto row "no overlap
    check"."""
    configuration = topic_configuration(topic_arn, events=["s3:ObjectRestore:*"])
    configuration["QueueConfigurations"] = [{"Id": "logs", "QueueArn": queue_arn(aws, f"{bucket}-logs"),
                                             "Events": ["s3:ObjectRestore:Post"],
                                             "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "logs/"}]}}}]
    error = error_of(s3.put_bucket_notification_configuration, Bucket=bucket, NotificationConfiguration=configuration)
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (400, "InvalidArgument")
    assert error["Error"]["Message"].startswith("Configuration is ambiguously defined. Cannot have overlapping suffixes")
    configuration["TopicConfigurations"][0]["Filter"] = {"Key": {"FilterRules": [{"Name": "prefix", "Value": "db/"}]}}
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=configuration)


# -- every check can be switched off, per test ------------------------------------------------------------------


def test_each_check_can_be_switched_off(layer, s3, aws, direct, bucket, topic_arn):
    """With a check off, the request reaches moto, which accepts it (moto rows "Days / Tier validation: none", "no
    overlap check", "no destination check")."""
    put(direct, bucket, "cold", "DEEP_ARCHIVE")
    layer.validate_restore_requests = False
    assert s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}})[
        "ResponseMetadata"]["HTTPStatusCode"] == 202
    layer.check_overlaps = False
    overlapping = topic_configuration(topic_arn)
    overlapping["TopicConfigurations"].append(dict(overlapping["TopicConfigurations"][0], Id="twice"))
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=overlapping)
    layer.validate_destinations = False
    missing = topic_arn + "-missing"
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=topic_configuration(missing))
    assert aws("s3").get_bucket_notification_configuration(Bucket=bucket)["TopicConfigurations"][0]["TopicArn"] == missing


def test_rule_names_are_read_back_capitalised_whatever_they_were_written_as(layer, s3, aws, bucket, topic_arn):
    """Facts sheet, notification row: "GetBucketNotificationConfiguration returns rule names capitalised
    (`Prefix`/`Suffix`)"; moto row "a `Prefix` (capitalised) rule name crashes it" (the layer writes it lower-case)."""
    configuration = topic_configuration(topic_arn, prefix="db/")
    configuration["TopicConfigurations"][0]["Filter"]["Key"]["FilterRules"].append({"Name": "Suffix", "Value": ".dump"})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=configuration)
    rules = s3.get_bucket_notification_configuration(Bucket=bucket)["TopicConfigurations"][0]["Filter"]["Key"]["FilterRules"]
    assert rules == [{"Name": "Prefix", "Value": "db/"}, {"Name": "Suffix", "Value": ".dump"}]
    moto_rules = aws("s3").get_bucket_notification_configuration(Bucket=bucket)["TopicConfigurations"][0]["Filter"]["Key"]["FilterRules"]
    assert [rule["Name"] for rule in moto_rules] == ["prefix", "suffix"]


# -- the layer itself ------------------------------------------------------------------------------------------


def test_the_layer_is_independent_of_the_collection():
    """The rules are written from the User Guide here, not borrowed from plugins/: a shared mistake would hide."""
    with open(aws_behaviour.__file__, encoding="utf-8") as handle:
        source = handle.read()
    assert "ansible_collections" not in source and "plugins" not in source


def test_the_log_tells_module_requests_and_who_answered(layer, direct, bucket):
    put(direct, bucket, "cold", "GLACIER")
    agent = "Boto3/1 md/Botocore#1 Ansible/2.19 lib/amazon.collection s3async.restore/s3_object_restore"
    client = boto3.client("s3", region_name=REGION, endpoint_url=layer.endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing", config=Config(user_agent=agent))
    client.head_object(Bucket=bucket, Key="cold")
    client.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    head, restore = layer.log()
    assert (head["operation"], head["module"], head["by"]) == ("HeadObject", "s3_object_restore", "moto")
    assert (restore["operation"], restore["status"], restore["by"], restore["days"]) == ("RestoreObject", 202, "layer", 1)
    assert layer.accepted_restores() == {"cold": 1}


def test_the_layer_stops_with_the_test(moto_endpoint):
    with AwsBehaviour(moto_endpoint) as layer:
        port = int(layer.endpoint.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
