# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The operator's first hour (issue 17), through `ansible` and `ansible-playbook` against a real moto_server.

Results that fit a screen, words that match the mode, no silent typo, a stable order, removing our own
notification configuration, a signalled module that still says what it sent, and the Expedited fallback.

moto_server is not AWS, so `status_source: auto` HEADs each archived object; moto completes a restore at once
unless its `s3::keyrestore` state manager holds it (facts sheet, "moto 5.2.5 versus AWS": "restore completes").
"""

from __future__ import annotations

import collections
import concurrent.futures
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid

import boto3
import pytest
from botocore.config import Config

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.dirname(sys.executable)
ANSIBLE = os.path.join(VENV_BIN, "ansible")
ANSIBLE_PLAYBOOK = os.path.join(VENV_BIN, "ansible-playbook")
RESTORE = "s3async.restore.s3_object_restore"
INFO = "s3async.restore.s3_object_restore_info"
# `localhost | CHANGED => {...}`: the default callback's one-host result line.
ADHOC_RESULT = re.compile(r"^localhost \| (CHANGED|SUCCESS|FAILED!) => (\{.*)\Z", re.DOTALL | re.MULTILINE)
# One `[WARNING]: ...` block of the CLI's output, up to where the next thing ansible prints begins (see Run.warnings).
WARNING_BLOCK = re.compile(r"\[WARNING\]: (.*?)(?=\n\n|\n\[|\nlocalhost \||\Z)", re.DOTALL)
CLASSES = ("GLACIER", "DEEP_ARCHIVE", "STANDARD")
ARCHIVED_CLASSES = ("GLACIER", "DEEP_ARCHIVE")
DEFAULT_MAX_RESULTS = 25
# What the issue measured before: 12,055 lines (433 KB) for an ad-hoc --check on 3,000 objects. A bounded result
# (25 objects, the summary, one msg) is a few hundred lines; these limits leave room and still catch a full list.
SCREEN_LINES = 800
SCREEN_BYTES = 40_000
CLI_TIMEOUT = 300
MiB = 1024 * 1024


# -- running the CLIs --------------------------------------------------------------------------------------------


class Run:
    """One `ansible localhost -m ...` run: its status word, its parsed result, and everything it printed."""

    def __init__(self, completed):
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.text = completed.stdout + completed.stderr
        match = ADHOC_RESULT.search(completed.stdout)
        assert match, f"no result line in ansible output:\n{completed.stdout[-5000:]}\n{completed.stderr[-5000:]}"
        self.status = match.group(1)
        self.result = json.JSONDecoder().raw_decode(match.group(2))[0]

    @property
    def msg(self):
        return self.result.get("msg", "")

    def warnings(self):
        """The `[WARNING]: ...` blocks ansible printed, each joined into one line.

        ansible-core before 2.19 wraps a warning at the terminal width with its continuation lines unindented, so a
        block ends where the next one starts (`[WARNING]`, `[DEPRECATION WARNING]`, `[ERROR]`), at a blank line, at
        a result line, or at the end, not at the first line that starts with a word.
        """
        return [" ".join(block.split()) for block in WARNING_BLOCK.findall(self.text)]


@pytest.fixture
def cli(aws_env):
    """cli(module, 'k=v ...', *flags) -> Run."""

    def run(module, module_args, *flags):
        completed = subprocess.run(
            [ANSIBLE, "localhost", "-m", module, "-a", module_args, *flags],
            env=aws_env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=CLI_TIMEOUT, check=False,
        )
        return Run(completed)

    return run


@pytest.fixture(scope="module")
def fast_s3(moto_endpoint):
    """A boto3 S3 client with a connection pool large enough for the seeding threads."""
    return boto3.client(
        "s3", region_name="us-east-1", endpoint_url=moto_endpoint,
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(max_pool_connections=32, retries={"mode": "standard", "max_attempts": 5}),
    )


def seed(s3, bucket, specs):
    """Put every object of {key: (storage class, size)}, 16 at a time (one by one, 3,000 puts take minutes)."""

    def put(item):
        key, (storage_class, size) = item
        s3.put_object(Bucket=bucket, Key=key, Body=b"x" * size, StorageClass=storage_class)

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(put, specs.items()))


def new_bucket(s3):
    name = f"fh-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def restore_header(s3, bucket, key):
    return s3.head_object(Bucket=bucket, Key=key).get("Restore")


def restore_headers(s3, bucket, keys):
    """{key: x-amz-restore header or None}, HEADed 16 at a time."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        return dict(zip(keys, pool.map(lambda key: restore_header(s3, bucket, key), keys)))


