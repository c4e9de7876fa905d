# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where a run's objects come from: a prefix (ListObjectsV2, or ListObjectVersions for versions and version_at), a
key list (option keys) or a manifest (a local file or an s3:// object), all streamed, filtered before anything is
sent for them.

A Selection yields entries for object_restore._stream: listing entries as S3 returned them, or, where only a HEAD
can tell (key lists, manifests), {"Key", "VersionId", HEAD_ONLY: True}; each carries VERSION_KIND. Requests stay at
the floor of each source: a listing page per 1,000 keys (or versions); a HEAD per named key, or one listing of the
keys' common prefix where that costs less (trusted listings only); nothing is read twice.
"""

from __future__ import annotations

import gzip
import itertools
import os
import threading
from typing import Any
from typing import Callable
from typing import Iterable
from typing import Iterator

from ansible_collections.s3async.restore.plugins.module_utils import manifests
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils import selection
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.object_results import KEYS_IN_MESSAGES
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket

HEAD_ONLY = selection.HEAD_ONLY
VERSION_KIND = selection.VERSION_KIND


def head_only(key: str, version_id: str | None, kind: str | None) -> dict:
    """An entry that only a HEAD can tell about (a named key, a manifest row)."""
    return {"Key": key, "VersionId": version_id, HEAD_ONLY: True, VERSION_KIND: kind}


def _kind_of_named(version_id: str | None, is_latest: bool | None = None) -> str | None:
    """The kind of a named object: a key without version is its current version; a named version's kind is not
    known (HeadObject does not say whether it is the latest) unless the manifest said so."""
    if is_latest is not None:
        return selection.version_kind(is_latest)
    return selection.KIND_CURRENT if version_id is None else None


class Selection:
    """The objects a run handles, as options key / prefix / keys / manifest, versions, version_at and the filters
    give them: iterate it (once) for the entries; it counts as it goes.

    ``listed``: entries read from the source (listing entries, key list entries, manifest rows); ``selected``: those
    passed on; ``stopped``: True once more than `limit` objects were selected (option batch_operations_threshold);
    the iteration also ends once `interrupted()` is true. ``counted_out`` (per filter), ``delete_markers``,
    ``absent_at`` and ``deleted_at`` (version_at) count what was not passed on; counted_out also counts the HEAD-only
    objects that note_head() counts out after their HEAD (thread-safe).
    """

    def __init__(self, bucket: S3Bucket, params: dict, trust_listing: bool, limit: int | None = None,
                 interrupted: Callable[[], bool] = lambda: False) -> None:
        self.bucket = bucket
        self.params = params
        self.with_restore_status = trust_listing
        self.limit = limit
        self.interrupted = interrupted
        self.filters = selection.Filters.from_params(params)
        self.versions = params.get("versions") or selection.VERSIONS_CURRENT
        moment = params.get("version_at")
        self.version_at = selection.parse_moment(moment, "version_at") if moment else None
        self.listed = 0
        self.selected = 0
        self.stopped = False
        self.counted_out = selection.empty_counts()["counted_out"]
        self.delete_markers = 0
        self.absent_at = 0
        self.deleted_at = 0
        self.absent_keys: list = []
        self._matched: set = set()
        self._lock = threading.Lock()

    @property
    def prefix(self) -> str | None:
        """The prefix whose listing of current versions a wait may re-list (object_restore.Watch), else None."""
        if self.params.get("prefix") is None or self._lists_versions:
            return None
        return self.params["prefix"]

    def __iter__(self) -> Iterator[dict]:
        for entry in self._entries():
            with self._lock:
                reached = self.limit is not None and self.selected >= self.limit
            if reached:
                self.stopped = True
                return
            if self.interrupted():
                return
            if self._admits(entry):
                with self._lock:
                    self.selected += 1
                yield entry

    def _admits(self, entry: dict) -> bool:
        """Filters on the key, and for listing entries on class, size and date, before anything is sent."""
        reason = self.filters.key_out(entry["Key"], self._matched)
        if reason is None and not entry.get(HEAD_ONLY):
            reason = self.filters.attributes_out(entry.get("StorageClass") or "STANDARD", entry.get("Size"),
                                                 entry.get("LastModified"))
        if reason is not None:
            self.counted_out[reason] += 1
        return reason is None

    def note_head(self, obj: dict, last_modified: Any) -> bool:
        """After the HEAD of a HEAD-only entry: True when the filters on class, size and date keep the object
        (else it is counted out, and nothing is sent for it). Thread-safe."""
        reason = self.filters.attributes_out(obj["storage_class"], obj["size"], last_modified)
        if reason is None:
            return True
        with self._lock:
            self.counted_out[reason] += 1
            self.selected -= 1
        return False

    def _entries(self) -> Iterator[dict]:
        params = self.params
        if params.get("prefix") is not None:
            return self._prefix_entries(params["prefix"])
        if params.get("keys") is not None:
            return self._key_list_entries(selection.key_entries(params["keys"]))
        if params.get("manifest") is not None:
            return self._named_entries(self._manifest_rows())
        return iter([head_only(params["key"], params.get("version_id"), _kind_of_named(params.get("version_id")))])

    # -- prefixes --------------------------------------------------------------------------------------------

    def _prefix_entries(self, prefix: str) -> Iterator[dict]:
        if self.version_at is not None:
            return self._entries_at(prefix, None)
        if self.versions != selection.VERSIONS_CURRENT:
            return self._version_entries(prefix, None)
        return self._current_entries(prefix)

    def _current_entries(self, prefix: str) -> Iterator[dict]:
        for page in self.bucket.list_object_pages(prefix, with_restore_status=self.with_restore_status):
            for entry in page:
                self.listed += 1
                entry[VERSION_KIND] = selection.KIND_CURRENT
                yield entry

    def _version_pages(self, prefix: str, only_key: str | None) -> Iterator[tuple]:
        """(entry, is delete marker) of ListObjectVersions under `prefix`, by key, newest first; with `only_key`, the
        entries of that key alone (a key's own listing also shows the keys that merely start with it)."""
        for page in self.bucket.list_object_version_pages(prefix, with_restore_status=self.with_restore_status):
            for entry, marker in selection.versions_in_order(page):
                if only_key is not None and entry["Key"] != only_key:
                    # Listings are in UTF-8 binary key order (ListObjectVersions): with Prefix=key the key's own
                    # entries come first, so the first other key ends them; no further page is asked for.
                    return
                yield entry, marker

    def _version_entries(self, prefix: str, only_key: str | None) -> Iterator[dict]:
        """Option versions all / noncurrent: every version of that kind; delete markers are skipped and counted."""
        for entry, marker in self._version_pages(prefix, only_key):
            self.listed += 1
            if not selection.version_wanted(self.versions, bool(entry.get("IsLatest"))):
                continue
            if marker:
                self.delete_markers += 1
                continue
            entry[VERSION_KIND] = selection.version_kind(bool(entry.get("IsLatest")))
            yield entry

    def _entries_at(self, prefix: str, only_key: str | None) -> Iterator[dict]:
        """Option version_at: per key, the version current at that moment; keys deleted or not there yet are
        counted (and the first of them named), not restored."""
        found = False
        for key, versions in selection.group_by_key(self._version_pages(prefix, only_key)):
            found = True
            self.listed += len(versions)
            outcome, entry = selection.version_at(versions, self.version_at)
            if outcome == selection.AT_VERSION:
                entry[VERSION_KIND] = selection.version_kind(bool(entry.get("IsLatest")))
                yield entry
            else:
                self._note_missing_at(key, outcome)
        if only_key is not None and not found:
            self._note_missing_at(only_key, selection.AT_ABSENT)

    def _note_missing_at(self, key: str, outcome: str) -> None:
        if outcome == selection.AT_DELETED:
            self.deleted_at += 1
        else:
            self.absent_at += 1
        if len(self.absent_keys) < KEYS_IN_MESSAGES:
            self.absent_keys.append(key)

    # -- named objects (key lists, manifests) ----------------------------------------------------------------

    def _named_entries(self, rows: Iterable) -> Iterator[dict]:
        """Entries for named objects ((key, version ID, is latest, is delete marker) rows): a HEAD each, or, with
        versions / version_at and no version named, a listing of the key's versions (Prefix=key). With version_at,
        a row's version ID is ignored: the key's version at that moment is read from that listing."""
        previous = None
        for key, version_id, is_latest, delete_marker in rows:
            if self.version_at is not None:
                version_id, delete_marker = None, False  # the version current then, whatever version the row names
            if (key, version_id) == previous:
                continue  # the same object twice in a row (a sorted manifest's duplicate): read it once
            previous = (key, version_id)
            if version_id is None and not delete_marker and self._lists_versions:
                yield from (self._entries_at(key, key) if self.version_at is not None else self._version_entries(key, key))
                continue
            self.listed += 1
            if delete_marker:
                self.delete_markers += 1
            elif self._named_version_wanted(key, version_id, is_latest):
                yield head_only(key, version_id, _kind_of_named(version_id, is_latest))

    def _named_version_wanted(self, key: str, version_id: str | None, is_latest: bool | None) -> bool:
        """Option versions on a named object: all keeps it; an inventory of all versions says which row is the
        latest (IsLatest); otherwise a named version is kept, except with noncurrent, which cannot be told."""
        if self.versions == selection.VERSIONS_ALL:
            return True
        if is_latest is not None:
            return selection.version_wanted(self.versions, is_latest)
        refuse_unknown_kind(self.params, key, version_id)
        return True

    @property
    def _lists_versions(self) -> bool:
        """Whether a named key without version ID is read from a listing of its versions (versions, version_at)."""
        return self.version_at is not None or self.versions != selection.VERSIONS_CURRENT

    def _key_list_entries(self, pairs: list) -> Iterator[dict]:
        """Option keys: where a trusted listing of the keys' common prefix costs less than their HEADs, read them
        from it (stopping past the last key, and giving up once it has cost what the HEADs would); HEAD the rest."""
        rows = [(key, version_id, None, False) for key, version_id in pairs]
        for key, version_id in pairs:
            refuse_unknown_kind(self.params, key, version_id)  # all of them before anything is sent
        if not self.with_restore_status or self._lists_versions:
            yield from self._named_entries(rows)
            return
        listed: set = set()
        for folder_keys in selection.keys_by_folder(pairs).values():
            if selection.folder_worth_listing(len(folder_keys)):
                yield from self._listed_keys(folder_keys, listed)
        yield from self._named_entries(row for row in rows if row[1] is not None or row[0] not in listed)

    def _listed_keys(self, wanted: list, listed: set) -> Iterator[dict]:
        """The listing entries of the `wanted` keys (sorted) from one listing of their common prefix; each key found
        is added to `listed`. Keys not found are left to a HEAD (which says that they are missing)."""
        common = os.path.commonprefix([wanted[0], wanted[-1]])
        wanted_set, budget_in_heads = set(wanted), len(wanted)
        for pages, page in enumerate(self.bucket.list_object_pages(common, with_restore_status=True), start=1):
            for entry in page:
                if entry["Key"] > wanted[-1]:
                    return
                if entry["Key"] in wanted_set:
                    self.listed += 1
                    listed.add(entry["Key"])
                    entry[VERSION_KIND] = selection.KIND_CURRENT
                    yield entry
            # One more page would cost more than the HEADs of all the wanted keys: HEAD the rest instead.
            if (pages + 1) * restore_state.LIST_PAGE_IN_HEADS > budget_in_heads:
                return

    # -- manifests -------------------------------------------------------------------------------------------

    def _manifest_rows(self) -> Iterator[tuple]:
        for row in manifest_rows(self.bucket, self.params["manifest"], self.params.get("manifest_format") or "auto"):
            yield row.key, row.version_id, row.is_latest, row.delete_marker

    # -- what the run reports ------------------------------------------------------------------------------

    def counts(self) -> dict:
        """What the summary adds for the selection (restore_state.add_selection)."""
        return {"counted_out": dict(self.counted_out), "delete_markers_skipped": self.delete_markers,
                "absent_at_version_at": self.absent_at, "deleted_at_version_at": self.deleted_at}

    def warnings(self) -> list:
        """Warnings about the selection: patterns that matched no key, keys missing at version_at."""
        texts = [f"The {option} pattern {pattern!r} matched no key: check its spelling (patterns match the whole key, "
                 "case-sensitively; use * for any characters, '/' included)."
                 for option, pattern in self.filters.unmatched_patterns(self._matched)]
        if self.absent_at or self.deleted_at:
            named = ", ".join(self.absent_keys[:10]) + (", ..." if len(self.absent_keys) > 10 else "")
            texts.append(f"At version_at {self.params['version_at']}, {self.absent_at} key(s) did not exist yet and "
                         f"{self.deleted_at} had been deleted (a delete marker); nothing was done for them: {named}.")
        return texts


class PrefixListing:
    """The listing entries under a prefix, a page (1,000 keys) at a time, stopping once more than `limit` keys
    were listed (option batch_operations_threshold: then `stopped` is True), or once `interrupted()` is true."""

    def __init__(self, bucket: S3Bucket, prefix: str, with_restore_status: bool, limit: int | None = None,
                 interrupted: Callable[[], bool] = lambda: False) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.with_restore_status = with_restore_status
        self.limit = limit
        self.interrupted = interrupted
        self.listed = 0
        self.stopped = False

    def __iter__(self) -> Iterator[dict]:
        for page in self.bucket.list_object_pages(self.prefix, with_restore_status=self.with_restore_status):
            for entry in page:
                if self.limit is not None and self.listed >= self.limit:
                    self.stopped = True
                    return
                if self.interrupted():
                    return
                self.listed += 1
                yield entry


def refuse_unknown_kind(params: dict, key: str, version_id: str | None, where: str = "") -> None:
    """TaskFailure for a named version under option versions=noncurrent: HeadObject does not say whether a version
    is the latest (only ListObjectVersions' and S3 Inventory's IsLatest do), so whether it is non-current cannot
    be told. Without version_at, which ignores named versions."""
    if version_id is None or params.get("version_at") or params.get("versions") != selection.VERSIONS_NONCURRENT:
        return
    raise TaskFailure(f"versions=noncurrent: {key!r} version {version_id!r}{where} names a version without saying whether it "
                      "is the latest (only an S3 Inventory of all versions has an IsLatest column), so whether it is "
                      "non-current cannot be told. Name keys without version IDs (their non-current versions are "
                      "listed), use versions=all, or give an S3 Inventory manifest.")


def selection_of(bucket: S3Bucket, params: dict, trust_listing: bool, limit: int | None = None,
                 interrupted: Callable[[], bool] = lambda: False) -> Selection:
    """The objects of a run's parameters (the shared argument spec's: key, prefix, keys, manifest,
    manifest_format, versions, version_at and the filters), streamed. Iterate it for the entries that
    object_restore.read_selection / restore_selection consume; see Selection for its counters."""
    return Selection(bucket, params, trust_listing, limit, interrupted)


# -- reading manifests -------------------------------------------------------------------------------------

def _lines_of(stream: Any, name: str) -> Iterator[bytes]:
    """The lines of a byte stream (a file, or GetObject's body), gunzipped when `name` ends in .gz, read as they
    are consumed: memory stays flat whatever the manifest's length."""
    if name.endswith(".gz"):
        return iter(gzip.GzipFile(fileobj=stream))
    if hasattr(stream, "iter_lines"):
        return stream.iter_lines(keepends=True)
    return iter(stream)


class _Opened:
    """A manifest source that can be opened again (once to check it, once to act on it)."""

    def __init__(self, bucket: S3Bucket, manifest: str) -> None:
        self.name = manifest
        self.location = manifests.parse_s3_uri(manifest)
        self.bucket = bucket

    def lines(self) -> Iterator[bytes]:
        if self.location is None:
            return self._local_lines()
        where = S3Bucket(self.bucket.client, self.location[0], None, self.bucket.request_payer)
        return _lines_of(where.object_body(self.location[1]), self.location[1])

    def _local_lines(self) -> Iterator[bytes]:
        try:
            handle = open(self.name, "rb")  # pylint: disable=consider-using-with
        except OSError as error:
            raise TaskFailure(f"Cannot read manifest {self.name!r} on the host that runs the module: {error.strerror}. "
                              "Give a path on that host (with delegate_to, the delegated host) or an s3:// URI.") from error
        return _closing_lines(handle, self.name)


def _closing_lines(handle: Any, name: str) -> Iterator[bytes]:
    with handle:
        yield from _lines_of(handle, name)


def manifest_rows(bucket: S3Bucket, manifest: str, manifest_format: str) -> Iterator[manifests.ManifestRow]:
    """The rows of option manifest, streamed. Raises TaskFailure naming the line for rows that cannot be parsed."""
    source = _Opened(bucket, manifest)
    try:
        lines = source.lines()
        first = next(lines, b"")
        chained = itertools.chain([first], lines)
        text = first.decode("utf-8", "replace").lstrip("\ufeff")
        chosen = manifest_format if manifest_format != manifests.FORMAT_AUTO else manifests.detect_format(manifest, text, bucket.name)
        if chosen == manifests.FORMAT_LINES:
            yield from manifests.line_rows(chained, manifest)
        elif chosen == manifests.FORMAT_CSV:
            yield from manifests.csv_rows(chained, manifest, bucket.name)
        else:
            yield from _inventory_rows(bucket, manifests.InventoryManifest(b"".join(chained).decode("utf-8", "replace"), manifest, bucket.name))
    except manifests.ManifestError as error:
        raise TaskFailure(f"manifest: {error}") from error


def _inventory_rows(bucket: S3Bucket, inventory: manifests.InventoryManifest) -> Iterator[manifests.ManifestRow]:
    """The rows of every CSV data file of an inventory, read from its destination bucket, one file after another."""
    where = S3Bucket(bucket.client, inventory.destination_bucket, None, bucket.request_payer)
    for data_key in inventory.files:
        yield from inventory.rows(_lines_of(where.object_body(data_key), data_key), f"s3://{inventory.destination_bucket}/{data_key}")


def check_manifest(bucket: S3Bucket, params: dict) -> int:
    """Read option manifest once through, before anything is sent, so that a row that cannot be parsed (or names
    another bucket) fails the run with its line number while nothing has changed. Returns the number of rows."""
    if params.get("manifest") is None:
        return 0
    count = 0
    for row in manifest_rows(bucket, params["manifest"], params.get("manifest_format") or "auto"):
        if row.is_latest is None and not row.delete_marker:
            refuse_unknown_kind(params, row.key, row.version_id, f" (line {row.line})")
        count += 1
    return count
