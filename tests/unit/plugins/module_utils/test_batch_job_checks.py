# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils/batch_job_checks: each concern of validate() on its own, with its exact messages, and their order."""

from __future__ import annotations

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import batch_job
from ansible_collections.s3async.restore.plugins.module_utils import batch_job_checks

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/batch-restore"


def params(**extra):
    """The module's parameters with their defaults, for a prefix run (what AnsibleAWSModule hands over)."""
    base = {
        "bucket": "archive", "prefix": "db/", "manifest": None, "storage_classes": list(batch_job.STORAGE_CLASSES),
        "state": "present", "role_arn": ROLE, "account_id": None, "days": 7, "tier": "Standard",
        "report_bucket": None, "report_prefix": None, "report_scope": "all", "save_manifest": False, "priority": 10,
        "confirmation_required": False, "description": None, "tags": None, "idempotency_key": "",
        "wait_timeout": 43200, "wait_delay": 60, "max_failed_tasks": 0,
    }
    base.update(extra)
    return base


MANIFEST_KINDS = (
    "with manifest, storage_classes must name one kind of object: [GLACIER, DEEP_ARCHIVE] or [INTELLIGENT_TIERING]. A "
    "job cannot restore both (ExpirationInDays is required for the first and refused for the second), and a manifest "
    "does not say which objects are which: split it into one manifest per kind"
)
EXPEDITED = (
    "tier=Expedited is not available in S3 Batch Operations, which supports only the Standard and Bulk retrieval "
    "tiers; use tier=Standard or tier=Bulk, or s3async.restore.s3_object_restore for an Expedited restore of a few objects"
)


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({}, []),
        ({"tier": "Bulk"}, []),
        ({"tier": "Expedited"}, [EXPEDITED]),
        ({"tier": "STANDARD"}, ["tier must be one of Standard, Bulk, got 'STANDARD'"]),
        ({"bucket": ""}, ["bucket must be a bucket name, got ''"]),
        ({"bucket": "a/b"}, ["bucket must be a bucket name, got 'a/b'"]),
        ({"storage_classes": []}, ["storage_classes must name at least one of GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING"]),
        ({"storage_classes": None}, ["storage_classes must name at least one of GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING"]),
        ({"storage_classes": ["GLACIER", "STANDARD", 3]},
         ["storage_classes may only contain GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING, got STANDARD, 3"]),
        ({"days": 0}, ["days must be 1 or more (how long the restored GLACIER/DEEP_ARCHIVE copies stay readable), got 0"]),
        ({"days": None}, ["days must be 1 or more (how long the restored GLACIER/DEEP_ARCHIVE copies stay readable), got None"]),
        # Intelligent-Tiering jobs take no days at all.
        ({"days": 0, "storage_classes": ["INTELLIGENT_TIERING"]}, []),
        ({"tier": "Expedited", "bucket": "a/b", "storage_classes": ["X"], "days": 0},
         [EXPEDITED, "bucket must be a bucket name, got 'a/b'",
          "storage_classes may only contain GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING, got X"]),
        ({"tier": "Expedited", "bucket": "a/b", "storage_classes": ["GLACIER"], "days": 0},
         [EXPEDITED, "bucket must be a bucket name, got 'a/b'",
          "days must be 1 or more (how long the restored GLACIER/DEEP_ARCHIVE copies stay readable), got 0"]),
    ],
    ids=lambda value: str(value)[:50],
)
def test_restore_problems(extra, expected):
    assert batch_job_checks.restore_problems(params(**extra)) == expected


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({}, []),
        ({"prefix": "p" * 1024}, []),
        ({"prefix": "p" * 1025}, ["prefix may be at most 1024 characters (the manifest generator's limit)"]),
        ({"prefix": None, "manifest": {"key": "m.csv"}, "storage_classes": ["GLACIER"]}, []),
        ({"prefix": None, "manifest": {"key": "m.csv"}}, [MANIFEST_KINDS]),
        ({"prefix": None, "manifest": {"key": "m.csv"}, "storage_classes": ["GLACIER"], "save_manifest": True},
         ["save_manifest keeps the list the manifest generator makes; it does not apply with manifest"]),
        ({"prefix": None, "manifest": {"key": "", "fields": ["Key"]}, "save_manifest": True},
         [MANIFEST_KINDS, "manifest.key must name the manifest object",
          "manifest.fields must name the Bucket column exactly once, got ['Key']",
          "save_manifest keeps the list the manifest generator makes; it does not apply with manifest"]),
        ({"prefix": None, "manifest": {"key": "inv/data.csv", "format": "inventory"}, "storage_classes": ["INTELLIGENT_TIERING"]},
         ["manifest.key 'inv/data.csv' must be the manifest.json of the S3 Inventory report (not one of its CSV data files) "
          "when manifest.format=inventory"]),
    ],
    ids=lambda value: str(value)[:50],
)
def test_source_problems(extra, expected):
    assert batch_job_checks.source_problems(params(**extra)) == expected


