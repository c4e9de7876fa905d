# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils/s3control_api against botocore Stubbers: the calls sent, and the errors translated where they occur."""

from __future__ import annotations

import types

import boto3
import botocore
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.s3async.restore.plugins.module_utils import s3control_api
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure

ACCOUNT = "111122223333"
JOB = "job-00001"
CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def no_retry(function):
    return function


@pytest.fixture
def s3control():
    """(BatchJobs on a stubbed s3control client, its Stubber); fails the test if a queued response was not used."""
    client = boto3.client("s3control", **CREDENTIALS)
    with Stubber(client) as stubber:
        yield s3control_api.BatchJobs(RetryingBotoClientWrapper(client, no_retry), ACCOUNT), stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def sts():
    client = boto3.client("sts", **CREDENTIALS)
    with Stubber(client) as stubber:
        yield RetryingBotoClientWrapper(client, no_retry), stubber
        stubber.assert_no_pending_responses()


def job_list(*job_ids):
    return [{"JobId": job_id, "Status": "Active", "Operation": "S3InitiateRestoreObject"} for job_id in job_ids]


REQUEST = {
    "AccountId": ACCOUNT,
    "ConfirmationRequired": False,
    "Operation": {"S3InitiateRestoreObject": {"ExpirationInDays": 1, "GlacierJobTier": "BULK"}},
    "Report": {"Enabled": False},
    "ClientRequestToken": "s3async-token",
    "Priority": 10,
    "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/r",
    "ManifestGenerator": {"S3JobManifestGenerator": {
        "SourceBucket": "arn:aws:s3:::archive", "EnableManifestOutput": False, "Filter": {"MatchAnyStorageClass": ["GLACIER"]}}},
}


# ---------------------------------------------------------------------------------------------------------------
# What each call sends and returns.

def test_list_jobs_reads_every_page(s3control):
    jobs, stubber = s3control
    stubber.add_response("list_jobs", {"Jobs": job_list("job-00001"), "NextToken": "page-2"},
                         {"AccountId": ACCOUNT, "MaxResults": 1000})
    stubber.add_response("list_jobs", {"Jobs": job_list("job-00002", "job-00003")},
                         {"AccountId": ACCOUNT, "MaxResults": 1000, "NextToken": "page-2"})
    assert [job["JobId"] for job in jobs.list_jobs()] == ["job-00001", "job-00002", "job-00003"]


def test_describe_job_returns_the_descriptor(s3control):
    jobs, stubber = s3control
    stubber.add_response("describe_job", {"Job": {"JobId": JOB, "Status": "Active"}}, {"AccountId": ACCOUNT, "JobId": JOB})
    assert jobs.describe_job(JOB) == {"JobId": JOB, "Status": "Active"}


def test_create_job_returns_the_job_id(s3control):
    jobs, stubber = s3control
    stubber.add_response("create_job", {"JobId": JOB}, REQUEST)
    assert jobs.create_job(REQUEST, "archive") == JOB


def test_create_job_refuses_a_request_for_another_account(s3control):
    jobs, _stubber = s3control
    with pytest.raises(ValueError, match="CreateJob request for account 444455556666, client for 111122223333"):
        jobs.create_job(dict(REQUEST, AccountId="444455556666"), "archive")


@pytest.mark.parametrize(
    "reason, expected",
    [
        (None, {"AccountId": ACCOUNT, "JobId": JOB, "RequestedJobStatus": "Ready"}),
        ("", {"AccountId": ACCOUNT, "JobId": JOB, "RequestedJobStatus": "Ready"}),
        ("why", {"AccountId": ACCOUNT, "JobId": JOB, "RequestedJobStatus": "Ready", "StatusUpdateReason": "why"}),
        ("x" * 300, {"AccountId": ACCOUNT, "JobId": JOB, "RequestedJobStatus": "Ready", "StatusUpdateReason": "x" * 256}),
    ],
    ids=["no-reason", "empty-reason", "reason", "reason-cut-to-256"],
)
def test_update_job_status_sends_the_reason_within_its_limit(s3control, reason, expected):
    jobs, stubber = s3control
    stubber.add_response("update_job_status", {"JobId": JOB, "Status": "Ready"}, expected)
    assert jobs.update_job_status(JOB, "Ready", reason)["Status"] == "Ready"


