# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""result_text: the one-line msg of the object modules and the warnings about their input, read at a glance."""

from __future__ import annotations

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import restore_state as rs
from ansible_collections.s3async.restore.plugins.module_utils import result_text

TARGET = "s3://backups/db/*"


def summary_of(*objects):
    """A summary of (status, storage class, size, restore requested) tuples."""
    return rs.summarize([
        {"status": status, "storage_class": storage_class, "size": size, "action": rs.ACTION_RESTORE if sent else "none"}
        for status, storage_class, size, sent in objects
    ])


@pytest.mark.parametrize(
    "size, text",
    [(0, "0 bytes"), (1, "1 byte"), (1023, "1023 bytes"), (1024, "1.0 KiB"), (1536, "1.5 KiB"),
     (5 * 1024 ** 3, "5.0 GiB"), (1024 ** 5, "1.0 PiB"), (3 * 1024 ** 6, "3072.0 PiB")],
)
def test_human_size(size, text):
    assert result_text.human_size(size) == text


@pytest.mark.parametrize(
    "objects, check_mode, text",
    [
        ([("in_progress", "GLACIER", 2048, True), ("not_archived", "STANDARD", 10, False)], False,
         f"{TARGET}: requested 1 restore (2.0 KiB); 2 objects (2.0 KiB): 1 in progress (2.0 KiB), 1 not archived "
         "(10 bytes); GLACIER 1, STANDARD 1."),
        ([("archived", "GLACIER", 2048, True), ("archived", "DEEP_ARCHIVE", 2048, True)], True,
         f"{TARGET}: would request 2 restores (4.0 KiB); 2 objects (4.0 KiB): 2 archived (4.0 KiB); DEEP_ARCHIVE 1, "
         "GLACIER 1."),
        ([("restored", "GLACIER", 5, False)], False,
         f"{TARGET}: no restore needed; 1 object (5 bytes): 1 restored (5 bytes); GLACIER 1."),
        ([], False, f"{TARGET}: nothing matched, no restore sent."),
    ],
    ids=["sent", "check-mode", "nothing-to-do", "nothing-matched"],
)
def test_restore_message(objects, check_mode, text):
    assert result_text.restore_message(TARGET, summary_of(*objects), check_mode) == text


def test_restore_message_counts_failures_and_names_the_notification():
    summary = summary_of(("archived", "GLACIER", 1, False))
    summary["failed"] = 1
    assert result_text.restore_message(TARGET, summary, False, "; notification configuration changed (added)") == (
        f"{TARGET}: no restore needed; 1 failed; 1 object (1 byte): 1 archived (1 byte); GLACIER 1; notification "
        "configuration changed (added).")


def test_report_message():
    summary = rs.report_summary(summary_of(("archived", "GLACIER", 1024 ** 3, False), ("restored", "GLACIER", 1, False)))
    assert result_text.report_message(TARGET, summary) == (
        f"{TARGET}: 2 objects (1.0 GiB): 1 archived (1.0 GiB), 1 restored (1 byte); GLACIER 2.")
    assert result_text.report_message(TARGET, rs.report_summary(rs.new_summary())) == f"{TARGET}: nothing matched."


@pytest.mark.parametrize("days, warned", [(1, False), (365, False), (366, True), (700, True)])
def test_days_warning(days, warned):
    warning = result_text.days_warning(days)
    assert (warning is not None) is warned
    if warned:
        assert warning.startswith(f"days={days} keeps each restored copy")


@pytest.mark.parametrize(
    "wait_timeout, tier, slowest, warned",
    [
        (172800, "Bulk", ("DEEP_ARCHIVE", 48), False),
        (43200, "Bulk", ("DEEP_ARCHIVE", 48), True),
        (43200, "Standard", ("DEEP_ARCHIVE", 12), False),
        (60, "Expedited", ("GLACIER", 5 / 60), True),
        (300, "Expedited", ("GLACIER", 5 / 60), False),
        (1, "Standard", None, False),  # nothing archived is waited on
    ],
)
def test_wait_timeout_warning(wait_timeout, tier, slowest, warned):
    warning = result_text.wait_timeout_warning(wait_timeout, tier, slowest)
    assert (warning is not None) is warned


def test_wait_timeout_warning_names_the_published_time():
    assert result_text.wait_timeout_warning(3600, "Bulk", ("DEEP_ARCHIVE", 48)) == (
        "wait_timeout=3600 seconds is shorter than the up to 48 hours AWS publishes for a Bulk restore from S3 "
        "Glacier Deep Archive: the wait will probably time out. Raise wait_timeout, or run the task again later "
        "(nothing is sent twice).")


@pytest.mark.parametrize(
    "prefix, hint",
    [("Logs/", "S3 keys are case-sensitive."), ("/logs/", "S3 keys are case-sensitive, and rarely start with '/'.")],
)
def test_matched_nothing_warning(prefix, hint):
    warning = result_text.matched_nothing_warning(prefix)
    assert warning.startswith(f"The prefix {prefix!r} matched no object: check its spelling. {hint}")


@pytest.mark.parametrize("sent, words", [(1, "1 restore was sent"), (3, "3 restores were sent")])
def test_propagation_warning(sent, words):
    assert words in result_text.propagation_warning(sent)
    assert "notification_wait=300" in result_text.propagation_warning(sent)


@pytest.mark.parametrize(
    "counts, text",
    [({}, ""), ({"counted_out": {"include": 0}}, ""),
     ({"counted_out": {"include": 2, "min_size": 1000}}, "; 1,002 counted out by the filters"),
     ({"delete_markers_skipped": 1}, "; 1 delete marker skipped"),
     ({"counted_out": {"exclude": 1}, "delete_markers_skipped": 2, "absent_at_version_at": 1, "deleted_at_version_at": 2},
      "; 1 counted out by the filters, 2 delete markers skipped, 3 keys absent or deleted at version_at")],
)
def test_selection_text(counts, text):
    assert result_text.selection_text(counts) == text
