# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which objects a run handles: the rules of options keys, versions, version_at and the filters. Pure (no boto3,
no threads, no clock: `now` is always given).

Sources: S3 API Reference ListObjectVersions (Versions and DeleteMarkers, newest first per key; IsLatest) and
ListObjectsV2 (keys listed in UTF-8 binary order); S3 User Guide "Working with delete markers" (a delete marker
has no data: nothing to restore).
"""

from __future__ import annotations

import dataclasses
import datetime
import fnmatch
import re
from typing import Iterable
from typing import Iterator

from ansible_collections.s3async.restore.plugins.module_utils import restore_state

VERSIONS_CURRENT = "current"
VERSIONS_ALL = "all"
VERSIONS_NONCURRENT = "noncurrent"
VERSION_CHOICES = (VERSIONS_CURRENT, VERSIONS_ALL, VERSIONS_NONCURRENT)
# The version kinds a result names (version_kind) and the summary counts (by_version_kind).
KIND_CURRENT = "current"
KIND_NONCURRENT = "noncurrent"
VERSION_KINDS = (KIND_CURRENT, KIND_NONCURRENT)

# Marks of the entries a selection yields besides S3's own fields (object_sources): an entry that only a HEAD can
# tell about (a named key, a manifest row), and the kind of version an entry is.
HEAD_ONLY = "HeadOnly"
VERSION_KIND = "VersionKind"

# The classes option storage_classes may name: those whose objects may need a restore (restore_state).
FILTER_STORAGE_CLASSES = restore_state.GLACIER_CLASSES + (restore_state.INTELLIGENT_TIERING,)
# The filters in the order they are tried, as summary.counted_out names them.
FILTER_NAMES = ("include", "exclude", "storage_classes", "min_size", "max_size", "modified_after", "modified_before")


def empty_counts() -> dict:
    """What a run's summary counts of its selection (object_sources.Selection.counts), before anything is read:
    objects counted out per filter, delete markers skipped, keys absent or deleted at version_at."""
    return {"counted_out": dict.fromkeys(FILTER_NAMES, 0), "delete_markers_skipped": 0, "absent_at_version_at": 0,
            "deleted_at_version_at": 0}


# Sizes people write: "1 GB" (decimal, 10**9, as AWS's pricing pages count) or "1 GiB" (binary, 2**30, as the
# console and result_text.human_size show sizes); a bare number is bytes.
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?i?b?)\s*$", re.IGNORECASE)
_UNIT_POWERS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}


def parse_size(value) -> int:
    """Bytes from an int or a text such as '1 GB', '512MiB', '10k'. Raises ValueError with what is wrong."""
    if isinstance(value, bool):
        raise ValueError(f"expected a size in bytes, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a size cannot be negative, got {value}")
        return value
    match = _SIZE_RE.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a size: give bytes (1073741824) or a number and a unit (1 GB, 1 GiB, 500 MB)")
    number, unit = float(match.group(1)), match.group(2).lower()
    letter = unit[:1] if unit[:1] in _UNIT_POWERS and unit[:1] != "b" else ""
    binary = "i" in unit or (letter and unit == letter)  # "10k": as rclone and du read a bare letter, binary
    base = 1024 if binary else 1000
    return int(number * base ** _UNIT_POWERS[letter])


def parse_moment(value, name: str) -> datetime.datetime:
    """An aware datetime from an ISO 8601 date or date-time (UTC when it names no offset). Raises ValueError."""
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = str(value).strip()
        try:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(f"{name} must be an ISO 8601 date-time such as 2026-11-24T18:00:00Z, got {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def key_entries(keys: list) -> list:
    """Option keys as (key, version ID or None) pairs, each pair once, in the order given. Raises ValueError naming
    the first entry that is neither a string nor a dict with `key` (and optional `version_id`)."""
    seen, pairs = set(), []
    for position, item in enumerate(keys, start=1):
        pair = _key_entry(item, position)
        if pair not in seen:
            seen.add(pair)
            pairs.append(pair)
    return pairs


def _key_entry(item, position: int) -> tuple:
    if isinstance(item, str) and item:
        return item, None
    if isinstance(item, dict) and isinstance(item.get("key"), str) and item["key"]:
        unknown = sorted(set(item) - {"key", "version_id"})
        if unknown:
            raise ValueError(f"keys entry {position} has unknown field(s) {', '.join(unknown)}: give key and version_id only")
        version_id = item.get("version_id")
        if version_id is not None and (not isinstance(version_id, str) or not version_id):
            raise ValueError(f"keys entry {position} ({item['key']!r}): version_id must name a version, got {version_id!r}")
        return item["key"], version_id
    raise ValueError(f"keys entry {position} must be a key or a dict with key (and optional version_id), got {item!r}")


def folder_of(key: str) -> str:
    """The folder of a key ("db/2026/a.dump" -> "db/2026/"), "" at the bucket's root: the common prefix that one
    listing can share between keys."""
    return key[: key.rfind("/") + 1]


def keys_by_folder(pairs: Iterable) -> dict:
    """{folder: [keys without a version ID, sorted]}: the keys that one listing of their folder could read."""
    folders: dict = {}
    for key, version_id in pairs:
        if version_id is None:
            folders.setdefault(folder_of(key), []).append(key)
    return {folder: sorted(keys) for folder, keys in folders.items()}


def folder_worth_listing(wanted: int) -> bool:
    """Whether one listing of a folder is likely cheaper than a HEAD per wanted key (restore_state.cheaper_to_list,
    counting the folder as holding the wanted keys only; the listing stops past the last wanted key and gives up
    once it costs what the HEADs would, see object_sources)."""
    return restore_state.cheaper_to_list(wanted, wanted)


def version_wanted(versions: str, is_latest: bool) -> bool:
    """Option versions: current, all or noncurrent (ListObjectVersions' IsLatest tells which one is current)."""
    if versions == VERSIONS_ALL:
        return True
    return is_latest == (versions == VERSIONS_CURRENT)


def version_kind(is_latest: bool | None) -> str | None:
    if is_latest is None:
        return None
    return KIND_CURRENT if is_latest else KIND_NONCURRENT


def versions_in_order(page: dict) -> list:
    """A ListObjectVersions page's Versions and DeleteMarkers as one list, each marked (entry, is delete marker),
    by key and newest first: S3 returns each list sorted that way, and a key's versions and markers together."""
    entries = [(entry, False) for entry in page.get("Versions", [])] + [(entry, True) for entry in page.get("DeleteMarkers", [])]
    # On a LastModified tie the delete marker comes first (the two lists do not say which came later).
    entries.sort(key=lambda item: (item[0]["Key"], not item[0].get("IsLatest"), _newest_first(item[0]), not item[1]))
    return entries


def _newest_first(entry: dict) -> float:
    modified = entry.get("LastModified")
    return -modified.timestamp() if modified else 0.0


def group_by_key(entries: Iterable) -> Iterator[tuple]:
    """(key, [(entry, is delete marker), ...] newest first) for a stream of versions_in_order() pages, across page
    boundaries (a key's versions may continue on the next page)."""
    key, versions = None, []
    for entry, marker in entries:
        if entry["Key"] != key and versions:
            yield key, versions
            versions = []
        key = entry["Key"]
        versions.append((entry, marker))
    if versions:
        yield key, versions


AT_VERSION = "version"
AT_DELETED = "deleted"
AT_ABSENT = "absent"


def version_at(versions: list, moment: datetime.datetime) -> tuple:
    """The version of a key that was current at `moment` (option version_at): the newest whose LastModified is at or
    before it. (AT_VERSION, entry), (AT_DELETED, delete marker) when the key was deleted then, or (AT_ABSENT, None)
    when it did not exist yet. `versions` as group_by_key gives them. A ListObjectVersions page has Versions and
    DeleteMarkers in separate lists: on a LastModified tie between a version and a delete marker, which came later
    cannot be told, so the delete marker wins (the key is reported deleted then rather than a deleted version
    restored)."""
    best, best_key = None, None
    for entry, marker in versions:
        modified = entry.get("LastModified")
        if modified is None:
            continue
        if modified.tzinfo is None:
            modified = modified.replace(tzinfo=datetime.timezone.utc)
        if modified <= moment and (best_key is None or (modified, marker) > best_key):
            best, best_key = (entry, marker), (modified, marker)
    if best is None:
        return AT_ABSENT, None
    return (AT_DELETED, best[0]) if best[1] else (AT_VERSION, best[0])


@dataclasses.dataclass(frozen=True)
class Filters:
    """The filters of a run (options storage_classes, min_size, max_size, modified_after, modified_before,
    include, exclude). Patterns are shell-style (fnmatch, case-sensitive as S3 keys are) on the whole key;
    exclude wins over include."""

    storage_classes: tuple = ()
    min_size: int | None = None
    max_size: int | None = None
    modified_after: datetime.datetime | None = None
    modified_before: datetime.datetime | None = None
    include: tuple = ()
    exclude: tuple = ()

    @classmethod
    def from_params(cls, params: dict) -> "Filters":
        """The filters of valid params (options.selection_problems checked them)."""
        def size(name):
            return parse_size(params[name]) if params.get(name) is not None else None

        def moment(name):
            return parse_moment(params[name], name) if params.get(name) else None

        return cls(tuple(params.get("storage_classes") or ()), size("min_size"), size("max_size"),
                   moment("modified_after"), moment("modified_before"),
                   tuple(params.get("include") or ()), tuple(params.get("exclude") or ()))

    @property
    def active(self) -> bool:
        return any(value not in (None, ()) for value in dataclasses.astuple(self))

    @property
    def on_key_only(self) -> bool:
        """True when the key alone decides (no filter on size, date or class, which a HEAD-only source knows only
        after the HEAD)."""
        return not (self.storage_classes or self.min_size is not None or self.max_size is not None
                    or self.modified_after or self.modified_before)

    def key_out(self, key: str, matched: set) -> str | None:
        """The filter that counts this key out ("include" or "exclude"), or None; adds the patterns that matched
        to `matched` (a pattern that never matches is warned about)."""
        excluded = [pattern for pattern in self.exclude if fnmatch.fnmatchcase(key, pattern)]
        included = [pattern for pattern in self.include if fnmatch.fnmatchcase(key, pattern)]
        matched.update(("exclude", pattern) for pattern in excluded)
        matched.update(("include", pattern) for pattern in included)
        if excluded:
            return "exclude"
        if self.include and not included:
            return "include"
        return None

    def attributes_out(self, storage_class: str, size: int | None, modified: datetime.datetime | None) -> str | None:
        """The filter on class, size or date that counts an object out, or None."""
        if self.storage_classes and storage_class not in self.storage_classes:
            return "storage_classes"
        if self.min_size is not None and (size or 0) < self.min_size:
            return "min_size"
        if self.max_size is not None and (size or 0) > self.max_size:
            return "max_size"
        return self._date_out(modified)

    def _date_out(self, modified: datetime.datetime | None) -> str | None:
        """modified_after / modified_before, on LastModified; an object without a date passes neither."""
        if modified is not None and modified.tzinfo is None:
            modified = modified.replace(tzinfo=datetime.timezone.utc)
        if self.modified_after and (modified is None or modified <= self.modified_after):
            return "modified_after"
        if self.modified_before and (modified is None or modified >= self.modified_before):
            return "modified_before"
        return None

    def unmatched_patterns(self, matched: set) -> list:
        """The (option, pattern) pairs that matched no key of the run."""
        given = [("include", pattern) for pattern in self.include] + [("exclude", pattern) for pattern in self.exclude]
        return [pair for pair in given if pair not in matched]
