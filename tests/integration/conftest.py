# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration fixtures: a real moto_server on 127.0.0.1, and the modules run through the ansible CLIs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid

import boto3
import pytest

from moto_process import running_moto_server

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.dirname(sys.executable)
REGION = "us-east-1"
# `localhost | CHANGED => {...}`: the default callback's one-host result line.
ADHOC_RESULT = re.compile(r"^localhost \| (CHANGED|SUCCESS|FAILED!) => (\{.*)\Z", re.DOTALL | re.MULTILINE)


@pytest.fixture(scope="session")
def moto_endpoint():
    """A moto_server process for the whole session, on a free loopback port."""
    with running_moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def aws_env(moto_endpoint):
    """Environment for the ansible CLIs and boto3: fake credentials, the moto endpoint, this checkout's ansible.cfg."""
    env = {
        name: value for name, value in os.environ.items()
        if not name.startswith(("AWS_", "ANSIBLE_"))
    }
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_URL=moto_endpoint,
        ANSIBLE_CONFIG=os.path.join(REPO_ROOT, "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        PATH=VENV_BIN + os.pathsep + os.environ.get("PATH", ""),
    )
    return env


@pytest.fixture(scope="session")
def aws(moto_endpoint):
    """boto3 clients on the moto_server, to seed and inspect what the modules did."""

    def client(service):
        return boto3.client(
            service, region_name=REGION, endpoint_url=moto_endpoint,
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )

    return client


@pytest.fixture
def bucket(aws):
    """A fresh bucket per test (moto_server keeps state for the whole session)."""
    name = f"it-{uuid.uuid4().hex[:12]}"
    aws("s3").create_bucket(Bucket=name)
    return name


def run_cli(args, env, cwd=REPO_ROOT, timeout=300):
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def adhoc(aws_env):
    """adhoc(module, 'k=v ...', *flags) -> (status, result): `ansible localhost -m MODULE -a ARGS`, parsed."""

    def run(module, module_args, *flags):
        completed = run_cli([os.path.join(VENV_BIN, "ansible"), "localhost", "-m", module, "-a", module_args, *flags], aws_env)
        match = ADHOC_RESULT.search(completed.stdout)
        assert match, f"no result line in ansible output:\n{completed.stdout}\n{completed.stderr}"
        body = match.group(2)
        result = json.JSONDecoder().raw_decode(body)[0]
        return match.group(1), result

    return run


@pytest.fixture
def ansible_doc(aws_env):
    """ansible_doc(name) -> CompletedProcess of `ansible-doc NAME` run from the repository root."""

    def run(name):
        return run_cli([os.path.join(VENV_BIN, "ansible-doc"), name], aws_env)

    return run


@pytest.fixture
def playbook(aws_env):
    """playbook(path, **extra_vars) -> CompletedProcess of ansible-playbook."""

    def run(path, *flags, **extra_vars):
        return run_cli(
            [os.path.join(VENV_BIN, "ansible-playbook"), path, "-e", json.dumps(extra_vars), *flags], aws_env
        )

    return run