def readable_size(size):
    """The size as the module writes it in msg, for sizes between 1 MiB and 1 GiB (the seeds below)."""
    assert MiB <= size < 1024 * MiB, size
    return f"{size / MiB:.1f} MiB"


def restore_group(obj):
    """s3_object_restore's groups (RETURN objects): failures, then what a restore was requested for, then the rest."""
    if obj.get("error"):
        return 0
    return 1 if obj.get("action") == "restore_requested" else 2


def info_group(obj):
    """s3_object_restore_info's groups: the objects that could not be read first."""
    return 0 if obj.get("error") else 1


def assert_sorted_within_groups(objects, group_of):
    """The groups come in order, and each is sorted by key (then version)."""
    groups = [group_of(obj) for obj in objects]
    assert groups == sorted(groups), f"groups out of order: {groups}"
    for group in set(groups):
        keys = [(obj["key"], obj.get("version_id") or "") for obj in objects if group_of(obj) == group]
        assert keys == sorted(keys), f"group {group} is not sorted by key: {[key for key, _version in keys][:20]}"


def assert_fits_a_screen(run, lines=SCREEN_LINES, size=SCREEN_BYTES):
    printed = run.stdout + run.stderr
    assert printed.count("\n") < lines, f"{printed.count(chr(10))} lines printed"
    assert len(printed.encode()) < size, f"{len(printed.encode())} bytes printed"


# -- 1. results that fit a screen --------------------------------------------------------------------------------


def big_prefix_specs(count=3000):
    """logs/NNNNN.log, GLACIER / DEEP_ARCHIVE / STANDARD in turn, 1,000 to 1,600 bytes each (sizes in MiB)."""
    return {f"logs/{number:05d}.log": (CLASSES[number % 3], 1000 + (number % 7) * 100) for number in range(count)}


