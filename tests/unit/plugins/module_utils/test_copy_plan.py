# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""copy_plan: what is copied, where, with which arguments (pure: tables and properties)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.s3async.restore.plugins.module_utils import copy_plan
from ansible_collections.s3async.restore.plugins.module_utils import restore_state

KMS_KEY = "arn:aws:kms:us-east-1:111122223333:key/1"


def obj(storage_class="GLACIER", status="restored", **extra):
    return dict({"key": "db/a", "storage_class": storage_class, "status": status, "size": 10}, **extra)


@pytest.mark.parametrize("result, in_place, copied", [
    (obj("GLACIER", "restored"), True, True),
    (obj("DEEP_ARCHIVE", "restored"), False, True),
    (obj("GLACIER", "archived"), True, False),
    (obj("GLACIER", "in_progress"), False, False),
    (obj("INTELLIGENT_TIERING", "not_archived"), True, False),
    (obj("INTELLIGENT_TIERING", "not_archived"), False, True),
    (obj("INTELLIGENT_TIERING", "restored"), False, True),
    (obj("INTELLIGENT_TIERING", "archived"), False, False),
    (obj("STANDARD", "not_archived"), False, False),
    (obj("GLACIER_IR", "not_archived"), False, False),
    (obj("GLACIER", "restored", error="denied"), True, False),
])
def test_copy_needed(result, in_place, copied):
    assert bool(copy_plan.copy_needed(result, in_place)) is copied


@pytest.mark.parametrize("status, pending", [("archived", True), ("in_progress", True), ("restored", False), ("not_archived", False)])
def test_pending_is_archived_or_being_restored(status, pending):
    assert copy_plan.is_pending(obj(status=status)) is pending


def params(**extra):
    return dict({"bucket": "src", "key": None, "prefix": "db/2026/", "destination_bucket": None,
                 "destination_prefix": None}, **extra)


@pytest.mark.parametrize("given_params, key, destination_key, in_place", [
    (params(), "db/2026/a", "db/2026/a", True),
    (params(destination_prefix="kept/"), "db/2026/x/a", "kept/x/a", False),
    (params(destination_bucket="dst"), "db/2026/a", "db/2026/a", False),
    (params(destination_bucket="src"), "db/2026/a", "db/2026/a", True),
    (params(prefix=None, key="db/2026/a.dump", destination_prefix="kept/"), "db/2026/a.dump", "kept/a.dump", False),
    (params(prefix=None, key="top.dump", destination_prefix="kept/"), "top.dump", "kept/top.dump", False),
    (params(prefix="", destination_prefix="all/"), "x/y", "all/x/y", False),
    # keys and manifest have no prefix: destination_prefix goes in front of the whole key.
    (params(prefix=None, keys=["db/a"], destination_prefix="kept/"), "db/a", "kept/db/a", False),
    (params(prefix=None, manifest="m.txt"), "db/a", "db/a", True),
])
def test_destination_prefix_replaces_the_selection_prefix(given_params, key, destination_key, in_place):
    destination = copy_plan.Destination.from_params(given_params)
    assert destination.key_for(key) == destination_key
    assert destination.in_place(key) is in_place
    assert destination.whole_run_in_place is in_place


@pytest.mark.parametrize("result, may_be", [
    (obj(version_id=None, version_kind="current"), False),  # a listing of current versions, or a key without version
    (obj(version_id="v2", version_kind="current"), False),  # the listing of versions says it is the latest
    (obj(version_id="v1", version_kind="noncurrent"), True),
    (obj(version_id="v1", version_kind=None), True),  # named by its ID: HeadObject does not say
])
def test_may_be_noncurrent(result, may_be):
    assert copy_plan.may_be_noncurrent(result) is may_be


def test_noncurrent_in_place_problem_says_why_and_the_way_out():
    problem = copy_plan.noncurrent_in_place_problem("v1")
    assert problem.startswith("version v1 is not the current version of its key: copied in place")
    assert "destination_bucket or destination_prefix" in problem


def test_in_place_copy_keeps_metadata_by_directive_and_changes_the_class():
    args = copy_plan.copy_arguments({"ETag": '"e"', "Metadata": {"a": "1"}}, "k", "STANDARD", True)
    assert args == {"Key": "k", "StorageClass": "STANDARD", "MetadataDirective": "COPY", "TaggingDirective": "COPY"}


