# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_restore_job through main() against botocore Stubbers for s3control, sts and s3.

No emulator implements S3 Batch Operations, so every call goes to a Stubber: a real botocore client whose HTTP
layer is replaced by queued responses. botocore validates each request and each queued response against the
service model (types, required members, minimum lengths); on top of that, STRICT below checks what botocore's
validator skips (enums, maximum lengths, patterns), so a request that AWS would refuse fails the test. An
unexpected call fails the test too (nothing queued for it), which is how "nothing was created" is asserted.
"""

from __future__ import annotations

import datetime
import re

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.s3async.restore.plugins.module_utils import job_task
from ansible_collections.s3async.restore.plugins.modules import s3_restore_job

REGION = "us-east-1"
ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/batch-restore"
BUCKET = "archive-bucket"
PREFIX = "db/2019/"
CREATED = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.timezone.utc)


# ---------------------------------------------------------------------------------------------------------------
# Strict model validation: what botocore's ParamValidator does not check.

def strict_problems(shape, value, path="", problems=None):
    """Enum, maximum length/value and pattern violations of ``value`` against a botocore ``shape``."""
    problems = [] if problems is None else problems
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                strict_problems(member, value[name], f"{path}.{name}", problems)
    elif kind == "list" and isinstance(value, list):
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            problems.append(f"{path}: more than {shape.metadata['max']} items")
        for index, item in enumerate(value):
            strict_problems(shape.member, item, f"{path}[{index}]", problems)
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            strict_problems(shape.key, key, f"{path}<key>", problems)
            strict_problems(shape.value, item, f"{path}[{key}]", problems)
    elif kind == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} not in {shape.enum}")
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            problems.append(f"{path}: longer than {shape.metadata['max']}")
        pattern = shape.metadata.get("pattern")
        # Java-style Unicode classes (\p{L}) are not Python regular expressions: those patterns are skipped.
        if pattern and "\\p{" not in pattern and not re.match(pattern, value):
            problems.append(f"{path}: {value!r} does not match {pattern}")
    elif kind in ("integer", "long") and isinstance(value, int):
        if "max" in shape.metadata and value > shape.metadata["max"]:
            problems.append(f"{path}: above {shape.metadata['max']}")
        if "min" in shape.metadata and value < shape.metadata["min"]:
            problems.append(f"{path}: below {shape.metadata['min']}")
    return problems


class StrictStubber(Stubber):
    """A Stubber that also checks queued responses, and every request, with strict_problems."""

    def __init__(self, client):
        super().__init__(client)
        client.meta.events.register("before-parameter-build", self._check_request)

    def _check_request(self, params, model, **_kwargs):
        problems = strict_problems(model.input_shape, params) if model.input_shape else []
        assert not problems, f"{model.name} request violates the service model: {problems}"

    def add_response(self, method, service_response, expected_params=None):
        model = self.client.meta.service_model.operation_model(self.client.meta.method_to_api_mapping[method])
        problems = strict_problems(model.output_shape, service_response) if model.output_shape else []
        assert not problems, f"queued {model.name} response violates the service model: {problems}"
        super().add_response(method, service_response, expected_params)


class Aws:
    """The stubbed clients the module gets, one per service."""

    def __init__(self):
        credentials = {"region_name": REGION, "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        self.clients = {name: boto3.client(name, **credentials) for name in ("s3control", "sts", "s3")}
        self.stubbers = {name: StrictStubber(client) for name, client in self.clients.items()}
        self.s3control = self.stubbers["s3control"]
        self.sts = self.stubbers["sts"]
        self.s3 = self.stubbers["s3"]


@pytest.fixture
def aws(monkeypatch):
    stubs = Aws()

    def module_client(self, service, retry_decorator=None, **_params):
        client = stubs.clients[service]
        return RetryingBotoClientWrapper(client, retry_decorator) if retry_decorator else client

    monkeypatch.setattr(AnsibleAWSModule, "client", module_client)
    for stubber in stubs.stubbers.values():
        stubber.activate()
    yield stubs
    for stubber in stubs.stubbers.values():
        stubber.deactivate()
        stubber.assert_no_pending_responses()


@pytest.fixture
def clock(monkeypatch, fake_clock):
    monkeypatch.setattr(job_task, "time", fake_clock)
    return fake_clock


# ---------------------------------------------------------------------------------------------------------------
# Helpers that queue what AWS would answer.

def args(**extra):
    """Module arguments: the defaults of these tests, updated with ``extra`` (a None value removes the option)."""
    base = {"bucket": BUCKET, "prefix": PREFIX, "role_arn": ROLE}
    base.update(extra)
    return {name: value for name, value in base.items() if value is not None}


def warnings_of(result):
    """The warnings of a module result as text (ansible-core 2.19 returns them as structured summaries)."""
    return [str(warning) for warning in result.get("warnings", [])]


def expect_sts(aws, account=ACCOUNT):
    aws.sts.add_response(
        "get_caller_identity",
        {"UserId": "AIDAEXAMPLE", "Account": account, "Arn": f"arn:aws:iam::{account}:user/ops"},
        {},
    )


def listed(job_id, description, status, operation="S3InitiateRestoreObject", created=CREATED, total=None):
    job = {"JobId": job_id, "Description": description, "Operation": operation, "Priority": 10, "Status": status,
           "CreationTime": created}
    if total is not None:
        job["ProgressSummary"] = {"TotalNumberOfTasks": total, "NumberOfTasksSucceeded": 0, "NumberOfTasksFailed": 0}
    return job


def expect_list(aws, jobs, next_token=None, token=None):
    params = {"AccountId": ACCOUNT, "MaxResults": 1000}
    if token:
        params["NextToken"] = token
    response = {"Jobs": jobs}
    if next_token:
        response["NextToken"] = next_token
    aws.s3control.add_response("list_jobs", response, params)


def descriptor(job_id, status, description="d", total=None, succeeded=0, failed=0, report=True, failures=None,
               confirmation_required=False, reason=None, generator=None, manifest=None):
    job = {
        "JobId": job_id,
        "JobArn": f"arn:aws:s3:{REGION}:{ACCOUNT}:job/{job_id}",
        "Status": status,
        "Description": description,
        "Priority": 10,
        "ConfirmationRequired": confirmation_required,
        "CreationTime": CREATED,
        "RoleArn": ROLE,
        "Report": (
            {"Enabled": True, "Bucket": "arn:aws:s3:::reports", "Prefix": "restore-jobs", "Format": "Report_CSV_20180820",
             "ReportScope": "AllTasks"}
            if report else {"Enabled": False}
        ),
    }
    if total is not None:
        job["ProgressSummary"] = {
            "TotalNumberOfTasks": total, "NumberOfTasksSucceeded": succeeded, "NumberOfTasksFailed": failed,
            "Timers": {"ElapsedTimeInActiveSeconds": 120},
        }
    if failures:
        job["FailureReasons"] = [{"FailureCode": code, "FailureReason": text} for code, text in failures]
    if reason:
        job["StatusUpdateReason"] = reason
    if generator:
        job["ManifestGenerator"] = generator
    if manifest:
        job["Manifest"] = manifest
    if status in ("Complete", "Failed", "Cancelled"):
        job["TerminationDate"] = CREATED + datetime.timedelta(hours=1)
    return job


def expect_describe(aws, job_id, status, **kwargs):
    aws.s3control.add_response("describe_job", {"Job": descriptor(job_id, status, **kwargs)},
                               {"AccountId": ACCOUNT, "JobId": job_id})


def expect_create(aws, job_id, request=None):
    aws.s3control.add_response("create_job", {"JobId": job_id}, request)


def planned(run_module, aws, **extra):
    """The jobs the module would create with these arguments (a check-mode run, account_id given: no STS)."""
    expect_list(aws, [])
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, **extra), check_mode=True)
    assert not failed, result
    return {job["kind"]: job for job in result["jobs"]}


GLACIER_REQUEST = {
    "AccountId": ACCOUNT,
    "ConfirmationRequired": False,
    "Operation": {"S3InitiateRestoreObject": {"ExpirationInDays": 7, "GlacierJobTier": "STANDARD"}},
    "Report": {"Enabled": True, "Bucket": "arn:aws:s3:::reports", "Format": "Report_CSV_20180820",
               "ReportScope": "AllTasks", "Prefix": "restore-jobs"},
    "ClientRequestToken": ANY,
    "Priority": 10,
    "RoleArn": ROLE,
    "Description": ANY,
    "ManifestGenerator": {"S3JobManifestGenerator": {
        "SourceBucket": f"arn:aws:s3:::{BUCKET}",
        "EnableManifestOutput": False,
        "Filter": {"MatchAnyStorageClass": ["GLACIER", "DEEP_ARCHIVE"], "KeyNameConstraint": {"MatchAnyPrefix": [PREFIX]}},
    }},
}
INT_REQUEST = dict(
    GLACIER_REQUEST,
    Operation={"S3InitiateRestoreObject": {"GlacierJobTier": "STANDARD"}},
    ManifestGenerator={"S3JobManifestGenerator": {
        "SourceBucket": f"arn:aws:s3:::{BUCKET}",
        "EnableManifestOutput": False,
        "Filter": {"MatchAnyStorageClass": ["INTELLIGENT_TIERING"], "KeyNameConstraint": {"MatchAnyPrefix": [PREFIX]}},
    }},
)
REPORT = {"report_bucket": "reports", "report_prefix": "restore-jobs"}


# ---------------------------------------------------------------------------------------------------------------
# Create, and the GLACIER / Intelligent-Tiering split.

EVERY_CLASS = ["GLACIER", "DEEP_ARCHIVE", "INTELLIGENT_TIERING"]


def test_creates_one_job_per_kind_with_the_manifest_generator(aws, run_module):
    expect_sts(aws)
    expect_list(aws, [])
    expect_create(aws, "job-glacier", GLACIER_REQUEST)
    expect_create(aws, "job-int", INT_REQUEST)
    failed, result = run_module(s3_restore_job.main, args(storage_classes=EVERY_CLASS, **REPORT))
    assert not failed, result
    assert result["changed"] is True
    assert result["account_id"] == ACCOUNT
    glacier, intelligent = result["jobs"]
    assert (glacier["kind"], glacier["storage_classes"], glacier["job_id"], glacier["action"], glacier["status"]) == (
        "glacier", ["GLACIER", "DEEP_ARCHIVE"], "job-glacier", "created", "New")
    assert (intelligent["kind"], intelligent["storage_classes"], intelligent["job_id"]) == (
        "intelligent_tiering", ["INTELLIGENT_TIERING"], "job-int")
    assert "ExpirationInDays" not in intelligent["request"]["Operation"]["S3InitiateRestoreObject"]
    for job in result["jobs"]:
        assert job["client_request_token"].startswith("s3async-") and len(job["client_request_token"]) == 64
        assert job["description"].endswith("]") and "[s3async-restore " in job["description"]
        assert job["report"]["location"] == f"s3://reports/restore-jobs/job-{job['job_id']}/"
    assert glacier["client_request_token"] != intelligent["client_request_token"]
    assert "cannot mix them" in result["msg"]
    # The manifest generator cannot filter on the Intelligent-Tiering access tier: the module says so.
    assert any("IntelligentTieringAccessTier" in warning for warning in warnings_of(result))


def test_default_restores_glacier_and_deep_archive_only(aws, run_module):
    """Intelligent-Tiering is opt-in: a generated INT job also targets the objects in the access tiers, whose tasks
    fail, and AWS fails a job once it ran 1,000 tasks and more than half failed (facts sheet, "S3 Batch
    Operations"). Without storage_classes, one job is created (an unqueued second CreateJob would fail the test)."""
    expect_sts(aws)
    expect_list(aws, [])
    expect_create(aws, "job-glacier", GLACIER_REQUEST)
    failed, result = run_module(s3_restore_job.main, args(**REPORT))
    assert not failed, result
    assert [(job["kind"], job["storage_classes"], job["action"]) for job in result["jobs"]] == [
        ("glacier", ["GLACIER", "DEEP_ARCHIVE"], "created")]
    assert result["invocation"]["module_args"]["storage_classes"] == ["GLACIER", "DEEP_ARCHIVE"]
    assert "cannot mix them" not in result["msg"]
    assert not any("INTELLIGENT_TIERING" in warning for warning in warnings_of(result))


@pytest.mark.parametrize(
    "storage_classes, operations",
    [
        (["GLACIER"], [{"ExpirationInDays": 7, "GlacierJobTier": "STANDARD"}]),
        (["DEEP_ARCHIVE", "GLACIER"], [{"ExpirationInDays": 7, "GlacierJobTier": "STANDARD"}]),
        (["INTELLIGENT_TIERING"], [{"GlacierJobTier": "STANDARD"}]),
        (["DEEP_ARCHIVE", "INTELLIGENT_TIERING"],
         [{"ExpirationInDays": 7, "GlacierJobTier": "STANDARD"}, {"GlacierJobTier": "STANDARD"}]),
    ],
    ids=["glacier", "both-glacier-classes", "intelligent-tiering", "deep-archive-and-int"],
)
def test_split_follows_storage_classes(aws, run_module, storage_classes, operations):
    expect_sts(aws)
    expect_list(aws, [])
    for index, operation in enumerate(operations):
        aws.s3control.add_response("create_job", {"JobId": f"job-{index}"}, dict(
            GLACIER_REQUEST, Report={"Enabled": False}, Operation={"S3InitiateRestoreObject": operation}, ManifestGenerator=ANY))
    failed, result = run_module(s3_restore_job.main, args(storage_classes=storage_classes))
    assert not failed, result
    assert [job["request"]["Operation"]["S3InitiateRestoreObject"] for job in result["jobs"]] == operations
    classes = [cls for job in result["jobs"] for cls in job["request"]["ManifestGenerator"]["S3JobManifestGenerator"]["Filter"]["MatchAnyStorageClass"]]
    assert sorted(classes) == sorted(storage_classes)
    # Without report_bucket the job writes no report, and the module warns about it.
    assert any("No report_bucket" in warning for warning in warnings_of(result))


def test_options_reach_the_request(aws, run_module):
    expect_list(aws, [])
    expected = dict(
        GLACIER_REQUEST,
        ConfirmationRequired=True,
        Operation={"S3InitiateRestoreObject": {"ExpirationInDays": 3, "GlacierJobTier": "BULK"}},
        Report={"Enabled": True, "Bucket": "arn:aws:s3:::reports", "Format": "Report_CSV_20180820",
                "ReportScope": "FailedTasksOnly"},
        Priority=42,
        Tags=[{"Key": "owner", "Value": "dba"}, {"Key": "ticket", "Value": "1234"}],
        ManifestGenerator={"S3JobManifestGenerator": {
            "SourceBucket": f"arn:aws:s3:::{BUCKET}",
            "EnableManifestOutput": True,
            "Filter": {"MatchAnyStorageClass": ["DEEP_ARCHIVE"]},
            "ManifestOutputLocation": {"Bucket": "arn:aws:s3:::reports", "ManifestFormat": "S3InventoryReport_CSV_20211130"},
        }},
    )
    expect_create(aws, "job-1", expected)
    failed, result = run_module(s3_restore_job.main, args(
        prefix="", account_id=ACCOUNT, storage_classes=["DEEP_ARCHIVE"], days=3, tier="Bulk", report_bucket="reports",
        report_scope="failed", save_manifest=True, priority=42, confirmation_required=True,
        tags={"ticket": 1234, "owner": "dba"}, description="Quarterly audit restore",
    ))
    assert not failed, result
    description = result["jobs"][0]["description"]
    assert description.startswith("Quarterly audit restore [s3async-restore ")
    assert result["jobs"][0]["report"]["scope"] == "failed"


def test_bucket_arns_follow_the_role_partition(aws, run_module):
    role = f"arn:aws-us-gov:iam::{ACCOUNT}:role/batch-restore"
    expect_list(aws, [])
    expect_create(aws, "job-1", dict(
        GLACIER_REQUEST, RoleArn=role, Report={"Enabled": False},
        ManifestGenerator={"S3JobManifestGenerator": {
            "SourceBucket": f"arn:aws-us-gov:s3:::{BUCKET}", "EnableManifestOutput": False,
            "Filter": {"MatchAnyStorageClass": ["GLACIER"], "KeyNameConstraint": {"MatchAnyPrefix": [PREFIX]}},
        }},
    ))
    failed, result = run_module(s3_restore_job.main, args(role_arn=role, account_id=ACCOUNT, storage_classes=["GLACIER"]))
    assert not failed, result


# ---------------------------------------------------------------------------------------------------------------
# An existing manifest.

def test_csv_manifest_etag_is_read_with_head_object(aws, run_module):
    aws.s3.add_response("head_object", {"ETag": '"60e460c9d1046e73f7dde5043ac3ae85"', "ContentLength": 64},
                        {"Bucket": "manifests", "Key": "restore/2026-11.csv", "VersionId": "v1"})
    expect_list(aws, [])
    expected = {name: value for name, value in GLACIER_REQUEST.items() if name != "ManifestGenerator"}
    expected.update(Report={"Enabled": False}, Manifest={
        "Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key", "VersionId"]},
        "Location": {"ObjectArn": "arn:aws:s3:::manifests/restore/2026-11.csv",
                     "ETag": "60e460c9d1046e73f7dde5043ac3ae85", "ObjectVersionId": "v1"},
    })
    expect_create(aws, "job-1", expected)
    failed, result = run_module(s3_restore_job.main, {
        "bucket": BUCKET, "role_arn": ROLE, "account_id": ACCOUNT, "storage_classes": ["GLACIER", "DEEP_ARCHIVE"],
        "manifest": {"bucket": "manifests", "key": "restore/2026-11.csv", "version_id": "v1",
                     "fields": ["Bucket", "Key", "VersionId"]},
    })
    assert not failed, result
    request = result["jobs"][0]["request"]
    assert "ManifestGenerator" not in request
    assert request["Manifest"] == {
        "Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key", "VersionId"]},
        "Location": {"ObjectArn": "arn:aws:s3:::manifests/restore/2026-11.csv",
                     "ETag": "60e460c9d1046e73f7dde5043ac3ae85", "ObjectVersionId": "v1"},
    }
    assert "objects listed in s3://manifests/restore/2026-11.csv" in result["jobs"][0]["description"]


