# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_object_restore under S3 faults: throttling, internal errors and dropped connections, injected by a proxy
(fault_proxy.py) between the module and the session's moto_server.

The proxy counts what reaches the server, so "restored exactly once" is checked where it matters: one
RestoreObject per archived key reached S3, and each got 202 (a new restore) rather than 200 (a restore re-sent to
an object already restored, which resets its expiry).

moto completes restores at once and never answers 409 RestoreAlreadyInProgress; where AWS's answer matters (a
lost answer to a restore, then a retry), the proxy plays AWS's part. moto's listings carry no RestoreStatus, so
every run here reads restore state with HeadObject (status_source=head, which `auto` also picks off AWS).

Most runs go through the real `ansible` CLI. Faults that last (throttling that does not stop) run the module
in-process with botocore's back-off sleeps recorded instead of slept, so that the suite stays fast while the
number of attempts and the time the module would have waited are measured.
"""

from __future__ import annotations

import collections
import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config

from fault_proxy import FaultProxy

MODULE = "s3async.restore.s3_object_restore"
VENV_BIN = os.path.dirname(sys.executable)
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REGION = "us-east-1"
ADHOC_RESULT = re.compile(r"^localhost \| (CHANGED|SUCCESS|FAILED!) => (\{.*)\Z", re.DOTALL | re.MULTILINE)
SEED = 20261101


@pytest.fixture
def make_proxy(moto_endpoint, api_operations):
    """make_proxy(**options) -> a started FaultProxy in front of the session's moto_server, stopped after the test.

    The S3 operations the module sent through it are added to the least-privilege record (tests/conftest.py).
    """
    started = []

    def make(**options):
        proxy = FaultProxy(moto_endpoint, **options).start()
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        proxy.stop()
        for entry in proxy.log(module_only=False):
            if entry["from_module"] or not proxy.from_modules_only:
                flags = ("VersionId",) if entry["version_id"] else ()
                api_operations.record("s3_object_restore", "s3", entry["operation"], flags, source="cli through the fault proxy")


@pytest.fixture
def s3(moto_endpoint):
    """A boto3 client straight to moto_server (not through the proxy), for seeding and checking."""
    return boto3.client("s3", region_name=REGION, endpoint_url=moto_endpoint, aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(max_pool_connections=32))


def seed(s3, bucket, specs):
    """specs: {key: storage class}, put 32 at a time."""
    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(lambda item: s3.put_object(Bucket=bucket, Key=item[0], Body=b"x" * 3, StorageClass=item[1]),
                      specs.items()))


def restore_directly(s3, bucket, keys):
    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(lambda key: s3.restore_object(Bucket=bucket, Key=key, RestoreRequest={"Days": 3}), keys))


def heads(s3, bucket, keys):
    with ThreadPoolExecutor(max_workers=32) as pool:
        return dict(zip(keys, pool.map(lambda key: s3.head_object(Bucket=bucket, Key=key), keys)))


def parse_adhoc(stdout, stderr=""):
    match = ADHOC_RESULT.search(stdout)
    assert match, f"no result line in ansible output:\n{stdout[-3000:]}\n{stderr[-3000:]}"
    return match.group(1), json.JSONDecoder().raw_decode(match.group(2))[0]


def module_args(bucket, proxy, extra):
    return f"bucket={bucket} endpoint_url={proxy.endpoint} {extra}"


def restore_statuses(proxy):
    """Counter of the upstream status of every RestoreObject that reached the server."""
    return collections.Counter(entry["status"] for entry in proxy.log()
                               if entry["operation"] == "RestoreObject" and entry["status"] is not None)


# -- 2,000 objects, 10 % faults ----------------------------------------------------------------------------------


def test_prefix_restore_under_ten_percent_faults_restores_each_archived_object_once(make_proxy, s3, bucket, adhoc):
    classes = ("GLACIER", "DEEP_ARCHIVE", "STANDARD", "GLACIER")
    names = ("part-{}.bin", "with space {}.bin", "ünï+cødé-{}.bin", "100%-{}.bin")
    specs = {f"incident/{names[number % 4].format(number)}": classes[number % 4] for number in range(2000)}
    seed(s3, bucket, specs)
    archived = sorted(key for key, storage_class in specs.items() if storage_class != "STANDARD")
    already_restored = archived[::10]
    restore_directly(s3, bucket, already_restored)
    to_restore = sorted(set(archived) - set(already_restored))

    proxy = make_proxy(fault_rate=0.10, seed=SEED)
    proxy.fail("ListObjectsV2", "slowdown", times=1)  # the first listing page is throttled once, for certain
    args = module_args(bucket, proxy, "prefix=incident/ status_source=head max_results=0 list_objects=all")
    started = time.monotonic()
    status, result = adhoc(MODULE, args)
    first_run_seconds = time.monotonic() - started

    faults = proxy.faults()
    per_operation = collections.Counter(entry["operation"] for entry in proxy.log() if entry["fault"])
    print(f"\n2,000 objects: {sum(faults.values())} faults injected {dict(faults)} on {dict(per_operation)}, "
          f"{len(proxy.log())} requests, {first_run_seconds:.1f} s")
    assert status == "CHANGED", result.get("msg")
    assert sum(faults.values()) >= 200, faults
    assert {fault for fault, _when in faults} == {"slowdown", "internal", "drop"}
    faulted_operations = {entry["operation"] for entry in proxy.log() if entry["fault"]}
    assert {"ListObjectsV2", "HeadObject", "RestoreObject"} <= faulted_operations

    # Exactly once, and never to an object that was already restored.
    reached = proxy.reached_server("RestoreObject")
    assert sorted(reached) == to_restore
    assert set(reached.values()) == {1}
    assert restore_statuses(proxy) == {202: len(to_restore)}

    summary = result["summary"]
    assert summary["total"] == 2000
    assert summary["failed"] == 0
    assert summary["restore_requested"] == len(to_restore) == 1350
    assert summary["in_progress"] == len(to_restore)
    assert summary["restored"] == len(already_restored) == 150
    assert summary["not_archived"] == 500
    assert summary["archived"] == 0
    by_key = {obj["key"]: obj for obj in result["objects"]}
    assert len(by_key) == 2000
    assert all(by_key[key]["action"] == "restore_requested" for key in to_restore)
    assert not any(by_key[key]["action"] == "restore_requested" for key in already_restored)
    assert all("Restore" in head for head in heads(s3, bucket, archived).values())

    # A clean re-run, faults still on: nothing to send.
    proxy.reset_log()
    started = time.monotonic()
    status, again = adhoc(MODULE, args)
    print(f"re-run: {sum(proxy.faults().values())} faults injected, {len(proxy.log())} requests, {time.monotonic() - started:.1f} s")
    assert status == "SUCCESS", again.get("msg")
    assert again["changed"] is False
    assert again["summary"]["restore_requested"] == 0
    assert again["summary"]["failed"] == 0
    assert again["summary"]["in_progress"] + again["summary"]["restored"] == len(archived)
    assert not proxy.reached_server("RestoreObject")


# -- a run killed halfway ----------------------------------------------------------------------------------------


def test_run_killed_halfway_then_run_again_restores_nothing_twice(make_proxy, s3, bucket, aws_env):
    specs = {f"killed/{number:04d}.bin": ("GLACIER", "DEEP_ARCHIVE")[number % 2] for number in range(800)}
    seed(s3, bucket, specs)
    proxy = make_proxy()
    command = [os.path.join(VENV_BIN, "ansible"), "localhost", "-m", MODULE, "-a",
               module_args(bucket, proxy, "prefix=killed/ status_source=head concurrency=4")]
    process = subprocess.Popen(command, env=aws_env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        halfway = proxy.wait_for(
            lambda log: sum(1 for entry in log if entry["operation"] == "RestoreObject" and entry["status"]) >= 300, 120)
        assert halfway, "the first run did not get halfway"
    finally:
        # ansible, its worker and the module the worker runs (the worker calls setsid: a process group is not enough)
        victims = [process.pid] + descendants(process.pid)
        for pid in reversed(victims):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=30)
    assert len(victims) >= 3, "the module process was not found among ansible's descendants"
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in victims):
        assert time.monotonic() < deadline, "a process of the killed run is still alive"
        time.sleep(0.1)
    time.sleep(0.5)  # let a request that was on the wire reach moto_server and be logged
    first = proxy.accepted("RestoreObject")
    print(f"\nkilled ({len(victims)} processes) after {len(first)} of {len(specs)} restores had reached S3")
    assert 300 <= len(first) < len(specs), "the kill did not land halfway"

    status, result = parse_adhoc(*run_ansible(aws_env, module_args(bucket, proxy, "prefix=killed/ status_source=head")))
    assert status == "CHANGED", result.get("msg")
    assert result["summary"]["failed"] == 0
    accepted = proxy.accepted("RestoreObject")
    twice = sorted(key for key, count in accepted.items() if count > 1)
    assert not twice, f"restored twice: {twice[:10]}"
    assert sorted(accepted) == sorted(specs)
    assert restore_statuses(proxy).get(200, 0) == 0, "a restore was sent to an object already restored"
    assert result["summary"]["restore_requested"] == len(specs) - len(first)

    status, result = parse_adhoc(*run_ansible(aws_env, module_args(bucket, proxy, "prefix=killed/ status_source=head")))
    assert status == "SUCCESS", result.get("msg")
    assert result["summary"]["restore_requested"] == 0


def descendants(root):
    """Every live descendant of process `root` (Linux /proc), children before grandchildren."""
    children = collections.defaultdict(list)
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", encoding="utf-8") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children[int(fields[1])].append(int(name))
    found, queue = [], [root]
    while queue:
        for child in children.get(queue.pop(0), []):
            found.append(child)
            queue.append(child)
    return found


def alive(pid):
    """True while `pid` runs (a zombie waiting for its parent counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def run_ansible(env, args, *flags):
    completed = subprocess.run([os.path.join(VENV_BIN, "ansible"), "localhost", "-m", MODULE, "-a", args, *flags],
                               env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)
    return completed.stdout, completed.stderr


# -- the notification configuration -------------------------------------------------------------------------------


@pytest.fixture
def configured_bucket(aws, bucket):
    """A bucket whose notification configuration already sends other events to a queue and to another topic."""
    sqs, sns, s3 = aws("sqs"), aws("sns"), aws("s3")
    queue_url = sqs.create_queue(QueueName=f"{bucket}-created")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    other_topic = sns.create_topic(Name=f"{bucket}-removed")["TopicArn"]
    topic_arn = sns.create_topic(Name=f"{bucket}-restores")["TopicArn"]
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"Id": "created-to-queue", "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"],
                                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"}]}}}],
        "TopicConfigurations": [{"Id": "removed-to-topic", "TopicArn": other_topic, "Events": ["s3:ObjectRemoved:*"]}],
    })
    s3.put_object(Bucket=bucket, Key="cold/one.bin", Body=b"x", StorageClass="GLACIER")
    return bucket, topic_arn


