# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading the manifests of option manifest: streaming parsers over a file's lines, which never hold more than one
line, with the line number in every error. Pure (the lines come from object_sources, which opens the file or the
S3 object).

Formats:

* ``lines``: one key per line, as written (no URL encoding); empty lines are skipped.
* ``csv``: the S3 Batch Operations CSV manifest (S3 User Guide, "Specifying a manifest"): bucket, URL-encoded key,
  optional version ID, no header row.
* ``inventory``: an S3 Inventory ``manifest.json`` (S3 User Guide, "Locating your inventory list"), whose
  ``files`` are CSV data files (gzip-compressed) with the columns ``fileSchema`` names; ORC and Parquet are refused.
"""

from __future__ import annotations

import csv
import json
import urllib.parse
from typing import Iterable
from typing import Iterator

from ansible_collections.s3async.restore.plugins.module_utils.aws_names import BUCKET_NAME_RE

FORMAT_AUTO = "auto"
FORMAT_LINES = "lines"
FORMAT_CSV = "csv"
FORMAT_INVENTORY = "inventory"
FORMATS = (FORMAT_AUTO, FORMAT_LINES, FORMAT_CSV, FORMAT_INVENTORY)


class ManifestError(ValueError):
    """A manifest that cannot be read as its format says; the message names the manifest and the line."""


class ManifestRow(tuple):
    """(line number, key, version ID or None, is latest or None, is delete marker) of one manifest row."""

    __slots__ = ()

    def __new__(cls, line: int, key: str, version_id: str | None = None, is_latest: bool | None = None,
                delete_marker: bool = False) -> "ManifestRow":
        return super().__new__(cls, (line, key, version_id, is_latest, delete_marker))

    line = property(lambda self: self[0])
    key = property(lambda self: self[1])
    version_id = property(lambda self: self[2])
    is_latest = property(lambda self: self[3])
    delete_marker = property(lambda self: self[4])


def _text(line, name: str, number: int) -> str:
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError:
            raise ManifestError(f"{name} line {number}: not UTF-8 text (is it compressed, or binary?)") from None
    return line.rstrip("\r\n")


def numbered_text(lines: Iterable, name: str) -> Iterator[tuple]:
    """(line number, text without its line break) for lines of bytes or str."""
    for number, line in enumerate(lines, start=1):
        text = _text(line, name, number)
        if number == 1:
            text = text.lstrip("\ufeff")  # a byte order mark, as some editors and spreadsheets write
        yield number, text


def detect_format(name: str, first_line: str, bucket: str) -> str:
    """manifest_format=auto: inventory for a JSON document (or a name ending in manifest.json), csv for a name ending
    in .csv (or .csv.gz) or a first row whose first field is this bucket, else lines."""
    lowered = name.lower()
    if lowered.endswith(".json") or first_line.lstrip().startswith("{"):
        return FORMAT_INVENTORY
    if lowered.endswith((".csv", ".csv.gz")):
        return FORMAT_CSV
    first_field = next(csv.reader([first_line]), [""])
    if len(first_field) >= 2 and first_field[0] == bucket:
        return FORMAT_CSV
    return FORMAT_LINES


def line_rows(lines: Iterable, name: str) -> Iterator[ManifestRow]:
    """manifest_format=lines: each non-empty line is a key, as written."""
    for number, text in numbered_text(lines, name):
        if text:
            yield ManifestRow(number, text)


def csv_rows(lines: Iterable, name: str, bucket: str) -> Iterator[ManifestRow]:
    """manifest_format=csv: bucket,key[,version ID] rows, the key URL-encoded (form encoding: '+' is a space, as S3
    writes keys in Inventory and Batch Operations reports). A row for another bucket is refused: a restore run works
    on one bucket."""
    numbered = numbered_text(lines, name)
    for number, text in numbered:
        if not text.strip():
            continue
        try:
            fields = next(csv.reader([text]), [])
        except csv.Error as error:
            raise ManifestError(f"{name} line {number}: not a CSV row ({error})") from None
        yield _csv_row(fields, name, number, bucket)


def _csv_row(fields: list, name: str, number: int, bucket: str) -> ManifestRow:
    if len(fields) not in (2, 3):
        raise ManifestError(f"{name} line {number}: expected bucket,key or bucket,key,version_id (S3 Batch Operations "
                            f"CSV manifest), got {len(fields)} field(s)")
    row_bucket, encoded_key = fields[0].strip(), fields[1]
    if row_bucket != bucket:
        raise ManifestError(f"{name} line {number}: the row is for bucket {row_bucket[:70]!r}, not {bucket!r}: a run "
                            "restores objects of its own bucket only (split the manifest per bucket)")
    key = urllib.parse.unquote_plus(encoded_key)
    if not key:
        raise ManifestError(f"{name} line {number}: the key is empty")
    version_id = fields[2].strip() if len(fields) == 3 and fields[2].strip() else None
    return ManifestRow(number, key, version_id)


# The columns an inventory data file must have to name objects, and the optional ones read (S3 User Guide,
# "Amazon S3 Inventory list": Bucket, Key, VersionId, IsLatest, IsDeleteMarker, ...).
_INVENTORY_NEEDED = ("Bucket", "Key")


class InventoryManifest:
    """An S3 Inventory manifest.json: where its CSV data files are and what their columns are."""

    def __init__(self, document: str, name: str, bucket: str) -> None:
        try:
            manifest = json.loads(document)
        except ValueError as error:
            raise ManifestError(f"{name}: not an S3 Inventory manifest.json ({error})") from None
        if not isinstance(manifest, dict) or "files" not in manifest:
            raise ManifestError(f"{name}: not an S3 Inventory manifest.json (no 'files' list)")
        file_format = str(manifest.get("fileFormat", "CSV"))
        if file_format.upper() != "CSV":
            raise ManifestError(
                f"{name}: the inventory is in {file_format} format, which this collection does not read. Configure a "
                "CSV inventory (S3 console, bucket Management, Inventory configurations, Output format CSV; or "
                "put-bucket-inventory-configuration with Destination.S3BucketDestination.Format=CSV) and give the "
                "manifest.json of its next report.")
        source = manifest.get("sourceBucket")
        if source and source != bucket:
            raise ManifestError(f"{name}: the inventory lists bucket {source!r}, not {bucket!r}")
        self.columns = [column.strip() for column in str(manifest.get("fileSchema", "")).split(",") if column.strip()]
        missing = [column for column in _INVENTORY_NEEDED if column not in self.columns]
        if missing:
            raise ManifestError(f"{name}: fileSchema lacks {', '.join(missing)} (got {manifest.get('fileSchema')!r})")
        self.destination_bucket = _bucket_of_arn(str(manifest.get("destinationBucket", "")))
        if not self.destination_bucket:
            raise ManifestError(f"{name}: destinationBucket {manifest.get('destinationBucket')!r} is not a bucket ARN")
        self.files = [entry["key"] for entry in manifest["files"] if isinstance(entry, dict) and entry.get("key")]
        self.bucket = bucket

    def rows(self, lines: Iterable, name: str) -> Iterator[ManifestRow]:
        """The rows of one CSV data file (its lines already decompressed)."""
        index = {column: position for position, column in enumerate(self.columns)}
        for number, text in numbered_text(lines, name):
            if not text.strip():
                continue
            try:
                fields = next(csv.reader([text]), [])
            except csv.Error as error:
                raise ManifestError(f"{name} line {number}: not a CSV row ({error})") from None
            if len(fields) != len(self.columns):
                raise ManifestError(f"{name} line {number}: {len(fields)} field(s), but fileSchema names {len(self.columns)}")
            yield self._row(fields, index, name, number)

    def _row(self, fields: list, index: dict, name: str, number: int) -> ManifestRow:
        if fields[index["Bucket"]] != self.bucket:
            raise ManifestError(f"{name} line {number}: the row is for bucket {fields[index['Bucket']][:70]!r}, not {self.bucket!r}")

        def flag(column):
            return fields[index[column]].strip().lower() == "true" if column in index else None

        version_id = fields[index["VersionId"]].strip() or None if "VersionId" in index else None
        return ManifestRow(number, urllib.parse.unquote_plus(fields[index["Key"]]), version_id, flag("IsLatest"),
                           bool(flag("IsDeleteMarker")))


def _bucket_of_arn(arn: str) -> str | None:
    """'arn:aws:s3:::name' -> 'name' (the form manifest.json's destinationBucket takes)."""
    name = arn.rsplit(":", 1)[-1]
    return name if BUCKET_NAME_RE.match(name) else None


def parse_s3_uri(uri: str) -> tuple | None:
    """'s3://bucket/key' -> (bucket, key), or None when it is not one."""
    if not uri.startswith("s3://"):
        return None
    bucket, _slash, key = uri[len("s3://"):].partition("/")
    if not BUCKET_NAME_RE.match(bucket) or not key:
        return None
    return bucket, key
