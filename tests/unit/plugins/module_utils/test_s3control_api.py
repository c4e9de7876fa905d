# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils/s3control_api against botocore Stubbers: the calls sent, and the errors translated where they occur."""

from __future__ import annotations

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

@pytest.mark.parametrize("factory, service", [(s3control_api.s3control_client, "s3control"), (s3control_api.sts_client, "sts")])
def test_clients_come_from_aws_client(monkeypatch, factory, service):
    calls = []
    monkeypatch.setattr(s3control_api, "aws_client", lambda *args: calls.append(args) or "client")
    assert factory("module") == "client"
    assert calls == [("module", service, "s3_restore_job")]