def test_a_3000_object_prefix_fits_a_screen_then_runs_then_has_nothing_to_do(cli, fast_s3):
    specs = big_prefix_specs()
    bucket = new_bucket(fast_s3)
    seed(fast_s3, bucket, specs)
    archived = sorted(key for key, (storage_class, _size) in specs.items() if storage_class in ARCHIVED_CLASSES)
    archived_bytes = sum(specs[key][1] for key in archived)
    target = f"s3://{bucket}/logs/*"

    plan = cli(RESTORE, f"bucket={bucket} prefix=logs/", "--check")
    assert plan.status == "CHANGED", plan.msg
    assert_fits_a_screen(plan)
    result = plan.result
    assert result["summary"]["total"] == 3000
    assert result["summary"]["restore_requested"] == len(archived) == 2000
    assert result["objects_truncated"] is True
    # the first 25 by key of what would be sent, whatever order the threads finished in
    assert [obj["key"] for obj in result["objects"]] == archived[:DEFAULT_MAX_RESULTS]
    assert {obj["action"] for obj in result["objects"]} == {"restore_requested"}
    assert_sorted_within_groups(result["objects"], restore_group)
    assert "\n" not in plan.msg
    assert plan.msg.startswith(f"{target}: would request 2,000 restores ({readable_size(archived_bytes)})"), plan.msg
    assert "DEEP_ARCHIVE 1,000, GLACIER 1,000, STANDARD 1,000" in plan.msg, plan.msg
    assert restore_header(fast_s3, bucket, archived[0]) is None, "check mode sent a restore"

    # The full list on request: every object, what was sent first, each group by key.
    first = cli(RESTORE, f"bucket={bucket} prefix=logs/ list_objects=all max_results=0")
    assert first.status == "CHANGED", first.msg
    assert first.msg.startswith(f"{target}: requested 2,000 restores ({readable_size(archived_bytes)})"), first.msg
    assert first.result["objects_truncated"] is False
    assert len(first.result["objects"]) == first.result["summary"]["total"] == 3000
    assert [obj["key"] for obj in first.result["objects"]] == archived + sorted(set(specs) - set(archived))
    assert_sorted_within_groups(first.result["objects"], restore_group)
    headers = restore_headers(fast_s3, bucket, [archived[0], archived[-1]])
    assert all(headers.values()), headers

    second = cli(RESTORE, f"bucket={bucket} prefix=logs/")
    assert second.status == "SUCCESS", second.msg
    assert second.result["changed"] is False
    assert second.msg.startswith(f"{target}: no restore needed; 3,000 objects"), second.msg
    assert second.result["objects"] == []
    assert second.result["objects_truncated"] is False
    assert second.result["summary"]["restore_requested"] == 0
    assert_fits_a_screen(second, lines=150, size=8_000)


