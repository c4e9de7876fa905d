# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_object_restore run the way users run it (ansible, ansible-playbook, ansible-doc) against a real moto_server."""

from __future__ import annotations

import json
import os
import re
from urllib.parse import unquote_plus

MODULE = "s3async.restore.s3_object_restore"
PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks")


def test_first_run_changed_second_run_ok(adhoc, aws, bucket):
    aws("s3").put_object(Bucket=bucket, Key="dumps/2026-11-01.sql", Body=b"x" * 10, StorageClass="DEEP_ARCHIVE")
    args = f"bucket={bucket} key=dumps/2026-11-01.sql days=2"

    status, first = adhoc(MODULE, args)
    assert status == "CHANGED", first
    assert first["objects"][0]["action"] == "restore_requested"
    assert first["objects"][0]["status"] == "in_progress"
    assert "Restore" in aws("s3").head_object(Bucket=bucket, Key="dumps/2026-11-01.sql")

    status, second = adhoc(MODULE, args)
    assert status == "SUCCESS", second
    assert second["changed"] is False
    assert second["objects"][0]["action"] == "none"
    assert second["summary"]["restore_requested"] == 0


def test_check_mode_changes_nothing(adhoc, aws, bucket):
    aws("s3").put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    topic_arn = aws("sns").create_topic(Name=f"{bucket}-events")["TopicArn"]

    status, result = adhoc(MODULE, f"bucket={bucket} key=cold sns_topic_arn={topic_arn}", "--check", "--diff")
    assert status == "CHANGED", result
    assert result["objects"][0]["status"] == "archived"
    assert result["notification"]["action"] == "added"
    assert "Restore" not in aws("s3").head_object(Bucket=bucket, Key="cold")
    assert "TopicConfigurations" not in aws("s3").get_bucket_notification_configuration(Bucket=bucket)


def test_bad_input_fails_with_a_clear_message(adhoc, bucket):
    status, result = adhoc(MODULE, f"bucket={bucket} key=missing/object")
    assert status == "FAILED!"
    assert result["msg"] == f"Key 'missing/object' not found in bucket '{bucket}'."


def test_playbook_restores_waits_and_uses_the_action_group(playbook, aws, bucket):
    aws("s3").put_object(Bucket=bucket, Key="a b+c/ü.txt", Body=b"x", StorageClass="GLACIER")
    aws("s3").put_object(Bucket=bucket, Key="live.txt", Body=b"x")
    completed = playbook(os.path.join(PLAYBOOKS, "restore_and_wait.yml"), bucket=bucket)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "failed=0" in completed.stdout
    assert "Restore" in aws("s3").head_object(Bucket=bucket, Key="a b+c/ü.txt")


def test_restore_events_reach_the_topic(adhoc, aws, bucket):
    """After a run, a queue subscribed to the topic receives Post and Completed for the restored key.

    moto sends Completed on the next read of the object (AWS sends it when the restore finishes): the test
    reads the object the way a user waiting for it would.
    """
    sns, sqs, s3 = aws("sns"), aws("sqs"), aws("s3")
    topic_arn = sns.create_topic(Name=f"{bucket}-restores")["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"{bucket}-restores")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    s3.put_object(Bucket=bucket, Key="logs/app.log", Body=b"x", StorageClass="GLACIER")

    status, result = adhoc(MODULE, f"bucket={bucket} key=logs/app.log sns_topic_arn={topic_arn}")
    assert status == "CHANGED", result
    s3.head_object(Bucket=bucket, Key="logs/app.log")

    events = []
    for _attempt in range(5):
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            for record in json.loads(message["Body"]).get("Records", []):
                events.append((record["eventName"], unquote_plus(record["s3"]["object"]["key"])))
        if len(events) >= 2:
            break
    assert ("ObjectRestore:Post", "logs/app.log") in events
    assert ("ObjectRestore:Completed", "logs/app.log") in events


def test_ansible_doc_renders(ansible_doc):
    completed = ansible_doc(MODULE)
    assert completed.returncode == 0, completed.stderr
    text = re.sub(r"\x1b\[[0-9;]*m", "", completed.stdout)
    assert "Brings back objects archived in S3 Glacier" in text
    options = text[text.index("OPTIONS"):text.index("EXAMPLES")]
    for option in ("bucket", "key", "version_id", "state", "days", "tier", "sns_topic_arn", "notification_events",
                   "expected_bucket_owner", "request_payer", "wait_timeout", "wait_delay", "endpoint_url", "region"):
        assert re.search(rf"^[=-]? *{option}\s", options, re.MULTILINE), option


def test_prefix_restore_first_run_then_nothing_to_send(adhoc, aws, bucket):
    """On a non-AWS endpoint `status_source: auto` HEADs archived objects, so the re-run sends no restore."""
    s3 = aws("s3")
    classes = ("GLACIER", "DEEP_ARCHIVE", "STANDARD")
    for number in range(30):
        s3.put_object(Bucket=bucket, Key=f"exports/part {number}+ü.csv", Body=b"x", StorageClass=classes[number % 3])

    status, first = adhoc(MODULE, f"bucket={bucket} prefix=exports/ tier=Bulk concurrency=4")
    assert status == "CHANGED", first
    assert first["summary"]["restore_requested"] == 20
    assert first["summary"]["not_archived"] == 10

    status, second = adhoc(MODULE, f"bucket={bucket} prefix=exports/ tier=Bulk concurrency=4")
    assert status == "SUCCESS", second
    assert second["summary"]["restore_requested"] == 0
    assert second["summary"]["archived"] == 0
