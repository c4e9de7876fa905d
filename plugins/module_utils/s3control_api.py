# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The S3 Batch Operations (s3control) and STS calls of s3_restore_job, with their errors translated where the
call is made: an access-denied answer becomes a TaskFailure that names the IAM permission to grant.

Every Batch Operations call carries the account ID (the x-amz-account-id header, required by the API); BatchJobs
keeps it so that callers cannot forget it. The clients retry as every client of the collection does
(aws_clients.aws_client).
"""

from __future__ import annotations

import contextlib
from typing import Any
from typing import Iterator

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.s3async.restore.plugins.module_utils.aws_clients import aws_client
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.failures import access_denied_message
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
    """An S3 Control client (Batch Operations) in the module's region (aws_clients.aws_client)."""
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


def caller_account_id(sts: Any) -> str:
    """The 12-digit account of the credentials in use (STS GetCallerIdentity), with an sts_client."""
    with denied_as("GetCallerIdentity", "the credentials in use"):
        return sts.get_caller_identity(aws_retry=True)["Account"]


class BatchJobs:
    """The Batch Operations jobs of one account in the client's region."""

    def __init__(self, client: Any, account_id: str) -> None:
        self.client = client
        self.account_id = account_id

    def list_jobs(self) -> list[dict]:
        """Every job ListJobs returns (current ones and those that ended in the last 90 days), all pages."""
        with denied_as("ListJobs", f"account {self.account_id}"):
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
            with denied_as("DescribeJob", f"job {job_id}"):
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
        with denied_as("CreateJob", f"bucket {bucket}"):
            return self.client.create_job(aws_retry=True, **request)["JobId"]

    def update_job_status(self, job_id: str, status: str, reason: str | None = None) -> dict:
        """UpdateJobStatus to `status` (Ready confirms a suspended job, Cancelled cancels it)."""
        args = {"AccountId": self.account_id, "JobId": job_id, "RequestedJobStatus": status}
        if reason:
            args["StatusUpdateReason"] = reason[:STATUS_UPDATE_REASON_MAX]
        with denied_as("UpdateJobStatus", f"job {job_id}"):
            return self.client.update_job_status(aws_retry=True, **args)
