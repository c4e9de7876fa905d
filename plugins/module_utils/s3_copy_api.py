# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The S3 calls of s3_object_unarchive: reading what a copy must keep, CopyObject, the multipart copy, and reading
the destination; errors translated where each call is made into messages that name the permission or the way out.

The source bucket's ownership and payment choices (s3_api.S3Bucket) apply to every call on the source; the
destination bucket is named on each call.
"""

from __future__ import annotations

import collections
from typing import Any

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.s3async.restore.plugins.module_utils import copy_plan
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import s3_uri
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.failures import access_denied_message
from ansible_collections.s3async.restore.plugins.module_utils.failures import error_code
from ansible_collections.s3async.restore.plugins.module_utils.failures import error_message
from ansible_collections.s3async.restore.plugins.module_utils.failures import is_access_denied
from ansible_collections.s3async.restore.plugins.module_utils.failures import is_not_found
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket

# The IAM action each call needs beyond s3_api.REQUIRED_PERMISSIONS (S3 User Guide, "Actions, resources, and
# condition keys for Amazon S3"). CopyObject's own needs depend on what is copied: permissions_for.
REQUIRED_PERMISSIONS = {
    "GetObjectTagging": "s3:GetObjectTagging",
    "GetObjectAcl": "s3:GetObjectAcl",
    "GetBucketOwnershipControls": "s3:GetBucketOwnershipControls",
    "GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "GetObjectRetention": "s3:GetObjectRetention",
    "GetObjectLegalHold": "s3:GetObjectLegalHold",
    "UploadPartCopy": "s3:GetObject on the source and s3:PutObject on the destination",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
}

# What a copy came to, besides success.
COPY_NOT_READABLE = "not_readable"  # 403 InvalidObjectState / ObjectNotInActiveTierError: the restored copy expired.
COPY_NO_ACL = "acl_not_supported"  # 400 AccessControlListNotSupported: the destination has ACLs disabled.
COPY_NO_LOCK = "lock_not_allowed"  # 400 InvalidRequest: the destination bucket has no Object Lock configuration.
_NOT_READABLE_CODES = ("InvalidObjectState", "ObjectNotInActiveTierError")


class CopyOutcome(Exception):
    """A copy S3 refused for a reason the run handles (one of the COPY_* outcomes), not a failure."""

    def __init__(self, outcome: str, text: str) -> None:
        super().__init__(text)
        self.outcome = outcome
        self.text = text


def _outcome_of(error: Exception) -> CopyOutcome | None:
    code, text = error_code(error), error_message(error)
    if code in _NOT_READABLE_CODES:
        return CopyOutcome(COPY_NOT_READABLE, text)
    if code == "AccessControlListNotSupported":
        return CopyOutcome(COPY_NO_ACL, text)
    if code == "InvalidRequest" and "object lock" in text.lower():
        return CopyOutcome(COPY_NO_LOCK, text)
    return None


def grant_arguments(grants: list, owner_id: str | None) -> dict:
    """The source's ACL grants other than the owner's own FULL_CONTROL, as CopyObject's x-amz-grant-* arguments:
    a copy gets a private ACL otherwise (CopyObject, "x-amz-grant-*": "the ACL is not preserved")."""
    by_permission: dict = {}
    for grant in grants:
        grantee = grant.get("Grantee", {})
        if grantee.get("ID") == owner_id and grant.get("Permission") == "FULL_CONTROL":
            continue
        if grantee.get("ID"):
            who = f"id={grantee['ID']}"
        elif grantee.get("URI"):
            who = f'uri="{grantee["URI"]}"'
        elif grantee.get("EmailAddress"):
            who = f"emailAddress={grantee['EmailAddress']}"
        else:
            continue
        by_permission.setdefault(grant.get("Permission"), []).append(who)
    names = {"FULL_CONTROL": "GrantFullControl", "READ": "GrantRead", "READ_ACP": "GrantReadACP", "WRITE_ACP": "GrantWriteACP"}
    return {names[permission]: ", ".join(whos) for permission, whos in sorted(by_permission.items()) if permission in names}


def permissions_for(args: dict) -> list:
    """The IAM permissions a copy with these arguments needs, for an access-denied message (CopyObject,
    "Permissions"; S3 User Guide, "Actions, resources, and condition keys for Amazon S3")."""
    needed = ["s3:GetObject on the source", "s3:PutObject on the destination"]
    if args.get("TaggingDirective") == "COPY" or args.get("Tagging"):
        needed.append("s3:GetObjectTagging on the source and s3:PutObjectTagging on the destination (tags are copied)")
    if str(args.get("ServerSideEncryption", "")).startswith("aws:kms"):
        needed.append("kms:Decrypt and kms:GenerateDataKey on the KMS key")
    if args.get("ObjectLockMode"):
        needed.append("s3:PutObjectRetention on the destination")
    if args.get("ObjectLockLegalHoldStatus"):
        needed.append("s3:PutObjectLegalHold on the destination")
    if any(name.startswith("Grant") for name in args):
        needed.append("s3:PutObjectAcl on the destination (ACL grants are kept)")
    return needed


class CopySource(S3Bucket):
    """The source bucket as a copy run reads it: every HeadObject asks for the object's checksum (ChecksumMode
    ENABLED), so that the HEAD that reads an object's state also shows all that its copy must keep (metadata,
    content headers, SSE-KMS key, lock, checksum) and can serve the copy too."""

    @classmethod
    def of(cls, bucket: S3Bucket) -> "CopySource":
        if isinstance(bucket, CopySource):
            return bucket
        return cls(bucket.client, bucket.name, bucket.expected_owner, bucket.request_payer)

    def head_object(self, key: str, version_id: str | None = None) -> dict:
        """What the reads of object states (object_restore) send: checksum_head."""
        return self.checksum_head(key, version_id)

    def checksum_head(self, key: str, version_id: str | None = None) -> dict:
        """HeadObject with the checksum, through S3Bucket's error messages."""
        try:
            return self.client.head_object(aws_retry=True, ChecksumMode="ENABLED", **self._object_args(key, version_id))
        except botocore.exceptions.ClientError as error:
            if not is_access_denied(error):
                failure = self._head_failure(error, key, version_id)
                if failure is error:
                    raise
                raise failure from error
        # With ChecksumMode, an SSE-KMS object's HEAD also needs kms:Decrypt (HeadObject, "x-amz-checksum-mode"):
        # the plain HEAD then says what is denied, or reads the object without its checksum.
        return super().head_object(key, version_id)

    def current_version_id(self, key: str) -> str | None:
        """The version ID of the key's current version, or None when it has none (a delete marker, or no key)."""
        try:
            return self.client.head_object(aws_retry=True, **self._object_args(key)).get("VersionId")
        except botocore.exceptions.ClientError as error:
            if is_not_found(error):
                return None
            failure = self._head_failure(error, key, None)
            if failure is error:
                raise
            raise failure from error


