# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""event_wait: the wait on restore events with its sweep, against moto's S3 -> SNS -> SQS delivery.

moto sends s3:ObjectRestore:Completed on the next read of the object once its `s3::keyrestore` state manager lets
the restore finish (facts sheet, "moto 5.2.5 versus AWS"): the tests hold restores in progress, and finish one with
a HEAD of their own at the moment the wait receives (`finish_on_receive`), as AWS would finish it while the wait
listens. Stubber stands in where moto cannot: an EventBridge envelope on the queue, throttled receives.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from moto.moto_api import state_manager

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.s3async.restore.plugins.module_utils import event_wait
from ansible_collections.s3async.restore.plugins.module_utils import object_restore
from ansible_collections.s3async.restore.plugins.module_utils import sqs_api
from ansible_collections.s3async.restore.plugins.module_utils.event_wait import EventWait
from ansible_collections.s3async.restore.plugins.module_utils.event_wait import EventWaitSettings
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.object_results import object_id
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket
from ansible_collections.s3async.restore.plugins.module_utils.sqs_api import EventQueues

REGION = "us-east-1"
BUCKET = "archive-bucket"
HOLD = {"progression": "manual", "times": 1_000_000}


@pytest.fixture
def aws(monkeypatch):
    """moto's S3, SNS and SQS in process; receives return at once (no real 20-second long poll in a unit test)."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", REGION)):
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sqs_api, "LONG_POLL_SECONDS", 0)
    with mock_aws():
        clients = {service: boto3.client(service, region_name=REGION) for service in ("s3", "sns", "sqs")}
        clients["s3"].create_bucket(Bucket=BUCKET)
        state_manager.set_transition(model_name="s3::keyrestore", transition={"progression": "manual", "times": 1})
        try:
            yield clients
        finally:
            state_manager.unset_transition("s3::keyrestore")


def restores_in_progress(s3, *keys):
    """GLACIER objects whose restore runs, held in progress; their readings, as a run's pending dict."""
    for key in keys:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x" * 10, StorageClass="GLACIER")
        s3.restore_object(Bucket=BUCKET, Key=key, RestoreRequest={"Days": 2, "GlacierJobParameters": {"Tier": "Bulk"}})
        while 'ongoing-request="true"' not in s3.head_object(Bucket=BUCKET, Key=key).get("Restore", ""):
            pass
    state_manager.set_transition(model_name="s3::keyrestore", transition=HOLD)
    bucket = S3Bucket(RetryingBotoClientWrapper(s3, AWSRetry.jittered_backoff(retries=1)), BUCKET)
    readings = [dict(object_restore.read_object(bucket, key), action="restore_requested", tier="Bulk") for key in keys]
    return bucket, {object_id(obj): obj for obj in readings}


def finish(s3, *keys):
    """The restores finish in S3; moto sends Completed on this read (AWS sends it at completion)."""
    state_manager.set_transition(model_name="s3::keyrestore", transition={"progression": "immediate"})
    for key in keys:
        s3.head_object(Bucket=BUCKET, Key=key)
    state_manager.set_transition(model_name="s3::keyrestore", transition=HOLD)


def topic_to_bucket(aws):
    topic_arn = aws["sns"].create_topic(Name="restore-events")["TopicArn"]
    aws["s3"].put_bucket_notification_configuration(Bucket=BUCKET, NotificationConfiguration={"TopicConfigurations": [
        {"TopicArn": topic_arn, "Events": ["s3:ObjectRestore:*"]}]})
    return topic_arn


def user_queue(aws, topic_arn=None, raw=False):
    url = aws["sqs"].create_queue(QueueName="team-restores")["QueueUrl"]
    if topic_arn:
        arn = aws["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        aws["sns"].subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn,
                             Attributes={"RawMessageDelivery": "true" if raw else "false"})
    return url


def finish_on_receive(monkeypatch, s3, *keys):
    """Finish the restores the first time the wait receives: as if AWS finished them while it listened."""
    real = EventQueues.receive
    calls = []

    def receive(self, queue_url, wait_seconds):
        if not calls:
            finish(s3, *keys)
        calls.append(queue_url)
        return real(self, queue_url, wait_seconds)

    monkeypatch.setattr(EventQueues, "receive", receive)
    return calls


def waiter(aws, bucket, clock, queue_url=None, topic_arn=None, timeout=3600, sweep_interval=900, queues=None):
    queues = queues or EventQueues(aws["sqs"], aws["sns"])
    return EventWait(bucket, queues, object_restore.Watch(None, False, 0, 4),
                     EventWaitSettings(queue_url, topic_arn, timeout, sweep_interval), clock)


