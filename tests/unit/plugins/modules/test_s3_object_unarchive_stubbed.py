# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_object_unarchive through main() against a botocore Stubber: what moto does not do, or does not check.

The facts sheet ("moto 5.2.5 versus AWS") lists what moto lacks: a restore that takes time (in progress), and here
also the exact arguments of a CopyObject (SSE-KMS key, Object Lock) and AWS's refusals (a denied
GetObjectTagging, a destination without Object Lock). The Stubber validates every request against S3's model and
the exact parameters queued.
"""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import copy_plan
from ansible_collections.s3async.restore.plugins.modules import s3_object_unarchive

BUCKET = "archive-bucket"
OTHER = "kept-bucket"
KEY = "db/dump"
KMS_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
RESTORED = 'ongoing-request="false", expiry-date="Fri, 21 Dec 2035 00:00:00 GMT"'
RETAIN_UNTIL = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)


def head(restore=RESTORED, storage_class="GLACIER", **extra):
    response = {"StorageClass": storage_class, "ContentLength": 42, "ETag": '"abc123"'}
    if restore:
        response["Restore"] = restore
    response.update(extra)
    return response


def expect_read(stubber, response, key=KEY):
    """The one HEAD of the source (with the checksum): it tells the object's state and serves the copy too."""
    stubber.add_response("head_object", response, {"Bucket": BUCKET, "Key": key, "ChecksumMode": "ENABLED"})


def expect_acls_disabled(stubber):
    stubber.add_response("get_bucket_ownership_controls",
                         {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}, {"Bucket": BUCKET})


def expect_no_object_lock(stubber):
    stubber.add_client_error("get_object_lock_configuration", "ObjectLockConfigurationNotFoundError",
                             "Object Lock configuration does not exist for this bucket", 404, expected_params={"Bucket": BUCKET})


def expect_bucket_settings(stubber):
    """ACLs disabled, no Object Lock: what a copy asks of the source bucket once per run."""
    expect_acls_disabled(stubber)
    expect_no_object_lock(stubber)


def expect_no_destination_object(stubber, key=KEY):
    stubber.add_client_error("head_object", "404", "Not Found", 404, expected_params={"Bucket": OTHER, "Key": key})


def copy_result():
    return {"CopyObjectResult": {"ETag": '"abc123"'}}


def test_sse_kms_key_and_bucket_key_are_passed_on_in_place(s3_stubber, run_module):
    encrypted = head(ServerSideEncryption="aws:kms", SSEKMSKeyId=KMS_KEY, BucketKeyEnabled=True)
    expect_read(s3_stubber, encrypted)
    expect_bucket_settings(s3_stubber)
    s3_stubber.add_response("copy_object", copy_result(), {
        "Bucket": BUCKET, "Key": KEY, "CopySource": {"Bucket": BUCKET, "Key": KEY}, "StorageClass": "STANDARD",
        "MetadataDirective": "COPY", "TaggingDirective": "COPY",
        "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY, "BucketKeyEnabled": True,
    })
    failed, result = run_module(s3_object_unarchive.main, {"bucket": BUCKET, "key": KEY})
    assert not failed, result
    assert result["objects"][0]["copy_status"] == "copied"


def test_object_lock_is_reapplied_on_a_copy_elsewhere(s3_stubber, run_module):
    locked = head(ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=RETAIN_UNTIL, ObjectLockLegalHoldStatus="ON",
                  Metadata={"owner": "db"}, ContentType="application/x-dump")
    expect_read(s3_stubber, locked)
    expect_no_destination_object(s3_stubber)
    expect_acls_disabled(s3_stubber)
    s3_stubber.add_response("copy_object", copy_result(), {
        "Bucket": OTHER, "Key": KEY, "CopySource": {"Bucket": BUCKET, "Key": KEY}, "StorageClass": "STANDARD",
        "MetadataDirective": "REPLACE", "TaggingDirective": "COPY", "ContentType": "application/x-dump",
        "Metadata": {"owner": "db", copy_plan.SOURCE_ETAG_METADATA: "abc123"},
        "ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": RETAIN_UNTIL, "ObjectLockLegalHoldStatus": "ON",
    })
    failed, result = run_module(s3_object_unarchive.main, {"bucket": BUCKET, "key": KEY, "destination_bucket": OTHER})
    assert not failed, result
    assert result["objects"][0]["destination"] == f"s3://{OTHER}/{KEY}"
    assert not result.get("warnings")


