# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""selection: sizes, moments, key entries, version kinds, version_at over a key's versions, the filters (tables and
properties)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.s3async.restore.plugins.module_utils import selection

UTC = datetime.timezone.utc


def at(hour, minute=0):
    return datetime.datetime(2026, 11, 24, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    "value, size",
    [(0, 0), (1024, 1024), ("1024", 1024), ("1 GB", 10**9), ("1GB", 10**9), ("1 GiB", 2**30), ("1.5 MB", 1_500_000),
     ("10k", 10240), ("10 KB", 10_000), ("2 tib", 2 * 2**40), ("3 B", 3), ("512MiB", 512 * 2**20)],
)
def test_parse_size(value, size):
    assert selection.parse_size(value) == size


@pytest.mark.parametrize("value", ["", "GB", "1 XB", "-1", -1, True, "1 G B", "one"])
def test_parse_size_refuses(value):
    with pytest.raises(ValueError):
        selection.parse_size(value)


@pytest.mark.parametrize(
    "value, moment",
    [("2026-11-24T18:00:00Z", at(18)), ("2026-11-24T18:00:00", at(18)), ("2026-11-24T19:00:00+01:00", at(18)),
     ("2026-11-24", at(0))],
)
def test_parse_moment_is_utc_unless_told(value, moment):
    assert selection.parse_moment(value, "version_at") == moment


def test_parse_moment_names_the_option():
    with pytest.raises(ValueError, match="version_at must be an ISO 8601 date-time"):
        selection.parse_moment("last tuesday", "version_at")


def test_key_entries_take_strings_and_dicts_once_each_in_order():
    keys = ["a", {"key": "b", "version_id": "v1"}, "a", {"key": "b"}, {"key": "b", "version_id": "v1"}]
    assert selection.key_entries(keys) == [("a", None), ("b", "v1"), ("b", None)]


@pytest.mark.parametrize(
    "entry, message",
    [(3, "keys entry 1 must be a key or a dict"), ("", "keys entry 1 must be"), ({"Key": "a"}, "keys entry 1 must be"),
     ({"key": "a", "version": "v"}, "unknown field(s) version"), ({"key": "a", "version_id": ""}, "version_id must name")],
)
def test_key_entries_name_the_bad_entry(entry, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        selection.key_entries([entry])


def test_keys_by_folder_leaves_named_versions_to_a_head():
    pairs = [("db/b", None), ("db/a", None), ("top", None), ("db/c", "v1"), ("db/x/y", None)]
    assert selection.keys_by_folder(pairs) == {"db/": ["db/a", "db/b"], "": ["top"], "db/x/": ["db/x/y"]}


@pytest.mark.parametrize("wanted, worth", [(1, False), (12, False), (13, True), (1000, True)])
def test_a_folder_is_listed_only_when_a_page_costs_less_than_the_heads(wanted, worth):
    # One page costs what 12.5 HEADs cost (restore_state.LIST_PAGE_IN_HEADS).
    assert selection.folder_worth_listing(wanted) is worth


@pytest.mark.parametrize(
    "versions, is_latest, wanted",
    [("current", True, True), ("current", False, False), ("all", True, True), ("all", False, True),
     ("noncurrent", True, False), ("noncurrent", False, True)],
)
def test_version_wanted(versions, is_latest, wanted):
    assert selection.version_wanted(versions, is_latest) is wanted


def version(key, version_id, when, latest=False):
    return {"Key": key, "VersionId": version_id, "LastModified": when, "IsLatest": latest}


def test_versions_in_order_merges_markers_newest_first_per_key():
    page = {"Versions": [version("a", "a2", at(12), True), version("a", "a1", at(10)), version("b", "b1", at(9))],
            "DeleteMarkers": [version("b", "bd", at(11), True), version("a", "ad", at(11))]}
    ordered = [(entry["VersionId"], marker) for entry, marker in selection.versions_in_order(page)]
    assert ordered == [("a2", False), ("ad", True), ("a1", False), ("bd", True), ("b1", False)]


def test_group_by_key_follows_a_key_across_pages():
    pages = [{"Versions": [version("a", "a2", at(12), True)]}, {"Versions": [version("a", "a1", at(10)), version("b", "b1", at(9), True)]}]
    stream = (item for page in pages for item in selection.versions_in_order(page))
    grouped = [(key, [entry["VersionId"] for entry, _marker in group]) for key, group in selection.group_by_key(stream)]
    assert grouped == [("a", ["a2", "a1"]), ("b", ["b1"])]


HISTORY = [(version("k", "v3", at(15), True), False), (version("k", "dm", at(12)), True), (version("k", "v1", at(10)), False)]


@pytest.mark.parametrize(
    "moment, outcome, version_id",
    [(at(9), selection.AT_ABSENT, None), (at(10), selection.AT_VERSION, "v1"), (at(11), selection.AT_VERSION, "v1"),
     (at(12), selection.AT_DELETED, "dm"), (at(14, 59), selection.AT_DELETED, "dm"), (at(15), selection.AT_VERSION, "v3"),
     (at(23), selection.AT_VERSION, "v3")],
    ids=["before-the-first", "at-the-first", "between", "at-the-marker", "deleted", "at-the-last", "after-the-last"],
)
def test_version_at_picks_what_was_current_across_version_boundaries(moment, outcome, version_id):
    chosen, entry = selection.version_at(HISTORY, moment)
    assert chosen == outcome
    assert (entry or {}).get("VersionId") == version_id


@pytest.mark.parametrize("marker_listed_first", [False, True])
def test_version_at_prefers_the_delete_marker_on_a_last_modified_tie(marker_listed_first):
    """Versions and DeleteMarkers are separate lists: on a tie, which came later cannot be told; deleted wins."""
    page = {"Versions": [version("k", "v3", at(14), True), version("k", "v2", at(12)), version("k", "v1", at(10))],
            "DeleteMarkers": [version("k", "dm", at(12))]}
    ordered = selection.versions_in_order(page)
    assert [entry["VersionId"] for entry, _marker in ordered] == ["v3", "dm", "v2", "v1"]
    history = sorted(ordered, key=lambda item: item[1] != marker_listed_first)
    chosen, entry = selection.version_at(history, at(13))
    assert (chosen, entry["VersionId"]) == (selection.AT_DELETED, "dm")
    assert selection.version_at(history, at(14))[1]["VersionId"] == "v3"
    assert selection.version_at(history, at(11))[1]["VersionId"] == "v1"


@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8, unique=True), st.integers(min_value=0, max_value=1000))
def test_version_at_is_the_newest_not_after_the_moment(minutes, moment_minutes):
    base = at(0)
    history = [(version("k", str(minute), base + datetime.timedelta(minutes=minute)), False) for minute in sorted(minutes, reverse=True)]
    chosen, entry = selection.version_at(history, base + datetime.timedelta(minutes=moment_minutes))
    earlier = [minute for minute in minutes if minute <= moment_minutes]
    if earlier:
        assert (chosen, entry["VersionId"]) == (selection.AT_VERSION, str(max(earlier)))
    else:
        assert (chosen, entry) == (selection.AT_ABSENT, None)


