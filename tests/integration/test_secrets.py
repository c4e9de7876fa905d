# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Credentials never show in results, diffs, warnings or logs, however verbose the run.

s3_object_restore runs through the real CLIs with -vvv and --diff, with the secret key and session token given
as task options, through module_defaults, and through the environment, on runs that succeed, fail and report
botocore's endpoint logs; stdout, stderr and Ansible's log file (ANSIBLE_LOG_PATH) are searched for the secrets
and for their URL- and JSON-escaped forms. moto_server accepts any credentials, so the secrets reach the module
and botocore for real.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import uuid

import pytest

MODULE = "s3async.restore.s3_object_restore"
VENV_BIN = os.path.dirname(sys.executable)
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Unique per run, with characters that get escaped in URLs and JSON.
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+" + uuid.uuid4().hex
SESSION_TOKEN = "IQoJb3JpZ2luX2VjE/" + uuid.uuid4().hex + "+token=="
ACCESS_KEY = "AKIA" + uuid.uuid4().hex[:16].upper()


def forms(secret):
    """The secret as written, URL-quoted and JSON-escaped."""
    return {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret), json.dumps(secret)[1:-1]}


def leaks(text):
    found = []
    for name, secret in (("secret key", SECRET_KEY), ("session token", SESSION_TOKEN)):
        for form in forms(secret):
            if form in text:
                found.append(f"{name} ({form!r})")
    return found


@pytest.fixture
def run(aws_env, tmp_path):
    """run(argv, env_extra) -> (returncode, all output: stdout, stderr and the Ansible log file)."""

    def execute(argv, **env_extra):
        log_path = tmp_path / f"ansible-{uuid.uuid4().hex[:8]}.log"
        env = dict(aws_env, ANSIBLE_LOG_PATH=str(log_path), **env_extra)
        completed = subprocess.run(argv, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)
        log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
        return completed.returncode, "\n".join((completed.stdout, completed.stderr, log))

    return execute


@pytest.fixture
def archived(aws, bucket):
    aws("s3").put_object(Bucket=bucket, Key="secret/cold.bin", Body=b"x", StorageClass="GLACIER")
    topic_arn = aws("sns").create_topic(Name=f"{bucket}-events")["TopicArn"]
    return bucket, topic_arn


def adhoc_argv(module_args, *flags):
    return [os.path.join(VENV_BIN, "ansible"), "localhost", "-m", MODULE, "-a", module_args, "-vvv", "--diff", *flags]


def credential_args():
    return f"access_key={ACCESS_KEY} secret_key={SECRET_KEY} session_token={SESSION_TOKEN}"


CASES = {
    "options, success with a notification diff": ("key=secret/cold.bin sns_topic_arn={topic} {credentials}", False),
    "options, check mode": ("key=secret/cold.bin sns_topic_arn={topic} {credentials}", True),
    "options, failure": ("key=secret/missing.bin {credentials}", False),
    "options, invalid argument": ("key=secret/cold.bin days=0 {credentials}", False),
    "options, botocore endpoint logs": ("key=secret/cold.bin debug_botocore_endpoint_logs=true {credentials}", False),
    "options, prefix": ("prefix=secret/ status_source=head {credentials}", False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_secrets_given_as_options_never_show(run, archived, name):
    bucket, topic_arn = archived
    template, check_mode = CASES[name]
    args = f"bucket={bucket} " + template.format(topic=topic_arn, credentials=credential_args())
    returncode, output = run(adhoc_argv(args, *(["--check"] if check_mode else [])))
    assert "localhost |" in output, output[-3000:]
    assert not leaks(output), f"{name}: {leaks(output)} in the output"
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output or returncode != 0


def test_secrets_from_the_environment_never_show(run, archived):
    bucket, topic_arn = archived
    returncode, output = run(
        adhoc_argv(f"bucket={bucket} key=secret/cold.bin sns_topic_arn={topic_arn} debug_botocore_endpoint_logs=true"),
        AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_SESSION_TOKEN=SESSION_TOKEN,
    )
    assert returncode == 0, output[-3000:]
    assert not leaks(output), leaks(output)


def test_secrets_through_module_defaults_in_a_playbook_never_show(run, archived, tmp_path):
    """A playbook that registers the result and prints it whole, with -vvv and --diff."""
    bucket, topic_arn = archived
    playbook = tmp_path / "restore.yml"
    playbook.write_text(json.dumps([{
        "name": "Restore with credentials from module_defaults",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/s3async.restore.aws": {
            "access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "session_token": SESSION_TOKEN, "region": "us-east-1"}},
        "tasks": [
            {"name": "Restore", "s3async.restore.s3_object_restore": {
                "bucket": bucket, "key": "secret/cold.bin", "sns_topic_arn": topic_arn}, "register": "restore"},
            {"name": "Again, failing", "s3async.restore.s3_object_restore": {
                "bucket": bucket, "key": "secret/missing.bin"}, "register": "missing", "ignore_errors": True},
            {"name": "Show everything", "ansible.builtin.debug": {"var": "restore"}},
            {"name": "Show the failure", "ansible.builtin.debug": {"var": "missing"}},
        ],
    }]), encoding="utf-8")
    returncode, output = run([os.path.join(VENV_BIN, "ansible-playbook"), str(playbook), "-vvv", "--diff"])
    assert returncode == 0, output[-3000:]
    assert "Show everything" in output
    assert not leaks(output), leaks(output)


def test_the_search_finds_a_secret_that_is_printed(run):
    """Control: the same search, on a run that does print the secret, finds it (so the tests above can fail)."""
    _returncode, output = run([os.path.join(VENV_BIN, "ansible"), "localhost", "-m", "ansible.builtin.debug",
                               "-a", f"msg={urllib.parse.quote(SECRET_KEY, safe='')}", "-vvv"])
    assert leaks(output)
