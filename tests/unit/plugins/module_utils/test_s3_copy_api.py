# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_copy_api against a botocore Stubber: the exact requests, and each error translated where the call is made."""

from __future__ import annotations

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import s3_copy_api
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket

BUCKET = "archive-bucket"
OTHER = "kept-bucket"


@pytest.fixture
def copier(bucket):
    return s3_copy_api.S3Copier(bucket, OTHER)


def test_head_source_asks_for_the_checksum(stubber, copier):
    stubber.add_response("head_object", {"ContentLength": 1, "ChecksumCRC32": "x"},
                         {"Bucket": BUCKET, "Key": "a", "ChecksumMode": "ENABLED", "VersionId": "v1"})
    assert copier.head_source("a", "v1")["ChecksumCRC32"] == "x"


def test_a_failed_head_of_the_source_is_explained_by_s3_bucket_without_a_second_head(stubber, copier):
    stubber.add_client_error("head_object", "400", "Bad Request", 400)
    with pytest.raises(TaskFailure) as failure:
        copier.head_source("a")
    assert "SSE-C" in failure.value.msg


def test_a_head_denied_with_the_checksum_is_sent_again_without_it(stubber, copier):
    """ChecksumMode needs kms:Decrypt on an SSE-KMS object (HeadObject): the plain HEAD still reads the object."""
    stubber.add_client_error("head_object", "403", "Forbidden", 403,
                             expected_params={"Bucket": BUCKET, "Key": "a", "ChecksumMode": "ENABLED"})
    stubber.add_response("head_object", {"ContentLength": 1}, {"Bucket": BUCKET, "Key": "a"})
    assert copier.head_source("a")["ContentLength"] == 1


def test_the_reads_of_a_copy_run_ask_for_the_checksum(stubber, bucket):
    source = s3_copy_api.CopySource.of(bucket)
    assert s3_copy_api.CopySource.of(source) is source
    assert s3_copy_api.S3Copier(source, OTHER).source is source
    stubber.add_response("head_object", {"ContentLength": 1, "ChecksumSHA256": "s"},
                         {"Bucket": BUCKET, "Key": "a", "ChecksumMode": "ENABLED"})
    assert source.head_object("a")["ChecksumSHA256"] == "s"


def test_current_version_id_is_none_for_a_deleted_key(stubber, bucket):
    source = s3_copy_api.CopySource.of(bucket)
    stubber.add_response("head_object", {"VersionId": "v3"}, {"Bucket": BUCKET, "Key": "a"})
    assert source.current_version_id("a") == "v3"
    stubber.add_client_error("head_object", "404", "Not Found", 404)
    assert source.current_version_id("a") is None


def test_head_destination_is_none_when_missing_and_names_the_permission_when_denied(stubber, copier):
    stubber.add_client_error("head_object", "404", "Not Found", 404, expected_params={"Bucket": OTHER, "Key": "k"})
    assert copier.head_destination("k") is None
    stubber.add_client_error("head_object", "403", "Forbidden", 403)
    with pytest.raises(TaskFailure) as failure:
        copier.head_destination("k")
    assert failure.value.msg.startswith(f"Access denied: HeadObject on s3://{OTHER}/k needs the IAM permission s3:GetObject on the destination")


def test_denied_get_object_tagging_names_the_permission(stubber, copier):
    stubber.add_client_error("get_object_tagging", "AccessDenied", "Access Denied", 403)
    with pytest.raises(TaskFailure) as failure:
        copier.tags("a")
    assert failure.value.msg == (f"Access denied: GetObjectTagging on s3://{BUCKET}/a needs the IAM permission "
                                 "s3:GetObjectTagging (the object's tags are copied with it).")


@pytest.mark.parametrize("rules, uses", [([{"ObjectOwnership": "BucketOwnerEnforced"}], False),
                                         ([{"ObjectOwnership": "ObjectWriter"}], True),
                                         ([{"ObjectOwnership": "BucketOwnerPreferred"}], True)])
def test_uses_acls_from_object_ownership(stubber, copier, rules, uses):
    stubber.add_response("get_bucket_ownership_controls", {"OwnershipControls": {"Rules": rules}}, {"Bucket": BUCKET})
    assert copier.uses_acls() is uses


