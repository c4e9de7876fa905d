# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_api.S3Bucket on botocore's Stubber: the parameters of every call (ExpectedBucketOwner, RequestPayer,
VersionId, OptionalObjectAttributes), how HEAD failures are explained, what a RestoreObject came to, and the
messages for denied listings, notification writes S3 refuses (each destination S3 could not validate named, the topic
policy with the bucket owner's account), Batch manifests, the bucket's region and existence.

The client is wrapped as AnsibleAWSModule wraps it (the code calls with aws_retry=True); the Stubber checks
every request against S3's service model and the exact parameters queued.
"""

from __future__ import annotations

import botocore.exceptions
import botocore.parsers
import pytest

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.s3async.restore.plugins.module_utils import s3_api
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.notification_text import destination_validation_message
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket

REGION = "us-east-1"
BUCKET = "archive-bucket"
KEY = "db/dump"
OWNER = "111122223333"
TOPIC_ACCOUNT = "444455556666"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{TOPIC_ACCOUNT}:restore-events"
RESTORE_REQUEST = {"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}}


def bucket_on(stubber, expected_owner=None, request_payer=False):
    """The S3Bucket a module would make, on the stubbed client wrapped the way AnsibleAWSModule wraps it."""
    client = RetryingBotoClientWrapper(stubber.client, AWSRetry.jittered_backoff(retries=1))
    return S3Bucket(client, BUCKET, expected_owner, request_payer)


def add_error(stubber, method, code, status, message="", headers=None, retry_attempts=None, expected_params=None):
    meta = {}
    if headers:
        meta["HTTPHeaders"] = headers
    if retry_attempts is not None:
        meta["RetryAttempts"] = retry_attempts
    stubber.add_client_error(method, code, message, status, response_meta=meta or None, expected_params=expected_params)


# -- the parameters of every call ------------------------------------------------------------------------------

# (id, client method, stubbed answer, the S3Bucket call, parameters always sent, whether VersionId and
# RequestPayer apply, whether RequestPayer alone applies)
CALLS = [
    ("head_object", "head_object", {"ContentLength": 1},
     lambda bucket, version: bucket.head_object(KEY, version), {"Key": KEY}, True, True),
    ("restore_object", "restore_object", {},
     lambda bucket, version: bucket.restore_object(KEY, RESTORE_REQUEST, version),
     {"Key": KEY, "RestoreRequest": RESTORE_REQUEST}, True, True),
    ("manifest_etag", "head_object", {"ETag": '"e"'},
     lambda bucket, version: bucket.manifest_etag(KEY, version), {"Key": KEY}, True, True),
    ("list_object_pages", "list_objects_v2", {"Contents": [], "IsTruncated": False},
     lambda bucket, version: list(bucket.list_object_pages("logs/")), {"Prefix": "logs/"}, False, True),
    ("list_object_pages_with_restore_status", "list_objects_v2", {"Contents": [], "IsTruncated": False},
     lambda bucket, version: list(bucket.list_object_pages("logs/", with_restore_status=True)),
     {"Prefix": "logs/", "OptionalObjectAttributes": ["RestoreStatus"]}, False, True),
    # HeadBucket and the notification configuration take neither RequestPayer nor VersionId.
    ("region", "head_bucket", {"BucketRegion": REGION},
     lambda bucket, version: bucket.region(), {}, False, False),
    ("bucket_exists", "head_bucket", {},
     lambda bucket, version: bucket.bucket_exists(), {}, False, False),
    ("get_notification_configuration", "get_bucket_notification_configuration", {},
     lambda bucket, version: bucket.get_notification_configuration(), {}, False, False),
    ("put_notification_configuration", "put_bucket_notification_configuration", {},
     lambda bucket, version: bucket.put_notification_configuration({}, TOPIC_ARN),
     {"NotificationConfiguration": {}}, False, False),
]


@pytest.mark.parametrize("version_id", [None, "v1"], ids=["current", "version"])
@pytest.mark.parametrize("request_payer", [False, True], ids=["owner-pays", "requester-pays"])
@pytest.mark.parametrize("expected_owner", [None, OWNER], ids=["any-owner", "expected-owner"])
@pytest.mark.parametrize("name, method, answer, call, always, object_call, takes_payer", CALLS, ids=[c[0] for c in CALLS])
def test_parameters_sent(stubber, name, method, answer, call, always, object_call, takes_payer,
                         expected_owner, request_payer, version_id):
    expected = dict({"Bucket": BUCKET}, **always)
    if expected_owner:
        expected["ExpectedBucketOwner"] = expected_owner
    if object_call and version_id:
        expected["VersionId"] = version_id
    if takes_payer and request_payer:
        expected["RequestPayer"] = "requester"
    stubber.add_response(method, answer, expected)
    call(bucket_on(stubber, expected_owner, request_payer), version_id)


def test_listing_pages_follow_the_continuation_token(stubber):
    stubber.add_response("list_objects_v2",
                         {"Contents": [{"Key": "logs/a"}, {"Key": "logs/b"}], "IsTruncated": True, "NextContinuationToken": "t1"},
                         {"Bucket": BUCKET, "Prefix": "logs/"})
    stubber.add_response("list_objects_v2", {"IsTruncated": False},  # an empty last page has no Contents
                         {"Bucket": BUCKET, "Prefix": "logs/", "ContinuationToken": "t1"})
    pages = list(bucket_on(stubber).list_object_pages("logs/"))
    assert pages == [[{"Key": "logs/a"}, {"Key": "logs/b"}], []]


def test_notification_configuration_is_returned_without_response_metadata(stubber):
    topic = {"Id": "t", "TopicArn": TOPIC_ARN, "Events": ["s3:ObjectRestore:*"]}
    stubber.add_response("get_bucket_notification_configuration",
                         {"TopicConfigurations": [topic], "ResponseMetadata": {"HTTPStatusCode": 200}}, {"Bucket": BUCKET})
    assert bucket_on(stubber).get_notification_configuration() == {"TopicConfigurations": [topic]}


# -- HeadObject failures ---------------------------------------------------------------------------------------

HEAD_DENIED = (f"Access denied: HeadObject on s3://{BUCKET}/{KEY} needs the IAM permission s3:GetObject (and "
               "s3:ListBucket on the bucket, without which a missing key also reads as 403 Forbidden)")
HEAD_NO_REASON = "; HEAD answers carry no reason, so the credentials may also be wrong or expired."


@pytest.mark.parametrize(
    "key, version_id, owner, head_error, bucket_answer, message",
    [
        (KEY, None, None, ("404", 404, None), "exists", f"Key {KEY!r} not found in bucket {BUCKET!r}."),
        (KEY, "v1", None, ("404", 404, None), "exists", f"Version 'v1' of key {KEY!r} not found in bucket {BUCKET!r}."),
        ("folder/", None, None, ("404", 404, None), "exists",
         f"Key 'folder/' not found in bucket {BUCKET!r}. A key ending in '/' names a folder: to restore the objects "
         "in it, use prefix='folder/'."),
        # HeadBucket 403: the bucket exists, it is the key that is missing.
        (KEY, None, None, ("404", 404, None), ("403", 403), f"Key {KEY!r} not found in bucket {BUCKET!r}."),
        (KEY, None, None, ("404", 404, None), ("404", 404),
         f"Bucket {BUCKET!r} does not exist (or is not visible to these credentials)."),
        (KEY, None, None, ("NoSuchBucket", 404, None), ("NoSuchBucket", 404),
         f"Bucket {BUCKET!r} does not exist (or is not visible to these credentials)."),
        (KEY, None, None, ("301", 301, {"x-amz-bucket-region": "eu-west-1"}), None,
         f"Bucket {BUCKET!r} is in region eu-west-1, not the one this task uses: set region=eu-west-1."),
        (KEY, None, None, ("PermanentRedirect", 301, {"x-amz-bucket-region": "ap-south-1"}), None,
         f"Bucket {BUCKET!r} is in region ap-south-1, not the one this task uses: set region=ap-south-1."),
        (KEY, None, None, ("301", 301, None), None,
         f"Bucket {BUCKET!r} is in another region than the one this task uses: set region to the bucket's region."),
        (KEY, None, None, ("403", 403, None), None, f"{HEAD_DENIED}{HEAD_NO_REASON}"),
        (KEY, None, OWNER, ("403", 403, None), None,
         f"{HEAD_DENIED}; the bucket must also belong to expected_bucket_owner {OWNER}{HEAD_NO_REASON}"),
        (KEY, "v1", None, ("403", 403, None), None,
         f"Access denied: HeadObjectVersion on s3://{BUCKET}/{KEY} needs the IAM permission s3:GetObjectVersion (and "
         f"s3:ListBucket on the bucket, without which a missing key also reads as 403 Forbidden){HEAD_NO_REASON}"),
        (KEY, "v1", None, ("400", 400, None), None,
         f"S3 rejected version_id 'v1' for s3://{BUCKET}/{KEY}: is it a valid version ID?"),
        (KEY, None, None, ("400", 400, None), None,
         f"S3 answered 400 Bad Request to HeadObject on s3://{BUCKET}/{KEY}, with no reason (HEAD answers carry none): "
         "most often expired or invalid credentials (session token), or an object encrypted with a customer-provided "
         "key (SSE-C), which cannot be read without that key."),
        # HEAD answers carry no error code (facts sheet, "Reading an object's state"): 405 for a version that is a
        # delete marker, 404 with x-amz-delete-marker when the current version is one.
        (KEY, "v1", None, ("405", 405, None), None,
         f"Version 'v1' of s3://{BUCKET}/{KEY} is a delete marker, not an object: there is nothing to restore. Name an "
         "earlier version with version_id."),
        (KEY, None, None, ("404", 404, {"x-amz-delete-marker": "true"}), "exists",
         f"Key {KEY!r} in bucket {BUCKET!r} is a delete marker: the object was deleted. To restore it, name an earlier "
         "version with version_id (aws s3api list-object-versions lists them)."),
        ("/db/dump", None, None, ("404", 404, None), "exists",
         f"Key '/db/dump' not found in bucket {BUCKET!r}. S3 keys rarely start with '/': did you mean key='db/dump'?"),
    ],
    ids=["404-key", "404-version", "404-folder", "404-bucket-403", "404-bucket-404", "no-such-bucket",
         "301-region", "permanent-redirect", "301-no-header", "403", "403-owner", "403-version", "400-version", "400",
         "405-delete-marker-version", "404-current-delete-marker", "404-leading-slash"],
)
def test_head_failure_is_explained(stubber, key, version_id, owner, head_error, bucket_answer, message):
    code, status, headers = head_error
    add_error(stubber, "head_object", code, status, headers=headers)
    if bucket_answer == "exists":
        stubber.add_response("head_bucket", {}, {"Bucket": BUCKET})
    elif bucket_answer is not None:
        add_error(stubber, "head_bucket", *bucket_answer)
    with pytest.raises(TaskFailure) as raised:
        bucket_on(stubber, owner).head_object(key, version_id)
    assert raised.value.msg == message
    assert isinstance(raised.value.__cause__, botocore.exceptions.ClientError)


@pytest.mark.parametrize("code, status", [("500", 500), ("503", 503), ("412", 412)])
def test_other_head_failures_are_raised_as_they_came(stubber, code, status):
    add_error(stubber, "head_object", code, status)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        bucket_on(stubber).head_object(KEY)
    assert raised.value.response["Error"]["Code"] == code


# -- RestoreObject ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "answer, outcome",
    [
        ({"status": 202}, s3_api.RESTORE_STARTED),
        ({"status": 200}, s3_api.RESTORE_RESET),
        (("RestoreAlreadyInProgress", 409, None), s3_api.RESTORE_RUNNING),
        (("RestoreAlreadyInProgress", 409, 0), s3_api.RESTORE_RUNNING),
        (("RestoreAlreadyInProgress", 409, 1), s3_api.RESTORE_RUNNING_AFTER_RETRY),
        (("ObjectAlreadyInActiveTierError", 403, None), s3_api.RESTORE_ACTIVE_TIER),
        (("ObjectAlreadyInActiveTierError", 403, 2), s3_api.RESTORE_ACTIVE_TIER),
        (("GlacierExpeditedRetrievalNotAvailable", 503, None), s3_api.RESTORE_NO_EXPEDITED_CAPACITY),
    ],
    ids=["202", "200", "409", "409-not-retried", "409-after-retry", "active-tier", "active-tier-retried", "no-expedited"],
)
def test_restore_object_outcome(stubber, answer, outcome):
    expected = {"Bucket": BUCKET, "Key": KEY, "RestoreRequest": RESTORE_REQUEST}
    if isinstance(answer, dict):
        stubber.add_response("restore_object", {"ResponseMetadata": {"HTTPStatusCode": answer["status"]}}, expected)
    else:
        code, status, retry_attempts = answer
        add_error(stubber, "restore_object", code, status, message=code, retry_attempts=retry_attempts,
                  expected_params=expected)
    assert bucket_on(stubber).restore_object(KEY, RESTORE_REQUEST) == outcome


@pytest.mark.parametrize(
    "owner, message",
    [
        (None, f"Access denied: RestoreObject on s3://{BUCKET}/{KEY} needs the IAM permission s3:RestoreObject."),
        (OWNER, f"Access denied: RestoreObject on s3://{BUCKET}/{KEY} needs the IAM permission s3:RestoreObject; the "
                f"bucket must also belong to expected_bucket_owner {OWNER}."),
    ],
    ids=["any-owner", "expected-owner"],
)
def test_restore_object_denied_names_the_permission(stubber, owner, message):
    add_error(stubber, "restore_object", "AccessDenied", 403, "Access Denied")
    with pytest.raises(TaskFailure) as raised:
        bucket_on(stubber, owner).restore_object(KEY, RESTORE_REQUEST)
    assert raised.value.msg == message


@pytest.mark.parametrize(
    "code, status",
    [("InvalidObjectState", 403), ("InvalidArgument", 400), ("NoSuchKey", 404), ("InternalError", 500)],
)
def test_other_restore_errors_are_raised_as_they_came(stubber, code, status):
    add_error(stubber, "restore_object", code, status, code)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        bucket_on(stubber).restore_object(KEY, RESTORE_REQUEST)
    assert raised.value.response["Error"]["Code"] == code


# -- ListObjectsV2 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["AccessDenied", "AllAccessDisabled"])
def test_listing_denied_names_s3_list_bucket(stubber, code):
    add_error(stubber, "list_objects_v2", code, 403)
    with pytest.raises(TaskFailure) as raised:
        list(bucket_on(stubber).list_object_pages("logs/"))
    assert raised.value.msg == f"Access denied: ListObjectsV2 on bucket {BUCKET} needs the IAM permission s3:ListBucket."


def test_listing_denied_after_a_page_keeps_the_page(stubber):
    stubber.add_response("list_objects_v2", {"Contents": [{"Key": "a"}], "IsTruncated": True, "NextContinuationToken": "t"})
    add_error(stubber, "list_objects_v2", "AccessDenied", 403)
    pages = bucket_on(stubber).list_object_pages("")
    assert next(pages) == [{"Key": "a"}]
    with pytest.raises(TaskFailure):
        next(pages)


def test_a_missing_bucket_is_said_on_the_listing_path_as_on_the_key_path(stubber):
    add_error(stubber, "list_objects_v2", "NoSuchBucket", 404)
    with pytest.raises(TaskFailure) as raised:
        list(bucket_on(stubber).list_object_pages("logs/"))
    assert raised.value.msg == f"Bucket {BUCKET!r} does not exist (or is not visible to these credentials)."


def test_other_listing_errors_are_raised_as_they_came(stubber):
    add_error(stubber, "list_objects_v2", "InternalError", 500)
    with pytest.raises(botocore.exceptions.ClientError):
        list(bucket_on(stubber).list_object_pages("logs/"))


# -- the notification configuration ----------------------------------------------------------------------------

UNABLE = "Unable to validate the following destination configurations"
AMBIGUOUS = ("Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes "
             "are overlapping for the same event type.")
AMBIGUOUS_MESSAGE = (
    f"S3 refused the notification configuration of bucket {BUCKET} as overlapping ({AMBIGUOUS}). Nothing was changed. "
    "The module checks S3's overlap rule before writing, so the configuration was most likely changed by another writer "
    "meanwhile: run the task again, and it names the configuration that collides."
)
GONE_QUEUE = "arn:aws:sqs:us-east-1:111122223333:gone"
NO_QUEUE = "The destination queue does not exist"
NO_PERMISSION = "Permissions on the destination topic do not allow S3 to publish notifications from this bucket"


@pytest.mark.parametrize(
    "code, status, text, owner, topic_arn, message",
    [
        ("AccessDenied", 403, "Access Denied", None, TOPIC_ARN,
         f"Access denied: PutBucketNotificationConfiguration on bucket {BUCKET} needs the IAM permission "
         "s3:PutBucketNotification."),
        ("AccessDenied", 403, "Access Denied", OWNER, TOPIC_ARN,
         f"Access denied: PutBucketNotificationConfiguration on bucket {BUCKET} needs the IAM permission "
         f"s3:PutBucketNotification; the bucket must also belong to expected_bucket_owner {OWNER}."),
        # The policy statement names the bucket owner (expected_bucket_owner), never the topic's account: without
        # it, a placeholder to fill in.
        ("InvalidArgument", 400, UNABLE, None, TOPIC_ARN, destination_validation_message(BUCKET, [], TOPIC_ARN, None)),
        ("InvalidArgument", 400, UNABLE, OWNER, TOPIC_ARN, destination_validation_message(BUCKET, [], TOPIC_ARN, OWNER)),
        ("InvalidArgument", 400, UNABLE, None, None, destination_validation_message(BUCKET, [], None, None)),
        ("InvalidArgument", 400, AMBIGUOUS, None, TOPIC_ARN, AMBIGUOUS_MESSAGE),
        ("InvalidArgument", 400, AMBIGUOUS, None, None, AMBIGUOUS_MESSAGE),
    ],
    ids=["denied", "denied-owner", "unable-to-validate", "unable-to-validate-owner", "unable-to-validate-removal",
         "ambiguous", "ambiguous-no-topic"],
)
def test_notification_write_refusals_are_explained(stubber, code, status, text, owner, topic_arn, message):
    add_error(stubber, "put_bucket_notification_configuration", code, status, text)
    with pytest.raises(TaskFailure) as raised:
        bucket_on(stubber, owner).put_notification_configuration({}, topic_arn)
    assert raised.value.msg == message


def test_the_topic_policy_never_names_the_topics_account(stubber):
    """S3 publishes with the bucket owner's account: a topic in another account gets the placeholder, not its own
    account (facts sheet, "Bucket notification configuration": aws:SourceAccount = the BUCKET OWNER's account)."""
    stubber.add_client_error("put_bucket_notification_configuration", "InvalidArgument", UNABLE, 400,
                             service_error_meta={"ArgumentName1": TOPIC_ARN, "ArgumentValue1": NO_PERMISSION})
    with pytest.raises(TaskFailure) as raised:
        bucket_on(stubber).put_notification_configuration({}, TOPIC_ARN)
    assert f'"aws:SourceAccount": "{TOPIC_ACCOUNT}"' not in raised.value.msg
    assert '"aws:SourceAccount": "<bucket owner account id>"' in raised.value.msg


def test_s3s_error_names_each_failing_destination_in_the_error_fields():
    """How botocore parses S3's XML error: every child of <Error> lands in error.response["Error"], so the
    ArgumentName<n> / ArgumentValue<n> pairs reach the code as the Stubber's service_error_meta sends them."""
    body = (
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidArgument</Code>"
        f"<Message>{UNABLE}</Message><ArgumentName1>{GONE_QUEUE}</ArgumentName1><ArgumentValue1>{NO_QUEUE}"
        "</ArgumentValue1><RequestId>R</RequestId><HostId>H</HostId></Error>"
    ).encode()
    parsed = botocore.parsers.create_parser("rest-xml").parse({"status_code": 400, "headers": {}, "body": body}, None)
    assert parsed["Error"] == {"Code": "InvalidArgument", "Message": UNABLE, "ArgumentName1": GONE_QUEUE, "ArgumentValue1": NO_QUEUE}


def test_a_foreign_stale_destination_is_named_with_its_configuration_and_no_policy(stubber):
    """S3 validates every destination on each write (facts sheet): a queue of somebody else that is gone blocks the
    write; the message names it and its configuration, and shows no topic policy statement (ours is fine)."""
    written = {"QueueConfigurations": [{"Id": "old-ingest", "QueueArn": GONE_QUEUE, "Events": ["s3:ObjectCreated:*"]}],
               "TopicConfigurations": [{"Id": "s3async-restore-restore-events", "TopicArn": TOPIC_ARN,
                                        "Events": ["s3:ObjectRestore:Post"]}]}
    stubber.add_client_error("put_bucket_notification_configuration", "InvalidArgument", UNABLE, 400,
                             service_error_meta={"ArgumentName1": GONE_QUEUE, "ArgumentValue1": NO_QUEUE})
    with pytest.raises(TaskFailure) as raised:
        bucket_on(stubber, OWNER).put_notification_configuration(written, TOPIC_ARN)
    msg = raised.value.msg
    assert f"  - {GONE_QUEUE} (configuration 'old-ingest'): {NO_QUEUE}" in msg
    assert "can no longer reach. That blocks every write of the bucket's notification configuration" in msg
    assert "SNS:Publish" not in msg
    assert msg == destination_validation_message(BUCKET, [(GONE_QUEUE, NO_QUEUE)], TOPIC_ARN, OWNER, {GONE_QUEUE: ["old-ingest"],
                                                                                                      TOPIC_ARN: ["s3async-restore-restore-events"]})


def test_our_topic_among_the_failing_destinations_shows_the_statement(stubber):
    stubber.add_client_error("put_bucket_notification_configuration", "InvalidArgument", UNABLE, 400,
                             service_error_meta={"ArgumentName1": GONE_QUEUE, "ArgumentValue1": NO_QUEUE,
                                                 "ArgumentName2": TOPIC_ARN, "ArgumentValue2": NO_PERMISSION})
    with pytest.raises(TaskFailure) as raised:
        bucket_on(stubber, OWNER).put_notification_configuration({}, TOPIC_ARN)
    msg = raised.value.msg
    assert f"  - {GONE_QUEUE}: {NO_QUEUE}" in msg and f"  - {TOPIC_ARN}: {NO_PERMISSION}" in msg
    assert f'"aws:SourceAccount": "{OWNER}"' in msg
    assert f'"Resource": "{TOPIC_ARN}"' in msg


@pytest.mark.parametrize(
    "code, text",
    [("InvalidArgument", "Something else"), ("MalformedXML", "The XML was not well-formed")],
    ids=["other-argument", "malformed"],
)
def test_other_notification_write_errors_are_raised_as_they_came(stubber, code, text):
    add_error(stubber, "put_bucket_notification_configuration", code, 400, text)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        bucket_on(stubber).put_notification_configuration({})
    assert raised.value.response["Error"]["Message"] == text


def test_notification_read_denied_names_the_permission(stubber):
    add_error(stubber, "get_bucket_notification_configuration", "AccessDenied", 403)
    with pytest.raises(TaskFailure) as raised:
        bucket_on(stubber).get_notification_configuration()
    assert raised.value.msg == (f"Access denied: GetBucketNotificationConfiguration on bucket {BUCKET} needs the IAM "
                                "permission s3:GetBucketNotification.")


# -- Batch Operations manifests --------------------------------------------------------------------------------

MANIFEST = "manifests/restore.csv"


def test_manifest_etag_is_heads_etag(stubber):
    stubber.add_response("head_object", {"ETag": '"0123abcd"'}, {"Bucket": BUCKET, "Key": MANIFEST})
    assert bucket_on(stubber).manifest_etag(MANIFEST) == '"0123abcd"'


@pytest.mark.parametrize(
    "code, status, message",
    [
        ("404", 404, f"The manifest object s3://{BUCKET}/{MANIFEST} does not exist."),
        ("403", 403, f"Access denied: HeadObject on s3://{BUCKET}/{MANIFEST} needs the IAM permission s3:GetObject on "
                     "the manifest object (or give manifest.etag)."),
    ],
    ids=["missing", "denied"],
)
def test_manifest_etag_failures(stubber, code, status, message):
    add_error(stubber, "head_object", code, status)
    with pytest.raises(TaskFailure) as raised:
        bucket_on(stubber).manifest_etag(MANIFEST)
    assert raised.value.msg == message


def test_manifest_etag_other_errors_are_raised(stubber):
    add_error(stubber, "head_object", "500", 500)
    with pytest.raises(botocore.exceptions.ClientError):
        bucket_on(stubber).manifest_etag(MANIFEST)


# -- the bucket ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "answer, region",
    [
        ({"BucketRegion": "eu-west-1"}, "eu-west-1"),
        ({"ResponseMetadata": {"HTTPStatusCode": 200, "HTTPHeaders": {"x-amz-bucket-region": "eu-west-2"}}}, "eu-west-2"),
        ({"BucketRegion": "eu-west-1",
          "ResponseMetadata": {"HTTPStatusCode": 200, "HTTPHeaders": {"x-amz-bucket-region": "eu-west-2"}}}, "eu-west-1"),
        ({}, None),
        (("301", 301, {"x-amz-bucket-region": "ap-south-1"}), "ap-south-1"),
        (("403", 403, {"x-amz-bucket-region": "sa-east-1"}), "sa-east-1"),
        (("403", 403, None), None),
        (("404", 404, None), None),
    ],
    ids=["bucket-region", "header", "bucket-region-first", "silent", "301-header", "403-header", "403-silent", "404"],
)
def test_region(stubber, answer, region):
    if isinstance(answer, dict):
        stubber.add_response("head_bucket", answer, {"Bucket": BUCKET})
    else:
        code, status, headers = answer
        add_error(stubber, "head_bucket", code, status, headers=headers)
    assert bucket_on(stubber).region() == region


@pytest.mark.parametrize(
    "answer, exists",
    [(None, True), (("404", 404), False), (("NoSuchBucket", 404), False), (("403", 403), True), (("AccessDenied", 403), True)],
    ids=["200", "404", "no-such-bucket", "403", "access-denied"],
)
def test_bucket_exists(stubber, answer, exists):
    if answer is None:
        stubber.add_response("head_bucket", {}, {"Bucket": BUCKET})
    else:
        add_error(stubber, "head_bucket", *answer)
    assert bucket_on(stubber).bucket_exists() is exists


@pytest.mark.parametrize("code, status", [("301", 301), ("400", 400), ("500", 500)])
def test_bucket_exists_raises_what_it_cannot_answer(stubber, code, status):
    add_error(stubber, "head_bucket", code, status)
    with pytest.raises(botocore.exceptions.ClientError):
        bucket_on(stubber).bucket_exists()


def test_every_denied_operation_has_a_permission():
    assert s3_api.REQUIRED_PERMISSIONS == {
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


# -- listing versions, reading manifests (issue 12) --------------------------------------------------------------

def test_list_object_version_pages_asks_for_restore_status_and_pages_on(stubber, bucket):
    stubber.add_response("list_object_versions", {"Versions": [{"Key": "a", "VersionId": "1"}], "IsTruncated": True,
                                                  "NextKeyMarker": "a", "NextVersionIdMarker": "1"},
                         {"Bucket": BUCKET, "Prefix": "p/", "OptionalObjectAttributes": ["RestoreStatus"]})
    stubber.add_response("list_object_versions", {"DeleteMarkers": [{"Key": "b", "VersionId": "2"}], "IsTruncated": False},
                         {"Bucket": BUCKET, "Prefix": "p/", "OptionalObjectAttributes": ["RestoreStatus"], "KeyMarker": "a",
                          "VersionIdMarker": "1"})
    pages = list(bucket.list_object_version_pages("p/", with_restore_status=True))
    assert [page.get("Versions", []) + page.get("DeleteMarkers", []) for page in pages] == [[{"Key": "a", "VersionId": "1"}], [{"Key": "b", "VersionId": "2"}]]


def test_list_object_version_pages_says_which_permission_is_missing(stubber, bucket):
    stubber.add_client_error("list_object_versions", "AccessDenied", "Access Denied", 403)
    with pytest.raises(TaskFailure, match="s3:ListBucketVersions"):
        list(bucket.list_object_version_pages("p/"))


def test_list_object_pages_can_start_after_a_key(stubber, bucket):
    stubber.add_response("list_objects_v2", {"Contents": []}, {"Bucket": BUCKET, "Prefix": "p/", "StartAfter": "p/a"})
    assert list(bucket.list_object_pages("p/", start_after="p/a")) == [[]]


@pytest.mark.parametrize(
    "code, status, message",
    [("NoSuchKey", 404, "The manifest s3://archive-bucket/m.csv does not exist"),
     ("AccessDenied", 403, "needs the IAM permission s3:GetObject"),
     ("InvalidObjectState", 403, "is archived itself: restore it first")],
)
def test_object_body_failures_say_what_to_do(stubber, bucket, code, status, message):
    stubber.add_client_error("get_object", code, code, status)
    with pytest.raises(TaskFailure, match=message):
        bucket.object_body("m.csv")