def test_a_destination_without_object_lock_gets_the_copy_and_the_task_says_so(s3_stubber, run_module):
    locked = head(ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=RETAIN_UNTIL)
    expect_read(s3_stubber, locked)
    expect_no_destination_object(s3_stubber)
    expect_acls_disabled(s3_stubber)
    s3_stubber.add_client_error("copy_object", "InvalidRequest", "Bucket is missing Object Lock Configuration", 400)
    s3_stubber.add_response("copy_object", copy_result())
    failed, result = run_module(s3_object_unarchive.main, {"bucket": BUCKET, "key": KEY, "destination_bucket": OTHER})
    assert not failed, result
    assert any("has no Object Lock" in str(warning) and KEY in str(warning) for warning in result["warnings"])


def test_a_denied_copy_of_a_tagged_object_names_the_tagging_permissions(s3_stubber, run_module):
    tagged = head(TagCount=2)
    expect_read(s3_stubber, tagged)
    expect_bucket_settings(s3_stubber)
    s3_stubber.add_client_error("copy_object", "AccessDenied", "Access Denied", 403)
    failed, result = run_module(s3_object_unarchive.main, {"bucket": BUCKET, "key": KEY})
    assert failed
    error = result["objects"][0]["error"]
    assert error.startswith(f"Access denied: CopyObject on s3://{BUCKET}/{KEY} to s3://{BUCKET}/{KEY} needs the IAM permission")
    assert "s3:GetObjectTagging on the source" in error and "s3:PutObjectTagging" in error
    assert result["failed_keys"] == [KEY]


def test_a_denied_get_object_tagging_of_a_multipart_copy_names_the_permission(s3_stubber, run_module, monkeypatch):
    monkeypatch.setattr(copy_plan, "DEFAULT_LIMITS", copy_plan.CopyLimits(single_copy_max=10))
    tagged = head(TagCount=1)
    expect_read(s3_stubber, tagged)
    expect_bucket_settings(s3_stubber)
    s3_stubber.add_client_error("get_object_tagging", "AccessDenied", "Access Denied", 403,
                                expected_params={"Bucket": BUCKET, "Key": KEY})
    failed, result = run_module(s3_object_unarchive.main, {"bucket": BUCKET, "key": KEY})
    assert failed
    assert "needs the IAM permission s3:GetObjectTagging" in result["objects"][0]["error"]


def test_an_object_being_restored_is_pending_and_copied_once_readable(s3_stubber, run_module):
    expect_read(s3_stubber, head(restore='ongoing-request="true"'))
    # The wait's first check finds it restored, and it is copied then, with no other HEAD.
    expect_read(s3_stubber, head())
    expect_bucket_settings(s3_stubber)
    s3_stubber.add_response("copy_object", copy_result())
    failed, result = run_module(s3_object_unarchive.main, {"bucket": BUCKET, "key": KEY, "wait_timeout": 60, "wait_delay": 1})
    assert not failed, result
    assert result["objects"][0]["copy_status"] == "copied"
    assert result["waited"] >= 1


def test_without_wait_an_object_being_restored_is_pending_not_failed(s3_stubber, run_module):
    expect_read(s3_stubber, head(restore='ongoing-request="true"'))
    failed, result = run_module(s3_object_unarchive.main, {"bucket": BUCKET, "key": KEY})
    assert not failed, result
    assert result["changed"] is False
    assert result["objects"][0]["copy_status"] == "pending"
    assert result["summary"]["pending"] == 1