def test_no_ownership_controls_means_acls(stubber, copier):
    stubber.add_client_error("get_bucket_ownership_controls", "OwnershipControlsNotFoundError", "none", 404)
    assert copier.uses_acls() is True


def test_copy_object_sends_source_and_destination_with_the_owner_checks(stubber, bucket):
    owned = S3Bucket(bucket.client, BUCKET, "111122223333", request_payer=True)
    copier = s3_copy_api.S3Copier(owned, BUCKET)
    stubber.add_response("copy_object", {"CopyObjectResult": {"ETag": '"e"'}}, {
        "Bucket": BUCKET, "Key": "a", "CopySource": {"Bucket": BUCKET, "Key": "a", "VersionId": "v1"},
        "ExpectedSourceBucketOwner": "111122223333", "ExpectedBucketOwner": "111122223333", "RequestPayer": "requester",
        "StorageClass": "STANDARD", "MetadataDirective": "COPY"})
    copier.copy_object("a", "v1", {"Key": "a", "StorageClass": "STANDARD", "MetadataDirective": "COPY"})


@pytest.mark.parametrize("code, message, outcome", [
    ("InvalidObjectState", "not in the active tier", s3_copy_api.COPY_NOT_READABLE),
    ("ObjectNotInActiveTierError", "only stored in Amazon Glacier", s3_copy_api.COPY_NOT_READABLE),
    ("AccessControlListNotSupported", "The bucket does not allow ACLs", s3_copy_api.COPY_NO_ACL),
    ("InvalidRequest", "Bucket is missing Object Lock Configuration", s3_copy_api.COPY_NO_LOCK),
])
def test_copy_refusals_the_run_handles_are_outcomes(stubber, copier, code, message, outcome):
    stubber.add_client_error("copy_object", code, message, 400)
    with pytest.raises(s3_copy_api.CopyOutcome) as refused:
        copier.copy_object("a", None, {"Key": "a"})
    assert refused.value.outcome == outcome


def test_a_denied_copy_names_every_permission_it_needs(stubber, copier):
    stubber.add_client_error("copy_object", "AccessDenied", "Access Denied", 403)
    with pytest.raises(TaskFailure) as failure:
        copier.copy_object("a", None, {"Key": "b", "TaggingDirective": "COPY", "ServerSideEncryption": "aws:kms"})
    assert failure.value.msg.startswith(f"Access denied: CopyObject on s3://{BUCKET}/a to s3://{OTHER}/b needs the IAM "
                                        "permission s3:GetObject on the source; s3:PutObject on the destination; "
                                        "s3:GetObjectTagging on the source")
    assert "kms:Decrypt and kms:GenerateDataKey" in failure.value.msg


def test_a_kms_failure_says_what_the_key_needs(stubber, copier):
    stubber.add_client_error("copy_object", "KMS.DisabledException", "key is disabled", 400)
    with pytest.raises(TaskFailure) as failure:
        copier.copy_object("a", None, {"Key": "a"})
    assert "failed at the KMS key (key is disabled)" in failure.value.msg


def run_in_order(copy_part, ranges):
    return [copy_part(part) for part in ranges]


def test_multipart_copy_creates_copies_parts_and_completes(stubber, copier):
    args = {"Key": "big", "StorageClass": "STANDARD", "ChecksumAlgorithm": "SHA256"}
    stubber.add_response("create_multipart_upload", {"UploadId": "u1"}, dict(args, Bucket=OTHER))
    for number, byte_range in ((1, "bytes=0-9"), (2, "bytes=10-14")):
        stubber.add_response("upload_part_copy", {"CopyPartResult": {"ETag": f'"p{number}"', "ChecksumSHA256": f"s{number}"}}, {
            "Bucket": OTHER, "Key": "big", "UploadId": "u1", "PartNumber": number, "CopySourceRange": byte_range,
            "CopySource": {"Bucket": BUCKET, "Key": "big"}})
    stubber.add_response("complete_multipart_upload", {"ETag": '"m-2"'}, {
        "Bucket": OTHER, "Key": "big", "UploadId": "u1", "MultipartUpload": {"Parts": [
            {"PartNumber": 1, "ETag": '"p1"', "ChecksumSHA256": "s1"}, {"PartNumber": 2, "ETag": '"p2"', "ChecksumSHA256": "s2"}]}})
    copier.copy_multipart("big", None, args, [(1, "bytes=0-9"), (2, "bytes=10-14")], run_in_order)


