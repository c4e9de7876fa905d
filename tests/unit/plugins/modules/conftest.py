# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures that run a module's main() for real: against moto's in-process S3, or against a botocore Stubber.

The Stubber is a real botocore client whose HTTP layer is replaced by queued responses; it validates every
request against S3's service model and lets a test assert the exact parameters sent (what moto ignores).
"""

from __future__ import annotations

import contextlib
import json
import unittest.mock

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.parameters import PASS_VARS
try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 reads the arguments from basic._ANSIBLE_ARGS
    from ansible.module_utils import basic as module_basic

    @contextlib.contextmanager
    def patch_module_args(args):
        serialized = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
        with unittest.mock.patch.object(module_basic, "_ANSIBLE_ARGS", serialized):
            yield
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket

REGION = "us-east-1"
# ansible-core 2.21 adds `invocation` (the options as the module resolved them) to a result only when the controller
# asks for it (the inject_invocation setting, ANSIBLE_INJECT_INVOCATION), where earlier releases always add it. The
# tests ask for it wherever the release knows the flag, so that a result has the same shape on every release; a
# release without the flag would refuse it as an unsupported parameter.
INJECT_INVOCATION = {"_ansible_inject_invocation": True} if "inject_invocation" in PASS_VARS else {}
# The bucket the `s3` fixture creates; the test modules name it BUCKET.
MOTO_BUCKET = "archive-bucket"


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch):
    """Fake credentials and a region, and no endpoint from the developer's shell leaking in."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_URL", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                 "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@pytest.fixture
def run_module(capsys):
    """run_module(main, args, check_mode=False, diff=False) -> (failed, result)."""

    def run(main, args, check_mode=False, diff=False):
        module_args = dict(args)
        module_args["_ansible_check_mode"] = check_mode
        module_args["_ansible_diff"] = diff
        module_args.update(INJECT_INVOCATION)
        # Each real module run is a fresh process; here warnings would otherwise carry over from the last run.
        module_warnings._global_warnings.clear()
        module_warnings._global_deprecations.clear()
        with patch_module_args(module_args):
            with pytest.raises(SystemExit):
                main()
        result = json.loads(capsys.readouterr().out)
        return bool(result.get("failed")), result

    return run


@pytest.fixture
def s3_stubber(monkeypatch):
    """A Stubber on the S3 client the module creates; fails the test if a queued response was not used."""
    client = boto3.client("s3", region_name=REGION)
    stubber = Stubber(client)

    def module_client(self, service, retry_decorator=None, **_params):
        assert service == "s3"
        return RetryingBotoClientWrapper(client, retry_decorator) if retry_decorator else client

    monkeypatch.setattr(AnsibleAWSModule, "client", module_client)
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


@pytest.fixture
def s3():
    """A boto3 S3 client on moto's in-process S3, with the bucket "archive-bucket" created."""
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=MOTO_BUCKET)
        yield client


@pytest.fixture
def restore_calls(monkeypatch):
    """Every RestoreObject the module sends, as (key, RestoreRequest, version_id); the call still goes to S3."""
    calls = []
    real = S3Bucket.restore_object

    def spy(self, key, restore_request, version_id=None):
        calls.append((key, restore_request, version_id))
        return real(self, key, restore_request, version_id)

    monkeypatch.setattr(S3Bucket, "restore_object", spy)
    return calls
