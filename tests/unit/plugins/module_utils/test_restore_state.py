# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import restore_state as rs

ONGOING = 'ongoing-request="true"'
DONE = 'ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"'
DONE_EXPIRY = datetime.datetime(2012, 12, 21, tzinfo=datetime.timezone.utc)

NOT_ARCHIVED_CLASSES = [
    None,  # HeadObject omits StorageClass for STANDARD
    "STANDARD",
    "STANDARD_IA",
    "ONEZONE_IA",
    "REDUCED_REDUNDANCY",
    "GLACIER_IR",  # Instant Retrieval: readable in real time, never restored
    "EXPRESS_ONEZONE",
    "OUTPOSTS",
    "SNOW",
]


def _cases():
    """Every storage class x archive status x restore header combination, with the expected status."""
    cases = []
    for storage_class in NOT_ARCHIVED_CLASSES:
        for header in (None, ONGOING, DONE):
            cases.append((storage_class, None, header, rs.STATUS_NOT_ARCHIVED, None))
    for storage_class in rs.GLACIER_CLASSES:
        cases += [
            (storage_class, None, None, rs.STATUS_ARCHIVED, None),
            (storage_class, None, "", rs.STATUS_ARCHIVED, None),
            (storage_class, None, ONGOING, rs.STATUS_IN_PROGRESS, None),
            (storage_class, None, DONE, rs.STATUS_RESTORED, DONE_EXPIRY),
        ]
    for tier in rs.INT_ARCHIVE_TIERS:
        cases += [
            ("INTELLIGENT_TIERING", tier, None, rs.STATUS_ARCHIVED, None),
            ("INTELLIGENT_TIERING", tier, ONGOING, rs.STATUS_IN_PROGRESS, None),
            # No expiry for Intelligent-Tiering: the object moves back to Frequent Access.
            ("INTELLIGENT_TIERING", tier, DONE, rs.STATUS_RESTORED, None),
        ]
    cases += [
        ("INTELLIGENT_TIERING", None, None, rs.STATUS_NOT_ARCHIVED, None),
        ("INTELLIGENT_TIERING", None, ONGOING, rs.STATUS_IN_PROGRESS, None),
        ("INTELLIGENT_TIERING", None, DONE, rs.STATUS_RESTORED, None),
    ]
    return cases


@pytest.mark.parametrize(
    "storage_class, archive_status, header, status, expiry",
    _cases(),
    ids=lambda value: repr(value)[:40],
)
def test_classify_every_class_and_header(storage_class, archive_status, header, status, expiry):
    assert rs.classify(storage_class, archive_status, header) == (status, expiry)


@pytest.mark.parametrize(
    "now, status",
    [
        (DONE_EXPIRY - datetime.timedelta(seconds=1), rs.STATUS_RESTORED),
        (DONE_EXPIRY, rs.STATUS_ARCHIVED),
        (DONE_EXPIRY + datetime.timedelta(days=1), rs.STATUS_ARCHIVED),
    ],
    ids=["before-expiry", "at-expiry", "after-expiry"],
)
def test_expired_copy_counts_as_archived(now, status):
    assert rs.classify("GLACIER", None, DONE, now=now)[0] == status


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, (None, None)),
        ("   ", (None, None)),
        ('ongoing-request="true"', (True, None)),
        ('ongoing-request="TRUE"', (True, None)),
        (DONE, (False, DONE_EXPIRY)),
        ('ongoing-request="false", expiry-date="Wed, 02 Dec 2099 00:00:00 GMT"',
         (False, datetime.datetime(2099, 12, 2, tzinfo=datetime.timezone.utc))),
        ('ongoing-request="false"', (False, None)),
    ],
)
def test_parse_restore_header(header, expected):
    assert rs.parse_restore_header(header) == expected


@pytest.mark.parametrize(
    "header",
    ["restored", 'ongoing-request="maybe"', 'ongoing-request="false", expiry-date="not a date"'],
)
def test_unknown_restore_header_is_refused(header):
    with pytest.raises(rs.RestoreHeaderError):
        rs.parse_restore_header(header)


