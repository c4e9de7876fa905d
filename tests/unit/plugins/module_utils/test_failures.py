# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""failures: what a botocore ClientError says (code, message, status, headers, retries), which codes mean
"access denied" and "not found", the access-denied message, and how finish() ends a module."""

from __future__ import annotations

import botocore.exceptions
import pytest

from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.failures import access_denied_message
from ansible_collections.s3async.restore.plugins.module_utils.failures import error_code
from ansible_collections.s3async.restore.plugins.module_utils.failures import error_message
from ansible_collections.s3async.restore.plugins.module_utils.failures import finish
from ansible_collections.s3async.restore.plugins.module_utils.failures import http_status
from ansible_collections.s3async.restore.plugins.module_utils.failures import is_access_denied
from ansible_collections.s3async.restore.plugins.module_utils.failures import is_not_found
from ansible_collections.s3async.restore.plugins.module_utils.failures import response_header
from ansible_collections.s3async.restore.plugins.module_utils.failures import retried


def client_error(code=None, message=None, status=None, headers=None, retry_attempts=None, operation="HeadObject"):
    """A real botocore ClientError, shaped the way botocore parses S3's answers (only the parts given)."""
    response = {}
    error = {}
    if code is not None:
        error["Code"] = code
    if message is not None:
        error["Message"] = message
    if error:
        response["Error"] = error
    metadata = {}
    if status is not None:
        metadata["HTTPStatusCode"] = status
    if headers is not None:
        metadata["HTTPHeaders"] = headers
    if retry_attempts is not None:
        metadata["RetryAttempts"] = retry_attempts
    if metadata:
        response["ResponseMetadata"] = metadata
    return botocore.exceptions.ClientError(response, operation)


# -- reading an error ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "error, code",
    [
        (client_error("AccessDenied", "Access Denied", 403), "AccessDenied"),
        (client_error("404", "Not Found", 404), "404"),  # HEAD answers carry only the status
        (client_error(message="no code"), ""),
        (client_error(status=500), ""),  # no Error at all
    ],
    ids=["code", "head-status-as-code", "no-code", "no-error"],
)
def test_error_code(error, code):
    assert error_code(error) == code


@pytest.mark.parametrize(
    "error, message",
    [
        (client_error("NoSuchKey", "The specified key does not exist.", 404), "The specified key does not exist."),
        (client_error("404", status=404), ""),
        (client_error(status=500), ""),
    ],
    ids=["message", "no-message", "no-error"],
)
def test_error_message(error, message):
    assert error_message(error) == message


@pytest.mark.parametrize(
    "response_or_error, status",
    [
        (client_error("404", status=404), 404),
        (client_error("RestoreAlreadyInProgress", status=409, operation="RestoreObject"), 409),
        ({"ResponseMetadata": {"HTTPStatusCode": 202}}, 202),  # an answer, not an error
        ({"ResponseMetadata": {}}, None),
        ({}, None),
        (client_error("AccessDenied"), None),
    ],
    ids=["error-404", "error-409", "answer-202", "no-status", "no-metadata", "error-no-metadata"],
)
def test_http_status(response_or_error, status):
    assert http_status(response_or_error) == status


@pytest.mark.parametrize(
    "response_or_error, name, value",
    [
        (client_error("301", status=301, headers={"x-amz-bucket-region": "eu-west-1"}), "x-amz-bucket-region", "eu-west-1"),
        ({"ResponseMetadata": {"HTTPHeaders": {"x-amz-bucket-region": "us-west-2"}}}, "x-amz-bucket-region", "us-west-2"),
        (client_error("301", status=301, headers={"x-amz-request-id": "r"}), "x-amz-bucket-region", None),
        (client_error("301", status=301), "x-amz-bucket-region", None),
        ({}, "x-amz-bucket-region", None),
    ],
    ids=["error-header", "answer-header", "other-header", "no-headers", "no-metadata"],
)
def test_response_header(response_or_error, name, value):
    assert response_header(response_or_error, name) == value


@pytest.mark.parametrize(
    "retry_attempts, expected",
    [(None, False), (0, False), (1, True), (7, True)],
    ids=["absent", "zero", "one", "seven"],
)
def test_retried(retry_attempts, expected):
    error = client_error("RestoreAlreadyInProgress", status=409, retry_attempts=retry_attempts, operation="RestoreObject")
    assert retried(error) is expected


