# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures for the module_utils tests: a botocore Stubber on an S3 client, and an S3Bucket on it.

The Stubber is a real botocore client whose HTTP layer is replaced by queued responses; it validates every
request against S3's service model and the exact parameters queued. A test module may define its own `stubber`
(for another service) or `bucket`; its fixture takes precedence over these.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket

REGION = "us-east-1"
# The bucket the `bucket` fixture is for; the test modules name it BUCKET too.
BUCKET = "archive-bucket"


@pytest.fixture
def stubber():
    """A Stubber on an S3 client in us-east-1 with testing credentials; fails the test if a queued response was not
    used."""
    client = boto3.client("s3", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    with Stubber(client) as stub:
        yield stub
    stub.assert_no_pending_responses()


@pytest.fixture
def bucket(stubber):  # pylint: disable=redefined-outer-name
    """S3Bucket "archive-bucket" on the stubbed client, wrapped as AnsibleAWSModule wraps it (one retry)."""
    return S3Bucket(RetryingBotoClientWrapper(stubber.client, AWSRetry.jittered_backoff(retries=1)), BUCKET)