@pytest.mark.parametrize(
    "account_id, expected",
    [
        (None, []),
        (ACCOUNT, []),
        ("", ["account_id must be a 12-digit AWS account ID, got ''"]),
        ("1234", ["account_id must be a 12-digit AWS account ID, got '1234'"]),
        ("11112222333a", ["account_id must be a 12-digit AWS account ID, got '11112222333a'"]),
        ("1111222233334", ["account_id must be a 12-digit AWS account ID, got '1111222233334'"]),
    ],
)
def test_account_problems(account_id, expected):
    assert batch_job_checks.account_problems(params(account_id=account_id)) == expected


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({}, []),
        ({"role_arn": None}, []),
        ({"role_arn": f"arn:aws-us-gov:iam::{ACCOUNT}:role/path/r"}, []),
        ({"role_arn": "batch-restore"},
         ["role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got 'batch-restore'"]),
        ({"role_arn": f"arn:aws:iam::{ACCOUNT}:user/u"},
         [f"role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got 'arn:aws:iam::{ACCOUNT}:user/u'"]),
        ({"priority": None}, ["priority must be between 0 and 2147483647, got None"]),
        ({"priority": -1}, ["priority must be between 0 and 2147483647, got -1"]),
        ({"priority": 2147483647}, []),
        ({"report_prefix": "p"}, ["report_prefix needs report_bucket"]),
        ({"save_manifest": True},
         ["save_manifest writes the generated manifest next to the report: it needs report_bucket"]),
        ({"report_bucket": "r", "save_manifest": True, "report_prefix": "p" * 512}, []),
        ({"report_bucket": "r/x"}, ["report_bucket must be a bucket name, got 'r/x'"]),
        ({"report_bucket": "r", "report_prefix": "p" * 513}, ["report_prefix may be at most 512 characters"]),
        ({"report_prefix": "p" * 513}, ["report_prefix needs report_bucket", "report_prefix may be at most 512 characters"]),
        ({"tags": {"": "x", "k": "v" * 257, "ok": None}},
         ["tag keys must be 1 to 128 characters, got ''", "tag values must be at most 256 characters (tag 'k')"]),
        ({"tags": {"k" * 129: "v" * 257}},
         [f"tag keys must be 1 to 128 characters, got '{'k' * 129}'", f"tag values must be at most 256 characters (tag '{'k' * 129}')"]),
        ({"role_arn": "x", "priority": -1, "report_bucket": "a/b", "tags": {"": ""}},
         ["role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got 'x'",
          "priority must be between 0 and 2147483647, got -1", "report_bucket must be a bucket name, got 'a/b'",
          "tag keys must be 1 to 128 characters, got ''"]),
        # state=absent creates nothing: none of it is checked.
        ({"state": "absent", "role_arn": "x", "priority": -1, "report_prefix": "p" * 600, "tags": {"": ""}}, []),
    ],
    ids=lambda value: str(value)[:50],
)
def test_creation_problems(extra, expected):
    assert batch_job_checks.creation_problems(params(**extra)) == expected


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({}, []),
        ({"state": "completed"}, []),
        ({"state": "present", "confirmation_required": True}, []),
        ({"state": "completed", "confirmation_required": True},
         ["state=completed cannot wait for a job created with confirmation_required=true: it stays Suspended until "
          "confirmed. Run state=present with confirmation_required=true first, then again with "
          "confirmation_required=false to confirm it"]),
        ({"wait_timeout": 0, "wait_delay": 1, "max_failed_tasks": 0}, []),
        ({"wait_timeout": None, "wait_delay": None, "max_failed_tasks": None}, []),
        ({"wait_timeout": -1, "wait_delay": 0, "max_failed_tasks": -2},
         ["wait_timeout must be 0 or more, got -1", "wait_delay must be 1 or more, got 0", "max_failed_tasks must be 0 or more, got -2"]),
    ],
    ids=lambda value: str(value)[:50],
)
def test_waiting_problems(extra, expected):
    assert batch_job_checks.waiting_problems(params(**extra)) == expected


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"tier": "Expedited", "bucket": "a/b", "days": 0, "prefix": "p" * 1025, "account_id": "12", "role_arn": "x",
         "priority": -1, "report_prefix": "r" * 600, "save_manifest": True, "tags": {"": "v" * 300},
         "wait_timeout": -1, "wait_delay": 0, "max_failed_tasks": -1},
        {"prefix": None, "manifest": {"key": "a/data.csv", "format": "inventory", "fields": ["Key"]}, "save_manifest": True,
         "report_bucket": "r/x", "state": "completed", "confirmation_required": True},
        {"state": "absent", "bucket": "", "account_id": "x", "priority": -1, "role_arn": "bad"},
    ],
    ids=["valid", "everything-wrong", "manifest-wrong", "absent"],
)
def test_validate_is_the_concerns_in_order(extra):
    given = params(**extra)
    assert batch_job_checks.validate(given) == (
        batch_job_checks.restore_problems(given)
        + batch_job_checks.source_problems(given)
        + batch_job_checks.account_problems(given)
        + batch_job_checks.creation_problems(given)
        + batch_job_checks.waiting_problems(given)
    )


