# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/iam-policy.json is the least privilege the modules need, no less (and, on moto, no more).

- Every AWS operation any module performed during this test run (recorded by tests/conftest.py: botocore calls
  made from the collection's code in-process, and the requests an Ansible module sent to the session's
  moto_server) is allowed by the policy statements of that module. This check runs last.
- A moto_server that enforces IAM (moto's INITIAL_NO_AUTH_ACTION_COUNT setting, switched on at run time through
  /moto-api/reset-auth once the test data is in place) runs s3_object_restore under an IAM user holding exactly
  the module's statements, then without each action in turn: every run without one of them fails, naming the
  permission it lacks.

Statements belong to a module by their Sid: the module name in CamelCase (s3_object_restore: S3ObjectRestore)
followed by what the statement is for (Objects, Bucket, or the option that needs it, e.g. VersionId).
"""

from __future__ import annotations

import base64
import copy
import json
import os
import re
import urllib.parse
import urllib.request
import uuid

import boto3
import pytest
import yaml

from fault_proxy import operation_name
from moto_process import running_moto_server

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
POLICY_PATH = os.path.join(REPO_ROOT, "docs", "iam-policy.json")
MODULES_DIR = os.path.join(REPO_ROOT, "plugins", "modules")
MODULE = "s3async.restore.s3_object_restore"
PLACEHOLDER_BUCKET = "amzn-s3-demo-bucket"
REGION = "us-east-1"

# The IAM action each API operation needs (Service Authorization Reference, "Actions, resources, and condition
# keys for Amazon S3" and "... for Amazon S3 Control"; S3 API Reference, each operation's "Permissions").
# Keyed by (service, operation, flags); flags = ("VersionId",) when the call names a version.
# None: the operation needs no permission (sts GetCallerIdentity).
IAM_ACTIONS = {
    ("s3", "HeadObject", ()): "s3:GetObject",
    ("s3", "HeadObject", ("VersionId",)): "s3:GetObjectVersion",
    ("s3", "GetObject", ()): "s3:GetObject",
    ("s3", "GetObject", ("VersionId",)): "s3:GetObjectVersion",
    ("s3", "GetObjectAttributes", ()): "s3:GetObject",
    ("s3", "GetObjectAttributes", ("VersionId",)): "s3:GetObjectVersion",
    ("s3", "RestoreObject", ()): "s3:RestoreObject",
    ("s3", "RestoreObject", ("VersionId",)): "s3:RestoreObject",
    ("s3", "ListObjectsV2", ()): "s3:ListBucket",
    # s3_object_unarchive. On the wire (moto_server's recording) a CopyObject is a PUT of the object: PutObject.
    ("s3", "PutObject", ()): "s3:PutObject",
    ("s3", "CopyObject", ()): "s3:PutObject",
    ("s3", "CreateMultipartUpload", ()): "s3:PutObject",
    ("s3", "UploadPartCopy", ()): "s3:PutObject",
    ("s3", "CompleteMultipartUpload", ()): "s3:PutObject",
    ("s3", "AbortMultipartUpload", ()): "s3:AbortMultipartUpload",
    ("s3", "GetObjectTagging", ()): "s3:GetObjectTagging",
    ("s3", "GetObjectTagging", ("VersionId",)): "s3:GetObjectVersionTagging",
    ("s3", "PutObjectTagging", ()): "s3:PutObjectTagging",
    ("s3", "GetObjectAcl", ()): "s3:GetObjectAcl",
    ("s3", "GetObjectAcl", ("VersionId",)): "s3:GetObjectVersionAcl",
    ("s3", "GetBucketOwnershipControls", ()): "s3:GetBucketOwnershipControls",
    ("s3", "GetObjectLockConfiguration", ()): "s3:GetBucketObjectLockConfiguration",
    ("s3", "GetObjectRetention", ()): "s3:GetObjectRetention",
    ("s3", "GetObjectRetention", ("VersionId",)): "s3:GetObjectRetention",
    ("s3", "GetObjectLegalHold", ()): "s3:GetObjectLegalHold",
    ("s3", "GetObjectLegalHold", ("VersionId",)): "s3:GetObjectLegalHold",
    ("s3", "ListObjects", ()): "s3:ListBucket",
    ("s3", "ListObjectVersions", ()): "s3:ListBucketVersions",
    ("s3", "HeadBucket", ()): "s3:ListBucket",
    ("s3", "GetBucketLocation", ()): "s3:GetBucketLocation",
    ("s3", "GetBucketVersioning", ()): "s3:GetBucketVersioning",
    ("s3", "GetBucketNotificationConfiguration", ()): "s3:GetBucketNotification",
    ("s3", "PutBucketNotificationConfiguration", ()): "s3:PutBucketNotification",
    ("s3control", "CreateJob", ()): "s3:CreateJob",
    ("s3control", "DescribeJob", ()): "s3:DescribeJob",
    ("s3control", "ListJobs", ()): "s3:ListJobs",
    ("s3control", "UpdateJobStatus", ()): "s3:UpdateJobStatus",
    ("s3control", "UpdateJobPriority", ()): "s3:UpdateJobPriority",
    ("s3control", "GetJobTagging", ()): "s3:GetJobTagging",
    ("s3control", "PutJobTagging", ()): "s3:PutJobTagging",
    # s3_restore_job with manifest_source=listing writes its manifests (a large one in parts).
    ("s3", "UploadPart", ()): "s3:PutObject",
    # s3_object_restore with wait_events=sqs (batch calls need the action of the single call).
    ("sqs", "ReceiveMessage", ()): "sqs:ReceiveMessage",
    ("sqs", "DeleteMessage", ()): "sqs:DeleteMessage",
    ("sqs", "DeleteMessageBatch", ()): "sqs:DeleteMessage",
    ("sqs", "ChangeMessageVisibility", ()): "sqs:ChangeMessageVisibility",
    ("sqs", "ChangeMessageVisibilityBatch", ()): "sqs:ChangeMessageVisibility",
    ("sqs", "GetQueueAttributes", ()): "sqs:GetQueueAttributes",
    ("sqs", "CreateQueue", ()): "sqs:CreateQueue",
    ("sqs", "SetQueueAttributes", ()): "sqs:SetQueueAttributes",
    ("sqs", "DeleteQueue", ()): "sqs:DeleteQueue",
    ("sns", "Subscribe", ()): "sns:Subscribe",
    ("sns", "ConfirmSubscription", ()): "sns:ConfirmSubscription",
    ("sns", "Unsubscribe", ()): "sns:Unsubscribe",
    ("sts", "GetCallerIdentity", ()): None,
}


def load_policy():
    with open(POLICY_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def module_names():
    return sorted(os.path.splitext(name)[0] for name in os.listdir(MODULES_DIR)
                  if name.endswith(".py") and not name.startswith("_"))


def camel(module):
    return "".join(part[:1].upper() + part[1:] for part in module.split("_"))


def statement_module(sid, modules):
    """The module a statement is for: the longest module whose CamelCase name starts its Sid."""
    owners = [module for module in modules if sid.startswith(camel(module))]
    return max(owners, key=len) if owners else None


def statements_of(policy, module):
    modules = module_names()
    return [statement for statement in policy["Statement"] if statement_module(statement["Sid"], modules) == module]


def actions_of(statements):
    return {action for statement in statements for action in statement["Action"]}


def policy_for(module, bucket, without=()):
    """The module's statements as a policy for `bucket`, minus the actions in `without`."""
    statements = []
    for statement in copy.deepcopy(statements_of(load_policy(), module)):
        statement["Action"] = [action for action in statement["Action"] if action not in without]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        statement["Resource"] = [resource.replace(PLACEHOLDER_BUCKET, bucket) for resource in resources]
        if statement["Action"]:
            statements.append(statement)
    return {"Version": "2012-10-17", "Statement": statements}