def test_caller_account_id(sts):
    client, stubber = sts
    stubber.add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/u", "UserId": "AIDA"}, {})
    assert s3control_api.caller_account_id(client) == ACCOUNT


# ---------------------------------------------------------------------------------------------------------------
# Access denied becomes a message naming the permission, for every operation.

DENIED = [
    ("list_jobs", lambda jobs: jobs.list_jobs(),
     f"Access denied: ListJobs on account {ACCOUNT} needs the IAM permission s3:ListJobs."),
    ("describe_job", lambda jobs: jobs.describe_job(JOB),
     f"Access denied: DescribeJob on job {JOB} needs the IAM permission s3:DescribeJob."),
    ("describe_job", lambda jobs: jobs.describe_job(JOB, missing_ok=True),
     f"Access denied: DescribeJob on job {JOB} needs the IAM permission s3:DescribeJob."),
    ("create_job", lambda jobs: jobs.create_job(REQUEST, "archive"),
     "Access denied: CreateJob on bucket archive needs the IAM permission s3:CreateJob (and iam:PassRole on role_arn; "
     "with tags, also s3:PutJobTagging)."),
    ("update_job_status", lambda jobs: jobs.update_job_status(JOB, "Cancelled", "r"),
     f"Access denied: UpdateJobStatus on job {JOB} needs the IAM permission s3:UpdateJobStatus."),
]


@pytest.mark.parametrize("code", ["AccessDenied", "AccessDeniedException", "AllAccessDisabled"])
@pytest.mark.parametrize("method, call, message", DENIED, ids=[f"{method}-{index}" for index, (method, _call, _message) in enumerate(DENIED)])
def test_access_denied_names_the_permission(s3control, code, method, call, message):
    jobs, stubber = s3control
    stubber.add_client_error(method, code, "Access Denied", 403)
    with pytest.raises(TaskFailure) as failure:
        call(jobs)
    assert failure.value.msg == message
    assert failure.value.result == {}
    assert isinstance(failure.value.__cause__, botocore.exceptions.ClientError)


def test_access_denied_on_a_later_list_page(s3control):
    jobs, stubber = s3control
    stubber.add_response("list_jobs", {"Jobs": job_list("job-00001"), "NextToken": "page-2"})
    stubber.add_client_error("list_jobs", "AccessDenied", "Access Denied", 403)
    with pytest.raises(TaskFailure, match="ListJobs on account"):
        jobs.list_jobs()


def test_access_denied_on_get_caller_identity(sts):
    client, stubber = sts
    stubber.add_client_error("get_caller_identity", "AccessDenied", "Access Denied", 403)
    with pytest.raises(TaskFailure) as failure:
        s3control_api.caller_account_id(client)
    assert failure.value.msg == (
        "Access denied: GetCallerIdentity on the credentials in use needs the IAM permission none (it always works "
        "with valid credentials; give account_id to skip it)."
    )


@pytest.mark.parametrize("method, call, _message", DENIED, ids=[f"{method}-{index}" for index, (method, _call, _message) in enumerate(DENIED)])
def test_other_errors_are_raised_as_they_came(s3control, method, call, _message):
    jobs, stubber = s3control
    stubber.add_client_error(method, "InvalidRequest", "Bad", 400)
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidRequest"):
        call(jobs)


# ---------------------------------------------------------------------------------------------------------------
# A job DescribeJob does not know (yet).

@pytest.mark.parametrize("code", ["NotFoundException", "NoSuchJob", "NoSuchJobException"])
def test_describe_job_missing_ok(s3control, code):
    jobs, stubber = s3control
    stubber.add_client_error("describe_job", code, "The specified job does not exist", 404)
    assert jobs.describe_job(JOB, missing_ok=True) is None


@pytest.mark.parametrize("code, missing_ok", [("NotFoundException", False), ("InternalError", True)])
def test_describe_job_missing_is_an_error_otherwise(s3control, code, missing_ok):
    jobs, stubber = s3control
    stubber.add_client_error("describe_job", code, "no", 404)
    with pytest.raises(botocore.exceptions.ClientError, match=code):
        jobs.describe_job(JOB, missing_ok=missing_ok)


# ---------------------------------------------------------------------------------------------------------------
# The clients: the collection's one retry configuration, naming the module.

