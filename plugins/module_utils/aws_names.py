# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How AWS names things the collection works with: account IDs, partitions, buckets, objects. Pure (no boto3).

Sources: IAM User Guide, "Amazon Resource Names (ARNs)" (arn:partition:service:region:account-id:resource);
S3 User Guide, "Bucket naming rules" and "Creating object key names".
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

# An AWS account ID is 12 digits (AWS General Reference, "Your AWS account identifiers").
ACCOUNT_ID = "[0-9]{12}"
ACCOUNT_ID_RE = re.compile(rf"^{ACCOUNT_ID}\Z")
# ARN partitions: aws, aws-cn, aws-us-gov, and the other aws-* partitions.
PARTITION_RE = re.compile(r"^aws(-[a-z]+)*$")
# Bucket names: 3 to 63 characters, lowercase letters, digits, dots and hyphens, starting and ending with a letter
# or digit. Older buckets in us-east-1 may have capitals and up to 255 characters, so the check is that loose.
BUCKET_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]\Z")
# S3 keys are at most 1,024 bytes of UTF-8.
MAX_KEY_BYTES = 1024


# Hosts of AWS's own endpoints (AWS General Reference, "AWS service endpoints"): anything else named by
# endpoint_url is an S3-compatible store or an emulator.
AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")


def is_aws_endpoint(endpoint_url: str | None) -> bool:
    """True for an endpoint URL on one of AWS's own hosts."""
    host = urlparse(endpoint_url or "").hostname or ""
    return host.endswith(AWS_HOST_SUFFIXES)


def is_account_id(value: str | None) -> bool:
    return bool(ACCOUNT_ID_RE.match(value or ""))


def s3_uri(bucket: str, key: str = "", version_id: str | None = None) -> str:
    """s3://bucket/key, with " (version ...)" when a version is named: how messages and results name objects."""
    uri = f"s3://{bucket}/{key}"
    return f"{uri} (version {version_id})" if version_id else uri


def bucket_arn(partition: str, bucket: str) -> str:
    """The ARN of a bucket (S3 bucket ARNs have no region and no account)."""
    return f"arn:{partition}:s3:::{bucket}"
