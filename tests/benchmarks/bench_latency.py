# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark: restores per second at AWS-like latency, the module beside the best hand-tuned boto3 client.

Run from the repository root, after scripts/setup.sh:

    .venv/bin/python tests/benchmarks/bench_latency.py                       # 6,000 objects, 30 and 100 ms
    .venv/bin/python tests/benchmarks/bench_latency.py --repeat 3            # medians of 3 (docs/performance.md)
    .venv/bin/python tests/benchmarks/bench_latency.py --objects 20000 --latency 0.03,0.1 --json out.json
    .venv/bin/python tests/benchmarks/bench_latency.py --memory-only --objects 100000
    .venv/bin/python tests/benchmarks/bench_latency.py --throttle-only

docs/performance.md ("Throughput at AWS latency") explains the method and records the figures; the plot
(docs/images/throughput.png, --plot) is drawn with matplotlib, which is installed into the running interpreter's
environment with pip when it is missing (a benchmark-only dependency; --no-plot skips it).

The server is tests/benchmarks/latency_s3_server.py, in a child process: every key a GLACIER object never
restored, answers after --latency seconds. Its own capacity is measured first with zero latency by a load of
raw HTTP requests (no botocore), so that a figure below it is the client's limit, not the server's.

Then, for each latency:
  client   boto3, the best a hand-tuned tool can do where listings are trusted: ListObjectsV2 pages with
           RestoreStatus, one RestoreObject per object, on a pool of --threads (each count a separate run).
  module   `ansible localhost -m s3async.restore.s3_object_restore` with endpoint_url and status_source=listing
           (listings trusted, as on AWS): with its default options, and with each concurrency of --threads.
Restores per second are counted at the server: restores accepted over the time from the first to the last
RestoreObject that arrived (the steady rate, which is what a 100,000-object run sees); the wall-time rate
(restores over the child's whole run, start-up included) is reported beside it.

--throttle-only: the server answers 503 SlowDown above --throttle-rate restores per second; the client, with the
module's retry attempts, runs with botocore's "standard" and "adaptive" retry modes, and the module once.

Nothing here is collected by pytest (no test_*.py name).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from latency_s3_server import admin  # noqa: E402  pylint: disable=wrong-import-position

SERVER_SCRIPT = os.path.join(HERE, "latency_s3_server.py")
MODULE_FILE = os.path.join(REPO_ROOT, "plugins", "modules", "s3_object_restore.py")
MODULE_FQCN = "s3async.restore.s3_object_restore"
PLOT_FILE = os.path.join(REPO_ROOT, "docs", "images", "throughput.png")
REGION = "us-east-1"
BUCKET = "latency-bench"
PREFIX = "bench/"
DAYS = 7
# The module's botocore retry attempts (plugins/module_utils/aws_clients.py), for the client's throttling runs.
MODULE_MAX_ATTEMPTS = 8
QUOTA = 1000  # restore requests per second per account (facts sheet, "RestoreObject")


# -- the server ---------------------------------------------------------------------------------------------------

class ServerProcess:
    """latency_s3_server.py in a child process."""

    def __init__(self):
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, SERVER_SCRIPT, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            raise RuntimeError(f"the stand-in server did not start: {line!r}")
        self.endpoint = f"http://127.0.0.1:{int(line.split()[1])}"

    def reset(self, objects, latency, throttle=None):
        admin(self.endpoint, "reset", objects=objects, prefix=PREFIX, bucket=BUCKET, latency=latency, throttle=throttle)

    def stats(self):
        return admin(self.endpoint, "stats")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=15)
        self.process.stdout.close()


def server_capacity(server, seconds=5.0, processes=2, threads=16):
    """(requests per second the server answered at zero latency under a load of `processes` children of raw
    keep-alive HTTP RestoreObject requests, requests per CPU second of the server).

    On a 2-core machine the load competes with the server for the cores, so the first is a lower bound; the
    second is what one core gives the server (its requests never run in parallel: one interpreter, one GIL)."""
    cpu_before = server.stats()["cpu_s"]
    server.reset(objects=1, latency=0.0)
    children = [subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, os.path.abspath(__file__), "--worker", "load", "--endpoint", server.endpoint,
         "--threads", str(threads), "--seconds", str(seconds)], stdout=subprocess.PIPE, text=True)
        for _index in range(processes)]
    for child in children:
        child.communicate()
    stats = server.stats()
    arrivals = stats["restore_arrivals"]
    answered = len(arrivals) / (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else 0.0
    return answered, len(arrivals) / max(stats["cpu_s"] - cpu_before, 1e-9)


# -- running a child ----------------------------------------------------------------------------------------------

def child_env():
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "ANSIBLE_"))}
    env.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        ANSIBLE_CONFIG=os.path.join(REPO_ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        # The module file run alone finds the collections (ansible_collections.*) here; ansible ignores it.
        PYTHONPATH=os.path.join(REPO_ROOT, ".collections"),
    )
    return env