def notification_of(aws, bucket):
    configuration = aws("s3").get_bucket_notification_configuration(Bucket=bucket)
    configuration.pop("ResponseMetadata", None)
    return configuration


def test_notification_write_failing_once_is_retried_and_keeps_the_rest(make_proxy, aws, configured_bucket, adhoc):
    bucket, topic_arn = configured_bucket
    before = notification_of(aws, bucket)
    proxy = make_proxy()
    proxy.fail("PutBucketNotificationConfiguration", "internal", times=1)
    proxy.fail("GetBucketNotificationConfiguration", "drop", times=1)
    status, result = adhoc(MODULE, module_args(bucket, proxy, f"key=cold/one.bin sns_topic_arn={topic_arn}"))
    assert status == "CHANGED", result.get("msg")
    assert proxy.faults() == {("internal", "before"): 1, ("drop", "before"): 1}
    assert proxy.reached_server("PutBucketNotificationConfiguration") == {None: 1}
    after = notification_of(aws, bucket)
    assert after["QueueConfigurations"] == before["QueueConfigurations"]
    assert [entry for entry in after["TopicConfigurations"] if entry["TopicArn"] != topic_arn] == before["TopicConfigurations"]
    ours = [entry for entry in after["TopicConfigurations"] if entry["TopicArn"] == topic_arn]
    assert len(ours) == 1 and set(ours[0]["Events"]) == {"s3:ObjectRestore:Post", "s3:ObjectRestore:Completed"}
    assert proxy.reached_server("RestoreObject") == {"cold/one.bin": 1}


