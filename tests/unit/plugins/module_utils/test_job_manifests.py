# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils/job_manifests: the pure rules of manifest_source=listing (rows, keys, plans, checks, words)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies

from ansible_collections.s3async.restore.plugins.module_utils import batch_job
from ansible_collections.s3async.restore.plugins.module_utils import batch_job_checks
from ansible_collections.s3async.restore.plugins.module_utils import batch_job_status
from ansible_collections.s3async.restore.plugins.module_utils import job_manifests
from ansible_collections.s3async.restore.plugins.module_utils.object_results import object_result

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/batch-restore"


def params(**extra):
    base = {
        "bucket": "archive", "prefix": "db/", "manifest": None, "storage_classes": ["GLACIER", "DEEP_ARCHIVE", "INTELLIGENT_TIERING"],
        "state": "present", "role_arn": ROLE, "account_id": ACCOUNT, "days": 7, "tier": "Standard",
        "report_bucket": "reports", "report_prefix": None, "report_scope": "all", "save_manifest": False, "priority": 10,
        "confirmation_required": False, "description": None, "tags": None, "idempotency_key": "",
        "wait_timeout": 100, "wait_delay": 60, "max_failed_tasks": 0, "manifest_source": "listing",
        "manifest_bucket": None, "manifest_prefix": None, "status_source": "auto", "concurrency": 8,
    }
    base.update(extra)
    return base


@pytest.mark.parametrize("storage_class, kind", [
    ("GLACIER", batch_job.KIND_GLACIER), ("DEEP_ARCHIVE", batch_job.KIND_GLACIER),
    ("INTELLIGENT_TIERING", batch_job.KIND_INTELLIGENT_TIERING), ("STANDARD", None), ("GLACIER_IR", None),
])
def test_kind_of(storage_class, kind):
    assert job_manifests.kind_of(storage_class) == kind


@pytest.mark.parametrize("status, error, needed", [
    ("archived", None, True),
    ("in_progress", None, False),  # a second task fails unless faster (batch-ops-initiate-restore-object)
    ("restored", None, False),  # a second task resets (can shorten) the copy's expiry
    ("not_archived", None, False),  # an INT object in an access tier: ObjectAlreadyInActiveTierError
    ("archived", "HEAD failed", False),
])
def test_needs_restore(status, error, needed):
    obj = object_result("k", None, "GLACIER", None, 1, status, None)
    if error:
        obj["error"] = error
    assert job_manifests.needs_restore(obj) is needed


@pytest.mark.parametrize("key, version_id, row", [
    ("db/a.dump", None, "archive,db/a.dump\n"),
    ("db/with space+plus,comma.txt", None, "archive,db/with%20space%2Bplus%2Ccomma.txt\n"),
    ("db/été", "v1", "archive,db/%C3%A9t%C3%A9,v1\n"),
])
def test_manifest_row_url_encodes_the_key(key, version_id, row):
    assert job_manifests.manifest_row("archive", key, version_id) == row


@given(strategies.text(min_size=1, max_size=200))
def test_a_row_always_has_two_fields_and_decodes_to_the_key(key):
    row = job_manifests.manifest_row("archive", key)
    assert row.endswith("\n") and row.count("\n") == 1
    bucket, encoded = row[:-1].split(",")
    assert bucket == "archive" and unquote(encoded) == key


@pytest.mark.parametrize("extra, bucket, prefix", [
    ({}, "reports", "s3async-restore/manifests/"),
    ({"manifest_bucket": "manifests", "manifest_prefix": "lists"}, "manifests", "lists/"),
    ({"manifest_prefix": ""}, "reports", ""),
])
def test_manifest_location_defaults(extra, bucket, prefix):
    assert job_manifests.manifest_bucket_of(params(**extra)) == bucket
    assert job_manifests.manifest_prefix_of(params(**extra)) == prefix


def test_manifest_keys_derive_from_the_identity_not_the_objects():
    first = job_manifests.plan_listing_jobs(params(), ACCOUNT)
    again = job_manifests.plan_listing_jobs(params(), ACCOUNT)
    keys = [job_manifests.manifest_key(params(), plan, 0) for plan in first]
    assert keys == [job_manifests.manifest_key(params(), plan, 0) for plan in again]
    assert keys[0].startswith("s3async-restore/manifests/archive/") and keys[0].endswith("/glacier.csv")
    assert keys[1].endswith("/intelligent_tiering.csv")
    # Another attempt (after a cancelled job), another key; another tier or idempotency_key, another key.
    assert job_manifests.manifest_key(params(), first[0], 1) != keys[0]
    other = job_manifests.plan_listing_jobs(params(idempotency_key="2026-12"), ACCOUNT)[0]
    assert job_manifests.manifest_key(params(), other, 0) != keys[0]


