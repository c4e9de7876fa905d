# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS clients of the collection's modules, every one retrying the same way.

botocore's retry modes retry throttling (503 SlowDown, TooManyRequestsException included), 5xx answers
and broken connections with jittered exponential backoff, which is what S3 asks of clients (S3 User Guide, "Best
practices design patterns: optimizing Amazon S3 performance"). On top of it, AWSRetry retries only what botocore
does not: 409 OperationAborted, "a conflicting conditional operation is currently in progress" on bucket
configuration. Two layers retrying the same codes would multiply their attempts (a persistent 500 would cost
minutes per call), so AWSRetry is told about no other code, for S3, S3 Control and STS alike.

botocore's "adaptive" mode is "standard" plus a client-side rate limiter shared by the client's threads, which
slows down when S3 throttles and speeds up again as answers succeed. Measured (docs/performance.md,
"Throttling"): against a server that answered 503 SlowDown above 300 restores per second, 128 threads in standard
mode lost 3,250 of 6,000 restores, because standard mode's retry quota (a bucket shared by the client, drained by
each retry) ran dry and throttled requests then failed without a retry; in adaptive mode every restore went
through, more slowly. A run that must stay under a share of the quota sets max_requests_per_second (pacing.py).
"""

from __future__ import annotations

from typing import Any

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

BOTOCORE_RETRIES = {"mode": "adaptive", "max_attempts": 8}
RETRY_ERROR_CODES = ["OperationAborted"]


class _ConflictRetry(AWSRetry):
    """AWSRetry for the codes given only: botocore already retries throttling and 5xx answers."""

    @staticmethod
    def found(response_code, catch_extra_error_codes=None):
        return response_code in (catch_extra_error_codes or [])


def aws_client(module: Any, service: str, module_name: str, concurrency: int = 1, max_attempts: int | None = None) -> Any:
    """A `service` client for `concurrency` threads at once, retrying as above (AWSRetry when a call is made with
    aws_retry=True), naming `module_name` (s3_object_restore, ...) in its User-Agent. `max_attempts` lowers
    botocore's retries where a failure cannot be transient."""
    # A copy of the retries mapping: botocore rewrites the one it is given.
    retries = dict(BOTOCORE_RETRIES) if max_attempts is None else dict(BOTOCORE_RETRIES, max_attempts=max_attempts)
    # The module's name in the User-Agent lets CloudTrail (and our least-privilege test) tell its calls apart.
    config = botocore.config.Config(
        retries=retries,
        max_pool_connections=max(10, concurrency),
        user_agent_extra=f"s3async.restore/{module_name}",
    )
    return module.client(
        service,
        retry_decorator=_ConflictRetry.jittered_backoff(retries=4, catch_extra_error_codes=RETRY_ERROR_CODES),
        config=config,
    )
