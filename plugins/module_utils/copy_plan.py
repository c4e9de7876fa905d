# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What s3_object_unarchive copies, where, and with which arguments. Pure (no boto3).

Sources, cited where used: S3 API Reference, CopyObject, CreateMultipartUpload, UploadPartCopy and
CompleteMultipartUpload; S3 User Guide, "Copying objects" (copy-object), "Uploading and copying objects using
multipart upload" (mpuoverview, "Multipart upload limits"), "Working with archived objects" (archived-objects),
"Using object metadata" (UsingMetadata) and "Locking objects with Object Lock" (object-lock).
"""

from __future__ import annotations

import dataclasses
import datetime
from urllib.parse import quote

from ansible_collections.s3async.restore.plugins.module_utils import options
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils import selection
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import BUCKET_NAME_RE
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import s3_uri
from ansible_collections.s3async.restore.plugins.module_utils.result_text import human_size
from ansible_collections.s3async.restore.plugins.module_utils.result_text import plural
from ansible_collections.s3async.restore.plugins.module_utils.result_text import states_text

# The classes a copy may go to: all readable without a restore (archived-objects). GLACIER and DEEP_ARCHIVE are
# left out on purpose: a copy into them would be archived again.
TARGET_CLASSES = ("STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR")

GIB = 1024 ** 3
MIB = 1024 ** 2


@dataclasses.dataclass(frozen=True)
class CopyLimits:
    """S3's copy limits (CopyObject: "You can copy objects up to 5 GB in size in a single atomic action"; larger
    objects, up to 5 TB, need UploadPartCopy; mpuoverview, "Multipart upload limits": parts of 5 MiB to 5 GiB, the
    last one smaller, at most 10,000 parts). `part_size` is the size we prefer; a test may make the limits small."""

    single_copy_max: int = 5 * GIB
    part_size: int = 512 * MIB
    min_part_size: int = 5 * MIB
    max_part_size: int = 5 * GIB
    max_parts: int = 10000
    max_object: int = 5 * 1024 * GIB


DEFAULT_LIMITS = CopyLimits()

# User metadata that records which source a copy in another place was made from, so that a second run can tell
# "this destination already holds this source" (the idempotency check). S3 stores it as x-amz-meta-*.
SOURCE_ETAG_METADATA = "s3async-source-etag"
SOURCE_VERSION_METADATA = "s3async-source-version-id"
# User metadata is limited to 2 KB, keys and values in UTF-8 (UsingMetadata, "User-defined object metadata"): when
# the source's metadata leaves no room for ours, the copy is made without it, with S3's own COPY directive.
USER_METADATA_MAX_BYTES = 2048

# The system metadata a REPLACE copy or a multipart copy must send again, as HeadObject returns it: with
# MetadataDirective REPLACE, or on CreateMultipartUpload, S3 keeps none of it by itself (CopyObject,
# "x-amz-metadata-directive"; UploadPartCopy copies bytes only).
CONTENT_HEADERS = ("ContentType", "ContentEncoding", "ContentDisposition", "ContentLanguage", "CacheControl",
                   "Expires", "WebsiteRedirectLocation")
# The checksum HeadObject returns (with ChecksumMode ENABLED) names the algorithm to keep (CopyObject,
# "x-amz-checksum-algorithm": otherwise the copy gets S3's default CRC64NVME). All the algorithms of CopyObject's
# ChecksumAlgorithm, each with the HeadObject field (and UploadPartCopy CopyPartResult field) that holds its value.
CHECKSUM_FIELDS = {"ChecksumCRC32": "CRC32", "ChecksumCRC32C": "CRC32C", "ChecksumSHA1": "SHA1",
                   "ChecksumSHA256": "SHA256", "ChecksumCRC64NVME": "CRC64NVME", "ChecksumSHA512": "SHA512",
                   "ChecksumMD5": "MD5", "ChecksumXXHASH64": "XXHASH64", "ChecksumXXHASH3": "XXHASH3",
                   "ChecksumXXHASH128": "XXHASH128"}

ACTION_COPY = "copied"
# What happened to each object, in its `copy` field and in the summary.
COPY_DONE = "copied"
COPY_ALREADY = "already_copied"
COPY_PENDING = "pending"
COPY_NOT_NEEDED = "not_needed"
COPY_OUTCOMES = (COPY_DONE, COPY_ALREADY, COPY_PENDING, COPY_NOT_NEEDED)


@dataclasses.dataclass(frozen=True)
class Destination:
    """Where copies go: `bucket`, and the `prefix` that replaces `source_prefix` at the start of each key."""

    source_bucket: str
    bucket: str
    source_prefix: str
    prefix: str

    def key_for(self, key: str) -> str:
        """The destination key: destination_prefix in place of the selection's prefix."""
        return self.prefix + key[len(self.source_prefix):] if key.startswith(self.source_prefix) else self.prefix + key

    def in_place(self, key: str) -> bool:
        return self.bucket == self.source_bucket and self.key_for(key) == key

    @property
    def whole_run_in_place(self) -> bool:
        """True when every copy goes back to its own key (same bucket, destination_prefix omitted or the same)."""
        return self.bucket == self.source_bucket and self.prefix == self.source_prefix

    @classmethod
    def from_params(cls, params: dict) -> "Destination":
        """From the options: a key's prefix is its folder (up to the last '/'), a prefix run's the prefix; keys and
        manifest have none, so destination_prefix is put in front of each whole key."""
        source_prefix = params["prefix"] if params.get("key") is None else params["key"][: params["key"].rfind("/") + 1]
        prefix = source_prefix if params["destination_prefix"] is None else params["destination_prefix"]
        return cls(params["bucket"], params["destination_bucket"] or params["bucket"], source_prefix or "", prefix or "")


