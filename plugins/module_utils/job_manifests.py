# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure rules for the manifests s3_restore_job writes itself (manifest_source=listing): which listed objects go
into which manifest, what a manifest row looks like, where a manifest is kept, and the jobs planned for them.

Nothing here talks to AWS (and nothing imports boto3). The listing and the writing are job_listing's; the
CreateJob request is batch_job's, given the manifest written. Sources, cited where they are used:

* S3 User Guide, "Creating an S3 Batch Operations job" (batch-ops-create-job, "Specifying a manifest");
* S3 User Guide, "Restore objects with Batch Operations" (batch-ops-initiate-restore-object);
* S3 User Guide, "Uploading and copying objects using multipart upload" (mpuoverview: part sizes and counts);
* S3 User Guide, "Converting empty version ID strings in Amazon S3 Inventory reports to null strings"
  (inventory-configure-bops: version IDs in manifests);
* S3 API Reference, ListObjectsV2 (RestoreStatus) and HeadObject (x-amz-archive-status).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from urllib.parse import quote

from ansible_collections.s3async.restore.plugins.module_utils import aws_names
from ansible_collections.s3async.restore.plugins.module_utils import batch_job
from ansible_collections.s3async.restore.plugins.module_utils import manifests
from ansible_collections.s3async.restore.plugins.module_utils import options
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils import result_text
from ansible_collections.s3async.restore.plugins.module_utils import selection
from ansible_collections.s3async.restore.plugins.module_utils.object_results import target_of

SOURCE_GENERATED = "generated"
SOURCE_LISTING = "listing"
MANIFEST_SOURCES = (SOURCE_GENERATED, SOURCE_LISTING)
DEFAULT_MANIFEST_PREFIX = "s3async-restore/manifests/"
# A manifest row names the bucket and the URL-encoded key, and the version ID when the manifest has that column
# (batch-ops-create-job, "Specifying a manifest": "Object keys must be URL-encoded"). With that column every row
# needs a version ID; "Batch Operations recognizes null strings as version IDs, but not empty strings"
# (inventory-configure-bops), so an object without a version ID (an unversioned bucket's) is written "null".
FIELDS = ("Bucket", "Key")
FIELDS_WITH_VERSIONS = ("Bucket", "Key", "VersionId")
NULL_VERSION = "null"
# Multipart upload: parts of 5 MiB to 5 GiB, except the last; at most 10,000 parts (mpuoverview, "Multipart upload
# limits"). 8 MiB parts hold a manifest of up to 80 GB, hundreds of millions of rows, with one part in memory.
PART_SIZE = 8 * 1024 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PARTS = 10000
MANIFEST_PREFIX_MAX = 800  # leaves room in S3's 1,024-byte key for "<bucket>/<ids>/<target>/<kind>.csv"
# A kind the listing found nothing to restore for gets no manifest (CreateJob needs a manifest with rows to act
# on) but an empty object beside where its manifest would be, "<kind>.empty": a re-run's HeadObject finds it (200,
# where a missing key is a 404) and neither lists again nor creates a job. The key names the scope and identity,
# so another scope, tier, days, idempotency_key or attempt lists afresh.
MANIFEST_SUFFIX = ".csv"
EMPTY_SUFFIX = ".empty"
# The options of options.selection_options() that s3_restore_job takes, with manifest_source=listing only: the
# controller applies them (object_sources.Selection). Its own `manifest` (a dict naming an S3 object) and
# `storage_classes` (the kinds of job) keep their names and meaning; `storage_classes` is also the class filter.
SELECTION_FILTERS = ("min_size", "max_size", "modified_after", "modified_before", "include", "exclude")
SELECTION_OPTIONS = ("keys", "versions", "version_at") + SELECTION_FILTERS
# How the manifest option's format reads on the controller (object_sources.manifest_rows).
READ_FORMATS = {"csv": manifests.FORMAT_CSV, "inventory": manifests.FORMAT_INVENTORY}
# The target segment of a listing manifest's key: "p-<prefix>" or "m-<bucket/key of the manifest read>", base64url
# without padding, so that the key holds no character an ARN or a console would read otherwise.
TARGET_PREFIX = "p"
TARGET_MANIFEST = "m"
LISTED_KEY_RE = re.compile(
    r"/(?P<bucket>[^/]+)/[0-9a-f]{12}-[0-9a-f]{12}-\d+/(?P<target>[pm])-(?P<encoded>[A-Za-z0-9_-]*)/"
    r"(?P<kind>" + "|".join(kind for kind, _classes in batch_job.KIND_CLASSES) + r")\.csv$"
)