def test_a_playbook_prints_the_msg_and_a_bounded_result(aws_env, sample_bucket, tmp_path):
    """With -v the default callback prints the whole result on one line: it must stay readable, msg first."""
    playbook = tmp_path / "plan.yml"
    playbook.write_text(
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - name: What would a restore of the prefix send\n"
        f"      {RESTORE}:\n"
        "        bucket: \"{{ bucket }}\"\n"
        "        prefix: order/\n"
        "      check_mode: true\n"
        "      register: plan\n"
        "    - name: Say it\n"
        "      ansible.builtin.debug:\n"
        "        var: plan.msg\n",
        encoding="utf-8",
    )
    completed = subprocess.run(
        [ANSIBLE_PLAYBOOK, str(playbook), "-v", "-e", json.dumps({"bucket": sample_bucket.name})],
        env=aws_env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=CLI_TIMEOUT, check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    printed = completed.stdout + completed.stderr
    assert len(printed.encode()) < SCREEN_BYTES, len(printed.encode())
    assert max(len(line) for line in printed.splitlines()) < 20_000
    expected = f"s3://{sample_bucket.name}/order/*: would request {sample_bucket.archived:,} restores"
    assert re.search(rf'"plan\.msg": "{re.escape(expected)}', completed.stdout), completed.stdout[-3000:]


# -- 2. words that match the mode --------------------------------------------------------------------------------


def test_check_mode_on_a_key_says_would_and_diffs_to_in_progress(cli, aws, bucket):
    s3 = aws("s3")
    s3.put_object(Bucket=bucket, Key="db/dump.sql", Body=b"x" * 10, StorageClass="GLACIER")

    run = cli(RESTORE, f"bucket={bucket} key=db/dump.sql", "--check", "--diff")
    assert run.status == "CHANGED", run.msg
    assert run.result["changed"] is True
    assert run.msg.startswith(f"s3://{bucket}/db/dump.sql: would request 1 restore (10 bytes)"), run.msg
    assert restore_header(s3, bucket, "db/dump.sql") is None, "check mode sent the restore"
    # The default callback prints the diff before the result: before archived, after what the restore would make.
    diff = run.stdout[run.stdout.index("--- before"):run.stdout.index("localhost |")]
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert any("db/dump.sql" in line and '"archived"' in line for line in removed), diff
    assert any("db/dump.sql" in line and '"in_progress"' in line for line in added), diff


def test_money_guards_in_check_mode_say_would_be_sent(cli, aws, bucket):
    s3 = aws("s3")
    for number in range(5):
        s3.put_object(Bucket=bucket, Key=f"cold/{number}", Body=b"x", StorageClass="GLACIER")

    threshold = cli(RESTORE, f"bucket={bucket} prefix=cold/ batch_operations_threshold=2", "--check")
    assert threshold.status == "FAILED!", threshold.msg
    assert re.search(r"\d+ restore request\(s\) would be sent", threshold.msg), threshold.msg
    assert "s3async.restore.s3_restore_job" in threshold.msg

    capped = cli(RESTORE, f"bucket={bucket} prefix=cold/ max_restores=2", "--check")
    assert capped.status == "FAILED!", capped.msg
    assert "2 restore(s) would be sent" in capped.msg, capped.msg
    assert "3 archived object(s) left as they are" in capped.msg, capped.msg
    assert capped.result["summary"]["restore_requested"] == 2

    for message in (threshold.msg, capped.msg):
        assert not re.search(r"\b(were|was) sent\b|request\(s\) sent\b", message), message
    assert all(restore_header(s3, bucket, f"cold/{number}") is None for number in range(5)), "check mode sent a restore"


# -- 3. no silent typo -------------------------------------------------------------------------------------------


def test_a_prefix_that_matches_nothing_warns_and_says_so(cli, aws, bucket):
    aws("s3").put_object(Bucket=bucket, Key="logs/app.log", Body=b"x", StorageClass="GLACIER")

    restore = cli(RESTORE, f"bucket={bucket} prefix=Logs/")
    assert restore.status == "SUCCESS", restore.msg
    assert restore.result["summary"]["total"] == 0
    assert any("'Logs/'" in warning and "matched no object" in warning for warning in restore.warnings()), restore.text
    assert restore.msg.startswith(f"s3://{bucket}/Logs/*: nothing matched"), restore.msg
    assert restore_header(aws("s3"), bucket, "logs/app.log") is None

    info = cli(INFO, f"bucket={bucket} prefix=Logs/")
    assert info.status == "SUCCESS", info.msg
    assert info.result["summary"]["matched_nothing"] is True
    assert "nothing matched" in info.msg, info.msg
    assert any("'Logs/'" in warning and "matched no object" in warning for warning in info.warnings()), info.text

    right = cli(INFO, f"bucket={bucket} prefix=logs/")
    assert right.result["summary"]["matched_nothing"] is False
    assert right.result["summary"]["archived"] == 1


def test_a_missing_bucket_reads_the_same_on_the_prefix_and_the_key_path(cli):
    missing = f"fh-missing-{uuid.uuid4().hex[:8]}"
    expected = f"Bucket '{missing}' does not exist"

    by_prefix = cli(RESTORE, f"bucket={missing} prefix=logs/")
    by_key = cli(RESTORE, f"bucket={missing} key=logs/app.log")
    assert by_prefix.status == by_key.status == "FAILED!"
    assert by_prefix.msg.startswith(expected), by_prefix.msg
    assert by_prefix.msg == by_key.msg
    # not a raw botocore error dump (fail_json_aws adds the error and its response metadata)
    assert "ListObjectsV2" not in by_prefix.msg
    assert "response_metadata" not in by_prefix.result and "error" not in by_prefix.result


def test_a_key_given_as_an_s3_uri_is_refused_before_any_call(cli):
    # The bucket does not exist: a call to S3 would have failed with "does not exist", not with the hint.
    missing = f"fh-missing-{uuid.uuid4().hex[:8]}"
    run = cli(RESTORE, f"bucket={missing} key=s3://{missing}/db/dump.sql")
    assert run.status == "FAILED!"
    assert f"bucket='{missing}'" in run.msg, run.msg
    assert "key='db/dump.sql'" in run.msg, run.msg
    assert "does not exist" not in run.msg


def test_days_far_beyond_a_usual_retention_is_warned_about(cli, aws, bucket):
    aws("s3").put_object(Bucket=bucket, Key="db/dump.sql", Body=b"x", StorageClass="GLACIER")
    run = cli(RESTORE, f"bucket={bucket} key=db/dump.sql days=700", "--check")
    assert run.status == "CHANGED", run.msg
    assert any("days=700" in warning and "typo" in warning for warning in run.warnings()), run.text

    usual = cli(RESTORE, f"bucket={bucket} key=db/dump.sql days=7", "--check")
    assert not any("days=" in warning for warning in usual.warnings()), usual.text


def moto_state_manager(moto_endpoint, action, body):
    request = urllib.request.Request(
        f"{moto_endpoint}/moto-api/state-manager/{action}", data=json.dumps(body).encode(), method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


@pytest.fixture
def restores_held_in_progress(moto_endpoint):
    """moto's `s3::keyrestore` state manager advances a restore one step per `times` reads of the object (moto
    starts a restore as done; the first step makes it in progress, the second restored). The returned hold()
    waits for the key to read as in progress, then makes the next step practically never come."""

    def hold(s3, bucket, key):
        deadline = time.monotonic() + 10
        while 'ongoing-request="true"' not in (restore_header(s3, bucket, key) or ""):
            assert time.monotonic() < deadline, "moto never showed the restore in progress"
        moto_state_manager(moto_endpoint, "set-transition",
                           {"model_name": "s3::keyrestore", "transition": {"progression": "manual", "times": 1_000_000}})

    moto_state_manager(moto_endpoint, "set-transition",
                       {"model_name": "s3::keyrestore", "transition": {"progression": "manual", "times": 1}})
    try:
        yield hold
    finally:
        moto_state_manager(moto_endpoint, "unset-transition", {"model_name": "s3::keyrestore"})


def test_a_wait_timeout_shorter_than_the_tier_takes_is_said_up_front(cli, aws, bucket, restores_held_in_progress):
    s3 = aws("s3")
    s3.put_object(Bucket=bucket, Key="deep/vault.tar", Body=b"x", StorageClass="DEEP_ARCHIVE")
    s3.restore_object(Bucket=bucket, Key="deep/vault.tar",
                      RestoreRequest={"Days": 2, "GlacierJobParameters": {"Tier": "Bulk"}})
    restores_held_in_progress(s3, bucket, "deep/vault.tar")

    # wait_timeout=2 rather than 60 keeps the test short; any value under Bulk's 48 hours must be warned about.
    run = cli(RESTORE, f"bucket={bucket} key=deep/vault.tar state=restored tier=Bulk wait_timeout=2 wait_delay=1")
    assert run.status == "FAILED!", run.msg
    assert run.result["objects"][0]["status"] == "in_progress"
    assert run.result.get("pending_keys") == ["deep/vault.tar"]
    warnings = [warning for warning in run.warnings() if "wait_timeout=2" in warning]
    assert warnings, run.text
    assert "48 hours" in warnings[0] and "Bulk" in warnings[0], warnings[0]


# -- 4. stable order ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_bucket(fast_s3):
    """300 objects under order/ in mixed classes, some restored already; read-only for the tests that use it."""
    specs = {f"order/{number:04d}-{'abc'[number % 3]}.csv": (CLASSES[number % 3], 1000 + number) for number in range(300)}
    name = new_bucket(fast_s3)
    seed(fast_s3, name, specs)
    for key in [key for key, (storage_class, _size) in specs.items() if storage_class != "STANDARD"][::10]:
        fast_s3.restore_object(Bucket=name, Key=key, RestoreRequest={"Days": 1})
    restored = restore_headers(fast_s3, name, [key for key, (storage_class, _size) in specs.items()
                                               if storage_class != "STANDARD"])
    return collections.namedtuple("SampleBucket", "name specs archived")(
        name, specs, sum(1 for header in restored.values() if header is None))


def test_two_runs_list_the_same_objects_in_the_same_order(cli, sample_bucket):
    args = f"bucket={sample_bucket.name} prefix=order/ list_objects=all max_results=0 concurrency=8"
    first = cli(INFO, args)
    second = cli(INFO, args)
    assert first.status == second.status == "SUCCESS", (first.msg, second.msg)
    assert len(first.result["objects"]) == 300
    assert first.result["objects"] == second.result["objects"]
    assert_sorted_within_groups(first.result["objects"], info_group)
    assert {obj["status"] for obj in first.result["objects"]} == {"archived", "restored", "not_archived"}


# -- 5. removing our own notification configuration ---------------------------------------------------------------


def notification_of(s3, bucket):
    configuration = s3.get_bucket_notification_configuration(Bucket=bucket)
    configuration.pop("ResponseMetadata", None)
    return configuration


def test_notification_state_absent_removes_ours_and_keeps_theirs(cli, aws, bucket):
    s3, sns = aws("s3"), aws("sns")
    ours = sns.create_topic(Name=f"{bucket}-ours")["TopicArn"]
    other = sns.create_topic(Name=f"{bucket}-theirs")["TopicArn"]
    s3.put_object(Bucket=bucket, Key="db/dump.sql", Body=b"x", StorageClass="GLACIER")

    added = cli(RESTORE, f"bucket={bucket} key=db/dump.sql sns_topic_arn={ours}")
    assert added.status == "CHANGED", added.msg
    assert added.result["notification"]["action"] == "added"
    [our_configuration] = notification_of(s3, bucket)["TopicConfigurations"]
    assert our_configuration["Id"].startswith("s3async-restore-"), our_configuration
    assert our_configuration["TopicArn"] == ours

    theirs = {"Id": "theirs", "TopicArn": other, "Events": ["s3:ObjectCreated:*"]}
    configuration = notification_of(s3, bucket)
    configuration["TopicConfigurations"].append(theirs)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=configuration)
    before = notification_of(s3, bucket)

    args = f"bucket={bucket} key=db/dump.sql sns_topic_arn={ours} notification_state=absent"
    plan = cli(RESTORE, args, "--check", "--diff")
    assert plan.status == "CHANGED", plan.msg
    assert plan.result["notification"]["action"] == "removed"
    assert plan.result["notification"]["removed"] == [our_configuration["Id"]]
    assert "would be changed" in plan.msg, plan.msg
    assert notification_of(s3, bucket) == before, "check mode wrote the notification configuration"
    diff = plan.stdout[plan.stdout.index("--- before"):plan.stdout.index("localhost |")]
    assert any(line.startswith("-") and our_configuration["Id"] in line for line in diff.splitlines()), diff

    removed = cli(RESTORE, args)
    assert removed.status == "CHANGED", removed.msg
    assert removed.result["notification"]["action"] == "removed"
    assert removed.result["notification"]["removed"] == [our_configuration["Id"]]
    assert notification_of(s3, bucket) == {"TopicConfigurations": [theirs]}

    again = cli(RESTORE, args)
    assert again.status == "SUCCESS", again.msg
    assert again.result["notification"]["changed"] is False
    assert notification_of(s3, bucket) == {"TopicConfigurations": [theirs]}


# -- 6. a signalled module ends with the result so far -----------------------------------------------------------


def process_tree():
    """{parent pid: [child pids]} of every live process (Linux /proc)."""
    children = collections.defaultdict(list)
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", encoding="utf-8") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children[int(fields[1])].append(int(name))
    return children


def descendants(root):
    children, found, queue = process_tree(), [], [root]
    while queue:
        for child in children.get(queue.pop(0), []):
            found.append(child)
            queue.append(child)
    return found


def command_line(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return [part.decode(errors="replace") for part in handle.read().split(b"\0") if part]
    except OSError:
        return []


def module_process(root):
    """The python process that runs the module, among `root`'s descendants (not the /bin/sh that started it)."""
    for pid in descendants(root):
        args = command_line(pid)
        if args and "python" in os.path.basename(args[0]) and any("AnsiballZ_s3_object_restore" in arg for arg in args):
            return pid
    return None


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="finds the module process through /proc")
def test_sigterm_to_the_module_mid_run_leaves_a_result_of_what_was_sent(aws_env, fast_s3, tmp_path):
    # Enough that the module is still busy when the first restores show (it had sent 7 of 2,000 when signalled
    # in a trial run), few enough that seeding and checking them stays quick.
    total = 1000
    keys = [f"big/{number:05d}" for number in range(total)]
    bucket = new_bucket(fast_s3)
    seed(fast_s3, bucket, {key: ("GLACIER", 1) for key in keys})
    output = tmp_path / "ansible.out"
    command = [ANSIBLE, "localhost", "-m", RESTORE, "-a",
               f"bucket={bucket} prefix=big/ concurrency=2 list_objects=all max_results=0"]
    with open(output, "w", encoding="utf-8") as stdout:
        process = subprocess.Popen(command, env=aws_env, cwd=REPO_ROOT, stdout=stdout, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    module_pid = None
    try:
        module_pid = wait_for(lambda: module_process(process.pid), 60, "the module process")
        # Restores go out in listing order, `concurrency` at a time: the first keys are restored first.
        wait_for(lambda: any(restore_header(fast_s3, bucket, key) for key in keys[:4]), 60, "the first restores")
        os.kill(module_pid, signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            for pid in [module_pid] + descendants(process.pid) + [process.pid]:
                if pid:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            process.wait(timeout=30)

    run = Run(subprocess.CompletedProcess(command, process.returncode, output.read_text(encoding="utf-8"), ""))
    result = run.result
    assert run.status == "FAILED!", run.msg
    assert run.msg.startswith("Interrupted by SIGTERM"), run.msg
    assert result["interrupted"] == "SIGTERM"
    requested = result["summary"]["restore_requested"]
    print(f"\nSIGTERM after {requested} of {total} restores")
    assert 0 < requested < total, f"{requested} restores reported: the signal did not land mid-run"
    # Nothing sent goes unreported: what S3 shows restored is exactly what the result says was requested.
    sent = sorted(key for key, header in restore_headers(fast_s3, bucket, keys).items() if header)
    assert len(sent) == requested
    assert sorted(obj["key"] for obj in result["objects"] if obj["action"] == "restore_requested") == sent


# -- 7. Expedited where S3 allows it, else Standard --------------------------------------------------------------


def test_expedited_with_a_standard_fallback_on_a_mixed_prefix(cli, aws, bucket):
    s3 = aws("s3")
    classes = {f"mixed/{number:02d}.bin": ARCHIVED_CLASSES[number % 2] for number in range(8)}
    for key, storage_class in classes.items():
        s3.put_object(Bucket=bucket, Key=key, Body=b"x", StorageClass=storage_class)

    run = cli(RESTORE, f"bucket={bucket} prefix=mixed/ tier=Expedited tier_fallback=Standard")
    assert run.status == "CHANGED", run.msg
    assert run.result["summary"]["restore_requested"] == 8
    assert run.result["summary"]["failed"] == 0
    # moto ignores the tier (facts sheet): the module's result says which tier each request used.
    tiers = {obj["key"]: obj["tier"] for obj in run.result["objects"]}
    assert tiers == {key: "Expedited" if storage_class == "GLACIER" else "Standard"
                     for key, storage_class in classes.items()}
    fallback = [warning for warning in run.warnings() if "tier_fallback" in warning]
    assert fallback, run.text
    assert "4 object(s)" in fallback[0] and "Standard" in fallback[0], fallback[0]