def iam_action(service, operation, flags):
    return IAM_ACTIONS[(service, operation, tuple(flags))]


# -- the document itself -----------------------------------------------------------------------------------------


def test_policy_is_a_valid_iam_policy_with_one_owner_per_statement():
    policy = load_policy()
    assert policy["Version"] == "2012-10-17"
    assert set(policy) == {"Version", "Statement"}
    sids = [statement["Sid"] for statement in policy["Statement"]]
    assert len(sids) == len(set(sids)), f"duplicate Sids: {sids}"
    modules = module_names()
    for statement in policy["Statement"]:
        assert re.match(r"^[A-Za-z0-9]+$", statement["Sid"]), f"IAM Sids are alphanumeric: {statement['Sid']!r}"
        assert statement_module(statement["Sid"], modules), f"Sid {statement['Sid']!r} names no module of {modules}"
        assert statement["Effect"] == "Allow"
        assert {"Sid", "Effect", "Action", "Resource"} <= set(statement) <= {"Sid", "Effect", "Action", "Resource", "Condition"}
        for action in statement["Action"]:
            assert re.match(r"^[a-z0-9-]+:[A-Za-z]+$", action), f"not a single IAM action: {action!r} (no wildcards)"


def test_s3_object_restore_needs_exactly_the_documented_actions():
    assert actions_of(statements_of(load_policy(), "s3_object_restore")) == {
        "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions", "s3:RestoreObject",
        "s3:GetBucketNotification", "s3:PutBucketNotification",
        "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes",
        "sqs:CreateQueue", "sqs:SetQueueAttributes", "sqs:DeleteQueue",
        "sns:Subscribe", "sns:Unsubscribe", "sns:ConfirmSubscription",
    }