class HeadKeepingSource(CopySource):
    """The source bucket whose HeadObject answers (the reads of object states, by object_restore) are kept for the
    copies: one HEAD serves both. At most `kept`, oldest dropped first; a copy without one HEADs. Thread-safe
    under `lock` (the task's threading.Lock: threads are the tasks' own)."""

    def __init__(self, bucket: S3Bucket, kept: int, lock: Any) -> None:
        super().__init__(bucket.client, bucket.name, bucket.expected_owner, bucket.request_payer)
        self.kept = kept
        self._heads: collections.OrderedDict = collections.OrderedDict()
        self._lock = lock

    def head_object(self, key: str, version_id: str | None = None) -> dict:
        head = self.checksum_head(key, version_id)
        with self._lock:
            # Under the version ID the object's result names (object_restore: the HEAD's, else the one asked for).
            self._heads[(key, head.get("VersionId") or version_id)] = {name: value for name, value in head.items()
                                                                       if name != "ResponseMetadata"}
            while len(self._heads) > self.kept:
                self._heads.popitem(last=False)
        return head

    def take_head(self, key: str, version_id: str | None) -> dict | None:
        """The answer kept for this object (as its result names it), once, or None."""
        with self._lock:
            return self._heads.pop((key, version_id), None)


class S3Copier:
    """Copies out of `source` (an s3_api.S3Bucket, read as a CopySource) into `destination_bucket`."""

    def __init__(self, source: S3Bucket, destination_bucket: str) -> None:
        self.source = CopySource.of(source)
        self.client = source.client
        self.destination_bucket = destination_bucket

    def _source_args(self, key: str, version_id: str | None = None) -> dict:
        args = {"Bucket": self.source.name, "Key": key}
        if version_id:
            args["VersionId"] = version_id
        if self.source.expected_owner:
            args["ExpectedBucketOwner"] = self.source.expected_owner
        if self.source.request_payer:
            args["RequestPayer"] = "requester"
        return args

    def _destination_args(self) -> dict:
        args = {"Bucket": self.destination_bucket}
        # The owner check covers the source bucket; it covers the destination too when they are one bucket.
        if self.source.expected_owner and self.destination_bucket == self.source.name:
            args["ExpectedBucketOwner"] = self.source.expected_owner
        if self.source.request_payer:
            args["RequestPayer"] = "requester"
        return args

    def copy_source(self, key: str, version_id: str | None) -> dict:
        source = {"Bucket": self.source.name, "Key": key}
        if version_id:
            source["VersionId"] = version_id
        return source

    def _copy_source_args(self) -> dict:
        if self.source.expected_owner:
            return {"ExpectedSourceBucketOwner": self.source.expected_owner}
        return {}

    def _denied(self, operation: str, where: str, permission: str) -> TaskFailure:
        return TaskFailure(access_denied_message(operation, where, permission))

    # -- reading ---------------------------------------------------------------------------------------------

    def head_source(self, key: str, version_id: str | None = None) -> dict:
        """HeadObject of the source with its checksum (CopySource.head_object)."""
        return self.source.checksum_head(key, version_id)

    def head_destination(self, key: str) -> dict | None:
        """HeadObject of the destination key, or None when there is none yet."""
        try:
            return self.client.head_object(aws_retry=True, Key=key, **self._destination_args())
        except botocore.exceptions.ClientError as error:
            if is_not_found(error):
                return None
            if is_access_denied(error):
                raise self._denied("HeadObject", s3_uri(self.destination_bucket, key),
                                   "s3:GetObject on the destination (and s3:ListBucket, without which a missing key "
                                   "also reads as 403), to tell whether it already holds the copy") from error
            raise

    def tags(self, key: str, version_id: str | None = None) -> list:
        """GetObjectTagging: the TagSet a multipart copy must set again."""
        try:
            return self.client.get_object_tagging(aws_retry=True, **self._source_args(key, version_id)).get("TagSet", [])
        except botocore.exceptions.ClientError as error:
            if is_access_denied(error):
                raise self._denied("GetObjectTagging", s3_uri(self.source.name, key, version_id),
                                   "s3:GetObjectTagging (the object's tags are copied with it)") from error
            raise

    def acl(self, key: str, version_id: str | None = None) -> tuple:
        """GetObjectAcl: (grants, owner ID) of the source."""
        try:
            response = self.client.get_object_acl(aws_retry=True, **self._source_args(key, version_id))
        except botocore.exceptions.ClientError as error:
            if is_access_denied(error):
                raise self._denied("GetObjectAcl", s3_uri(self.source.name, key, version_id),
                                   "s3:GetObjectAcl (the bucket uses ACLs, and the object's grants are kept)") from error
            raise
        return response.get("Grants", []), response.get("Owner", {}).get("ID")

    def uses_acls(self) -> bool:
        """Whether the source bucket uses ACLs: Object Ownership other than BucketOwnerEnforced, or none set
        (buckets made before April 2023). With ACLs disabled, every object is the bucket owner's, no grant to keep."""
        args = {"Bucket": self.source.name}
        if self.source.expected_owner:
            args["ExpectedBucketOwner"] = self.source.expected_owner
        try:
            response = self.client.get_bucket_ownership_controls(aws_retry=True, **args)
        except botocore.exceptions.ClientError as error:
            if error_code(error) == "OwnershipControlsNotFoundError":
                return True
            if is_access_denied(error):
                raise self._denied("GetBucketOwnershipControls", f"bucket {self.source.name}",
                                   "s3:GetBucketOwnershipControls (to tell whether the bucket uses ACLs, whose "
                                   "grants the copies keep)") from error
            raise
        rules = response.get("OwnershipControls", {}).get("Rules", [])
        return not any(rule.get("ObjectOwnership") == "BucketOwnerEnforced" for rule in rules)

    def uses_object_lock(self) -> bool:
        """Whether the source bucket has Object Lock enabled (GetObjectLockConfiguration), so that its objects'
        retention and legal hold must be read for the copies."""
        args = {"Bucket": self.source.name}
        if self.source.expected_owner:
            args["ExpectedBucketOwner"] = self.source.expected_owner
        try:
            response = self.client.get_object_lock_configuration(aws_retry=True, **args)
        except botocore.exceptions.ClientError as error:
            if error_code(error) == "ObjectLockConfigurationNotFoundError":
                return False
            if is_access_denied(error):
                raise self._denied("GetObjectLockConfiguration", f"bucket {self.source.name}",
                                   "s3:GetBucketObjectLockConfiguration (to tell whether the objects' Object Lock "
                                   "settings must be kept)") from error
            raise
        return response.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled"

    def lock_settings(self, key: str, version_id: str | None = None) -> dict:
        """The object's retention and legal hold (GetObjectRetention, GetObjectLegalHold), as HeadObject names
        them: HeadObject shows them only to callers allowed to read them, so on a bucket with Object Lock they are
        asked for, and a denial names the permission rather than lose the lock silently."""
        settings = {}
        retention = self._lock_read("get_object_retention", "GetObjectRetention", key, version_id).get("Retention", {})
        if retention.get("Mode") and retention.get("RetainUntilDate"):
            settings.update(ObjectLockMode=retention["Mode"], ObjectLockRetainUntilDate=retention["RetainUntilDate"])
        hold = self._lock_read("get_object_legal_hold", "GetObjectLegalHold", key, version_id).get("LegalHold", {})
        if hold.get("Status"):
            settings["ObjectLockLegalHoldStatus"] = hold["Status"]
        return settings

    def _lock_read(self, method: str, operation: str, key: str, version_id: str | None) -> dict:
        try:
            return getattr(self.client, method)(aws_retry=True, **self._source_args(key, version_id))
        except botocore.exceptions.ClientError as error:
            if error_code(error) in ("NoSuchObjectLockConfiguration", "ObjectLockConfigurationNotFoundError"):
                return {}
            if is_access_denied(error):
                raise self._denied(operation, s3_uri(self.source.name, key, version_id),
                                   f"{REQUIRED_PERMISSIONS[operation]} (the object's Object Lock settings are kept)") from error
            raise

    # -- copying ---------------------------------------------------------------------------------------------

    def copy_object(self, key: str, version_id: str | None, args: dict) -> dict:
        """CopyObject with `args` (copy_plan.copy_arguments, plus grants). Raises CopyOutcome for what the run
        handles, TaskFailure with the permissions the copy needs when denied."""
        try:
            return self.client.copy_object(aws_retry=True, CopySource=self.copy_source(key, version_id),
                                           **self._copy_source_args(), **self._destination_args(), **args)
        except botocore.exceptions.ClientError as error:
            raise self._copy_failure(error, "CopyObject", key, version_id, args) from error

    def _copy_failure(self, error: Exception, operation: str, key: str, version_id: str | None, args: dict) -> Exception:
        outcome = _outcome_of(error)
        if outcome is not None:
            return outcome
        where = f"{s3_uri(self.source.name, key, version_id)} to {s3_uri(self.destination_bucket, args['Key'])}"
        if is_access_denied(error):
            return self._denied(operation, where, "; ".join(permissions_for(args)))
        if error_code(error).startswith("KMS.") or "KMS" in error_message(error):
            return TaskFailure(f"{operation} of {where} failed at the KMS key ({error_message(error)}): the key must be "
                               "enabled, in the bucket's region, and allow kms:Decrypt and kms:GenerateDataKey to these "
                               "credentials.")
        return error

    def copy_multipart(self, key: str, version_id: str | None, args: dict, ranges: list, run_parts: Any) -> dict:
        """A multipart copy: CreateMultipartUpload with `args` (copy_plan.multipart_arguments), UploadPartCopy of
        each of `ranges` through run_parts(copy_part, ranges) (the task runs them in parallel), then
        CompleteMultipartUpload. Any failure aborts the upload, so no part is left stored and billed."""
        try:
            upload = self.client.create_multipart_upload(aws_retry=True, **self._destination_args(), **args)
        except botocore.exceptions.ClientError as error:
            raise self._copy_failure(error, "CreateMultipartUpload", key, version_id, args) from error
        upload_id = upload["UploadId"]

        def copy_part(part):
            number, byte_range = part
            return self._copy_part(key, version_id, args, upload_id, number, byte_range)

        try:
            parts = sorted(run_parts(copy_part, ranges), key=lambda part: part["PartNumber"])
            return self.client.complete_multipart_upload(
                aws_retry=True, Key=args["Key"], UploadId=upload_id, MultipartUpload={"Parts": parts},
                **self._destination_args())
        except BaseException:
            self.abort(args["Key"], upload_id)
            raise

    def _copy_part(self, key, version_id, args, upload_id, number, byte_range):
        try:
            response = self.client.upload_part_copy(
                aws_retry=True, Key=args["Key"], UploadId=upload_id, PartNumber=number, CopySourceRange=byte_range,
                CopySource=self.copy_source(key, version_id), **self._copy_source_args(), **self._destination_args())
        except botocore.exceptions.ClientError as error:
            raise self._copy_failure(error, "UploadPartCopy", key, version_id, args) from error
        result = response.get("CopyPartResult", {})
        part = {"PartNumber": number, "ETag": result["ETag"]}
        # CompleteMultipartUpload needs each part's checksum when the upload was created with an algorithm.
        part.update({field: result[field] for field in copy_plan.CHECKSUM_FIELDS if result.get(field)})
        return part

    def abort(self, destination_key: str, upload_id: str) -> None:
        """AbortMultipartUpload; a failure to abort is raised with the command that cleans up."""
        try:
            self.client.abort_multipart_upload(aws_retry=True, Key=destination_key, UploadId=upload_id, **self._destination_args())
        except botocore.exceptions.ClientError as error:
            raise TaskFailure(
                f"The multipart copy to {s3_uri(self.destination_bucket, destination_key)} failed and could not be "
                f"aborted ({error_code(error)}): its parts stay stored and billed until aborted with aws s3api "
                f"abort-multipart-upload --bucket {self.destination_bucket} --key {destination_key} --upload-id {upload_id} "
                "(or a lifecycle rule with AbortIncompleteMultipartUpload)."
            ) from error