def test_acl_grants_are_kept_where_the_bucket_uses_acls(s3_stubber, run_module):
    expect_read(s3_stubber, head())
    s3_stubber.add_client_error("get_bucket_ownership_controls", "OwnershipControlsNotFoundError", "none", 404)
    s3_stubber.add_response("get_object_acl", {"Owner": {"ID": "owner"}, "Grants": [
        {"Grantee": {"ID": "owner", "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers", "Type": "Group"}, "Permission": "READ"},
    ]}, {"Bucket": BUCKET, "Key": KEY})
    expect_no_object_lock(s3_stubber)
    s3_stubber.add_response("copy_object", copy_result(), {
        "Bucket": BUCKET, "Key": KEY, "CopySource": {"Bucket": BUCKET, "Key": KEY}, "StorageClass": "STANDARD",
        "MetadataDirective": "COPY", "TaggingDirective": "COPY",
        "GrantRead": 'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
    })
    failed, result = run_module(s3_object_unarchive.main, {"bucket": BUCKET, "key": KEY})
    assert not failed, result


@pytest.mark.parametrize("code", ["InvalidObjectState", "ObjectNotInActiveTierError"])
def test_a_copy_expired_between_read_and_copy_is_pending(s3_stubber, run_module, code):
    expect_read(s3_stubber, head())
    expect_bucket_settings(s3_stubber)
    s3_stubber.add_client_error("copy_object", code, "The operation is not valid for the object's storage class", 403)
    failed, result = run_module(s3_object_unarchive.main, {"bucket": BUCKET, "key": KEY})
    assert not failed, result
    assert result["objects"][0]["copy_status"] == "pending"
    assert "expired before it could be copied" in result["objects"][0]["message"]


def test_on_a_bucket_with_object_lock_the_lock_is_read_when_head_does_not_show_it(s3_stubber, run_module):
    expect_read(s3_stubber, head())
    expect_acls_disabled(s3_stubber)
    s3_stubber.add_response("get_object_lock_configuration", {"ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled"}})
    s3_stubber.add_response("get_object_retention", {"Retention": {"Mode": "COMPLIANCE", "RetainUntilDate": RETAIN_UNTIL}},
                            {"Bucket": BUCKET, "Key": KEY})
    s3_stubber.add_client_error("get_object_legal_hold", "NoSuchObjectLockConfiguration", "none", 404)
    s3_stubber.add_response("copy_object", copy_result(), {
        "Bucket": BUCKET, "Key": KEY, "CopySource": {"Bucket": BUCKET, "Key": KEY}, "StorageClass": "STANDARD",
        "MetadataDirective": "COPY", "TaggingDirective": "COPY",
        "ObjectLockMode": "COMPLIANCE", "ObjectLockRetainUntilDate": RETAIN_UNTIL,
    })
    failed, result = run_module(s3_object_unarchive.main, {"bucket": BUCKET, "key": KEY})
    assert not failed, result


def test_a_denied_get_object_retention_names_the_permission_and_copies_nothing(s3_stubber, run_module):
    expect_read(s3_stubber, head())
    expect_acls_disabled(s3_stubber)
    s3_stubber.add_response("get_object_lock_configuration", {"ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled"}})
    s3_stubber.add_client_error("get_object_retention", "AccessDenied", "Access Denied", 403)
    failed, result = run_module(s3_object_unarchive.main, {"bucket": BUCKET, "key": KEY})
    assert failed
    assert "needs the IAM permission s3:GetObjectRetention (the object's Object Lock settings are kept)" in result["objects"][0]["error"]


def test_an_sse_c_object_is_refused_with_the_reason(s3_stubber, run_module):
    """HeadObject of an SSE-C object without its key answers 400 (facts sheet, "Reading an object's state")."""
    s3_stubber.add_client_error("head_object", "400", "Bad Request", 400)
    failed, result = run_module(s3_object_unarchive.main, {"bucket": BUCKET, "key": KEY})
    assert failed
    assert "customer-provided key (SSE-C)" in result["msg"]
