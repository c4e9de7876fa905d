# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""state=restored with wait_events=sqs, run through `ansible` against a real moto_server: S3 -> SNS -> SQS.

moto starts a restore as done unless its `s3::keyrestore` state manager holds it, and sends
s3:ObjectRestore:Completed on the next read of the object once the restore may finish (facts sheet, "moto 5.2.5
versus AWS"). So each test holds its restores in progress, starts the module in the background, and once the module
listens, finishes the restores with a HEAD of its own (never the module's): the event then travels as on AWS.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.request

import pytest

from cli_paths import REPO_ROOT, VENV_BIN

MODULE = "s3async.restore.s3_object_restore"
ADHOC_RESULT = re.compile(r"^localhost \| (CHANGED|SUCCESS|FAILED!) => (\{.*)\Z", re.DOTALL | re.MULTILINE)
HOLD = {"progression": "manual", "times": 1_000_000}


def state_manager(moto_endpoint, action, body):
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/state-manager/{action}", data=json.dumps(body).encode(),
                                     method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


@pytest.fixture
def restores(moto_endpoint, aws):
    """start(bucket, *keys): GLACIER objects whose restores run, held in progress; finish(bucket, *keys): the restores
    end in S3 and this test's HEAD makes moto send Completed."""
    s3 = aws("s3")

    def start(bucket, *keys):
        state_manager(moto_endpoint, "set-transition", {"model_name": "s3::keyrestore",
                                                        "transition": {"progression": "manual", "times": 1}})
        for key in keys:
            s3.put_object(Bucket=bucket, Key=key, Body=b"x" * 10, StorageClass="GLACIER")
            s3.restore_object(Bucket=bucket, Key=key, RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Bulk"}})
            deadline = time.monotonic() + 10
            while 'ongoing-request="true"' not in s3.head_object(Bucket=bucket, Key=key).get("Restore", ""):
                assert time.monotonic() < deadline, "moto never showed the restore in progress"
        state_manager(moto_endpoint, "set-transition", {"model_name": "s3::keyrestore", "transition": HOLD})

    def finish(bucket, *keys):
        state_manager(moto_endpoint, "set-transition", {"model_name": "s3::keyrestore", "transition": {"progression": "immediate"}})
        for key in keys:
            s3.head_object(Bucket=bucket, Key=key)
        state_manager(moto_endpoint, "set-transition", {"model_name": "s3::keyrestore", "transition": HOLD})

    try:
        yield start, finish
    finally:
        state_manager(moto_endpoint, "unset-transition", {"model_name": "s3::keyrestore"})


@pytest.fixture
def background(aws_env):
    """background(args, *flags) -> finish() -> (status, result): `ansible localhost -m s3_object_restore`, started now."""
    started = []

    def run(module_args, *flags):
        process = subprocess.Popen([os.path.join(VENV_BIN, "ansible"), "localhost", "-m", MODULE, "-a", module_args, *flags],
                                   env=aws_env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append(process)

        def result():
            stdout, stderr = process.communicate(timeout=180)
            match = ADHOC_RESULT.search(stdout)
            assert match, f"no result line in ansible output:\n{stdout}\n{stderr}"
            return match.group(1), json.JSONDecoder().raw_decode(match.group(2))[0]

        return result

    yield run
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate()


def topic_for(aws, bucket):
    topic_arn = aws("sns").create_topic(Name=f"{bucket}-restores")["TopicArn"]
    aws("s3").put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [
        {"TopicArn": topic_arn, "Events": ["s3:ObjectRestore:*"]}]})
    return topic_arn


def temporary_queues(aws):
    return [url for url in aws("sqs").list_queues().get("QueueUrls", []) if "/s3async-restore-wait-" in url]


def wait_until_listening(aws, topic_arn):
    """Until the module's own queue is subscribed to the topic; then a moment for its first sweep to pass."""
    deadline = time.monotonic() + 60
    while not (temporary_queues(aws) and aws("sns").list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]):
        assert time.monotonic() < deadline, "the module never subscribed a queue to the topic"
        time.sleep(0.2)
    time.sleep(3)


def wait_for_messages(aws, queue_url, count):
    """Until the queue holds `count` messages, visible or not."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    deadline = time.monotonic() + 60
    while True:
        attributes = aws("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
        if sum(int(attributes[name]) for name in names) == count:
            return
        assert time.monotonic() < deadline, f"the queue never held {count} message(s): {attributes}"
        time.sleep(0.2)


def left_on(aws, queue_url):
    messages = aws("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    return [message["Body"] for message in messages]


def test_the_completed_event_ends_the_wait_and_the_temporary_queue_goes(aws, bucket, restores, background):
    start, finish = restores
    topic_arn = topic_for(aws, bucket)
    start(bucket, "db/a b+c.dump")
    result = background(f"bucket={bucket} key='db/a b+c.dump' state=restored wait_events=sqs sns_topic_arn={topic_arn} "
                        "wait_sweep_interval=3600 wait_timeout=120")
    wait_until_listening(aws, topic_arn)
    finish(bucket, "db/a b+c.dump")

    status, outcome = result()
    assert status in ("SUCCESS", "CHANGED"), outcome
    assert outcome["summary"]["readable_by_event"] == 1 and outcome["summary"]["readable_by_sweep"] == 0, outcome["summary"]
    (obj,) = outcome["objects"]
    assert obj["status"] == "restored" and obj["readable_at"].endswith("Z"), obj
    assert outcome["waited"] < 60, "the event, not the hourly sweep, ended the wait"
    assert temporary_queues(aws) == []
    assert aws("sns").list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"] == []


def test_a_shared_queue_keeps_the_messages_about_other_objects(aws, bucket, restores, background):
    start, finish = restores
    topic_arn = topic_for(aws, bucket)
    sqs = aws("sqs")
    queue_url = sqs.create_queue(QueueName=f"{bucket}-shared")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)  # the SNS envelope (raw delivery off)
    start(bucket, "mine", "theirs")
    result = background(f"bucket={bucket} key=mine state=restored wait_events=sqs wait_queue_url={queue_url} "
                        "wait_sweep_interval=3600 wait_timeout=120")
    # The module listens once its first sweep is done: it then deletes the Post event of "mine", its own.
    wait_for_messages(aws, queue_url, 1)
    finish(bucket, "theirs", "mine")

    status, outcome = result()
    assert status in ("SUCCESS", "CHANGED"), outcome
    assert outcome["summary"]["readable_by_event"] == 1, outcome["summary"]
    bodies = left_on(aws, queue_url)
    # Another task's events (Post and Completed of "theirs") stay for it; ours were deleted once used.
    assert any("theirs" in body and "ObjectRestore:Completed" in body for body in bodies), bodies
    assert any("theirs" in body and "ObjectRestore:Post" in body for body in bodies), bodies
    assert not any('\\"key\\": \\"mine\\"' in body for body in bodies), bodies


def test_a_dropped_event_is_caught_by_the_sweep_before_the_timeout(aws, bucket, restores, background):
    start, finish = restores
    topic_arn = topic_for(aws, bucket)
    start(bucket, "k")
    result = background(f"bucket={bucket} key=k state=restored wait_events=sqs sns_topic_arn={topic_arn} "
                        "wait_sweep_interval=3600 wait_timeout=15")
    wait_until_listening(aws, topic_arn)
    # From now on the topic gets no event from the bucket: as when S3 drops one, or a notification change has not
    # yet taken effect (about five minutes).
    aws("s3").put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    finish(bucket, "k")

    status, outcome = result()
    assert status in ("SUCCESS", "CHANGED"), outcome
    assert outcome["summary"]["readable_by_sweep"] == 1 and outcome["summary"]["readable_by_event"] == 0, outcome["summary"]
    assert outcome["objects"][0]["status"] == "restored"


def test_after_a_timeout_the_temporary_queue_and_subscription_are_gone(aws, bucket, restores, background):
    start, _finish = restores
    topic_arn = topic_for(aws, bucket)
    start(bucket, "k")
    status, outcome = background(f"bucket={bucket} key=k state=restored wait_events=sqs sns_topic_arn={topic_arn} "
                                 "wait_timeout=3")()
    assert status == "FAILED!", outcome
    assert "Timed out" in outcome["msg"] and outcome["pending_keys"] == ["k"]
    assert outcome["objects"][0]["expected_ready_before"].endswith("Z"), outcome["objects"][0]
    assert temporary_queues(aws) == []
    assert aws("sns").list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"] == []


def test_check_mode_creates_nothing(aws, bucket, background):
    aws("s3").put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    topic_arn = aws("sns").create_topic(Name=f"{bucket}-check")["TopicArn"]
    status, outcome = background(f"bucket={bucket} key=cold state=restored wait_events=sqs sns_topic_arn={topic_arn}",
                                 "--check")()
    assert status == "CHANGED", outcome
    assert temporary_queues(aws) == []
    assert aws("sns").list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"] == []


def test_bad_wait_options_fail_before_any_call(aws, bucket, background):
    status, outcome = background(f"bucket={bucket} key=k wait_events=sqs")()
    assert status == "FAILED!"
    assert "add state=restored" in outcome["msg"] and "needs wait_queue_url" in outcome["msg"], outcome["msg"]
