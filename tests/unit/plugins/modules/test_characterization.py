# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Characterization ("golden file") test: the whole result of each module, for named scenarios.

Each scenario queues botocore Stubber responses (or seeds moto's in-process S3), runs a module's main() through
the `run_module` fixture and compares the module's whole JSON result (msg, warnings, invocation, diff, every
object entry) with a file recorded from the code as it was before the modules were restructured:
tests/unit/plugins/modules/characterization/<scenario>.json. Any change in what a module prints, key order
included, fails the test with a unified diff.

The test goes through public seams only, so that it keeps passing unchanged across a restructuring of the
collection's internals: each module's main(), the fixtures `run_module`, `s3_stubber` and `s3` (moto) of
conftest.py, and AnsibleAWSModule.client (amazon.aws's class, patched by the `aws` fixture below to hand out
stubbed s3control / sts / s3 clients). Nothing inside plugins/ is patched or imported besides the modules' main().
There is no clock seam: scenarios that wait use wait_timeout=0 (the wait gives up at once) or are already finished
at the first check, so no sleep ever happens.

Stubbed prefix scenarios use concurrency=1, which makes the order of the calls (and so of the queued responses)
fixed. What still varies between runs is removed by normalise() (see there) before comparing. What varies between
ansible-core releases is not compared: warnings and deprecations are compared as their messages (release_neutral),
and conftest.py asks 2.21 and later for the `invocation` they add only on request, so one recording holds on every
release of scripts/matrix.sh.

To re-record after an intended change of behaviour (then review the diff of the .json files):

    S3ASYNC_RECORD_CHARACTERIZATION=1 python -m pytest tests/unit/plugins/modules/test_characterization.py

