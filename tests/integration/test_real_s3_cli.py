# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The modules as users run them (`ansible localhost -m ...`, `ansible-playbook`) against S3 as AWS behaves: every
run here goes through the AWS behaviour layer (aws_behaviour.py) in front of the session's moto_server.

Each test asserts what AWS does and names the facts-sheet row it rests on (the project's AWS S3 restore facts;
the layer's letters are in its docstring). The modules pick `status_source: auto` from the endpoint's host, and
only AWS's own hosts are trusted for listings: tests that want the listing path say status_source=listing.

The scenarios of test_s3_object_restore_cli.py run here a second time, through the layer, with their assertions
unchanged (test_existing_scenario_through_the_layer).
"""

from __future__ import annotations

import datetime
import inspect
import json
import os
import re
import subprocess
import sys

import pytest

import test_s3_object_restore_cli as plain_moto_scenarios

MODULE = "s3async.restore.s3_object_restore"
INFO_MODULE = "s3async.restore.s3_object_restore_info"
VENV_BIN = os.path.dirname(sys.executable)
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ADHOC_RESULT = re.compile(r"^localhost \| (CHANGED|SUCCESS|FAILED!) => (\{.*)\Z", re.DOTALL | re.MULTILINE)
UTC = datetime.timezone.utc


@pytest.fixture
def aws_env(aws_env, behaviour_layer):
    """Every CLI of this file (the adhoc and playbook fixtures too) talks to the behaviour layer."""
    return dict(aws_env, AWS_URL=behaviour_layer.endpoint)


@pytest.fixture
def layer(behaviour_layer):
    return behaviour_layer


@pytest.fixture
def s3(aws):
    """S3 straight at moto_server, for seeding (never through the layer, so that nothing counts as a request)."""
    return aws("s3")


@pytest.fixture
def run(aws_env):
    """run(module, 'k=v ...') -> (status, result, output): like the adhoc fixture, with stdout and stderr (warnings)."""

    def adhoc(module, module_args, *flags):
        completed = subprocess.run([os.path.join(VENV_BIN, "ansible"), "localhost", "-m", module, "-a", module_args, *flags],
                                   env=aws_env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)
        match = ADHOC_RESULT.search(completed.stdout)
        assert match, f"no result line in ansible output:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        return match.group(1), json.JSONDecoder().raw_decode(match.group(2))[0], completed.stdout + completed.stderr

    return adhoc


def seed(s3, bucket, specs):
    for key, storage_class in specs.items():
        s3.put_object(Bucket=bucket, Key=key, Body=f"body of {key}".encode(), StorageClass=storage_class)


def module_restores(layer):
    """The module's RestoreObject requests: [(key, status, days, tier)]."""
    return [(entry["key"], entry["status"], entry.get("days"), entry.get("tier")) for entry in layer.requests("RestoreObject")]


def iso(moment):
    return datetime.datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")


# -- (f) an Intelligent-Tiering prefix end to end, with ansible-playbook ----------------------------------------


INT_PLAYBOOK = """
- name: Restore an Intelligent-Tiering prefix and wait until every object is readable
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Restore and wait
      s3async.restore.s3_object_restore:
        bucket: "{{ bucket }}"
        prefix: int/
        state: restored
        wait_delay: 1
        wait_timeout: 60
      register: first

    - name: Run again
      s3async.restore.s3_object_restore:
        bucket: "{{ bucket }}"
        prefix: int/
        state: restored
        wait_delay: 1
      register: second

    - name: Keep both results for the test
      ansible.builtin.copy:
        content: "{{ {'first': first, 'second': second} | to_json }}"
        dest: "{{ results_file }}"
        mode: "0600"
"""


def test_intelligent_tiering_prefix_end_to_end(playbook, layer, s3, bucket, tmp_path):
    """Archived INT objects get restores without Days, state=restored waits until they are readable, and a second run
    sends nothing. Facts sheet: RestoreObject "Days: ... forbidden for INT archive tiers"; HeadObject
    "ArchiveStatus ... only on INTELLIGENT_TIERING objects that sit in an archive tier"; "An INT object that finished
    restoring moves back to the Frequent Access tier"; RestoreObject "INT not archived may also give 403
    ObjectAlreadyInActiveTierError"; moto row "Intelligent-Tiering archive tiers ... absent"."""
    archived = {"int/a0.bin": "ARCHIVE_ACCESS", "int/a1.bin": "ARCHIVE_ACCESS", "int/a2.bin": "ARCHIVE_ACCESS",
                "int/d0.bin": "DEEP_ARCHIVE_ACCESS", "int/d1.bin": "DEEP_ARCHIVE_ACCESS"}
    seed(s3, bucket, {key: "INTELLIGENT_TIERING" for key in archived})
    seed(s3, bucket, {"int/hot.bin": "INTELLIGENT_TIERING", "int/plain.txt": "STANDARD"})
    for key, tier in archived.items():
        layer.seed_archive_tier(bucket, key, tier)
    layer.restore_seconds.update(Standard=2)
    playbook_path = tmp_path / "int.yml"
    playbook_path.write_text(INT_PLAYBOOK, encoding="utf-8")
    results_file = tmp_path / "results.json"

    completed = playbook(str(playbook_path), bucket=bucket, results_file=str(results_file))
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    results = json.loads(results_file.read_text(encoding="utf-8"))
    first, second = results["first"], results["second"]

    restores = module_restores(layer)
    assert sorted(key for key, _status, _days, _tier in restores) == sorted(archived), restores
    assert {(status, days) for _key, status, days, _tier in restores} == {(202, None)}, "Days sent for an INT object"
    assert first["changed"] is True
    summary = first["summary"]
    assert (summary["restore_requested"], summary["failed"], summary["archived"], summary["in_progress"]) == \
        (len(archived), 0, 0, 0)
    assert summary["restored"] + summary["not_archived"] == 7  # every object readable
    by_key = {obj["key"]: obj for obj in first["objects"]}
    for key in archived:
        assert by_key[key]["action"] == "restore_requested"
        assert by_key[key]["status"] in ("restored", "not_archived"), by_key[key]  # readable
        assert by_key[key]["expiry_date"] is None  # an INT copy has no expiry to report
        assert layer.state_of(bucket, key) == "active"
    assert "int/hot.bin" not in by_key or by_key["int/hot.bin"]["action"] == "none"

    assert second["changed"] is False
    assert second["summary"]["restore_requested"] == 0
    assert all(obj["action"] == "none" for obj in second["objects"])


# -- (e) 409: another client restored first ---------------------------------------------------------------------


def test_another_client_restoring_first_is_reported_in_progress_and_unchanged(run, layer, s3, bucket):
    """Between the module's HEAD and its RestoreObject another client starts the restore: AWS answers 409
    RestoreAlreadyInProgress; the object is in progress and this run changed nothing. Facts sheet, RestoreObject
    "409 RestoreAlreadyInProgress: one is running"; moto row "409 RestoreAlreadyInProgress ... never returned"."""
    seed(s3, bucket, {"race/one.dump": "GLACIER"})
    layer.restore_seconds.update(Standard=600)
    layer.race(bucket, "race/one.dump", tier="Standard", days=7)

    status, result, _output = run(MODULE, f"bucket={bucket} key=race/one.dump days=7")
    assert status == "SUCCESS", result
    assert result["changed"] is False
    assert result["objects"][0]["status"] == "in_progress"
    assert result["objects"][0]["action"] == "none"
    assert result["summary"]["restore_requested"] == 0
    assert module_restores(layer) == [("race/one.dump", 409, 7, "Standard")]
    assert layer.restore_of(bucket, "race/one.dump").by == "another client"

    layer.reset_log()
    status, again, _output = run(MODULE, f"bucket={bucket} key=race/one.dump days=7")
    assert (status, again["changed"], again["objects"][0]["status"]) == ("SUCCESS", False, "in_progress")
    assert module_restores(layer) == [], "a running restore was sent another request"


# -- (e) upgrade_tier on a running restore ----------------------------------------------------------------------


def test_upgrade_tier_speeds_up_a_running_bulk_restore(run, layer, layer_aws, s3, bucket):
    """A Bulk restore runs (for hours, here ten minutes); upgrade_tier with tier=Expedited and the same days is a
    restore speed upgrade: 202, and the object is readable within the Expedited time, which state=restored shows.
    Facts sheet, RestoreObject: "A faster tier may be requested while a restore runs (restore speed upgrade), with
    the same Days"."""
    seed(s3, bucket, {"slow/big.dump": "GLACIER"})
    layer.restore_seconds.update(Bulk=600, Expedited=2)
    layer_aws("s3").restore_object(Bucket=bucket, Key="slow/big.dump",
                                   RestoreRequest={"Days": 5, "GlacierJobParameters": {"Tier": "Bulk"}})

    status, result, _output = run(MODULE, f"bucket={bucket} key=slow/big.dump days=5 tier=Expedited upgrade_tier=true "
                                          "state=restored wait_delay=1 wait_timeout=30")
    assert status == "CHANGED", result
    obj = result["objects"][0]
    assert (obj["action"], obj["status"]) == ("restore_requested", "restored"), obj
    assert module_restores(layer) == [("slow/big.dump", 202, 5, "Expedited")]
    restore = layer.restore_of(bucket, "slow/big.dump")
    assert restore.tier == "Expedited"
    assert obj["expiry_date"] == iso(restore.expiry)


def test_upgrade_tier_on_a_restore_already_as_fast_is_409_and_unchanged(run, layer, layer_aws, s3, bucket):
    """Facts sheet, RestoreObject "409 RestoreAlreadyInProgress": S3 does not upgrade a restore that is not slower."""
    seed(s3, bucket, {"slow/big.dump": "GLACIER"})
    layer.restore_seconds.update(Expedited=600)
    layer_aws("s3").restore_object(Bucket=bucket, Key="slow/big.dump",
                                   RestoreRequest={"Days": 5, "GlacierJobParameters": {"Tier": "Expedited"}})

    status, result, _output = run(MODULE, f"bucket={bucket} key=slow/big.dump days=5 tier=Standard upgrade_tier=true")
    assert status == "SUCCESS", result
    assert result["changed"] is False
    assert result["objects"][0]["status"] == "in_progress"
    assert module_restores(layer) == [("slow/big.dump", 409, 5, "Standard")]
    assert layer.restore_of(bucket, "slow/big.dump").tier == "Expedited"


# -- (e, g, j) state=restored watching restores finish --------------------------------------------------------


@pytest.mark.parametrize("status_source", ["head", "listing"])
def test_state_restored_watches_in_progress_restores_finish(run, layer, layer_aws, s3, bucket, status_source):
    """Restores stay in progress for a while (two of them started by another client), state=restored waits until
    each is readable, and reports the expiry AWS shows: completion + days, rounded up to midnight UTC. Facts sheet,
    HeadObject "Restore" row; "Listing with restore state" (RestoreStatus, with status_source=listing); moto rows
    "restore completes: instantly", "expiry-date ... not rounded", "ListObjectsV2 RestoreStatus: silently omitted"."""
    specs = {f"watch/{number}.dump": ("GLACIER", "DEEP_ARCHIVE")[number % 2] for number in range(6)}
    seed(s3, bucket, dict(specs, **{"watch/readme.txt": "STANDARD"}))
    layer.restore_seconds.update(Standard=2)
    for key in ("watch/0.dump", "watch/1.dump"):
        layer_aws("s3").restore_object(Bucket=bucket, Key=key, RestoreRequest={"Days": 3})

    status, result, _output = run(MODULE, f"bucket={bucket} prefix=watch/ days=3 state=restored wait_delay=1 "
                                          f"wait_timeout=60 status_source={status_source}")
    assert status == "CHANGED", result
    summary = result["summary"]
    assert (summary["restore_requested"], summary["restored"], summary["not_archived"], summary["failed"]) == (4, 6, 1, 0)
    assert result["waited"] >= 1
    assert sorted(layer.accepted_restores()) == [f"watch/{number}.dump" for number in range(2, 6)]
    assert set(layer.accepted_restores().values()) == {1}
    assert layer.restore_statuses() == {202: 4}
    for obj in result["objects"]:
        if obj["key"] in specs:
            assert obj["status"] == "restored"
            assert obj["expiry_date"] == iso(layer.restore_of(bucket, obj["key"]).expiry)
            assert obj["expiry_date"].endswith("T00:00:00Z")
    if status_source == "listing":
        # Before waiting, the listing's RestoreStatus was enough for GLACIER / DEEP_ARCHIVE: no HEAD (waiting may
        # HEAD the few objects still pending, cheaper than a listing page).
        last_restore = max(entry["at"] for entry in layer.requests("RestoreObject"))
        assert all(entry["at"] > last_restore for entry in layer.requests("HeadObject"))


# -- (a) a stale read right after the notification write ------------------------------------------------------


@pytest.fixture
def topic_arn(aws, bucket):
    return aws("sns").create_topic(Name=f"{bucket}-restores")["TopicArn"]


def our_topic_entries(s3, bucket, topic_arn):
    configuration = s3.get_bucket_notification_configuration(Bucket=bucket)
    return [entry for entry in configuration.get("TopicConfigurations", []) if entry["TopicArn"] == topic_arn]


def test_a_stale_read_after_the_notification_write_is_not_a_failure(run, layer, s3, bucket, topic_arn):
    """The first read after the write returns the previous configuration, as AWS may; the module re-reads (with
    back-off) instead of failing as "changed by another writer", and restores. Facts sheet, "Propagation and
    consistency": "a read right after a write may return the previous configuration: neither is proof of another
    writer"; moto row "bucket configuration reads: strongly consistent"."""
    seed(s3, bucket, {"cold/one.dump": "GLACIER"})
    layer.stale_notification_reads(reads=1)

    status, result, _output = run(MODULE, f"bucket={bucket} key=cold/one.dump sns_topic_arn={topic_arn}")
    assert status == "CHANGED", result.get("msg")
    assert result["changed"] is True
    assert result["notification"]["changed"] is True
    assert result["objects"][0]["action"] == "restore_requested"
    assert len(our_topic_entries(s3, bucket, topic_arn)) == 1
    assert [entry["stale"] for entry in layer.requests("GetBucketNotificationConfiguration")].count(True) == 1
    assert len(layer.requests("PutBucketNotificationConfiguration")) == 1, "the configuration was written twice"


# -- (c) every destination is validated on a write --------------------------------------------------------------


def stale_queue_configuration(aws, bucket):
    """A bucket whose configuration already sends ObjectCreated to somebody else's queue, since deleted."""
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=f"{bucket}-theirs")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws("s3").put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"Id": "theirs", "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]})
    sqs.delete_queue(QueueUrl=url)
    return queue_arn