@pytest.mark.parametrize(
    "storage_class, archive_status, tier, refused",
    [
        ("GLACIER", None, "Expedited", False),
        ("GLACIER", None, "Standard", False),
        ("GLACIER", None, "Bulk", False),
        ("DEEP_ARCHIVE", None, "Expedited", True),
        ("DEEP_ARCHIVE", None, "Standard", False),
        ("DEEP_ARCHIVE", None, "Bulk", False),
        ("INTELLIGENT_TIERING", "ARCHIVE_ACCESS", "Expedited", False),
        ("INTELLIGENT_TIERING", "DEEP_ARCHIVE_ACCESS", "Expedited", True),
        ("INTELLIGENT_TIERING", "DEEP_ARCHIVE_ACCESS", "Bulk", False),
        ("GLACIER", None, "Fast", True),
    ],
)
def test_tier_problem(storage_class, archive_status, tier, refused):
    problem = rs.tier_problem(storage_class, archive_status, tier)
    assert (problem is not None) == refused
    if refused and tier == "Expedited":
        assert "tier=Standard" in problem and "Expedited" in problem


@pytest.mark.parametrize("days, ok", [(1, True), (7, True), (0, False), (-3, False), (None, False)])
def test_days_problem(days, ok):
    assert (rs.days_problem(days) is None) == ok


@pytest.mark.parametrize(
    "storage_class, archive_status, expected",
    [
        ("GLACIER", None, {"Days": 7, "GlacierJobParameters": {"Tier": "Bulk"}}),
        ("DEEP_ARCHIVE", None, {"Days": 7, "GlacierJobParameters": {"Tier": "Bulk"}}),
        # Days must never be sent for Intelligent-Tiering: S3 answers 400 "... Do not specify Days".
        ("INTELLIGENT_TIERING", "ARCHIVE_ACCESS", {"GlacierJobParameters": {"Tier": "Bulk"}}),
        ("INTELLIGENT_TIERING", "DEEP_ARCHIVE_ACCESS", {"GlacierJobParameters": {"Tier": "Bulk"}}),
    ],
)
def test_restore_request_sends_days_only_for_glacier_classes(storage_class, archive_status, expected):
    assert rs.restore_request(storage_class, archive_status, "Bulk", 7) == expected


NOW = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=datetime.timezone.utc)
SEVEN_DAYS_ON = NOW + datetime.timedelta(days=7)


@pytest.mark.parametrize(
    "status, expiry, extend_before, upgrade_to, reason",
    [
        (rs.STATUS_ARCHIVED, None, None, None, rs.REASON_ARCHIVED),
        (rs.STATUS_IN_PROGRESS, None, None, None, None),
        (rs.STATUS_RESTORED, SEVEN_DAYS_ON - datetime.timedelta(days=1), None, None, None),
        (rs.STATUS_NOT_ARCHIVED, None, SEVEN_DAYS_ON, "Expedited", None),
        # extend_expiry: a copy expiring before now + days gets a new request; at or after, it is left alone.
        (rs.STATUS_RESTORED, SEVEN_DAYS_ON - datetime.timedelta(seconds=1), SEVEN_DAYS_ON, None, rs.REASON_EXTEND_EXPIRY),
        (rs.STATUS_RESTORED, SEVEN_DAYS_ON, SEVEN_DAYS_ON, None, None),
        (rs.STATUS_RESTORED, SEVEN_DAYS_ON + datetime.timedelta(seconds=1), SEVEN_DAYS_ON, None, None),
        (rs.STATUS_RESTORED, None, SEVEN_DAYS_ON, None, None),  # Intelligent-Tiering: no expiry
        # upgrade_tier: only a running restore, only towards a tier faster than Bulk.
        (rs.STATUS_IN_PROGRESS, None, None, "Expedited", rs.REASON_UPGRADE_TIER),
        (rs.STATUS_IN_PROGRESS, None, None, "Standard", rs.REASON_UPGRADE_TIER),
        (rs.STATUS_IN_PROGRESS, None, None, "Bulk", None),
        (rs.STATUS_RESTORED, None, None, "Expedited", None),
    ],
)
def test_restore_reason(status, expiry, extend_before, upgrade_to, reason):
    assert rs.restore_reason(status, expiry, extend_before, upgrade_to) == reason


