# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure decisions about one object's archive and restore state.

Nothing here talks to AWS: the functions take what HeadObject (or a listing) said and return what the object's
state is and what, if anything, should be sent. Sources for the rules, cited where they are used:

* S3 User Guide, "Restoring an archived object" (restoring-objects) and "Working with archived objects"
  (archived-objects);
* S3 API Reference, HeadObject (x-amz-restore, x-amz-archive-status) and RestoreObject.
"""

from __future__ import annotations

import datetime
import re
from email.utils import parsedate_to_datetime

from ansible_collections.s3async.restore.plugins.module_utils.aws_names import is_aws_endpoint

STATUS_NOT_ARCHIVED = "not_archived"
STATUS_ARCHIVED = "archived"
STATUS_IN_PROGRESS = "in_progress"
STATUS_RESTORED = "restored"
STATUSES = (STATUS_NOT_ARCHIVED, STATUS_ARCHIVED, STATUS_IN_PROGRESS, STATUS_RESTORED)

# Storage classes whose objects must be restored before they can be read. GLACIER_IR (Glacier Instant Retrieval)
# is readable in real time and is deliberately absent: restoring it is an error on AWS (archived-objects).
GLACIER_CLASSES = ("GLACIER", "DEEP_ARCHIVE")
INTELLIGENT_TIERING = "INTELLIGENT_TIERING"
# HeadObject's x-amz-archive-status: present only on INTELLIGENT_TIERING objects in an opt-in archive tier.
INT_ARCHIVE_TIERS = ("ARCHIVE_ACCESS", "DEEP_ARCHIVE_ACCESS")

TIERS = ("Standard", "Bulk", "Expedited")
# Expedited retrieval does not exist for S3 Glacier Deep Archive, nor for the Intelligent-Tiering Deep Archive
# Access tier (restoring-objects, "Archive retrieval options").
EXPEDITED_UNAVAILABLE = ("DEEP_ARCHIVE", "DEEP_ARCHIVE_ACCESS")

ACTION_RESTORE = "restore_requested"
ACTION_NONE = "none"

# x-amz-restore examples from the HeadObject reference:
#   ongoing-request="true"
#   ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"
_ONGOING_RE = re.compile(r'ongoing-request\s*=\s*"(true|false)"', re.IGNORECASE)
_EXPIRY_RE = re.compile(r'expiry-date\s*=\s*"([^"]+)"', re.IGNORECASE)


class RestoreHeaderError(ValueError):
    """The x-amz-restore header has a form we do not know; we refuse to guess an object's state from it."""


def parse_restore_header(value):
    """Return ``(ongoing, expiry)`` from an x-amz-restore header.

    ``(None, None)`` when the header is absent (never restored, or the restored copy has expired and S3 removed
    the header); ``(True, None)`` while a restore runs; ``(False, datetime)`` once the temporary copy exists.
    """
    if value is None or not str(value).strip():
        return None, None
    ongoing_match = _ONGOING_RE.search(value)
    if not ongoing_match:
        raise RestoreHeaderError(f"unrecognised x-amz-restore header: {value!r}")
    ongoing = ongoing_match.group(1).lower() == "true"
    expiry = None
    expiry_match = _EXPIRY_RE.search(value)
    if expiry_match:
        try:
            expiry = parsedate_to_datetime(expiry_match.group(1))
        except (TypeError, ValueError) as error:
            raise RestoreHeaderError(f"unrecognised expiry-date in x-amz-restore header: {value!r}") from error
        if expiry.tzinfo is None:
            # HTTP dates are GMT (RFC 7231, section 7.1.1.1).
            expiry = expiry.replace(tzinfo=datetime.timezone.utc)
    return ongoing, expiry


def classify(storage_class, archive_status, restore_header, now=None):
    """Return ``(status, expiry_datetime_or_None)`` for an object from its HEAD response fields.

    ``storage_class`` is HeadObject's StorageClass (absent, i.e. None, for STANDARD); ``archive_status`` its
    ArchiveStatus; ``restore_header`` its Restore value. ``now`` (aware datetime) lets a copy whose expiry-date
    has passed count as archived again, which it is once S3 deletes the temporary copy.
    """
    storage_class = storage_class or "STANDARD"
    ongoing, expiry = parse_restore_header(restore_header)
    if storage_class in GLACIER_CLASSES:
        return _glacier_state(ongoing, expiry, now)
    if storage_class == INTELLIGENT_TIERING:
        return _intelligent_tiering_state(archive_status, ongoing)
    # STANDARD, STANDARD_IA, ONEZONE_IA, GLACIER_IR, REDUCED_REDUNDANCY, EXPRESS_ONEZONE, ...: readable now.
    return STATUS_NOT_ARCHIVED, None


