# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""manifests: the three formats, format detection, line numbers in errors, and streaming (a generator never holds
more than the line it reads)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import manifests

BUCKET = "archive-bucket"


def rows(parsed):
    return [(row.line, row.key, row.version_id) for row in parsed]


def test_lines_are_keys_as_written_and_empty_lines_are_skipped():
    lines = [b"\xef\xbb\xbfdb/a b.dump\n", b"\n", "db/caf\u00e9\r\n".encode(), b"db/last"]
    assert rows(manifests.line_rows(lines, "keys.txt")) == [(1, "db/a b.dump", None), (3, "db/caf\u00e9", None), (4, "db/last", None)]


def test_lines_that_are_not_utf8_name_their_line():
    with pytest.raises(manifests.ManifestError, match="keys.txt line 2: not UTF-8"):
        list(manifests.line_rows([b"a\n", b"\xff\xfe\n"], "keys.txt"))


def test_csv_rows_decode_the_key_and_take_an_optional_version():
    lines = [f"{BUCKET},db/a%20b.dump\n", f'{BUCKET},"db/x%2Cy",v1\n', f"{BUCKET},db/plus+space,\n", "\n"]
    assert rows(manifests.csv_rows(lines, "m.csv", BUCKET)) == [(1, "db/a b.dump", None), (2, "db/x,y", "v1"), (3, "db/plus space", None)]


@pytest.mark.parametrize(
    "line, message",
    [("other-bucket,k\n", "m.csv line 2: the row is for bucket 'other-bucket', not 'archive-bucket'"),
     (f"{BUCKET}\n", "m.csv line 2: expected bucket,key or bucket,key,version_id"),
     (f"{BUCKET},k,v,extra\n", r"got 4 field\(s\)"), (f"{BUCKET},\n", "m.csv line 2: the key is empty")],
)
def test_csv_errors_name_the_line(line, message):
    with pytest.raises(manifests.ManifestError, match=message):
        list(manifests.csv_rows([f"{BUCKET},ok\n", line], "m.csv", BUCKET))


@pytest.mark.parametrize(
    "name, first, detected",
    [("keys.txt", "db/a", "lines"), ("m.csv", "x,y", "csv"), ("m.csv.gz", "", "csv"), ("keys", f"{BUCKET},db/a", "csv"),
     ("keys", "db/a,b", "lines"), ("manifest.json", "", "inventory"), ("s3://b/x", '{"sourceBucket": 1}', "inventory")],
)
def test_detect_format(name, first, detected):
    assert manifests.detect_format(name, first, BUCKET) == detected


def inventory_document(**changes):
    document = {"sourceBucket": BUCKET, "destinationBucket": "arn:aws:s3:::inventory-reports", "fileFormat": "CSV",
                "fileSchema": "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, StorageClass",
                "files": [{"key": "data/1.csv.gz", "size": 1}, {"key": "data/2.csv.gz", "size": 1}]}
    document.update(changes)
    return json.dumps(document)


def test_inventory_manifest_names_its_data_files_and_reads_their_rows():
    inventory = manifests.InventoryManifest(inventory_document(), "manifest.json", BUCKET)
    assert (inventory.destination_bucket, inventory.files) == ("inventory-reports", ["data/1.csv.gz", "data/2.csv.gz"])
    lines = [f'"{BUCKET}","db/a%20b","v2","true","false","5","GLACIER"\n', f'"{BUCKET}","db/a%20b","v1","false","false","5","GLACIER"\n',
             f'"{BUCKET}","db/gone","dm","true","true","",""\n']
    parsed = list(inventory.rows(lines, "data/1.csv.gz"))
    assert [(row.key, row.version_id, row.is_latest, row.delete_marker) for row in parsed] == [
        ("db/a b", "v2", True, False), ("db/a b", "v1", False, False), ("db/gone", "dm", True, True)]


@pytest.mark.parametrize("file_format", ["ORC", "Parquet"])
def test_orc_and_parquet_inventories_are_refused_with_how_to_get_a_csv_one(file_format):
    with pytest.raises(manifests.ManifestError, match=f"in {file_format} format.*Configure a CSV inventory"):
        manifests.InventoryManifest(inventory_document(fileFormat=file_format), "manifest.json", BUCKET)


@pytest.mark.parametrize(
    "document, message",
    [("{not json", "not an S3 Inventory manifest.json"), ('{"a": 1}', "no 'files' list"),
     (inventory_document(sourceBucket="other"), "lists bucket 'other'"),
     (inventory_document(fileSchema="Key, Size"), "fileSchema lacks Bucket"),
     (inventory_document(destinationBucket="nope:"), "is not a bucket ARN")],
)
def test_inventory_manifest_errors(document, message):
    with pytest.raises(manifests.ManifestError, match=message):
        manifests.InventoryManifest(document, "manifest.json", BUCKET)


def test_inventory_rows_with_a_wrong_field_count_or_bucket_name_their_line():
    inventory = manifests.InventoryManifest(inventory_document(fileSchema="Bucket, Key"), "manifest.json", BUCKET)
    with pytest.raises(manifests.ManifestError, match="d.csv line 2: 3 field"):
        list(inventory.rows([f"{BUCKET},a\n", f"{BUCKET},b,c\n"], "d.csv"))
    with pytest.raises(manifests.ManifestError, match="d.csv line 1: the row is for bucket 'x'"):
        list(inventory.rows(["x,a\n"], "d.csv"))


def test_parsers_stream_their_lines():
    """A parser reads a line only when its row is asked for: memory stays flat for any manifest length."""
    read = []

    def lines():
        for number in range(1, 10_000_000):
            read.append(number)
            yield f"{BUCKET},key-{number}\n"

    parsed = manifests.csv_rows(lines(), "m.csv", BUCKET)
    assert [next(parsed).key for _row in range(3)] == ["key-1", "key-2", "key-3"]
    assert len(read) == 3


@pytest.mark.parametrize("uri, parsed", [("s3://b-1/k/x", ("b-1", "k/x")), ("s3://b-1/", None), ("s3://B!/k", None), ("data/keys.txt", None)])
def test_parse_s3_uri(uri, parsed):
    assert manifests.parse_s3_uri(uri) == parsed