def test_a_broken_foreign_destination_fails_naming_it_before_any_restore(run, layer, aws, s3, bucket, topic_arn):
    """Someone else's stale queue blocks every write of the configuration: the task fails before any restore,
    naming that queue, and does not tell the user to fix our topic's policy. Facts sheet: "S3 validates EVERY SNS /
    SQS / Lambda destination of the configuration on each write ... the error names the failing destinations
    (ArgumentName1 / ArgumentValue1, ...)"; moto row "no destination check (of any destination)"."""
    seed(s3, bucket, {"cold/one.dump": "GLACIER"})
    queue_arn = stale_queue_configuration(aws, bucket)
    before = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]

    status, result, _output = run(MODULE, f"bucket={bucket} key=cold/one.dump sns_topic_arn={topic_arn}")
    assert status == "FAILED!", result
    assert queue_arn in result["msg"], result["msg"]
    assert "SNS:Publish" not in result["msg"] and "aws:SourceArn" not in result["msg"], result["msg"]
    assert layer.requests("PutBucketNotificationConfiguration")[0]["failing_destinations"] == [queue_arn]
    assert module_restores(layer) == []
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="cold/one.dump")
    assert s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"] == before
    assert not our_topic_entries(s3, bucket, topic_arn)


def test_our_topic_failing_validation_shows_its_policy_statement(run, layer, s3, bucket, topic_arn):
    """When S3 names our topic, the message shows the statement to add: SNS:Publish for s3.amazonaws.com on the
    bucket's ARN and the bucket owner's account. Facts sheet: "The fix for our own topic is a topic policy statement
    ... aws:SourceAccount = the BUCKET OWNER's account"."""
    seed(s3, bucket, {"cold/one.dump": "GLACIER"})
    layer.broken_destinations.add(topic_arn)

    status, result, _output = run(MODULE, f"bucket={bucket} key=cold/one.dump sns_topic_arn={topic_arn}")
    assert status == "FAILED!", result
    assert topic_arn in result["msg"]
    for part in ("SNS:Publish", "s3.amazonaws.com", f"arn:aws:s3:::{bucket}", "123456789012"):
        assert part in result["msg"], (part, result["msg"])
    assert module_restores(layer) == []


