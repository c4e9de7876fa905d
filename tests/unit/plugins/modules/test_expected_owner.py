# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""expected_bucket_owner is sent on every bucket and object call when given.

botocore's Stubber checks the exact parameters of each call (every queued response names its expected
parameters, ExpectedBucketOwner included, and an unexpected call fails the test); on top of it, every S3 call
the module makes is recorded from botocore's own parameter event, so that a call missing the owner is named
even when it is one the Stubber was told to expect without it. moto ignores ExpectedBucketOwner, so this can only
be shown here.
"""

from __future__ import annotations

import types

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import restore_task
from ansible_collections.s3async.restore.plugins.modules import s3_object_restore

BUCKET = "archive-bucket"
OWNER = "111122223333"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{OWNER}:restore-events"
DONE = 'ongoing-request="false", expiry-date="Wed, 02 Dec 2099 00:00:00 GMT"'
# Calls that act on a bucket or an object, and so take ExpectedBucketOwner (S3 API Reference).
OWNED_OPERATIONS = {"HeadObject", "RestoreObject", "ListObjectsV2", "HeadBucket", "GetObject", "GetObjectAttributes",
                    "GetBucketNotificationConfiguration", "PutBucketNotificationConfiguration", "ListObjectVersions"}


@pytest.fixture
def owner_calls(s3_stubber):
    """Every S3 call the module makes: (operation, parameters), from botocore's before-parameter-build event."""
    calls = []

    def record(params, model, **_kwargs):
        calls.append((model.name, dict(params)))

    s3_stubber.client.meta.events.register_first("before-parameter-build.s3.*", record)
    yield calls
    missing = [operation for operation, params in calls
               if operation in OWNED_OPERATIONS and params.get("ExpectedBucketOwner") != OWNER]
    assert not missing, f"calls without ExpectedBucketOwner={OWNER}: {missing}"
    assert {operation for operation, _params in calls} <= OWNED_OPERATIONS


def owned(**params):
    return dict(params, Bucket=BUCKET, ExpectedBucketOwner=OWNER)


def expect(stubber, method, response, **params):
    stubber.add_response(method, response, owned(**params))


def restore_accepted():
    return {"ResponseMetadata": {"HTTPStatusCode": 202}}


def base_args(**extra):
    return dict({"bucket": BUCKET, "expected_bucket_owner": OWNER}, **extra)