def test_s3_object_unarchive_needs_exactly_the_documented_actions():
    assert actions_of(statements_of(load_policy(), "s3_object_unarchive")) == {
        "s3:GetObject", "s3:GetObjectTagging", "s3:PutObject", "s3:PutObjectTagging", "s3:ListBucket",
        "s3:GetBucketOwnershipControls", "s3:GetBucketObjectLockConfiguration", "s3:GetObjectVersion", "s3:GetObjectVersionTagging", "s3:GetObjectVersionAcl",
        "s3:GetObjectAcl", "s3:PutObjectAcl", "s3:GetObjectRetention", "s3:GetObjectLegalHold", "s3:PutObjectRetention",
        "s3:PutObjectLegalHold", "s3:AbortMultipartUpload", "kms:Decrypt", "kms:GenerateDataKey", "s3:RestoreObject",
        "s3:ListBucketVersions",
    }


def test_access_denied_messages_name_the_same_actions_as_the_policy():
    """s3_api.REQUIRED_PERMISSIONS (what the modules' access-denied messages say) agrees with IAM_ACTIONS."""
    from ansible_collections.s3async.restore.plugins.module_utils.s3_api import REQUIRED_PERMISSIONS

    for operation, permission in REQUIRED_PERMISSIONS.items():
        flags = ("VersionId",) if operation.endswith("Version") else ()
        assert iam_action("s3", operation[: -len("Version")] if flags else operation, flags) == permission, operation


@pytest.mark.parametrize("module", sorted({statement_module(statement["Sid"], module_names()) for statement in load_policy()["Statement"]}))
def test_module_documentation_names_every_action_of_its_statements(module):
    """A user reading the module's documentation (notes or options) learns every permission the policy grants it."""
    with open(os.path.join(MODULES_DIR, module + ".py"), encoding="utf-8") as handle:
        source = handle.read()
    documentation = re.search(r'DOCUMENTATION = r"""(.*?)"""', source, re.DOTALL).group(1)
    text = json.dumps(yaml.safe_load(documentation))
    missing = sorted(action for action in actions_of(statements_of(load_policy(), module)) if action not in text)
    assert not missing, f"{module}'s documentation does not name {missing}, which docs/iam-policy.json grants it"


# -- every operation recorded during the run ---------------------------------------------------------------------


# A module that names itself in its User-Agent (botocore Config user_agent_extra "s3async.restore/<module>") can be
# told apart on the wire from the other Ansible modules (amazon.aws's) that the CLI tests run.
USER_AGENT_MODULE = re.compile(r"s3async\.restore/([a-z0-9_]+)")