def test_notification_write_refused_leaves_the_configuration_and_the_object_alone(make_proxy, aws, configured_bucket, adhoc):
    bucket, topic_arn = configured_bucket
    before = notification_of(aws, bucket)
    proxy = make_proxy()
    proxy.fail("PutBucketNotificationConfiguration", "denied", times=None)
    status, result = adhoc(MODULE, module_args(bucket, proxy, f"key=cold/one.bin sns_topic_arn={topic_arn}"))
    assert status == "FAILED!"
    assert "PutBucketNotificationConfiguration" in result["msg"] and "s3:PutBucketNotification" in result["msg"], result["msg"]
    assert notification_of(aws, bucket) == before
    assert not proxy.reached_server("RestoreObject"), "a restore was sent although the notification could not be set"
    assert "Restore" not in aws("s3").head_object(Bucket=bucket, Key="cold/one.bin")


def test_notification_write_whose_answer_is_lost_is_not_duplicated(make_proxy, aws, configured_bucket, adhoc):
    """S3 applied the configuration but the answer never came: the retried write must not add a second entry."""
    bucket, topic_arn = configured_bucket
    before = notification_of(aws, bucket)
    proxy = make_proxy()
    proxy.fail("PutBucketNotificationConfiguration", "drop", times=1, when="after")
    status, result = adhoc(MODULE, module_args(bucket, proxy, f"key=cold/one.bin sns_topic_arn={topic_arn}"))
    assert status == "CHANGED", result.get("msg")
    after = notification_of(aws, bucket)
    assert after["QueueConfigurations"] == before["QueueConfigurations"]
    assert len([entry for entry in after["TopicConfigurations"] if entry["TopicArn"] == topic_arn]) == 1
    assert len(after["TopicConfigurations"]) == len(before["TopicConfigurations"]) + 1


