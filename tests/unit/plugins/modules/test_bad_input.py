# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_object_restore given bad input: each kind ends with a clear message, and nothing is changed.

Table-driven. Each case runs main() with a botocore client whose answers come from a table keyed by operation
(the same hook botocore's Stubber uses, in any order, so that a module that reads a little more or less still
meets the same S3), and records every call: the case passes when the task fails, its message matches what a
user needs to read, and no call that changes anything (RestoreObject, PutBucketNotificationConfiguration, ...)
was made. A few cases use a real client instead: an endpoint nobody listens on, and no credentials at all;
botocore's back-off sleeps are recorded there, not slept.

What S3 answers is what AWS documents: HEAD answers carry no body, so their errors are a bare status (botocore
reports the code "403", "400", "301"); a bucket in another region answers 301 with its region in the
x-amz-bucket-region header; expired session credentials give 400 ExpiredToken where a body can carry it.
"""

from __future__ import annotations

import copy
import re

import boto3
import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.s3async.restore.plugins.modules import s3_object_restore

REGION = "us-east-1"
BUCKET = "archive-bucket"
KEY = "db/dump"
OWNER = "111122223333"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{OWNER}:restore-events"
WRITE_PREFIXES = ("Put", "Restore", "Delete", "Create", "Update", "Copy", "Abort", "Complete", "Upload")


class Error:
    """An error answer: HTTP status, S3 error code (for HEAD, botocore's code is the status), message, headers."""

    def __init__(self, status, code=None, message="", headers=None):
        self.status = status
        self.code = code or str(status)
        self.message = message
        self.headers = headers or {}


GLACIER_OBJECT = {"StorageClass": "GLACIER", "ContentLength": 42}
# What an unlisted read answers: an archived object in a bucket of this region, with nothing configured.
DEFAULT_ANSWERS = {
    "HeadObject": GLACIER_OBJECT,
    "HeadBucket": {"BucketRegion": REGION},
    "ListObjectsV2": {"Contents": [], "KeyCount": 0, "IsTruncated": False},
    "GetBucketNotificationConfiguration": {},
    "GetBucketLocation": {},
    "GetCallerIdentity": {"Account": OWNER, "Arn": f"arn:aws:iam::{OWNER}:user/restorer", "UserId": "AIDAEXAMPLE"},
}
NOT_FOUND = Error(404, message="Not Found")


class Answers:
    """Clients for the module whose calls are answered from a table and recorded (service, operation, params)."""

    def __init__(self, table):
        self.table = dict(DEFAULT_ANSWERS, **table)
        self.calls = []

    def writes(self):
        return [(service, operation) for service, operation, _params in self.calls if operation.startswith(WRITE_PREFIXES)]

    def client(self, service):
        client = boto3.client(service, region_name=REGION)
        client.meta.events.register_first("before-parameter-build.*.*", self._record)
        client.meta.events.register("before-call.*.*", self._answer)
        return client

    def _record(self, params, model, **kwargs):
        self.calls.append((model.service_model.service_name, model.name, copy.deepcopy(params)))

    def _answer(self, model, params, **kwargs):
        operation = model.name
        if operation.startswith(WRITE_PREFIXES):
            answer = self.table.get(operation, {"ResponseMetadata": {"HTTPStatusCode": 202 if operation == "RestoreObject" else 200}})
        else:
            answer = self.table.get(operation)
            if answer is None:
                answer = Error(500, "UnexpectedCall", f"no answer for {operation} in this test's table")
        if callable(answer) and not isinstance(answer, Error):
            answer = answer(params)
        if isinstance(answer, Error):
            parsed = {"Error": {"Code": answer.code, "Message": answer.message},
                      "ResponseMetadata": {"HTTPStatusCode": answer.status, "HTTPHeaders": dict(answer.headers)}}
            return AWSResponse(None, answer.status, answer.headers, None), parsed
        parsed = copy.deepcopy(answer)
        parsed.setdefault("ResponseMetadata", {}).setdefault("HTTPStatusCode", 200)
        return AWSResponse(None, parsed["ResponseMetadata"]["HTTPStatusCode"], {}, None), parsed


def args(**extra):
    base = {"bucket": BUCKET, "key": KEY}
    for name, value in extra.items():
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    return base


# (id, module arguments, answers, what the message must say (regex, case-insensitive))
CASES = [
    # The bucket
    ("bucket empty", args(bucket=""), {}, r"bucket must name a bucket"),
    ("bucket with a slash", args(bucket="archive/bucket"), {}, r"bucket name"),
    ("bucket as an s3:// URI", args(bucket="s3://archive-bucket"), {}, r"bucket name"),
    ("bucket as an ARN", args(bucket="arn:aws:s3:::archive-bucket"), {}, r"bucket name"),
    ("bucket with spaces", args(bucket="archive bucket"), {}, r"bucket name"),
    ("bucket name too short", args(bucket="ab"), {"HeadObject": Error(400, message="Bad Request")}, r"bucket name"),
    ("bucket name too long", args(bucket="b" * 256), {}, r"bucket name"),
    ("bucket missing", args(), {"HeadObject": NOT_FOUND, "HeadBucket": NOT_FOUND}, r"bucket 'archive-bucket' does not exist"),
    ("bucket in another region", args(),
     {"HeadObject": Error(301, message="Moved Permanently", headers={"x-amz-bucket-region": "eu-west-1"})}, r"eu-west-1"),
    # The key
    ("key empty", args(key=""), {}, r"key must name an object"),
    ("key longer than 1,024 bytes", args(key="é" * 513), {"HeadObject": Error(400, message="Bad Request")}, r"1,?024"),
    ("key given as an s3:// URI", args(key=f"s3://{BUCKET}/{KEY}"), {}, rf"S3 URI.*bucket='{BUCKET}' and key='{KEY}'"),
    ("prefix given as an s3:// URI", args(key=None, prefix=f"s3://{BUCKET}/db/"), {}, r"S3 URI.*prefix='db/'"),
    ("key with a leading slash, missing", args(key="/db/dump"), {"HeadObject": NOT_FOUND},
     r"key '/db/dump' not found.*did you mean key='db/dump'"),
    ("version_id empty", args(version_id=""), {}, r"version_id must name a version"),
    ("key is a directory, missing", args(key="dir/"), {"HeadObject": NOT_FOUND}, r"prefix"),
    ("key is a directory marker", args(key="dir/"), {"HeadObject": {"ContentLength": 0}}, r"prefix"),
    ("version_id without key", args(key=None, prefix="db/", version_id="v1"), {}, r"version_id needs key"),
    ("version_id that S3 rejects", args(version_id="not-a-version"), {"HeadObject": Error(400, message="Bad Request")},
     r"version_id 'not-a-version'"),
    ("key and prefix", args(prefix="db/"), {}, r"mutually exclusive"),
    ("neither key nor prefix", args(key=None), {}, r"one of the following is required: key, prefix"),
    # Days and tier
    ("days 0", args(days=0), {}, r"days must be 1 or more"),
    ("days negative", args(days=-3), {}, r"days must be 1 or more"),
    ("days beyond the API's integer", args(days=2 ** 31), {}, r"days"),
    ("days not a number", args(days="seven"), {}, r"days.*int"),
    ("tier unknown", args(tier="Fast"), {}, r"tier must be one of|value of tier must be one of"),
    ("tier in lower case", args(tier="expedited"), {}, r"value of tier must be one of"),
    ("tier Expedited on Deep Archive", args(tier="Expedited"), {"HeadObject": {"StorageClass": "DEEP_ARCHIVE", "ContentLength": 1}},
     r"Expedited is not available"),
    # The topic and the events
    ("topic ARN is a name", args(sns_topic_arn="restore-events"), {}, r"not an ARN"),
    ("topic ARN without account", args(sns_topic_arn=f"arn:aws:sns:{REGION}:restore-events"), {}, r"not a complete ARN"),
    ("topic ARN of an SQS queue", args(sns_topic_arn=f"arn:aws:sqs:{REGION}:{OWNER}:restores"), {}, r"SQS queue ARN"),
    ("topic ARN of a Lambda function", args(sns_topic_arn=f"arn:aws:lambda:{REGION}:{OWNER}:function:f"), {}, r"Lambda function ARN"),
    ("topic ARN of a subscription", args(sns_topic_arn=TOPIC_ARN + ":6b0d7c1e-0f5c-4c1e-9a53-3f0c2e7d8a10"), {},
     r"subscription ARN"),
    ("topic ARN of a FIFO topic", args(sns_topic_arn=TOPIC_ARN + ".fifo"), {}, r"FIFO"),
    ("topic in another region", args(sns_topic_arn=f"arn:aws:sns:eu-west-1:{OWNER}:restore-events"), {}, r"eu-west-1.*region|region.*eu-west-1"),
    ("event that is not a restore event", args(sns_topic_arn=TOPIC_ARN, notification_events=["s3:ObjectCreated:*"]), {},
     r"notification_events"),
    # Ownership and credentials
    ("expected_bucket_owner mismatch", args(expected_bucket_owner="999988887777"), {"HeadObject": Error(403, message="Forbidden")},
     r"expected_bucket_owner 999988887777"),
    ("expected_bucket_owner not an account id", args(expected_bucket_owner="1234"), {"HeadObject": Error(400, message="Bad Request")},
     r"expected_bucket_owner.*12 digits|account id"),
    ("expired credentials, key", args(), {"HeadObject": Error(400, message="Bad Request"),
                                          "GetCallerIdentity": Error(403, "ExpiredToken", "The security token included in the request is expired")},
     r"expired"),
    ("expired credentials, prefix", args(key=None, prefix="db/"),
     {"ListObjectsV2": Error(400, "ExpiredToken", "The provided token has expired.")}, r"expired"),
    # Other numbers
    ("wait_timeout negative", args(state="restored", wait_timeout=-1), {}, r"wait_timeout must be 0 or more"),
    ("concurrency 0", args(key=None, prefix="db/", concurrency=0), {}, r"concurrency must be 1 or more"),
    ("max_restores negative", args(key=None, prefix="db/", max_restores=-1), {}, r"max_restores must be 0 or more"),
]
# Cases where the task may also succeed, provided a warning says it (nothing is wrong with the object itself).
WARNING_IS_ENOUGH = {"key is a directory marker"}


@pytest.fixture
def answered(monkeypatch):
    """answered(table) -> Answers whose clients the module gets from AnsibleAWSModule.client."""

    def install(table):
        answers = Answers(table)

        def module_client(self, service, retry_decorator=None, **_params):
            client = answers.client(service)
            return RetryingBotoClientWrapper(client, retry_decorator) if retry_decorator else client

        monkeypatch.setattr(AnsibleAWSModule, "client", module_client)
        return answers

    return install


def run_case(run_module, module_args):
    try:
        return run_module(s3_object_restore.main, module_args)
    except Exception as error:  # pylint: disable=broad-except
        pytest.fail(f"the module crashed instead of failing with a message: {error!r}")


@pytest.mark.parametrize("name, module_args, table, expected", CASES, ids=[case[0] for case in CASES])
def test_bad_input_fails_clearly_and_changes_nothing(answered, run_module, name, module_args, table, expected):
    answers = answered(table)
    failed, result = run_case(run_module, module_args)
    said = " ".join([result.get("msg", "")] + result.get("warnings", []))
    if not (name in WARNING_IS_ENOUGH and result.get("warnings")):
        assert failed, f"the task succeeded; it said: {said!r}; calls: {[call[:2] for call in answers.calls]}"
    assert re.search(expected, said, re.IGNORECASE | re.DOTALL), said[:500]
    assert not answers.writes(), f"calls that change something were made: {answers.writes()}"
    assert not result.get("changed")


def test_there_are_at_least_twenty_kinds():
    assert len(CASES) >= 20
    assert len({case[0] for case in CASES}) == len(CASES)


# -- real clients: nobody listening, no credentials ---------------------------------------------------------------


@pytest.fixture
def recorded_sleeps(monkeypatch):
    """botocore's back-off: recorded, not slept."""
    slept = []

    class RecordedTime:
        def __getattr__(self, name):
            return getattr(__import__("time"), name)

        @staticmethod
        def sleep(seconds):
            slept.append(seconds)

    monkeypatch.setattr(botocore.endpoint, "time", RecordedTime())
    return slept


def closed_port():
    import socket  # pylint: disable=import-outside-toplevel

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when this returns: nothing listens there


@pytest.mark.parametrize("kind, module_args", [("key", args()), ("prefix", args(key=None, prefix="db/")),
                                               ("notification", args(sns_topic_arn=TOPIC_ARN))], ids=["key", "prefix", "notification"])
def test_unreachable_endpoint_fails_clearly(run_module, recorded_sleeps, kind, module_args):
    endpoint = f"http://127.0.0.1:{closed_port()}"
    failed, result = run_case(run_module, dict(module_args, endpoint_url=endpoint))
    assert failed
    assert "Could not connect to the endpoint URL" in result["msg"], result["msg"]
    assert endpoint in result["msg"]
    assert not result.get("changed")
    # The figure for docs/reliability.md: how long botocore backs off before giving up on a dead endpoint.
    print(f"\nunreachable endpoint ({kind}): {len(recorded_sleeps) + 1} attempts, "
          f"{sum(recorded_sleeps):.0f} s of back-off")


def test_no_credentials_at_all_fails_clearly(run_module, recorded_sleeps, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    failed, result = run_case(run_module, dict(args(), endpoint_url=f"http://127.0.0.1:{closed_port()}"))
    assert failed
    assert "Unable to locate credentials" in result["msg"], result["msg"]
    assert not recorded_sleeps, "nothing to retry without credentials"