def our_queues(sqs):
    return [url for url in sqs.list_queues().get("QueueUrls", []) if "s3async-restore-wait-" in url]


def test_completed_events_make_the_objects_readable_and_the_temporary_queue_goes(aws, fake_clock, monkeypatch):
    topic_arn = topic_to_bucket(aws)
    bucket, pending = restores_in_progress(aws["s3"], "db/a b+c.dump", "db/ü.dump")
    finish_on_receive(monkeypatch, aws["s3"], "db/a b+c.dump", "db/ü.dump")
    waiting = waiter(aws, bucket, fake_clock, topic_arn=topic_arn)

    finished, still_pending, _waited = waiting.run(pending)

    assert still_pending == [] and pending == {}
    assert (waiting.by_event, waiting.by_sweep, waiting.sweeps) == (2, 0, 1)
    assert sorted(obj["key"] for obj in finished) == ["db/a b+c.dump", "db/ü.dump"]
    assert all(obj["status"] == "restored" and obj["readable_at"].endswith("Z") for obj in finished)
    assert all("s3:ObjectRestore:Completed event" in obj["message"] for obj in finished)
    assert our_queues(aws["sqs"]) == []
    assert aws["sns"].list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"] == []


def test_the_temporary_queue_lets_only_the_topic_send(aws, fake_clock, monkeypatch):
    topic_arn = topic_to_bucket(aws)
    bucket, pending = restores_in_progress(aws["s3"], "k")
    seen = {}

    def look(queue_url):
        seen["policy"] = json.loads(aws["sqs"].get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Policy"])["Attributes"]["Policy"])
        seen["subscriptions"] = aws["sns"].list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]

    def receive(self, queue_url, wait_seconds):
        # The test's own look, from a thread of its own: called from inside the wait, it would count as a call of
        # the collection for the least-privilege check (tests/conftest.py), which it is not.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(look, queue_url).result()
        finish(aws["s3"], "k")
        return []

    monkeypatch.setattr(EventQueues, "receive", receive)
    waiter(aws, bucket, fake_clock, topic_arn=topic_arn, sweep_interval=60).run(pending)
    (statement,) = seen["policy"]["Statement"]
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": topic_arn}}
    assert [sub["Protocol"] for sub in seen["subscriptions"]] == ["sqs"]


def test_the_temporary_queue_goes_after_a_failure_too(aws, fake_clock, monkeypatch):
    topic_arn = topic_to_bucket(aws)
    bucket, pending = restores_in_progress(aws["s3"], "k")

    def denied(self, queue_url, wait_seconds):
        raise TaskFailure("Access denied: ReceiveMessage needs sqs:ReceiveMessage.")

    monkeypatch.setattr(EventQueues, "receive", denied)
    with pytest.raises(TaskFailure, match="sqs:ReceiveMessage"):
        waiter(aws, bucket, fake_clock, topic_arn=topic_arn).run(pending)
    assert our_queues(aws["sqs"]) == []
    assert aws["sns"].list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"] == []


def test_the_temporary_queue_goes_when_reading_its_arn_fails(aws, fake_clock, monkeypatch):
    topic_arn = topic_to_bucket(aws)
    bucket, pending = restores_in_progress(aws["s3"], "k")

    def denied(self, queue_url, names):
        raise TaskFailure("Access denied: GetQueueAttributes needs sqs:GetQueueAttributes.")

    monkeypatch.setattr(EventQueues, "attributes", denied)
    with pytest.raises(TaskFailure, match="sqs:GetQueueAttributes"):
        waiter(aws, bucket, fake_clock, topic_arn=topic_arn).run(pending)
    assert our_queues(aws["sqs"]) == []


