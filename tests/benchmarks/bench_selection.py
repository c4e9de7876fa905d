# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark: requests per object of each object source (keys, manifest, versions), against the floor of that
source.

Run from the repository root, after scripts/setup.sh:

    .venv/bin/python tests/benchmarks/bench_selection.py [--objects 10000] [--markdown out.md]

Everything runs in one process on moto's in-process S3 (mock_aws): the object modules' tasks
(report_task.run_report, the read-only run of s3_object_restore_info, which sends what s3_object_restore sends
before its RestoreObject requests) on a stand-in of AnsibleAWSModule, and every request is counted at the client
(botocore's before-call event), per S3 operation. Restores are left out: a run adds exactly one RestoreObject per
archived object to what is counted here, whatever the source (the unit tests assert it), and moto ignores the
VersionId of a RestoreObject (facts sheet), so restoring non-current versions cannot be measured on it.

Cases (half of the objects GLACIER or DEEP_ARCHIVE, the others STANDARD; 100 keys per folder):
  keys, head        option keys with N keys, status_source=head (an endpoint whose listing is not trusted):
                    floor N HeadObjects (nothing can tell a named object's state for less).
  keys, listing     the same keys, status_source=listing (AWS, where RestoreStatus is trusted): a listing of each
                    folder replaces its HEADs when cheaper; floor one ListObjectsV2 page per 1,000 keys of the
                    folders (here: one per folder of 100 keys).
  manifest          a local file of N lines: floor N HeadObjects (the file is read twice, locally: no request).
  versions=all      N versions (5 per key) under a prefix, status_source=head: floor one ListObjectVersions page
                    per 1,000 versions plus a HeadObject per archived version.
  versions, listing the same with status_source=listing: floor the listing pages alone.
Nothing here is collected by pytest (no test_*.py name).
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO_ROOT, ".collections"))

os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402
from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402
from moto.s3.models import s3_backends  # noqa: E402

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper  # noqa: E402
from ansible_collections.s3async.restore.plugins.module_utils import report_task  # noqa: E402
from ansible_collections.s3async.restore.plugins.module_utils import restore_task  # noqa: E402
from ansible_collections.s3async.restore.plugins.modules.s3_object_restore_info import ARGUMENT_SPEC  # noqa: E402

BUCKET = "bench-selection"
DEFAULTS = {name: copy.deepcopy(spec.get("default")) for name, spec in ARGUMENT_SPEC.items()}
CLASSES = ("GLACIER", "STANDARD", "DEEP_ARCHIVE", "STANDARD")


class Module:
    def __init__(self, client, **params):
        self.params = dict(DEFAULTS, bucket=BUCKET, key=None, **params)
        self.check_mode = False
        self._diff = False
        self._client = client

    def client(self, service, retry_decorator=None, config=None):
        return RetryingBotoClientWrapper(self._client, retry_decorator)


def key_of(index):
    return f"data/{index // 100:05d}/{index:07d}.bin"


def seed(client, count, versions_per_key=1):
    """count objects (count // versions_per_key keys, each with versions_per_key versions) straight into moto."""
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    keys = count // versions_per_key
    for version in range(versions_per_key):
        for index in range(keys):
            backend.put_object(BUCKET, key_of(index), b"x", storage=CLASSES[(index + version) % len(CLASSES)],
                               disable_notification=True)
    return [key_of(index) for index in range(keys)]


def measure(client, label, floor, **params):
    counts = {}

    def count(model, **_kwargs):
        counts[model.name] = counts.get(model.name, 0) + 1

    client.meta.events.register("before-call.s3.*", count)
    started = time.monotonic()
    module = Module(client, concurrency=16, max_results=1, **params)
    result = report_task.run_report(module, restore_task.bucket_of(module, "s3_object_restore_info"))
    wall = time.monotonic() - started
    client.meta.events.unregister("before-call.s3.*", count)
    total = sum(counts.values())
    objects = result["summary"]["total"]
    return {"case": label, "objects": objects, "requests": total, "per_object": total / objects, "floor": floor,
            "floor_per_object": floor / objects, "x_floor": total / floor, "wall": wall,
            "by_operation": ", ".join(f"{name} {number}" for name, number in sorted(counts.items()))}


def run(count):
    rows = []
    pages = -(-count // 1000)
    archived = count // 2
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        keys = seed(client, count)
        rows.append(measure(client, f"keys ({count:,}), head", count, keys=keys, status_source="head"))
        rows.append(measure(client, f"keys ({count:,}), listing", -(-count // 100), keys=keys, status_source="listing"))
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as manifest:
            manifest.write("".join(f"{key}\n" for key in keys))
        try:
            rows.append(measure(client, f"manifest ({count:,} lines)", count, manifest=manifest.name, status_source="head"))
        finally:
            os.unlink(manifest.name)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        seed(client, count, versions_per_key=5)
        rows.append(measure(client, f"versions=all ({count:,} versions), head", pages + archived, prefix="data/",
                            versions="all", status_source="head"))
        rows.append(measure(client, f"versions=all ({count:,} versions), listing", pages, prefix="data/", versions="all",
                            status_source="listing"))
    return rows


def markdown(rows):
    lines = ["| case | objects | requests | req/object | floor req/object | x floor | by operation | wall s |",
             "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['case']} | {row['objects']:,} | {row['requests']:,} | {row['per_object']:.3f} | "
                     f"{row['floor_per_object']:.3f} | {row['x_floor']:.2f} | {row['by_operation']} | {row['wall']:.1f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--markdown", help="also write the table to this file")
    options = parser.parse_args(argv)
    table = markdown(run(options.objects))
    print(table)
    if options.markdown:
        with open(options.markdown, "w", encoding="utf-8") as handle:
            handle.write(table + "\n")


if __name__ == "__main__":
    main()
