# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""restore_task: run_restore end to end on a Stubber-backed S3Bucket, through a small stand-in for
the Ansible module (its options are the module's defaults): `changed` from the collected objects (and the
notification set-up), the batch-threshold and max_restores failures, the diff, the wait timeout.

Prefix runs here settle every object from the listing, or list a single page, so that the Stubber's one queue
of answers is consumed in a fixed order even though restores run on worker threads.
"""

from __future__ import annotations

import copy

import pytest

from ansible.module_utils.common import warnings as module_warnings
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.s3async.restore.plugins.module_utils import restore_state as rs
from ansible_collections.s3async.restore.plugins.module_utils import restore_task
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.modules.s3_object_restore import ARGUMENT_SPEC

BUCKET = "archive-bucket"
KEY = "db/dump"
TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:restore-events"
ONGOING = 'ongoing-request="true"'
DONE = 'ongoing-request="false", expiry-date="Wed, 02 Dec 2099 00:00:00 GMT"'
DEFAULTS = {name: copy.deepcopy(spec.get("default")) for name, spec in ARGUMENT_SPEC.items()}


class FakeModule:
    """What the tasks use of AnsibleAWSModule: params, check_mode, _diff and client()."""

    def __init__(self, stubber, check_mode=False, diff=False, **params):
        self.params = dict(DEFAULTS, bucket=BUCKET, **params)
        self.check_mode = check_mode
        self._diff = diff
        self._stubber = stubber

    def client(self, service, retry_decorator=None, config=None):
        assert service == "s3"
        return RetryingBotoClientWrapper(self._stubber.client, retry_decorator)


@pytest.fixture(autouse=True)
def no_warnings_carried_over():
    module_warnings._global_warnings.clear()  # pylint: disable=protected-access
    yield
    module_warnings._global_warnings.clear()  # pylint: disable=protected-access


def restore(stubber, clock, check_mode=False, diff=False, **params):
    module = FakeModule(stubber, check_mode=check_mode, diff=diff, **params)
    return restore_task.run_restore(module, restore_task.bucket_of(module, "s3_object_restore"), clock)


def failure_of(run, *args, **kwargs):
    with pytest.raises(TaskFailure) as raised:
        run(*args, **kwargs)
    return raised.value


def head(storage_class=None, archive_status=None, restore=None, size=42):
    response = {"ContentLength": size}
    for name, value in (("StorageClass", storage_class), ("ArchiveStatus", archive_status), ("Restore", restore)):
        if value is not None:
            response[name] = value
    return response


def expect_head(stubber, response, key=KEY):
    stubber.add_response("head_object", response, {"Bucket": BUCKET, "Key": key})


def expect_restore(stubber, key=KEY, tier="Standard", status=202):
    stubber.add_response("restore_object", {"ResponseMetadata": {"HTTPStatusCode": status}},
                         {"Bucket": BUCKET, "Key": key, "RestoreRequest": {"Days": 7, "GlacierJobParameters": {"Tier": tier}}})


def expect_listing(stubber, entries, token=None, more=False, with_restore_status=False):
    """One ListObjectsV2 page under logs/; the client's endpoint is AWS's, so its RestoreStatus is trusted."""
    answer = {"Contents": entries, "IsTruncated": more}
    if more:
        answer["NextContinuationToken"] = f"after-{entries[-1]['Key']}"
    params = {"Bucket": BUCKET, "Prefix": "logs/", "OptionalObjectAttributes": ["RestoreStatus"]}
    if token:
        params["ContinuationToken"] = token
    stubber.add_response("list_objects_v2", answer, params)


def entry(key, storage_class="GLACIER", restore_status=None):
    listed = {"Key": f"logs/{key}", "StorageClass": storage_class, "Size": 10}
    if restore_status is not None:
        listed["RestoreStatus"] = restore_status
    return listed


RUNNING = {"IsRestoreInProgress": True}


# -- changed ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "head_response, restore_answer, check_mode, changed, status",
    [
        (head("GLACIER"), 202, False, True, rs.STATUS_IN_PROGRESS),
        (head("GLACIER"), 200, False, True, rs.STATUS_RESTORED),
        (head("GLACIER"), "RestoreAlreadyInProgress", False, False, rs.STATUS_IN_PROGRESS),
        (head("GLACIER"), None, True, True, rs.STATUS_ARCHIVED),  # check mode: would be requested, nothing sent
        (head("GLACIER", restore=ONGOING), None, False, False, rs.STATUS_IN_PROGRESS),
        (head("GLACIER", restore=DONE), None, False, False, rs.STATUS_RESTORED),
        (head("STANDARD"), None, False, False, rs.STATUS_NOT_ARCHIVED),
    ],
    ids=["202", "200", "409", "check-mode", "in-progress", "restored", "not-archived"],
)
def test_changed_for_one_key(stubber, fake_clock, head_response, restore_answer, check_mode, changed, status):
    expect_head(stubber, head_response)
    if isinstance(restore_answer, int):
        expect_restore(stubber, status=restore_answer)
    elif restore_answer:
        stubber.add_client_error("restore_object", restore_answer, restore_answer, 409)
    result = restore(stubber, fake_clock, check_mode=check_mode, key=KEY)
    assert result["changed"] is changed
    assert result["objects"][0]["status"] == status
    assert result["summary"][rs.ACTION_RESTORE] == (1 if changed else 0)


@pytest.mark.parametrize(
    "entries, restored, changed",
    [
        ([entry("a", "STANDARD"), entry("b", "GLACIER_IR"), entry("c", restore_status=RUNNING)], [], False),
        ([entry("a", "STANDARD"), entry("b")], ["logs/b"], True),
    ],
    ids=["nothing-to-restore", "one-restored"],
)
def test_changed_for_a_prefix(stubber, fake_clock, entries, restored, changed):
    expect_listing(stubber, entries)
    for key in restored:
        expect_restore(stubber, key=key)
    result = restore(stubber, fake_clock, key=None, prefix="logs/", concurrency=1)
    assert result["changed"] is changed
    assert result["summary"]["total"] == len(entries)


def test_changed_when_only_the_notification_changed(stubber, fake_clock):
    ours = {"Id": "s3async-restore-restore-events", "TopicArn": TOPIC_ARN,
            "Events": ["s3:ObjectRestore:Post", "s3:ObjectRestore:Completed"]}
    expect_head(stubber, head("GLACIER", restore=ONGOING))
    stubber.add_response("head_bucket", {"BucketRegion": "us-east-1"}, {"Bucket": BUCKET})
    stubber.add_response("get_bucket_notification_configuration", {}, {"Bucket": BUCKET})
    stubber.add_response("get_bucket_notification_configuration", {}, {"Bucket": BUCKET})
    stubber.add_response("put_bucket_notification_configuration", {},
                         {"Bucket": BUCKET, "NotificationConfiguration": {"TopicConfigurations": [ours]}})
    stubber.add_response("get_bucket_notification_configuration", {"TopicConfigurations": [ours]}, {"Bucket": BUCKET})
    result = restore(stubber, fake_clock, key=KEY, sns_topic_arn=TOPIC_ARN)
    assert result["changed"] is True
    assert result["notification"]["action"] == "added"
    assert result["summary"][rs.ACTION_RESTORE] == 0


# -- the diff --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("diff", [True, False])
def test_diff_only_when_asked_for(stubber, fake_clock, diff):
    expect_head(stubber, head("GLACIER"))
    expect_restore(stubber)
    result = restore(stubber, fake_clock, diff=diff, key=KEY)
    if diff:
        assert result["diff"] == {"before": {"objects": {KEY: rs.STATUS_ARCHIVED}},
                                  "after": {"objects": {KEY: rs.STATUS_IN_PROGRESS}}}
    else:
        assert "diff" not in result


# -- failures --------------------------------------------------------------------------------------------------

def test_past_the_batch_threshold_the_run_stops_and_fails(stubber, fake_clock):
    expect_listing(stubber, [entry("a", "STANDARD"), entry("b", restore_status=RUNNING)], more=True)
    expect_listing(stubber, [entry("c", "STANDARD"), entry("d", "STANDARD")], token="after-logs/b", more=True)
    failure = failure_of(restore, stubber, fake_clock, key=None, prefix="logs/", batch_operations_threshold=3,
                         list_objects="all")
    assert failure.msg == (
        "The prefix 'logs/' holds more than batch_operations_threshold (3) objects; stopped after handling the first 3 "
        "(0 restore request(s) sent). Restores at this scale are better run by S3 Batch Operations: use "
        "s3async.restore.s3_restore_job (see docs/scale.md), or raise batch_operations_threshold to go on here."
    )
    assert failure.result["changed"] is False
    assert [obj["key"] for obj in failure.result["objects"]] == ["logs/a", "logs/b", "logs/c"]
    assert failure.result["summary"]["total"] == 3


def test_max_restores_fails_with_what_was_left(stubber, fake_clock):
    expect_listing(stubber, [entry("a"), entry("b"), entry("c")])
    expect_restore(stubber, key="logs/a")
    failure = failure_of(restore, stubber, fake_clock, key=None, prefix="logs/", concurrency=1, max_restores=1)
    assert failure.msg == ("max_restores (1) was reached: 1 restore(s) sent, 2 archived object(s) left as they are. "
                           "Run the task again to send the next batch, or raise max_restores.")
    assert failure.result["changed"] is True
    assert failure.result["summary"][rs.ACTION_RESTORE] == 1
    assert failure.result["summary"]["archived"] == 2
    assert failure.result["objects"][0]["key"] == "logs/a"


def test_a_failed_object_fails_the_run_after_the_others(stubber, fake_clock):
    expect_listing(stubber, [entry("a", "STANDARD"), entry("b")])
    stubber.add_client_error("restore_object", "AccessDenied", "Access Denied", 403)
    failure = failure_of(restore, stubber, fake_clock, key=None, prefix="logs/", concurrency=1)
    assert failure.msg == (
        "1 of 2 objects failed (the others were handled; run the task again once the cause is fixed): Access denied: "
        f"RestoreObject on s3://{BUCKET}/logs/b needs the IAM permission s3:RestoreObject."
    )
    assert failure.result["failed_keys"] == ["logs/b"]
    assert failure.result["changed"] is False


def test_timeout_of_one_key_carries_pending_keys_and_waited(stubber, fake_clock):
    expect_head(stubber, head("GLACIER"))
    expect_restore(stubber)
    for _check in range(2):
        expect_head(stubber, head("GLACIER", restore=ONGOING))
    failure = failure_of(restore, stubber, fake_clock, key=KEY, state="restored", wait_delay=10, wait_timeout=25)
    assert fake_clock.sleeps == [10, 15]
    assert failure.msg == (
        f"Timed out after 25 seconds waiting for s3://{BUCKET}/{KEY} to be restored: 1 in progress, 0 restored. "
        "Restores from Deep Archive can take up to 48 hours; raise wait_timeout or run the task again later (nothing "
        "is sent twice)."
    )
    assert failure.result["pending_keys"] == [KEY]
    assert failure.result["waited"] == 25
    assert failure.result["changed"] is True
    assert failure.result["objects"][0]["action"] == rs.ACTION_RESTORE


def test_timeout_of_a_prefix_names_the_count_and_the_first(stubber, fake_clock):
    expect_listing(stubber, [entry("a", restore_status=RUNNING), entry("b", restore_status=RUNNING)])
    for _check in range(2):  # two pending objects: a HEAD each costs less than a listing page (12.5 HEADs)
        for key in ("a", "b"):
            expect_head(stubber, head("GLACIER", restore=ONGOING), key=f"logs/{key}")
    failure = failure_of(restore, stubber, fake_clock, key=None, prefix="logs/", state="restored", wait_delay=10,
                         wait_timeout=15, concurrency=1)
    assert failure.msg.startswith(
        f"Timed out after 15 seconds waiting for 2 objects (first s3://{BUCKET}/logs/a) to be restored: 2 in progress, "
        "0 restored.")
    assert failure.result["pending_keys"] == ["logs/a", "logs/b"]
    assert failure.result["waited"] == 15
    assert failure.result["changed"] is False


def test_state_restored_waits_and_reports_the_time(stubber, fake_clock):
    expect_head(stubber, head("GLACIER"))
    expect_restore(stubber)
    expect_head(stubber, head("GLACIER", restore=ONGOING))
    expect_head(stubber, head("GLACIER", restore=DONE))
    result = restore(stubber, fake_clock, key=KEY, state="restored", wait_delay=10)
    assert result["waited"] == 30
    assert result["changed"] is True
    assert result["objects"][0]["status"] == rs.STATUS_RESTORED


def test_a_fallback_is_warned_about(stubber, fake_clock):
    expect_head(stubber, head("GLACIER"))
    stubber.add_client_error("restore_object", "GlacierExpeditedRetrievalNotAvailable", "", 503)
    expect_restore(stubber, tier="Standard")
    result = restore(stubber, fake_clock, key=KEY, tier="Expedited", tier_fallback="Standard")
    assert result["objects"][0]["tier"] == "Standard"
    assert module_warnings.get_warning_messages() == (
        "S3 had no Expedited capacity for 1 object(s); their restores were requested with tier Standard instead "
        "(tier_fallback).",
    )