Without the variable a missing recording fails the test, saying how to record it.
"""

from __future__ import annotations

import datetime
import difflib
import json
import os
import re
from typing import NamedTuple

import boto3
import pytest
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.s3async.restore.plugins.modules import s3_object_restore
from ansible_collections.s3async.restore.plugins.modules import s3_object_restore_info
from ansible_collections.s3async.restore.plugins.modules import s3_restore_job

RECORD_VARIABLE = "S3ASYNC_RECORD_CHARACTERIZATION"
RECORDINGS = os.path.join(os.path.dirname(__file__), "characterization")
RECORDINGS_SHOWN = "tests/unit/plugins/modules/characterization"  # in messages: never this machine's paths

REGION = "us-east-1"
ACCOUNT = "111122223333"
BUCKET = "archive-bucket"
KEY = "db/dump"
OWNER = "111122223333"
TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:restore-events"
ONGOING = 'ongoing-request="true"'
# A restored copy that stays readable for as long as these recordings are used.
DONE = 'ongoing-request="false", expiry-date="Wed, 02 Dec 2099 00:00:00 GMT"'
EXPIRY = datetime.datetime(2099, 12, 2, tzinfo=datetime.timezone.utc)


def done_in(days):
    """An x-amz-restore header for a copy that expires `days` from now (negative: expired). Recordings of the
    scenarios that use it have their timestamps normalised (TIME_RELATIVE)."""
    expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return f'ongoing-request="false", expiry-date="{expiry.strftime("%a, %d %b %Y %H:%M:%S GMT")}"'


ROLE = f"arn:aws:iam::{ACCOUNT}:role/batch-restore"
JOB_PREFIX = "db/2019/"
CREATED = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.timezone.utc)
REPORT = {"report_bucket": "reports", "report_prefix": "restore-jobs"}

# What botocore's Stubber says when a call was not queued or its parameters differ. It raises a BotoCoreError,
# which a module reports like any AWS error: a recording must never hold one.
STUB_ERROR = "Error getting response stub"


# ---------------------------------------------------------------------------------------------------------------
# Normalisation: what may differ between two runs of the same code, and nothing else.

# ISO 8601 date-times, as the modules print them (expiry_date) and inside messages.
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")


def object_order(obj):
    """The order within a module's `objects` list: failed entries, then restores requested, then the rest (the
    module groups them so), each group by key and version."""
    if obj.get("error"):
        group = 0
    elif obj.get("action") == "restore_requested":
        group = 1
    else:
        group = 2
    return group, obj.get("key") or "", obj.get("version_id") or ""


# Result fields counted from the moment of the run.
NOW_RELATIVE = ("expected_ready_after", "expected_ready_before", "readable_at")


def normalise(result, moto=False):
    """The result with what legitimately varies between runs replaced, for comparison as text.

    * every `waited` value becomes "<waited>" (seconds measured on the real clock), and every ready window and
      readable time (`expected_ready_after`, `expected_ready_before`, `readable_at`) "<time>": they are counted
      from now;
    * with ``moto``, ISO 8601 timestamps in strings become "<time>": moto's restored copies expire at now + days.
      Stubbed scenarios keep theirs, which come from the queued responses;
    * `objects` lists are sorted stably by (group, key, version_id), group 0 for an entry with an `error`, 1 for
      action restore_requested, 2 otherwise. The module already groups them like this; only the order inside a
      group follows the worker threads that finished first;
    * `failed_keys` and `pending_keys` lists are sorted (they are filled in the same thread-dependent order);
    * the keys of `by_storage_class` (in `summary`) are sorted: a class enters that dict when the first object of
      the class is counted, which in a prefix run is whichever worker thread's result is collected first (even
      with concurrency=1, two finished requests are collected in the iteration order of a set of futures).

    Everything else, dict key order included, is compared as it is.
    """

    def walk(value, name=None):
        if isinstance(value, dict):
            items = sorted(value.items()) if name == "by_storage_class" else value.items()
            return {key: "<waited>" if key == "waited" else "<time>" if key in NOW_RELATIVE and item else walk(item, key)
                    for key, item in items}
        if isinstance(value, list):
            items = [walk(item) for item in value]
            if name == "objects" and all(isinstance(item, dict) for item in items):
                items.sort(key=object_order)
            elif name in ("failed_keys", "pending_keys"):
                items.sort()
            return items
        if moto and isinstance(value, str):
            return ISO_TIMESTAMP.sub("<time>", value)
        return value

    return walk(result)


def warning_text(warning):
    """A warning or deprecation as its message: ansible-core 2.19 and later serialise a module's warnings as
    {"event": {"msg": ...}, "__ansible_type": "WarningSummary"} (deprecations as DeprecationSummary), earlier
    releases as the plain string (a deprecation as {"msg": ..., "version": ...})."""
    if isinstance(warning, dict):
        return (warning.get("event") or warning).get("msg")
    return warning


def release_neutral(result):
    """The result as every supported ansible-core release gives it: warnings and deprecations as their messages.
    Applied to both the recording and this run, so that a recording made on one release holds on the others."""
    return {key: [warning_text(warning) for warning in value] if key in ("warnings", "deprecations") else value
            for key, value in result.items()}


def comparable(result):
    return json.dumps(release_neutral(result), indent=1, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# The environment: amazon.aws fills options from these variables, and the result shows them (invocation).

# Beyond what conftest.py's aws_environment already removes or sets. AWS_CA_BUNDLE would put this machine's CA
# file path in every recording; AWS_REGION would take precedence over the region conftest.py sets.
SHELL_VARIABLES = ("AWS_CA_BUNDLE", "AWS_REGION", "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "ANSIBLE_DEBUG_BOTOCORE_LOGS")


@pytest.fixture(autouse=True)
def fixed_environment(monkeypatch, aws_environment):  # pylint: disable=unused-argument
    for name in SHELL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


# ---------------------------------------------------------------------------------------------------------------
# The multi-service stub for s3_restore_job: one Stubber per service, handed out by AnsibleAWSModule.client.

class Aws:
    """The stubbed clients a module gets, one per service."""

    def __init__(self):
        credentials = {"region_name": REGION, "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        self.clients = {name: boto3.client(name, **credentials) for name in ("s3control", "sts", "s3")}
        self.stubbers = {name: Stubber(client) for name, client in self.clients.items()}
        self.s3control = self.stubbers["s3control"]
        self.sts = self.stubbers["sts"]
        self.s3 = self.stubbers["s3"]


@pytest.fixture
def aws(monkeypatch):
    stubs = Aws()

    def module_client(self, service, retry_decorator=None, **_params):
        client = stubs.clients[service]
        return RetryingBotoClientWrapper(client, retry_decorator) if retry_decorator else client

    monkeypatch.setattr(AnsibleAWSModule, "client", module_client)
    for stubber in stubs.stubbers.values():
        stubber.activate()
    yield stubs
    for stubber in stubs.stubbers.values():
        stubber.deactivate()
        stubber.assert_no_pending_responses()


# ---------------------------------------------------------------------------------------------------------------
# Scenarios. Each one is a function named after its recording: given a Context, it queues responses (or seeds
# moto) and returns the Run to record. Registered in the order written.

class Run(NamedTuple):
    main: object
    args: dict
    check_mode: bool = False
    diff: bool = False


class Context(NamedTuple):
    run_module: object
    backend: object  # the s3 Stubber, the moto S3 client, or Aws


FIXTURES = {"stubber": "s3_stubber", "moto": "s3", "aws": "aws"}
# Stubbed scenarios whose dates are relative to now (done_in): their timestamps are normalised as moto's are.
TIME_RELATIVE = {"key_extend_expiry_of_a_copy_expiring_soon", "key_expired_copy_is_restored"}
SCENARIOS = {}


def scenario(backend):
    def register(build):
        assert build.__name__ not in SCENARIOS, build.__name__
        SCENARIOS[build.__name__] = (backend, build)
        return build

    return register


# s3 Stubber helpers.

def head(storage_class=None, archive_status=None, restore=None, version_id=None, size=42):
    response = {"ContentLength": size}
    for name, value in (("StorageClass", storage_class), ("ArchiveStatus", archive_status),
                        ("Restore", restore), ("VersionId", version_id)):
        if value is not None:
            response[name] = value
    return response


def object_params(key=KEY, **extra):
    return dict({"Bucket": BUCKET, "Key": key}, **extra)


def expect_head(stub, response, key=KEY, **extra):
    stub.add_response("head_object", response, object_params(key, **extra))


def expect_head_error(stub, http, key=KEY, **extra):
    # HEAD errors carry no body: the code is the HTTP status.
    stub.add_client_error("head_object", str(http), "", http, expected_params=object_params(key, **extra))


def expect_restore(stub, request, status=202, key=KEY, **extra):
    stub.add_response("restore_object", {"ResponseMetadata": {"HTTPStatusCode": status}},
                      dict(object_params(key, **extra), RestoreRequest=request))


def expect_restore_error(stub, request, code, message, http, key=KEY, response_meta=None):
    stub.add_client_error("restore_object", code, message, http, response_meta=response_meta,
                          expected_params=dict(object_params(key), RestoreRequest=request))


def glacier_request(days=7, tier="Standard"):
    return {"Days": days, "GlacierJobParameters": {"Tier": tier}}


def expect_bucket_region(stub, region=REGION):
    stub.add_response("head_bucket", {"BucketRegion": region}, {"Bucket": BUCKET})


def expect_notification_read(stub, configuration):
    stub.add_response("get_bucket_notification_configuration", configuration, {"Bucket": BUCKET})


def expect_notification_write(stub, configuration):
    stub.add_response("put_bucket_notification_configuration", {},
                      {"Bucket": BUCKET, "NotificationConfiguration": configuration})


def listing_entry(key, storage_class, restore_status=None, size=10):
    entry = {"Key": key, "Size": size, "StorageClass": storage_class}
    if restore_status is not None:
        entry["RestoreStatus"] = restore_status
    return entry


def expect_listing(stub, entries, prefix="data/"):
    """One listing page, asking for RestoreStatus (status_source=listing)."""
    stub.add_response("list_objects_v2", {"Contents": entries, "KeyCount": len(entries), "IsTruncated": False},
                      {"Bucket": BUCKET, "Prefix": prefix, "OptionalObjectAttributes": ["RestoreStatus"]})


def key_args(**extra):
    return dict({"bucket": BUCKET, "key": KEY}, **extra)


EVENTBRIDGE_AND_QUEUE = {
    "EventBridgeConfiguration": {},
    "QueueConfigurations": [
        {"Id": "removals", "QueueArn": "arn:aws:sqs:us-east-1:111122223333:removals", "Events": ["s3:ObjectRemoved:*"]},
    ],
}
OUR_TOPIC_CONFIGURATION = {
    "Id": "s3async-restore-restore-events",
    "TopicArn": TOPIC_ARN,
    "Events": ["s3:ObjectRestore:Post", "s3:ObjectRestore:Completed"],
}


# s3_object_restore, one key, against the Stubber.

@scenario("stubber")
def key_glacier_archived_restore_requested(ctx):
    expect_head(ctx.backend, head("GLACIER"))
    expect_restore(ctx.backend, glacier_request())
    return Run(s3_object_restore.main, key_args())


@scenario("stubber")
def key_deep_archive_bulk_3_days(ctx):
    expect_head(ctx.backend, head("DEEP_ARCHIVE"))
    expect_restore(ctx.backend, glacier_request(3, "Bulk"))
    return Run(s3_object_restore.main, key_args(tier="Bulk", days=3))


@scenario("stubber")
def key_restore_in_progress(ctx):
    expect_head(ctx.backend, head("GLACIER", restore=ONGOING))
    return Run(s3_object_restore.main, key_args())


@scenario("stubber")
def key_restored_with_expiry(ctx):
    expect_head(ctx.backend, head("DEEP_ARCHIVE", restore=DONE))
    return Run(s3_object_restore.main, key_args())


@scenario("stubber")
def key_standard(ctx):
    expect_head(ctx.backend, head())  # S3 sends no StorageClass for STANDARD
    return Run(s3_object_restore.main, key_args())


@scenario("stubber")
def key_glacier_ir(ctx):
    expect_head(ctx.backend, head("GLACIER_IR"))
    return Run(s3_object_restore.main, key_args())


@scenario("stubber")
def key_intelligent_tiering_archive_access_restore(ctx):
    expect_head(ctx.backend, head("INTELLIGENT_TIERING", "ARCHIVE_ACCESS"))
    expect_restore(ctx.backend, {"GlacierJobParameters": {"Tier": "Standard"}})
    return Run(s3_object_restore.main, key_args(days=5))


@scenario("stubber")
def key_intelligent_tiering_not_archived(ctx):
    expect_head(ctx.backend, head("INTELLIGENT_TIERING"))
    return Run(s3_object_restore.main, key_args())


@scenario("stubber")
def key_expedited_refused_for_deep_archive(ctx):
    expect_head(ctx.backend, head("DEEP_ARCHIVE"))
    return Run(s3_object_restore.main, key_args(tier="Expedited", sns_topic_arn=TOPIC_ARN))


@scenario("stubber")
def key_expedited_unavailable_with_fallback(ctx):
    expect_head(ctx.backend, head("GLACIER"))
    expect_restore_error(ctx.backend, glacier_request(tier="Expedited"), "GlacierExpeditedRetrievalNotAvailable",
                         "Glacier expedited retrievals are currently not available, please try again later", 503)
    expect_restore(ctx.backend, glacier_request(tier="Standard"))
    return Run(s3_object_restore.main, key_args(tier="Expedited", tier_fallback="Standard"))


@scenario("stubber")
def key_expedited_unavailable_without_fallback(ctx):
    expect_head(ctx.backend, head("GLACIER"))
    expect_restore_error(ctx.backend, glacier_request(tier="Expedited"), "GlacierExpeditedRetrievalNotAvailable",
                         "Glacier expedited retrievals are currently not available, please try again later", 503)
    return Run(s3_object_restore.main, key_args(tier="Expedited"))


@scenario("stubber")
def key_409_restore_already_in_progress(ctx):
    expect_head(ctx.backend, head("GLACIER"))
    expect_restore_error(ctx.backend, glacier_request(), "RestoreAlreadyInProgress",
                         "Object restore is already in progress", 409)
    return Run(s3_object_restore.main, key_args())


@scenario("stubber")
def key_409_after_a_retry(ctx):
    expect_head(ctx.backend, head("GLACIER"))
    expect_restore_error(ctx.backend, glacier_request(), "RestoreAlreadyInProgress",
                         "Object restore is already in progress", 409, response_meta={"RetryAttempts": 1})
    return Run(s3_object_restore.main, key_args())


@scenario("stubber")
def key_restore_answered_200_expiry_reset(ctx):
    expect_head(ctx.backend, head("GLACIER"))
    expect_restore(ctx.backend, glacier_request(2), status=200)
    return Run(s3_object_restore.main, key_args(days=2))


@scenario("stubber")
def key_extend_expiry_of_a_copy_expiring_soon(ctx):
    # Expires tomorrow, before now + 7 days.
    expect_head(ctx.backend, head("GLACIER", restore=done_in(1)))
    expect_restore(ctx.backend, glacier_request(), status=200)
    return Run(s3_object_restore.main, key_args(extend_expiry=True))


@scenario("stubber")
def key_expired_copy_is_restored(ctx):
    # The copy's expiry-date passed an hour ago: S3 deletes it asynchronously, and the object is archived again.
    expect_head(ctx.backend, head("GLACIER", restore=done_in(-1 / 24)))
    expect_restore(ctx.backend, glacier_request())
    return Run(s3_object_restore.main, key_args())


@scenario("stubber")
def key_upgrade_tier_accepted(ctx):
    expect_head(ctx.backend, head("GLACIER", restore=ONGOING))
    expect_restore(ctx.backend, glacier_request(tier="Expedited"))
    return Run(s3_object_restore.main, key_args(upgrade_tier=True, tier="Expedited"))


@scenario("stubber")
def key_upgrade_tier_409_not_faster(ctx):
    expect_head(ctx.backend, head("GLACIER", restore=ONGOING))
    expect_restore_error(ctx.backend, glacier_request(tier="Expedited"), "RestoreAlreadyInProgress",
                         "Object restore is already in progress", 409)
    return Run(s3_object_restore.main, key_args(upgrade_tier=True, tier="Expedited"))


@scenario("stubber")
def key_version_owner_and_requester_pays(ctx):
    sent = {"VersionId": "v1", "ExpectedBucketOwner": OWNER, "RequestPayer": "requester"}
    expect_head(ctx.backend, head("DEEP_ARCHIVE", version_id="v1"), **sent)
    expect_restore(ctx.backend, glacier_request(tier="Bulk"), **sent)
    return Run(s3_object_restore.main, key_args(version_id="v1", expected_bucket_owner=OWNER, request_payer=True,
                                                tier="Bulk"))


@scenario("stubber")
def key_not_found(ctx):
    expect_head_error(ctx.backend, 404)
    ctx.backend.add_response("head_bucket", {"BucketRegion": REGION}, {"Bucket": BUCKET})
    return Run(s3_object_restore.main, key_args())


@scenario("stubber")
def key_bucket_missing(ctx):
    expect_head_error(ctx.backend, 404)
    ctx.backend.add_client_error("head_bucket", "404", "", 404, expected_params={"Bucket": BUCKET})
    return Run(s3_object_restore.main, key_args())


@scenario("stubber")
def key_head_access_denied(ctx):
    expect_head_error(ctx.backend, 403)
    return Run(s3_object_restore.main, key_args())


@scenario("stubber")
def key_folder_marker(ctx):
    expect_head(ctx.backend, head(size=0), key="dir/")
    return Run(s3_object_restore.main, key_args(key="dir/"))


@scenario("stubber")
def key_sns_notification_added_diff(ctx):
    after = dict(EVENTBRIDGE_AND_QUEUE, TopicConfigurations=[OUR_TOPIC_CONFIGURATION])
    expect_head(ctx.backend, head("GLACIER"))
    expect_bucket_region(ctx.backend)
    expect_notification_read(ctx.backend, EVENTBRIDGE_AND_QUEUE)
    expect_notification_read(ctx.backend, EVENTBRIDGE_AND_QUEUE)  # re-read right before writing
    expect_notification_write(ctx.backend, after)
    expect_notification_read(ctx.backend, after)  # read back after writing
    expect_restore(ctx.backend, glacier_request())
    return Run(s3_object_restore.main, key_args(sns_topic_arn=TOPIC_ARN), diff=True)


@scenario("stubber")
def key_sns_check_mode_diff(ctx):
    expect_head(ctx.backend, head("GLACIER"))
    expect_bucket_region(ctx.backend)
    expect_notification_read(ctx.backend, EVENTBRIDGE_AND_QUEUE)
    return Run(s3_object_restore.main, key_args(sns_topic_arn=TOPIC_ARN), check_mode=True, diff=True)


@scenario("stubber")
def key_sns_overlap_refused(ctx):
    queue = {"Id": "all-restores", "QueueArn": "arn:aws:sqs:us-east-1:111122223333:restores",
             "Events": ["s3:ObjectRestore:*"]}
    expect_head(ctx.backend, head("GLACIER"))
    expect_bucket_region(ctx.backend)
    expect_notification_read(ctx.backend, {"QueueConfigurations": [queue]})
    return Run(s3_object_restore.main, key_args(sns_topic_arn=TOPIC_ARN))


@scenario("stubber")
def key_bad_input(ctx):
    # Fails before any call: nothing is queued.
    return Run(s3_object_restore.main, key_args(days=0, sns_topic_arn="restore-events"))


@scenario("stubber")
def key_state_restored_timeout(ctx):
    expect_head(ctx.backend, head("DEEP_ARCHIVE", restore=ONGOING))
    return Run(s3_object_restore.main, key_args(state="restored", wait_timeout=0))


@scenario("stubber")
def key_state_restored_already_restored(ctx):
    expect_head(ctx.backend, head("GLACIER", restore=DONE))
    return Run(s3_object_restore.main, key_args(state="restored"))


# s3_object_restore, prefix.

def seed_mix(s3):
    """GLACIER, DEEP_ARCHIVE and STANDARD objects under data/ (spaces, unicode, '+'), one more elsewhere."""
    for key, storage_class, size in (
        ("data/plain-0.bin", "GLACIER", 1),
        ("data/with space 1.bin", "DEEP_ARCHIVE", 2),
        ("data/ünïcødé-2.bin", "STANDARD", 3),
        ("data/plus+sign-3.bin", "GLACIER", 4),
        ("data/plain-4.bin", "DEEP_ARCHIVE", 5),
        ("data/with space 5.bin", "STANDARD", 6),
        ("elsewhere/cold.bin", "GLACIER", 7),
    ):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x" * size, StorageClass=storage_class)


def moto_prefix_args(**extra):
    return dict({"bucket": BUCKET, "prefix": "data/", "status_source": "head"}, **extra)


def stubbed_prefix_args(**extra):
    return dict({"bucket": BUCKET, "prefix": "data/", "status_source": "listing", "concurrency": 1}, **extra)


@scenario("moto")
def prefix_moto_mixed(ctx):
    seed_mix(ctx.backend)
    return Run(s3_object_restore.main, moto_prefix_args())


@scenario("moto")
def prefix_moto_mixed_check_mode(ctx):
    seed_mix(ctx.backend)
    return Run(s3_object_restore.main, moto_prefix_args(), check_mode=True)


@scenario("stubber")
def prefix_stubbed_listing_restore_status(ctx):
    expect_listing(ctx.backend, [
        listing_entry("data/a-restored", "GLACIER", {"IsRestoreInProgress": False, "RestoreExpiryDate": EXPIRY}),
        listing_entry("data/b-running", "DEEP_ARCHIVE", {"IsRestoreInProgress": True}),
        listing_entry("data/c-archived", "GLACIER"),
        listing_entry("data/d-int", "INTELLIGENT_TIERING"),
    ])
    expect_restore(ctx.backend, glacier_request(), key="data/c-archived")
    expect_head(ctx.backend, head("INTELLIGENT_TIERING", "ARCHIVE_ACCESS", size=10), key="data/d-int")
    expect_restore(ctx.backend, {"GlacierJobParameters": {"Tier": "Standard"}}, key="data/d-int")
    return Run(s3_object_restore.main, stubbed_prefix_args())


@scenario("moto")
def prefix_moto_batch_operations_threshold(ctx):
    seed_mix(ctx.backend)
    return Run(s3_object_restore.main, moto_prefix_args(batch_operations_threshold=3))


@scenario("moto")
def prefix_moto_max_restores_reached(ctx):
    for number in range(5):
        ctx.backend.put_object(Bucket=BUCKET, Key=f"data/{number}", Body=b"x", StorageClass="GLACIER")
    # One worker: the restores go to the first objects listed, every run.
    return Run(s3_object_restore.main, moto_prefix_args(max_restores=2, concurrency=1))


@scenario("stubber")
def prefix_stubbed_one_object_fails(ctx):
    expect_listing(ctx.backend, [
        listing_entry("data/a-archived", "GLACIER"),
        listing_entry("data/b-int", "INTELLIGENT_TIERING"),
        listing_entry("data/c-standard", "STANDARD"),
    ])
    expect_restore(ctx.backend, glacier_request(), key="data/a-archived")
    expect_head_error(ctx.backend, 403, key="data/b-int")
    return Run(s3_object_restore.main, stubbed_prefix_args())


@scenario("moto")
def prefix_moto_state_restored_timeout(ctx):
    # The restore sent is reported in progress; waiting would sleep before the first check, so wait_timeout=0.
    # One object left to wait for: with more, the message names the first one pending, whichever thread was first.
    for key, storage_class in (("data/cold", "DEEP_ARCHIVE"), ("data/done", "GLACIER"), ("data/live", "STANDARD")):
        ctx.backend.put_object(Bucket=BUCKET, Key=key, Body=b"xyz", StorageClass=storage_class)
    ctx.backend.restore_object(Bucket=BUCKET, Key="data/done", RestoreRequest={"Days": 2})
    return Run(s3_object_restore.main, moto_prefix_args(state="restored", wait_timeout=0))


@scenario("moto")
def prefix_moto_state_restored_already_readable(ctx):
    # moto completes a restore at once: objects restored before the run are readable at the first check.
    for key, storage_class in (("data/cold-a", "GLACIER"), ("data/cold-b", "DEEP_ARCHIVE"), ("data/live", "STANDARD")):
        ctx.backend.put_object(Bucket=BUCKET, Key=key, Body=b"xy", StorageClass=storage_class)
        if storage_class != "STANDARD":
            ctx.backend.restore_object(Bucket=BUCKET, Key=key, RestoreRequest={"Days": 2})
    return Run(s3_object_restore.main, moto_prefix_args(state="restored"))


# s3_object_restore_info.

@scenario("stubber")
def info_key(ctx):
    expect_head(ctx.backend, head("GLACIER", restore=DONE), key="k")
    return Run(s3_object_restore_info.main, {"bucket": BUCKET, "key": "k"})


@scenario("moto")
def info_prefix_moto(ctx):
    for key, storage_class, size in (("d/a", "GLACIER", 10), ("d/b", "DEEP_ARCHIVE", 20), ("d/c", "STANDARD", 30),
                                     ("d/d", "GLACIER", 40)):
        ctx.backend.put_object(Bucket=BUCKET, Key=key, Body=b"x" * size, StorageClass=storage_class)
    ctx.backend.restore_object(Bucket=BUCKET, Key="d/d", RestoreRequest={"Days": 2})
    return Run(s3_object_restore_info.main, {"bucket": BUCKET, "prefix": "d/", "status_source": "head"})


@scenario("stubber")
def info_prefix_stubbed_failure(ctx):
    expect_listing(ctx.backend, [
        listing_entry("d/a", "GLACIER", {"IsRestoreInProgress": False, "RestoreExpiryDate": EXPIRY}, size=1),
        listing_entry("d/b", "INTELLIGENT_TIERING", size=2),
        listing_entry("d/c", "DEEP_ARCHIVE", size=3),
    ], prefix="d/")
    expect_head_error(ctx.backend, 403, key="d/b")
    return Run(s3_object_restore_info.main,
               {"bucket": BUCKET, "prefix": "d/", "status_source": "listing", "concurrency": 1})


# s3_restore_job, against the multi-service stub.

def job_args(**extra):
    """The module's arguments (a None value removes the option)."""
    base = {"bucket": BUCKET, "prefix": JOB_PREFIX, "role_arn": ROLE}
    base.update(extra)
    return {name: value for name, value in base.items() if value is not None}