def test_listing_plans_are_their_own_scope():
    listing = job_manifests.plan_listing_jobs(params(), ACCOUNT)
    generated = batch_job.plan_jobs(params(manifest_source="generated"), ACCOUNT)
    assert [plan["kind"] for plan in listing] == [plan["kind"] for plan in generated]
    assert {plan["scope_id"] for plan in listing}.isdisjoint(plan["scope_id"] for plan in generated)
    glacier = listing[0]
    assert glacier["manifest"] is None
    assert glacier["description"].startswith("Restore archived GLACIER/DEEP_ARCHIVE listed under s3://archive/db/*, tier Standard, 7 days [")
    assert "days" not in listing[1]["description"]
    # A listed prefix overlaps a generated job for a nested prefix (batch_job_status.targets_overlap).
    targets = batch_job_status.plan_targets(glacier["scope"])
    assert targets == {"bucket": "archive", "prefixes": ["db/"], "classes": ["GLACIER", "DEEP_ARCHIVE"], "manifest": None}
    assert batch_job_status.targets_overlap(targets, batch_job_status.plan_targets(generated[0]["scope"]))


def test_a_written_manifest_is_the_csv_request_batch_job_sends():
    plan = job_manifests.plan_listing_jobs(params(), ACCOUNT)[0]
    plan["manifest"] = job_manifests.written_manifest("reports", "m/glacier.csv", '"abc"')
    request = batch_job.create_job_request(plan, params(), ACCOUNT)
    assert request["Manifest"] == {
        "Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]},
        "Location": {"ObjectArn": "arn:aws:s3:::reports/m/glacier.csv", "ETag": "abc"},
    }
    assert "ManifestGenerator" not in request
    assert request["Operation"] == {"S3InitiateRestoreObject": {"ExpirationInDays": 7, "GlacierJobTier": "STANDARD"}}


@pytest.mark.parametrize("extra, message", [
    ({"report_bucket": None}, "give manifest_bucket (or report_bucket"),
    ({"manifest_bucket": "s3://manifests/x"}, "manifest_bucket must be a bucket name"),
    ({"prefix": None, "manifest": {"key": "list.csv", "version_id": "v1"}}, "leave out manifest.version_id"),
    ({"prefix": None, "manifest": {"key": "inv/data.csv", "format": "inventory"}}, "must be the manifest.json"),
    ({"prefix": None, "keys": []}, "keys is an empty list"),
    ({"prefix": None, "keys": [{"key": "a", "size": 1}]}, "unknown field(s) size"),
    ({"versions": "all", "version_at": "2026-01-01T00:00:00Z"}, "version_at picks one version per key"),
    ({"include": [""]}, "include holds an empty pattern"),
    ({"modified_after": "yesterday"}, "modified_after"),
    ({"manifest_source": "generated", "versions": "all"}, "versions applies only with manifest_source=listing"),
    ({"manifest_source": "generated", "min_size": "1 GB"}, "min_size applies only with manifest_source=listing"),
    ({"save_manifest": True}, "save_manifest keeps the list the manifest generator makes"),
    ({"manifest_prefix": "p" * 801}, "manifest_prefix may be at most 800"),
    ({"concurrency": 0}, "concurrency must be 1 or more"),
    ({"manifest_source": "generated", "manifest_bucket": "m"}, "manifest_bucket applies only with manifest_source=listing"),
])
def test_listing_problems(extra, message):
    problems = batch_job_checks.validate(params(**extra))
    assert any(message in problem for problem in problems), problems


def test_listing_options_are_valid_as_given():
    assert batch_job_checks.validate(params()) == []
    # state=absent writes nothing: no manifest bucket needed.
    assert batch_job_checks.validate(params(state="absent", report_bucket=None)) == []


def summary(**counts):
    base = {"total": 0, "bytes": 0, "archived": 0, "in_progress": 0, "restored": 0, "not_archived": 0,
            "bytes_by_status": {"archived": 0, "in_progress": 0, "restored": 0, "not_archived": 0}, "failed": 0,
            "by_storage_class": {}}
    base.update(counts)
    return base


def entry(action, objects=None, kind="glacier", classes=("GLACIER", "DEEP_ARCHIVE")):
    return {"kind": kind, "storage_classes": list(classes), "action": action, "location": f"s3://reports/m/{kind}.csv",
            "objects": objects, "bytes": None if objects is None else objects * 20, "etag": None}