# -- (d) the overlap rule -----------------------------------------------------------------------------------------


def test_an_unrelated_restore_event_rule_does_not_block_a_restore(run, layer, aws, s3, bucket, topic_arn):
    """A queue already receives the restore events of logs/: an unfiltered addition for our topic would overlap it,
    so the module adds the narrowest configuration that covers what it restores, and S3's overlap rule accepts it;
    the queue's rule is kept as it was. The layer reads rule names back capitalised, as AWS does. Facts sheet,
    "Overlap rule, across ALL destinations of the bucket" and "GetBucketNotificationConfiguration returns rule names
    capitalised"; moto rows "no overlap check", "a `Prefix` (capitalised) rule name crashes it"."""
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=f"{bucket}-logs")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    theirs = {"Id": "logs-restores", "QueueArn": queue_arn, "Events": ["s3:ObjectRestore:*"],
              "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "logs/"}]}}}
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [theirs]})
    seed(s3, bucket, {"db/2019/a.dump": "GLACIER", "db/2019/b.dump": "DEEP_ARCHIVE"})

    status, result, _output = run(MODULE, f"bucket={bucket} prefix=db/ sns_topic_arn={topic_arn}")
    assert status == "CHANGED", result.get("msg")
    assert [entry["status"] for entry in layer.requests("PutBucketNotificationConfiguration")] == [200]
    assert s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"] == [theirs]
    ours = our_topic_entries(s3, bucket, topic_arn)
    assert len(ours) == 1, ours
    rules = {rule["Name"].lower(): rule["Value"] for rule in ours[0].get("Filter", {}).get("Key", {}).get("FilterRules", [])}
    assert rules.get("prefix", "").startswith("db/"), ours  # covers what is restored, not logs/
    assert all(key.startswith(rules["prefix"]) for key in ("db/2019/a.dump", "db/2019/b.dump"))
    assert sorted(key for key, code, _days, _tier in module_restores(layer) if code == 202) == ["db/2019/a.dump", "db/2019/b.dump"]


