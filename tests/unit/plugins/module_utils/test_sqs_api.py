# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""sqs_api: the SQS and SNS calls of an event wait and their errors, on Stubbers (the exact parameters sent)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.sqs_api import EventQueues

REGION = "us-east-1"
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/restores"
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:restores"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:restore-events"


@pytest.fixture
def stubbed():
    clients = [boto3.client(service, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
               for service in ("sqs", "sns")]
    stubs = [Stubber(client) for client in clients]
    for stub in stubs:
        stub.activate()
    yield EventQueues(*clients), stubs[0], stubs[1]
    for stub in stubs:
        stub.assert_no_pending_responses()
        stub.deactivate()


def test_receive_long_polls_for_at_most_20_seconds(stubbed):
    queues, sqs, _sns = stubbed
    sqs.add_response("receive_message", {"Messages": [{"MessageId": "1", "ReceiptHandle": "r", "Body": "{}"}]},
                     {"QueueUrl": QUEUE_URL, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 20})
    sqs.add_response("receive_message", {}, {"QueueUrl": QUEUE_URL, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 3})
    assert [message["ReceiptHandle"] for message in queues.receive(QUEUE_URL, 900)] == ["r"]
    assert queues.receive(QUEUE_URL, 3.7) == []


def test_deletes_and_releases_go_in_batches_of_ten(stubbed):
    queues, sqs, _sns = stubbed
    handles = [f"r{number}" for number in range(12)]
    for batch in (handles[:10], handles[10:]):
        sqs.add_response("delete_message_batch", {"Successful": [], "Failed": []},
                         {"QueueUrl": QUEUE_URL, "Entries": [{"Id": str(n), "ReceiptHandle": h} for n, h in enumerate(batch)]})
    sqs.add_response("change_message_visibility_batch", {"Successful": [], "Failed": []},
                     {"QueueUrl": QUEUE_URL, "Entries": [{"Id": "0", "ReceiptHandle": "x", "VisibilityTimeout": 0}]})
    queues.delete(QUEUE_URL, handles)
    queues.release(QUEUE_URL, ["x"])
    queues.delete(QUEUE_URL, [])


@pytest.mark.parametrize("code, fragment", [
    ("AccessDenied", "needs the IAM permission sqs:ReceiveMessage"),
    ("QueueDoesNotExist", "does not exist (or is in another Region"),
    ("AWS.SimpleQueueService.NonExistentQueue", "check wait_queue_url and region"),
    ("InternalError", "ReceiveMessage on https://sqs"),
])
def test_receive_errors_say_what_to_do(stubbed, code, fragment):
    queues, sqs, _sns = stubbed
    sqs.add_client_error("receive_message", code, "nope", 400)
    with pytest.raises(TaskFailure, match=fragment.replace("(", r"\(")):
        queues.receive(QUEUE_URL, 20)


def test_a_throttled_receive_is_counted_not_fatal(stubbed):
    queues, sqs, _sns = stubbed
    sqs.add_client_error("receive_message", "ThrottlingException", "Rate exceeded", 400)
    assert queues.receive(QUEUE_URL, 20) == [] and queues.throttled == 1


def test_the_temporary_queue_is_made_encrypted_and_subscribed_raw(stubbed):
    queues, sqs, sns = stubbed
    sqs.add_response("create_queue", {"QueueUrl": QUEUE_URL},
                     {"QueueName": "restores", "Attributes": {"SqsManagedSseEnabled": "true"}})
    sqs.add_response("get_queue_attributes", {"Attributes": {"QueueArn": QUEUE_ARN}},
                     {"QueueUrl": QUEUE_URL, "AttributeNames": ["QueueArn"]})
    sqs.add_response("set_queue_attributes", {}, {"QueueUrl": QUEUE_URL, "Attributes": {"Policy": "{}"}})
    sns.add_response("subscribe", {"SubscriptionArn": f"{TOPIC_ARN}:1"},
                     {"TopicArn": TOPIC_ARN, "Protocol": "sqs", "Endpoint": QUEUE_ARN,
                      "Attributes": {"RawMessageDelivery": "true"}, "ReturnSubscriptionArn": True})
    assert queues.create_queue("restores") == QUEUE_URL
    assert queues.queue_arn(QUEUE_URL) == QUEUE_ARN
    queues.set_policy(QUEUE_URL, "{}")
    assert queues.subscribe(TOPIC_ARN, QUEUE_ARN) == f"{TOPIC_ARN}:1"


def test_removing_what_is_already_gone_is_not_an_error(stubbed):
    queues, sqs, sns = stubbed
    sqs.add_client_error("delete_queue", "QueueDoesNotExist", "gone", 400)
    sns.add_client_error("unsubscribe", "NotFound", "gone", 404)
    queues.delete_queue(QUEUE_URL)
    queues.unsubscribe(f"{TOPIC_ARN}:1")


@pytest.mark.parametrize("operation, call, permission", [
    ("create_queue", lambda queues: queues.create_queue("q"), "sqs:CreateQueue"),
    ("set_queue_attributes", lambda queues: queues.set_policy(QUEUE_URL, "{}"), "sqs:SetQueueAttributes"),
    ("delete_queue", lambda queues: queues.delete_queue(QUEUE_URL), "sqs:DeleteQueue"),
])
def test_denied_sqs_calls_name_the_permission(stubbed, operation, call, permission):
    queues, sqs, _sns = stubbed
    sqs.add_client_error(operation, "AccessDenied", "denied", 403)
    with pytest.raises(TaskFailure, match=permission):
        call(queues)


def test_denied_and_missing_topics_say_so(stubbed):
    queues, _sqs, sns = stubbed
    sns.add_client_error("subscribe", "AuthorizationError", "denied", 403)
    sns.add_client_error("subscribe", "NotFound", "no topic", 404)
    with pytest.raises(TaskFailure, match="sns:Subscribe"):
        queues.subscribe(TOPIC_ARN, QUEUE_ARN)
    with pytest.raises(TaskFailure, match="check sns_topic_arn"):
        queues.subscribe(TOPIC_ARN, QUEUE_ARN)
