# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/runbook/restore-prefix.yml run with ansible-playbook against a real moto_server, with its default settings.

moto completes a restore at once (facts sheet, "moto 5.2.5 versus AWS": "restore completes | instantly"), so the
wait is over by the time the runbook first asks: with the defaults the whole run must take seconds, which it
only does when the first async_status checks come soon.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

from fault_proxy import FaultProxy

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNBOOK = os.path.join(REPO_ROOT, "docs", "runbook", "restore-prefix.yml")
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
PROBE_KEY = "s3async-restore-probe.txt"
# The one timing the runbook promises on moto; generous, so that a slow machine does not fail it.
END_TO_END_SECONDS = 60
# `localhost : ok=10 changed=3 unreachable=0 failed=0 ...`
RECAP = re.compile(r"^localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


def run_runbook(env, *flags, **extra_vars):
    """(CompletedProcess, wall seconds) of ansible-playbook on the runbook; killed after twice the promised time."""
    started = time.monotonic()
    try:
        completed = subprocess.run(
            [ANSIBLE_PLAYBOOK, RUNBOOK, "-e", json.dumps(extra_vars), *flags],
            env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=2 * END_TO_END_SECONDS, check=False,
        )
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(f"the runbook was still running after {timeout.timeout} s on moto:\n{timeout.stdout}")
    return completed, time.monotonic() - started


def recap(completed):
    """{'ok': n, 'changed': n, 'unreachable': n, 'failed': n} from the play recap."""
    match = RECAP.search(completed.stdout)
    assert match, completed.stdout + completed.stderr
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups())))


def messages(completed):
    """The `msg` of every debug task, in order."""
    return re.findall(r'^\s+"msg": "(.*)"$', completed.stdout, re.MULTILINE)


def restore_headers(s3, bucket, keys):
    return {key: s3.head_object(Bucket=bucket, Key=key).get("Restore") for key in keys}


@pytest.fixture
def archive(aws, bucket):
    """(bucket, permanent bucket name, keys): six objects under db/2026-11/ (GLACIER, DEEP_ARCHIVE, STANDARD in
    turn) and one archived object outside the prefix. The permanent bucket is not created here."""
    s3 = aws("s3")
    keys = [f"db/2026-11/part-{number}.dump" for number in range(6)]
    for number, key in enumerate(keys):
        s3.put_object(Bucket=bucket, Key=key, Body=f"part {number}".encode(),
                      StorageClass=("GLACIER", "DEEP_ARCHIVE", "STANDARD")[number % 3],
                      Metadata={"part": str(number)}, ContentType="application/x-dump", Tagging="keep=yes")
    s3.put_object(Bucket=bucket, Key="db/2026-10/old.dump", Body=b"old", StorageClass="GLACIER")
    return bucket, f"{bucket}-permanent", keys


def test_recovery_runbook_end_to_end(aws_env, aws, archive):
    """Restore, wait under async, copy to the permanent bucket, in well under a minute; a second run changes nothing."""
    bucket, permanent, keys = archive
    s3 = aws("s3")
    s3.create_bucket(Bucket=permanent)

    completed, seconds = run_runbook(aws_env, bucket=bucket, prefix="db/2026-11/", permanent_bucket=permanent)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert seconds < END_TO_END_SECONDS, f"the runbook took {seconds:.0f} s on moto:\n{completed.stdout}"
    said = messages(completed)
    assert any(line.startswith("4 restore(s) requested (") for line in said), said
    assert said[-1].startswith(f"4 restored and copied to {permanent} (4 new copies), 2 were never archived"), said
    assert not any("would" in line for line in said), said

    copied = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=permanent, Prefix="db/").get("Contents", []))
    assert copied == [keys[number] for number in (0, 1, 3, 4)]
    for key in copied:
        head = s3.head_object(Bucket=permanent, Key=key)
        assert head.get("StorageClass", "STANDARD") == "STANDARD"
        assert s3.get_object(Bucket=permanent, Key=key)["Body"].read() == f"part {key[-6]}".encode()
        # s3_object_unarchive keeps what the objects carry (the per-object loop it replaced dropped tags).
        assert head["Metadata"]["part"] == key[-6] and head["ContentType"] == "application/x-dump"
        assert s3.get_object_tagging(Bucket=permanent, Key=key)["TagSet"] == [{"Key": "keep", "Value": "yes"}]
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="db/2026-10/old.dump")
    # The probe stays, so that the runbook needs no delete permission; the second run rewrites nothing.
    assert b"recovery runbook" in s3.get_object(Bucket=permanent, Key=PROBE_KEY)["Body"].read()

    again, seconds = run_runbook(aws_env, bucket=bucket, prefix="db/2026-11/", permanent_bucket=permanent)
    assert again.returncode == 0, again.stdout + again.stderr
    assert seconds < END_TO_END_SECONDS, f"the second run took {seconds:.0f} s on moto:\n{again.stdout}"
    assert recap(again)["changed"] == 0, again.stdout
    said = messages(again)
    assert any(line.startswith("No restore needed: 0 in progress, 4 restored") for line in said), said
    assert said[-1].startswith(f"4 restored and copied to {permanent} (0 new copies)"), said


