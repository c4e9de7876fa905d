# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""options: every input check that needs no AWS call (selection_problems, restore_problems: each message and
their order), and RestoreOptions (from_params, frozen, reason(), request())."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import options
from ansible_collections.s3async.restore.plugins.module_utils import restore_state as rs
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import events_problem
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import topic_arn_problem
from ansible_collections.s3async.restore.plugins.module_utils.object_results import object_result
from ansible_collections.s3async.restore.plugins.module_utils.options import RestoreOptions
from ansible_collections.s3async.restore.plugins.module_utils.options import restore_problems
from ansible_collections.s3async.restore.plugins.module_utils.options import selection_problems

TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:restore-events"
NOW = datetime.datetime(2026, 1, 10, 12, 0, tzinfo=datetime.timezone.utc)

# The options of s3_objects_argument_spec(), as AnsibleModule hands them over with their defaults.
SELECTION = {
    "bucket": "archive-bucket",
    "key": "db/dump",
    "prefix": None,
    "version_id": None,
    "expected_bucket_owner": None,
    "request_payer": False,
    "status_source": "auto",
    "concurrency": 16,
    "max_results": 1000,
}
# s3_object_restore's own options, with their defaults.
RESTORE = dict(
    SELECTION,
    state="present",
    days=7,
    tier="Standard",
    sns_topic_arn=None,
    notification_events=["s3:ObjectRestore:Post", "s3:ObjectRestore:Completed"],
    wait_timeout=43200,
    wait_delay=60,
    max_restores=None,
    extend_expiry=False,
    upgrade_tier=False,
    tier_fallback=None,
    batch_operations_threshold=None,
)

BAD_BUCKET = ("bucket 's3://archive-bucket' is not a valid bucket name (3 to 63 lowercase letters, digits, dots and "
              "hyphens; give the name alone, not an s3:// URI or an ARN)")


# -- selection_problems ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "changes, problems",
    [
        ({}, []),
        ({"key": None, "prefix": "logs/"}, []),
        ({"key": None, "prefix": ""}, []),  # the whole bucket
        ({"version_id": "v1"}, []),
        ({"expected_bucket_owner": "111122223333"}, []),
        ({"bucket": ""}, ["bucket must name a bucket, got an empty string"]),
        ({"key": ""}, ["key must name an object, got an empty string (for a whole bucket, use prefix='')"]),
        ({"key": None, "prefix": "logs/", "version_id": "v1"},
         ["version_id needs key: a prefix covers the current version of each object"]),
        ({"bucket": "s3://archive-bucket"}, [BAD_BUCKET]),
        ({"bucket": "b" * 300},
         [f"bucket {'b' * 70!r} is not a valid bucket name (3 to 63 lowercase letters, digits, dots and hyphens; give "
          "the name alone, not an s3:// URI or an ARN)"]),
        ({"key": "k" * 1024}, []),
        ({"key": "k" * 1025}, ["key is 1025 bytes long; S3 keys are at most 1,024 bytes (UTF-8)"]),
        ({"key": "\u00e9" * 513}, ["key is 1026 bytes long; S3 keys are at most 1,024 bytes (UTF-8)"]),  # 2 bytes each
        ({"key": None, "prefix": "p" * 1025}, ["prefix is 1025 bytes long; S3 keys are at most 1,024 bytes (UTF-8)"]),
        ({"key": "bad\udcff"}, ["key contains characters that are not valid UTF-8 (undecodable bytes?)"]),
        ({"expected_bucket_owner": "1111-2222-3333"},
         ["expected_bucket_owner must be an AWS account ID (12 digits), got '1111-2222-3333'"]),
        ({"concurrency": 0}, ["concurrency must be 1 or more, got 0"]),
        ({"max_results": -1}, ["max_results must be 0 or more, got -1"]),
        ({"max_results": 0}, []),
    ],
    ids=lambda value: repr(value)[:50],
)
def test_selection_problems(changes, problems):
    assert selection_problems(dict(SELECTION, **changes)) == problems


def test_selection_problems_come_in_a_fixed_order():
    params = dict(SELECTION, bucket="", key="", version_id="v1", expected_bucket_owner="me", concurrency=0, max_results=-5)
    assert selection_problems(params) == [
        "bucket must name a bucket, got an empty string",
        "key must name an object, got an empty string (for a whole bucket, use prefix='')",
        "expected_bucket_owner must be an AWS account ID (12 digits), got 'me'",
        "concurrency must be 1 or more, got 0",
        "max_results must be 0 or more, got -5",
    ]