def test_a_failed_part_aborts_the_upload(stubber, copier):
    stubber.add_response("create_multipart_upload", {"UploadId": "u1"})
    stubber.add_client_error("upload_part_copy", "AccessDenied", "Access Denied", 403)
    stubber.add_response("abort_multipart_upload", {}, {"Bucket": OTHER, "Key": "big", "UploadId": "u1"})
    with pytest.raises(TaskFailure) as failure:
        copier.copy_multipart("big", None, {"Key": "big"}, [(1, "bytes=0-9")], run_in_order)
    assert "UploadPartCopy" in failure.value.msg


def test_an_abort_that_fails_says_how_to_clean_up(stubber, copier):
    stubber.add_client_error("abort_multipart_upload", "AccessDenied", "Access Denied", 403)
    with pytest.raises(TaskFailure) as failure:
        copier.abort("big", "u1")
    assert f"abort-multipart-upload --bucket {OTHER} --key big --upload-id u1" in failure.value.msg


@pytest.mark.parametrize("response, enabled", [({"ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled"}}, True),
                                               ({"ObjectLockConfiguration": {}}, False)])
def test_uses_object_lock(stubber, copier, response, enabled):
    stubber.add_response("get_object_lock_configuration", response, {"Bucket": BUCKET})
    assert copier.uses_object_lock() is enabled


def test_no_object_lock_configuration_means_none_and_a_denial_names_the_permission(stubber, copier):
    stubber.add_client_error("get_object_lock_configuration", "ObjectLockConfigurationNotFoundError", "none", 404)
    assert copier.uses_object_lock() is False
    stubber.add_client_error("get_object_lock_configuration", "AccessDenied", "Access Denied", 403)
    with pytest.raises(TaskFailure) as failure:
        copier.uses_object_lock()
    assert "s3:GetBucketObjectLockConfiguration" in failure.value.msg


def test_lock_settings_as_head_object_names_them(stubber, copier):
    stubber.add_response("get_object_retention", {"Retention": {"Mode": "GOVERNANCE", "RetainUntilDate": "2030-01-01T00:00:00Z"}},
                         {"Bucket": BUCKET, "Key": "a", "VersionId": "v1"})
    stubber.add_response("get_object_legal_hold", {"LegalHold": {"Status": "ON"}}, {"Bucket": BUCKET, "Key": "a", "VersionId": "v1"})
    settings = copier.lock_settings("a", "v1")
    assert settings["ObjectLockMode"] == "GOVERNANCE" and settings["ObjectLockLegalHoldStatus"] == "ON"
    assert settings["ObjectLockRetainUntilDate"] == "2030-01-01T00:00:00Z"  # as the Stubber returns it


def test_grants_other_than_the_owner_are_kept():
    grants = [
        {"Grantee": {"ID": "me"}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"ID": "partner"}, "Permission": "READ"},
        {"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}, "Permission": "READ"},
        {"Grantee": {"ID": "auditor"}, "Permission": "READ_ACP"},
    ]
    assert s3_copy_api.grant_arguments(grants, "me") == {
        "GrantRead": 'id=partner, uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"', "GrantReadACP": "id=auditor"}


@pytest.mark.parametrize("args, named", [
    ({"TaggingDirective": "COPY"}, "s3:GetObjectTagging"),
    ({"ServerSideEncryption": "aws:kms"}, "kms:Decrypt and kms:GenerateDataKey"),
    ({"ObjectLockMode": "GOVERNANCE"}, "s3:PutObjectRetention"),
    ({"ObjectLockLegalHoldStatus": "ON"}, "s3:PutObjectLegalHold"),
    ({"GrantRead": "id=x"}, "s3:PutObjectAcl"),
])
def test_permissions_for_name_what_the_copy_needs(args, named):
    needed = s3_copy_api.permissions_for(args)
    assert needed[:2] == ["s3:GetObject on the source", "s3:PutObject on the destination"]
    assert any(named in permission for permission in needed)