def test_validate_messages_of_everything_wrong():
    problems = batch_job_checks.validate(params(
        tier="Expedited", bucket="a/b", days=0, prefix="p" * 1025, account_id="12", role_arn="x", priority=-1,
        report_prefix="r" * 600, save_manifest=True, tags={"": "v" * 300}, wait_timeout=-1, wait_delay=0, max_failed_tasks=-1,
    ))
    assert problems == [
        EXPEDITED,
        "bucket must be a bucket name, got 'a/b'",
        "days must be 1 or more (how long the restored GLACIER/DEEP_ARCHIVE copies stay readable), got 0",
        "prefix may be at most 1024 characters (the manifest generator's limit)",
        "account_id must be a 12-digit AWS account ID, got '12'",
        "role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got 'x'",
        "priority must be between 0 and 2147483647, got -1",
        "report_prefix needs report_bucket",
        "save_manifest writes the generated manifest next to the report: it needs report_bucket",
        "report_prefix may be at most 512 characters",
        "tag keys must be 1 to 128 characters, got ''",
        "tag values must be at most 256 characters (tag '')",
        "wait_timeout must be 0 or more, got -1",
        "wait_delay must be 1 or more, got 0",
        "max_failed_tasks must be 0 or more, got -1",
    ]


@pytest.mark.parametrize(
    "tier, expected",
    [("Standard", None), ("Bulk", None), ("Expedited", EXPEDITED), ("bulk", "tier must be one of Standard, Bulk, got 'bulk'"),
     (None, "tier must be one of Standard, Bulk, got None")],
)
def test_tier_problem_messages(tier, expected):
    assert batch_job_checks.tier_problem(tier) == expected