def test_selection_problems_name_checks_before_the_owner():
    params = dict(SELECTION, bucket="-bad", key=None, prefix="p" * 1100, version_id="v1", expected_bucket_owner="x")
    problems = selection_problems(params)
    assert [problem.split(" ")[0] for problem in problems] == ["version_id", "bucket", "prefix", "expected_bucket_owner"]


@pytest.mark.parametrize(
    "least_values, changes, problems",
    [
        ({"wait_timeout": 0}, {"wait_timeout": -1}, ["wait_timeout must be 0 or more, got -1"]),
        ({"wait_timeout": 0}, {"wait_timeout": 0}, []),
        ({"wait_delay": 1}, {"wait_delay": 0}, ["wait_delay must be 1 or more, got 0"]),
        ({"max_restores": 0}, {"max_restores": None}, []),  # not given: no least value applies
        ({"concurrency": 4}, {"concurrency": 3}, ["concurrency must be 4 or more, got 3"]),  # the caller's wins
        ({"absent": 1}, {}, []),
    ],
    ids=["below", "at-least", "delay", "not-given", "override", "absent-option"],
)
def test_selection_problems_least_values(least_values, changes, problems):
    assert selection_problems(dict(SELECTION, **changes), **least_values) == problems


# -- restore_problems ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "changes, problem",
    [
        ({}, None),
        ({"days": 1}, None),
        ({"days": 0}, "days must be 1 or more (how long the restored copy stays readable), got 0"),
        ({"days": 2147483648}, "days must be at most 2147483647 (RestoreRequest.Days is a 32-bit integer), got 2147483648"),
        ({"sns_topic_arn": TOPIC_ARN}, None),
        ({"sns_topic_arn": "restore-events"}, f"sns_topic_arn: {topic_arn_problem('restore-events')}"),
        ({"sns_topic_arn": "arn:aws:sqs:us-east-1:111122223333:q"},
         f"sns_topic_arn: {topic_arn_problem('arn:aws:sqs:us-east-1:111122223333:q')}"),
        ({"sns_topic_arn": TOPIC_ARN, "notification_events": ["s3:ObjectCreated:*"]},
         f"notification_events: {events_problem(['s3:ObjectCreated:*'])}"),
        # Without a topic the events are not used, so not checked.
        ({"notification_events": ["s3:ObjectCreated:*"]}, None),
        ({"tier_fallback": "Standard"}, "tier_fallback applies to tier=Expedited only (tier is Standard)"),
        ({"tier_fallback": "Bulk", "tier": "Bulk"}, "tier_fallback applies to tier=Expedited only (tier is Bulk)"),
        ({"tier_fallback": "Standard", "tier": "Expedited"}, None),
        ({"wait_timeout": -1}, "wait_timeout must be 0 or more, got -1"),
        ({"wait_timeout": 0}, None),
        ({"wait_delay": 0}, "wait_delay must be 1 or more, got 0"),
        ({"max_restores": -1}, "max_restores must be 0 or more, got -1"),
        ({"max_restores": 0}, None),
        ({"batch_operations_threshold": 0}, "batch_operations_threshold must be 1 or more, got 0"),
        ({"batch_operations_threshold": 1}, None),
        ({"concurrency": 0}, "concurrency must be 1 or more, got 0"),
        ({"bucket": ""}, "bucket must name a bucket, got an empty string"),
    ],
    ids=lambda value: repr(value)[:50],
)
def test_restore_problems(changes, problem):
    assert restore_problems(dict(RESTORE, **changes)) == problem


def test_restore_problems_are_joined_in_order():
    params = dict(RESTORE, days=0, sns_topic_arn="restore-events", tier_fallback="Bulk", wait_delay=0, bucket="")
    assert restore_problems(params) == "; ".join([
        "days must be 1 or more (how long the restored copy stays readable), got 0",
        f"sns_topic_arn: {topic_arn_problem('restore-events')}",
        "tier_fallback applies to tier=Expedited only (tier is Standard)",
        "bucket must name a bucket, got an empty string",
        "wait_delay must be 1 or more, got 0",
    ])


def test_restore_problems_report_the_topic_and_the_events_together():
    params = dict(RESTORE, sns_topic_arn="restore-events", notification_events=[])
    problem = restore_problems(params)
    assert problem.startswith("sns_topic_arn: ")
    assert f"; notification_events: {events_problem([])}" in problem


