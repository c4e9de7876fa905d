# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""max_requests_per_second, run as users run it (`ansible localhost -m ...`), against the latency stand-in of the
benchmarks (tests/benchmarks/latency_s3_server.py): the rate the server sees never exceeds the cap by more than 5%
over any one-second window.

moto cannot show it: at about 300 requests per second its server would be the limit, not the cap (facts sheet,
"throughput"). The stand-in answers every request after 30 ms, like a nearby AWS Region, and notes when each
RestoreObject arrived.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, "tests", "benchmarks"))

from latency_s3_server import admin  # noqa: E402  pylint: disable=wrong-import-position
from latency_s3_server import running_server  # noqa: E402  pylint: disable=wrong-import-position

MODULE = "s3async.restore.s3_object_restore"
BUCKET = "pacing-test"
ADHOC_RESULT = re.compile(r"^localhost \| (CHANGED|SUCCESS|FAILED!) => (\{.*)\Z", re.DOTALL | re.MULTILINE)


def adhoc(args):
    """(status, result) of `ansible localhost -m s3_object_restore -a ARGS` (a dict, sent as JSON)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "ANSIBLE_"))}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
               AWS_EC2_METADATA_DISABLED="true", ANSIBLE_CONFIG=os.path.join(REPO_ROOT, "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    completed = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible"), "localhost", "-m", MODULE,
                                "-a", json.dumps(args)], env=env, cwd=REPO_ROOT, capture_output=True, text=True,
                               timeout=120, check=False)
    match = ADHOC_RESULT.search(completed.stdout)
    assert match, f"no result line in ansible output:\n{completed.stdout}\n{completed.stderr}"
    return match.group(1), json.JSONDecoder().raw_decode(match.group(2))[0]


def busiest_second(arrivals):
    """The most arrivals in any window [t, t + 1) that starts at an arrival."""
    arrivals = sorted(arrivals)
    most, end = 0, 0
    for start, first in enumerate(arrivals):
        while end < len(arrivals) and arrivals[end] < first + 1.0:
            end += 1
        most = max(most, end - start)
    return most


@pytest.fixture
def stand_in():
    with running_server() as endpoint:
        yield endpoint


def test_the_server_never_sees_more_than_the_cap(stand_in):
    admin(stand_in, "reset", objects=300, prefix="cold/", bucket=BUCKET, latency=0.03)
    status, result = adhoc({"bucket": BUCKET, "prefix": "cold/", "endpoint_url": stand_in, "region": "us-east-1",
                            "status_source": "listing", "days": 1, "max_requests_per_second": 50})
    assert status == "CHANGED", result
    assert result["summary"]["restore_requested"] == 300
    arrivals = admin(stand_in, "stats")["restore_arrivals"]
    assert len(arrivals) == 300
    # Within 5% of the cap over every second (the default concurrency, 128 threads, would send all 300 at once).
    assert busiest_second(arrivals) <= 50 * 1.05
    # And the cap is a pace, not a stall: 300 requests at 50 per second take about 6 seconds.
    assert 299 / 50 * 0.95 <= max(arrivals) - min(arrivals) <= 299 / 50 * 1.3


def test_a_cap_of_zero_is_refused_before_any_request(stand_in):
    admin(stand_in, "reset", objects=3, prefix="cold/", bucket=BUCKET, latency=0.0)
    status, result = adhoc({"bucket": BUCKET, "prefix": "cold/", "endpoint_url": stand_in, "region": "us-east-1",
                            "max_requests_per_second": 0})
    assert status == "FAILED!"
    assert result["msg"] == "max_requests_per_second must be more than 0, got 0.0 (leave it out for no cap)"
    assert admin(stand_in, "stats")["counts"] == {}