def test_copy_elsewhere_sends_the_metadata_again_with_the_source_identity():
    head = {"ETag": '"e"', "VersionId": "v1", "Metadata": {"a": "1"}, "ContentType": "text/csv",
            "ContentEncoding": "gzip", "CacheControl": "no-cache", "ChecksumSHA256": "x"}
    args = copy_plan.copy_arguments(head, "kept/k", "STANDARD_IA", False)
    assert args == {
        "Key": "kept/k", "StorageClass": "STANDARD_IA", "MetadataDirective": "REPLACE", "TaggingDirective": "COPY",
        "ContentType": "text/csv", "ContentEncoding": "gzip", "CacheControl": "no-cache", "ChecksumAlgorithm": "SHA256",
        "Metadata": {"a": "1", copy_plan.SOURCE_ETAG_METADATA: "e", copy_plan.SOURCE_VERSION_METADATA: "v1"},
    }


def test_metadata_without_room_for_the_identity_is_copied_by_s3():
    head = {"ETag": '"e"', "Metadata": {"big": "x" * 2040}}
    assert copy_plan.copy_arguments(head, "k2", "STANDARD", False)["MetadataDirective"] == "COPY"


@pytest.mark.parametrize("head, expected", [
    ({"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY, "BucketKeyEnabled": False},
     {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY, "BucketKeyEnabled": False}),
    ({"ServerSideEncryption": "aws:kms:dsse", "SSEKMSKeyId": KMS_KEY},
     {"ServerSideEncryption": "aws:kms:dsse", "SSEKMSKeyId": KMS_KEY}),
    ({"ServerSideEncryption": "AES256"}, {"ServerSideEncryption": "AES256"}),
    ({"ChecksumCRC32C": "x"}, {"ChecksumAlgorithm": "CRC32C"}),
    ({"ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": datetime.datetime(2030, 1, 1)},
     {"ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": datetime.datetime(2030, 1, 1)}),
    ({"ObjectLockLegalHoldStatus": "OFF"}, {}),
    ({"ObjectLockLegalHoldStatus": "ON"}, {"ObjectLockLegalHoldStatus": "ON"}),
])
def test_encryption_checksum_and_lock_are_carried_over(head, expected):
    args = copy_plan.copy_arguments(dict(head, ETag='"e"'), "k", "STANDARD", True)
    assert {name: value for name, value in args.items() if name not in ("Key", "StorageClass", "MetadataDirective", "TaggingDirective")} == expected


def test_multipart_arguments_set_what_upload_part_copy_does_not_copy():
    head = {"ETag": '"e-3"', "Metadata": {"a": "1"}, "ContentType": "text/plain", "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY}
    args = copy_plan.multipart_arguments(head, "k", "STANDARD", [{"Key": "team", "Value": "a b"}, {"Key": "x&y", "Value": "1"}])
    assert args == {"Key": "k", "StorageClass": "STANDARD", "ContentType": "text/plain", "Tagging": "team=a%20b&x%26y=1",
                    "Metadata": {"a": "1", copy_plan.SOURCE_ETAG_METADATA: "e-3"},
                    "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY}


@pytest.mark.parametrize("source, destination, same", [
    ({"ContentLength": 5, "ETag": '"e"'}, None, False),
    ({"ContentLength": 5, "ETag": '"e"'}, {"ContentLength": 5, "ETag": '"e"'}, True),
    ({"ContentLength": 5, "ETag": '"e"'}, {"ContentLength": 6, "ETag": '"e"'}, False),
    ({"ContentLength": 5, "ETag": '"e"'}, {"ContentLength": 5, "ETag": '"f"', "Metadata": {copy_plan.SOURCE_ETAG_METADATA: "e"}}, True),
    ({"ContentLength": 5, "ETag": '"e"', "VersionId": "v2"},
     {"ContentLength": 5, "ETag": '"f"', "Metadata": {copy_plan.SOURCE_ETAG_METADATA: "e", copy_plan.SOURCE_VERSION_METADATA: "v1"}}, False),
    ({"ContentLength": 5, "ETag": '"e"'}, {"ContentLength": 5, "ETag": '"f"'}, False),
])
def test_already_copied_needs_the_size_and_the_source_identity(source, destination, same):
    if destination and "Metadata" not in destination:
        destination = dict(destination, ETag='"f"')  # no identity: the ETag tells nothing (see the test below)
        same = False
    assert copy_plan.already_copied(source, destination, "STANDARD") is same


SOURCE_AT = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
LATER = SOURCE_AT + datetime.timedelta(days=200)


@pytest.mark.parametrize("destination, storage_class, same", [
    # Made without room for the identity: an SSE-KMS or multipart copy has another ETag, yet is the same object.
    ({"ContentLength": 5, "ETag": '"kms-etag"', "LastModified": LATER}, "STANDARD", True),
    ({"ContentLength": 5, "ETag": '"abc-3"', "LastModified": LATER, "StorageClass": "STANDARD_IA"}, "STANDARD_IA", True),
    ({"ContentLength": 5, "ETag": '"abc-3"', "LastModified": LATER, "StorageClass": "STANDARD_IA"}, "STANDARD", False),
    ({"ContentLength": 5, "ETag": '"e"', "LastModified": SOURCE_AT - datetime.timedelta(days=1)}, "STANDARD", False),
    ({"ContentLength": 6, "ETag": '"x"', "LastModified": LATER}, "STANDARD", False),
    ({"ContentLength": 5, "ETag": '"x"'}, "STANDARD", False),
])
def test_already_copied_without_identity_compares_size_date_and_class(destination, storage_class, same):
    source = {"ContentLength": 5, "ETag": '"e"', "LastModified": SOURCE_AT, "Metadata": {"big": "x" * 2040}}
    assert copy_plan.already_copied(source, destination, storage_class) is same
    assert copy_plan.recorded_identity(destination) == {}


NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("until, kept", [
    (datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc), True),
    (datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc), False),
    (NOW, False),
    (datetime.datetime(2026, 1, 1), False),  # naive: read as UTC
])
def test_an_expired_retention_is_not_applied_to_the_copy(until, kept):
    head = {"ETag": '"e"', "ObjectLockMode": "COMPLIANCE", "ObjectLockRetainUntilDate": until, "ObjectLockLegalHoldStatus": "ON",
            "ContentLength": 7 * copy_plan.GIB}
    for args in (copy_plan.copy_arguments(head, "k", "STANDARD", False, NOW),
                 copy_plan.multipart_arguments(head, "k", "STANDARD", [], False, NOW)):
        assert ("ObjectLockRetainUntilDate" in args and args["ObjectLockMode"] == "COMPLIANCE") is kept
        assert args["ObjectLockLegalHoldStatus"] == "ON"


@pytest.mark.parametrize("in_place, metadata", [(True, {"big": "x" * 2040}), (False, {"big": "x" * 2040})])
def test_a_copy_kept_by_the_copy_directive_sends_the_website_redirect(in_place, metadata):
    head = {"ETag": '"e"', "Metadata": metadata, "WebsiteRedirectLocation": "/new.html"}
    args = copy_plan.copy_arguments(head, "k", "STANDARD", in_place)
    assert args["MetadataDirective"] == "COPY" and args["WebsiteRedirectLocation"] == "/new.html"


def test_in_place_multipart_copy_keeps_the_source_metadata_unchanged():
    head = {"ETag": '"e-3"', "VersionId": "v1", "Metadata": {"a": "1"}}
    assert copy_plan.multipart_arguments(head, "k", "STANDARD", [], True)["Metadata"] == {"a": "1"}
    assert copy_plan.SOURCE_ETAG_METADATA in copy_plan.multipart_arguments(head, "k2", "STANDARD", [], False)["Metadata"]


@pytest.mark.parametrize("field, algorithm", [("ChecksumSHA512", "SHA512"), ("ChecksumMD5", "MD5"),
                                              ("ChecksumXXHASH64", "XXHASH64"), ("ChecksumXXHASH3", "XXHASH3"),
                                              ("ChecksumXXHASH128", "XXHASH128"), ("ChecksumCRC64NVME", "CRC64NVME")])
def test_every_checksum_algorithm_of_copy_object_is_kept(field, algorithm):
    assert copy_plan.copy_arguments({"ETag": '"e"', field: "x"}, "k", "STANDARD", True)["ChecksumAlgorithm"] == algorithm


def test_sse_c_is_refused_with_the_reason():
    assert "customer-provided key (SSE-C)" in copy_plan.refusal({"SSECustomerAlgorithm": "AES256"})
    assert copy_plan.refusal({}) is None


@given(size=st.integers(min_value=1, max_value=5 * 1024 ** 4), part_size=st.integers(min_value=5 * 1024 ** 2, max_value=5 * 1024 ** 3))
def test_part_ranges_cover_the_object_within_s3_limits(size, part_size):
    limits = copy_plan.CopyLimits(part_size=part_size)
    ranges = copy_plan.part_ranges(size, limits)
    assert 1 <= len(ranges) <= limits.max_parts
    bounds = [tuple(map(int, byte_range[len("bytes="):].split("-"))) for _number, byte_range in ranges]
    assert bounds[0][0] == 0 and bounds[-1][1] == size - 1
    assert all(after[0] == before[1] + 1 for before, after in zip(bounds, bounds[1:]))
    assert all(limits.min_part_size <= end - start + 1 <= limits.max_part_size for start, end in bounds[:-1])
    assert [number for number, _range in ranges] == list(range(1, len(ranges) + 1))


@pytest.mark.parametrize("size, multipart", [(5 * 1024 ** 3, False), (5 * 1024 ** 3 + 1, True)])
def test_multipart_above_copy_objects_5_gib_limit(size, multipart):
    assert copy_plan.uses_multipart(size) is multipart


def test_above_5_tib_cannot_be_copied():
    assert copy_plan.too_large(5 * 1024 ** 4 + 1) and copy_plan.too_large(5 * 1024 ** 4) is None


def summary_of(*objects):
    summary = restore_state.new_summary()
    summary.update(copy_plan.new_copy_counts())
    for result in objects:
        restore_state.count(summary, result)
        copy_plan.count_copy(summary, result)
    return summary


def test_message_says_what_was_copied_where_and_what_is_pending():
    summary = summary_of(obj(copy_status="copied", action="copied"), obj("DEEP_ARCHIVE", "archived", copy_status="pending", size=5))
    assert summary["by_storage_class"]["GLACIER"]["copied_bytes"] == 10
    text = copy_plan.unarchive_message("s3://b/db/*", "STANDARD in place", summary, False)
    assert text == ("s3://b/db/*: copied 1 object (10 bytes) to STANDARD in place; 1 pending (archived or being restored); "
                    "2 objects (15 bytes): 1 archived (5 bytes), 1 restored (10 bytes); DEEP_ARCHIVE 1, GLACIER 1.")
    assert copy_plan.unarchive_message("s3://b/db/*", "x", summary, True).startswith("s3://b/db/*: would copy 1 object")
    assert copy_plan.unarchive_message("s3://b/db/*", "x", summary_of(), False) == "s3://b/db/*: nothing matched, nothing copied."


@pytest.mark.parametrize("changes, words", [
    ({"storage_class": "GLACIER"}, None),
    ({"destination_bucket": "s3://kept"}, "destination_bucket 's3://kept' is not a valid bucket name"),
    ({"destination_prefix": "s3://b/p/"}, "is an S3 URI"),
    ({"request_restores": True, "days": 0}, "days must be 1 or more"),
    ({"request_restores": True, "tier_fallback": "Bulk"}, "tier_fallback applies to tier=Expedited only"),
    ({"wait_delay": 0}, "wait_delay must be 1 or more"),
    ({"key": None, "prefix": "db/", "versions": "noncurrent", "destination_bucket": "kept"}, "versions=noncurrent would copy several"),
    ({"key": None, "prefix": "db/", "versions": "current"}, None),
    ({"key": None, "prefix": "db/", "version_at": "2026-01-01T00:00:00Z"}, "version_at copies the versions of a past moment"),
    ({"key": None, "prefix": "db/", "version_at": "2026-01-01T00:00:00Z", "destination_prefix": "db/"}, "in place"),
    ({"key": None, "prefix": "db/", "version_at": "2026-01-01T00:00:00Z", "destination_prefix": "then/"}, None),
    ({"key": None, "prefix": "db/", "version_at": "2026-01-01T00:00:00Z", "destination_bucket": "kept"}, None),
    ({"key": None, "keys": ["a", {"key": "a", "version_id": "v1"}]}, "keys names 'a' twice (the current version and version v1)"),
    ({"key": None, "keys": ["a", "a", {"key": "b", "version_id": "v1"}]}, None),  # the same entry twice is read once
    ({"key": None, "keys": [3]}, "keys entry 1 must be a key"),
    ({"key": None, "manifest": "m.txt", "version_at": "2999-01-01T00:00:00Z", "destination_bucket": "kept"}, "in the future"),
    ({"key": None, "prefix": "a/", "destination_prefix": "a/copy/"}, "is inside prefix 'a/' in the same bucket"),
    ({"key": None, "prefix": "", "destination_prefix": "copy/"}, "is inside prefix '' in the same bucket"),
    ({"key": None, "prefix": "a/", "destination_prefix": "a/copy/", "destination_bucket": "src"}, "copy of a copy"),
    ({"key": None, "prefix": "a/", "destination_prefix": "a/copy/", "destination_bucket": "kept"}, None),
    ({"key": None, "prefix": "a/", "destination_prefix": "b/"}, None),
    ({"key": None, "prefix": "a/", "destination_prefix": "a/"}, None),
])
def test_unarchive_problems(changes, words):
    given_params = {"bucket": "src", "key": "a", "prefix": None, "version_id": None, "expected_bucket_owner": None,
                    "max_requests_per_second": None, "concurrency": 4, "max_results": 25, "destination_bucket": None,
                    "destination_prefix": None, "request_restores": False, "days": 7, "tier": "Standard",
                    "tier_fallback": None, "max_restores": None, "wait_timeout": 0, "wait_delay": 60}
    given_params.update(changes)
    problem = copy_plan.unarchive_problems(given_params)
    assert (problem is None) if words is None else (words in problem)