@pytest.mark.parametrize("listing, check_mode, jobs_text, expected", [
    ({"prefix": "db/", "listed": 0, "summary": summary(), "manifests": [entry("none", 0)]}, False, None,
     "No restore job created: s3://archive/db/* matched no object. Listed 0 objects under s3://archive/db/*; "
     "no GLACIER/DEEP_ARCHIVE object needs a restore, so no job for them."),
    ({"prefix": "db/", "listed": 3, "summary": summary(total=2, restored=2, bytes_by_status=dict(summary()["bytes_by_status"], restored=0)),
      "manifests": [entry("none", 0)]}, True, None,
     "Check mode: No restore job would be created: s3://archive/db/* holds no object that needs a restore. Listed 3 "
     "objects under s3://archive/db/*; in the storage classes restored, 2 objects (0 bytes): 2 restored (0 bytes); "
     "no GLACIER/DEEP_ARCHIVE object needs a restore, so no job for them."),
    ({"prefix": "db/", "listed": None, "summary": None, "manifests": [entry("found")]}, False, "Created job j for X (New).",
     "Created job j for X (New). Used the manifest s3://reports/m/glacier.csv an earlier run wrote."),
    ({"prefix": "db/", "listed": None, "summary": None, "manifests": []}, False, "Found job j for X (Active).",
     "Found job j for X (Active)."),
    ({"prefix": "db/", "listed": 5, "summary": summary(), "manifests": [entry("written", 5)]}, False, "Created job j.",
     "Created job j. Listed 5 objects under s3://archive/db/*; wrote the manifest s3://reports/m/glacier.csv (5 objects, 100 bytes)."),
])
def test_listing_message(listing, check_mode, jobs_text, expected):
    assert job_manifests.listing_message(listing, "archive", check_mode, jobs_text) == expected


# -- other sources: keys, a manifest read on the controller, versions and filters ------------------------------

def test_a_key_list_is_one_scope_whatever_its_order_and_its_common_prefix_is_its_target():
    first = job_manifests.plan_listing_jobs(params(prefix=None, keys=["db/b", "db/a", {"key": "db/c", "version_id": "v"}]), ACCOUNT)
    again = job_manifests.plan_listing_jobs(params(prefix=None, keys=[{"key": "db/c", "version_id": "v"}, "db/a", "db/b"]), ACCOUNT)
    assert [plan["scope_id"] for plan in first] == [plan["scope_id"] for plan in again]
    other = job_manifests.plan_listing_jobs(params(prefix=None, keys=["db/a"]), ACCOUNT)
    assert other[0]["scope_id"] != first[0]["scope_id"]
    assert batch_job_status.plan_targets(first[0]["scope"])["prefixes"] == ["db/"]
    assert "listed of s3://archive/ (3 keys), tier Standard" in first[0]["description"]


def test_selection_options_make_another_scope():
    plain = job_manifests.plan_listing_jobs(params(), ACCOUNT)[0]
    for extra in ({"versions": "all"}, {"version_at": "2026-01-01T00:00:00Z"}, {"min_size": "1 GB"}, {"exclude": ["*.tmp"]}):
        assert job_manifests.plan_listing_jobs(params(**extra), ACCOUNT)[0]["scope_id"] != plain["scope_id"], extra
    # Defaults given explicitly are the same job as before.
    assert job_manifests.plan_listing_jobs(params(versions="current", include=[]), ACCOUNT)[0]["scope_id"] == plain["scope_id"]


def test_a_manifest_read_on_the_controller_targets_that_manifest():
    inventory = {"bucket": "lists", "key": "inv/manifest.json", "format": "inventory"}
    plans = job_manifests.plan_listing_jobs(params(prefix=None, manifest=inventory), ACCOUNT)
    assert [plan["kind"] for plan in plans] == ["glacier", "intelligent_tiering"]  # any storage_classes will do
    assert batch_job_status.plan_targets(plans[0]["scope"])["manifest"] == "lists/inv/manifest.json"
    assert "listed of s3://archive/ (manifest s3://lists/inv/manifest.json)" in plans[0]["description"]


@pytest.mark.parametrize("extra, expected", [
    ({}, False),  # ListObjectsV2 names no version: the job restores the current one
    ({"versions": "all"}, True),
    ({"version_at": "2026-01-01T00:00:00Z"}, True),
    ({"prefix": None, "keys": ["a", "b"]}, False),
    ({"prefix": None, "keys": ["a", {"key": "b", "version_id": "v"}]}, True),
    ({"prefix": None, "manifest": {"key": "list.csv"}}, True),  # each row's HEAD names the version it read
])
def test_with_versions(extra, expected):
    assert job_manifests.with_versions(params(**extra)) is expected
    assert job_manifests.key_listing_allowed(params(**extra)) is not (expected and "keys" in extra)


@pytest.mark.parametrize("version_id, column", [("3HL4kqtJ", "3HL4kqtJ"), (None, "null")])
def test_row_version_is_null_without_one(version_id, column):
    assert job_manifests.row_version(object_result("k", version_id, "GLACIER", None, 1, "archived", None)) == column