def copy_needed(obj: dict, in_place: bool) -> str | None:
    """Why this object is copied, or None. Restored GLACIER / DEEP_ARCHIVE copies are temporary (archived-objects);
    a readable Intelligent-Tiering object is copied only elsewhere: in place it needs no copy to stay readable."""
    if obj.get("error"):
        return None
    if obj["storage_class"] in restore_state.GLACIER_CLASSES and obj["status"] == restore_state.STATUS_RESTORED:
        return "restored copy"
    if obj["storage_class"] == restore_state.INTELLIGENT_TIERING and restore_state.is_readable(obj["status"]) and not in_place:
        return "Intelligent-Tiering"
    return None


def is_pending(obj: dict) -> bool:
    """Still archived or being restored: not readable yet, so not copied, and not a failure."""
    return not obj.get("error") and obj["status"] in (restore_state.STATUS_ARCHIVED, restore_state.STATUS_IN_PROGRESS)


def refusal(head: dict) -> str | None:
    """Why an object cannot be copied at all, or None. SSE-C: CopyObject needs the customer's key in
    x-amz-copy-source-server-side-encryption-customer-key, which this module never holds (CopyObject)."""
    if head.get("SSECustomerAlgorithm"):
        return ("encrypted with a customer-provided key (SSE-C): copying needs that key, which this module does not "
                "take; copy it with the key (aws s3api copy-object --copy-source-sse-c ...)")
    return None


def may_be_noncurrent(obj: dict) -> bool:
    """Whether an object names a version not known to be the current one (a version named by its ID: HeadObject
    does not say whether it is the latest), which an in-place copy must first compare with the current version."""
    return bool(obj.get("version_id")) and obj.get("version_kind") != selection.KIND_CURRENT


def noncurrent_in_place_problem(version_id: str) -> str:
    """Why a noncurrent version is not copied in place. A copy is a new current version of its key (S3 User Guide,
    "Retaining multiple versions of objects with S3 Versioning"): in place, an old version would become the current
    one over what readers see now, a rollback rather than a copy to keep."""
    return (f"version {version_id} is not the current version of its key: copied in place, it would become the "
            "current version over the one readers see now. Give destination_bucket or destination_prefix to copy it "
            "elsewhere, or leave the version out to copy the current one")