def test_parse_expiry_round_trips_format_expiry():
    assert rs.parse_expiry(rs.format_expiry(SEVEN_DAYS_ON)) == SEVEN_DAYS_ON
    assert rs.parse_expiry(None) is None


@pytest.mark.parametrize(
    "status, readable",
    [(rs.STATUS_ARCHIVED, False), (rs.STATUS_IN_PROGRESS, False), (rs.STATUS_RESTORED, True), (rs.STATUS_NOT_ARCHIVED, True)],
)
def test_is_readable(status, readable):
    assert rs.is_readable(status) is readable


def test_format_expiry_is_utc_iso():
    offset = datetime.timezone(datetime.timedelta(hours=2))
    assert rs.format_expiry(datetime.datetime(2099, 12, 2, 2, 0, tzinfo=offset)) == "2099-12-02T00:00:00Z"
    assert rs.format_expiry(None) is None


def test_summarize_counts_statuses_actions_bytes_and_classes():
    objects = [
        {"status": rs.STATUS_IN_PROGRESS, "action": rs.ACTION_RESTORE, "storage_class": "GLACIER", "size": 10},
        {"status": rs.STATUS_RESTORED, "action": rs.ACTION_NONE, "storage_class": "GLACIER", "size": 20},
        {"status": rs.STATUS_NOT_ARCHIVED, "action": rs.ACTION_NONE, "storage_class": "STANDARD", "size": 30},
        {"status": rs.STATUS_IN_PROGRESS, "action": rs.ACTION_RESTORE, "storage_class": "DEEP_ARCHIVE", "size": 40},
        {"status": rs.STATUS_ARCHIVED, "action": rs.ACTION_NONE, "storage_class": "DEEP_ARCHIVE", "size": 50,
         "error": "access denied"},
    ]

    def per_class(total, size, restore_requested, restore_bytes, **statuses):
        counts = {"total": total, "bytes": size, "not_archived": 0, "archived": 0, "in_progress": 0, "restored": 0,
                  "restore_requested": restore_requested, "restore_requested_bytes": restore_bytes}
        counts.update(statuses)
        return counts

    assert rs.summarize(objects) == {
        "total": 5,
        "bytes": 150,
        "not_archived": 1,
        "archived": 1,
        "in_progress": 2,
        "restored": 1,
        "restore_requested": 2,
        "restore_requested_bytes": 50,
        "bytes_by_status": {"not_archived": 30, "archived": 50, "in_progress": 50, "restored": 20},
        "failed": 1,
        "by_storage_class": {
            "GLACIER": per_class(2, 30, 1, 10, in_progress=1, restored=1),
            "STANDARD": per_class(1, 30, 0, 0, not_archived=1),
            "DEEP_ARCHIVE": per_class(2, 90, 1, 40, in_progress=1, archived=1),
        },
        "by_version_kind": {"current": 0, "noncurrent": 0},  # these results name no version kind
    }


def test_summary_counts_by_version_kind_and_leaves_unknown_kinds_out():
    objects = [{"storage_class": "GLACIER", "status": rs.STATUS_ARCHIVED, "size": 1, "version_kind": kind}
               for kind in ("current", "noncurrent", "noncurrent", None)]
    assert rs.summarize(objects)["by_version_kind"] == {"current": 1, "noncurrent": 2}