def test_inventory_manifest_with_etag_needs_no_head(aws, run_module):
    expect_list(aws, [])
    expect_create(aws, "job-1")
    failed, result = run_module(s3_restore_job.main, {
        "bucket": BUCKET, "role_arn": ROLE, "account_id": ACCOUNT, "storage_classes": ["INTELLIGENT_TIERING"],
        "manifest": {"bucket": "inventory", "key": "archive-bucket/all/2026-11-24T01-00Z/manifest.json",
                     "etag": '"abc"', "format": "inventory"},
    })
    assert not failed, result
    request = result["jobs"][0]["request"]
    assert request["Manifest"] == {
        "Spec": {"Format": "S3InventoryReport_CSV_20161130"},
        "Location": {"ObjectArn": "arn:aws:s3:::inventory/archive-bucket/all/2026-11-24T01-00Z/manifest.json", "ETag": "abc"},
    }
    assert request["Operation"] == {"S3InitiateRestoreObject": {"GlacierJobTier": "STANDARD"}}
    # A manifest can list exactly the archived Intelligent-Tiering objects: no warning about the generator.
    assert not any("IntelligentTieringAccessTier" in warning for warning in warnings_of(result))


def test_missing_manifest_object_is_reported(aws, run_module):
    aws.s3.add_client_error("head_object", "404", "Not Found", 404)
    failed, result = run_module(s3_restore_job.main, {
        "bucket": BUCKET, "role_arn": ROLE, "account_id": ACCOUNT, "storage_classes": ["GLACIER"],
        "manifest": {"key": "missing.csv"},
    })
    assert failed
    assert result["msg"] == f"The manifest object s3://{BUCKET}/missing.csv does not exist."