def test_on_a_shared_queue_other_objects_messages_stay_and_duplicates_are_harmless(aws, fake_clock, monkeypatch):
    topic_arn = topic_to_bucket(aws)
    queue_url = user_queue(aws, topic_arn)
    bucket, pending = restores_in_progress(aws["s3"], "mine", "theirs")
    del pending[("theirs", None)]  # another task waits on this one
    finish_on_receive(monkeypatch, aws["s3"], "mine", "theirs")
    # A duplicate of our Completed, delivered twice (at least once), and an event of another bucket.
    duplicate = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectRestore:Completed", "eventTime": "2099-01-01T00:00:00Z",
                              "s3": {"bucket": {"name": BUCKET}, "object": {"key": "mine"}}}]}
    aws["sqs"].send_message(QueueUrl=queue_url, MessageBody=json.dumps(duplicate))
    other_bucket = dict(duplicate, Records=[dict(duplicate["Records"][0], s3={"bucket": {"name": "elsewhere"}, "object": {"key": "mine"}})])
    aws["sqs"].send_message(QueueUrl=queue_url, MessageBody=json.dumps(other_bucket))

    waiting = waiter(aws, bucket, fake_clock, queue_url=queue_url)
    finished, still_pending, _waited = waiting.run(pending)

    assert [obj["key"] for obj in finished] == ["mine"] and still_pending == []
    assert waiting.by_event == 1
    left = aws["sqs"].receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    bodies = [json.loads(message["Body"]) for message in left]
    texts = [body.get("Message", json.dumps(body)) for body in bodies]
    assert not any('"key": "mine"' in text and BUCKET in text and "Completed" in text for text in texts), texts
    assert any("theirs" in text and "Completed" in text for text in texts), texts
    assert any("elsewhere" in text for text in texts), texts


def test_a_dropped_event_is_caught_by_the_sweep(aws, fake_clock, monkeypatch):
    queue_url = user_queue(aws)  # S3 sends this queue nothing: every event is dropped
    bucket, pending = restores_in_progress(aws["s3"], "k")
    receives = finish_on_receive(monkeypatch, aws["s3"], "k")
    waiting = waiter(aws, bucket, fake_clock, queue_url=queue_url, sweep_interval=60)

    finished, still_pending, waited = waiting.run(pending)

    assert [obj["status"] for obj in finished] == ["restored"] and still_pending == []
    assert (waiting.by_event, waiting.by_sweep, waiting.sweeps) == (0, 1, 2)
    assert finished[0]["readable_at"].endswith("Z")
    # Rounds of 20 seconds until the sweep at 60: one receive per round.
    assert len(receives) == 3 and waited == 60


def test_before_a_timeout_is_declared_a_last_sweep_runs(aws, fake_clock):
    bucket, pending = restores_in_progress(aws["s3"], "k")
    waiting = waiter(aws, bucket, fake_clock, queue_url=user_queue(aws), timeout=50)

    finished, still_pending, waited = waiting.run(pending)

    assert finished == [] and [obj["key"] for obj in still_pending] == ["k"]
    assert waiting.sweeps == 2 and waiting.receives == 3 and waited == 50


def test_a_completed_event_older_than_the_wait_is_not_believed(aws, fake_clock):
    queue_url = user_queue(aws)
    bucket, pending = restores_in_progress(aws["s3"], "k")
    stale = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectRestore:Completed", "eventTime": "2020-01-01T00:00:00Z",
                          "s3": {"bucket": {"name": BUCKET}, "object": {"key": "k"}}}]}
    aws["sqs"].send_message(QueueUrl=queue_url, MessageBody=json.dumps(stale))
    waiting = waiter(aws, bucket, fake_clock, queue_url=queue_url, timeout=30)

    _finished, still_pending, _waited = waiting.run(pending)
    assert [obj["key"] for obj in still_pending] == ["k"] and waiting.by_event == 0


def test_an_expired_copy_is_reported(aws, fake_clock, monkeypatch):
    warnings = []
    monkeypatch.setattr(event_wait, "warn", warnings.append)
    queue_url = user_queue(aws)
    bucket, pending = restores_in_progress(aws["s3"], "k")
    expired = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectRestore:Delete", "eventTime": "2099-01-01T00:00:00Z",
                            "s3": {"bucket": {"name": BUCKET}, "object": {"key": "k"}}}]}
    aws["sqs"].send_message(QueueUrl=queue_url, MessageBody=json.dumps(expired))

    _finished, still_pending, _waited = waiter(aws, bucket, fake_clock, queue_url=queue_url, timeout=30).run(pending)
    assert "s3:ObjectRestore:Delete, at 2099-01-01T00:00:00Z" in still_pending[0]["message"]
    assert any("s3:ObjectRestore:Delete" in warning and "k" in warning for warning in warnings), warnings


# -- Stubber: what moto cannot deliver ---------------------------------------------------------------------------