def test_check_mode_says_would_and_sends_nothing(aws_env, aws, archive):
    bucket, permanent, keys = archive
    s3 = aws("s3")
    s3.create_bucket(Bucket=permanent)

    completed, _seconds = run_runbook(aws_env, "--check", bucket=bucket, prefix="db/2026-11/", permanent_bucket=permanent)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    said = messages(completed)
    assert any(line.startswith("Check mode, nothing was sent: 4 restore(s) would be requested (") for line in said), said
    assert said[-1].startswith("Check mode, nothing was restored, waited for or copied"), said
    assert "4 would be once their restore is done" in said[-1], said
    assert not any(re.search(r"\d+ restore\(s\) requested", line) for line in said), said

    assert restore_headers(s3, bucket, keys) == dict.fromkeys(keys)
    assert "Contents" not in s3.list_objects_v2(Bucket=permanent), "check mode wrote to the permanent bucket"


@pytest.mark.parametrize("check_mode", [False, True], ids=["run", "check"])
def test_a_missing_permanent_bucket_stops_the_runbook_before_any_restore(aws_env, aws, archive, check_mode):
    bucket, permanent, keys = archive
    flags = ("--check",) if check_mode else ()

    completed, _seconds = run_runbook(aws_env, *flags, bucket=bucket, prefix="db/2026-11/", permanent_bucket=permanent)
    assert completed.returncode != 0, completed.stdout
    assert f"permanent_bucket {permanent} cannot take the copies: Bucket '{permanent}' not found" in completed.stdout
    assert "Nothing has been restored." in completed.stdout
    assert "Request the restores" not in completed.stdout
    assert restore_headers(aws("s3"), bucket, keys) == dict.fromkeys(keys)


def test_a_permanent_bucket_refusing_writes_stops_the_runbook_before_any_restore(aws_env, aws, archive, moto_endpoint):
    """The probe meets what the copies would meet: here a 403 AccessDenied to its PutObject (injected by the fault
    proxy, since moto_server grants everything unless IAM is switched on)."""
    bucket, permanent, keys = archive
    aws("s3").create_bucket(Bucket=permanent)
    with FaultProxy(moto_endpoint) as proxy:
        proxy.fail("PutObject", fault="denied", times=None, key=PROBE_KEY)
        completed, _seconds = run_runbook(dict(aws_env, AWS_URL=proxy.endpoint), bucket=bucket, prefix="db/2026-11/",
                                          permanent_bucket=permanent)
        assert proxy.faults(module_only=False) == {("denied", "before"): 1}
        assert not proxy.reached_server("RestoreObject", module_only=False)
    assert completed.returncode != 0, completed.stdout
    assert f"permanent_bucket {permanent} cannot take the copies:" in completed.stdout
    assert "grant s3:ListBucket (for HeadBucket), s3:GetObject and s3:PutObject on it" in completed.stdout
    assert restore_headers(aws("s3"), bucket, keys) == dict.fromkeys(keys)


@pytest.mark.parametrize("extra_vars", [
    {"prefix": "db/", "permanent_bucket": "elsewhere"},
    {"bucket": "backups", "permanent_bucket": "elsewhere"},
    {"bucket": "backups", "prefix": "db/"},
    {"bucket": "backups", "prefix": "db/", "permanent_bucket": "backups"},
], ids=["no bucket", "no prefix", "no permanent_bucket", "permanent_bucket is bucket"])
def test_missing_or_clashing_input_is_refused_with_the_command_to_run(aws_env, extra_vars):
    completed, _seconds = run_runbook(aws_env, **extra_vars)
    assert completed.returncode != 0, completed.stdout
    assert "-e bucket=backups -e prefix=db/2026-11/ -e permanent_bucket=backups-restored" in completed.stdout
    assert "Check that the permanent bucket" not in completed.stdout
