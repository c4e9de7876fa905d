# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the object modules say: the one-line `msg` of every result and the warnings about the input. Pure.

A result must read at a glance at 3 a.m.: what was sent (or, in check mode, would be), where every object stands,
in counts per status and per storage class and in sizes a person can read.
"""

from __future__ import annotations

from ansible_collections.s3async.restore.plugins.module_utils import restore_state

# days above this are far beyond any usual retention of a restored copy, and likely a typo (700 for 7).
USUAL_MAX_DAYS = 365
STATUS_WORDS = {
    restore_state.STATUS_ARCHIVED: "archived",
    restore_state.STATUS_IN_PROGRESS: "in progress",
    restore_state.STATUS_RESTORED: "restored",
    restore_state.STATUS_NOT_ARCHIVED: "not archived",
}


def human_size(size: int) -> str:
    """Bytes as a person reads them: 42 bytes, 1.5 KiB, 3.2 GiB (binary units, as S3's console shows them)."""
    if size < 1024:
        return f"{size} byte{'' if size == 1 else 's'}"
    value = float(size)
    unit = "KiB"
    for unit in ("KiB", "MiB", "GiB", "TiB", "PiB"):
        value /= 1024
        if value < 1024:
            break
    return f"{value:.1f} {unit}"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def states_text(summary: dict) -> str:
    """'1,050 objects (3.4 KiB): 700 archived (2.3 KiB), 350 not archived (1.1 KiB); GLACIER 700, STANDARD 350'."""
    parts = [
        f"{summary[status]:,} {words} ({human_size(summary['bytes_by_status'][status])})"
        for status, words in STATUS_WORDS.items() if summary[status]
    ]
    text = f"{plural(summary['total'], 'object')} ({human_size(summary['bytes'])})"
    if parts:
        text += ": " + ", ".join(parts)
    classes = summary["by_storage_class"]
    if classes:
        text += "; " + ", ".join(f"{name} {classes[name]['total']:,}" for name in sorted(classes))
    return text


def selection_text(summary: dict) -> str:
    """'; 12 counted out by the filters, 3 delete markers skipped, 2 keys absent at version_at', or '' when the
    selection left nothing out."""
    counted_out = sum((summary.get("counted_out") or {}).values())
    parts = []
    if counted_out:
        parts.append(f"{counted_out:,} counted out by the filters")
    if summary.get("delete_markers_skipped"):
        parts.append(plural(summary["delete_markers_skipped"], "delete marker") + " skipped")
    missing = (summary.get("absent_at_version_at") or 0) + (summary.get("deleted_at_version_at") or 0)
    if missing:
        parts.append(f"{plural(missing, 'key')} absent or deleted at version_at")
    return "; " + ", ".join(parts) if parts else ""


def nothing_selected_warning(target: str, summary: dict) -> str:
    """A selection that left no object: what took them all out."""
    return (f"{target} selected no object{selection_text(summary)}: check the filters and version options. Nothing "
            "was restored, and a wait or an until: loop on these counts would end at once.")


def restore_message(target: str, summary: dict, check_mode: bool, notification_text: str = "") -> str:
    """The `msg` of a finished s3_object_restore run."""
    requested = summary[restore_state.ACTION_RESTORE]
    if requested:
        verb = "would request" if check_mode else "requested"
        sent = f"{verb} {plural(requested, 'restore')} ({human_size(summary['restore_requested_bytes'])})"
    else:
        sent = "no restore needed"
    failed = f"; {summary['failed']:,} failed" if summary["failed"] else ""
    if not summary["total"]:
        return f"{target}: nothing matched, no restore sent{selection_text(summary)}{notification_text}."
    return f"{target}: {sent}{failed}; {states_text(summary)}{selection_text(summary)}{notification_text}."


def report_message(target: str, summary: dict) -> str:
    """The `msg` of an s3_object_restore_info run."""
    if not summary["total"]:
        return f"{target}: nothing matched{selection_text(summary)}."
    failed = f"; {summary['failed']:,} could not be read" if summary["failed"] else ""
    return f"{target}: {states_text(summary)}{failed}{selection_text(summary)}."


def matched_nothing_warning(prefix: str) -> str:
    hint = " S3 keys are case-sensitive" + (", and rarely start with '/'" if prefix.startswith("/") else "")
    return (f"The prefix {prefix!r} matched no object: check its spelling.{hint}. Nothing was restored, and a "
            "wait or an until: loop on these counts would end at once.")


def days_warning(days: int) -> str | None:
    if days <= USUAL_MAX_DAYS:
        return None
    return (f"days={days} keeps each restored copy (and bills its storage) for {days} days; restored copies are "
            f"usually kept for a few days to a few weeks. If that is a typo, fix days: a second run with another "
            "days does not shorten copies already restored.")


def wait_timeout_warning(wait_timeout: int, tier: str, slowest: tuple | None) -> str | None:
    """A warning, before waiting, when wait_timeout is shorter than AWS's published time for the slowest restore
    waited on; `slowest` is (storage class or archive tier, most hours) or None."""
    if slowest is None:
        return None
    where, hours = slowest
    if wait_timeout >= hours * 3600:
        return None
    return (f"wait_timeout={wait_timeout} seconds is shorter than the up to {restore_state.format_hours(hours)} AWS "
            f"publishes for a {tier} restore from {restore_state.ARCHIVE_TIER_NAMES.get(where, where)}: the wait will "
            "probably time out. Raise wait_timeout, or run the task again later (nothing is sent twice).")


def propagation_warning(sent: int) -> str:
    return (f"The bucket's notification configuration was changed by this run and {plural(sent, 'restore')} "
            f"{'was' if sent == 1 else 'were'} sent right after it: S3 says a change usually takes about five minutes to take effect, so the "
            "topic may get no s3:ObjectRestore:Post event (and, for Expedited restores, no Completed event) for "
            "them. Set up the notification ahead of the restores, or set notification_wait=300.")
