# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The S3 Batch Operations (s3control) and STS calls of s3_restore_job, with their errors translated where the
call is made: an access-denied answer becomes a TaskFailure that names the IAM permission to grant, and a failed
connection to S3 Control becomes an Unreachable failure that says why it happens.

Every Batch Operations call carries the account ID (the x-amz-account-id header, required by the API); BatchJobs
keeps it so that callers cannot forget it. The clients retry as every client of the collection does
(aws_clients.aws_client).
"""

from __future__ import annotations

import contextlib
from typing import Any
from typing import Iterator
from urllib.parse import urlsplit

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.s3async.restore.plugins.module_utils.aws_clients import aws_client
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import is_aws_endpoint
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.failures import access_denied_message
from ansible_collections.s3async.restore.plugins.module_utils.failures import http_status
from ansible_collections.s3async.restore.plugins.module_utils.failures import is_access_denied
from ansible_collections.s3async.restore.plugins.module_utils.failures import is_not_found

MODULE_NAME = "s3_restore_job"
LIST_JOBS_PAGE = 1000  # ListJobs MaxResults: 0 to 1000 (s3control service model)
STATUS_UPDATE_REASON_MAX = 256  # UpdateJobStatus StatusUpdateReason: JobStatusUpdateReason, 1 to 256 characters

# The IAM action each call needs, for access-denied messages (S3 API Reference, "Permissions" of each operation;
# S3 User Guide, "Granting permissions for Batch Operations": creating a job also needs iam:PassRole on its role).
# The manifest's HeadObject is s3_api's (S3Bucket.manifest_etag).
REQUIRED_PERMISSIONS = {
    "CreateJob": "s3:CreateJob (and iam:PassRole on role_arn; with tags, also s3:PutJobTagging)",
    "ListJobs": "s3:ListJobs",
    "DescribeJob": "s3:DescribeJob",
    "UpdateJobStatus": "s3:UpdateJobStatus",
    "GetCallerIdentity": "none (it always works with valid credentials; give account_id to skip it)",
}


def s3control_client(module: Any) -> Any:
    """An S3 Control client (Batch Operations) in the module's region (aws_clients.aws_client).

    With an endpoint_url that is not AWS's, botocore puts the account ID in front of its host, which no emulator
    answers: connection errors there are not transient, so they are not retried for a minute."""
    endpoint_url = module.params.get("endpoint_url")
    if endpoint_url and not is_aws_endpoint(endpoint_url):
        return aws_client(module, "s3control", MODULE_NAME, max_attempts=1)
    return aws_client(module, "s3control", MODULE_NAME)


def sts_client(module: Any) -> Any:
    return aws_client(module, "sts", MODULE_NAME)


def denied(operation: str, resource: str) -> TaskFailure:
    """The failure for an access-denied answer to `operation` on `resource`: the permission to grant."""
    return TaskFailure(access_denied_message(operation, resource, REQUIRED_PERMISSIONS[operation]))


@contextlib.contextmanager
def denied_as(operation: str, resource: str) -> Iterator[None]:
    """Translate an access-denied answer to the call made inside into the failure that names the permission."""
    try:
        yield
    except botocore.exceptions.ClientError as error:
        if is_access_denied(error):
            raise denied(operation, resource) from error
        raise


class Unreachable(TaskFailure):
    """S3 Control (Batch Operations) could not be reached: no answer, so nothing is known about the jobs."""


def unreachable(operation: str, account_id: str, region: str | None, error: Exception) -> Unreachable:
    """The failure for a connection error on an S3 Control call, saying why it happens and what to do.

    S3 Control endpoints are account-specific hosts, ``<account-id>.s3-control.<region>.amazonaws.com`` (AWS General
    Reference, "Amazon S3 endpoints and quotas"; the s3control endpoint rule set shipped in botocore puts the
    AccountId in front of the host, and does so in front of an endpoint_url's host as well). No S3 emulator we know
    of (moto, LocalStack) implements Batch Operations, so against one the call cannot succeed.
    """
    host = urlsplit(str(getattr(error, "kwargs", {}).get("endpoint_url") or "")).hostname or ""
    text = f"Could not connect to S3 Batch Operations (S3 Control) for {operation}: {error}. S3 Control endpoints are account-specific hosts"
    if host.startswith(f"{account_id}.") and not host.endswith(".amazonaws.com"):
        text += (
            f" (<account>.s3-control.<region>.amazonaws.com), so botocore puts the account ID in front of the "
            f"endpoint_url host as well ({host}). S3 emulators such as moto do not implement Batch Operations: "
            "s3_restore_job cannot run against one; in check mode it still returns the CreateJob requests it would send"
        )
    else:
        text += (
            f" (here {account_id}.s3-control.{region or '<region>'}.amazonaws.com): check that this machine can reach "
            "that host (DNS, proxy, firewall, VPC endpoint)"
        )
    if operation == "CreateJob":
        text += ". Run the task again: the ClientRequestToken derived from the parameters keeps a repeated CreateJob from creating a second job"
    return Unreachable(text + ".")


def not_implemented(error: Exception) -> Unreachable | None:
    """The failure for an endpoint that answers ListJobs with 404 or 501, or None for any other error.

    AWS answers ListJobs with its modeled errors (InvalidRequestException, InternalServiceException,
    InvalidNextTokenException; s3control service model), never 404 or 501: those come from an endpoint that has no
    such API, such as an emulator reached under <account>.<host> (a resolver that answers *.localhost)."""
    status = http_status(error)
    if status not in (404, 501):
        return None
    return Unreachable(
        f"The S3 Control endpoint answered ListJobs with HTTP {status} ({error}): it does not implement S3 Batch "
        "Operations. S3 emulators such as moto do not implement Batch Operations: s3_restore_job cannot run against "
        "one; in check mode it still returns the CreateJob requests it would send."
    )


def caller_account_id(sts: Any) -> str:
    """The 12-digit account of the credentials in use (STS GetCallerIdentity), with an sts_client."""
    with denied_as("GetCallerIdentity", "the credentials in use"):
        return sts.get_caller_identity(aws_retry=True)["Account"]


class BatchJobs:
    """The Batch Operations jobs of one account in the client's region."""

    def __init__(self, client: Any, account_id: str) -> None:
        self.client = client
        self.account_id = account_id

    @contextlib.contextmanager
    def call(self, operation: str, resource: str) -> Iterator[None]:
        """One S3 Control call: access denied names the permission (denied_as); a connection error, botocore's
        retries spent, says why S3 Control may be out of reach (unreachable), and so does an endpoint without
        Batch Operations (not_implemented)."""
        try:
            with denied_as(operation, resource):
                yield
        except (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError) as error:
            region = getattr(getattr(self.client, "meta", None), "region_name", None)
            raise unreachable(operation, self.account_id, region, error) from error
        except botocore.exceptions.ClientError as error:
            missing = not_implemented(error) if operation == "ListJobs" else None
            if missing is None:
                raise
            raise missing from error

    def list_jobs(self) -> list[dict]:
        """Every job ListJobs returns (current ones and those that ended in the last 90 days), all pages."""
        with self.call("ListJobs", f"account {self.account_id}"):
            return list(self._job_pages())

    def _job_pages(self) -> Iterator[dict]:
        args = {"AccountId": self.account_id, "MaxResults": LIST_JOBS_PAGE}
        while True:
            page = self.client.list_jobs(aws_retry=True, **args)
            yield from page.get("Jobs", [])
            token = page.get("NextToken")
            if not token:
                return
            args["NextToken"] = token

    def describe_job(self, job_id: str, missing_ok: bool = False) -> dict | None:
        """DescribeJob's JobDescriptor; with `missing_ok`, None when S3 Control does not know the job (yet): a job
        just created may not be visible at once (DescribeJob, "Errors": NotFoundException)."""
        try:
            with self.call("DescribeJob", f"job {job_id}"):
                return self.client.describe_job(aws_retry=True, AccountId=self.account_id, JobId=job_id)["Job"]
        except botocore.exceptions.ClientError as error:
            if missing_ok and is_not_found(error):
                return None
            raise

    def create_job(self, request: dict, bucket: str) -> str:
        """CreateJob with the request built by batch_job.create_job_request for the objects of `bucket` (named in
        the access-denied message); returns the new JobId."""
        if request.get("AccountId") != self.account_id:
            raise ValueError(f"CreateJob request for account {request.get('AccountId')}, client for {self.account_id}")
        with self.call("CreateJob", f"bucket {bucket}"):
            return self.client.create_job(aws_retry=True, **request)["JobId"]

    def update_job_status(self, job_id: str, status: str, reason: str | None = None) -> dict:
        """UpdateJobStatus to `status` (Ready confirms a suspended job, Cancelled cancels it)."""
        args = {"AccountId": self.account_id, "JobId": job_id, "RequestedJobStatus": status}
        if reason:
            args["StatusUpdateReason"] = reason[:STATUS_UPDATE_REASON_MAX]
        with self.call("UpdateJobStatus", f"job {job_id}"):
            return self.client.update_job_status(aws_retry=True, **args)