def run_child(command, timeout=3600):
    """(exit code, wall s, peak RSS MiB of the largest process waited for, CPU s, stdout, stderr)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(command, env=child_env(), cwd=REPO_ROOT, stdout=out, stderr=err,  # pylint: disable=consider-using-with
                                   stdin=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return (os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime,
                out.read().decode(errors="replace"), err.read().decode(errors="replace"))


def module_args(endpoint, options):
    args = {"bucket": BUCKET, "prefix": PREFIX, "endpoint_url": endpoint, "region": REGION,
            "status_source": "listing", "days": DAYS}
    args.update(options)
    return args


def module_command(endpoint, options, direct=False, workdir=None):
    if direct:
        # Ansible's module debugging entry point: the module file alone, its arguments in a file, the
        # collections on PYTHONPATH (as bench_prefix_restore.py's module-direct).
        args_file = os.path.join(workdir, "module-args.json")
        with open(args_file, "w", encoding="utf-8") as handle:
            json.dump({"ANSIBLE_MODULE_ARGS": module_args(endpoint, options)}, handle)
        return [sys.executable, MODULE_FILE, args_file]
    return [os.path.join(os.path.dirname(sys.executable), "ansible"), "localhost", "-m", MODULE_FQCN,
            "-a", json.dumps(module_args(endpoint, options))]


def measure(server, label, command, objects, latency, throttle=None, extra=None):
    """One run on a fresh state: what the server saw and what the child cost."""
    server.reset(objects, latency, throttle)
    server_cpu = server.stats()["cpu_s"]
    code, wall, rss, cpu, stdout, stderr = run_child(command)
    stats = server.stats()
    arrivals = stats.pop("restore_arrivals")
    accepted = stats["counts"].get("RestoreObject 202", 0)
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0
    requests = sum(stats["counts"].values())
    server_cpu = stats["cpu_s"] - server_cpu
    row = dict(label=label, latency_ms=round(latency * 1000), objects=objects, exit=code, wall_s=round(wall, 2),
               restores=accepted, restores_per_s=round(accepted / span, 1) if span else 0.0,
               wall_restores_per_s=round(accepted / wall, 1), requests=requests, counts=stats["counts"],
               throttled=stats["throttled"], cpu_s=round(cpu, 2), server_cpu_s=round(server_cpu, 2),
               cpu_ms_per_request=round(1000 * cpu / requests, 3) if requests else None, peak_rss_mib=round(rss, 1),
               **(extra or {}))
    if code != 0:
        row["output_tail"] = (stdout + stderr)[-600:]
    print(json.dumps({name: value for name, value in row.items() if name != "counts"}), file=sys.stderr, flush=True)
    return row


# -- workers, run in a child process of this file ----------------------------------------------------------------

def worker_client(endpoint, threads, retry_mode):
    """The best hand-tuned boto3 tool where listings are trusted: list with RestoreStatus, restore every object
    the listing shows unrestored, `threads` at once on one client with a pool of as many connections."""
    from concurrent.futures import ThreadPoolExecutor  # pylint: disable=import-outside-toplevel

    import boto3  # pylint: disable=import-outside-toplevel
    from botocore.config import Config  # pylint: disable=import-outside-toplevel

    client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, config=Config(
        max_pool_connections=threads, retries={"mode": retry_mode, "max_attempts": MODULE_MAX_ATTEMPTS}))
    request = {"Days": DAYS, "GlacierJobParameters": {"Tier": "Standard"}}
    failed = []

    def restore(key):
        try:
            client.restore_object(Bucket=BUCKET, Key=key, RestoreRequest=request)
        except client.exceptions.ClientError as error:
            failed.append(error.response["Error"]["Code"])

    with ThreadPoolExecutor(max_workers=threads) as pool:
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=BUCKET, Prefix=PREFIX, OptionalObjectAttributes=["RestoreStatus"])
        for page in pages:
            for entry in page.get("Contents", []):
                if "RestoreStatus" not in entry:
                    pool.submit(restore, entry["Key"])
    print(json.dumps({"failed": len(failed)}))


def worker_load(endpoint, threads, seconds):
    """Raw keep-alive RestoreObject requests for `seconds`, `threads` at once (server capacity)."""
    import http.client  # pylint: disable=import-outside-toplevel

    host, port = endpoint.split("://", 1)[1].split(":")
    deadline = time.monotonic() + seconds

    def run():
        connection = http.client.HTTPConnection(host, int(port))
        while time.monotonic() < deadline:
            connection.request("POST", f"/{BUCKET}/{PREFIX}obj-0000000.bin?restore", body=b"<RestoreRequest/>")
            connection.getresponse().read()

    workers = [threading.Thread(target=run) for _index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


# -- the report ---------------------------------------------------------------------------------------------------

def best_client(rows, latency_ms):
    clients = [row for row in rows if row["label"] == "client" and row["latency_ms"] == latency_ms and row["exit"] == 0]
    return max(clients, key=lambda row: row["restores_per_s"]) if clients else None


def add_ratios(rows):
    for row in rows:
        best = best_client(rows, row["latency_ms"])
        if best:
            row["x_best_client"] = round(row["restores_per_s"] / best["restores_per_s"], 2)
            row["wall_x_best_client"] = round(row["wall_restores_per_s"] / best["wall_restores_per_s"], 2)


def markdown(rows):
    lines = ["| latency | tool | concurrency | restores/s (server) | x best client | restores/s (wall) | wall x best | "
             "wall s | CPU ms/request | peak RSS MiB | exit |", "|" + "---|" * 11]
    for row in rows:
        lines.append(f"| {row['latency_ms']} ms | {row['label']} | {row.get('concurrency', '')} | {row['restores_per_s']} | "
                     f"{row.get('x_best_client', '')} | {row['wall_restores_per_s']} | {row.get('wall_x_best_client', '')} | "
                     f"{row['wall_s']} | {row['cpu_ms_per_request']} | {row['peak_rss_mib']} | {row['exit']} |")
    return "\n".join(lines)


def ensure_matplotlib():
    try:
        import matplotlib  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "matplotlib"], check=True)


def plot(rows, path, capacity):
    """restores/s against concurrency, one line per tool and latency, the quota line and the module's default."""
    ensure_matplotlib()
    import matplotlib  # pylint: disable=import-outside-toplevel

    matplotlib.use("Agg")
    from matplotlib import pyplot  # pylint: disable=import-outside-toplevel

    figure, axes = pyplot.subplots(figsize=(8, 5), dpi=110)
    colours = {30: "tab:blue", 100: "tab:orange"}
    for latency_ms in sorted({row["latency_ms"] for row in rows}):
        colour = colours.get(latency_ms, None)
        for label, style in (("client", "--"), ("module", "-")):
            points = sorted((row["concurrency"], row["restores_per_s"]) for row in rows
                            if row["label"] == label and row["latency_ms"] == latency_ms and row.get("sweep"))
            if points:
                axes.plot(*zip(*points), style, marker="o", color=colour,
                          label=f"{'boto3 client, threads' if label == 'client' else 'module, concurrency'} ({latency_ms} ms)")
        for row in rows:
            if row["label"] == "module" and row["latency_ms"] == latency_ms and row.get("default"):
                axes.plot([row["concurrency"]], [row["restores_per_s"]], marker="*", markersize=16, color=colour,
                          linestyle="none", label=f"module, default options ({latency_ms} ms): {row['x_best_client']}x best client")
    axes.axhline(QUOTA, color="tab:red", linestyle=":", label="S3 restore quota: 1,000 requests/s per account")
    axes.set_xscale("log", base=2)
    concurrencies = sorted({row["concurrency"] for row in rows if row.get("concurrency")})
    axes.set_xticks(concurrencies, [str(value) for value in concurrencies])
    axes.set_xlabel("threads (client) / concurrency option (module)")
    axes.set_ylabel("restores per second (at the server)")
    axes.set_ylim(bottom=0, top=max(QUOTA * 1.15, max(row["restores_per_s"] for row in rows) * 1.15))
    axes.set_title(f"Restores/s against concurrency and latency (stand-in server, {capacity:.0f} requests per CPU second)", fontsize=10)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    figure.savefig(path)
    print(f"wrote {path}", file=sys.stderr)