# ---------------------------------------------------------------------------------------------------------------
# Idempotency: find what an earlier run created.

def test_second_run_finds_the_job_instead_of_creating_another(aws, run_module):
    plan = planned(run_module, aws, storage_classes=["GLACIER"], **REPORT)["glacier"]
    expect_sts(aws)
    expect_list(aws, [listed("job-7", "nightly copy", "Active", operation="S3PutObjectCopy"),
                      listed("job-1", plan["description"], "Active", total=1000)])
    expect_describe(aws, "job-1", "Active", description=plan["description"], total=1000, succeeded=400)
    failed, result = run_module(s3_restore_job.main, args(storage_classes=["GLACIER"], **REPORT))
    assert not failed, result
    assert result["changed"] is False
    job = result["jobs"][0]
    assert (job["action"], job["job_id"], job["status"]) == ("found", "job-1", "Active")
    assert job["progress"] == {"total": 1000, "succeeded": 400, "failed": 0, "pending": 600, "percent_done": 40.0,
                               "elapsed_seconds": 120}
    assert "request" not in job
    assert result["msg"] == ("Found job job-1 for GLACIER with ExpirationInDays 7, created by an earlier run (Active, 400 "
                             "of 1,000 objects handled, 0 failed).")


def test_found_even_when_priority_description_and_report_change(aws, run_module):
    plan = planned(run_module, aws, storage_classes=["GLACIER"])["glacier"]
    expect_list(aws, [listed("job-1", plan["description"], "Complete")])
    expect_describe(aws, "job-1", "Complete", total=10, succeeded=10)
    failed, result = run_module(s3_restore_job.main, args(
        account_id=ACCOUNT, storage_classes=["GLACIER"], priority=99, report_bucket="elsewhere", tags={"a": "b"},
    ))
    assert not failed, result
    assert result["jobs"][0]["action"] == "found" and result["changed"] is False


