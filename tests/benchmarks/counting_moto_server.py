# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""moto_server with a request counter in front of it, and a fast way to seed objects.

This is what the `moto_server` command runs (moto's DomainDispatcherApplication served by werkzeug's threaded
server with moto's request handler), wrapped in a small WSGI middleware that:

- counts every S3 request by operation (from method, path and query string) and by HTTP status, at the server,
  whatever the client;
- notes, for each RestoreObject, whether the object had already received an accepted restore on this server
  (a restore re-sent), whether it is not archived (a pointless request), or lies outside the benchmark prefix;
- answers a few control paths under /__bench/ (never passed to moto, never counted):
  GET /__bench/counts, POST /__bench/reset-counts, POST /__bench/seed.

Seeding goes through moto's S3 backend in this process, so 100,000 objects take seconds instead of the
minutes that 100,000 PutObject requests take.

Run: python counting_moto_server.py [--host 127.0.0.1] [--port 0]
It prints one line `READY <port>` on stdout once it listens, then serves until terminated.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import signal
import sys
import threading
import urllib.parse

CONTROL_PREFIX = "/__bench/"

# Bucket-level GET/PUT/DELETE sub-resources, named as S3 API operations.
BUCKET_SUBRESOURCES = {
    "location": "BucketLocation",
    "notification": "BucketNotificationConfiguration",
    "versioning": "BucketVersioning",
    "acl": "BucketAcl",
    "policy": "BucketPolicy",
    "lifecycle": "BucketLifecycleConfiguration",
    "tagging": "BucketTagging",
    "encryption": "BucketEncryption",
    "cors": "BucketCors",
    "website": "BucketWebsite",
    "logging": "BucketLogging",
    "ownershipControls": "BucketOwnershipControls",
    "publicAccessBlock": "PublicAccessBlock",
    "object-lock": "ObjectLockConfiguration",
    "requestPayment": "BucketRequestPayment",
    "accelerate": "BucketAccelerateConfiguration",
    "replication": "BucketReplication",
    "inventory": "BucketInventoryConfiguration",
}
OBJECT_SUBRESOURCES = {"acl": "ObjectAcl", "tagging": "ObjectTagging", "retention": "ObjectRetention",
                       "legal-hold": "ObjectLegalHold", "attributes": "ObjectAttributes"}


def operation_name(method, path, query, headers=None):
    """The S3 API operation of a path-style request (/bucket[/key]), e.g. ListObjectsV2 or RestoreObject."""
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    bucket, _sep, key = path.lstrip("/").partition("/")
    headers = headers or {}
    if not bucket:
        return "ListBuckets" if method == "GET" else f"{method} /"
    if not key:
        for name, operation in BUCKET_SUBRESOURCES.items():
            if name in params:
                return {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method, method) + operation
        if method == "GET":
            if params.get("list-type") == ["2"]:
                return "ListObjectsV2"
            if "versions" in params:
                return "ListObjectVersions"
            if "uploads" in params:
                return "ListMultipartUploads"
            return "ListObjects"
        return {"HEAD": "HeadBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(
            method, "DeleteObjects" if method == "POST" and "delete" in params else f"{method} bucket")
    if method == "POST":
        if "restore" in params:
            return "RestoreObject"
        if "uploads" in params:
            return "CreateMultipartUpload"
        if "uploadId" in params:
            return "CompleteMultipartUpload"
        return "POST object"
    for name, operation in OBJECT_SUBRESOURCES.items():
        if name in params:
            return {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method, method) + operation
    if method == "PUT":
        if "uploadId" in params:
            return "UploadPart"
        return "CopyObject" if headers.get("HTTP_X_AMZ_COPY_SOURCE") else "PutObject"
    return {"HEAD": "HeadObject", "GET": "GetObject", "DELETE": "DeleteObject"}.get(method, f"{method} object")


class Counter:
    """Request counts, safe to update from the server's threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.storage_classes = {}  # (bucket, key) -> storage class, of seeded objects
        self.prefixes = {}  # bucket -> the benchmark prefix, to flag requests outside it
        self.restored = set()  # (bucket, key) that received an accepted (2xx) RestoreObject on this server
        self.reset()

    def reset(self):
        with self.lock:
            self.operations = collections.Counter()
            self.statuses = collections.Counter()
            self.restores = collections.Counter()

    def snapshot(self):
        with self.lock:
            return {
                "operations": dict(self.operations),
                "statuses": {f"{operation} {status}": count for (operation, status), count in self.statuses.items()},
                "restores": dict(self.restores),
            }

    def record(self, operation, status, bucket, key):
        with self.lock:
            self.operations[operation] += 1
            self.statuses[(operation, status)] += 1
            if operation != "RestoreObject":
                return
            target = (bucket, key)
            storage_class = self.storage_classes.get(target)
            if target in self.restored:
                self.restores["resent"] += 1  # this object already had an accepted restore
            if storage_class is not None and storage_class not in ("GLACIER", "DEEP_ARCHIVE"):
                self.restores["not_archived"] += 1
            if not key.startswith(self.prefixes.get(bucket, "")):
                self.restores["outside_prefix"] += 1
            if 200 <= status < 300:
                self.restores["accepted"] += 1
                self.restored.add(target)
            else:
                self.restores["refused"] += 1


def seed(counter, body):
    """Put objects straight into moto's backend: {"bucket", "prefix", "objects": [[key, storage_class], ...]}."""
    from moto.core import DEFAULT_ACCOUNT_ID  # pylint: disable=import-outside-toplevel
    from moto.s3.models import s3_backends  # pylint: disable=import-outside-toplevel

    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    bucket = body["bucket"]
    payload = body.get("body", "x").encode()
    with counter.lock:
        counter.prefixes[bucket] = body.get("prefix", "")
    for key, storage_class in body["objects"]:
        backend.put_object(bucket, key, payload, storage=storage_class, disable_notification=True)
        with counter.lock:
            counter.storage_classes[(bucket, key)] = storage_class
    return {"seeded": len(body["objects"])}


def make_app(counter):
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication  # pylint: disable=import-outside-toplevel
    from moto.moto_server.werkzeug_app import create_backend_app  # pylint: disable=import-outside-toplevel

    moto_app = DomainDispatcherApplication(create_backend_app)

    def control(environ, start_response, path):
        method = environ["REQUEST_METHOD"]
        if path == CONTROL_PREFIX + "counts" and method == "GET":
            result = counter.snapshot()
        elif path == CONTROL_PREFIX + "reset-counts" and method == "POST":
            counter.reset()
            result = {"reset": True}
        elif path == CONTROL_PREFIX + "seed" and method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            result = seed(counter, json.loads(environ["wsgi.input"].read(length)))
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"unknown control path\n"]
        data = json.dumps(result).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def app(environ, start_response):
        raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
        if raw:
            raw_path, _sep, query = raw.partition("?")
            path = urllib.parse.unquote(raw_path)
        else:
            path, query = environ.get("PATH_INFO", "/"), environ.get("QUERY_STRING", "")
        if path.startswith(CONTROL_PREFIX):
            return control(environ, start_response, path)
        method = environ["REQUEST_METHOD"]
        operation = operation_name(method, path, query, environ)
        seen = {}

        def counting_start_response(status, headers, exc_info=None):
            seen["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        try:
            return moto_app(environ, counting_start_response)
        finally:
            bucket, _sep, key = path.lstrip("/").partition("/")
            counter.record(operation, seen.get("status", 500), bucket, key)

    return app


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--log-requests", action="store_true", help="keep werkzeug's per-request log on stderr")
    args = parser.parse_args(argv)

    from moto.moto_server.werkzeug_app import MotoRequestHandler  # pylint: disable=import-outside-toplevel
    from werkzeug.serving import make_server  # pylint: disable=import-outside-toplevel

    if not args.log_requests:
        # One stderr line per request costs the server time that no tool should be charged for.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server(args.host, args.port, make_app(Counter()), threaded=True, request_handler=MotoRequestHandler)

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"READY {server.server_port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
