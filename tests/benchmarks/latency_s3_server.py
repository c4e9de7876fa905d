# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A fast in-memory S3 stand-in that answers every request after a set latency, for the latency benchmark
(bench_latency.py) and the pacing test (tests/integration/test_pacing_cli.py).

moto's server saturates at about 300 requests per second on a 2-core machine (facts sheet, "throughput"), so it
cannot show what limits a client on AWS, where each request waits tens of milliseconds for the network. This server
implements only what a prefix restore sends, in memory, with the standard library:

- ListObjectsV2 (path-style), pages of up to 1,000 keys with continuation tokens; every key a GLACIER object.
  `RestoreStatus` is reported as AWS reports it when the request asks for it (OptionalObjectAttributes,
  facts sheet "Listing with restore state"): absent for an object never restored, `IsRestoreInProgress` true once
  a restore was accepted.
- HeadObject: `x-amz-storage-class: GLACIER`, and `x-amz-restore: ongoing-request="true"` once restored.
- RestoreObject: 202 for a new restore, 409 RestoreAlreadyInProgress for a second one (RestoreObject, "Errors");
  with a throttle set, 503 SlowDown once more restores than the throttle arrived in the last second (the
  account's restore quota, facts sheet "RestoreObject").
- HeadBucket: 200.

Every S3 answer is sent `latency` seconds after the request arrived (a sleep in the connection's thread, so
hundreds of requests can wait at once). Control requests under /__admin/ are answered at once:
  POST /__admin/reset?objects=N&prefix=P&bucket=B&latency=S&throttle=R   fresh state
  GET  /__admin/stats                                                   counts, as JSON (with restore arrival times)

Run alone: `python latency_s3_server.py [--port 0]` prints `READY <port>` and serves until killed. In a test:
`with running_server(latency=0.03) as server: ...` (a thread of the calling process).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from xml.sax.saxutils import escape

PAGE_SIZE = 1000
XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"


class State:
    """The bucket, its objects' restore state and what arrived. One lock: the work under it is tiny."""

    def __init__(self, objects=0, prefix="bench/", bucket="latency-bench", latency=0.0, throttle=None):
        self.lock = threading.Lock()
        self.bucket = bucket
        self.latency = latency
        self.throttle = throttle
        self.keys = [f"{prefix}obj-{index:07d}.bin" for index in range(objects)]
        self.restored = set()
        self.counts = {}
        self.restore_arrivals = []  # monotonic seconds of every RestoreObject that arrived, throttled or not
        self.accepted_times = collections.deque()  # of the accepted ones, for the sliding one-second throttle window
        self.throttled = 0
        self.resent = 0
        self.started = time.monotonic()

    def count(self, operation, status):
        name = f"{operation} {status}"
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def restore(self, key, now):
        """The status RestoreObject answers for `key` arriving at `now`: 202, 409 or 503."""
        with self.lock:
            self.restore_arrivals.append(now)
            if self.throttle is not None:
                window = self.accepted_times
                while window and window[0] <= now - 1.0:
                    window.popleft()
                if len(window) >= self.throttle:
                    self.throttled += 1
                    return 503
                window.append(now)
            if key in self.restored:
                self.resent += 1
                return 409
            self.restored.add(key)
            return 202

    def stats(self):
        with self.lock:
            return {
                "objects": len(self.keys), "restored": len(self.restored), "counts": dict(self.counts),
                "throttled": self.throttled, "resent": self.resent, "latency": self.latency, "throttle": self.throttle,
                # CPU seconds of the whole server process so far: its cost per request, whatever the load.
                "cpu_s": round(time.process_time(), 3),
                "restore_arrivals": [round(arrival - self.started, 4) for arrival in self.restore_arrivals],
            }


def list_page(state, query):
    """(keys of one ListObjectsV2 page, the next page's token, whether more pages follow)."""
    prefix = query.get("prefix", [""])[0]
    token = query.get("continuation-token", [None])[0]
    start = int(token) if token else 0
    # Every key shares the one prefix the state was made with: a page is a slice.
    keys = [key for key in state.keys[start:start + PAGE_SIZE] if key.startswith(prefix)]
    end = start + PAGE_SIZE
    return keys, end, bool(keys) and end < len(state.keys)


def list_xml(state, query, with_restore_status):
    keys, end, truncated = list_page(state, query)
    with state.lock:
        restored = {key for key in keys if key in state.restored}
    parts = [f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="{XMLNS}">',
             f"<Name>{escape(state.bucket)}</Name><Prefix>{escape(query.get('prefix', [''])[0])}</Prefix>",
             f"<KeyCount>{len(keys)}</KeyCount><MaxKeys>{PAGE_SIZE}</MaxKeys>",
             f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>"]
    if truncated:
        parts.append(f"<NextContinuationToken>{end}</NextContinuationToken>")
    for key in keys:
        status = ""
        if with_restore_status and key in restored:
            status = "<RestoreStatus><IsRestoreInProgress>true</IsRestoreInProgress></RestoreStatus>"
        parts.append(f"<Contents><Key>{escape(key)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>"
                     f'<ETag>"0cc175b9c0f1b6a831c399e269772661"</ETag><Size>1</Size>'
                     f"<StorageClass>GLACIER</StorageClass>{status}</Contents>")
    parts.append("</ListBucketResult>")
    return "".join(parts).encode()


def error_xml(code, message):
    return (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message>'
            "<RequestId>latency-stand-in</RequestId></Error>").encode()


class Handler(BaseHTTPRequestHandler):
    """One connection's requests (HTTP/1.1, kept alive as botocore's pool expects)."""

    protocol_version = "HTTP/1.1"
    # Small answers on kept-alive connections: without TCP_NODELAY, Nagle's algorithm and the client's delayed
    # ACK would add tens of milliseconds to some of them, a latency of the server's own.
    disable_nagle_algorithm = True
    server_version = "AmazonS3"
    sys_version = ""

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet: thousands of requests per second."""

    def _send(self, status, body=b"", headers=None):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amz-request-id", "latency-stand-in")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body and self.command != "HEAD":
            # One write for the headers and the body (end_headers would flush the headers alone).
            self._headers_buffer.append(b"\r\n" + body)
            self.flush_headers()
        else:
            self.end_headers()

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _route(self):
        """(bucket, key, query) of a path-style request."""
        url = urllib.parse.urlsplit(self.path)
        bucket, _slash, key = url.path.lstrip("/").partition("/")
        return bucket, urllib.parse.unquote(key), urllib.parse.parse_qs(url.query, keep_blank_values=True)

    def _admin(self):
        state = self.server.state
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/__admin/reset":
            throttle = query.get("throttle", [""])[0]
            self.server.state = State(int(query.get("objects", ["0"])[0]), query.get("prefix", ["bench/"])[0],
                                      query.get("bucket", ["latency-bench"])[0],
                                      float(query.get("latency", ["0"])[0]), int(throttle) if throttle else None)
            return self._send(200, b"{}")
        return self._send(200, json.dumps(state.stats()).encode(), {"Content-Type": "application/json"})

    def _answer(self, state, started):
        """The S3 operation's (name, status, body, headers)."""
        bucket, key, query = self._route()
        if bucket != state.bucket:
            return "Other", 404, error_xml("NoSuchBucket", "The specified bucket does not exist"), {}
        if self.command == "GET" and not key and query.get("list-type") == ["2"]:
            wanted = "RestoreStatus" in (self.headers.get("x-amz-optional-object-attributes") or "")
            return "ListObjectsV2", 200, list_xml(state, query, wanted), {"Content-Type": "application/xml"}
        if self.command == "HEAD" and not key:
            return "HeadBucket", 200, b"", {}
        if self.command == "HEAD":
            headers = {"x-amz-storage-class": "GLACIER", "Content-Type": "application/octet-stream",
                       "ETag": '"0cc175b9c0f1b6a831c399e269772661"'}
            if key in state.restored:
                headers["x-amz-restore"] = 'ongoing-request="true"'
            return "HeadObject", 200, b"", headers
        if self.command == "POST" and key and "restore" in query:
            self._body()
            status = state.restore(key, started)
            body = {202: b"", 409: error_xml("RestoreAlreadyInProgress", "Object restore is already in progress"),
                    503: error_xml("SlowDown", "Please reduce your request rate.")}[status]
            return "RestoreObject", status, body, {}
        self._body()
        return "Other", 501, error_xml("NotImplemented", "Not implemented by the latency stand-in"), {}

    def _handle(self):
        if self.path.startswith("/__admin/"):
            self._body()
            return self._admin()
        started = time.monotonic()
        state = self.server.state
        operation, status, body, headers = self._answer(state, started)
        state.count(operation, status)
        # The latency counts from the request's arrival, as the network's would.
        remaining = state.latency - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
        return self._send(status, body, headers)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # Hundreds of client connections open at once when a run starts.
    request_queue_size = 1024

    def __init__(self, address, state):
        super().__init__(address, Handler)
        self.state = state


@contextlib.contextmanager
def running_server(**state_options):
    """A server on a free port of 127.0.0.1 in a thread of this process: yields its endpoint URL."""
    server = Server(("127.0.0.1", 0), State(**state_options))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def admin(endpoint, what, **query):
    """POST /__admin/reset (what='reset', with State's options) or GET /__admin/stats (what='stats')."""
    query = {name: value for name, value in query.items() if value is not None}
    url = f"{endpoint}/__admin/{what}?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(url, data=b"" if what == "reset" else None, method="POST" if what == "reset" else "GET")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = Server((args.host, args.port), State())
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
