# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A small HTTP proxy on 127.0.0.1 that injects S3 faults between a client and moto_server (standard library only).

Every request is classified as an S3 API operation (RestoreObject, HeadObject, ListObjectsV2, ...), logged, and
either forwarded to the upstream server or answered with a fault:

- ``slowdown``: 503 SlowDown, what S3 answers when a prefix is throttled;
- ``internal``: 500 InternalError;
- ``drop``: the connection is closed without an answer;
- ``conflict``: 409 RestoreAlreadyInProgress (what AWS answers to a second restore of an object whose restore
  runs; moto never answers it);
- ``denied``: 403 AccessDenied.

A fault is injected ``before`` forwarding (the server never sees the request: S3's 503 SlowDown means exactly
that) or ``after`` it (the server acted, its answer is lost: the ambiguous case a client cannot tell apart).

Faults come from two sources:

- a random share of requests (``fault_rate``), drawn from a generator seeded with the request's identity (method,
  key, query and how many times the same request was seen), so that the same run injects the same faults
  whatever the order the client's threads send them in, in whatever bucket. Bounded: never more than ``max_consecutive`` faults on
  the same request in a row (clients retry a bounded number of times), and never more than ``max_faults`` in all;
- rules (``fail``): fail operation X (optionally for one key) N times, then let it through.

The log records each request's operation, bucket, key, whether it came from an Ansible module (User-Agent),
the fault injected, and the status the upstream server answered (202 and 200 tell a new restore from one sent to
an already restored object).

Use it as a context manager, so that it stops with the test:

    with FaultProxy(upstream, fault_rate=0.1, seed=7) as proxy:
        ... point the client's endpoint_url at proxy.endpoint ...