def wire_operations(recording_path):
    """{(module or None, service, operation, flags): count} of the S3 requests Ansible modules sent to moto_server.

    module is None when the User-Agent does not name one of this collection's modules (then it may as well be an
    amazon.aws module that a test runs beside ours).
    """
    found = {}
    if not os.path.exists(recording_path):
        return found
    with open(recording_path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                request = json.loads(line)
            except ValueError:
                continue  # a line two server threads wrote at once
            headers = {name.lower(): value for name, value in request.get("headers", {}).items()}
            user_agent = headers.get("user-agent", "")
            if "Ansible/" not in user_agent:
                continue
            url = urllib.parse.urlsplit(request["url"])
            if url.path.startswith("/v20180820/"):
                continue  # S3 Control: recorded in-process by botocore, where the operation name is known
            named = USER_AGENT_MODULE.search(user_agent)
            service, operation_called, flags = service_operation(request, headers, url)
            operation = (named.group(1) if named else None, service, operation_called, flags)
            found[operation] = found.get(operation, 0) + 1
    return found


# The service a request is for, from its SigV4 credential scope (.../<date>/<region>/<service>/aws4_request).
CREDENTIAL_SERVICE = re.compile(r"Credential=[^/,]+/\d{8}/[^/,]+/([a-z0-9-]+)/aws4_request")


def service_operation(request, headers, url):
    """(service, operation, flags) of a recorded request: SQS names the operation in X-Amz-Target (its JSON
    protocol), SNS in the Action of its form body (the query protocol), S3 in its method, path and query."""
    scope = CREDENTIAL_SERVICE.search(headers.get("authorization", ""))
    service = scope.group(1) if scope else "s3"
    if service == "sqs":
        return "sqs", headers.get("x-amz-target", "AmazonSQS.?").rpartition(".")[2], ()
    if service == "sns":
        body = request.get("body") or ""
        if request.get("body_encoded"):
            body = base64.b64decode(body).decode("utf-8", "replace")
        return "sns", urllib.parse.parse_qs(body).get("Action", ["?"])[0], ()
    flags = ("VersionId",) if "versionId" in urllib.parse.parse_qs(url.query) else ()
    return "s3", operation_name(request["method"], url.path, url.query), flags


@pytest.mark.run_last
def test_every_operation_the_modules_performed_is_in_the_policy(api_operations, moto_endpoint):
    """Runs after every other test: what the modules did during this run, against docs/iam-policy.json."""
    policy = load_policy()
    problems = []
    checked = {}
    for (module, service, operation, flags), info in sorted(api_operations.calls.items()):
        try:
            action = iam_action(service, operation, flags)
        except KeyError:
            problems.append(f"{module} called {service}:{operation} {flags or ''} (first in {info['test']}), which has no "
                            "entry in IAM_ACTIONS: add the IAM action it needs there and to docs/iam-policy.json")
            continue
        if action is None:
            continue
        granted = actions_of(statements_of(policy, module)) if module in module_names() else actions_of(policy["Statement"])
        if action not in granted:
            problems.append(f"{module} called {service}:{operation} {flags or ''} (first in {info['test']}), which needs "
                            f"{action}: no statement of {module} in docs/iam-policy.json grants it")
        checked[f"{module} {service}:{operation}{' ' + flags[0] if flags else ''}"] = info["count"]
    # CLI runs seen by moto_server: checked when the User-Agent names the module, listed otherwise.
    unattributed = {}
    for path in api_operations.moto_recordings:
        for (module, service, operation, flags), count in wire_operations(path).items():
            name = f"{service}:{operation}{' ' + flags[0] if flags else ''}"
            if module is None:
                unattributed[name] = unattributed.get(name, 0) + count
                continue
            action = IAM_ACTIONS.get((service, operation, flags), "an action missing from IAM_ACTIONS")
            if action not in actions_of(statements_of(policy, module)):
                problems.append(f"{module} sent {operation} {flags or ''} to moto_server ({count} times), which needs "
                                f"{action}: no statement of {module} in docs/iam-policy.json grants it")
            checked[f"{module} (cli) {name}"] = count
    if unattributed:
        print("\nrequests from Ansible modules that do not name themselves in their User-Agent (not checked): "
              + ", ".join(f"{name}: {count}" for name, count in sorted(unattributed.items())))
    print("\noperations checked against docs/iam-policy.json:\n" + "\n".join(f"  {name}: {count}" for name, count in sorted(checked.items())))
    assert checked, "no API operation was recorded: is tests/conftest.py's recorder installed?"
    assert not problems, "\n".join(problems)


# -- a moto_server that enforces IAM -----------------------------------------------------------------------------


def _post(url, data=b""):
    # text/plain: with a form content type, moto's Flask app would read the body as a form and find no count.
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


class IamWorld:
    """A moto_server with a bucket, a topic, an admin user and a restricted user whose policy the test sets."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.bucket = self.topic_arn = None
        bootstrap = self.client("iam", "testing", "testing")
        bootstrap.create_user(UserName="admin")
        bootstrap.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        admin_key = bootstrap.create_access_key(UserName="admin")["AccessKey"]
        self.admin = (admin_key["AccessKeyId"], admin_key["SecretAccessKey"])
        bootstrap.create_user(UserName="restorer")
        restorer_key = bootstrap.create_access_key(UserName="restorer")["AccessKey"]
        self.restorer = (restorer_key["AccessKeyId"], restorer_key["SecretAccessKey"])
        # The modules' requests to this server count for the least-privilege check too (tests/conftest.py).
        if os.environ.get("MOTO_RECORDER_FILEPATH"):
            _post(f"{endpoint}/moto-api/recorder/start-recording")
        # From here on every request must be signed by a known user and allowed by its policies.
        _post(f"{endpoint}/moto-api/reset-auth", b"0")

    def new_bucket(self, versioned=False):
        """A fresh bucket and topic for one test; the restricted user's policy is then granted on this bucket."""
        self.bucket = f"lp-{uuid.uuid4().hex[:10]}"
        s3 = self.admin_client("s3")
        s3.create_bucket(Bucket=self.bucket)
        if versioned:
            s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        self.topic_arn = self.admin_client("sns").create_topic(Name=f"{self.bucket}-events")["TopicArn"]
        return self

    def client(self, service, access_key, secret_key):
        return boto3.client(service, region_name=REGION, endpoint_url=self.endpoint,
                            aws_access_key_id=access_key, aws_secret_access_key=secret_key)

    def admin_client(self, service):
        return self.client(service, *self.admin)

    def grant(self, without=(), module="s3_object_restore"):
        self.admin_client("iam").put_user_policy(
            UserName="restorer", PolicyName="restore",
            PolicyDocument=json.dumps(policy_for(module, self.bucket, without)))

    def put(self, key, storage_class="GLACIER", restored=False):
        s3 = self.admin_client("s3")
        response = s3.put_object(Bucket=self.bucket, Key=key, Body=b"x", StorageClass=storage_class, Tagging="keep=yes")
        if restored:
            s3.restore_object(Bucket=self.bucket, Key=key, RestoreRequest={"Days": 1})
        return response

    def restore_header(self, key):
        return self.admin_client("s3").head_object(Bucket=self.bucket, Key=key).get("Restore")

    def notification(self):
        configuration = self.admin_client("s3").get_bucket_notification_configuration(Bucket=self.bucket)
        configuration.pop("ResponseMetadata", None)
        return configuration

    def args(self, module_args, secret_key=None):
        access_key, secret = self.restorer
        return (f"bucket={self.bucket} {module_args} endpoint_url={self.endpoint} region={REGION} "
                f"access_key={access_key} secret_key={secret_key or secret}")


@pytest.fixture(scope="module")
def iam_world():
    with running_moto_server() as endpoint:
        yield IamWorld(endpoint)


@pytest.fixture
def world(iam_world):
    """The IAM-enforcing server with a fresh bucket and topic for this test."""
    return iam_world.new_bucket()


def test_the_restricted_user_is_really_restricted(world):
    """The enforcement is on: without a policy the user may not even read."""
    iam = world.admin_client("iam")
    for name in iam.list_user_policies(UserName="restorer")["PolicyNames"]:
        iam.delete_user_policy(UserName="restorer", PolicyName=name)
    world.put("enforcement/probe.bin")
    s3 = world.client("s3", *world.restorer)
    with pytest.raises(s3.exceptions.ClientError) as denied:
        s3.head_object(Bucket=world.bucket, Key="enforcement/probe.bin")
    assert denied.value.response["Error"]["Code"] in ("403", "AccessDenied")


def test_key_restore_with_notification_under_exactly_the_policy(world, adhoc):
    world.grant()
    world.put("single/cold.bin")
    status, result = adhoc(MODULE, world.args(f"key=single/cold.bin sns_topic_arn={world.topic_arn}"))
    assert status == "CHANGED", result
    assert result["objects"][0]["action"] == "restore_requested"
    assert result["notification"]["action"] == "added"
    assert world.restore_header("single/cold.bin")


def test_prefix_restore_under_exactly_the_policy(world, adhoc):
    world.grant()
    for number, storage_class in enumerate(("GLACIER", "DEEP_ARCHIVE", "STANDARD", "GLACIER")):
        world.put(f"many/{number}.bin", storage_class)
    status, result = adhoc(MODULE, world.args("prefix=many/ status_source=head"))
    assert status == "CHANGED", result
    assert result["summary"]["restore_requested"] == 3
    assert result["summary"]["failed"] == 0


def test_version_restore_under_exactly_the_policy(world, adhoc):
    """moto authorises HEAD ?versionId as s3:GetObject (AWS: s3:GetObjectVersion), so only the success is shown here."""
    world.new_bucket(versioned=True).grant()
    version_id = world.put("versioned/cold.bin")["VersionId"]
    status, result = adhoc(MODULE, world.args(f"key=versioned/cold.bin version_id={version_id}"))
    assert status == "CHANGED", result
    assert result["objects"][0]["version_id"] == version_id


def test_missing_key_under_exactly_the_policy_is_reported_as_missing(world, adhoc):
    world.grant()
    status, result = adhoc(MODULE, world.args("key=no/such/key"))
    assert status == "FAILED!"
    assert result["msg"] == f"Key 'no/such/key' not found in bucket '{world.bucket}'."


# Each action of the policy, removed, makes a run that needs it fail with a message naming it, and change nothing.
WITHOUT_ONE = [
    ("s3:GetObject", "key={key}"),
    ("s3:RestoreObject", "key={key}"),
    ("s3:ListBucket", "prefix={prefix} status_source=head"),
    ("s3:GetBucketNotification", "key={key} sns_topic_arn={topic}"),
    ("s3:PutBucketNotification", "key={key} sns_topic_arn={topic}"),
]


@pytest.mark.parametrize("action, module_args", WITHOUT_ONE, ids=[action for action, _args in WITHOUT_ONE])
def test_without_one_action_the_run_fails_naming_it(world, adhoc, action, module_args):
    prefix = f"without-{action.split(':')[1]}/"
    key = prefix + "cold.bin"
    world.put(key)
    before = world.notification()
    world.grant(without=(action,))
    status, result = adhoc(MODULE, world.args(module_args.format(key=key, prefix=prefix, topic=world.topic_arn)))
    assert status == "FAILED!", result
    assert action in result["msg"], result["msg"]
    assert world.restore_header(key) is None, "the object was restored although the run failed"
    assert world.notification() == before


def test_wrong_secret_fails_clearly_and_does_not_echo_it(world, adhoc):
    world.grant()
    world.put("auth/cold.bin")
    wrong = "WrongSecret/" + uuid.uuid4().hex
    status, result = adhoc(MODULE, world.args("key=auth/cold.bin", secret_key=wrong), "-vvv")
    assert status == "FAILED!"
    assert wrong not in json.dumps(result)
    assert world.restore_header("auth/cold.bin") is None
    # HEAD answers carry no error code: S3 says only 403. The message must not send the user hunting for an IAM
    # permission when the credentials may be what is wrong.
    assert re.search(r"credential|signature|secret", result["msg"], re.IGNORECASE), result["msg"]


# -- s3_object_unarchive under exactly its statements --------------------------------------------------------------

UNARCHIVE = "s3async.restore.s3_object_unarchive"


def test_unarchive_of_a_prefix_with_restores_under_exactly_the_policy(world, adhoc):
    world.grant(module="s3_object_unarchive")
    world.put("keep/restored.bin", restored=True)
    world.put("keep/cold.bin", "DEEP_ARCHIVE")
    status, result = adhoc(UNARCHIVE, world.args("prefix=keep/ request_restores=true wait_timeout=60 wait_delay=1"))
    assert status == "CHANGED", result
    assert (result["summary"]["copied"], result["summary"]["restore_requested"], result["summary"]["failed"]) == (2, 1, 0)
    assert world.admin_client("s3").head_object(Bucket=world.bucket, Key="keep/restored.bin").get("StorageClass") is None


UNARCHIVE_WITHOUT_ONE = [("s3:GetObject", "copy"), ("s3:PutObject", "copy"), ("s3:RestoreObject", "restore")]


@pytest.mark.parametrize("action, what", UNARCHIVE_WITHOUT_ONE, ids=[action for action, _what in UNARCHIVE_WITHOUT_ONE])
def test_unarchive_without_one_action_fails_naming_it(world, adhoc, action, what):
    key = f"without-{action.split(':')[1]}/object.bin"
    world.put(key, restored=what == "copy")
    world.grant(without=(action,), module="s3_object_unarchive")
    status, result = adhoc(UNARCHIVE, world.args(f"key={key} request_restores={what == 'restore'}"))
    assert status == "FAILED!", result
    assert action in result["msg"], result["msg"]
    assert world.admin_client("s3").head_object(Bucket=world.bucket, Key=key)["StorageClass"] in ("GLACIER", "DEEP_ARCHIVE")