def _glacier_state(ongoing, expiry, now):
    """GLACIER and DEEP_ARCHIVE keep their storage class after a restore: only the restore state tells.

    ``ongoing`` None: never restored (or the copy expired and S3 removed the header); True: a restore runs;
    False: the temporary copy exists until ``expiry``, or, once ``now`` is past it, no longer.
    """
    if ongoing is None:
        return STATUS_ARCHIVED, None
    if ongoing:
        return STATUS_IN_PROGRESS, None
    if expiry is not None and now is not None and expiry <= now:
        # The copy's expiry-date has passed: S3 deletes the copy at that time, asynchronously, so it may still be
        # listed as restored; it is archived again (facts sheet, "Reading an object's state"). The past expiry is
        # kept so that the result can say when the copy expired.
        return STATUS_ARCHIVED, expiry
    return STATUS_RESTORED, expiry


def _intelligent_tiering_state(archive_status, ongoing):
    """A restored Intelligent-Tiering object moves back to the Frequent Access tier and has no expiry to rely on
    (restoring-objects, "Restoring objects from the S3 Intelligent-Tiering Archive Access tiers")."""
    if archive_status in INT_ARCHIVE_TIERS and ongoing is None:
        return STATUS_ARCHIVED, None
    if ongoing is True:
        return STATUS_IN_PROGRESS, None
    if ongoing is False:
        return STATUS_RESTORED, None
    return STATUS_NOT_ARCHIVED, None


def is_readable(status):
    """True when GetObject would return the body (what ``state: restored`` waits for)."""
    return status in (STATUS_NOT_ARCHIVED, STATUS_RESTORED)


def archive_tier(storage_class, archive_status):
    """The archive tier that decides the retrieval options: DEEP_ARCHIVE, GLACIER, ARCHIVE_ACCESS, ..."""
    if storage_class == INTELLIGENT_TIERING:
        return archive_status
    return storage_class


def tier_problem(storage_class, archive_status, tier):
    """A user-facing message when ``tier`` cannot be used for this object, else None."""
    if tier not in TIERS:
        return f"tier must be one of {', '.join(TIERS)}, got {tier!r}"
    where = archive_tier(storage_class, archive_status)
    if tier == "Expedited" and where in EXPEDITED_UNAVAILABLE:
        return (
            f"tier=Expedited is not available for objects in {ARCHIVE_TIER_NAMES[where]}; "
            "use tier=Standard (within 12 hours) or tier=Bulk (within 48 hours), or keep tier=Expedited with "
            "tier_fallback=Standard to restore these objects at the Standard tier and the others at Expedited"
        )
    return None


def days_problem(days):
    """A user-facing message when ``days`` is not a valid restore lifetime, else None."""
    # RestoreRequest.Days: "Lifetime of the active copy in days"; S3 rejects values below 1 (RestoreObject).
    if days is None or days < 1:
        return f"days must be 1 or more (how long the restored copy stays readable), got {days!r}"
    if days > 2147483647:
        return f"days must be at most 2147483647 (RestoreRequest.Days is a 32-bit integer), got {days!r}"
    return None


def restore_request(storage_class, archive_status, tier, days):
    """The RestoreRequest to send for an archived object.

    Days is required for GLACIER / DEEP_ARCHIVE and must not be sent for the Intelligent-Tiering archive tiers:
    AWS answers 400 InvalidArgument "... Do not specify Days" (restoring-objects). This is the bug that breaks
    s3cmd's recursive restore on Intelligent-Tiering buckets.
    """
    request = {"GlacierJobParameters": {"Tier": tier}}
    if storage_class in GLACIER_CLASSES:
        request["Days"] = days
    return request