# -- a restore whose answer is lost ------------------------------------------------------------------------------


def test_restore_whose_answer_is_lost_is_reported_as_requested_by_this_run(make_proxy, s3, bucket, adhoc):
    """S3 started the restore but the answer was lost; botocore retries, and AWS answers the retry with 409
    RestoreAlreadyInProgress (the proxy plays AWS here: moto would answer 200). The restore was this run's own:
    the result must say a restore was requested, not that someone else's was found."""
    s3.put_object(Bucket=bucket, Key="lost/answer.bin", Body=b"x", StorageClass="DEEP_ARCHIVE")
    proxy = make_proxy()
    proxy.fail("RestoreObject", "drop", times=1, when="after", key="lost/answer.bin")
    proxy.fail("RestoreObject", "conflict", times=None, key="lost/answer.bin")
    status, result = adhoc(MODULE, module_args(bucket, proxy, "key=lost/answer.bin"))
    assert proxy.reached_server("RestoreObject") == {"lost/answer.bin": 1}
    assert status == "CHANGED", result
    assert result["objects"][0]["status"] == "in_progress"
    assert result["objects"][0]["action"] == "restore_requested"
    assert result["summary"]["restore_requested"] == 1


# -- faults that last: in-process, back-off recorded instead of slept ---------------------------------------------


@pytest.fixture
def in_process(monkeypatch, capsys, moto_endpoint):
    """in_process(args) -> result of s3_object_restore's main() run in this process; sleeps are recorded, not slept."""
    import botocore.endpoint  # pylint: disable=import-outside-toplevel
    from ansible.module_utils.common import warnings as module_warnings  # pylint: disable=import-outside-toplevel
    from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    from ansible_collections.amazon.aws.plugins.module_utils import cloud  # pylint: disable=import-outside-toplevel
    from ansible_collections.s3async.restore.plugins.modules import s3_object_restore  # pylint: disable=import-outside-toplevel

    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_URL", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    slept = []

    class RecordedTime:
        """time, with sleep() recorded: botocore's and AWSRetry's back-off."""

        def __getattr__(self, name):
            return getattr(time, name)

        @staticmethod
        def sleep(seconds):
            slept.append(seconds)

    monkeypatch.setattr(botocore.endpoint, "time", RecordedTime())
    monkeypatch.setattr(cloud, "time", RecordedTime())

    def run(args):
        module_warnings._global_warnings.clear()  # pylint: disable=protected-access
        module_warnings._global_deprecations.clear()  # pylint: disable=protected-access
        full = dict(args, access_key="testing", secret_key="testing", region=REGION, _ansible_check_mode=False,
                    _ansible_diff=False)
        del slept[:]
        with patch_module_args(full):
            with pytest.raises(SystemExit):
                s3_object_restore.main()
        return json.loads(capsys.readouterr().out), sum(slept)

    return run


def botocore_max_attempts():
    """Attempts per call botocore makes with the modules' retry configuration (initial request included)."""
    from ansible_collections.s3async.restore.plugins.module_utils.aws_clients import BOTOCORE_RETRIES  # pylint: disable=import-outside-toplevel

    # botocore's client config max_attempts counts retries; botocore rewrites it, in the dict it was given, as
    # total_max_attempts (retries + 1) when it creates a client.
    if "total_max_attempts" in BOTOCORE_RETRIES:
        return BOTOCORE_RETRIES["total_max_attempts"]
    return BOTOCORE_RETRIES["max_attempts"] + 1