# -- RestoreOptions --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "changes, check_mode, expected",
    [
        ({}, False, RestoreOptions(tier="Standard", days=7)),
        ({}, True, RestoreOptions(tier="Standard", days=7, check_mode=True)),
        ({"extend_expiry": True, "days": 3}, False,
         RestoreOptions(tier="Standard", days=3, extend_before=NOW + datetime.timedelta(days=3))),
        ({"upgrade_tier": True, "tier": "Expedited"}, False,
         RestoreOptions(tier="Expedited", days=7, upgrade_to="Expedited")),
        ({"tier": "Expedited", "tier_fallback": "Bulk", "max_restores": 5}, False,
         RestoreOptions(tier="Expedited", days=7, max_restores=5, tier_fallback="Bulk")),
    ],
    ids=["defaults", "check-mode", "extend-expiry", "upgrade-tier", "fallback-and-cap"],
)
def test_from_params(changes, check_mode, expected):
    assert RestoreOptions.from_params(dict(RESTORE, **changes), check_mode, NOW) == expected


def test_from_params_leaves_extend_and_upgrade_unset_without_their_options():
    options = RestoreOptions.from_params(dict(RESTORE, days=30, tier="Expedited"), False, NOW)
    assert options.extend_before is None
    assert options.upgrade_to is None


@pytest.mark.parametrize("field", ["tier", "days", "check_mode", "max_restores", "extend_before", "upgrade_to", "tier_fallback"])
def test_restore_options_are_frozen(field):
    options = RestoreOptions(tier="Standard", days=7)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(options, field, None)


def glacier(status, expiry=None, storage_class="GLACIER", archive_status=None):
    return object_result("db/dump", None, storage_class, archive_status, 42, status, expiry)


@pytest.mark.parametrize(
    "options, obj, reason",
    [
        (RestoreOptions("Standard", 7), glacier(rs.STATUS_ARCHIVED), rs.REASON_ARCHIVED),
        (RestoreOptions("Standard", 7), glacier(rs.STATUS_IN_PROGRESS), None),
        (RestoreOptions("Standard", 7), glacier(rs.STATUS_RESTORED, NOW + datetime.timedelta(days=1)), None),
        (RestoreOptions("Standard", 7), glacier(rs.STATUS_NOT_ARCHIVED, storage_class="STANDARD"), None),
        # extend_expiry: a copy expiring before now + days is re-requested; one expiring later is not.
        (RestoreOptions("Standard", 7, extend_before=NOW + datetime.timedelta(days=7)),
         glacier(rs.STATUS_RESTORED, NOW + datetime.timedelta(days=1)), rs.REASON_EXTEND_EXPIRY),
        (RestoreOptions("Standard", 7, extend_before=NOW + datetime.timedelta(days=7)),
         glacier(rs.STATUS_RESTORED, NOW + datetime.timedelta(days=8)), None),
        # The expiry is read back from the result's ISO text.
        (RestoreOptions("Standard", 7, extend_before=NOW),
         glacier(rs.STATUS_RESTORED, NOW - datetime.timedelta(seconds=1)), rs.REASON_EXTEND_EXPIRY),
        (RestoreOptions("Expedited", 7, upgrade_to="Expedited"), glacier(rs.STATUS_IN_PROGRESS), rs.REASON_UPGRADE_TIER),
        (RestoreOptions("Bulk", 7, upgrade_to="Bulk"), glacier(rs.STATUS_IN_PROGRESS), None),  # nothing slower to leave
    ],
    ids=["archived", "in-progress", "restored", "not-archived", "extend-expiring", "extend-lasting",
         "extend-from-iso", "upgrade", "upgrade-to-bulk"],
)
def test_reason(options, obj, reason):
    assert options.reason(obj) == reason


@pytest.mark.parametrize(
    "obj, tier, restore_request",
    [
        (glacier(rs.STATUS_ARCHIVED), None, {"GlacierJobParameters": {"Tier": "Standard"}, "Days": 7}),
        (glacier(rs.STATUS_ARCHIVED, storage_class="DEEP_ARCHIVE"), "Bulk", {"GlacierJobParameters": {"Tier": "Bulk"}, "Days": 7}),
        # Intelligent-Tiering archive tiers refuse Days.
        (glacier(rs.STATUS_ARCHIVED, storage_class="INTELLIGENT_TIERING", archive_status="ARCHIVE_ACCESS"), None,
         {"GlacierJobParameters": {"Tier": "Standard"}}),
        (glacier(rs.STATUS_ARCHIVED, storage_class="INTELLIGENT_TIERING", archive_status="DEEP_ARCHIVE_ACCESS"), "Bulk",
         {"GlacierJobParameters": {"Tier": "Bulk"}}),
    ],
    ids=["glacier", "deep-archive-at-tier", "intelligent-tiering", "intelligent-tiering-deep-at-tier"],
)
def test_request(obj, tier, restore_request):
    assert RestoreOptions("Standard", 7).request(obj, tier) == restore_request