def kind_of(storage_class: str) -> str | None:
    """The kind of job (batch_job.KIND_*) that restores an object of this class, or None for any other class."""
    for kind, classes in batch_job.KIND_CLASSES:
        if storage_class in classes:
            return kind
    return None


def needs_restore(obj: dict) -> bool:
    """Whether an object read from the listing (or its HEAD) goes into a manifest: archived, with no restore
    running or done. A task on an object being restored fails unless it has a faster tier, and a task on an object
    already restored resets its copy's expiry, which can shorten it (batch-ops-initiate-restore-object,
    "Overlapping restores"); an Intelligent-Tiering object in an access tier fails with
    ObjectAlreadyInActiveTierError. So only objects restore_state calls archived are listed."""
    return restore_state.restore_reason(obj["status"]) == restore_state.REASON_ARCHIVED and not obj.get("error")


def manifest_row(bucket: str, key: str, version_id: str | None = None) -> str:
    """One CSV line: ``bucket,key`` or ``bucket,key,version_id``, the key URL-encoded (batch-ops-create-job).

    Encoding every character but "/" also encodes the comma, so that no row needs CSV quoting."""
    fields = [bucket, quote(key, safe="/")]
    if version_id:
        fields.append(version_id)
    return ",".join(fields) + "\n"


def manifest_bucket_of(params: dict) -> str | None:
    """Where the manifests go: manifest_bucket, else report_bucket (the jobs' role already writes there)."""
    return params.get("manifest_bucket") or params.get("report_bucket")


def manifest_prefix_of(params: dict) -> str:
    """The manifests' key prefix, ending with "/" unless empty."""
    prefix = params.get("manifest_prefix")
    prefix = DEFAULT_MANIFEST_PREFIX if prefix is None else prefix
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


def manifest_key(params: dict, plan: dict, attempt: int) -> str:
    """The key of a plan's manifest: ``<manifest_prefix><bucket>/<scope id>-<identity id>-<attempt>/<target>/<kind>.csv``.

    Derived from what identifies the job (batch_job.job_identity, and the attempt that its ClientRequestToken also
    counts), never from the objects listed: a re-run finds the same job by its marker and, when an earlier run
    wrote the manifest but did not create the job, the same manifest, which it uses as it is. The target segment
    says what the job restores (listed_targets reads it back), since DescribeJob shows a given manifest's location
    only: another run can then tell whether this job overlaps its own (batch_job_status.job_targets)."""
    head = f"{manifest_prefix_of(params)}{params['bucket']}/{plan['scope_id']}-{plan['identity_id']}-{attempt}/"
    tail = f"/{plan['kind']}{MANIFEST_SUFFIX}"
    # Room for the longer of the two names, so that the empty marker's key fits in 1,024 bytes too.
    room = aws_names.MAX_KEY_BYTES - len((head + tail).encode("utf-8")) - (len(EMPTY_SUFFIX) - len(MANIFEST_SUFFIX))
    return head + _target_segment(plan_target(plan["scope"]), room) + tail


def empty_marker_key(key: str) -> str:
    """The key of the empty object that says a manifest_key had nothing to restore: ``.../<kind>.empty``."""
    return key[: -len(MANIFEST_SUFFIX)] + EMPTY_SUFFIX