# -- (b) a notification change takes time to act ---------------------------------------------------------------


def test_restores_sent_right_after_a_notification_change_get_a_warning(run, layer, s3, bucket, topic_arn):
    """Facts sheet, "Propagation and consistency": "it usually takes about five minutes for the changes to take
    effect ... the restores sent right after a change may produce no events"; moto row "notification changes act at
    once"."""
    seed(s3, bucket, {"cold/one.dump": "GLACIER"})
    status, result, output = run(MODULE, f"bucket={bucket} key=cold/one.dump sns_topic_arn={topic_arn}")
    assert status == "CHANGED", result.get("msg")
    assert layer.restores_without_events(bucket) == ["cold/one.dump"]
    assert re.search(r"WARNING.*notification.*five minutes", " ".join(output.split()), re.IGNORECASE), output[-3000:]


def test_notification_wait_sends_the_restores_once_the_change_has_taken_effect(run, layer, s3, bucket, topic_arn):
    """With notification_wait, the first restore goes only after the change had the time to take effect. Facts
    sheet, "Propagation and consistency" (five minutes on AWS; two seconds in this layer)."""
    seed(s3, bucket, {"cold/one.dump": "GLACIER"})
    layer.propagation_seconds = 2
    status, result, _output = run(MODULE, f"bucket={bucket} key=cold/one.dump sns_topic_arn={topic_arn} notification_wait=3")
    assert status == "CHANGED", result.get("msg")
    assert module_restores(layer) == [("cold/one.dump", 202, 7, "Standard")]
    assert layer.restores_without_events(bucket) == []