def filters(**params):
    return selection.Filters.from_params(params)


@pytest.mark.parametrize(
    "params, key, out",
    [({}, "db/a.dump", None), ({"include": ["db/*.dump"]}, "db/a.dump", None), ({"include": ["db/*.dump"]}, "db/a.log", "include"),
     ({"exclude": ["*.log"]}, "db/a.log", "exclude"), ({"include": ["db/*"], "exclude": ["db/test-*"]}, "db/test-1", "exclude"),
     ({"include": ["DB/*"]}, "db/a", "include"),  # case-sensitive, as S3 keys are
     ({"include": ["db/*"]}, "db/x/y/z", None),  # * crosses '/': the pattern is on the whole key
     ({"include": ["a?c"]}, "abc", None), ({"include": ["[ab]*"]}, "cat", "include")],
)
def test_key_filters(params, key, out):
    assert filters(**params).key_out(key, set()) == out


def test_a_pattern_that_matched_nothing_is_reported():
    chosen = filters(include=["db/*", "logs/*"], exclude=["*.tmp"])
    matched = set()
    chosen.key_out("db/a", matched)
    assert chosen.unmatched_patterns(matched) == [("include", "logs/*"), ("exclude", "*.tmp")]


@pytest.mark.parametrize(
    "params, attributes, out",
    [({"storage_classes": ["DEEP_ARCHIVE"]}, ("GLACIER", 5, at(10)), "storage_classes"),
     ({"storage_classes": ["DEEP_ARCHIVE"]}, ("DEEP_ARCHIVE", 5, at(10)), None),
     ({"min_size": "1 KB"}, ("GLACIER", 999, at(10)), "min_size"), ({"min_size": "1 KB"}, ("GLACIER", 1000, at(10)), None),
     ({"max_size": 10}, ("GLACIER", 11, at(10)), "max_size"), ({"max_size": 10}, ("GLACIER", 10, at(10)), None),
     ({"modified_after": "2026-11-24T10:00:00Z"}, ("GLACIER", 1, at(10)), "modified_after"),
     ({"modified_after": "2026-11-24T10:00:00Z"}, ("GLACIER", 1, at(10, 1)), None),
     ({"modified_before": "2026-11-24T10:00:00Z"}, ("GLACIER", 1, at(10)), "modified_before"),
     ({"modified_before": "2026-11-24T10:00:00Z"}, ("GLACIER", 1, at(9)), None),
     ({"modified_before": "2026-11-24T10:00:00Z"}, ("GLACIER", 1, datetime.datetime(2026, 11, 24, 9)), None)],  # naive is UTC
)
def test_attribute_filters(params, attributes, out):
    assert filters(**params).attributes_out(*attributes) == out


def test_filters_tell_whether_the_key_alone_decides():
    assert filters().active is False
    assert filters(include=["a*"]).on_key_only is True
    assert filters(include=["a*"], min_size=1).on_key_only is False


def test_empty_counts_name_every_filter():
    assert list(selection.empty_counts()["counted_out"]) == list(selection.FILTER_NAMES)