@pytest.mark.parametrize(
    "factory, service, endpoint_url, retries",
    [
        (s3control_api.s3control_client, "s3control", None, {}),
        (s3control_api.s3control_client, "s3control", "https://s3-control.eu-west-1.amazonaws.com", {}),
        # An emulator's host with the account in front never answers: no minute of retries before saying so.
        (s3control_api.s3control_client, "s3control", "http://127.0.0.1:5000", {"max_attempts": 1}),
        (s3control_api.sts_client, "sts", None, {}),
    ],
    ids=["s3control", "s3control-aws-endpoint", "s3control-emulator", "sts"],
)
def test_clients_come_from_aws_client(monkeypatch, factory, service, endpoint_url, retries):
    calls = []
    monkeypatch.setattr(s3control_api, "aws_client", lambda *args, **kwargs: calls.append((args, kwargs)) or "client")
    module = types.SimpleNamespace(params={"endpoint_url": endpoint_url})
    assert factory(module) == "client"
    assert calls == [((module, service, "s3_restore_job"), retries)]


# ---------------------------------------------------------------------------------------------------------------
# S3 Control out of reach: a connection error becomes Unreachable, saying why (S3 Control endpoints are
# account-specific hosts; no S3 emulator implements Batch Operations).

def refusing_client(error_class, endpoint_url=None, **error_kwargs):
    """(BatchJobs on a real s3control client whose every send fails with botocore's `error_class`, the URLs tried).
    The URL is the one botocore built, account prefix included; one attempt instead of botocore's retries."""
    config = botocore.config.Config(retries={"total_max_attempts": 1})
    client = boto3.client("s3control", endpoint_url=endpoint_url, config=config, **CREDENTIALS)
    urls = []

    def refuse(request, **_kwargs):
        urls.append(request.url)
        raise error_class(endpoint_url=request.url, **error_kwargs)

    client.meta.events.register("before-send.s3-control", refuse)
    return s3control_api.BatchJobs(RetryingBotoClientWrapper(client, no_retry), ACCOUNT), urls


CALLS = [
    ("ListJobs", lambda jobs: jobs.list_jobs()),
    ("DescribeJob", lambda jobs: jobs.describe_job(JOB, missing_ok=True)),
    ("CreateJob", lambda jobs: jobs.create_job(REQUEST, "archive")),
    ("UpdateJobStatus", lambda jobs: jobs.update_job_status(JOB, "Cancelled", "r")),
]


@pytest.mark.parametrize("operation, call", CALLS, ids=[operation for operation, _call in CALLS])
def test_unreachable_aws_endpoint_names_the_account_host(operation, call):
    jobs, urls = refusing_client(botocore.exceptions.EndpointConnectionError, error="timed out")
    with pytest.raises(s3control_api.Unreachable) as failure:
        call(jobs)
    assert urls[0].startswith(f"https://{ACCOUNT}.s3-control.us-east-1.amazonaws.com/v20180820/")
    assert failure.value.msg.startswith(
        f"Could not connect to S3 Batch Operations (S3 Control) for {operation}: Could not connect to the endpoint URL: "
        f"\"{urls[0]}\". S3 Control endpoints are account-specific hosts (here {ACCOUNT}.s3-control.us-east-1.amazonaws.com): "
        "check that this machine can reach that host (DNS, proxy, firewall, VPC endpoint)"
    )
    assert ("the ClientRequestToken derived from the parameters keeps a repeated CreateJob from creating a second job"
            in failure.value.msg) is (operation == "CreateJob")
    assert isinstance(failure.value, TaskFailure) and failure.value.result == {}
    assert isinstance(failure.value.__cause__, botocore.exceptions.EndpointConnectionError)


def test_unreachable_emulator_says_batch_operations_is_not_emulated():
    jobs, urls = refusing_client(botocore.exceptions.EndpointConnectionError, endpoint_url="http://127.0.0.1:5000",
                                 error="Failed to resolve")
    with pytest.raises(s3control_api.Unreachable) as failure:
        jobs.list_jobs()
    # botocore put the account in front of the endpoint_url host: the reason a local emulator is never reached.
    assert urls == [f"http://{ACCOUNT}.127.0.0.1:5000/v20180820/jobs?maxResults=1000"]
    assert failure.value.msg == (
        f"Could not connect to S3 Batch Operations (S3 Control) for ListJobs: Could not connect to the endpoint URL: "
        f"\"{urls[0]}\". S3 Control endpoints are account-specific hosts (<account>.s3-control.<region>.amazonaws.com), "
        f"so botocore puts the account ID in front of the endpoint_url host as well ({ACCOUNT}.127.0.0.1). S3 "
        "emulators such as moto do not implement Batch Operations: s3_restore_job cannot run against one; in check "
        "mode it still returns the CreateJob requests it would send."
    )


