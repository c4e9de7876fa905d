# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Options shared by the modules that read archived objects: which bucket, and how a prefix is read; SELECTION
    adds which objects besides one key or one prefix (key lists, manifests, versions, a point in time, filters)."""

    DOCUMENTATION = r"""
options:
  bucket:
    description:
      - Name of the bucket that holds the objects.
    type: str
    required: true
  expected_bucket_owner:
    description:
      - Account ID that must own the bucket. Sent with every call; S3 answers 403 if another account owns it.
    type: str
  request_payer:
    description:
      - Set to V(true) for a Requester Pays bucket; the caller is then billed for the requests and retrieval.
    type: bool
    default: false
  status_source:
    description:
      - How a O(prefix) run learns whether a C(GLACIER) or C(DEEP_ARCHIVE) object was already restored.
      - V(listing) trusts ListObjectsV2's C(RestoreStatus) (asked for with C(OptionalObjectAttributes)), so no
        HeadObject is needed for those objects, one request per 1,000 keys in all.
      - V(head) sends a HeadObject for each archived object. Right for endpoints that do not report
        C(RestoreStatus) (S3-compatible stores, emulators), where a listing cannot tell "never restored" from
        "not reported", and trusting it would re-send restores to restored objects, resetting their expiry.
      - V(auto) means V(listing) on AWS's own endpoints and V(head) when O(endpoint_url) points elsewhere.
      - Intelligent-Tiering objects always need a HeadObject (listings do not carry their archive tier);
        objects in other classes never do.
    type: str
    choices: [auto, listing, head]
    default: auto
  concurrency:
    description:
      - How many requests to S3 a O(prefix) run keeps in flight. Throttling (503 SlowDown) and transient
        errors are retried with jittered exponential backoff.
      - At the latency of AWS (tens of milliseconds per request), one request in flight gives about 10 to 30
        requests per second; the default is enough for the client's CPU, not the network, to set the pace
        (L(Performance guide,https://github.com/s3async/restore/blob/main/docs/performance.md)).
      - To stay under a share of the account's restore quota, set O(max_requests_per_second) rather than
        lowering this.
    type: int
    default: 128
  max_requests_per_second:
    description:
      - The most C(RestoreObject) requests that M(s3async.restore.s3_object_restore) sends per second, across
        all its threads; leave it out for no cap. Other requests (listings, HeadObject) are not counted.
      - S3 initiates at most 1,000 restores per second per account and Region, shared by every tool, task and
        Batch Operations job of the account; give each run that shares the quota its part of it.
      - A fraction is allowed (V(0.5) is one request every two seconds). Retries of a throttled request are not
        counted; they wait as botocore's retry mode decides.
      - M(s3async.restore.s3_object_restore_info) sends no restore and accepts the option for a shared
        configuration (C(module_defaults)) only.
    type: float
  list_objects:
    description:
      - Which objects RV(objects) lists. RV(summary) and RV(msg) always count every object.
      - V(attention) lists what needs attention, failures first. For M(s3async.restore.s3_object_restore), the
        objects a restore was requested for (or, in check mode, would be); for
        M(s3async.restore.s3_object_restore_info), the objects that cannot be read yet (archived or in
        progress). A O(key) run always lists its object.
      - V(all) lists every object.
      - Each group is sorted by key (then version), so that two runs over the same objects can be compared.
    type: str
    choices: [attention, all]
    default: attention
  max_results:
    description:
      - The most entries returned in RV(objects); V(0) means no limit. Failed objects come first, then those a
        restore was requested for, then the rest.
    type: int
    default: 25
"""

    # The options of options.selection_options(), for the modules that take them (s3_object_restore,
    # s3_object_restore_info, s3_object_unarchive): extends_documentation_fragment s3async.restore.s3_objects.selection.
    SELECTION = r"""
options:
  keys:
    description:
      - A list of keys to handle, each a key (V(db/2026-11-01.dump)) or a dict with C(key) and an optional
        C(version_id). Exactly one of O(key), O(prefix), O(keys) and O(manifest) is required.
      - Each key costs at most one HeadObject. On AWS (where a listing's C(RestoreStatus) is trusted, see
        O(status_source)), when more than about a dozen keys without C(version_id) share a folder, one listing
        of their common prefix (a page per 1,000 keys) reads them instead, stopping past the last key and giving
        up once it has cost what the HeadObjects would. A key named twice is read once.
      - A key that does not exist fails that object (the others are handled), as with O(key).
    type: list
    elements: raw
  manifest:
    description:
      - The objects to handle, listed in a manifest on the host that runs the module (a path) or in S3
        (V(s3://bucket/key), read with GetObject). A name ending in C(.gz) is read gunzipped. See O(manifest_format).
      - The manifest is read twice, streamed a line at a time (memory stays flat for ten million lines) - once
        through before anything is sent, so that a row that cannot be parsed, or one for another bucket, fails
        the task with its line number while nothing has changed; then to handle the objects. A manifest of more
        rows than O(s3async.restore.s3_object_restore#module:batch_operations_threshold) is refused up front.
      - Reading it twice costs twice its GetObjects (for an inventory, its C(manifest.json) and every CSV data
        file are read twice too), and twice the download for a manifest in S3.
      - Each row costs one HeadObject (no listing can tell the state of named objects for less); the same object
        on two consecutive rows is read once.
    type: str
  manifest_format:
    description:
      - How O(manifest) is written.
      - V(lines) - one key per line, as written (not URL-encoded); empty lines are skipped.
      - V(csv) - the S3 Batch Operations CSV manifest - C(bucket,key) or C(bucket,key,version_id) rows, no header,
        the key URL-encoded. A row for another bucket is refused.
      - V(inventory) - the C(manifest.json) of an S3 Inventory report; its CSV data files (gzip) are read from
        the inventory's destination bucket. Delete-marker rows are skipped and counted. ORC and Parquet
        inventories are refused, with how to configure a CSV one.
      - V(auto) - V(inventory) for a JSON document, V(csv) for a name ending in C(.csv) (or C(.csv.gz)) or a first
        row whose first field is O(bucket), V(lines) otherwise.
    type: str
    choices: [auto, lines, csv, inventory]
    default: auto
  versions:
    description:
      - Which versions of the objects of O(prefix), O(keys) or O(manifest) to handle, on a versioned bucket.
      - V(current) - the current version of each key (ListObjectsV2 for a prefix).
      - V(all) - every version (ListObjectVersions, a page per 1,000 versions). V(noncurrent) - every version but
        the current one.
      - Delete markers have no data; they are skipped and counted (RV(summary.delete_markers_skipped)).
      - A O(keys) entry (or a manifest row) that names a C(version_id) is that version. With V(all), every
        named version is kept. An inventory of all versions says which row is the current version (its
        C(IsLatest) column), so V(current) and V(noncurrent) keep the rows of that kind; a named version whose
        kind is unknown (a O(keys) entry, a CSV row) is kept with V(current), and refused with V(noncurrent)
        (HeadObject does not say whether a version is the latest), before anything is sent.
      - Each result names its RV(objects[].version_id) and RV(objects[].version_kind), and restores and
        HeadObjects are sent with the version ID.
    type: str
    choices: [current, all, noncurrent]
    default: current
  version_at:
    description:
      - An ISO 8601 date-time (V(2026-11-24T18:00:00Z); UTC when no offset is given); for each key of O(prefix),
        O(keys) or O(manifest), the version that was current at that moment - the state of the folder as it was
        then. Not with O(versions).
      - One ListObjectVersions pass over the prefix (for O(keys) and O(manifest), over each key) picks, per key,
        the newest version modified at or before that moment. On a tie between a version and a delete marker at
        the same C(LastModified), the delete marker wins (the key counts as deleted then).
      - A C(version_id) named by a O(keys) entry or a manifest row (a CSV version column, an inventory of all
        versions) is ignored - the key's version at that moment is read from its listing; consecutive rows of the
        same key are read once. A key's listing costs one page (it stops at the first key past it).
      - Keys that did not exist yet, or whose version then was a delete marker, are counted
        (RV(summary.absent_at_version_at), RV(summary.deleted_at_version_at)) and named in a warning; nothing is
        done for them. A moment in the future is refused.
    type: str
  storage_classes:
    description:
      - Handle only the objects in these storage classes; the others are counted out
        (RV(summary.counted_out)).
      - Filters apply before anything is sent for an object. With O(prefix) the listing tells; with O(keys) and
        O(manifest) the filters on class, size and date apply after the object's HeadObject, before any
        RestoreObject.
    type: list
    elements: str
    choices: [GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING]
  min_size:
    description:
      - Handle only objects of at least this size - bytes (V(1073741824)) or a number and a unit - V(1 GB)
        (decimal, 10^9) or V(1 GiB) (binary, 2^30); a bare letter (V(10k)) is binary. Not above O(max_size).
    type: raw
  max_size:
    description:
      - Handle only objects of at most this size, written as for O(min_size).
    type: raw
  modified_after:
    description:
      - Handle only objects whose LastModified is after this ISO 8601 date-time (UTC when no offset is given).
    type: str
  modified_before:
    description:
      - Handle only objects whose LastModified is before this ISO 8601 date-time.
    type: str
  include:
    description:
      - Handle only keys that match one of these shell-style patterns (C(*), C(?), C([...]); C(*) also matches
        C(/)), matched case-sensitively against the whole key, as in V(db/*.dump).
      - A pattern that matches no key is warned about, not an error.
    type: list
    elements: str
  exclude:
    description:
      - Leave out keys that match one of these patterns (written as for O(include)); exclude wins over include.
    type: list
    elements: str
"""