def test_finds_the_job_on_a_later_list_page(aws, run_module):
    plan = planned(run_module, aws, storage_classes=["GLACIER"])["glacier"]
    expect_list(aws, [listed("job-0", "other", "Complete")], next_token="page-2")
    expect_list(aws, [listed("job-1", plan["description"], "Active")], token="page-2")
    expect_describe(aws, "job-1", "Active")
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, storage_classes=["GLACIER"]))
    assert not failed, result
    assert result["jobs"][0]["job_id"] == "job-1"


@pytest.mark.parametrize("status", ["Cancelled", "Cancelling"])
def test_new_attempt_after_a_cancelled_job_gets_a_new_token(aws, run_module, status):
    """The user cancelled the job on purpose: the next run replaces it."""
    plan = planned(run_module, aws, storage_classes=["GLACIER"])["glacier"]
    expect_list(aws, [listed("job-1", plan["description"], status)])
    expect_create(aws, "job-2")
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, storage_classes=["GLACIER"]))
    assert not failed, result
    job = result["jobs"][0]
    assert (job["action"], job["job_id"]) == ("created", "job-2")
    assert job["description"] == plan["description"]
    assert job["client_request_token"] != plan["client_request_token"]


@pytest.mark.parametrize("status", ["Complete", "Failed"])
def test_idempotency_key_starts_a_new_job(aws, run_module, status):
    plan = planned(run_module, aws, storage_classes=["GLACIER"])["glacier"]
    expect_list(aws, [listed("job-1", plan["description"], status)])
    expect_create(aws, "job-2")
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, storage_classes=["GLACIER"],
                                                          idempotency_key="2026-12"))
    assert not failed, result
    assert result["jobs"][0]["action"] == "created"


def test_running_job_with_other_settings_blocks_a_second_one(aws, run_module):
    plan = planned(run_module, aws, storage_classes=["GLACIER"], tier="Bulk")["glacier"]
    expect_list(aws, [listed("job-1", plan["description"], "Active")])
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, storage_classes=["GLACIER"], tier="Standard"))
    assert failed
    assert "job job-1" in result["msg"] and "state=absent" in result["msg"]


def test_running_job_with_other_settings_names_its_scope(aws, run_module):
    plan = planned(run_module, aws, storage_classes=["GLACIER"], tier="Bulk")["glacier"]
    expect_list(aws, [listed("job-1", plan["description"], "Active")])
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, storage_classes=["GLACIER"], tier="Standard"))
    assert failed
    assert result["msg"] == (
        f"Restore job job-1 (Active, \"{plan['description']}\") is still running and restores the same objects (GLACIER "
        f"under s3://{BUCKET}/{PREFIX}) with other settings (tier, days or idempotency_key). A second job would send "
        "restore requests for objects already being restored, which fail, or reset the expiry of copies already "
        "restored. Wait for it to finish, or cancel it with state=absent and these bucket, prefix (or manifest) and "
        "storage_classes, then run again."
    )


# ---------------------------------------------------------------------------------------------------------------
# A failed job is a reported state, not a reason to create another (facts sheet, "S3 Batch Operations": a job fails
# once it has run at least 1,000 tasks and more than half failed; an unchanged re-run would fail the same way).

RATE_EXCEEDED = ("TaskFailureRateExceeded", "The job failed because the task failure rate exceeded the threshold")


@pytest.mark.parametrize("status, verb", [("Failed", "failed"), ("Failing", "is failing")])
def test_unchanged_reruns_after_a_failure_report_it_and_create_nothing(aws, run_module, status, verb):
    """Two unchanged re-runs: each finds the failed job and reports it. No CreateJob is queued, so one would fail
    the test (the StrictStubber refuses a call nothing was queued for)."""
    plan = planned(run_module, aws, storage_classes=["GLACIER"], **REPORT)["glacier"]
    for _rerun in range(2):
        expect_list(aws, [listed("job-1", plan["description"], status, total=4000)])
        expect_describe(aws, "job-1", status, description=plan["description"], total=4000, succeeded=100, failed=2100,
                        failures=[RATE_EXCEEDED])
        failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, storage_classes=["GLACIER"], **REPORT))
        assert not failed, result
        assert result["changed"] is False
        job = result["jobs"][0]
        assert (job["action"], job["job_id"], job["status"]) == ("found", "job-1", status)
        assert job["failure_reasons"] == [{"code": RATE_EXCEEDED[0], "reason": RATE_EXCEEDED[1]}]
        assert "request" not in job
        problem = (
            f"Job job-1 (glacier) {verb} (TaskFailureRateExceeded: {RATE_EXCEEDED[1]}) after 100 of 4,000 restore "
            "requests succeeded and 2,100 failed. The completion report is under s3://reports/restore-jobs/job-job-1/. "
            "A run with the same parameters reports this job again rather than paying for a new one that would fail "
            "the same way: fix the cause, then run with a new idempotency_key to start a new job (state=absent is not "
            "needed for a failed job)."
        )
        assert result["msg"] == (
            f"Found job job-1 for GLACIER with ExpirationInDays 7, created by an earlier run ({status}, 2,200 of 4,000 "
            f"objects handled, 2,100 failed). {problem}"
        )
        assert any(problem in warning for warning in warnings_of(result))


def test_a_failed_job_stays_reported_after_an_older_cancelled_one(aws, run_module):
    plan = planned(run_module, aws, storage_classes=["GLACIER"])["glacier"]
    expect_list(aws, [listed("job-1", plan["description"], "Cancelled"),
                      listed("job-2", plan["description"], "Failed", created=CREATED + datetime.timedelta(days=1))])
    expect_describe(aws, "job-2", "Failed", description=plan["description"], failures=[RATE_EXCEEDED])
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, storage_classes=["GLACIER"]))
    assert not failed, result
    assert (result["jobs"][0]["action"], result["jobs"][0]["job_id"]) == ("found", "job-2")


def test_completed_on_a_found_failed_job_fails_without_waiting(aws, run_module, clock):
    plan = planned(run_module, aws, storage_classes=["GLACIER"])["glacier"]
    expect_list(aws, [listed("job-1", plan["description"], "Failed")])
    expect_describe(aws, "job-1", "Failed", description=plan["description"], total=2000, succeeded=900, failed=1100,
                    failures=[RATE_EXCEEDED])
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, state="completed", storage_classes=["GLACIER"]))
    assert failed
    assert result["msg"].startswith("Job job-1 (glacier) failed (TaskFailureRateExceeded: ")
    assert "after 900 of 2,000 restore requests succeeded and 1,100 failed" in result["msg"]
    assert result["changed"] is False and result["jobs"][0]["action"] == "found"
    assert clock.sleeps == []