# -- the runs -----------------------------------------------------------------------------------------------------

def median_row(runs):
    """The run with the median steady rate of repeated runs of one configuration, with every rate noted."""
    ordered = sorted(runs, key=lambda row: row["restores_per_s"])
    row = dict(ordered[(len(ordered) - 1) // 2])
    row["all_restores_per_s"] = [run["restores_per_s"] for run in runs]
    row["all_wall_restores_per_s"] = [run["wall_restores_per_s"] for run in runs]
    return row


def throughput_runs(server, args):
    """Every configuration once per repeat, interleaved (a noisy spell then hits all of them), then medians."""
    configurations = []
    for latency in args.latency:
        for threads in args.threads:
            configurations.append(("client", [sys.executable, os.path.abspath(__file__), "--worker", "client",
                                              "--endpoint", server.endpoint, "--threads", str(threads)],
                                   latency, dict(concurrency=threads, sweep=True)))
        configurations.append(("module", module_command(server.endpoint, {}), latency,
                               dict(concurrency=args.default_concurrency, default=True)))
        for concurrency in args.threads if args.module_sweep else ():
            configurations.append(("module", module_command(server.endpoint, {"concurrency": concurrency}), latency,
                                   dict(concurrency=concurrency, sweep=True)))
    runs = [[] for _configuration in configurations]
    for _repeat in range(args.repeat):
        for index, (label, command, latency, extra) in enumerate(configurations):
            runs[index].append(measure(server, label, command, args.objects, latency, extra=extra))
    rows = [median_row(configuration_runs) for configuration_runs in runs]
    add_ratios(rows)
    return rows


def throttle_runs(server, args):
    """Above --throttle-rate the server answers 503 SlowDown: what each retry mode makes of it."""
    rows = []
    for mode in ("standard", "adaptive"):
        rows.append(measure(server, f"client ({mode} retries)",
                            [sys.executable, os.path.abspath(__file__), "--worker", "client", "--endpoint", server.endpoint,
                             "--threads", str(args.throttle_threads), "--retry-mode", mode],
                            args.objects, args.throttle_latency, args.throttle_rate,
                            extra=dict(concurrency=args.throttle_threads, retry_mode=mode)))
    rows.append(measure(server, "module", module_command(server.endpoint, {}), args.objects, args.throttle_latency,
                        args.throttle_rate, extra=dict(concurrency=args.default_concurrency)))
    for row in rows:
        row["restores_failed"] = args.objects - row["restores"]
    return rows


def memory_run(server, args):
    with tempfile.TemporaryDirectory() as workdir:
        return [measure(server, "module (module file alone)", module_command(server.endpoint, {}, direct=True, workdir=workdir),
                        args.objects, args.latency[0], extra=dict(concurrency=args.default_concurrency))]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each configuration, interleaved; medians reported")
    parser.add_argument("--latency", type=lambda text: [float(value) for value in text.split(",")], default=[0.03, 0.1],
                        help="seconds, comma-separated (default 0.03,0.1)")
    parser.add_argument("--threads", type=lambda text: [int(value) for value in text.split(",")], default=[16, 32, 64, 128])
    parser.add_argument("--no-module-sweep", dest="module_sweep", action="store_false",
                        help="run the module with its default options only")
    parser.add_argument("--default-concurrency", type=int, default=None, help="for the report; default: the module's own")
    parser.add_argument("--throttle-only", action="store_true")
    parser.add_argument("--throttle-rate", type=int, default=300)
    parser.add_argument("--throttle-latency", type=float, default=0.03)
    parser.add_argument("--throttle-threads", type=int, default=64)
    parser.add_argument("--memory-only", action="store_true")
    parser.add_argument("--json")
    parser.add_argument("--plot", default=PLOT_FILE)
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument("--worker", choices=["client", "load"])
    parser.add_argument("--endpoint")
    parser.add_argument("--retry-mode", default="standard")
    parser.add_argument("--seconds", type=float, default=5.0)
    return parser.parse_args(argv)


def module_default_concurrency():
    """The concurrency default from the doc fragment, as the module would apply it."""
    sys.path.insert(0, os.path.join(REPO_ROOT, ".collections"))
    from ansible_collections.s3async.restore.plugins.module_utils.options import s3_objects_argument_spec  # pylint: disable=import-outside-toplevel

    return s3_objects_argument_spec()["concurrency"]["default"]


def main(argv=None):
    args = parse_args(argv)
    if args.worker == "client":
        return worker_client(args.endpoint, args.threads[0], args.retry_mode)
    if args.worker == "load":
        return worker_load(args.endpoint, args.threads[0], args.seconds)
    args.default_concurrency = args.default_concurrency or module_default_concurrency()
    server = ServerProcess()
    report = {"machine": {"cpus": os.cpu_count(), "load": os.getloadavg(), "python": platform.python_version()},
              "objects": args.objects}
    try:
        if args.memory_only:
            report["memory"] = memory_run(server, args)
            print(markdown(report["memory"]))
        elif args.throttle_only:
            report["throttle"] = throttle_runs(server, args)
            print(markdown(report["throttle"]))
        else:
            answered, per_cpu_second = server_capacity(server)
            report["server_capacity"] = {"answered_per_s": round(answered, 1), "per_cpu_second": round(per_cpu_second, 1)}
            print(f"stand-in server at zero latency: {answered:.0f} requests/s answered, {per_cpu_second:.0f} per CPU "
                  "second", file=sys.stderr)
            report["throughput"] = throughput_runs(server, args)
            print(markdown(report["throughput"]))
            if not args.no_plot:
                plot(report["throughput"], args.plot, per_cpu_second)
    finally:
        server.stop()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