# -- (i) throttling ------------------------------------------------------------------------------------------------


def test_throttling_above_a_rate_slows_the_run_and_restores_each_object_once(run, layer, s3, bucket):
    """Above the restore request rate S3 answers 503 SlowDown; the run backs off, succeeds, and every archived object
    is restored exactly once. Facts sheet, RestoreObject: "capped at 1,000 requests per second per account ...
    beyond it, ThrottlingException / 503 SlowDown"."""
    specs = {f"flood/{number:02d}.dump": ("GLACIER", "DEEP_ARCHIVE", "STANDARD")[number % 3] for number in range(45)}
    seed(s3, bucket, specs)
    archived = sorted(key for key, storage_class in specs.items() if storage_class != "STANDARD")
    rate, burst = 10, 3
    layer.throttle("RestoreObject", rate=rate, burst=burst)

    status, result, _output = run(MODULE, f"bucket={bucket} prefix=flood/ status_source=head concurrency=4 tier=Bulk")
    assert status == "CHANGED", result.get("msg")
    assert result["summary"]["restore_requested"] == len(archived) == 30
    assert result["summary"]["failed"] == 0
    throttled = [entry for entry in layer.requests("RestoreObject") if entry["status"] == 503]
    assert throttled and {entry["code"] for entry in throttled} == {"SlowDown"}
    accepted = layer.accepted_restores()
    assert sorted(accepted) == archived and set(accepted.values()) == {1}
    assert layer.restore_statuses().keys() == {202, 503}
    times = sorted(entry["at"] for entry in layer.requests("RestoreObject") if entry["status"] == 202)
    assert times[-1] - times[0] >= (len(archived) - burst) / rate - 0.5, "the restores were not spread out"