# ---------------------------------------------------------------------------------------------------------------
# Overlapping jobs: a running job of ours for a nested prefix and a storage class in common, or the same manifest
# object, blocks a new one (facts sheet, "S3 Batch Operations": overlapping restores fail or reset expiries). The
# marker carries only digests: the running job's scope comes from DescribeJob (its ManifestGenerator or Manifest).

def generated(prefix, classes, bucket=BUCKET):
    """A JobDescriptor's ManifestGenerator, as the module creates it."""
    filters = {"MatchAnyStorageClass": list(classes)}
    if prefix:
        filters["KeyNameConstraint"] = {"MatchAnyPrefix": [prefix]}
    return {"S3JobManifestGenerator": {"SourceBucket": f"arn:aws:s3:::{bucket}", "EnableManifestOutput": False,
                                       "Filter": filters}}


def running_job(run_module, aws, prefix, classes, bucket=BUCKET, status="Active"):
    """Queue ListJobs with a running job of ours for (bucket, prefix, classes), and its DescribeJob."""
    kinds = planned(run_module, aws, bucket=bucket, prefix=prefix, storage_classes=classes)
    description = next(iter(kinds.values()))["description"]
    expect_list(aws, [listed("job-9", description, status)])
    expect_describe(aws, "job-9", status, description=description, generator=generated(prefix, classes, bucket))
    return description


@pytest.mark.parametrize(
    "running_prefix, running_classes, new_prefix, new_classes, shown",
    [
        ("db/", ["GLACIER", "DEEP_ARCHIVE"], PREFIX, None, "GLACIER/DEEP_ARCHIVE under s3://archive-bucket/db/"),
        ("db/2019/01/", ["GLACIER", "DEEP_ARCHIVE"], PREFIX, None, "GLACIER/DEEP_ARCHIVE under s3://archive-bucket/db/2019/01/"),
        ("", ["GLACIER"], PREFIX, None, "GLACIER under s3://archive-bucket/"),
        (PREFIX, ["GLACIER", "DEEP_ARCHIVE"], PREFIX, ["DEEP_ARCHIVE"], "GLACIER/DEEP_ARCHIVE under s3://archive-bucket/db/2019/"),
        ("db/", ["DEEP_ARCHIVE"], PREFIX, ["GLACIER", "DEEP_ARCHIVE"], "DEEP_ARCHIVE under s3://archive-bucket/db/"),
    ],
    ids=["running-contains-new", "new-contains-running", "whole-bucket", "classes-intersect", "nested-and-intersect"],
)
def test_overlapping_running_job_blocks_a_new_one(aws, run_module, running_prefix, running_classes, new_prefix,
                                                  new_classes, shown):
    description = running_job(run_module, aws, running_prefix, running_classes)
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, prefix=new_prefix,
                                                          storage_classes=new_classes))
    assert failed
    mine = "/".join(new_classes or ["GLACIER", "DEEP_ARCHIVE"])
    assert result["msg"] == (
        f"Restore job job-9 (Active, \"{description}\") is still running and restores {shown}, which overlaps this "
        f"task's {mine} under s3://{BUCKET}/{new_prefix}. A second job would send restore requests for objects already "
        "being restored, which fail, or reset the expiry of copies already restored. Wait for it to finish, or cancel "
        f"it with state=absent and prefix {running_prefix!r} and storage_classes [{', '.join(running_classes)}], then "
        "run again."
    )


@pytest.mark.parametrize(
    "running_prefix, running_classes, bucket",
    [
        ("db/2020/", ["GLACIER", "DEEP_ARCHIVE"], BUCKET),
        ("db/2019", ["GLACIER", "DEEP_ARCHIVE"], "other-bucket"),
        ("db/", ["INTELLIGENT_TIERING"], BUCKET),
        ("db/2019/", ["GLACIER"], BUCKET),
    ],
    ids=["sibling-prefix", "other-bucket", "other-kind", "disjoint-classes"],
)
def test_running_job_that_does_not_overlap_lets_the_job_be_created(aws, run_module, running_prefix, running_classes, bucket):
    running_job(run_module, aws, running_prefix, running_classes, bucket=bucket)
    expect_create(aws, "job-new")
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, storage_classes=["DEEP_ARCHIVE"]))
    assert not failed, result
    assert result["jobs"][0]["action"] == "created"


def test_only_our_running_jobs_of_other_scopes_are_described(aws, run_module):
    """Foreign jobs, jobs of ours that ended or are ending, and jobs of this very scope need no DescribeJob (none
    is queued for them: one would fail the test)."""
    other = planned(run_module, aws, prefix="db/")["glacier"]["description"]
    mine = planned(run_module, aws, tier="Bulk")["glacier"]["description"]
    expect_list(aws, [
        listed("job-a", "nightly copy", "Active", operation="S3PutObjectCopy"),
        listed("job-b", "a restore job of another tool", "Active"),
        listed("job-c", other, "Complete"),
        listed("job-d", other, "Cancelling"),
        listed("job-e", other, "Failing"),
        listed("job-f", mine, "Complete"),
    ])
    expect_create(aws, "job-new")
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT))
    assert not failed, result
    assert result["jobs"][0]["action"] == "created"


def test_a_found_job_needs_no_conflict_check(aws, run_module):
    """Nothing is created, so a running job of another scope is not described: one DescribeJob, the found job's."""
    mine = planned(run_module, aws)["glacier"]["description"]
    other = planned(run_module, aws, prefix="db/")["glacier"]["description"]
    expect_list(aws, [listed("job-1", mine, "Active"), listed("job-9", other, "Active")])
    expect_describe(aws, "job-1", "Active", description=mine)
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT))
    assert not failed, result
    assert result["jobs"][0]["action"] == "found"


def test_a_running_job_gone_from_describe_job_is_no_conflict(aws, run_module):
    other = planned(run_module, aws, prefix="db/")["glacier"]["description"]
    expect_list(aws, [listed("job-9", other, "Active")])
    aws.s3control.add_client_error("describe_job", "NotFoundException", "The specified job does not exist", 404)
    expect_create(aws, "job-new")
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT))
    assert not failed, result


MANIFEST_LOCATION = {"bucket": "manifests", "key": "restore/2026-11.csv", "etag": "e1"}


@pytest.mark.parametrize(
    "running_key, conflict",
    [("restore/2026-11.csv", True), ("restore/2026-12.csv", False)],
    ids=["same-manifest-object", "other-manifest-object"],
)
def test_running_job_for_the_same_manifest_object_blocks_a_new_one(aws, run_module, running_key, conflict):
    # The running job read the same object with other columns: another scope, the same objects.
    running = dict(MANIFEST_LOCATION, key=running_key, fields=["Bucket", "Key", "VersionId"])
    description = planned(run_module, aws, prefix=None, manifest=running, storage_classes=["GLACIER"])["glacier"]["description"]
    expect_list(aws, [listed("job-9", description, "Active")])
    expect_describe(aws, "job-9", "Active", description=description, manifest={
        "Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key", "VersionId"]},
        "Location": {"ObjectArn": f"arn:aws:s3:::manifests/{running_key}", "ETag": "e1"}})
    if not conflict:
        expect_create(aws, "job-new")
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, prefix=None, manifest=MANIFEST_LOCATION,
                                                          storage_classes=["GLACIER"]))
    assert failed is conflict, result
    if conflict:
        assert "restores the objects listed in s3://manifests/restore/2026-11.csv, which overlaps this task's" in result["msg"]
        assert ("cancel it with state=absent and the manifest options it was created with "
                "(s3://manifests/restore/2026-11.csv), then run again.") in result["msg"]


