# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/runbook/restore-as-of-date.yml run with ansible-playbook against a real moto_server.

The folder as it was: an archived key still current (restored by the runbook), a key overwritten since (its old
version is readable), a key deleted since (its version then is readable), and a key created later (left alone).
moto ignores VersionId on RestoreObject (facts sheet, "moto 5.2.5 versus AWS"), so the archived version of the
moment is the current one here; the unit tests assert the VersionId sent for a non-current one on a Stubber.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid

import pytest

from cli_paths import REPO_ROOT, VENV_BIN, run_cli

RUNBOOK = os.path.join(REPO_ROOT, "docs", "runbook", "restore-as-of-date.yml")
RECAP = re.compile(r"^localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


@pytest.fixture
def folder(aws):
    """(bucket, target bucket, moment, {key: version ID at the moment}) of a versioned folder that changed since."""
    s3 = aws("s3")
    bucket, target = f"it-{uuid.uuid4().hex[:12]}", f"it-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=target)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    then = {
        "site/archived.bin": s3.put_object(Bucket=bucket, Key="site/archived.bin", Body=b"a1", StorageClass="DEEP_ARCHIVE")["VersionId"],
        "site/index.html": s3.put_object(Bucket=bucket, Key="site/index.html", Body=b"old index")["VersionId"],
        "site/gone.css": s3.put_object(Bucket=bucket, Key="site/gone.css", Body=b"css")["VersionId"],
    }
    versions = s3.list_object_versions(Bucket=bucket, Prefix="site/")["Versions"]
    moment = max(entry["LastModified"] for entry in versions)
    time.sleep(1.1)  # moto's listings give LastModified in whole seconds
    s3.put_object(Bucket=bucket, Key="site/index.html", Body=b"new index")
    s3.delete_object(Bucket=bucket, Key="site/gone.css")
    s3.put_object(Bucket=bucket, Key="site/later.js", Body=b"js")
    return bucket, target, moment.isoformat(), then


def run_runbook(aws_env, *flags, **extra_vars):
    completed = run_cli([os.path.join(VENV_BIN, "ansible-playbook"), RUNBOOK, "-e", json.dumps(extra_vars), *flags], aws_env)
    match = RECAP.search(completed.stdout)
    assert match, completed.stdout + completed.stderr
    return completed, dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups())))


def test_the_folder_as_it_was_is_restored_and_copied(aws_env, aws, folder):
    bucket, target, moment, then = folder
    completed, recap = run_runbook(aws_env, bucket=bucket, prefix="site/", as_of=moment, target_bucket=target, check_every=1)
    assert recap["failed"] == 0, completed.stdout
    output = " ".join(completed.stdout.split())
    assert "held 3 version(s)" in output and "1 restore(s) requested" in output
    assert "1 key(s) did not exist yet" in output
    s3 = aws("s3")
    copied = {item["Key"]: s3.get_object(Bucket=target, Key=item["Key"])["Body"].read()
              for item in s3.list_objects_v2(Bucket=target).get("Contents", [])}
    assert copied == {"site/archived.bin": b"a1", "site/index.html": b"old index", "site/gone.css": b"css"}
    assert set(then) == set(copied)

    # A second run requests nothing again, and copies nothing again: the target holds each version already.
    completed, recap = run_runbook(aws_env, bucket=bucket, prefix="site/", as_of=moment, target_bucket=target, check_every=1)
    assert recap["failed"] == 0 and "0 restore(s) requested" in " ".join(completed.stdout.split())
    assert recap["changed"] == 0, completed.stdout


def test_check_mode_sends_nothing(aws_env, aws, folder):
    bucket, target, moment, _then = folder
    completed, recap = run_runbook(aws_env, "--check", bucket=bucket, prefix="site/", as_of=moment, target_bucket=target)
    assert recap["failed"] == 0, completed.stdout
    assert "1 restore(s) would be requested" in " ".join(completed.stdout.split())
    assert "Restore" not in aws("s3").head_object(Bucket=bucket, Key="site/archived.bin")
    assert aws("s3").list_objects_v2(Bucket=target).get("KeyCount", 0) == 0


def test_missing_input_is_refused(aws_env):
    completed, recap = run_runbook(aws_env, bucket="b-1", prefix="site/")
    assert recap["failed"] == 1
    assert "-e as_of=2026-11-24T18:00:00Z" in " ".join(completed.stdout.split())