# -- what an error means ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "code, expected",
    [
        ("AccessDenied", True),
        ("403", True),  # HEAD: only the status
        ("AllAccessDisabled", True),
        ("AccessDeniedException", True),  # S3 Control
        ("404", False),
        ("NoSuchKey", False),
        ("InvalidAccessKeyId", False),
        ("SignatureDoesNotMatch", False),
        ("accessdenied", False),  # codes are case-sensitive
        ("", False),
    ],
)
def test_is_access_denied(code, expected):
    assert is_access_denied(client_error(code)) is expected


@pytest.mark.parametrize(
    "code, expected",
    [
        ("404", True),
        ("NotFound", True),
        ("NoSuchKey", True),
        ("NoSuchBucket", True),
        ("NoSuchVersion", True),
        ("NotFoundException", True),
        ("NoSuchJob", True),
        ("NoSuchJobException", True),
        ("403", False),
        ("AccessDenied", False),
        ("NoSuchUpload", False),
        ("InvalidObjectState", False),
        ("", False),
    ],
)
def test_is_not_found(code, expected):
    assert is_not_found(client_error(code)) is expected


@pytest.mark.parametrize(
    "clauses, message",
    [
        ((), "Access denied: RestoreObject on s3://b/k needs the IAM permission s3:RestoreObject."),
        ((" (and more)",), "Access denied: RestoreObject on s3://b/k needs the IAM permission s3:RestoreObject (and more)."),
        ((" (one)", "; two"), "Access denied: RestoreObject on s3://b/k needs the IAM permission s3:RestoreObject (one); two."),
    ],
    ids=["no-clause", "one-clause", "two-clauses"],
)
def test_access_denied_message(clauses, message):
    assert access_denied_message("RestoreObject", "s3://b/k", "s3:RestoreObject", *clauses) == message


# -- finish ----------------------------------------------------------------------------------------------------

class RecordingModule:
    """Records how the module was ended; like AnsibleModule, every exit raises SystemExit."""

    def __init__(self):
        self.calls = []

    def exit_json(self, **result):
        self.calls.append(("exit_json", (), result))
        raise SystemExit(0)

    def fail_json(self, **result):
        self.calls.append(("fail_json", (), result))
        raise SystemExit(1)

    def fail_json_aws(self, exception, **result):
        self.calls.append(("fail_json_aws", (exception,), result))
        raise SystemExit(1)


def finished(task):
    module = RecordingModule()
    with pytest.raises(SystemExit):
        finish(module, task, "S3 call failed for s3://b/k")
    return module.calls


def test_finish_exits_with_the_task_result():
    result = {"changed": True, "objects": [{"key": "k"}], "summary": {"total": 1}}
    assert finished(lambda: result) == [("exit_json", (), result)]


def test_finish_fails_with_the_message_and_result_of_a_task_failure():
    def task():
        raise TaskFailure("2 of 3 objects failed", failed_keys=["a", "b"], changed=True)

    assert finished(task) == [("fail_json", (), {"msg": "2 of 3 objects failed", "failed_keys": ["a", "b"], "changed": True})]


def test_finish_fails_with_only_the_message_of_a_bare_task_failure():
    def task():
        raise TaskFailure("Bucket 'b' does not exist.")

    assert finished(task) == [("fail_json", (), {"msg": "Bucket 'b' does not exist."})]


@pytest.mark.parametrize(
    "error",
    [
        client_error("InternalError", "We encountered an internal error.", 500),
        botocore.exceptions.EndpointConnectionError(endpoint_url="https://s3.amazonaws.com"),
    ],
    ids=["client-error", "botocore-error"],
)
def test_finish_hands_other_aws_errors_to_fail_json_aws(error):
    def task():
        raise error

    assert finished(task) == [("fail_json_aws", (error,), {"msg": "S3 call failed for s3://b/k"})]


def test_finish_lets_a_programming_error_through():
    module = RecordingModule()

    def task():
        raise KeyError("bug")

    with pytest.raises(KeyError):
        finish(module, task, "S3 call failed")
    assert module.calls == []


def test_task_failure_keeps_message_and_result():
    failure = TaskFailure("no", objects=[], waited=1.5)
    assert str(failure) == "no"
    assert failure.msg == "no"
    assert failure.result == {"objects": [], "waited": 1.5}