def test_suspended_job_is_confirmed_when_confirmation_is_no_longer_asked(aws, run_module):
    plan = planned(run_module, aws, storage_classes=["DEEP_ARCHIVE"], confirmation_required=True)["glacier"]
    expect_list(aws, [listed("job-1", plan["description"], "Suspended", total=5000)])
    expect_describe(aws, "job-1", "Suspended", total=5000, confirmation_required=True)
    aws.s3control.add_response("update_job_status", {"JobId": "job-1", "Status": "Ready"},
                               {"AccountId": ACCOUNT, "JobId": "job-1", "RequestedJobStatus": "Ready"})
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, storage_classes=["DEEP_ARCHIVE"]))
    assert not failed, result
    assert result["changed"] is True
    assert (result["jobs"][0]["action"], result["jobs"][0]["status"]) == ("confirmed", "Ready")


def test_suspended_job_stays_suspended_while_confirmation_is_asked(aws, run_module):
    plan = planned(run_module, aws, storage_classes=["DEEP_ARCHIVE"], confirmation_required=True)["glacier"]
    expect_list(aws, [listed("job-1", plan["description"], "Suspended")])
    expect_describe(aws, "job-1", "Suspended", total=5000, confirmation_required=True)
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, storage_classes=["DEEP_ARCHIVE"],
                                                          confirmation_required=True))
    assert not failed, result
    assert result["changed"] is False
    assert result["jobs"][0]["progress"]["total"] == 5000


# ---------------------------------------------------------------------------------------------------------------
# Check mode.

def test_check_mode_returns_the_requests_and_creates_nothing(aws, run_module):
    expect_sts(aws)
    expect_list(aws, [])
    failed, result = run_module(s3_restore_job.main, args(storage_classes=EVERY_CLASS, **REPORT), check_mode=True)
    assert not failed, result
    assert result["changed"] is True
    assert [job["action"] for job in result["jobs"]] == ["would_create", "would_create"]
    assert [job["job_id"] for job in result["jobs"]] == [None, None]
    glacier = result["jobs"][0]["request"]
    assert glacier["Operation"] == GLACIER_REQUEST["Operation"]
    assert glacier["ManifestGenerator"] == GLACIER_REQUEST["ManifestGenerator"]
    assert result["jobs"][0]["report"]["location"] is None and result["jobs"][0]["report"]["bucket"] == "reports"
    assert result["msg"].startswith("Check mode: ")


def test_check_mode_completed_does_not_wait(aws, run_module, clock):
    expect_list(aws, [])
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, state="completed",
                                                          storage_classes=["GLACIER"]), check_mode=True)
    assert not failed, result
    assert result["waited"] == 0.0 and clock.sleeps == []


def test_check_mode_would_confirm(aws, run_module):
    plan = planned(run_module, aws, storage_classes=["GLACIER"], confirmation_required=True)["glacier"]
    expect_list(aws, [listed("job-1", plan["description"], "Suspended")])
    expect_describe(aws, "job-1", "Suspended", confirmation_required=True)
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, storage_classes=["GLACIER"]), check_mode=True)
    assert not failed, result
    assert result["jobs"][0]["action"] == "would_confirm" and result["changed"] is True


# ---------------------------------------------------------------------------------------------------------------
# state=completed: wait, then report (or fail).

def test_waits_until_complete_with_growing_delay(aws, run_module, clock):
    expect_list(aws, [])
    expect_create(aws, "job-1")
    # Right after CreateJob, DescribeJob may not see the job yet.
    aws.s3control.add_client_error("describe_job", "NotFoundException", "The specified job does not exist", 404)
    expect_describe(aws, "job-1", "Preparing")
    expect_describe(aws, "job-1", "Active", total=1000, succeeded=500)
    expect_describe(aws, "job-1", "Complete", total=1000, succeeded=1000)
    failed, result = run_module(s3_restore_job.main, args(
        account_id=ACCOUNT, state="completed", storage_classes=["GLACIER"], **REPORT))
    assert not failed, result
    assert clock.sleeps == [60, 120, 240]
    assert result["waited"] == 420
    job = result["jobs"][0]
    assert job["status"] == "Complete"
    assert job["progress"]["succeeded"] == 1000 and job["progress"]["percent_done"] == 100.0
    assert job["report"]["manifest"] == "s3://reports/restore-jobs/job-job-1/manifest.json"
    assert job["terminated"] == "2026-11-24T11:00:00+00:00"


def test_waits_for_both_jobs(aws, run_module, clock):
    expect_list(aws, [])
    expect_create(aws, "job-g")
    expect_create(aws, "job-i")
    expect_describe(aws, "job-g", "Complete", total=10, succeeded=10)
    expect_describe(aws, "job-i", "Active", total=10, succeeded=2)
    expect_describe(aws, "job-i", "Complete", total=10, succeeded=10)
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, state="completed", wait_delay=5,
                                                          storage_classes=EVERY_CLASS))
    assert not failed, result
    assert clock.sleeps == [5]
    assert [job["status"] for job in result["jobs"]] == ["Complete", "Complete"]


def test_failed_job_fails_the_task_with_its_reasons_and_report(aws, run_module, clock):
    plan = planned(run_module, aws, storage_classes=["GLACIER"], **REPORT)["glacier"]
    expect_list(aws, [listed("job-1", plan["description"], "Active")])
    expect_describe(aws, "job-1", "Active", total=4000, succeeded=100, failed=900)
    expect_describe(aws, "job-1", "Active", total=4000, succeeded=100, failed=1900)
    expect_describe(aws, "job-1", "Failed", total=4000, succeeded=100, failed=2100, failures=[
        ("TaskFailureRateExceeded", "The job failed because the task failure rate exceeded the threshold")])
    failed, result = run_module(s3_restore_job.main, args(
        account_id=ACCOUNT, state="completed", storage_classes=["GLACIER"], **REPORT))
    assert failed
    assert result["msg"].startswith("Job job-1 (glacier) failed (TaskFailureRateExceeded: ")
    assert "after 100 of 4,000 restore requests succeeded and 2,100 failed" in result["msg"]
    assert "run with a new idempotency_key to start a new job" in result["msg"]
    assert "s3://reports/restore-jobs/job-job-1/" in result["msg"]
    assert result["jobs"][0]["failure_reasons"][0]["code"] == "TaskFailureRateExceeded"
    assert result["changed"] is False