@pytest.mark.parametrize(
    "error_class, kwargs",
    [
        (botocore.exceptions.ConnectTimeoutError, {}),
        (botocore.exceptions.ReadTimeoutError, {}),
        (botocore.exceptions.ConnectionClosedError, {}),
        (botocore.exceptions.ProxyConnectionError, {"proxy_url": "http://proxy:3128", "error": "refused"}),
    ],
    ids=lambda value: getattr(value, "__name__", "kwargs"),
)
def test_other_connection_errors_are_unreachable_too(error_class, kwargs):
    jobs, _urls = refusing_client(error_class, **kwargs)
    with pytest.raises(s3control_api.Unreachable, match="^Could not connect to S3 Batch Operations \\(S3 Control\\) for ListJobs: "):
        jobs.list_jobs()


def test_an_emulator_endpoint_is_really_unreachable():
    """No error raised by the test: a real client with endpoint_url, as amazon.aws builds it for a local emulator.
    botocore addresses the call to <account>.127.0.0.1, a name that does not resolve (or, behind a resolver that
    answers every name, a host that does not answer within connect_timeout): a real connection error."""
    config = botocore.config.Config(retries={"total_max_attempts": 1}, connect_timeout=2)
    client = boto3.client("s3control", endpoint_url="http://127.0.0.1:9", config=config, **CREDENTIALS)
    jobs = s3control_api.BatchJobs(RetryingBotoClientWrapper(client, no_retry), ACCOUNT)
    with pytest.raises(s3control_api.Unreachable) as failure:
        jobs.list_jobs()
    assert failure.value.msg.startswith("Could not connect to S3 Batch Operations (S3 Control) for ListJobs: ")
    assert f"http://{ACCOUNT}.127.0.0.1:9/v20180820/jobs?maxResults=1000" in failure.value.msg
    assert "S3 emulators such as moto do not implement Batch Operations" in failure.value.msg


def test_sts_connection_errors_are_left_to_amazon_aws():
    """Only S3 Control gets the account-host explanation; STS has no account in its host."""
    config = botocore.config.Config(retries={"total_max_attempts": 1})
    client = boto3.client("sts", config=config, **CREDENTIALS)

    def refuse(request, **_kwargs):
        raise botocore.exceptions.EndpointConnectionError(endpoint_url=request.url)

    client.meta.events.register("before-send.sts", refuse)
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        s3control_api.caller_account_id(RetryingBotoClientWrapper(client, no_retry))


@pytest.mark.parametrize("status, code", [(404, "404"), (404, "NotFound"), (501, "NotImplemented")])
def test_list_jobs_on_an_endpoint_without_batch_operations(s3control, status, code):
    """AWS answers ListJobs with its modeled errors, never 404 or 501: an endpoint that does is not S3 Control (moto
    answers 404 Not Found, HTML body, where its host is reached under <account>.<host>)."""
    jobs, stubber = s3control
    stubber.add_client_error("list_jobs", code, "Not Found", status)
    with pytest.raises(s3control_api.Unreachable) as failure:
        jobs.list_jobs()
    assert failure.value.msg.startswith(f"The S3 Control endpoint answered ListJobs with HTTP {status} (")
    assert failure.value.msg.endswith(
        "it does not implement S3 Batch Operations. S3 emulators such as moto do not implement Batch Operations: "
        "s3_restore_job cannot run against one; in check mode it still returns the CreateJob requests it would send.")


def test_a_missing_job_is_not_a_missing_api(s3control):
    jobs, stubber = s3control
    stubber.add_client_error("describe_job", "NotFoundException", "The specified job does not exist", 404)
    with pytest.raises(botocore.exceptions.ClientError, match="NotFoundException"):
        jobs.describe_job(JOB)