def plan_target(scope: dict) -> tuple[str, str]:
    """(TARGET_PREFIX, the prefix) or (TARGET_MANIFEST, "bucket/key") of a listing scope (listing_scope)."""
    source = scope["source"]["listing"]
    if "manifest" in source:
        return TARGET_MANIFEST, source["manifest"]
    return TARGET_PREFIX, source.get("prefix") or ""


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _target_segment(target: tuple[str, str], room: int) -> str:
    """The target in at most `room` characters. A prefix too long is cut, which names a prefix that contains it
    (an overlap check on it errs on the side of a conflict); a manifest too long becomes the whole bucket."""
    kind, value = target
    if len(_encode(value)) + 2 > room:
        if kind == TARGET_MANIFEST:
            kind, value = TARGET_PREFIX, ""
        raw = value.encode("utf-8")[: max(room - 2, 0) * 3 // 4]
        value = raw.decode("utf-8", "ignore")
    return f"{kind}-{_encode(value)}"


def listed_targets(resource: str | None) -> dict | None:
    """What a job created from one of our listing manifests restores, from the manifest's ``bucket/key`` (as its
    ARN names it), in batch_job_status's targets form; None for any other manifest. The classes are the kind's."""
    match = LISTED_KEY_RE.search(resource or "")
    if match is None:
        return None
    encoded = match.group("encoded")
    try:
        value = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    classes = dict(batch_job.KIND_CLASSES)[match.group("kind")]
    by_manifest = match.group("target") == TARGET_MANIFEST
    return {"bucket": match.group("bucket"), "prefixes": [] if by_manifest else [value], "classes": list(classes),
            "manifest": value if by_manifest else None, "listing": True}


def written_manifest(bucket: str, key: str, etag: str | None, with_versions: bool = False) -> dict:
    """The manifest of a plan once written (ETag None: not written, check mode), as batch_job.job_manifest takes it."""
    fields = FIELDS_WITH_VERSIONS if with_versions else FIELDS
    return {"bucket": bucket, "key": key, "version_id": None, "etag": batch_job.normalize_etag(etag), "format": "csv",
            "fields": list(fields)}


def _given(params: dict, name: str) -> bool:
    value = params.get(name)
    if name == "versions":
        return value not in (None, selection.VERSIONS_CURRENT)
    return value not in (None, "", [])


def source_manifest_uri(params: dict) -> str | None:
    """The manifest option as an s3:// URI (its bucket defaults to the bucket restored), or None."""
    manifest = params.get("manifest")
    if manifest is None:
        return None
    return aws_names.s3_uri(manifest.get("bucket") or params["bucket"], manifest.get("key") or "")


def selection_params(params: dict, classes: list[str] | None = None) -> dict:
    """The parameters object_sources.selection_of (and options.selection_problems) read, from s3_restore_job's:
    the same source (prefix, keys, or the manifest read on the controller), versions, version_at and filters, with
    `classes` (default: storage_classes) as the class filter, so that no HEAD-only object of another class gets
    into a manifest."""
    manifest = params.get("manifest") or {}
    chosen = {name: params.get(name) for name in SELECTION_OPTIONS}
    chosen.update({
        "bucket": params["bucket"], "key": None, "version_id": None, "prefix": params.get("prefix"),
        "manifest": source_manifest_uri(params), "manifest_format": READ_FORMATS.get(manifest.get("format") or "csv"),
        "versions": params.get("versions") or selection.VERSIONS_CURRENT,
        "storage_classes": list(params["storage_classes"] if classes is None else classes),
        "concurrency": params.get("concurrency"), "expected_bucket_owner": None, "max_requests_per_second": None,
        "max_results": None,
    })
    return chosen


def listing_source(params: dict) -> dict:
    """What a listing scope says is listed: the prefix; a key list (a digest of its sorted entries, and the keys'
    common prefix for the overlap checks); or the manifest object read. The selection options that differ from
    their defaults are part of it: other filters or versions are other objects, so another job."""
    if params.get("keys") is not None:
        pairs = sorted((key, version or "") for key, version in selection.key_entries(params["keys"]))
        source = {"keys": batch_job.digest(pairs, 24), "prefix": os.path.commonprefix([key for key, _version in pairs])}
    elif params.get("manifest") is not None:
        source = {"manifest": source_manifest_uri(params)[len("s3://"):]}
    else:
        source = {"prefix": params.get("prefix") or ""}
    chosen = {name: params[name] for name in SELECTION_OPTIONS[1:] if _given(params, name)}
    if chosen:
        source["selection"] = chosen
    return source


def listing_scope(account_id: str, bucket: str, kind: str, classes: list[str], source: dict) -> dict:
    """batch_job.job_scope for jobs over what the controller listed: a scope of its own (source ``listing``), so
    that a listing run never takes the manifest generator's job for its own, nor the other way round."""
    return dict(batch_job.job_scope(account_id, bucket, kind, classes), source={"listing": source})


def with_versions(params: dict) -> bool:
    """Whether the manifests name each object's version (a VersionId column). They do wherever the objects are
    read with their version, so that the job restores exactly the version found archived: version listings
    (versions, version_at), and the HEADs of a manifest's rows or of a key list that names versions. A listing of
    current versions (ListObjectsV2) names none, and a manifest without the column targets "the latest version"
    (batch-ops-create-job, "Specifying a manifest")."""
    if _given(params, "versions") or _given(params, "version_at") or params.get("manifest") is not None:
        return True
    return params.get("keys") is not None and any(version for _key, version in selection.key_entries(params["keys"]))


def key_listing_allowed(params: dict) -> bool:
    """Whether a key list may be read from a listing of the keys' folder (object_sources, on trusted listings):
    not when its manifests need versions, which ListObjectsV2 does not give; each key then gets its HEAD."""
    return not (params.get("keys") is not None and with_versions(params))


def row_version(obj: dict) -> str:
    """The VersionId column of an object's row: its version ID, else "null" (inventory-configure-bops)."""
    return obj.get("version_id") or NULL_VERSION


def listing_description(bucket: str, kind: str, classes: list[str], tier: str, days: int, params: dict) -> str:
    text = f"Restore archived {'/'.join(classes)} listed {where_listed(params)}, tier {tier}"
    if kind == batch_job.KIND_GLACIER:
        text += f", {days} days"
    return text


def where_listed(params: dict) -> str:
    """``under s3://b/db/*`` (a prefix), or ``of s3://b/ (3 keys)`` / ``of s3://b/ (manifest s3://m/k)``."""
    target = target_of(selection_params(params))
    return f"under {target}" if params.get("prefix") is not None else f"of {target}"


def plan_listing_jobs(params: dict, account_id: str) -> list[dict]:
    """One plan per kind of job, as batch_job.plan_jobs makes them, for manifest_source=listing. Each plan's
    ``manifest`` is None until job_listing has written it (or, in check mode, would)."""
    plans = []
    for kind, classes in batch_job.split_kinds(params["storage_classes"]):
        scope = listing_scope(account_id, params["bucket"], kind, classes, listing_source(params))
        identity = batch_job.job_identity(scope, params["tier"], params["days"], None, params.get("idempotency_key"))
        tag = batch_job.marker(scope, identity)
        text = params.get("description") or listing_description(
            params["bucket"], kind, classes, params["tier"], params["days"], params)
        plans.append({
            "kind": kind,
            "storage_classes": classes,
            "scope": scope,
            "scope_id": batch_job.digest(scope),
            "identity": identity,
            "identity_id": batch_job.digest(identity),
            "marker": tag,
            "description": batch_job.job_description(text, tag),
            "manifest": None,
        })
    return plans


def is_listing(params: dict) -> bool:
    return params.get("manifest_source") == SOURCE_LISTING


def listing_problems(params: dict) -> list[str]:
    """What is wrong with the options of manifest_source=listing (or with its options given without it)."""
    if not is_listing(params):
        given = [name for name in ("manifest_bucket", "manifest_prefix") + SELECTION_OPTIONS if _given(params, name)]
        return [f"{name} applies only with manifest_source=listing (the controller reads the objects)" for name in given]
    problems = _read_manifest_problems(params.get("manifest"))
    if params.get("save_manifest"):
        problems.append("save_manifest keeps the list the manifest generator makes; with manifest_source=listing the "
                        "manifests written are kept anyway (manifest_bucket, manifest_prefix)")
    target = manifest_bucket_of(params)
    if params["state"] != "absent" and not target:
        problems.append("manifest_source=listing writes one CSV manifest per kind of object: give manifest_bucket (or "
                        "report_bucket, which it defaults to)")
    elif target and not aws_names.BUCKET_NAME_RE.match(target):
        problems.append(f"manifest_bucket must be a bucket name, got {target!r}")
    if len(manifest_prefix_of(params)) > MANIFEST_PREFIX_MAX:
        problems.append(f"manifest_prefix may be at most {MANIFEST_PREFIX_MAX} characters")
    # The object modules' checks of keys, versions, version_at and the filters (one home for them); the bucket is
    # batch_job_checks.restore_problems' to check.
    problems += [problem for problem in options.selection_problems(selection_params(params))
                 if not problem.startswith("bucket ")]
    return problems


def _read_manifest_problems(manifest: dict | None) -> list[str]:
    """The manifest option read on the controller: its rows as they are now, so no version, ETag or columns of the
    manifest object itself (those describe a manifest handed to the job as it is, manifest_source=generated)."""
    if manifest is None:
        return []
    given = [name for name in ("version_id", "etag", "fields") if manifest.get(name)]
    if not given:
        return []
    return [f"with manifest_source=listing the manifest is read on the controller as it is now: leave out "
            f"{', '.join('manifest.' + name for name in given)} (its rows are bucket,key or bucket,key,version_id, or "
            "an S3 Inventory report's; the manifests written get their own ETags)"]


# -- the result's words -------------------------------------------------------------------------------------------

MANIFEST_WORDS = {
    "written": "wrote the manifest {location} ({count})",
    "would_write": "would write the manifest {location} ({count})",
    "found": "used the manifest {location} an earlier run wrote",
    "none": "no {classes} object needs a restore, so no job for them",
    "found_empty": "an earlier run found no {classes} object that needs a restore ({location}), so no job for them",
}


def manifest_words(entry: dict) -> str:
    count = ""
    if entry["objects"] is not None:
        count = f"{result_text.plural(entry['objects'], 'object')}, {result_text.human_size(entry['bytes'])}"
    return MANIFEST_WORDS[entry["action"]].format(location=entry["location"], count=count,
                                                  classes="/".join(entry["storage_classes"]))


def _where(listing: dict, bucket: str) -> str:
    """``under s3://b/db/*``, or ``of s3://b/ (3 keys)`` (RV(listing.target), else the prefix)."""
    if listing.get("target") is not None and listing.get("prefix") is None:
        return f"of {listing['target']}"
    return f"under {listing.get('target') or aws_names.s3_uri(bucket, listing['prefix'] or '') + '*'}"


def listing_text(listing: dict, bucket: str) -> str:
    """``Listed 1,200 objects under s3://b/db/*; of the classes restored, 900 objects (...): ...; wrote ...``."""
    parts = []
    if listing["listed"] is not None:
        summary = listing["summary"]
        text = f"Listed {result_text.plural(listing['listed'], 'object')} {_where(listing, bucket)}"
        if summary["total"]:
            text += f"; in the storage classes restored, {result_text.states_text(summary)}"
        parts.append(text)
    parts += [manifest_words(entry) for entry in listing["manifests"]]
    text = "; ".join(parts) + "." if parts else ""
    return text[:1].upper() + text[1:]


def listing_message(listing: dict, bucket: str, check_mode: bool, jobs_text: str | None) -> str:
    """RV(msg) of a manifest_source=listing run: the jobs' words (job_task.summary_message), then what was listed
    and written; or, when no object needs a restore, that no job is (or would be) created, and why."""
    listed = listing_text(listing, bucket)
    if jobs_text is not None:
        return f"{jobs_text} {listed}".rstrip()
    where = _where(listing, bucket).split(" ", 1)[1]
    verb = "would be created" if check_mode else "created"
    reason = "matched no object" if listing["listed"] == 0 else "holds no object that needs a restore"
    if listing["listed"] is None:
        reason = ("held no object that needs a restore when an earlier run listed it (give another idempotency_key "
                  "to list again)")
    text = f"No restore job {verb}: {where} {reason}. {listed}".rstrip()
    return f"Check mode: {text}" if check_mode else text