@pytest.mark.parametrize(
    "extra, problem",
    [
        ({"key": "s3://archive/db/dump"}, "key 's3://archive/db/dump' is an S3 URI, not a key: give bucket='archive' and key='db/dump'"),
        ({"key": None, "prefix": "s3://archive/db/"}, "prefix 's3://archive/db/' is an S3 URI, not a prefix: give bucket='archive' and prefix='db/'"),
        ({"version_id": ""}, "version_id must name a version, got an empty string (leave it out for the current version)"),
    ],
    ids=["key-uri", "prefix-uri", "empty-version"],
)
def test_inputs_s3_would_misread_are_refused(extra, problem):
    params = dict({"bucket": "archive", "key": "db/dump", "prefix": None, "version_id": None,
                   "expected_bucket_owner": None, "concurrency": 16, "max_results": 25}, **extra)
    assert problem in selection_problems(params)


# -- which objects: keys, manifest, versions, version_at, the filters (issue 12) -------------------------------

PREFIX_RUN = dict(SELECTION, key=None, prefix="db/")


@pytest.mark.parametrize(
    "changes, problem",
    [
        (dict(key=None, keys=[]), "keys is an empty list: name at least one key (or leave keys out)"),
        (dict(key=None, keys=["a", 3]), "keys entry 2 must be a key or a dict with key (and optional version_id), got 3"),
        (dict(key=None, keys=["s3://b/k"]), "keys: key 's3://b/k' is an S3 URI, not a key: give bucket='b' and key='k'"),
        (dict(key=None, manifest=""), "manifest must be a file path on the host that runs the module or s3://bucket/key, got ''"),
        (dict(key=None, manifest="s3://bucket-only"), "manifest must be a file path on the host that runs the module or s3://bucket/key"),
        (dict(versions="all"), "versions=all needs prefix, keys or manifest; with key, name the version with version_id"),
        (dict(PREFIX_RUN, versions="all", version_at="2026-01-01T00:00:00Z"), "version_at picks one version per key: leave versions out (it is all)"),
        (dict(PREFIX_RUN, version_at="2999-01-01T00:00:00Z"), "version_at '2999-01-01T00:00:00Z' is in the future"),
        (dict(PREFIX_RUN, version_at="yesterday"), "version_at must be an ISO 8601 date-time such as 2026-11-24T18:00:00Z, got 'yesterday'"),
        (dict(PREFIX_RUN, min_size="2 GB", max_size="1 GB"), "min_size (2 GB) is above max_size (1 GB): no object could match"),
        (dict(PREFIX_RUN, min_size="lots"), "min_size: 'lots' is not a size"),
        (dict(PREFIX_RUN, modified_after="2026-02-01", modified_before="2026-01-01"), "modified_after (2026-02-01) is not before modified_before"),
        (dict(PREFIX_RUN, include=[""]), "include holds an empty pattern"),
        (dict(include=["*.dump"]), "the filters (include) choose among the objects of prefix, keys or manifest; key names one object"),
    ],
)
def test_selection_problems_of_the_object_sources(changes, problem):
    problems = selection_problems(dict(SELECTION, **changes))
    assert any(text.startswith(problem) for text in problems), problems


@pytest.mark.parametrize(
    "changes",
    [dict(key=None, keys=["a", {"key": "b", "version_id": "v1"}]), dict(key=None, manifest="s3://manifests/run.csv"),
     dict(key=None, manifest="keys.txt", versions="noncurrent"), dict(PREFIX_RUN, version_at="2026-01-01T00:00:00+01:00"),
     dict(PREFIX_RUN, min_size="1 GiB", max_size=2**40, storage_classes=["GLACIER"], include=["db/*"], exclude=["*.tmp"],
          modified_after="2026-01-01", modified_before="2026-02-01T00:00:00Z")],
)
def test_valid_selections_have_no_problem(changes):
    assert selection_problems(dict(SELECTION, **changes)) == []


def test_the_four_sources_are_mutually_exclusive_and_one_is_required():
    assert options.SOURCE_RULES == {"mutually_exclusive": [("key", "prefix", "keys", "manifest")],
                                    "required_one_of": [("key", "prefix", "keys", "manifest")]}
    assert options.SELECTION_RULES == {"mutually_exclusive": [("key", "prefix")], "required_one_of": [("key", "prefix")]}


def test_the_selection_options_are_an_opt_in_of_the_shared_spec():
    assert "keys" not in options.s3_objects_argument_spec()
    assert set(options.s3_objects_argument_spec(**options.selection_options())) >= set(options.SOURCES)