@pytest.fixture
def stubbed_sqs():
    client = boto3.client("sqs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    with Stubber(client) as stub:
        yield client, stub
    stub.assert_no_pending_responses()


QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/team-restores"


def eventbridge_body(key, version_id=None):
    """An EventBridge rule's target gets the EventBridge event (S3 User Guide, ev-events)."""
    body = json.loads(_eventbridge_body(key))
    if version_id is not None:
        body["detail"]["object"]["version-id"] = version_id
    return json.dumps(body)


def _eventbridge_body(key):
    return json.dumps({"version": "0", "id": "1", "detail-type": "Object Restore Completed", "source": "aws.s3",
                       "account": "123456789012", "time": "2099-01-01T07:12:09Z", "region": REGION,
                       "resources": [f"arn:aws:s3:::{BUCKET}"],
                       "detail": {"version": "0", "bucket": {"name": BUCKET}, "object": {"key": key, "size": 10},
                                  "restore-expiry-time": "2099-01-03T00:00:00Z", "source-storage-class": "GLACIER"}})


def expect_redrive_check(stub):
    stub.add_response("get_queue_attributes", {"Attributes": {}}, {"QueueUrl": QUEUE_URL, "AttributeNames": ["RedrivePolicy"]})


def test_an_eventbridge_envelope_is_understood(aws, fake_clock, stubbed_sqs):
    client, stub = stubbed_sqs
    bucket, pending = restores_in_progress(aws["s3"], "db/x y.dump")
    expect_redrive_check(stub)
    stub.add_response("receive_message", {"Messages": [{"MessageId": "1", "ReceiptHandle": "r1", "Body": eventbridge_body("db/x y.dump")}]},
                      {"QueueUrl": QUEUE_URL, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 0})
    stub.add_response("delete_message_batch", {"Successful": [{"Id": "0"}], "Failed": []},
                      {"QueueUrl": QUEUE_URL, "Entries": [{"Id": "0", "ReceiptHandle": "r1"}]})
    waiting = waiter(aws, bucket, fake_clock, queue_url=QUEUE_URL, queues=EventQueues(client, None))

    (obj,), still_pending, _waited = waiting.run(pending)
    assert still_pending == [] and waiting.by_event == 1
    assert (obj["status"], obj["expiry_date"], obj["readable_at"]) == ("restored", "2099-01-03T00:00:00Z", "2099-01-01T07:12:09Z")


def test_a_throttled_receive_does_not_end_the_wait(aws, fake_clock, stubbed_sqs):
    client, stub = stubbed_sqs
    bucket, pending = restores_in_progress(aws["s3"], "k")
    expect_redrive_check(stub)
    receive = {"QueueUrl": QUEUE_URL, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 0}
    stub.add_client_error("receive_message", "ThrottlingException", "Rate exceeded", 400, expected_params=receive)
    stub.add_response("receive_message", {"Messages": [{"MessageId": "1", "ReceiptHandle": "r1", "Body": eventbridge_body("k")}]}, receive)
    stub.add_response("delete_message_batch", {"Successful": [{"Id": "0"}], "Failed": []},
                      {"QueueUrl": QUEUE_URL, "Entries": [{"Id": "0", "ReceiptHandle": "r1"}]})
    queues = EventQueues(client, None)

    _finished, still_pending, waited = waiter(aws, bucket, fake_clock, queue_url=QUEUE_URL, queues=queues).run(pending)
    assert still_pending == [] and queues.throttled == 1
    assert waited == 20, "the throttled round is waited out, not retried at once"


def test_foreign_messages_on_a_shared_queue_are_released_at_once(aws, fake_clock, stubbed_sqs):
    client, stub = stubbed_sqs
    bucket, pending = restores_in_progress(aws["s3"], "k")
    expect_redrive_check(stub)
    receive = {"QueueUrl": QUEUE_URL, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 0}
    stub.add_response("receive_message", {"Messages": [{"MessageId": "1", "ReceiptHandle": "theirs", "Body": eventbridge_body("other")}]}, receive)
    stub.add_response("change_message_visibility_batch", {"Successful": [{"Id": "0"}], "Failed": []},
                      {"QueueUrl": QUEUE_URL, "Entries": [{"Id": "0", "ReceiptHandle": "theirs", "VisibilityTimeout": 0}]})
    stub.add_response("receive_message", {"Messages": [{"MessageId": "2", "ReceiptHandle": "ours", "Body": eventbridge_body("k")}]}, receive)
    stub.add_response("delete_message_batch", {"Successful": [{"Id": "0"}], "Failed": []},
                      {"QueueUrl": QUEUE_URL, "Entries": [{"Id": "0", "ReceiptHandle": "ours"}]})

    _finished, still_pending, _waited = waiter(aws, bucket, fake_clock, queue_url=QUEUE_URL, queues=EventQueues(client, None)).run(pending)
    assert still_pending == []


def test_an_event_of_another_version_does_not_make_a_version_less_reading_readable(aws, fake_clock, stubbed_sqs):
    client, stub = stubbed_sqs
    bucket, pending = restores_in_progress(aws["s3"], "k")
    assert list(pending) == [("k", None)] and pending[("k", None)]["version_id"] is None
    expect_redrive_check(stub)
    receive = {"QueueUrl": QUEUE_URL, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 0}
    stub.add_response("receive_message", {"Messages": [{"MessageId": "1", "ReceiptHandle": "r1",
                                                        "Body": eventbridge_body("k", "a-noncurrent-version")}]}, receive)
    # Perhaps another consumer's (someone else restored that version): released on the user's queue, not deleted.
    stub.add_response("change_message_visibility_batch", {"Successful": [{"Id": "0"}], "Failed": []},
                      {"QueueUrl": QUEUE_URL, "Entries": [{"Id": "0", "ReceiptHandle": "r1", "VisibilityTimeout": 0}]})
    stub.add_response("receive_message", {}, receive)
    waiting = waiter(aws, bucket, fake_clock, queue_url=QUEUE_URL, timeout=20, queues=EventQueues(client, None))

    finished, (still,), _waited = waiting.run(pending)
    assert finished == [] and waiting.by_event == 0, "the event was only a hint: the HEAD said still restoring"
    assert still["status"] == "in_progress"


def test_a_receive_of_other_consumers_messages_does_not_sleep_the_round_out(aws, fake_clock, stubbed_sqs):
    client, stub = stubbed_sqs
    bucket, pending = restores_in_progress(aws["s3"], "k")
    expect_redrive_check(stub)
    receive = {"QueueUrl": QUEUE_URL, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 0}
    stub.add_response("receive_message", {"Messages": [{"MessageId": "1", "ReceiptHandle": "theirs", "Body": eventbridge_body("other")}]}, receive)
    stub.add_response("change_message_visibility_batch", {"Successful": [{"Id": "0"}], "Failed": []},
                      {"QueueUrl": QUEUE_URL, "Entries": [{"Id": "0", "ReceiptHandle": "theirs", "VisibilityTimeout": 0}]})
    # The released message comes back: the queue is read through, so this round is waited out.
    stub.add_response("receive_message", {"Messages": [{"MessageId": "1", "ReceiptHandle": "theirs2", "Body": eventbridge_body("other")}]}, receive)
    stub.add_response("change_message_visibility_batch", {"Successful": [{"Id": "0"}], "Failed": []},
                      {"QueueUrl": QUEUE_URL, "Entries": [{"Id": "0", "ReceiptHandle": "theirs2", "VisibilityTimeout": 0}]})
    stub.add_response("receive_message", {"Messages": [{"MessageId": "2", "ReceiptHandle": "ours", "Body": eventbridge_body("k")}]}, receive)
    stub.add_response("delete_message_batch", {"Successful": [{"Id": "0"}], "Failed": []},
                      {"QueueUrl": QUEUE_URL, "Entries": [{"Id": "0", "ReceiptHandle": "ours"}]})

    _finished, still_pending, _waited = waiter(aws, bucket, fake_clock, queue_url=QUEUE_URL, queues=EventQueues(client, None)).run(pending)
    assert still_pending == []
    assert fake_clock.sleeps == [20], "only the receive that brought nothing new waits the round out"


def test_a_queue_with_a_redrive_policy_is_warned_about_once(aws, fake_clock, stubbed_sqs, monkeypatch):
    client, stub = stubbed_sqs
    warnings = []
    monkeypatch.setattr(event_wait, "warn", warnings.append)
    bucket, pending = restores_in_progress(aws["s3"], "k")
    redrive = json.dumps({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq", "maxReceiveCount": 3})
    stub.add_response("get_queue_attributes", {"Attributes": {"RedrivePolicy": redrive}},
                      {"QueueUrl": QUEUE_URL, "AttributeNames": ["RedrivePolicy"]})
    receive = {"QueueUrl": QUEUE_URL, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 0}
    stub.add_response("receive_message", {}, receive)
    stub.add_response("receive_message", {"Messages": [{"MessageId": "2", "ReceiptHandle": "ours", "Body": eventbridge_body("k")}]}, receive)
    stub.add_response("delete_message_batch", {"Successful": [{"Id": "0"}], "Failed": []},
                      {"QueueUrl": QUEUE_URL, "Entries": [{"Id": "0", "ReceiptHandle": "ours"}]})

    waiter(aws, bucket, fake_clock, queue_url=QUEUE_URL, queues=EventQueues(client, None)).run(pending)
    (warning,) = warnings
    assert "maxReceiveCount" in warning and "receives and releases" in warning
    assert "a queue of its own" in warning and "leave wait_queue_url out" in warning
