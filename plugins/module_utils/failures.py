# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one failure type of the collection, the one exit path of its modules, and what AWS errors say.

The AWS edge (s3_api, s3control_api) raises TaskFailure with a message of ours where a call fails in a way we can
explain (a permission to grant, a region to set, a policy statement to add); the tasks raise it where a run
cannot go on. finish() turns either, or any other AWS error, into the module's result.
"""

from __future__ import annotations

from typing import Any
from typing import Callable

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

# Error codes that mean "you may not": S3 answers AccessDenied (HEAD answers carry only the status, "403"),
# AllAccessDisabled for a bucket whose access was disabled; S3 Control answers AccessDeniedException.
ACCESS_DENIED_CODES = ("AccessDenied", "403", "AllAccessDisabled", "AccessDeniedException")
# Error codes that mean "there is no such thing": HEAD answers carry only the status ("404"); GET-style answers
# name the missing thing (S3 API Reference, "Error responses"); S3 Control answers NotFoundException or NoSuchJob.
NOT_FOUND_CODES = ("404", "NotFound", "NoSuchKey", "NoSuchBucket", "NoSuchVersion",
                   "NotFoundException", "NoSuchJob", "NoSuchJobException")


class TaskFailure(Exception):
    """A failure to report with a message of our own and whatever result was gathered so far."""

    def __init__(self, msg: str, **result: Any) -> None:
        super().__init__(msg)
        self.msg = msg
        self.result = result


def error_code(error: Exception) -> str:
    """The AWS error code of a botocore ClientError (HEAD errors carry only the HTTP status, as a string)."""
    return error.response.get("Error", {}).get("Code", "")


def error_message(error: Exception) -> str:
    """The message AWS put in a ClientError, or ""."""
    return error.response.get("Error", {}).get("Message", "")


def response_metadata(response_or_error: Any) -> dict:
    """ResponseMetadata of a botocore answer or ClientError."""
    response = getattr(response_or_error, "response", response_or_error)
    return response.get("ResponseMetadata", {})


def http_status(response_or_error: Any) -> int | None:
    return response_metadata(response_or_error).get("HTTPStatusCode")


def response_header(response_or_error: Any, name: str) -> str | None:
    """One HTTP header of a botocore answer or ClientError (lower-case name), or None."""
    return response_metadata(response_or_error).get("HTTPHeaders", {}).get(name)


def retried(error: Exception) -> bool:
    """True when botocore retried the request that ended in `error`: an earlier attempt may have reached AWS."""
    return bool(response_metadata(error).get("RetryAttempts"))


def is_access_denied(error: Exception) -> bool:
    return error_code(error) in ACCESS_DENIED_CODES


def is_not_found(error: Exception) -> bool:
    return error_code(error) in NOT_FOUND_CODES


def access_denied_message(operation: str, resource: str, permission: str, *clauses: str) -> str:
    """``Access denied: <operation> on <resource> needs the IAM permission <permission><clauses>.``"""
    return f"Access denied: {operation} on {resource} needs the IAM permission {permission}{''.join(clauses)}."


def finish(module: Any, task: Callable[[], dict], aws_failure_msg: str) -> None:
    """Run task() for its result dict and end the module with it: exit_json, or fail_json with our own message
    (TaskFailure), or with AWS's error under `aws_failure_msg` (which names what was being worked on)."""
    try:
        result = task()
    except TaskFailure as failure:
        module.fail_json(msg=failure.msg, **failure.result)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg=aws_failure_msg)
    module.exit_json(**result)