def test_throttling_that_does_not_stop_fails_the_notification_write_cleanly(make_proxy, aws, configured_bucket, in_process):
    bucket, topic_arn = configured_bucket
    before = notification_of(aws, bucket)
    proxy = make_proxy(from_modules_only=False)
    proxy.fail("PutBucketNotificationConfiguration", "slowdown", times=None)
    result, waited = in_process({"bucket": bucket, "key": "cold/one.bin", "sns_topic_arn": topic_arn,
                                 "endpoint_url": proxy.endpoint})
    attempts = len([entry for entry in proxy.log(module_only=False) if entry["operation"] == "PutBucketNotificationConfiguration"])
    print(f"\npersistent SlowDown on PutBucketNotificationConfiguration: {attempts} attempts, {waited:.0f} s of back-off")
    assert result.get("failed"), result
    assert "SlowDown" in result["msg"] and "PutBucketNotificationConfiguration" in result["msg"], result["msg"]
    assert attempts <= botocore_max_attempts()
    assert notification_of(aws, bucket) == before
    assert not proxy.reached_server("RestoreObject", module_only=False)


@pytest.mark.parametrize("fault", ["internal", "drop"])
def test_one_object_failing_for_good_fails_alone(make_proxy, s3, bucket, in_process, fault):
    """An object whose restore keeps failing is reported as failed; the others are restored, once each."""
    specs = {f"outage/{number:02d}.bin": "GLACIER" for number in range(20)}
    seed(s3, bucket, specs)
    broken = "outage/07.bin"
    proxy = make_proxy(from_modules_only=False)
    proxy.fail("RestoreObject", fault, times=None, key=broken)
    result, _waited = in_process({"bucket": bucket, "prefix": "outage/", "status_source": "head", "concurrency": 4,
                                  "endpoint_url": proxy.endpoint})
    assert result.get("failed"), result
    assert result["summary"]["failed"] == 1
    assert result["failed_keys"] == [broken]
    assert result["summary"]["restore_requested"] == 19
    assert broken in result["msg"]
    reached = proxy.reached_server("RestoreObject", module_only=False)
    assert set(reached.values()) == {1} and len(reached) == 19


@pytest.mark.parametrize("fault", ["internal", "slowdown", "drop"])
def test_a_call_failing_for_good_is_tried_a_bounded_number_of_times(make_proxy, s3, bucket, in_process, fault):
    """One layer of retries: botocore's attempts, not botocore's attempts times those of a retry wrapper around it.
    During an S3 outage every object of a prefix run pays the full retry budget before it is reported."""
    s3.put_object(Bucket=bucket, Key="outage/one.bin", Body=b"x", StorageClass="GLACIER")
    proxy = make_proxy(from_modules_only=False)
    proxy.fail("RestoreObject", fault, times=None)
    result, waited = in_process({"bucket": bucket, "key": "outage/one.bin", "endpoint_url": proxy.endpoint})
    attempts = len([entry for entry in proxy.log(module_only=False) if entry["operation"] == "RestoreObject"])
    print(f"\npersistent {fault} on RestoreObject: {attempts} attempts, {waited:.0f} s of back-off")
    assert result.get("failed"), result
    assert "outage/one.bin" in result["msg"]
    assert attempts <= botocore_max_attempts(), f"{attempts} RestoreObject attempts, {waited:.0f} s of back-off"


def test_unreachable_key_fails_clearly_without_touching_anything_else(make_proxy, s3, bucket, in_process):
    s3.put_object(Bucket=bucket, Key="gone/one.bin", Body=b"x", StorageClass="GLACIER")
    proxy = make_proxy(from_modules_only=False)
    proxy.fail("HeadObject", "drop", times=None)
    result, waited = in_process({"bucket": bucket, "key": "gone/one.bin", "endpoint_url": proxy.endpoint})
    attempts = len([entry for entry in proxy.log(module_only=False) if entry["operation"] == "HeadObject"])
    print(f"\npersistent dropped connection on HeadObject: {attempts} attempts, {waited:.0f} s of back-off")
    assert result.get("failed"), result
    assert "gone/one.bin" in result["msg"]
    assert re.search(r"connection|closed", result["msg"], re.IGNORECASE), result["msg"]
    assert attempts <= botocore_max_attempts()
    assert not proxy.reached_server("RestoreObject", module_only=False)


def test_proxy_stops_with_the_test(moto_endpoint):
    """The proxy is bounded: after stop() its port refuses connections, and no thread of it is left running."""
    import socket  # pylint: disable=import-outside-toplevel
    import threading  # pylint: disable=import-outside-toplevel

    before = threading.active_count()
    with FaultProxy(moto_endpoint, fault_rate=1.0, seed=1) as proxy:
        port = int(proxy.endpoint.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert threading.active_count() <= before