def test_written_manifest_with_versions_has_the_version_column():
    assert job_manifests.written_manifest("r", "k", '"e"', with_versions=True)["fields"] == ["Bucket", "Key", "VersionId"]


@pytest.mark.parametrize("extra", [
    {}, {"prefix": ""}, {"prefix": "db/été, with/commas=and%"}, {"prefix": None, "keys": ["logs/2026/a", "logs/2026/b"]},
    {"prefix": None, "manifest": {"bucket": "lists", "key": "restore/list.csv"}},
])
def test_a_listing_manifest_key_says_what_its_job_restores(extra):
    """What DescribeJob shows of a listing job is its manifest's location: the key carries the targets, so that
    another run sees the overlap (batch_job_status.job_targets)."""
    for plan in job_manifests.plan_listing_jobs(params(**extra), ACCOUNT):
        key = job_manifests.manifest_key(params(**extra), plan, 2)
        assert len(key.encode("utf-8")) <= 1024 and "%" not in key and key.endswith(f"/{plan['kind']}.csv")
        targets = job_manifests.listed_targets(f"reports/{key}")
        expected = batch_job_status.plan_targets(plan["scope"])
        assert targets["bucket"] == "archive" and targets["prefixes"] == expected["prefixes"]
        assert targets["manifest"] == expected["manifest"]
        assert set(plan["storage_classes"]) <= set(targets["classes"])


def test_a_prefix_too_long_for_the_key_is_cut_to_a_prefix_that_contains_it():
    long_prefix = "d/" + "é" * 500
    plan = job_manifests.plan_listing_jobs(params(prefix=long_prefix, manifest_prefix="m" * 800), ACCOUNT)[0]
    key = job_manifests.manifest_key(params(prefix=long_prefix, manifest_prefix="m" * 800), plan, 0)
    assert len(key.encode("utf-8")) <= 1024
    cut = job_manifests.listed_targets(f"reports/{key}")["prefixes"][0]
    assert long_prefix.startswith(cut) and len(cut) < len(long_prefix)


@pytest.mark.parametrize("resource", [
    None, "lists/restore/list.csv", "reports/s3async-restore/manifests/archive/0a1b2c3d4e5f-6a7b8c9d0e1f-0/glacier.csv",
    "reports/x/archive/0a1b2c3d4e5f-6a7b8c9d0e1f-0/p-%%%/glacier.csv",
])
def test_other_manifests_say_nothing_of_their_targets(resource):
    assert job_manifests.listed_targets(resource) is None


def test_listing_of_a_manifest_takes_mixed_storage_classes():
    assert batch_job_checks.validate(params(prefix=None, manifest={"key": "list.csv", "format": "csv"})) == []
    assert batch_job_checks.validate(params(prefix=None, keys=["db/a", {"key": "db/b", "version_id": "v1"}],
                                            versions="current", min_size="1 KiB", include=["db/*"])) == []


def test_listing_message_names_the_keys_read():
    listing = {"prefix": None, "target": "s3://archive/ (2 keys)", "listed": 2, "summary": summary(),
               "manifests": [entry("none", 0)]}
    assert job_manifests.listing_message(listing, "archive", False, None).startswith(
        "No restore job created: s3://archive/ (2 keys) holds no object that needs a restore. Listed 2 objects of "
        "s3://archive/ (2 keys);")


def test_the_empty_marker_sits_beside_the_manifest_and_fits_in_a_key():
    """Room is kept for ".empty" where a prefix too long is cut (S3 keys: at most 1,024 bytes of UTF-8)."""
    chosen = params(prefix="d/" + "x" * 900, manifest_prefix="m" * 800)
    plan = job_manifests.plan_listing_jobs(chosen, ACCOUNT)[0]
    key = job_manifests.manifest_key(chosen, plan, 0)
    marker = job_manifests.empty_marker_key(key)
    assert marker == key[: -len(".csv")] + ".empty" and len(marker.encode("utf-8")) <= 1024
    assert job_manifests.listed_targets(f"r/{marker}") is None  # never read as a manifest


def test_a_rerun_that_found_only_empty_markers_says_so():
    listing = {"prefix": "db/", "target": "s3://b/db/*", "listed": None, "summary": None, "manifests": [
        {"kind": "glacier", "storage_classes": ["GLACIER", "DEEP_ARCHIVE"], "action": "found_empty",
         "location": "s3://r/m/glacier.empty", "objects": 0, "bytes": 0, "etag": None}]}
    text = job_manifests.listing_message(listing, "b", False, None)
    assert text == ("No restore job created: s3://b/db/* held no object that needs a restore when an earlier run "
                    "listed it (give another idempotency_key to list again). An earlier run found no "
                    "GLACIER/DEEP_ARCHIVE object that needs a restore (s3://r/m/glacier.empty), so no job for them.")
