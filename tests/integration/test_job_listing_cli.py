# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_restore_job with manifest_source=listing through `ansible`, against moto_server behind the AWS behaviour layer.

The layer answers as AWS does where moto does not: Intelligent-Tiering archive tiers in HEAD (behaviour f),
RestoreStatus in listings (behaviour g). moto has no S3 Batch Operations (facts sheet, "moto 5.2.5 versus AWS"), so
a check-mode run lists the prefix (or reads a key list, or a CSV manifest) and shows the manifests and jobs it would
create, and a real run fails saying why before it writes anything.
"""

from __future__ import annotations

import datetime
import json

import pytest

MODULE = "s3async.restore.s3_restore_job"
ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/batch-restore"


@pytest.fixture
def aws_env(aws_env, behaviour_layer):
    """Every CLI of this file runs through the behaviour layer."""
    return dict(aws_env, AWS_URL=behaviour_layer.endpoint)


@pytest.fixture
def mixed_prefix(aws, bucket, behaviour_layer):
    """db/ mixes what a manifest generator job cannot tell apart: archived and restored GLACIER objects, archived
    and frequent-access Intelligent-Tiering objects, and a STANDARD one. Plus a reports bucket for the manifests."""
    s3 = aws("s3")
    for key, storage_class in (("db/a.dump", "GLACIER"), ("db/b.dump", "DEEP_ARCHIVE"), ("db/restored.dump", "GLACIER"),
                               ("db/int-archived.bin", "INTELLIGENT_TIERING"), ("db/int-frequent.bin", "INTELLIGENT_TIERING"),
                               ("db/readme.txt", "STANDARD")):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x" * 10, StorageClass=storage_class)
    behaviour_layer.seed_archive_tier(bucket, "db/int-archived.bin", "DEEP_ARCHIVE_ACCESS")
    behaviour_layer.seed_restored(bucket, "db/restored.dump",
                                  datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3))
    reports = f"{bucket}-reports"
    s3.create_bucket(Bucket=reports)
    return bucket, reports


def job_args(bucket, reports):
    return (f"bucket={bucket} prefix=db/ manifest_source=listing status_source=listing "
            f"storage_classes=GLACIER,DEEP_ARCHIVE,INTELLIGENT_TIERING report_bucket={reports} role_arn={ROLE} "
            f"account_id={ACCOUNT}")


def test_check_mode_lists_the_mixed_prefix_and_shows_the_manifests_it_would_write(adhoc, aws, mixed_prefix):
    bucket, reports = mixed_prefix
    status, result = adhoc(MODULE, job_args(bucket, reports), "--check")
    assert status == "CHANGED", result
    listing = result["listing"]
    assert listing["listed"] == 6
    assert listing["summary"]["archived"] == 3 and listing["summary"]["restored"] == 1
    assert listing["summary"]["not_archived"] == 1  # the Intelligent-Tiering object in an access tier
    assert [(entry["kind"], entry["action"], entry["objects"]) for entry in listing["manifests"]] == [
        ("glacier", "would_write", 2), ("intelligent_tiering", "would_write", 1)]
    assert [job["action"] for job in result["jobs"]] == ["would_create", "would_create"]
    assert "ExpirationInDays" not in result["jobs"][1]["request"]["Operation"]["S3InitiateRestoreObject"]
    assert result["msg"].startswith("Check mode: ")
    # S3 Control is out of reach here: the module says it could not tell whether the jobs exist.
    assert "S3 Batch Operations could not be reached" in result["msg"]
    assert aws("s3").list_objects_v2(Bucket=reports).get("KeyCount") == 0


def test_a_real_run_without_batch_operations_fails_before_writing_a_manifest(adhoc, aws, mixed_prefix):
    bucket, reports = mixed_prefix
    status, result = adhoc(MODULE, job_args(bucket, reports))
    assert status == "FAILED!", result
    assert "Batch Operations" in result["msg"]
    assert aws("s3").list_objects_v2(Bucket=reports).get("KeyCount") == 0


def test_check_mode_reads_a_key_list_with_a_head_each(adhoc, aws, mixed_prefix):
    """keys: each key gets its HEAD (the behaviour layer answers the Intelligent-Tiering archive tier, as AWS
    does); the STANDARD one is counted out by storage_classes, the one in an access tier is left out."""
    bucket, reports = mixed_prefix
    keys = "db/a.dump,db/int-archived.bin,db/int-frequent.bin,db/readme.txt"
    args = job_args(bucket, reports).replace("prefix=db/ ", f"keys={keys} ")
    status, result = adhoc(MODULE, args, "--check")
    assert status == "CHANGED", result
    listing = result["listing"]
    assert listing["prefix"] is None and listing["target"] == f"s3://{bucket}/ (4 keys)"
    assert listing["listed"] == 4 and listing["summary"]["counted_out"]["storage_classes"] == 1
    assert listing["summary"]["not_archived"] == 1
    assert [(entry["kind"], entry["action"], entry["objects"]) for entry in listing["manifests"]] == [
        ("glacier", "would_write", 1), ("intelligent_tiering", "would_write", 1)]
    assert f"Listed 4 objects of s3://{bucket}/ (4 keys)" in result["msg"]
    assert aws("s3").list_objects_v2(Bucket=reports).get("KeyCount") == 0


def test_check_mode_sorts_a_csv_manifest_of_the_mixed_prefix_into_kinds(adhoc, aws, mixed_prefix):
    bucket, reports = mixed_prefix
    rows = "".join(f"{bucket},{key}\n" for key in ("db/a.dump", "db/b.dump", "db/restored.dump", "db/int-archived.bin",
                                                   "db/int-frequent.bin", "db/readme.txt"))
    aws("s3").put_object(Bucket=reports, Key="lists/mixed.csv", Body=rows.encode())
    args = {"bucket": bucket, "manifest": {"bucket": reports, "key": "lists/mixed.csv"}, "manifest_source": "listing",
            "status_source": "listing", "storage_classes": ["GLACIER", "DEEP_ARCHIVE", "INTELLIGENT_TIERING"],
            "manifest_bucket": reports, "manifest_prefix": "written/", "role_arn": ROLE, "account_id": ACCOUNT}
    status, result = adhoc(MODULE, json.dumps(args), "--check")
    assert status == "CHANGED", result
    listing = result["listing"]
    assert listing["listed"] == 6
    assert [(entry["kind"], entry["objects"]) for entry in listing["manifests"]] == [("glacier", 2), ("intelligent_tiering", 1)]
    # The manifests would name each version read: the job restores exactly what was found archived.
    assert result["jobs"][0]["request"]["Manifest"]["Spec"]["Fields"] == ["Bucket", "Key", "VersionId"]
    assert [item["Key"] for item in aws("s3").list_objects_v2(Bucket=reports)["Contents"]] == ["lists/mixed.csv"]