def source_identity(head: dict) -> dict:
    """What identifies the source in a copy's metadata: its ETag (and version ID on a versioned bucket)."""
    identity = {SOURCE_ETAG_METADATA: (head.get("ETag") or "").strip('"')}
    if head.get("VersionId") and head["VersionId"] != "null":
        identity[SOURCE_VERSION_METADATA] = head["VersionId"]
    return identity


def _metadata_bytes(metadata: dict) -> int:
    return sum(len(name.encode("utf-8")) + len(str(value).encode("utf-8")) for name, value in metadata.items())


def metadata_with_identity(head: dict) -> dict | None:
    """The source's user metadata plus its identity, or None when that would pass S3's 2 KB limit."""
    metadata = dict(head.get("Metadata") or {}, **source_identity(head))
    return metadata if _metadata_bytes(metadata) <= USER_METADATA_MAX_BYTES else None


def recorded_identity(destination_head: dict | None) -> dict:
    """The source identity a copy carries in its metadata ({} for a copy made without room for it, or none)."""
    return {name: value for name, value in ((destination_head or {}).get("Metadata") or {}).items()
            if name in (SOURCE_ETAG_METADATA, SOURCE_VERSION_METADATA)}


def already_copied(head: dict, destination_head: dict | None, storage_class: str) -> bool:
    """True when the destination already holds this source: the same size, and the source's identity recorded in
    its metadata, or (a copy made without room for it) a copy newer than the source (LastModified) in the class the
    run asks for. The ETag cannot tell: a copy's ETag equals the source's only for an unencrypted or SSE-S3
    single-part object (S3 API Reference, Object: ETag), never for SSE-KMS or a multipart copy."""
    if destination_head is None or destination_head.get("ContentLength") != head.get("ContentLength"):
        return False
    recorded = recorded_identity(destination_head)
    if recorded:
        return recorded == source_identity(head)
    copied_at, source_at = destination_head.get("LastModified"), head.get("LastModified")
    # HeadObject leaves StorageClass out for STANDARD (HeadObject, "x-amz-storage-class").
    same_class = (destination_head.get("StorageClass") or "STANDARD") == storage_class
    return same_class and copied_at is not None and source_at is not None and copied_at > source_at


def _preserved(head: dict, now: datetime.datetime) -> dict:
    """Encryption, checksum and Object Lock arguments that a copy would not carry over by itself."""
    args = {}
    encryption = head.get("ServerSideEncryption")
    if encryption:
        # SSE-KMS: without x-amz-server-side-encryption-aws-kms-key-id, the copy is encrypted with the
        # destination's default key, not the source's (CopyObject, "x-amz-server-side-encryption").
        args["ServerSideEncryption"] = encryption
    if encryption and encryption.startswith("aws:kms"):
        if head.get("SSEKMSKeyId"):
            args["SSEKMSKeyId"] = head["SSEKMSKeyId"]
        if head.get("BucketKeyEnabled") is not None:
            args["BucketKeyEnabled"] = head["BucketKeyEnabled"]
    algorithm = checksum_algorithm(head)
    if algorithm:
        args["ChecksumAlgorithm"] = algorithm
    args.update(lock_arguments(head, now))
    return args


def checksum_algorithm(head: dict) -> str | None:
    return next((algorithm for field, algorithm in CHECKSUM_FIELDS.items() if head.get(field)), None)


def _in_future(date, now: datetime.datetime) -> bool:
    """Whether a retain-until date is after `now` (a naive date read as UTC; what is no date is left to S3)."""
    return not isinstance(date, datetime.datetime) or (date.tzinfo and date or date.replace(tzinfo=datetime.timezone.utc)) > now