# How long a restore takes at most, in hours, by archive tier and retrieval tier, as AWS publishes it (S3 User
# Guide, restoring-objects, "Archive retrieval options"; Intelligent-Tiering, "Restoring objects from the S3
# Intelligent-Tiering Archive Access and Deep Archive Access tiers"): Expedited 1 to 5 minutes, Standard 3 to 5
# hours and Bulk 5 to 12 hours from GLACIER and the Archive Access tier; Standard within 12 hours and Bulk within
# 48 hours from DEEP_ARCHIVE and the Deep Archive Access tier.
RETRIEVAL_HOURS = {
    "GLACIER": {"Expedited": (1 / 60, 5 / 60), "Standard": (3, 5), "Bulk": (5, 12)},
    "ARCHIVE_ACCESS": {"Expedited": (1 / 60, 5 / 60), "Standard": (3, 5), "Bulk": (5, 12)},
    "DEEP_ARCHIVE": {"Standard": (0, 12), "Bulk": (0, 48)},
    "DEEP_ARCHIVE_ACCESS": {"Standard": (0, 12), "Bulk": (0, 48)},
}
ARCHIVE_TIER_NAMES = {
    "GLACIER": "S3 Glacier Flexible Retrieval",
    "DEEP_ARCHIVE": "S3 Glacier Deep Archive",
    "ARCHIVE_ACCESS": "the S3 Intelligent-Tiering Archive Access tier",
    "DEEP_ARCHIVE_ACCESS": "the S3 Intelligent-Tiering Deep Archive Access tier",
}


def retrieval_hours(storage_class, archive_status, tier):
    """(fewest, most) hours AWS publishes for a restore of this object at `tier`, or None when it does not apply."""
    return RETRIEVAL_HOURS.get(archive_tier(storage_class, archive_status) or "", {}).get(tier)


def format_hours(hours):
    """'5 minutes', '12 hours', '48 hours': a published restore time as people say it."""
    if hours < 1:
        return f"{round(hours * 60)} minutes"
    return f"{hours:g} hours"


# In money, a LIST request is billed like a PUT (about $0.005 per 1,000 in us-east-1) and a HEAD like a GET (about
# $0.0004 per 1,000): one listing page costs what about 12.5 HEADs cost (facts sheet, "Listing with restore state";
# Amazon S3 pricing, "Requests & data retrievals").
LIST_PAGE_IN_HEADS = 12.5
LISTING_PAGE_SIZE = 1000


