# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""aws_clients: the botocore configuration every client gets (adaptive retries, 8 attempts, a connection pool
for the threads, the module in the User-Agent), that the shared retry settings survive botocore, and that the
retry decorator on top retries 409 OperationAborted and nothing else."""

from __future__ import annotations

import boto3
import botocore.exceptions
import pytest

from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.s3async.restore.plugins.module_utils import aws_clients
from ansible_collections.s3async.restore.plugins.module_utils.aws_clients import BOTOCORE_RETRIES
from ansible_collections.s3async.restore.plugins.module_utils.aws_clients import RETRY_ERROR_CODES
from ansible_collections.s3async.restore.plugins.module_utils.aws_clients import _ConflictRetry
from ansible_collections.s3async.restore.plugins.module_utils.aws_clients import aws_client


class RecordingModule:
    """What aws_client() needs of AnsibleAWSModule: client(), whose arguments are recorded."""

    def __init__(self):
        self.calls = []

    def client(self, service, retry_decorator=None, config=None):
        self.calls.append({"service": service, "retry_decorator": retry_decorator, "config": config})
        return f"{service} client"


def created(service="s3", module_name="s3_object_restore", **kwargs):
    module = RecordingModule()
    client = aws_client(module, service, module_name, **kwargs)
    (call,) = module.calls
    assert client == f"{service} client"
    return call


@pytest.mark.parametrize("service", ["s3", "s3control", "sts"])
def test_every_service_gets_the_same_retry_configuration(service):
    call = created(service)
    assert call["service"] == service
    assert call["config"].retries == {"mode": "adaptive", "max_attempts": 8}
    assert call["retry_decorator"] is not None


@pytest.mark.parametrize(
    "concurrency, pool",
    [(None, 10), (1, 10), (9, 10), (10, 10), (11, 11), (16, 16), (64, 64)],
    ids=str,
)
def test_connection_pool_fits_the_threads(concurrency, pool):
    call = created() if concurrency is None else created(concurrency=concurrency)
    assert call["config"].max_pool_connections == pool


@pytest.mark.parametrize("module_name", ["s3_object_restore", "s3_object_restore_info", "s3_restore_job", "s3_object_unarchive"])
def test_user_agent_names_the_module(module_name):
    assert created(module_name=module_name)["config"].user_agent_extra == f"s3async.restore/{module_name}"


def test_creating_a_client_leaves_the_shared_retry_settings_alone():
    """botocore rewrites the retries mapping it is given (max_attempts -> total_max_attempts)."""
    before = dict(BOTOCORE_RETRIES)
    config = created()["config"]
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing", config=config)
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 9}
    assert BOTOCORE_RETRIES == before == {"mode": "adaptive", "max_attempts": 8}
    # A second client built afterwards still gets 8 attempts, not 9 + 1.
    second = boto3.client("s3", region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing", config=created()["config"])
    assert second.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 9}


@pytest.mark.parametrize(
    "code, extra, expected",
    [
        ("OperationAborted", RETRY_ERROR_CODES, True),
        ("OperationAborted", None, False),
        # Codes AWSRetry retries by default: botocore's standard mode already does.
        ("RequestLimitExceeded", RETRY_ERROR_CODES, False),
        ("Throttling", RETRY_ERROR_CODES, False),
        ("ThrottlingException", RETRY_ERROR_CODES, False),
        ("TooManyRequestsException", RETRY_ERROR_CODES, False),
        ("InternalError", RETRY_ERROR_CODES, False),
        ("ServiceUnavailable", RETRY_ERROR_CODES, False),
        ("SlowDown", RETRY_ERROR_CODES, False),
        ("AccessDenied", RETRY_ERROR_CODES, False),
    ],
)
def test_conflict_retry_found_only_the_codes_given(code, extra, expected):
    assert _ConflictRetry.found(code, extra) is expected


def test_retry_codes_are_operation_aborted_only():
    assert RETRY_ERROR_CODES == ["OperationAborted"]


class FakeTime:
    """Stands in for the time module of amazon.aws's retry loop: sleeping is recorded, not done."""

    def __init__(self):
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)


def failing_call(codes):
    """A callable raising a ClientError for each code in turn, then answering "ok"; counts its calls."""
    remaining = list(codes)
    calls = []

    def call():
        calls.append(1)
        if remaining:
            code = remaining.pop(0)
            raise botocore.exceptions.ClientError({"Error": {"Code": code, "Message": code}}, "PutBucketNotificationConfiguration")
        return "ok"

    return call, calls


@pytest.fixture
def fake_time(monkeypatch):
    clock = FakeTime()
    monkeypatch.setattr(cloud, "time", clock)
    return clock


def test_decorator_retries_operation_aborted(fake_time):
    call, calls = failing_call(["OperationAborted", "OperationAborted"])
    decorated = created()["retry_decorator"](call)
    assert decorated() == "ok"
    assert len(calls) == 3
    assert len(fake_time.sleeps) == 2


def test_decorator_gives_up_after_four_attempts(fake_time):
    call, calls = failing_call(["OperationAborted"] * 10)
    decorated = created()["retry_decorator"](call)
    with pytest.raises(botocore.exceptions.ClientError):
        decorated()
    assert len(calls) == 4


@pytest.mark.parametrize("code", ["Throttling", "RequestLimitExceeded", "InternalError", "SlowDown", "AccessDenied"])
def test_decorator_does_not_retry_what_botocore_retries(fake_time, code):
    call, calls = failing_call([code])
    decorated = created()["retry_decorator"](call)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        decorated()
    assert raised.value.response["Error"]["Code"] == code
    assert len(calls) == 1
    assert fake_time.sleeps == []


def test_module_keeps_its_own_retry_class():
    assert issubclass(aws_clients._ConflictRetry, aws_clients.AWSRetry)