# -- (e) expired copies ------------------------------------------------------------------------------------------


def seed_expired(layer, s3, bucket, keys):
    seed(s3, bucket, {key: "GLACIER" for key in keys})
    expired = datetime.datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - datetime.timedelta(days=2)
    for key in keys:
        layer.seed_restored(bucket, key, expired)


def test_an_expired_copy_is_reported_archived(run, layer, s3, bucket):
    """An expiry-date in the past: the copy is gone (or going), the object is archived again, in HEAD and listing
    paths alike. Facts sheet, HeadObject: "An expiry-date in the past does not mean the copy is still there ... Treat
    such an object as archived (no longer readable), never as restored"."""
    seed_expired(layer, s3, bucket, ["old/a.dump", "old/b.dump"])
    status, by_head, _output = run(INFO_MODULE, f"bucket={bucket} key=old/a.dump")
    assert status == "SUCCESS", by_head
    assert by_head["objects"][0]["status"] == "archived", by_head["objects"][0]
    status, by_listing, _output = run(INFO_MODULE, f"bucket={bucket} prefix=old/ status_source=listing")
    assert status == "SUCCESS", by_listing
    assert by_listing["summary"]["archived"] == 2, by_listing["summary"]
    assert by_listing["summary"]["restored"] == 0


@pytest.mark.parametrize("selection", ["key=old/a.dump", "prefix=old/ status_source=listing"])
def test_an_expired_copy_gets_a_restore(run, layer, s3, bucket, selection):
    """The same object for s3_object_restore: archived, so restored (202, a new restore) and counted. Facts sheet, as
    above, and RestoreObject "202 Accepted: a new restore started"."""
    keys = ["old/a.dump"] if selection.startswith("key=") else ["old/a.dump", "old/b.dump"]
    seed_expired(layer, s3, bucket, keys)
    layer.restore_seconds.update(Standard=600)
    status, result, _output = run(MODULE, f"bucket={bucket} {selection}")
    assert status == "CHANGED", result
    assert result["summary"]["restore_requested"] == len(keys)
    assert result["summary"]["in_progress"] == len(keys)
    assert all(obj["action"] == "restore_requested" for obj in result["objects"])
    assert sorted(key for key, status_code, _days, _tier in module_restores(layer) if status_code == 202) == keys


# -- the scenarios of test_s3_object_restore_cli.py, through the layer ------------------------------------------


# Not run through the layer, and why:
NOT_THROUGH_THE_LAYER = {
    # It asserts that events arrive for restores sent right after the notification change, and that Completed
    # follows a read of the object: moto's instant propagation and Completed-on-read (facts sheet, "Propagation and
    # consistency"; moto rows "notification changes act at once", "restore event delivery").
    "test_restore_events_reach_the_topic": "asserts moto's instant propagation",
    # These reach no behaviour the layer changes (a HEAD 404, check mode's reads, ansible-doc): a second run would
    # cost CLI time and show nothing new.
    "test_bad_input_fails_with_a_clear_message": "a missing key reads the same",
    "test_check_mode_changes_nothing": "check mode sends no write",
    "test_ansible_doc_renders": "talks to no endpoint",
}
SCENARIOS = sorted(name for name in dir(plain_moto_scenarios)
                   if name.startswith("test_") and name not in NOT_THROUGH_THE_LAYER)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_existing_scenario_through_the_layer(scenario, request, layer):
    """The plain-moto scenario, its assertions unchanged, with restores that take a second and every other AWS
    behaviour of the layer on."""
    layer.restore_seconds.update(Expedited=1, Standard=1, Bulk=1)
    test = getattr(plain_moto_scenarios, scenario)
    test(**{name: request.getfixturevalue(name) for name in inspect.signature(test).parameters})