EXPIRY = datetime.datetime(2099, 12, 2, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(
    "entry, trusted, expected",
    [
        ({"StorageClass": "STANDARD"}, True, (rs.STATUS_NOT_ARCHIVED, None)),
        ({}, False, (rs.STATUS_NOT_ARCHIVED, None)),
        ({"StorageClass": "GLACIER_IR"}, False, (rs.STATUS_NOT_ARCHIVED, None)),
        # Listings never carry ArchiveStatus: only a HEAD tells an Intelligent-Tiering object's tier.
        ({"StorageClass": "INTELLIGENT_TIERING"}, True, None),
        ({"StorageClass": "GLACIER"}, True, (rs.STATUS_ARCHIVED, None)),
        ({"StorageClass": "DEEP_ARCHIVE", "RestoreStatus": {"IsRestoreInProgress": True}}, True, (rs.STATUS_IN_PROGRESS, None)),
        ({"StorageClass": "GLACIER", "RestoreStatus": {"IsRestoreInProgress": False, "RestoreExpiryDate": EXPIRY}},
         True, (rs.STATUS_RESTORED, EXPIRY)),
        # Where the listing's RestoreStatus is not trusted, its absence proves nothing: HEAD.
        ({"StorageClass": "GLACIER"}, False, None),
        ({"StorageClass": "DEEP_ARCHIVE", "RestoreStatus": {"IsRestoreInProgress": True}}, False, None),
    ],
)
def test_classify_listing_entry(entry, trusted, expected):
    assert rs.classify_listing_entry(entry, trusted) == expected


def test_listing_expiry_in_the_past_counts_as_archived():
    entry = {"StorageClass": "GLACIER", "RestoreStatus": {"IsRestoreInProgress": False, "RestoreExpiryDate": EXPIRY}}
    assert rs.classify_listing_entry(entry, True, now=EXPIRY) == (rs.STATUS_ARCHIVED, EXPIRY)


def test_an_expired_copy_is_archived_with_the_time_it_expired():
    # facts sheet, "Reading an object's state": an expiry-date in the past means the copy is gone.
    assert rs.classify("GLACIER", None, DONE, now=DONE_EXPIRY + datetime.timedelta(hours=1)) == (rs.STATUS_ARCHIVED, DONE_EXPIRY)
    assert rs.restore_reason(rs.STATUS_ARCHIVED, DONE_EXPIRY) == rs.REASON_ARCHIVED


@pytest.mark.parametrize(
    "storage_class, archive_status, tier, hours",
    [
        ("GLACIER", None, "Expedited", (1 / 60, 5 / 60)),
        ("GLACIER", None, "Standard", (3, 5)),
        ("GLACIER", None, "Bulk", (5, 12)),
        ("DEEP_ARCHIVE", None, "Standard", (0, 12)),
        ("DEEP_ARCHIVE", None, "Bulk", (0, 48)),
        ("DEEP_ARCHIVE", None, "Expedited", None),
        ("INTELLIGENT_TIERING", "ARCHIVE_ACCESS", "Bulk", (5, 12)),
        ("INTELLIGENT_TIERING", "DEEP_ARCHIVE_ACCESS", "Bulk", (0, 48)),
        ("INTELLIGENT_TIERING", None, "Standard", None),
        ("STANDARD", None, "Standard", None),
    ],
)
def test_retrieval_hours_as_aws_publishes_them(storage_class, archive_status, tier, hours):
    assert rs.retrieval_hours(storage_class, archive_status, tier) == hours


@pytest.mark.parametrize("hours, text", [(5 / 60, "5 minutes"), (2 / 60, "2 minutes"), (12, "12 hours"), (48, "48 hours"), (3.5, "3.5 hours")])
def test_format_hours(hours, text):
    assert rs.format_hours(hours) == text


@pytest.mark.parametrize(
    "keys, pending, cheaper",
    [(1, 12, False), (1, 13, True), (0, 13, True), (1000, 13, True), (1001, 25, False), (1001, 26, True),
     (100_000, 1250, False), (100_000, 1251, True)],
)
def test_listing_is_cheaper_only_when_a_page_costs_less_than_the_heads_it_replaces(keys, pending, cheaper):
    # A LIST is billed like a PUT, a HEAD like a GET: one page costs what 12.5 HEADs cost (facts sheet).
    assert rs.cheaper_to_list(keys, pending) is cheaper
