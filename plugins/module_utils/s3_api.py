# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Small wrappers around the S3 calls the modules make, with retries, and the messages for their errors.

Every wrapper sends ExpectedBucketOwner (and RequestPayer where the operation takes it) when the user gave them,
so that a bucket owned by someone else is never read or changed by mistake.
"""

from __future__ import annotations

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# botocore's "standard" retry mode retries throttling (503 SlowDown included), 5xx answers and broken
# connections with jittered exponential backoff, which is what S3 asks of clients (S3 User Guide, "Best practices
# design patterns: optimizing Amazon S3 performance"). On top of it, AWSRetry retries what botocore does not:
# 409 OperationAborted, "a conflicting conditional operation is currently in progress" on bucket configuration.
BOTOCORE_RETRIES = {"mode": "standard", "max_attempts": 8}
RETRY_ERROR_CODES = ["OperationAborted"]
ACCESS_DENIED_CODES = ("AccessDenied", "403", "AllAccessDisabled")


class _ConflictRetry(AWSRetry):
    """AWSRetry for the codes given only: botocore already retries throttling and 5xx answers."""

    @staticmethod
    def found(response_code, catch_extra_error_codes=None):
        return response_code in (catch_extra_error_codes or [])


def s3_client(module, module_name, concurrency=1):
    """An S3 client for `concurrency` threads at once, retrying as above (AWSRetry when given aws_retry=True),
    naming `module_name` (s3_object_restore, ...) in its User-Agent."""
    # A copy: botocore rewrites the retries mapping it is given.
    # The module's name in the User-Agent lets CloudTrail (and our least-privilege test) tell its calls apart.
    config = botocore.config.Config(
        retries=dict(BOTOCORE_RETRIES),
        max_pool_connections=max(10, concurrency),
        user_agent_extra=f"s3async.restore/{module_name}",
    )
    return module.client(
        "s3",
        retry_decorator=_ConflictRetry.jittered_backoff(retries=4, catch_extra_error_codes=RETRY_ERROR_CODES),
        config=config,
    )


def error_code(error):
    """The S3 error code of a botocore ClientError (HEAD errors carry only the HTTP status, as a string)."""
    return error.response.get("Error", {}).get("Code", "")


def http_status(response_or_error):
    response = getattr(response_or_error, "response", response_or_error)
    return response.get("ResponseMetadata", {}).get("HTTPStatusCode")


class S3Bucket:
    """The bucket a module works on, with the caller's ownership and payment choices applied to every call."""

    def __init__(self, client, name, expected_owner=None, request_payer=False):
        self.client = client
        self.name = name
        self.expected_owner = expected_owner
        self.request_payer = request_payer

    def _bucket_args(self):
        args = {"Bucket": self.name}
        if self.expected_owner:
            args["ExpectedBucketOwner"] = self.expected_owner
        return args

    def _object_args(self, key, version_id=None):
        args = self._bucket_args()
        args["Key"] = key
        if version_id:
            args["VersionId"] = version_id
        if self.request_payer:
            # Required on Requester Pays buckets; the requester is billed for the request and the retrieval.
            args["RequestPayer"] = "requester"
        return args

    def head_object(self, key, version_id=None):
        return self.client.head_object(aws_retry=True, **self._object_args(key, version_id))

    def restore_object(self, key, restore_request, version_id=None):
        """Send RestoreObject; the response's HTTP status says 202 (started) or 200 (copy existed, expiry reset)."""
        return self.client.restore_object(
            aws_retry=True, RestoreRequest=restore_request, **self._object_args(key, version_id)
        )

    def list_object_pages(self, prefix, with_restore_status=False):
        """ListObjectsV2 under `prefix`, one page (up to 1,000 entries) at a time.

        With `with_restore_status`, asks for OptionalObjectAttributes=['RestoreStatus'] so that AWS reports
        each GLACIER / DEEP_ARCHIVE object's restore state in the listing (ListObjectsV2).
        """
        args = self._bucket_args()
        args["Prefix"] = prefix
        if self.request_payer:
            args["RequestPayer"] = "requester"
        if with_restore_status:
            args["OptionalObjectAttributes"] = ["RestoreStatus"]
        for page in self.client.get_paginator("list_objects_v2").paginate(**args):
            yield page.get("Contents", [])

    def region(self):
        """The bucket's region from HeadBucket (BucketRegion, x-amz-bucket-region), or None when S3 will not say."""
        try:
            response = self.client.head_bucket(aws_retry=True, **self._bucket_args())
        except botocore.exceptions.ClientError as error:
            # A 301/403 answer still carries the region header when S3 knows it.
            headers = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
            return headers.get("x-amz-bucket-region")
        return response.get("BucketRegion") or response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("x-amz-bucket-region")

    def bucket_exists(self):
        """HeadBucket: False on 404; raises on anything else it cannot answer (403 means it exists)."""
        try:
            self.client.head_bucket(aws_retry=True, **self._bucket_args())
        except botocore.exceptions.ClientError as error:
            if error_code(error) in ("404", "NoSuchBucket"):
                return False
            if error_code(error) in ("403", "AccessDenied"):
                return True
            raise
        return True

    def get_notification_configuration(self):
        return self.client.get_bucket_notification_configuration(aws_retry=True, **self._bucket_args())

    def put_notification_configuration(self, configuration):
        return self.client.put_bucket_notification_configuration(
            aws_retry=True, NotificationConfiguration=configuration, **self._bucket_args()
        )


# The IAM action each call needs, for access-denied messages (S3 User Guide, "Actions, resources, and condition
# keys for Amazon S3"). HeadObject is authorised by s3:GetObject.
REQUIRED_PERMISSIONS = {
    "HeadObject": "s3:GetObject",
    "HeadObjectVersion": "s3:GetObjectVersion",
    "ListObjectsV2": "s3:ListBucket",
    "RestoreObject": "s3:RestoreObject",
    "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "PutBucketNotificationConfiguration": "s3:PutBucketNotification",
}


def access_denied_message(operation, resource, expected_owner=None):
    permission = REQUIRED_PERMISSIONS.get(operation, operation)
    message = f"Access denied: {operation} on {resource} needs the IAM permission {permission}"
    if operation.startswith("HeadObject"):
        # S3 answers 403 rather than 404 for a missing key when the caller may not list the bucket.
        message += " (and s3:ListBucket on the bucket, without which a missing key also reads as 403 Forbidden)"
    if expected_owner:
        message += f"; the bucket must also belong to expected_bucket_owner {expected_owner}"
    if operation.startswith("HeadObject"):
        message += "; HEAD answers carry no reason, so the credentials may also be wrong or expired"
    return message + "."
