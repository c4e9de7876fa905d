# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Small wrappers around the S3 Batch Operations (s3control) and STS calls s3_restore_job makes, with retries.

Every Batch Operations call carries the account ID (the x-amz-account-id header, required by the API); the
wrappers keep it so that callers cannot forget it.
"""

from __future__ import annotations

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.s3async.restore.plugins.module_utils.s3_api import ACCESS_DENIED_CODES
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import error_code

# botocore's "standard" retry mode retries throttling (TooManyRequestsException included), 5xx answers and broken
# connections with jittered exponential backoff; AWSRetry adds one more layer for the same codes.
BOTOCORE_RETRIES = {"mode": "standard", "max_attempts": 8}
LIST_JOBS_PAGE = 1000  # ListJobs MaxResults: 0 to 1000 (s3control service model)

# The IAM action each call needs, for access-denied messages (S3 API Reference, "Permissions" of each operation;
# S3 User Guide, "Granting permissions for Batch Operations": creating a job also needs iam:PassRole on its role).
REQUIRED_PERMISSIONS = {
    "CreateJob": "s3:CreateJob (and iam:PassRole on role_arn; with tags, also s3:PutJobTagging)",
    "ListJobs": "s3:ListJobs",
    "DescribeJob": "s3:DescribeJob",
    "UpdateJobStatus": "s3:UpdateJobStatus",
    "GetCallerIdentity": "none (it always works with valid credentials; give account_id to skip it)",
    "HeadObject": "s3:GetObject on the manifest object (or give manifest.etag)",
}


def _retry():
    return AWSRetry.jittered_backoff(retries=4)


def s3control_client(module):
    """An S3 Control client (Batch Operations) in the module's region, retrying as above with aws_retry=True."""
    config = botocore.config.Config(retries=BOTOCORE_RETRIES)
    return module.client("s3control", retry_decorator=_retry(), config=config)


def sts_client(module):
    return module.client("sts", retry_decorator=_retry())


def caller_account_id(sts):
    """The 12-digit account of the credentials in use (STS GetCallerIdentity)."""
    return sts.get_caller_identity(aws_retry=True)["Account"]


def is_access_denied(error):
    return error_code(error) in ACCESS_DENIED_CODES + ("AccessDeniedException",)


def is_not_found(error):
    return error_code(error) in ("NotFoundException", "NoSuchJob", "NoSuchJobException")


def access_denied_message(operation, what):
    permission = REQUIRED_PERMISSIONS.get(operation, operation)
    return f"Access denied: {operation} on {what} needs the IAM permission {permission}."


class BatchJobs:
    """The Batch Operations jobs of one account in the client's region."""

    def __init__(self, client, account_id):
        self.client = client
        self.account_id = account_id

    def list_jobs(self):
        """Every job ListJobs returns (current ones and those that ended in the last 90 days), all pages."""
        args = {"AccountId": self.account_id, "MaxResults": LIST_JOBS_PAGE}
        while True:
            page = self.client.list_jobs(aws_retry=True, **args)
            yield from page.get("Jobs", [])
            token = page.get("NextToken")
            if not token:
                return
            args["NextToken"] = token

    def describe_job(self, job_id):
        return self.client.describe_job(aws_retry=True, AccountId=self.account_id, JobId=job_id)["Job"]

    def create_job(self, request):
        """CreateJob with the request built by batch_job.create_job_request; returns the new JobId."""
        if request.get("AccountId") != self.account_id:
            raise ValueError(f"CreateJob request for account {request.get('AccountId')}, client for {self.account_id}")
        return self.client.create_job(aws_retry=True, **request)["JobId"]

    def update_job_status(self, job_id, status, reason=None):
        args = {"AccountId": self.account_id, "JobId": job_id, "RequestedJobStatus": status}
        if reason:
            args["StatusUpdateReason"] = reason[:256]
        return self.client.update_job_status(aws_retry=True, **args)