def expect_sts(aws_stubs):
    identity = {"UserId": "AIDAEXAMPLE", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/ops"}
    aws_stubs.sts.add_response("get_caller_identity", identity, {})


def listed(job_id, description, status, total=None):
    job = {"JobId": job_id, "Description": description, "Operation": "S3InitiateRestoreObject", "Priority": 10,
           "Status": status, "CreationTime": CREATED}
    if total is not None:
        job["ProgressSummary"] = {"TotalNumberOfTasks": total, "NumberOfTasksSucceeded": 0, "NumberOfTasksFailed": 0}
    return job


def expect_list(aws_stubs, jobs):
    aws_stubs.s3control.add_response("list_jobs", {"Jobs": jobs}, {"AccountId": ACCOUNT, "MaxResults": 1000})


def descriptor(job_id, status, description="d", total=None, succeeded=0, failed=0, report=True, failures=None,
               confirmation_required=False):
    job = {
        "JobId": job_id,
        "JobArn": f"arn:aws:s3:{REGION}:{ACCOUNT}:job/{job_id}",
        "Status": status,
        "Description": description,
        "Priority": 10,
        "ConfirmationRequired": confirmation_required,
        "CreationTime": CREATED,
        "RoleArn": ROLE,
        "Report": (
            {"Enabled": True, "Bucket": "arn:aws:s3:::reports", "Prefix": "restore-jobs",
             "Format": "Report_CSV_20180820", "ReportScope": "AllTasks"}
            if report else {"Enabled": False}
        ),
    }
    if total is not None:
        job["ProgressSummary"] = {
            "TotalNumberOfTasks": total, "NumberOfTasksSucceeded": succeeded, "NumberOfTasksFailed": failed,
            "Timers": {"ElapsedTimeInActiveSeconds": 120},
        }
    if failures:
        job["FailureReasons"] = [{"FailureCode": code, "FailureReason": text} for code, text in failures]
    if status in ("Complete", "Failed", "Cancelled"):
        job["TerminationDate"] = CREATED + datetime.timedelta(hours=1)
    return job


def expect_describe(aws_stubs, job_id, status, **kwargs):
    aws_stubs.s3control.add_response("describe_job", {"Job": descriptor(job_id, status, **kwargs)},
                                     {"AccountId": ACCOUNT, "JobId": job_id})


def create_request(classes, operation, report=None):
    return {
        "AccountId": ACCOUNT,
        "ConfirmationRequired": False,
        "Operation": {"S3InitiateRestoreObject": operation},
        "Report": report or {"Enabled": False},
        "ClientRequestToken": ANY,
        "Priority": 10,
        "RoleArn": ROLE,
        "Description": ANY,
        "ManifestGenerator": {"S3JobManifestGenerator": {
            "SourceBucket": f"arn:aws:s3:::{BUCKET}",
            "EnableManifestOutput": False,
            "Filter": {"MatchAnyStorageClass": classes, "KeyNameConstraint": {"MatchAnyPrefix": [JOB_PREFIX]}},
        }},
    }


GLACIER_OPERATION = {"ExpirationInDays": 7, "GlacierJobTier": "STANDARD"}


def expect_create(aws_stubs, job_id, request=None):
    aws_stubs.s3control.add_response("create_job", {"JobId": job_id}, request)


def planned(ctx, **extra):
    """The jobs the module would create with these arguments, by kind: a check-mode run (account_id given, so no
    STS call) whose descriptions carry the marker a later run looks for."""
    expect_list(ctx.backend, [])
    failed, result = ctx.run_module(s3_restore_job.main, job_args(account_id=ACCOUNT, **extra), check_mode=True)
    assert not failed, result
    return {job["kind"]: job for job in result["jobs"]}


@scenario("aws")
def job_create_both_kinds(ctx):
    expect_sts(ctx.backend)
    expect_list(ctx.backend, [])
    expect_create(ctx.backend, "job-glacier", create_request(["GLACIER", "DEEP_ARCHIVE"], GLACIER_OPERATION))
    expect_create(ctx.backend, "job-int", create_request(["INTELLIGENT_TIERING"], {"GlacierJobTier": "STANDARD"}))
    # Intelligent-Tiering jobs are opt-in: the storage classes name it.
    return Run(s3_restore_job.main, job_args(storage_classes=["GLACIER", "DEEP_ARCHIVE", "INTELLIGENT_TIERING"]))


@scenario("aws")
def job_check_mode_would_create(ctx):
    expect_sts(ctx.backend)
    expect_list(ctx.backend, [])
    return Run(s3_restore_job.main, job_args(**REPORT), check_mode=True)


@scenario("aws")
def job_found_on_second_run(ctx):
    plan = planned(ctx, storage_classes=["GLACIER"], **REPORT)["glacier"]
    expect_sts(ctx.backend)
    expect_list(ctx.backend, [listed("job-1", plan["description"], "Active", total=1000)])
    expect_describe(ctx.backend, "job-1", "Active", description=plan["description"], total=1000, succeeded=400)
    return Run(s3_restore_job.main, job_args(storage_classes=["GLACIER"], **REPORT))


@scenario("aws")
def job_suspended_confirmed(ctx):
    plan = planned(ctx, storage_classes=["DEEP_ARCHIVE"], confirmation_required=True)["glacier"]
    expect_list(ctx.backend, [listed("job-1", plan["description"], "Suspended", total=5000)])
    expect_describe(ctx.backend, "job-1", "Suspended", description=plan["description"], total=5000,
                    confirmation_required=True)
    ctx.backend.s3control.add_response("update_job_status", {"JobId": "job-1", "Status": "Ready"},
                                       {"AccountId": ACCOUNT, "JobId": "job-1", "RequestedJobStatus": "Ready"})
    return Run(s3_restore_job.main, job_args(account_id=ACCOUNT, storage_classes=["DEEP_ARCHIVE"]))


@scenario("aws")
def job_absent_cancels_running(ctx):
    plan = planned(ctx)["glacier"]
    expect_list(ctx.backend, [listed("job-a", plan["description"], "Active", total=100)])
    ctx.backend.s3control.add_response(
        "update_job_status", {"JobId": "job-a", "Status": "Cancelling"},
        {"AccountId": ACCOUNT, "JobId": "job-a", "RequestedJobStatus": "Cancelled",
         "StatusUpdateReason": "Cancelled by s3async.restore.s3_restore_job (state=absent)"})
    return Run(s3_restore_job.main, {"bucket": BUCKET, "prefix": JOB_PREFIX, "account_id": ACCOUNT, "state": "absent"})


@scenario("aws")
def job_completed_at_once(ctx):
    plan = planned(ctx, storage_classes=["GLACIER"])["glacier"]
    expect_list(ctx.backend, [])
    expect_create(ctx.backend, "job-1", create_request(["GLACIER"], GLACIER_OPERATION))
    expect_describe(ctx.backend, "job-1", "Complete", description=plan["description"], total=10, succeeded=10,
                    report=False)
    return Run(s3_restore_job.main, job_args(account_id=ACCOUNT, state="completed", storage_classes=["GLACIER"]))


@scenario("aws")
def job_completed_timeout_while_active(ctx):
    plan = planned(ctx, storage_classes=["GLACIER"])["glacier"]
    expect_list(ctx.backend, [])
    expect_create(ctx.backend, "job-1", create_request(["GLACIER"], GLACIER_OPERATION))
    expect_describe(ctx.backend, "job-1", "Active", description=plan["description"], total=1000, succeeded=10,
                    report=False)
    return Run(s3_restore_job.main, job_args(account_id=ACCOUNT, state="completed", storage_classes=["GLACIER"],
                                             wait_timeout=0))


@scenario("aws")
def job_conflicting_running_job_other_days(ctx):
    plan = planned(ctx, storage_classes=["GLACIER"], days=3)["glacier"]
    expect_list(ctx.backend, [listed("job-1", plan["description"], "Active")])
    return Run(s3_restore_job.main, job_args(account_id=ACCOUNT, storage_classes=["GLACIER"], days=7))


@scenario("aws")
def job_completed_reports_failed_job(ctx):
    plan = planned(ctx, storage_classes=["GLACIER"], **REPORT)["glacier"]
    expect_list(ctx.backend, [listed("job-1", plan["description"], "Active")])
    expect_describe(ctx.backend, "job-1", "Failed", description=plan["description"], total=4000, succeeded=100,
                    failed=2100, failures=[("TaskFailureRateExceeded",
                                            "The job failed because the task failure rate exceeded the threshold")])
    return Run(s3_restore_job.main, job_args(account_id=ACCOUNT, state="completed", storage_classes=["GLACIER"],
                                             **REPORT))


# ---------------------------------------------------------------------------------------------------------------
# The test.

def recording_path(name):
    return os.path.join(RECORDINGS, f"{name}.json")


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_characterization(name, request, run_module):
    backend, build = SCENARIOS[name]
    run = build(Context(run_module, request.getfixturevalue(FIXTURES[backend])))
    _failed, result = run_module(run.main, run.args, check_mode=run.check_mode, diff=run.diff)
    actual = json.dumps(normalise(result, moto=backend == "moto" or name in TIME_RELATIVE), indent=1, ensure_ascii=False) + "\n"
    assert STUB_ERROR not in actual, f"scenario {name}: a call was not queued as the module makes it:\n{actual}"

    shown = f"{RECORDINGS_SHOWN}/{name}.json"
    if os.environ.get(RECORD_VARIABLE) == "1":
        os.makedirs(RECORDINGS, exist_ok=True)
        with open(recording_path(name), "w", encoding="utf-8") as recording:
            recording.write(actual)
        return
    if not os.path.exists(recording_path(name)):
        pytest.fail(f"No recording {shown} for scenario {name}. Record it against the current code with "
                    f"{RECORD_VARIABLE}=1 python -m pytest tests/unit/plugins/modules/test_characterization.py "
                    f"-k {name}, and review it before committing.", pytrace=False)
    with open(recording_path(name), encoding="utf-8") as recording:
        expected = comparable(json.load(recording))
    actual = comparable(json.loads(actual))
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                            fromfile=f"{shown} (recorded)", tofile=f"{name} (this run)"))
        pytest.fail(f"Scenario {name} no longer gives the recorded result (re-record with {RECORD_VARIABLE}=1 only "
                    f"if the change is intended):\n{diff}", pytrace=False)