@pytest.mark.parametrize("max_failed_tasks, fails", [(0, True), (2, True), (3, False)])
def test_failed_tasks_of_a_completed_job(aws, run_module, clock, max_failed_tasks, fails):
    plan = planned(run_module, aws, storage_classes=["GLACIER"])["glacier"]
    expect_list(aws, [listed("job-1", plan["description"], "Complete")])
    expect_describe(aws, "job-1", "Complete", total=100, succeeded=97, failed=3)
    failed, result = run_module(s3_restore_job.main, args(
        account_id=ACCOUNT, state="completed", storage_classes=["GLACIER"], max_failed_tasks=max_failed_tasks))
    assert failed is fails, result
    if fails:
        assert "3 of 100 restore requests failed" in result["msg"]
    assert clock.sleeps == []


def test_cancelled_job_fails_completed(aws, run_module, clock):
    plan = planned(run_module, aws, storage_classes=["GLACIER"])["glacier"]
    expect_list(aws, [listed("job-1", plan["description"], "Active")])
    expect_describe(aws, "job-1", "Active")
    expect_describe(aws, "job-1", "Cancelled", reason="No longer needed")
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, state="completed", storage_classes=["GLACIER"]))
    assert failed
    assert "was cancelled (No longer needed)" in result["msg"]


def test_times_out_with_progress(aws, run_module, clock):
    expect_list(aws, [])
    expect_create(aws, "job-1")
    for _poll in range(3):
        expect_describe(aws, "job-1", "Active", total=1000, succeeded=10)
    failed, result = run_module(s3_restore_job.main, args(
        account_id=ACCOUNT, state="completed", storage_classes=["GLACIER"], wait_timeout=100))
    assert failed
    assert clock.sleeps == [60, 40]
    assert result["msg"].startswith("Timed out after 100 seconds waiting for 1 job(s) to finish: job job-1 is Active (1.0% of 1,000")
    assert result["changed"] is True and result["jobs"][0]["job_id"] == "job-1"


# ---------------------------------------------------------------------------------------------------------------
# state=absent.

def test_absent_cancels_the_running_jobs_of_this_scope_only(aws, run_module):
    glacier = planned(run_module, aws)["glacier"]
    other_tier = planned(run_module, aws, tier="Bulk", storage_classes=EVERY_CLASS)
    other_prefix = planned(run_module, aws, prefix="db/2020/")["glacier"]
    expect_list(aws, [
        listed("job-a", glacier["description"], "Active", total=100),
        listed("job-b", glacier["description"], "Complete"),
        listed("job-c", other_tier["intelligent_tiering"]["description"], "Cancelling"),
        listed("job-d", other_tier["glacier"]["description"], "Suspended"),
        listed("job-e", other_prefix["description"], "Active"),
        listed("job-f", "nightly copy", "Active", operation="S3PutObjectCopy"),
    ])
    for job_id in ("job-a", "job-d"):
        aws.s3control.add_response(
            "update_job_status", {"JobId": job_id, "Status": "Cancelling"},
            {"AccountId": ACCOUNT, "JobId": job_id, "RequestedJobStatus": "Cancelled",
             "StatusUpdateReason": "Cancelled by s3async.restore.s3_restore_job (state=absent)"})
    failed, result = run_module(s3_restore_job.main, {"bucket": BUCKET, "prefix": PREFIX, "account_id": ACCOUNT,
                                                      "state": "absent", "storage_classes": EVERY_CLASS})
    assert not failed, result
    assert result["changed"] is True
    assert sorted((job["job_id"], job["action"], job["status"]) for job in result["jobs"]) == [
        ("job-a", "cancelled", "Cancelling"), ("job-c", "none", "Cancelling"), ("job-d", "cancelled", "Cancelling")]
    assert result["msg"] == (
        "Cancelled job job-a for GLACIER/DEEP_ARCHIVE (Cancelling, 0 of 100 objects handled, 0 failed); cancelled job "
        "job-d for GLACIER/DEEP_ARCHIVE (Cancelling); job job-c for INTELLIGENT_TIERING is already ending (Cancelling).")


def test_absent_without_running_jobs_changes_nothing(aws, run_module):
    glacier = planned(run_module, aws)["glacier"]
    expect_sts(aws)
    expect_list(aws, [listed("job-b", glacier["description"], "Complete")])
    failed, result = run_module(s3_restore_job.main, {"bucket": BUCKET, "prefix": PREFIX, "state": "absent"})
    assert not failed, result
    assert result["changed"] is False and result["jobs"] == []
    assert result["msg"] == "No restore job to cancel."


def test_absent_in_check_mode_cancels_nothing(aws, run_module):
    glacier = planned(run_module, aws)["glacier"]
    expect_list(aws, [listed("job-a", glacier["description"], "Active")])
    failed, result = run_module(s3_restore_job.main, {"bucket": BUCKET, "prefix": PREFIX, "account_id": ACCOUNT,
                                                      "state": "absent"}, check_mode=True)
    assert not failed, result
    assert result["changed"] is True and result["jobs"][0]["action"] == "would_cancel"


def test_absent_with_a_manifest_needs_no_etag(aws, run_module):
    manifest = {"bucket": "manifests", "key": "list.csv", "etag": "abc"}
    plan = planned(run_module, aws, prefix=None, manifest=manifest, storage_classes=["GLACIER"])["glacier"]
    expect_list(aws, [listed("job-a", plan["description"], "Ready")])
    aws.s3control.add_response("update_job_status", {"JobId": "job-a", "Status": "Cancelled"}, None)
    failed, result = run_module(s3_restore_job.main, {
        "bucket": BUCKET, "account_id": ACCOUNT, "state": "absent", "storage_classes": ["GLACIER"],
        "manifest": {"bucket": "manifests", "key": "list.csv"}})
    assert not failed, result
    assert result["jobs"][0]["action"] == "cancelled"


# ---------------------------------------------------------------------------------------------------------------
# Refusals and messages.

