# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark: requests and detection delay of a wait for 2,000 restores, on the restore events against polling.

Run from the repository root, after scripts/setup.sh:

    .venv/bin/python tests/benchmarks/bench_event_wait.py                  # 2,000 objects, Standard from GLACIER
    .venv/bin/python tests/benchmarks/bench_event_wait.py --objects 500 --drop 0.1 --sweep-intervals 900 --json out.json

Both waits run the collection's own code (object_restore.wait_until_readable, event_wait.EventWait) against moto's
in-process S3, SNS and SQS, on a simulated clock: the restores finish at times drawn uniformly over AWS's published
window for a Standard restore from GLACIER (3 to 5 hours, restoring-objects), and the benchmark finishes each one
in moto (a HEAD of its own, on which moto sends s3:ObjectRestore:Completed) as the simulated clock passes it.
--drop removes that share of the events (the bucket routes nothing for those objects), which the sweep must find.

Reported: the requests each wait sent (by operation, counted on its own clients only), and the detection delay
(simulated seconds from a restore's end to the wait seeing it readable): median, 95th percentile and maximum.
docs/waiting.md records the figures. Nothing here is collected by pytest (no test_*.py name).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import statistics
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, ".collections"))
for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", "us-east-1")):
    os.environ.setdefault(name, value)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper  # noqa: E402
from moto.moto_api import state_manager  # noqa: E402

from ansible_collections.s3async.restore.plugins.module_utils import event_wait  # noqa: E402
from ansible_collections.s3async.restore.plugins.module_utils import object_restore  # noqa: E402
from ansible_collections.s3async.restore.plugins.module_utils import sqs_api  # noqa: E402
from ansible_collections.s3async.restore.plugins.module_utils.object_results import object_id  # noqa: E402
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket  # noqa: E402

BUCKET = "bench-bucket"
HOLD = {"progression": "manual", "times": 1_000_000}
WINDOW = (3 * 3600, 5 * 3600)


class Restores:
    """The objects, their (simulated) completion times, and the finishing of the due ones in moto."""

    def __init__(self, s3, count, drop, seed):
        rng = random.Random(seed)
        self.s3 = s3
        self.keys = [f"data/{number:05d}.bin" for number in range(count)]
        self.done_at = {key: rng.uniform(*WINDOW) for key in self.keys}
        self.dropped = set(rng.sample(self.keys, int(count * drop)))
        self.finished = set()

    def start(self):
        state_manager.set_transition(model_name="s3::keyrestore", transition={"progression": "manual", "times": 1})
        for key in self.keys:
            self.s3.put_object(Bucket=BUCKET, Key=key, Body=b"x", StorageClass="GLACIER")
            self.s3.restore_object(Bucket=BUCKET, Key=key, RestoreRequest={"Days": 1})
            self.s3.head_object(Bucket=BUCKET, Key=key)
        state_manager.set_transition(model_name="s3::keyrestore", transition=HOLD)

    def finish_due(self, now, notification):
        due = sorted(key for key in self.keys if key not in self.finished and self.done_at[key] <= now)
        for key in due:
            # A dropped event: the bucket routes nothing while this restore ends.
            self.s3.put_bucket_notification_configuration(
                Bucket=BUCKET, NotificationConfiguration={} if key in self.dropped else notification)
            state_manager.set_transition(model_name="s3::keyrestore", transition={"progression": "immediate"})
            self.s3.head_object(Bucket=BUCKET, Key=key)
            state_manager.set_transition(model_name="s3::keyrestore", transition=HOLD)
            self.finished.add(key)


class SimulatedClock:
    """monotonic() and sleep() in simulated seconds; each sleep lets the restores due by then finish."""

    def __init__(self, restores, notification):
        self.now = 0.0
        self.restores = restores
        self.notification = notification

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        self.restores.finish_due(self.now, self.notification)


def counting(client, counts):
    def count(model, **_kwargs):
        counts[model.name] += 1
    client.meta.events.register("before-call.*.*", count)
    return client


def module_bucket(client):
    """S3Bucket on a client wrapped as AnsibleAWSModule wraps it (its calls take aws_retry)."""
    return S3Bucket(RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=1)), BUCKET)


def run(kind, count, drop, seed, sweep_interval=900):
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        topic_arn = boto3.client("sns").create_topic(Name="restore-events")["TopicArn"]
        notification = {"TopicConfigurations": [{"TopicArn": topic_arn, "Events": ["s3:ObjectRestore:*"]}]}
        s3.put_bucket_notification_configuration(Bucket=BUCKET, NotificationConfiguration=notification)
        restores = Restores(s3, count, drop, seed)
        restores.start()
        counts = collections.Counter()
        bucket = module_bucket(counting(boto3.client("s3"), counts))
        pending = {}
        for key in restores.keys:
            obj = object_restore.read_object(module_bucket(s3), key)
            pending[object_id(obj)] = obj
        clock = SimulatedClock(restores, notification)
        seen_at = {}
        watch = object_restore.Watch(None, False, 0, 16)
        real_settle = object_restore.settle_round

        def settle(pending_now, readings):
            finished = real_settle(pending_now, readings)
            seen_at.update({obj["key"]: clock.now for obj in finished})
            return finished

        object_restore.settle_round = settle
        try:
            if kind == "polling":
                object_restore.wait_until_readable(bucket, pending, watch, 8 * 3600, 60, clock)
            else:
                sqs_api.LONG_POLL_SECONDS = 0  # the simulated clock waits out each round
                queues = sqs_api.EventQueues(counting(boto3.client("sqs"), counts), counting(boto3.client("sns"), counts))
                waiting = event_wait.EventWait(bucket, queues, watch, event_wait.EventWaitSettings(None, topic_arn, 8 * 3600, sweep_interval), clock)
                real_apply = waiting.apply

                def apply(events, pending_now):
                    before = set(pending_now)
                    used = real_apply(events, pending_now)
                    seen_at.update({object_key: clock.now for object_key, _version in before - set(pending_now)})
                    return used

                waiting.apply = apply
                waiting.run(pending)
        finally:
            object_restore.settle_round = real_settle
            state_manager.unset_transition("s3::keyrestore")
        delays = sorted(seen_at[key] - restores.done_at[key] for key in restores.keys if key in seen_at)
        return {
            "wait": kind if kind == "polling" else f"events, sweep every {sweep_interval} s", "objects": count,
            "dropped_events": len(restores.dropped), "readable": len(seen_at),
            "requests": dict(sorted(counts.items())), "requests_total": sum(counts.values()),
            "delay_median_s": round(statistics.median(delays), 1),
            "delay_p95_s": round(delays[int(len(delays) * 0.95) - 1], 1), "delay_max_s": round(delays[-1], 1),
            "finished_at_s": round(clock.now, 1),
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--drop", type=float, default=0.01, help="share of the Completed events S3 never sends")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--sweep-intervals", default="900,3600",
                        help="wait_sweep_interval values to run the event wait with")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    figures = [run("polling", args.objects, args.drop, args.seed)]
    figures += [run("events", args.objects, args.drop, args.seed, int(interval)) for interval in args.sweep_intervals.split(",")]
    for figure in figures:
        print(json.dumps(figure))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=1)


if __name__ == "__main__":
    main()