"""

from __future__ import annotations

import collections
import http.client
import http.server
import random
import socket
import threading
import time
import urllib.parse
import uuid

FAULT_KINDS = ("slowdown", "internal", "drop")
# status, S3 error code, message (S3 API Reference, "Error responses", list of error codes)
ERRORS = {
    "slowdown": (503, "SlowDown", "Please reduce your request rate."),
    "internal": (500, "InternalError", "We encountered an internal error. Please try again."),
    "conflict": (409, "RestoreAlreadyInProgress", "Object restore is already in progress"),
    "denied": (403, "AccessDenied", "Access Denied"),
}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "expect"}
# Bucket-level sub-resources, as S3 API operation names (Get/Put/Delete + name).
BUCKET_SUBRESOURCES = {
    "notification": "BucketNotificationConfiguration",
    "location": "BucketLocation",
    "versioning": "BucketVersioning",
    "policy": "BucketPolicy",
    "acl": "BucketAcl",
    "tagging": "BucketTagging",
    "lifecycle": "BucketLifecycleConfiguration",
    "requestPayment": "BucketRequestPayment",
}
VERBS = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}


def operation_name(method, path, query):
    """The S3 API operation of a path-style request (/bucket[/key]?query), e.g. RestoreObject."""
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    bucket, _slash, key = path.lstrip("/").partition("/")
    if not bucket:
        return "ListBuckets" if method == "GET" else method + " /"
    if not key:
        for name, operation in BUCKET_SUBRESOURCES.items():
            if name in params:
                return VERBS.get(method, method) + operation
        if method == "GET":
            if params.get("list-type") == ["2"]:
                return "ListObjectsV2"
            return "ListObjectVersions" if "versions" in params else "ListObjects"
        return {"HEAD": "HeadBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(method, method + " bucket")
    if method == "POST":
        return "RestoreObject" if "restore" in params else "POST object"
    if "tagging" in params:
        return VERBS.get(method, method) + "ObjectTagging"
    return {"HEAD": "HeadObject", "GET": "GetObject", "PUT": "PutObject", "DELETE": "DeleteObject"}.get(method, method + " object")


def error_body(code, message, resource=""):
    request_id = uuid.uuid4().hex[:16].upper()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message><Resource>{resource}</Resource>"
        f"<RequestId>{request_id}</RequestId><HostId>fault-proxy</HostId></Error>"
    ).encode("utf-8")


class Rule:
    """Fail `operation` (on `key`, if given) `times` times (None: always) with `fault`, `before` or `after` forwarding."""

    def __init__(self, operation, fault, times, when, key):
        self.operation = operation
        self.fault = fault
        self.remaining = times
        self.when = when
        self.key = key

    def matches(self, operation, key):
        return self.operation == operation and (self.key is None or self.key == key) and self.remaining != 0


class FaultProxy:
    """See the module docstring. All public methods are thread-safe."""

    def __init__(self, upstream, fault_rate=0.0, seed=0, kinds=FAULT_KINDS, operations=None, when="before",
                 max_faults=None, max_consecutive=2, from_modules_only=True, upstream_timeout=30):
        parsed = urllib.parse.urlparse(upstream)
        self.upstream = (parsed.hostname, parsed.port)
        self.fault_rate = fault_rate
        self.seed = seed
        self.kinds = tuple(kinds)
        self.operations = set(operations) if operations else None
        self.when = when
        self.max_faults = max_faults
        self.max_consecutive = max_consecutive
        self.from_modules_only = from_modules_only
        self.upstream_timeout = upstream_timeout
        self._lock = threading.Condition()
        self._rules = []
        self._seen = collections.Counter()  # request identity -> times seen
        self._streak = collections.Counter()  # request identity -> faults in a row
        self._log = []
        self._fault_count = 0
        self._server = None
        self._thread = None

    # -- life cycle ------------------------------------------------------------------------------------------

    def start(self):
        proxy = self

        class Handler(ProxyHandler):
            owner = proxy

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- configuration ---------------------------------------------------------------------------------------

    def fail(self, operation, fault="internal", times=1, when="before", key=None):
        """Fail the next `times` requests for `operation` (and `key`) with `fault`; times=None fails them all."""
        with self._lock:
            self._rules.append(Rule(operation, fault, times, when, key))

    def set_rate(self, fault_rate):
        with self._lock:
            self.fault_rate = fault_rate

    # -- what happened ---------------------------------------------------------------------------------------

    def log(self, module_only=True):
        """One dict per request: operation, method, bucket, key, version_id, from_module, fault, when, status."""
        with self._lock:
            return [dict(entry) for entry in self._log if entry["from_module"] or not module_only]

    def reset_log(self):
        with self._lock:
            self._log = []

    def reached_server(self, operation, module_only=True):
        """Counter of keys for which `operation` reached the upstream server (faults `after` included)."""
        return collections.Counter(entry["key"] for entry in self.log(module_only)
                                   if entry["operation"] == operation and entry["status"] is not None)

    def accepted(self, operation, module_only=True):
        """Counter of keys for which the upstream server accepted `operation` (a 2xx answer, even if then lost)."""
        return collections.Counter(entry["key"] for entry in self.log(module_only)
                                   if entry["operation"] == operation and entry["status"] is not None and entry["status"] < 300)

    def faults(self, module_only=True):
        """Counter of (fault, when) injected."""
        return collections.Counter((entry["fault"], entry["when"]) for entry in self.log(module_only) if entry["fault"])

    def wait_for(self, predicate, timeout):
        """Wait until predicate(log) is true (checked after each request); returns whether it became true."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self._log):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
            return True

    # -- decisions (called by the handler) -------------------------------------------------------------------

    def decide(self, method, path, query, operation, key, from_module):
        """(fault, when) for this request, or (None, None); and the log entry to complete."""
        # Without the bucket name, so that the same keys meet the same faults in every test bucket.
        identity = f"{method} {path.lstrip('/').partition('/')[2]}?{query}"
        with self._lock:
            self._seen[identity] += 1
            fault = when = None
            for rule in self._rules:
                if rule.matches(operation, key):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    fault, when = rule.fault, rule.when
                    break
            else:
                eligible = (from_module or not self.from_modules_only) and (
                    self.operations is None or operation in self.operations)
                budget_left = self.max_faults is None or self._fault_count < self.max_faults
                if eligible and budget_left and self.fault_rate and self._streak[identity] < self.max_consecutive:
                    draw = random.Random(f"{self.seed}|{identity}|{self._seen[identity]}")
                    if draw.random() < self.fault_rate:
                        fault, when = draw.choice(self.kinds), self.when
            self._streak[identity] = self._streak[identity] + 1 if fault else 0
            self._fault_count += 1 if fault else 0
            entry = {"operation": operation, "method": method, "bucket": path.lstrip("/").partition("/")[0], "key": key,
                     "version_id": urllib.parse.parse_qs(query).get("versionId", [None])[0],
                     "from_module": from_module, "fault": fault, "when": when, "status": None}
            self._log.append(entry)
            return fault, when, entry

    def complete(self, entry, status):
        with self._lock:
            entry["status"] = status
            self._lock.notify_all()


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    """Forwards one request at a time over HTTP/1.1 keep-alive; see FaultProxy.decide for the faults."""

    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle or stuck client connection is closed after this many seconds
    owner = None  # the FaultProxy, set by FaultProxy.start

    def log_message(self, *args):  # pylint: disable=arguments-differ
        """Quiet: the FaultProxy log records every request."""

    def do_HEAD(self):
        self.handle_one()

    def do_GET(self):
        self.handle_one()

    def do_PUT(self):
        self.handle_one()

    def do_POST(self):
        self.handle_one()

    def do_DELETE(self):
        self.handle_one()

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise ConnectionError("the client went away in the middle of its request")
        return body

    def handle_one(self):
        owner = self.owner
        parsed = urllib.parse.urlsplit(self.path)
        try:
            body = self.read_body()
        except (OSError, ValueError):
            # Half a request is never forwarded: S3 does not act on a request it did not receive whole.
            self.close_connection = True
            return
        key = urllib.parse.unquote(parsed.path.lstrip("/").partition("/")[2]) or None
        operation = operation_name(self.command, parsed.path, parsed.query)
        from_module = "Ansible/" in self.headers.get("User-Agent", "")
        fault, when, entry = owner.decide(self.command, parsed.path, parsed.query, operation, key, from_module)
        if fault and when == "before":
            owner.complete(entry, None)
            self.send_fault(fault, parsed.path)
            return
        try:
            status, headers, payload = self.forward(parsed, body)
        except (OSError, http.client.HTTPException):
            owner.complete(entry, None)
            self.send_fault("internal", parsed.path)
            return
        owner.complete(entry, status)
        if fault:
            self.send_fault(fault, parsed.path)
            return
        self.send_response_only(status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        if self.command == "HEAD":
            length = dict((name.lower(), value) for name, value in headers).get("content-length", "0")
            self.send_header("Content-Length", length)
        else:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD" and payload:
            self.wfile.write(payload)

    def forward(self, parsed, body):
        connection = http.client.HTTPConnection(*self.owner.upstream, timeout=self.owner.upstream_timeout)
        try:
            target = parsed.path + ("?" + parsed.query if parsed.query else "")
            # The Host header is forwarded as the client sent it: it is part of the SigV4 signature.
            connection.putrequest(self.command, target, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                    connection.putheader(name, value)
            if body or self.command in ("PUT", "POST"):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body or None)
            response = connection.getresponse()
            payload = response.read()
            return response.status, response.getheaders(), payload
        finally:
            connection.close()

    def send_fault(self, fault, path):
        if fault == "drop":
            # No answer at all: the client sees the connection closed (botocore: ConnectionClosedError).
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        status, code, message = ERRORS[fault]
        payload = error_body(code, message, path)
        self.send_response_only(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("x-amz-request-id", "FAULTPROXY")
        self.send_header("Content-Length", "0" if self.command == "HEAD" else str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
