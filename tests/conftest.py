# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Make this checkout importable as ansible_collections.s3async.restore (with amazon.aws beside it).

scripts/setup.sh lays out .collections/ansible_collections/{amazon/aws, s3async/restore -> repository root};
plain pytest then imports the collection the way Ansible does.
"""

from __future__ import annotations

import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO_ROOT, ".collections")

if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "amazon", "aws")):
    raise RuntimeError("amazon.aws is missing from .collections: run scripts/setup.sh first")
_link = os.path.join(COLLECTIONS, "ansible_collections", "s3async", "restore")
if not os.path.exists(_link):
    os.makedirs(os.path.dirname(_link), exist_ok=True)
    os.symlink(os.path.join("..", "..", ".."), _link)
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)


# ---------------------------------------------------------------------------------------------------------------
# Every AWS API operation the collection's modules perform, for the least-privilege check
# (tests/integration/test_least_privilege.py compares it with docs/iam-policy.json at the end of the run).
#
# In-process runs: botocore's BaseClient._make_api_call is wrapped, and a call is recorded when the collection's
# own code (plugins/) is on the calling thread's stack; the module is the plugins/modules/<name>.py frame on that
# stack, or on another thread's (a prefix run's worker threads call from module_utils only).
# CLI runs in subprocesses: the session's moto_server records every request it receives (moto's recorder, into
# MOTO_RECORDER_FILEPATH); requests whose User-Agent names Ansible came from a module (ours, if it names itself).
# Tests that put a proxy in front of moto_server record what went through it with ApiOperations.record().
# ---------------------------------------------------------------------------------------------------------------

import tempfile  # noqa: E402  (kept with the code that needs it)
import threading  # noqa: E402
import urllib.request  # noqa: E402

import botocore.client  # noqa: E402
import pytest  # noqa: E402

_PLUGINS_DIRS = (
    os.path.join(REPO_ROOT, "plugins") + os.sep,
    os.sep.join(("ansible_collections", "s3async", "restore", "plugins", "")),
)
_MODULES_DIR = "plugins" + os.sep + "modules" + os.sep


class ApiOperations:
    """(module, service, operation, flags) -> {"count", "test", "source"}; flags name the options that change
    the IAM action needed (VersionId: s3:GetObjectVersion instead of s3:GetObject)."""

    FLAG_PARAMETERS = ("VersionId",)

    def __init__(self):
        self._lock = threading.Lock()
        self.calls = {}
        self.current_test = None
        self.moto_recordings = []
        self.recording_endpoints = set()

    def record(self, module, service, operation, flags=(), source="in-process"):
        entry_key = (module, service, operation, tuple(sorted(flags)))
        with self._lock:
            entry = self.calls.setdefault(entry_key, {"count": 0, "test": self.current_test, "source": source})
            entry["count"] += 1

    def flags_of(self, params):
        return tuple(name for name in self.FLAG_PARAMETERS if params.get(name))


API_OPERATIONS = ApiOperations()
_IN_API_CALL = threading.local()


def _collection_frame(filename):
    return any(marker in filename for marker in _PLUGINS_DIRS)


def _module_in_stack(frame):
    """(module name or None, whether a frame of the collection's plugins is on this stack)."""
    in_collection = False
    while frame is not None:
        filename = frame.f_code.co_filename
        if _collection_frame(filename):
            in_collection = True
            if _MODULES_DIR in filename:
                return os.path.splitext(os.path.basename(filename))[0], True
        frame = frame.f_back
    return None, in_collection


def _calling_module(frame):
    module, in_collection = _module_in_stack(frame)
    if not in_collection:
        return None
    if module is None:
        for thread_id, other in sys._current_frames().items():  # pylint: disable=protected-access
            if thread_id != threading.get_ident():
                module, _in_collection = _module_in_stack(other)
                if module is not None:
                    break
    return module or "module_utils"


_real_make_api_call = botocore.client.BaseClient._make_api_call  # pylint: disable=protected-access


def _recording_make_api_call(self, operation_name, api_params):
    outermost = not getattr(_IN_API_CALL, "active", False)
    if outermost:
        module = _calling_module(sys._getframe(1))  # pylint: disable=protected-access
        if module is not None:
            API_OPERATIONS.record(module, self.meta.service_model.service_name, operation_name,
                                  API_OPERATIONS.flags_of(api_params or {}))
        _IN_API_CALL.active = True
    try:
        return _real_make_api_call(self, operation_name, api_params)
    finally:
        if outermost:
            _IN_API_CALL.active = False


botocore.client.BaseClient._make_api_call = _recording_make_api_call  # pylint: disable=protected-access

# moto_server processes inherit this: each one started by the tests appends the requests it receives here once
# recording is switched on (pytest_runtest_call below, for the session's moto_server).
if "MOTO_RECORDER_FILEPATH" not in os.environ:
    _descriptor, _recording = tempfile.mkstemp(prefix="s3async-moto-recording-", suffix=".jsonl")
    os.close(_descriptor)
    os.environ["MOTO_RECORDER_FILEPATH"] = _recording
    API_OPERATIONS.moto_recordings.append(_recording)


def pytest_configure(config):
    config.addinivalue_line("markers", "run_last: run this test after every other test of the session")


def pytest_collection_modifyitems(items):
    """Tests marked run_last go to the end (the least-privilege check reads what the whole run recorded)."""
    items.sort(key=lambda item: item.get_closest_marker("run_last") is not None)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    """Switch on the recording of the session's moto_server the first time a test uses it."""
    endpoint = getattr(item, "funcargs", {}).get("moto_endpoint")
    if endpoint and API_OPERATIONS.moto_recordings and endpoint not in API_OPERATIONS.recording_endpoints:
        start = urllib.request.Request(f"{endpoint}/moto-api/recorder/start-recording", data=b"", method="POST")
        with urllib.request.urlopen(start, timeout=10) as response:  # nosec: a local moto_server
            response.read()
        API_OPERATIONS.recording_endpoints.add(endpoint)


def pytest_runtest_setup(item):
    API_OPERATIONS.current_test = item.nodeid


def pytest_sessionfinish(session):  # pylint: disable=unused-argument
    for path in API_OPERATIONS.moto_recordings:
        if os.path.exists(path):
            os.remove(path)


@pytest.fixture(scope="session")
def api_operations():
    """The operations recorded so far (see ApiOperations)."""
    return API_OPERATIONS