def lock_arguments(head: dict, now: datetime.datetime | None = None) -> dict:
    """Object Lock retention and legal hold as HeadObject showed them, to re-apply on the copy (CopyObject,
    "x-amz-object-lock-mode"; object-lock: a copy is a new object version, and gets no lock by itself). HEAD shows
    them only with s3:GetObjectRetention / s3:GetObjectLegalHold. With `now` (aware UTC), a retention whose
    RetainUntilDate has passed is left out: it no longer protects the source, and S3 refuses a retain-until date
    that is not in the future (object-lock, "Retention periods"; CopyObject, "x-amz-object-lock-retain-until-date")."""
    args = {}
    if head.get("ObjectLockMode") and head.get("ObjectLockRetainUntilDate") and (
            now is None or _in_future(head["ObjectLockRetainUntilDate"], now)):
        args["ObjectLockMode"] = head["ObjectLockMode"]
        args["ObjectLockRetainUntilDate"] = head["ObjectLockRetainUntilDate"]
    if head.get("ObjectLockLegalHoldStatus") == "ON":
        args["ObjectLockLegalHoldStatus"] = "ON"
    return args


def without_lock(args: dict) -> dict:
    return {name: value for name, value in args.items() if not name.startswith("ObjectLock")}


def _content(head: dict, metadata: dict) -> dict:
    args = {name: head[name] for name in CONTENT_HEADERS if head.get(name)}
    args["Metadata"] = metadata
    return args


def copy_arguments(head: dict, destination_key: str, storage_class: str, in_place: bool,
                   now: datetime.datetime | None = None) -> dict:
    """CopyObject's arguments (besides buckets, CopySource and grants) that keep everything of the object.

    In place, S3 copies metadata, content headers and tags itself (MetadataDirective / TaggingDirective COPY) and
    accepts a copy to itself because the storage class changes ("copy an object to itself ... without changing the
    object's metadata, storage class, ... or encryption attributes" is refused). Elsewhere the metadata is sent
    again (REPLACE) with the source's identity added, when there is room for it; tags are still copied by S3.
    `now` (aware UTC): the moment against which an Object Lock retention is still in force (lock_arguments)."""
    args = {"Key": destination_key, "StorageClass": storage_class, "TaggingDirective": "COPY"}
    metadata = None if in_place else metadata_with_identity(head)
    if metadata is None:
        args["MetadataDirective"] = "COPY"
        if head.get("WebsiteRedirectLocation"):  # CopyObject: "not copied when using x-amz-metadata-directive"
            args["WebsiteRedirectLocation"] = head["WebsiteRedirectLocation"]
    else:
        args["MetadataDirective"] = "REPLACE"
        args.update(_content(head, metadata))
    args.update(_preserved(head, now))
    return args


def multipart_arguments(head: dict, destination_key: str, storage_class: str, tags: list, in_place: bool = False,
                        now: datetime.datetime | None = None) -> dict:
    """CreateMultipartUpload's arguments: UploadPartCopy copies bytes only, so metadata, content headers and tags
    are given here (CreateMultipartUpload, "x-amz-tagging"), and elsewhere the source's identity with them. In
    place the metadata stays the source's, unchanged, as CopyObject's COPY directive keeps it."""
    source_metadata = dict(head.get("Metadata") or {})
    args = {"Key": destination_key, "StorageClass": storage_class}
    args.update(_content(head, source_metadata if in_place else metadata_with_identity(head) or source_metadata))
    if tags:
        args["Tagging"] = tagging_header(tags)
    args.update(_preserved(head, now))
    return args


def tagging_header(tags: list) -> str:
    """A TagSet as the x-amz-tagging header: URL-encoded key=value pairs joined by '&'."""
    return "&".join(f"{quote(tag['Key'], safe='')}={quote(tag['Value'], safe='')}" for tag in tags)


def uses_multipart(size: int, limits: CopyLimits = DEFAULT_LIMITS) -> bool:
    return size > limits.single_copy_max


