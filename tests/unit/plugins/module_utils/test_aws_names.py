# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""aws_names: account IDs, s3:// URIs as messages write them, bucket ARNs, and the (loose) bucket name check."""

from __future__ import annotations

import pytest

from ansible_collections.s3async.restore.plugins.module_utils.aws_names import BUCKET_NAME_RE
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import bucket_arn
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import is_account_id
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import is_aws_endpoint
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import s3_uri


@pytest.mark.parametrize(
    "value, expected",
    [
        ("123456789012", True),
        ("000000000000", True),
        ("12345678901", False),  # 11 digits
        ("1234567890123", False),  # 13 digits
        ("12345678901a", False),
        ("1234-5678-9012", False),  # as the console shows it
        (" 123456789012", False),
        ("", False),
        (None, False),
    ],
)
def test_is_account_id(value, expected):
    assert is_account_id(value) is expected


@pytest.mark.parametrize(
    "args, uri",
    [
        (("archive-bucket", "db/dump"), "s3://archive-bucket/db/dump"),
        (("archive-bucket", "db/dump", "v1"), "s3://archive-bucket/db/dump (version v1)"),
        (("archive-bucket", "db/dump", None), "s3://archive-bucket/db/dump"),
        (("archive-bucket", "db/dump", ""), "s3://archive-bucket/db/dump"),
        (("archive-bucket",), "s3://archive-bucket/"),
        (("archive-bucket", "logs/*"), "s3://archive-bucket/logs/*"),
    ],
    ids=["key", "version", "version-none", "version-empty", "bucket-only", "prefix-pattern"],
)
def test_s3_uri(args, uri):
    assert s3_uri(*args) == uri


@pytest.mark.parametrize(
    "partition, bucket, arn",
    [
        ("aws", "archive-bucket", "arn:aws:s3:::archive-bucket"),
        ("aws-cn", "archive-bucket", "arn:aws-cn:s3:::archive-bucket"),
        ("aws-us-gov", "b.with.dots", "arn:aws-us-gov:s3:::b.with.dots"),
    ],
)
def test_bucket_arn(partition, bucket, arn):
    assert bucket_arn(partition, bucket) == arn


@pytest.mark.parametrize(
    "name, valid",
    [
        ("abc", True),  # the shortest
        ("archive-bucket", True),
        ("my.bucket.name", True),
        ("1bucket9", True),
        ("a" * 63, True),
        # Older us-east-1 buckets: capitals, underscores, up to 255 characters.
        ("Legacy_Bucket", True),
        ("a" * 255, True),
        ("a" * 256, False),
        ("ab", False),
        ("a", False),
        ("", False),
        ("-bucket", False),
        ("bucket-", False),
        (".bucket", False),
        ("bucket.", False),
        ("s3://archive-bucket", False),
        ("arn:aws:s3:::archive-bucket", False),
        ("archive-bucket/key", False),
        ("archive bucket", False),
    ],
    ids=lambda value: repr(value)[:30],
)
def test_bucket_name_re(name, valid):
    assert bool(BUCKET_NAME_RE.match(name)) is valid


@pytest.mark.parametrize(
    "endpoint_url, aws",
    [
        (None, False), ("", False),
        ("https://s3.eu-west-1.amazonaws.com", True), ("https://s3.cn-north-1.amazonaws.com.cn", True),
        ("https://s3.dualstack.us-east-1.api.aws", True),
        ("http://127.0.0.1:5000", False), ("https://minio.example.com", False),
        ("https://amazonaws.com.evil.example", False),
    ],
)
def test_is_aws_endpoint(endpoint_url, aws):
    assert is_aws_endpoint(endpoint_url) is aws
