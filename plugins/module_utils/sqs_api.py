# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The SQS and SNS calls of a wait on the restore events (wait_events=sqs), their errors translated where the call
is made into messages that say what to do.

Receiving uses long polling (WaitTimeSeconds up to 20: SQS Developer Guide, "Amazon SQS short and long polling"),
so an idle wait costs one request per 20 seconds. Deleting and releasing take batches of 10, the most SQS accepts
in one call (DeleteMessageBatch, ChangeMessageVisibilityBatch).
"""

from __future__ import annotations

from typing import Any

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.s3async.restore.plugins.module_utils.aws_clients import aws_client
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.failures import access_denied_message
from ansible_collections.s3async.restore.plugins.module_utils.failures import error_code
from ansible_collections.s3async.restore.plugins.module_utils.failures import error_message
from ansible_collections.s3async.restore.plugins.module_utils.failures import is_access_denied

LONG_POLL_SECONDS = 20
BATCH_SIZE = 10
# The IAM action each call needs (Service Authorization Reference, Amazon SQS and Amazon SNS).
REQUIRED_PERMISSIONS = {
    "ReceiveMessage": "sqs:ReceiveMessage",
    "DeleteMessageBatch": "sqs:DeleteMessage",
    "ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    "CreateQueue": "sqs:CreateQueue",
    "GetQueueAttributes": "sqs:GetQueueAttributes",
    "SetQueueAttributes": "sqs:SetQueueAttributes",
    "DeleteQueue": "sqs:DeleteQueue",
    "Subscribe": "sns:Subscribe",
    "Unsubscribe": "sns:Unsubscribe",
    "ConfirmSubscription": "sns:ConfirmSubscription",
}
# SQS answers a missing queue with QueueDoesNotExist (JSON protocol) or AWS.SimpleQueueService.NonExistentQueue
# (query protocol); SNS a missing topic with NotFound.
MISSING_QUEUE_CODES = ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NonExistentQueue")
THROTTLING_CODES = ("ThrottlingException", "RequestThrottled", "Throttling", "OverLimit", "KmsThrottled")


def sqs_client(module: Any, module_name: str) -> Any:
    return aws_client(module, "sqs", module_name)


def sns_client(module: Any, module_name: str) -> Any:
    return aws_client(module, "sns", module_name)


def _batches(items: list) -> list:
    return [items[start:start + BATCH_SIZE] for start in range(0, len(items), BATCH_SIZE)]


class EventQueues:
    """The SQS queue(s) and SNS subscription of a wait; every call raises TaskFailure with the way out."""

    def __init__(self, sqs: Any, sns: Any) -> None:
        self.sqs = sqs
        self.sns = sns
        self.throttled = 0

    def _failure(self, error: Exception, operation: str, resource: str) -> Exception:
        if is_access_denied(error) or error_code(error) in ("AuthorizationError", "AccessDeniedException"):
            return TaskFailure(access_denied_message(operation, resource, REQUIRED_PERMISSIONS[operation]))
        if error_code(error) in MISSING_QUEUE_CODES:
            return TaskFailure(f"The queue {resource} does not exist (or is in another Region than the module's): check "
                               "wait_queue_url and region.")
        if error_code(error) == "NotFound":
            return TaskFailure(f"The SNS topic {resource} does not exist: check sns_topic_arn.")
        return TaskFailure(f"{operation} on {resource} failed: {error_code(error)} {error_message(error)}".rstrip())

    def receive(self, queue_url: str, wait_seconds: int) -> list:
        """Up to 10 messages (MessageId, ReceiptHandle, Body), waiting up to `wait_seconds` for the first. A receive
        still throttled after botocore's retries returns no message (counted in `throttled`): the wait goes on,
        and its sweep does not depend on it."""
        try:
            answer = self.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=BATCH_SIZE,
                                              WaitTimeSeconds=max(0, min(LONG_POLL_SECONDS, int(wait_seconds))))
        except botocore.exceptions.ClientError as error:
            if error_code(error) in THROTTLING_CODES:
                self.throttled += 1
                return []
            raise self._failure(error, "ReceiveMessage", queue_url) from error
        return answer.get("Messages", [])

    def delete(self, queue_url: str, receipt_handles: list) -> None:
        """Delete the messages used. A message whose delete fails comes back later and is harmless (at most a
        duplicate), so a failed entry is not an error."""
        for batch in _batches(receipt_handles):
            entries = [{"Id": str(number), "ReceiptHandle": handle} for number, handle in enumerate(batch)]
            try:
                self.sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
            except botocore.exceptions.ClientError as error:
                raise self._failure(error, "DeleteMessageBatch", queue_url) from error

    def release(self, queue_url: str, receipt_handles: list) -> None:
        """Make messages this wait does not use visible again at once, for the queue's other consumers. A failed
        release only means the message reappears when its visibility timeout ends."""
        for batch in _batches(receipt_handles):
            entries = [{"Id": str(number), "ReceiptHandle": handle, "VisibilityTimeout": 0}
                       for number, handle in enumerate(batch)]
            try:
                self.sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=entries)
            except botocore.exceptions.ClientError as error:
                if is_access_denied(error):
                    raise self._failure(error, "ChangeMessageVisibilityBatch", queue_url) from error

    def attributes(self, queue_url: str, names: list) -> dict:
        try:
            return self.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names).get("Attributes", {})
        except botocore.exceptions.ClientError as error:
            raise self._failure(error, "GetQueueAttributes", queue_url) from error

    def create_queue(self, name: str) -> str:
        """A new queue's URL, with SQS-managed encryption, which SNS can send to without a KMS grant. Only the URL:
        the caller holds it for the queue's removal before any further call (queue_arn) can fail."""
        try:
            return self.sqs.create_queue(QueueName=name, Attributes={"SqsManagedSseEnabled": "true"})["QueueUrl"]
        except botocore.exceptions.ClientError as error:
            raise self._failure(error, "CreateQueue", name) from error

    def queue_arn(self, queue_url: str) -> str:
        """The queue's ARN, which SNS subscribes and the queue policy names (GetQueueAttributes QueueArn)."""
        return self.attributes(queue_url, ["QueueArn"])["QueueArn"]

    def set_policy(self, queue_url: str, policy: str) -> None:
        try:
            self.sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": policy})
        except botocore.exceptions.ClientError as error:
            raise self._failure(error, "SetQueueAttributes", queue_url) from error

    def delete_queue(self, queue_url: str) -> None:
        try:
            self.sqs.delete_queue(QueueUrl=queue_url)
        except botocore.exceptions.ClientError as error:
            if error_code(error) not in MISSING_QUEUE_CODES:
                raise self._failure(error, "DeleteQueue", queue_url) from error

    def subscribe(self, topic_arn: str, queue_arn: str) -> str:
        """Subscribe the queue to the topic with raw message delivery (the body is S3's event message itself)."""
        try:
            answer = self.sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                                        Attributes={"RawMessageDelivery": "true"}, ReturnSubscriptionArn=True)
        except botocore.exceptions.ClientError as error:
            raise self._failure(error, "Subscribe", topic_arn) from error
        return answer["SubscriptionArn"]

    def confirm(self, topic_arn: str, token: str) -> None:
        """Confirm a subscription (a topic of another account asks for it: SNS Developer Guide, "Sending Amazon SNS
        messages to an Amazon SQS queue in a different account")."""
        try:
            self.sns.confirm_subscription(TopicArn=topic_arn, Token=token)
        except botocore.exceptions.ClientError as error:
            raise self._failure(error, "ConfirmSubscription", topic_arn) from error

    def unsubscribe(self, subscription_arn: str) -> None:
        try:
            self.sns.unsubscribe(SubscriptionArn=subscription_arn)
        except botocore.exceptions.ClientError as error:
            if error_code(error) != "NotFound":
                raise self._failure(error, "Unsubscribe", subscription_arn) from error
