# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""unarchive_task: run_unarchive end to end on moto's in-process S3, through a small stand-in for the Ansible
module (its options are the module's defaults), on a fake clock: the streaming copy of a large prefix at a small
concurrency, the wait with its timeout, max_restores, an interruption.

moto completes restores at once (facts sheet, "moto 5.2.5 versus AWS"); the timeout test reads the object as still
being restored, as AWS would show it for hours.
"""

from __future__ import annotations

import copy
import threading

import boto3
import pytest
from moto import mock_aws

from ansible.module_utils.common import warnings as module_warnings
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.s3async.restore.plugins.module_utils import unarchive_task
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.interruption import Interruption
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket
from ansible_collections.s3async.restore.plugins.modules.s3_object_unarchive import ARGUMENT_SPEC

BUCKET = "archive-bucket"
DEFAULTS = {name: copy.deepcopy(spec.get("default")) for name, spec in ARGUMENT_SPEC.items()}


class FakeModule:
    """What the task uses of AnsibleAWSModule: params, check_mode and _diff."""

    def __init__(self, check_mode=False, **params):
        self.params = dict(DEFAULTS, bucket=BUCKET, status_source="head", **params)
        self.check_mode = check_mode
        self._diff = False


@pytest.fixture(autouse=True)
def no_warnings_carried_over():
    module_warnings._global_warnings.clear()  # pylint: disable=protected-access
    yield
    module_warnings._global_warnings.clear()  # pylint: disable=protected-access


@pytest.fixture
def s3(monkeypatch):
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        # Wrapped as AnsibleAWSModule wraps its clients (the calls pass aws_retry).
        yield RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=1))


def run(s3, clock, interruption=None, **params):
    return unarchive_task.run_unarchive(FakeModule(**params), S3Bucket(s3, BUCKET), clock, interruption)


def put(s3, key, storage_class="GLACIER", restore=True):
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"x" * 3, StorageClass=storage_class)
    if restore:
        s3.restore_object(Bucket=BUCKET, Key=key, RestoreRequest={"Days": 1})


def test_a_prefix_larger_than_the_pool_is_streamed_and_copied_once_each(s3, fake_clock):
    for number in range(40):
        put(s3, f"many/{number:02}", ("GLACIER", "DEEP_ARCHIVE")[number % 2])
    result = run(s3, fake_clock, prefix="many/", concurrency=3, max_results=5)
    assert result["summary"]["copied"] == 40
    assert result["summary"]["copied_bytes"] == 120
    assert len(result["objects"]) == 5 and result["objects_truncated"] is True
    classes = {entry["Key"]: entry.get("StorageClass") for entry in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert set(classes.values()) == {"STANDARD"}
    again = run(s3, fake_clock, prefix="many/", concurrency=3)
    assert again["changed"] is False and again["summary"]["not_needed"] == 40


def test_max_restores_holds_objects_back_and_fails_saying_so(s3, fake_clock):
    for number in range(3):
        put(s3, f"cold/{number}", restore=False)
    with pytest.raises(TaskFailure) as failure:
        run(s3, fake_clock, prefix="cold/", request_restores=True, max_restores=1, concurrency=1)
    assert "max_restores (1) was reached: 2 archived object(s) got no restore request" in failure.value.msg
    assert failure.value.result["summary"]["restore_requested"] == 1


def test_check_mode_with_request_restores_sends_nothing(s3, fake_clock):
    put(s3, "cold/0", restore=False)
    result = unarchive_task.run_unarchive(FakeModule(check_mode=True, prefix="cold/", request_restores=True),
                                          S3Bucket(s3, BUCKET), fake_clock)
    assert result["changed"] is True
    assert result["summary"]["restore_requested"] == 1
    assert result["msg"].startswith(f"s3://{BUCKET}/cold/*: nothing to copy; 1 pending (archived or being restored); would request 1 restore;")
    assert "Restore" not in s3.head_object(Bucket=BUCKET, Key="cold/0")


def test_an_interrupted_run_ends_with_what_it_did(s3, fake_clock):
    put(s3, "int/0")
    interruption = Interruption()
    interruption.requested = "SIGTERM"
    with pytest.raises(TaskFailure) as failure:
        run(s3, fake_clock, interruption=interruption, prefix="int/")
    assert failure.value.msg.startswith("Interrupted by SIGTERM")
    assert failure.value.result["interrupted"] == "SIGTERM"


def test_the_wait_ends_at_its_timeout_and_leaves_the_rest_pending(s3, fake_clock, monkeypatch):
    put(s3, "slow/0")
    real_read = unarchive_task.object_restore.read_object

    def still_running(bucket, key, version_id=None, *args):
        return dict(real_read(bucket, key, version_id, *args), status="in_progress", expiry_date=None)

    monkeypatch.setattr(unarchive_task.object_restore, "read_object", still_running)
    result = run(s3, fake_clock, key="slow/0", wait_timeout=300, wait_delay=60)
    assert result["waited"] == 300
    assert result["objects"][0]["copy_status"] == "pending"
    assert result["changed"] is False


def test_two_versions_of_one_key_are_never_copied_over_each_other(s3, fake_clock, tmp_path):
    """A manifest may name several versions of one key; into one destination key, only one is copied, whichever
    order the pool runs them in, and the other fails saying so."""
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    version_ids = []
    for body in (b"old", b"new"):
        version_ids.append(s3.put_object(Bucket=BUCKET, Key="db/a", Body=body, StorageClass="GLACIER")["VersionId"])
        s3.restore_object(Bucket=BUCKET, Key="db/a", RestoreRequest={"Days": 1})
    manifest = tmp_path / "m.csv"
    manifest.write_text("".join(f"{BUCKET},db/a,{version_id}\n" for version_id in version_ids))
    with pytest.raises(TaskFailure) as failure:
        run(s3, fake_clock, manifest=str(manifest), destination_prefix="kept/", concurrency=2)
    summary = failure.value.result["summary"]
    assert (summary["copied"], summary["failed"]) == (1, 1)
    assert "not overwritten" in failure.value.msg
    assert len(s3.list_object_versions(Bucket=BUCKET, Prefix="kept/db/a")["Versions"]) == 1


def test_the_head_that_read_the_state_serves_the_copy_once(s3):
    source = unarchive_task.HeadKeepingSource(S3Bucket(s3, BUCKET), kept=2, lock=threading.Lock())
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    version_id = s3.put_object(Bucket=BUCKET, Key="a", Body=b"x", Metadata={"owner": "db"})["VersionId"]
    source.head_object("a")
    # Kept under the version it names, as the object's result names it, without the response's metadata; once.
    kept = source.take_head("a", version_id)
    assert kept["Metadata"] == {"owner": "db"} and "ResponseMetadata" not in kept
    assert source.take_head("a", version_id) is None


def test_the_heads_kept_are_bounded_the_oldest_dropped_first(s3):
    source = unarchive_task.HeadKeepingSource(S3Bucket(s3, BUCKET), kept=2, lock=threading.Lock())
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
        source.head_object(key)
    assert source.take_head("a", None) is None
    assert source.take_head("b", None) is not None and source.take_head("c", None) is not None


@pytest.mark.parametrize("request_restores", [True, False])
def test_an_archived_object_already_copied_elsewhere_is_not_restored_again(s3, fake_clock, request_restores):
    """Once the source's restored copy expired, the copy made by the run before is found at the destination
    before any RestoreObject (each is billed): already_copied, nothing sent, nothing changed."""
    put(s3, "cold/a", restore=False)
    etag = s3.head_object(Bucket=BUCKET, Key="cold/a")["ETag"].strip('"')
    s3.put_object(Bucket=BUCKET, Key="kept/cold/a", Body=b"x" * 3, Metadata={"s3async-source-etag": etag})
    s3.put_object(Bucket=BUCKET, Key="cold/b", Body=b"x" * 3, StorageClass="GLACIER")  # not copied yet
    result = run(s3, fake_clock, prefix="cold/", destination_prefix="kept/cold/", request_restores=request_restores,
                 list_objects="all")
    by_key = {obj["key"]: obj for obj in result["objects"]}
    assert by_key["cold/a"]["copy_status"] == "already_copied"
    assert by_key["cold/a"]["message"] == f"already copied: s3://{BUCKET}/kept/cold/a holds this object"
    assert by_key["cold/b"]["copy_status"] == "pending"
    assert result["summary"]["already_copied"] == 1
    assert result["summary"]["restore_requested"] == (1 if request_restores else 0)
    assert "Restore" not in s3.head_object(Bucket=BUCKET, Key="cold/a")
    key_run = run(s3, fake_clock, key="cold/a", destination_prefix="kept/cold/", request_restores=request_restores)
    assert key_run["changed"] is False and key_run["objects"][0]["copy_status"] == "already_copied"
    assert "Restore" not in s3.head_object(Bucket=BUCKET, Key="cold/a")