@pytest.mark.parametrize(
    "extra, message",
    [
        ({"tier": "Expedited"}, "tier=Expedited is not available in S3 Batch Operations"),
        ({"days": 0}, "days must be 1 or more"),
        ({"role_arn": "batch-restore"}, "role_arn must be an IAM role ARN"),
        ({"account_id": "1234"}, "account_id must be a 12-digit AWS account ID"),
        ({"priority": -1}, "priority must be between 0 and 2147483647"),
        ({"report_prefix": "x"}, "report_prefix needs report_bucket"),
        ({"save_manifest": True}, "save_manifest writes the generated manifest next to the report"),
        ({"storage_classes": []}, "storage_classes must name at least one"),
        ({"state": "completed", "confirmation_required": True}, "state=completed cannot wait for a job created with"),
        ({"wait_delay": 0}, "wait_delay must be 1 or more"),
        ({"tags": {"": "x"}}, "tag keys must be 1 to 128 characters"),
        ({"prefix": None, "manifest": {"key": "m.csv"}, "storage_classes": EVERY_CLASS},
         "with manifest, storage_classes must name one kind"),
        ({"prefix": None, "manifest": {"key": "m.csv", "fields": ["Key"]}, "storage_classes": ["GLACIER"]},
         "manifest.fields must name the Bucket column exactly once"),
        ({"prefix": None, "manifest": {"key": "inv/data.csv.gz", "format": "inventory"}, "storage_classes": ["GLACIER"]},
         "must be the manifest.json of the S3 Inventory report"),
        ({"bucket": "a/b"}, "bucket must be a bucket name"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_bad_arguments_fail_before_any_call(aws, run_module, extra, message):
    failed, result = run_module(s3_restore_job.main, args(**extra))
    assert failed
    assert message in result["msg"], result["msg"]


def test_expedited_message_points_to_the_alternatives(aws, run_module):
    failed, result = run_module(s3_restore_job.main, args(tier="Expedited"))
    assert failed
    assert "use tier=Standard or tier=Bulk, or s3async.restore.s3_object_restore" in result["msg"]


def test_role_arn_is_required_to_create(aws, run_module):
    failed, result = run_module(s3_restore_job.main, {"bucket": BUCKET, "prefix": PREFIX})
    assert failed
    assert "role_arn" in result["msg"]


def test_prefix_and_manifest_exclude_each_other(aws, run_module):
    failed, result = run_module(s3_restore_job.main, args(manifest={"key": "m.csv"}))
    assert failed
    assert "mutually exclusive" in result["msg"]


def test_access_denied_on_create_names_the_permissions(aws, run_module):
    expect_list(aws, [])
    aws.s3control.add_client_error("create_job", "AccessDenied", "Access Denied", 403)
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, storage_classes=["GLACIER"]))
    assert failed
    assert "s3:CreateJob" in result["msg"] and "iam:PassRole" in result["msg"]


def test_access_denied_on_list_names_the_permission(aws, run_module):
    aws.s3control.add_client_error("list_jobs", "AccessDenied", "Access Denied", 403)
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT))
    assert failed
    assert result["msg"] == f"Access denied: ListJobs on account {ACCOUNT} needs the IAM permission s3:ListJobs."


def test_other_create_errors_are_reported_by_amazon_aws(aws, run_module):
    expect_list(aws, [])
    aws.s3control.add_client_error("create_job", "InvalidRequest", "Role cannot be assumed", 400)
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, storage_classes=["GLACIER"]))
    assert failed
    assert result["msg"].startswith(f"S3 Batch Operations call failed for bucket {BUCKET}")
    assert result["error"]["code"] == "InvalidRequest"


def test_strict_validation_catches_what_botocore_lets_through(aws):
    """The strict layer itself: an enum botocore does not check is refused."""
    client = aws.clients["s3control"]
    aws.s3control.add_response("update_job_status", {"JobId": "job-1", "Status": "Cancelled"})
    with pytest.raises(AssertionError, match="not in"):
        client.update_job_status(AccountId=ACCOUNT, JobId="job-1", RequestedJobStatus="Paused")
    with pytest.raises(AssertionError, match="does not match"):
        client.update_job_status(AccountId="12", JobId="job-1", RequestedJobStatus="Cancelled")
    client.update_job_status(AccountId=ACCOUNT, JobId="job-1", RequestedJobStatus="Cancelled")


# ---------------------------------------------------------------------------------------------------------------
# S3 Control out of reach: an emulator behind endpoint_url (issue 17).

EMULATOR = "http://127.0.0.1:5000"


@pytest.fixture
def unreachable(aws):
    """S3 Control out of reach, as botocore meets it against an emulator: a real s3control client with endpoint_url
    set, which addresses every call to ``<account>.127.0.0.1`` (the s3control endpoint rules put the AccountId in
    front of the host); sending fails with the EndpointConnectionError botocore raises when that name does not
    resolve. One attempt instead of botocore's retries. Returns the URLs botocore tried."""
    client = boto3.client("s3control", endpoint_url=EMULATOR, config=Config(retries={"total_max_attempts": 1}),
                          region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    urls = []

    def refuse(request, **_kwargs):
        urls.append(request.url)
        raise EndpointConnectionError(endpoint_url=request.url, error="Failed to resolve")

    client.meta.events.register("before-send.s3-control", refuse)
    aws.clients["s3control"] = client
    return urls


UNREACHABLE = (
    f"Could not connect to S3 Batch Operations (S3 Control) for ListJobs: Could not connect to the endpoint URL: "
    f"\"http://{ACCOUNT}.127.0.0.1:5000/v20180820/jobs?maxResults=1000\". S3 Control endpoints are account-specific "
    "hosts (<account>.s3-control.<region>.amazonaws.com), so botocore puts the account ID in front of the "
    f"endpoint_url host as well ({ACCOUNT}.127.0.0.1). S3 emulators such as moto do not implement Batch Operations: "
    "s3_restore_job cannot run against one; in check mode it still returns the CreateJob requests it would send."
)


def test_check_mode_without_batch_operations_still_shows_the_request(aws, run_module, unreachable):
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, **REPORT), check_mode=True)
    assert not failed, result
    assert unreachable == [f"http://{ACCOUNT}.127.0.0.1:5000/v20180820/jobs?maxResults=1000"]
    assert result["changed"] is True
    job = result["jobs"][0]
    assert (job["action"], job["job_id"], job["status"]) == ("would_create", None, None)
    assert job["request"] == dict(GLACIER_REQUEST, ClientRequestToken=job["client_request_token"],
                                  Description=job["description"])
    # The request is one S3 Control would accept: botocore's validator and the strict checks of this file.
    model = boto3.client("s3control", region_name=REGION).meta.service_model.operation_model("CreateJob")
    assert strict_problems(model.input_shape, job["request"]) == []
    assert result["msg"] == (
        "Check mode: Would create a job for GLACIER/DEEP_ARCHIVE with ExpirationInDays 7. S3 Batch Operations could "
        "not be reached, so whether such a job already exists is not known (see the warning)."
    )
    warning = next(warning for warning in warnings_of(result) if "Could not connect" in warning)
    assert UNREACHABLE in warning
    assert ("Existing jobs could not be listed, so this check cannot tell whether a job for these parameters already "
            "exists") in warning


def test_check_mode_completed_without_batch_operations_says_it_would_wait(aws, run_module, unreachable, clock):
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, state="completed"), check_mode=True)
    assert not failed, result
    assert result["waited"] == 0.0 and clock.sleeps == []
    assert result["msg"].endswith("(see the warning). Would then wait for the jobs to finish.")


@pytest.mark.parametrize("state, check_mode", [("present", False), ("completed", False), ("absent", True), ("absent", False)])
def test_without_batch_operations_the_task_fails_saying_why(aws, run_module, unreachable, state, check_mode):
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT, state=state), check_mode=check_mode)
    assert failed
    assert result["msg"] == UNREACHABLE
    assert "\n" not in result["msg"]
    assert len(unreachable) == 1


def test_check_mode_on_an_endpoint_that_does_not_know_list_jobs(aws, run_module):
    """Where <account>.<host> does reach the emulator (a resolver that answers *.localhost), it answers 404."""
    aws.s3control.add_client_error("list_jobs", "404", "Not Found", 404)
    failed, result = run_module(s3_restore_job.main, args(account_id=ACCOUNT), check_mode=True)
    assert not failed, result
    assert result["jobs"][0]["action"] == "would_create"
    assert any("does not implement S3 Batch Operations" in warning for warning in warnings_of(result))