def too_large(size: int, limits: CopyLimits = DEFAULT_LIMITS) -> str | None:
    if size > limits.max_object:
        return f"{human_size(size)} is more than S3's largest object ({human_size(limits.max_object)}); it cannot be copied"
    return None


def part_ranges(size: int, limits: CopyLimits = DEFAULT_LIMITS) -> list:
    """[(part number, CopySourceRange)] covering `size` bytes: parts of the preferred size, made larger where
    10,000 parts would not cover the object (mpuoverview, "Multipart upload limits")."""
    part_size = max(limits.part_size, -(-size // limits.max_parts), limits.min_part_size)
    part_size = min(part_size, limits.max_part_size)
    ranges = []
    for number, start in enumerate(range(0, size, part_size), start=1):
        ranges.append((number, f"bytes={start}-{min(start + part_size, size) - 1}"))
    return ranges


# -- results and messages --------------------------------------------------------------------------------------

def new_copy_counts() -> dict:
    counts = dict.fromkeys(COPY_OUTCOMES, 0)
    counts["copied_bytes"] = 0
    return counts


def count_copy(summary: dict, obj: dict) -> None:
    """Add an object's copy outcome to a restore_state summary, overall and for its storage class."""
    outcome = obj.get("copy_status")
    per_class = summary["by_storage_class"][obj["storage_class"]]
    for counts in (summary, per_class):
        for name, value in new_copy_counts().items():
            counts.setdefault(name, value)
        if outcome:
            counts[outcome] += 1
        if outcome == COPY_DONE:
            counts["copied_bytes"] += obj.get("size") or 0


def copy_message(where: str, storage_class: str, check_mode: bool, multipart_parts: int = 0) -> str:
    verb = "would be copied" if check_mode else "copied"
    how = f" with a multipart copy of {plural(multipart_parts, 'part')}" if multipart_parts else ""
    return f"{verb} to {where} ({storage_class}){how}"


def pending_message(obj: dict) -> str:
    if obj["status"] == restore_state.STATUS_IN_PROGRESS:
        return "pending: a restore is in progress; copied once it is readable (wait_timeout, or run again later)"
    return "pending: archived and not restored; request_restores=true sends the restore, then run again or wait"


def unarchive_message(target: str, destination: str, summary: dict, check_mode: bool) -> str:
    """The `msg` of a finished run: what was (would be) copied where, what is pending, every object's state."""
    copied = summary.get(COPY_DONE, 0)
    verb = "would copy" if check_mode else "copied"
    parts = [f"{verb} {plural(copied, 'object')} ({human_size(summary.get('copied_bytes', 0))}) to {destination}"
             if copied else "nothing to copy"]
    if summary.get(COPY_ALREADY):
        parts.append(f"{summary[COPY_ALREADY]:,} already copied")
    if summary.get(COPY_PENDING):
        parts.append(f"{summary[COPY_PENDING]:,} pending (archived or being restored)")
    requested = summary[restore_state.ACTION_RESTORE]
    if requested:
        parts.append(f"{'would request' if check_mode else 'requested'} {plural(requested, 'restore')}")
    if summary["failed"]:
        parts.append(f"{summary['failed']:,} failed")
    if not summary["total"]:
        return f"{target}: nothing matched, nothing copied."
    return f"{target}: {'; '.join(parts)}; {states_text(summary)}."


def destination_text(destination: Destination, storage_class: str, in_place: bool) -> str:
    if in_place:
        return f"{storage_class} in place"
    return f"{storage_class} at {s3_uri(destination.bucket, destination.prefix + '*')}"


def nothing_selected_warning(target: str, selection_text: str) -> str:
    """A selection that left no object (`selection_text`: result_text.selection_text, what took them all out)."""
    return f"{target} selected no object{selection_text}: check the filters and version options. Nothing was copied."


def versioned_warning(count: int) -> str:
    return (f"The bucket is versioned: the in-place copy of {plural(count, 'object')} made a new current version, and "
            "each archived version stays as a noncurrent version, still billed in its archive class. Nothing was "
            "deleted. A lifecycle rule with NoncurrentVersionExpiration (or NoncurrentVersionTransition) removes "
            "them after the days you choose; see docs/unarchive.md.")


def unarchive_problems(params: dict) -> str | None:
    """Problems with the arguments of s3_object_unarchive that need no AWS call, as one message, or None."""
    problems = []
    if params["request_restores"]:
        days_problem = restore_state.days_problem(params["days"])
        if days_problem:
            problems.append(days_problem)
        if params["tier_fallback"] is not None and params["tier"] != "Expedited":
            problems.append(f"tier_fallback applies to tier=Expedited only (tier is {params['tier']})")
    destination_bucket = params["destination_bucket"]
    if destination_bucket is not None and not BUCKET_NAME_RE.match(destination_bucket):
        problems.append(f"destination_bucket {destination_bucket[:70]!r} is not a valid bucket name (give the name alone, "
                        "not an s3:// URI or an ARN)")
    destination_prefix = params["destination_prefix"]
    if destination_prefix is not None and destination_prefix.startswith("s3://"):
        problems.append(f"destination_prefix {destination_prefix!r} is an S3 URI: give destination_bucket and "
                        "destination_prefix apart")
    problems += _nested_destination(params) + _version_problems(params) + _key_named_twice(params)
    problems += options.selection_problems(params, wait_timeout=0, wait_delay=1, max_restores=0)
    return "; ".join(problems) or None


def _nested_destination(params: dict) -> list:
    """A destination_prefix under the listed prefix, in the same bucket: each run would list (and copy again) the
    copies of the run before, a/ into a/copy/, then a/copy/ into a/copy/copy/ and so on."""
    prefix, destination_prefix = params.get("prefix"), params["destination_prefix"]
    if params.get("key") is not None or prefix is None or destination_prefix is None:
        return []
    same_bucket = params["destination_bucket"] in (None, params["bucket"])
    if not same_bucket or destination_prefix == prefix or not destination_prefix.startswith(prefix):
        return []
    return [f"destination_prefix {destination_prefix!r} is inside prefix {prefix!r} in the same bucket: the copies "
            "would be selected again by the next run and copied into themselves (a copy of a copy). Give a "
            "destination_prefix outside the prefix, or another destination_bucket"]


def _version_problems(params: dict) -> list:
    """What options versions and version_at may not ask of a copy: each copy is the new current version of its
    destination key (see noncurrent_in_place_problem)."""
    problems = []
    versions = params.get("versions") or selection.VERSIONS_CURRENT
    if versions != selection.VERSIONS_CURRENT:
        problems.append(f"versions={versions} would copy several versions of a key to one destination key, each copy "
                        "replacing the one before (in place, making an old version current again): use version_at, "
                        "with destination_bucket or destination_prefix, for the objects as they were at a moment, or "
                        "name the versions to copy in keys (key and version_id)")
    if params.get("version_at") and Destination.from_params(params).whole_run_in_place:
        problems.append("version_at copies the versions of a past moment, and in place each would become the current "
                        "version over the one readers see now: give destination_bucket or destination_prefix (another "
                        "bucket or prefix to copy them into)")
    return problems


def _key_named_twice(params: dict) -> list:
    """Two versions of one key in option keys would be copied to one destination key, the second over the first."""
    try:
        pairs = selection.key_entries(params.get("keys") or [])
    except ValueError:
        return []  # options.selection_problems says what is wrong with the entry
    versions: dict = {}
    for key, version_id in pairs:
        if key in versions:
            named = " and ".join(f"version {version}" if version else "the current version" for version in (versions[key], version_id))
            return [f"keys names {key!r} twice ({named}): both would be copied to one destination key; name one "
                    "version per key"]
        versions[key] = version_id
    return []
