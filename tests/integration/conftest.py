# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration fixtures: a real moto_server on 127.0.0.1, and the modules run through the ansible CLIs."""

from __future__ import annotations

import json
import os
import re
import sys
import uuid

import boto3
import pytest
from botocore.config import Config

from aws_behaviour import AwsBehaviour
from cli_paths import REPO_ROOT, VENV_BIN, run_cli
from moto_process import running_moto_server

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


# -- the AWS behaviour layer (aws_behaviour.py) --------------------------------------------------------------------


@pytest.fixture
def behaviour_layer(moto_endpoint, api_operations):
    """An AWS behaviour layer in front of the session's moto_server, for this test only (each switch starts off
    as the class sets it: restores complete at once, destinations and overlaps are validated, reads are
    consistent). The S3 operations modules sent through it count for the least-privilege check (tests/conftest.py):
    the layer answers some of them itself (409, throttling, Intelligent-Tiering restores), so moto never sees them.
    """
    with AwsBehaviour(moto_endpoint) as layer:
        yield layer
    for entry in layer.log(module_only=True):
        flags = ("VersionId",) if entry["version_id"] else ()
        api_operations.record(entry["module"], "s3", entry["operation"], flags, source="cli through the AWS behaviour layer")


@pytest.fixture
def layer_env(aws_env, behaviour_layer):
    """aws_env with AWS_URL at the behaviour layer: what `ansible` / `ansible-playbook` need to run through it.

    A test module that runs every CLI through the layer can instead override aws_env itself:
    ``def aws_env(aws_env, behaviour_layer): return dict(aws_env, AWS_URL=behaviour_layer.endpoint)``.
    """
    return dict(aws_env, AWS_URL=behaviour_layer.endpoint)


@pytest.fixture
def layer_aws(behaviour_layer):
    """boto3 clients through the behaviour layer: another client of the same bucket (it sees what AWS would show)."""

    def client(service, **config):
        return boto3.client(
            service, region_name=REGION, endpoint_url=behaviour_layer.endpoint,
            aws_access_key_id="testing", aws_secret_access_key="testing",
            config=Config(**config) if config else None,
        )

    return client