def cheaper_to_list(keys_under_prefix, pending_count):
    """True when one listing of the whole prefix costs less than a HEAD for each pending object."""
    pages = max(1, -(-keys_under_prefix // LISTING_PAGE_SIZE))
    return pages * LIST_PAGE_IN_HEADS < pending_count


REASON_ARCHIVED = "archived"
REASON_EXTEND_EXPIRY = "extend_expiry"
REASON_UPGRADE_TIER = "upgrade_tier"
# Retrieval speed, slowest first (restoring-objects, "Archive retrieval options").
TIER_SPEED = {"Bulk": 0, "Standard": 1, "Expedited": 2}


def restore_reason(status, expiry=None, extend_before=None, upgrade_to=None):
    """Why a RestoreObject should be sent for an object, or None when nothing should be.

    * ``archived``: the object has no restore running or done.
    * ``extend_expiry``: with option extend_expiry, a restored copy (GLACIER / DEEP_ARCHIVE; Intelligent-Tiering
      copies do not expire) whose expiry comes before ``extend_before`` (now + days). A RestoreObject on a
      restored object returns 200 and resets the copy's expiry to now + Days (RestoreObject, "Responses"):
      the one case where re-sending is right.
    * ``upgrade_tier``: with option upgrade_tier, a running restore, re-requested with a faster tier so that S3
      speeds it up (restoring-objects, "Upgrading the speed of an in-progress restore"). The running restore's
      tier is not visible, so the request is sent and S3 decides: 409 RestoreAlreadyInProgress means no upgrade.

    Otherwise an object whose restore is running or whose copy exists is left alone: a second request would
    reset (and could shorten) the copy's expiry.
    """
    if status == STATUS_ARCHIVED:
        return REASON_ARCHIVED
    if status == STATUS_RESTORED and expiry is not None and extend_before is not None and expiry < extend_before:
        return REASON_EXTEND_EXPIRY
    if status == STATUS_IN_PROGRESS and upgrade_to is not None and TIER_SPEED.get(upgrade_to, 0) > TIER_SPEED["Bulk"]:
        return REASON_UPGRADE_TIER
    return None


def parse_expiry(text):
    """The aware datetime of an ISO 8601 expiry_date as made by format_expiry(), or None."""
    if not text:
        return None
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def format_expiry(expiry):
    """ISO 8601 (UTC) for results, or None."""
    if expiry is None:
        return None
    return expiry.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def classify_listing_entry(entry, trust_restore_status, now=None):
    """``(status, expiry)`` from a ListObjectsV2 entry alone, or None when only a HEAD can tell.

    A listing carries StorageClass but never ArchiveStatus, so Intelligent-Tiering objects always need a HEAD.
    Asked for with OptionalObjectAttributes=['RestoreStatus'], AWS adds RestoreStatus to GLACIER and
    DEEP_ARCHIVE entries that were restored or are being restored, and leaves it out for the others
    (ListObjectsV2, "RestoreStatus"). Servers that do not implement it (S3-compatible stores, moto) leave it out
    for every object: absent then proves nothing, hence ``trust_restore_status``.
    """
    storage_class = entry.get("StorageClass") or "STANDARD"
    if storage_class == INTELLIGENT_TIERING:
        return None
    if storage_class not in GLACIER_CLASSES:
        return STATUS_NOT_ARCHIVED, None
    if not trust_restore_status:
        return None
    restore_status = entry.get("RestoreStatus")
    if not restore_status:
        return _glacier_state(None, None, now)
    if restore_status.get("IsRestoreInProgress"):
        return _glacier_state(True, None, now)
    # An expired copy is archived again, in a listing as in a HEAD (facts sheet, "Reading an object's state").
    expiry = restore_status.get("RestoreExpiryDate")
    if expiry is not None and expiry.tzinfo is None:
        expiry = expiry.replace(tzinfo=datetime.timezone.utc)
    return _glacier_state(False, expiry, now)


def listing_trusted(status_source, endpoint_url):
    """Whether a listing's RestoreStatus (or its absence) can be believed: option status_source.

    ``auto`` trusts it on AWS's own endpoints only. Elsewhere (S3-compatible stores, emulators) a missing
    RestoreStatus may mean "not reported" rather than "never restored", and believing it would re-send a restore
    to a restored object, resetting (and possibly shortening) its expiry.
    """
    if status_source != "auto":
        return status_source == "listing"
    return is_aws_endpoint(endpoint_url)


def _counts():
    counts = {"total": 0, "bytes": 0}
    for status in STATUSES:
        counts[status] = 0
    counts.update({ACTION_RESTORE: 0, "restore_requested_bytes": 0})
    return counts


def new_summary():
    """Counts and bytes per status, restore requests and their bytes, failures, and the same per storage class."""
    summary = _counts()
    summary.update({"bytes_by_status": dict((status, 0) for status in STATUSES), "failed": 0, "by_storage_class": {},
                    "by_version_kind": {"current": 0, "noncurrent": 0}})
    return summary


def count(summary, obj):
    """Add one result dict (``status``, ``storage_class``, ``size``, optional ``action`` and ``error``)."""
    size = obj.get("size") or 0
    per_class = summary["by_storage_class"].setdefault(obj["storage_class"], _counts())
    for counts in (summary, per_class):
        counts["total"] += 1
        counts["bytes"] += size
        counts[obj["status"]] += 1
        if obj.get("action") == ACTION_RESTORE:
            counts[ACTION_RESTORE] += 1
            counts["restore_requested_bytes"] += size
    summary["bytes_by_status"][obj["status"]] += size
    # Versions of unknown kind (a version named by its ID) are in no count of by_version_kind.
    if obj.get("version_kind") in summary["by_version_kind"]:
        summary["by_version_kind"][obj["version_kind"]] += 1
    if obj.get("error"):
        summary["failed"] += 1
    return summary


def report_summary(summary):
    """The summary as the read-only report shows it: without the restore request counts."""
    for counts in [summary] + list(summary["by_storage_class"].values()):
        for restore_count in (ACTION_RESTORE, "restore_requested_bytes"):
            counts.pop(restore_count)
    return summary


def summarize(objects):
    """The summary of a list of result dicts."""
    summary = new_summary()
    for obj in objects:
        count(summary, obj)
    return summary
