# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The S3 calls of the collection, with the caller's ownership and payment choices bound once, and their errors
translated where the call is made into messages that say what to do.

Every call sends ExpectedBucketOwner (and RequestPayer where the operation takes it) when the user gave them,
so that a bucket owned by someone else is never read or changed by mistake.
"""

from __future__ import annotations

from typing import Any
from typing import Iterator

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.s3async.restore.plugins.module_utils import notification
from ansible_collections.s3async.restore.plugins.module_utils import notification_text
from ansible_collections.s3async.restore.plugins.module_utils.aws_clients import aws_client
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import s3_uri
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.failures import access_denied_message
from ansible_collections.s3async.restore.plugins.module_utils.failures import error_code
from ansible_collections.s3async.restore.plugins.module_utils.failures import error_message
from ansible_collections.s3async.restore.plugins.module_utils.failures import http_status
from ansible_collections.s3async.restore.plugins.module_utils.failures import is_access_denied
from ansible_collections.s3async.restore.plugins.module_utils.failures import is_not_found
from ansible_collections.s3async.restore.plugins.module_utils.failures import response_header
from ansible_collections.s3async.restore.plugins.module_utils.failures import retried

# The IAM action each call needs, for access-denied messages (S3 User Guide, "Actions, resources, and condition
# keys for Amazon S3"). HeadObject is authorised by s3:GetObject.
REQUIRED_PERMISSIONS = {
    "HeadObject": "s3:GetObject",
    "HeadObjectVersion": "s3:GetObjectVersion",
    "ListObjectsV2": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "GetObject": "s3:GetObject",
    "GetObjectVersion": "s3:GetObjectVersion",
    "RestoreObject": "s3:RestoreObject",
    "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "PutBucketNotificationConfiguration": "s3:PutBucketNotification",
}

# What a RestoreObject came to (RestoreObject, "Responses" and "Errors"):
RESTORE_STARTED = "started"  # 202 Accepted: a restore started.
RESTORE_RESET = "reset"  # 200 OK: a restored copy existed; S3 reset its expiry to now + Days.
RESTORE_RUNNING = "running"  # 409 RestoreAlreadyInProgress: another request started one.
# 409 after botocore retried the request: an earlier attempt of ours reached S3 and started the restore, and its
# answer was lost (a 5xx or a dropped connection after S3 acted).
RESTORE_RUNNING_AFTER_RETRY = "running_after_retry"
RESTORE_ACTIVE_TIER = "active_tier"  # 403 ObjectAlreadyInActiveTierError: Intelligent-Tiering, readable again.
RESTORE_NO_EXPEDITED_CAPACITY = "no_expedited_capacity"  # 503 GlacierExpeditedRetrievalNotAvailable.
_RESTORE_ERROR_OUTCOMES = {
    "RestoreAlreadyInProgress": RESTORE_RUNNING,
    "ObjectAlreadyInActiveTierError": RESTORE_ACTIVE_TIER,
    "GlacierExpeditedRetrievalNotAvailable": RESTORE_NO_EXPEDITED_CAPACITY,
}


def s3_client(module: Any, module_name: str, concurrency: int = 1) -> Any:
    """An S3 client for `concurrency` threads at once (aws_clients.aws_client)."""
    return aws_client(module, "s3", module_name, concurrency)


class S3Bucket:
    """The bucket a module works on, with the caller's ownership and payment choices applied to every call."""

    def __init__(self, client: Any, name: str, expected_owner: str | None = None, request_payer: bool = False) -> None:
        self.client = client
        self.name = name
        self.expected_owner = expected_owner
        self.request_payer = request_payer

    def _bucket_args(self) -> dict:
        args = {"Bucket": self.name}
        if self.expected_owner:
            args["ExpectedBucketOwner"] = self.expected_owner
        return args

    def _object_args(self, key: str, version_id: str | None = None) -> dict:
        args = self._bucket_args()
        args["Key"] = key
        if version_id:
            args["VersionId"] = version_id
        if self.request_payer:
            # Required on Requester Pays buckets; the requester is billed for the request and the retrieval.
            args["RequestPayer"] = "requester"
        return args

    def denied(self, operation: str, resource: str) -> TaskFailure:
        """The failure for an access-denied answer to `operation` on `resource`: the permission to grant."""
        clauses = []
        if operation.startswith("HeadObject"):
            # S3 answers 403 rather than 404 for a missing key when the caller may not list the bucket.
            clauses.append(" (and s3:ListBucket on the bucket, without which a missing key also reads as 403 Forbidden)")
        if self.expected_owner:
            clauses.append(f"; the bucket must also belong to expected_bucket_owner {self.expected_owner}")
        if operation.startswith("HeadObject"):
            clauses.append("; HEAD answers carry no reason, so the credentials may also be wrong or expired")
        return TaskFailure(access_denied_message(operation, resource, REQUIRED_PERMISSIONS[operation], *clauses))

    # -- objects ---------------------------------------------------------------------------------------------

    def head_object(self, key: str, version_id: str | None = None) -> dict:
        """HeadObject. Raises TaskFailure with a message naming what is wrong and how to fix it."""
        try:
            return self.client.head_object(aws_retry=True, **self._object_args(key, version_id))
        except botocore.exceptions.ClientError as error:
            failure = self._head_failure(error, key, version_id)
            if failure is error:
                raise
            raise failure from error

    def _head_failure(self, error: Exception, key: str, version_id: str | None) -> Exception:
        """What a failed HeadObject means. HEAD answers carry no error code, only the status (HeadObject)."""
        code = error_code(error)
        where = s3_uri(self.name, key)
        if is_not_found(error):
            return self._missing(error, key, version_id)
        if code in ("301", "PermanentRedirect"):
            region = response_header(error, "x-amz-bucket-region")
            if region is None:
                return TaskFailure(f"Bucket {self.name!r} is in another region than the one this task uses: set region "
                                   "to the bucket's region.")
            return TaskFailure(f"Bucket {self.name!r} is in region {region}, not the one this task uses: set region={region}.")
        if is_access_denied(error):
            return self.denied("HeadObjectVersion" if version_id else "HeadObject", where)
        if code == "405" and version_id:
            # A HEAD of a version that is a delete marker answers 405 Method Not Allowed (HeadObject).
            return TaskFailure(f"Version {version_id!r} of {where} is a delete marker, not an object: there is nothing "
                               "to restore. Name an earlier version with version_id.")
        if code == "400" and version_id:
            return TaskFailure(f"S3 rejected version_id {version_id!r} for {where}: is it a valid version ID?")
        if code == "400":
            return TaskFailure(f"S3 answered 400 Bad Request to HeadObject on {where}, with no reason (HEAD answers "
                               "carry none): most often expired or invalid credentials (session token), or an object "
                               "encrypted with a customer-provided key (SSE-C), which cannot be read without that key.")
        return error

    def _missing(self, error: Exception, key: str, version_id: str | None) -> TaskFailure:
        """A 404 to HeadObject: the bucket, or the key (or version) in it, is missing, or (x-amz-delete-marker) the
        current version is a delete marker (HeadObject, "Response Syntax")."""
        if not self.bucket_exists():
            return self.no_such_bucket()
        what = f"Version {version_id!r} of key {key!r}" if version_id else f"Key {key!r}"
        if response_header(error, "x-amz-delete-marker") == "true":
            return TaskFailure(f"{what} in bucket {self.name!r} is a delete marker: the object was deleted. To restore "
                               "it, name an earlier version with version_id (aws s3api list-object-versions lists them).")
        hint = ""
        if key.endswith("/"):
            hint = f" A key ending in '/' names a folder: to restore the objects in it, use prefix={key!r}."
        elif key.startswith("/"):
            hint = f" S3 keys rarely start with '/': did you mean key={key.lstrip('/')!r}?"
        return TaskFailure(f"{what} not found in bucket {self.name!r}.{hint}")

    def no_such_bucket(self) -> TaskFailure:
        return TaskFailure(f"Bucket {self.name!r} does not exist (or is not visible to these credentials).")

    def restore_object(self, key: str, restore_request: dict, version_id: str | None = None) -> str:
        """Send RestoreObject; returns what it came to (RESTORE_STARTED, RESTORE_RESET, RESTORE_RUNNING, ...).

        Races with another restorer are outcomes, not errors (RestoreObject, "Errors"); access denied raises
        TaskFailure, and any other error is raised as it came.
        """
        try:
            response = self.client.restore_object(
                aws_retry=True, RestoreRequest=restore_request, **self._object_args(key, version_id)
            )
        except botocore.exceptions.ClientError as error:
            outcome = _RESTORE_ERROR_OUTCOMES.get(error_code(error))
            if outcome == RESTORE_RUNNING and retried(error):
                return RESTORE_RUNNING_AFTER_RETRY
            if outcome is not None:
                return outcome
            if is_access_denied(error):
                raise self.denied("RestoreObject", s3_uri(self.name, key)) from error
            raise
        return RESTORE_RESET if http_status(response) == 200 else RESTORE_STARTED

    def list_object_pages(self, prefix: str, with_restore_status: bool = False, start_after: str | None = None) -> Iterator[list]:
        """ListObjectsV2 under `prefix`, one page (up to 1,000 entries) at a time, from the first key after
        `start_after` when given.

        With `with_restore_status`, asks for OptionalObjectAttributes=['RestoreStatus'] so that AWS reports
        each GLACIER / DEEP_ARCHIVE object's restore state in the listing (ListObjectsV2).
        """
        args = self._listing_args(prefix, with_restore_status)
        if start_after:
            args["StartAfter"] = start_after
        for page in self._pages("list_objects_v2", "ListObjectsV2", args):
            yield page.get("Contents", [])

    def list_object_version_pages(self, prefix: str, with_restore_status: bool = False) -> Iterator[dict]:
        """ListObjectVersions under `prefix`, one page (up to 1,000 versions and delete markers) at a time, each
        page as S3 returned it (Versions and DeleteMarkers). `with_restore_status` as for list_object_pages:
        ListObjectVersions takes OptionalObjectAttributes=['RestoreStatus'] too (ListObjectVersions)."""
        yield from self._pages("list_object_versions", "ListObjectVersions", self._listing_args(prefix, with_restore_status))

    def _listing_args(self, prefix: str, with_restore_status: bool) -> dict:
        args = self._bucket_args()
        args["Prefix"] = prefix
        if self.request_payer:
            args["RequestPayer"] = "requester"
        if with_restore_status:
            args["OptionalObjectAttributes"] = ["RestoreStatus"]
        return args

    def _pages(self, method: str, operation: str, args: dict) -> Iterator[dict]:
        try:
            yield from self.client.get_paginator(method).paginate(**args)
        except botocore.exceptions.ClientError as error:
            if is_access_denied(error):
                raise self.denied(operation, f"bucket {self.name}") from error
            if error_code(error) == "NoSuchBucket":
                raise self.no_such_bucket() from error
            raise

    def object_body(self, key: str, version_id: str | None = None) -> Any:
        """GetObject's body (a stream, read as it is consumed) of a manifest object in this bucket. Raises
        TaskFailure with what is wrong: missing, denied, or archived itself."""
        where = s3_uri(self.name, key, version_id)
        try:
            return self.client.get_object(aws_retry=True, **self._object_args(key, version_id))["Body"]
        except botocore.exceptions.ClientError as error:
            code = error_code(error)
            if is_access_denied(error):
                raise self.denied("GetObjectVersion" if version_id else "GetObject", where) from error
            if code in ("NoSuchKey", "NoSuchVersion", "404"):
                raise TaskFailure(f"The manifest {where} does not exist: check the bucket and key.") from error
            if code == "NoSuchBucket":
                raise TaskFailure(f"The manifest's bucket {self.name!r} does not exist.") from error
            if code == "InvalidObjectState":
                raise TaskFailure(f"The manifest {where} is archived itself: restore it first, or keep manifests "
                                  "in a class readable in real time (STANDARD).") from error
            raise

    def manifest_etag(self, key: str, version_id: str | None = None) -> str | None:
        """The ETag (as HeadObject returns it) of a Batch Operations manifest object in this bucket."""
        where = s3_uri(self.name, key)
        try:
            return self.client.head_object(aws_retry=True, **self._object_args(key, version_id)).get("ETag")
        except botocore.exceptions.ClientError as error:
            if is_access_denied(error):
                operation = "HeadObjectVersion" if version_id else "HeadObject"
                permission = f"{REQUIRED_PERMISSIONS[operation]} on the manifest object (or give manifest.etag)"
                raise TaskFailure(access_denied_message(operation, where, permission)) from error
            if is_not_found(error):
                raise TaskFailure(f"The manifest object {where} does not exist.") from error
            raise

    # -- the bucket ------------------------------------------------------------------------------------------

    def region(self) -> str | None:
        """The bucket's region from HeadBucket (BucketRegion, x-amz-bucket-region), or None when S3 will not say."""
        try:
            response = self.client.head_bucket(aws_retry=True, **self._bucket_args())
        except botocore.exceptions.ClientError as error:
            # A 301/403 answer still carries the region header when S3 knows it.
            return response_header(error, "x-amz-bucket-region")
        return response.get("BucketRegion") or response_header(response, "x-amz-bucket-region")

    def bucket_exists(self) -> bool:
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

    def get_notification_configuration(self) -> dict:
        """The bucket's notification configuration as S3 returned it, without ResponseMetadata.

        Bucket configurations are eventually consistent (S3 User Guide, "Amazon S3 data consistency model"): right
        after a write this may still return the previous configuration."""
        try:
            return notification.clean_configuration(self.client.get_bucket_notification_configuration(aws_retry=True, **self._bucket_args()))
        except botocore.exceptions.ClientError as error:
            if is_access_denied(error):
                raise self.denied("GetBucketNotificationConfiguration", f"bucket {self.name}") from error
            raise

    def put_notification_configuration(self, configuration: dict, topic_arn: str | None = None) -> None:
        """Write the whole notification configuration (it replaces what is there); `topic_arn` is the destination
        this write adds (None for a removal). When S3 cannot validate destinations, the message names each one S3
        reports, and shows the topic policy statement only when `topic_arn` is among them."""
        try:
            self.client.put_bucket_notification_configuration(
                aws_retry=True, NotificationConfiguration=configuration, **self._bucket_args()
            )
        except botocore.exceptions.ClientError as error:
            failure = self._put_notification_failure(error, topic_arn, configuration)
            if failure is error:
                raise
            raise failure from error

    def _put_notification_failure(self, error: Exception, topic_arn: str | None, configuration: dict | None = None) -> Exception:
        text = error_message(error)
        if is_access_denied(error):
            return self.denied("PutBucketNotificationConfiguration", f"bucket {self.name}")
        # S3 sends a test message to EVERY destination of the configuration when it is written, not only to the
        # one added, and names each that failed in ArgumentName<n> / ArgumentValue<n> (S3 User Guide, "Granting
        # permissions to publish event notification messages to a destination"). The policy statement names the
        # bucket owner's account, which S3 publishes with: expected_bucket_owner, else a placeholder.
        if "Unable to validate the following destination configurations" in text:
            failures = notification_text.validation_failures(error.response.get("Error", {}))
            ids = notification.destination_ids(configuration or {})
            return TaskFailure(notification_text.destination_validation_message(self.name, failures, topic_arn, self.expected_owner, ids))
        if "ambiguously defined" in text:
            # The planner checks the overlap rule before writing, so this is most likely another writer's change
            # made between our last read and the write.
            return TaskFailure(
                f"S3 refused the notification configuration of bucket {self.name} as overlapping ({text}). "
                "Nothing was changed. The module checks S3's overlap rule before writing, so the configuration was "
                "most likely changed by another writer meanwhile: run the task again, and it names the configuration "
                "that collides."
            )
        return error

    # -- manifests written by s3_restore_job (manifest_source=listing) -----------------------------------------

    def _manifest_call(self, operation: str, key: str, call: Any, **args: Any) -> dict:
        """One write of a manifest object. PutObject, CreateMultipartUpload, UploadPart and CompleteMultipartUpload
        are authorised by s3:PutObject, AbortMultipartUpload by s3:AbortMultipartUpload (S3 User Guide, "Actions,
        resources, and condition keys for Amazon S3")."""
        try:
            return call(aws_retry=True, Key=key, **self._bucket_args(), **args)
        except botocore.exceptions.ClientError as error:
            if is_access_denied(error):
                permission = "s3:AbortMultipartUpload" if operation == "AbortMultipartUpload" else "s3:PutObject"
                raise TaskFailure(access_denied_message(operation, s3_uri(self.name, key), permission,
                                                        " on the manifests (manifest_bucket, manifest_prefix)")) from error
            if error_code(error) == "NoSuchBucket":
                raise self.no_such_bucket() from error
            raise

    def existing_manifest_etag(self, key: str) -> str | None:
        """The ETag of the manifest an earlier run wrote at `key`, or None when there is none (HeadObject 404; S3
        answers 403 instead for a missing key when the caller may not list the bucket, HeadObject "Permissions")."""
        try:
            return self.client.head_object(aws_retry=True, Key=key, **self._bucket_args()).get("ETag")
        except botocore.exceptions.ClientError as error:
            if is_not_found(error):
                return None
            if is_access_denied(error):
                raise TaskFailure(access_denied_message("HeadObject", s3_uri(self.name, key), "s3:GetObject",
                                                        " on the manifests and s3:ListBucket on manifest_bucket")) from error
            raise

    def put_manifest(self, key: str, body: bytes) -> str:
        """PutObject of a whole CSV manifest; returns its ETag."""
        return self._manifest_call("PutObject", key, self.client.put_object, Body=body, ContentType="text/csv")["ETag"]

    def start_manifest_upload(self, key: str) -> str:
        """CreateMultipartUpload for a manifest too large for one part; returns the UploadId."""
        return self._manifest_call("CreateMultipartUpload", key, self.client.create_multipart_upload, ContentType="text/csv")["UploadId"]

    def upload_manifest_part(self, key: str, upload_id: str, number: int, body: bytes) -> str:
        """UploadPart number `number` (from 1); returns the part's ETag."""
        return self._manifest_call("UploadPart", key, self.client.upload_part, UploadId=upload_id, PartNumber=number, Body=body)["ETag"]

    def complete_manifest_upload(self, key: str, upload_id: str, part_etags: list) -> str:
        """CompleteMultipartUpload with the parts' ETags in order; returns the manifest's ETag."""
        parts = [{"PartNumber": number, "ETag": etag} for number, etag in enumerate(part_etags, 1)]
        return self._manifest_call("CompleteMultipartUpload", key, self.client.complete_multipart_upload,
                                   UploadId=upload_id, MultipartUpload={"Parts": parts})["ETag"]

    def abort_manifest_upload(self, key: str, upload_id: str) -> None:
        """AbortMultipartUpload: the parts uploaded are deleted, so a failed run leaves no manifest behind."""
        self._manifest_call("AbortMultipartUpload", key, self.client.abort_multipart_upload, UploadId=upload_id)