def test_key_restore_with_notification(s3_stubber, owner_calls, run_module):
    key = "db/dump"
    expect(s3_stubber, "head_object", {"StorageClass": "GLACIER", "ContentLength": 1}, Key=key)
    expect(s3_stubber, "head_bucket", {"BucketRegion": "us-east-1"})
    expect(s3_stubber, "get_bucket_notification_configuration", {})
    expect(s3_stubber, "get_bucket_notification_configuration", {})
    expect(s3_stubber, "put_bucket_notification_configuration", {}, NotificationConfiguration={
        "TopicConfigurations": [{"Id": "s3async-restore-restore-events", "TopicArn": TOPIC_ARN,
                                 "Events": ["s3:ObjectRestore:Post", "s3:ObjectRestore:Completed"]}]})
    written = {"TopicConfigurations": [{"Id": "s3async-restore-restore-events", "TopicArn": TOPIC_ARN,
                                        "Events": ["s3:ObjectRestore:Post", "s3:ObjectRestore:Completed"]}]}
    expect(s3_stubber, "get_bucket_notification_configuration", written)
    expect(s3_stubber, "restore_object", restore_accepted(), Key=key,
           RestoreRequest={"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}})
    failed, result = run_module(s3_object_restore.main, base_args(key=key, sns_topic_arn=TOPIC_ARN))
    assert not failed, result["msg"]
    assert result["changed"] is True
    assert [operation for operation, _params in owner_calls] == [
        "HeadObject", "HeadBucket", "GetBucketNotificationConfiguration", "GetBucketNotificationConfiguration",
        "PutBucketNotificationConfiguration", "GetBucketNotificationConfiguration", "RestoreObject"]


def test_version_restore_with_requester_pays(s3_stubber, owner_calls, run_module):
    key, version = "db/dump", "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"
    expect(s3_stubber, "head_object", {"StorageClass": "DEEP_ARCHIVE", "ContentLength": 1, "VersionId": version},
           Key=key, VersionId=version, RequestPayer="requester")
    expect(s3_stubber, "restore_object", restore_accepted(), Key=key, VersionId=version, RequestPayer="requester",
           RestoreRequest={"Days": 2, "GlacierJobParameters": {"Tier": "Bulk"}})
    failed, result = run_module(s3_object_restore.main, base_args(key=key, version_id=version, request_payer=True,
                                                                  days=2, tier="Bulk"))
    assert not failed, result["msg"]
    assert result["objects"][0]["version_id"] == version


@pytest.mark.parametrize("status_source", ["head", "listing"])
def test_prefix_restore(s3_stubber, owner_calls, run_module, status_source):
    listing = {"Contents": [{"Key": "p/a", "StorageClass": "GLACIER", "Size": 1},
                            {"Key": "p/b", "StorageClass": "STANDARD", "Size": 1}], "IsTruncated": False, "KeyCount": 2}
    if status_source == "listing":
        expect(s3_stubber, "list_objects_v2", listing, Prefix="p/", OptionalObjectAttributes=["RestoreStatus"])
    else:
        expect(s3_stubber, "list_objects_v2", listing, Prefix="p/")
        expect(s3_stubber, "head_object", {"StorageClass": "GLACIER", "ContentLength": 1}, Key="p/a")
    expect(s3_stubber, "restore_object", restore_accepted(), Key="p/a",
           RestoreRequest={"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}})
    failed, result = run_module(s3_object_restore.main, base_args(prefix="p/", status_source=status_source, concurrency=1))
    assert not failed, result["msg"]
    assert result["summary"]["restore_requested"] == 1


def test_missing_key_checks_the_bucket_with_the_owner(s3_stubber, owner_calls, run_module):
    s3_stubber.add_client_error("head_object", "404", "Not Found", 404, expected_params=owned(Key="gone"))
    expect(s3_stubber, "head_bucket", {"BucketRegion": "us-east-1"})
    failed, result = run_module(s3_object_restore.main, base_args(key="gone"))
    assert failed
    assert result["msg"] == f"Key 'gone' not found in bucket '{BUCKET}'."


def test_owner_mismatch_is_a_clear_failure_and_nothing_else_is_sent(s3_stubber, owner_calls, run_module):
    """S3 answers 403 when the bucket belongs to another account (HEAD: no body, just the status)."""
    s3_stubber.add_client_error("head_object", "403", "Forbidden", 403, expected_params=owned(Key="db/dump"))
    failed, result = run_module(s3_object_restore.main, base_args(key="db/dump", sns_topic_arn=TOPIC_ARN))
    assert failed
    assert f"expected_bucket_owner {OWNER}" in result["msg"], result["msg"]
    assert [operation for operation, _params in owner_calls] == ["HeadObject"]


def test_waiting_polls_with_the_owner(s3_stubber, owner_calls, run_module, monkeypatch):
    clock = types.SimpleNamespace(now=0.0)
    fake_time = types.SimpleNamespace(monotonic=lambda: clock.now, time=lambda: clock.now,
                                      sleep=lambda seconds: setattr(clock, "now", clock.now + seconds))
    monkeypatch.setattr(restore_task, "time", fake_time)
    key = "db/dump"
    expect(s3_stubber, "head_object", {"StorageClass": "GLACIER", "ContentLength": 1}, Key=key)
    expect(s3_stubber, "restore_object", restore_accepted(), Key=key,
           RestoreRequest={"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}})
    expect(s3_stubber, "head_object", {"StorageClass": "GLACIER", "ContentLength": 1, "Restore": 'ongoing-request="true"'}, Key=key)
    expect(s3_stubber, "head_object", {"StorageClass": "GLACIER", "ContentLength": 1, "Restore": DONE}, Key=key)
    failed, result = run_module(s3_object_restore.main, base_args(key=key, state="restored", wait_delay=1, wait_timeout=600))
    assert not failed, result["msg"]
    assert result["objects"][0]["status"] == "restored"
    assert [operation for operation, _params in owner_calls].count("HeadObject") == 3
