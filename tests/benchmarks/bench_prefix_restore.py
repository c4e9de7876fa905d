# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark: restoring a whole prefix with s3_object_restore, the tools people use today, and the floor.

Run from the repository root, after scripts/setup.sh:

    .venv/bin/python tests/benchmarks/bench_prefix_restore.py --objects 2000 [--json out.json] [--markdown out.md]
    .venv/bin/python tests/benchmarks/bench_prefix_restore.py --objects 20000 --repeat 2
    .venv/bin/python tests/benchmarks/bench_prefix_restore.py --memory-only --objects 100000

docs/performance.md explains the method and records the figures.

For every tool, a fresh moto server (tests/benchmarks/counting_moto_server.py: moto_server's own application
behind a request counter) is started on 127.0.0.1 and seeded with the same N objects (40% GLACIER, 30%
DEEP_ARCHIVE, 30% STANDARD under one prefix, plus a few decoys just outside it). The tool then runs twice on that
state: the first run, and the re-run that should find everything done. Requests are counted at the server, per
S3 operation.

Tools (each run as a child process, so that wall time includes its start-up and its peak RSS is its own):
  floor          boto3, the calls a correct tool needs on moto and nothing else: ListObjectsV2 pages, one
                 HeadObject per archived object (moto's listings carry no RestoreStatus), one RestoreObject per
                 archived object without a restore; HEADs and restores in a thread pool of --concurrency.
                 Run first, between repeats (--repeat) and again last; ratios are to the median of its runs.
  module         `ansible localhost -m s3async.restore.s3_object_restore -a '{"bucket": ..., "prefix": ...}'`.
  module-direct  the module file run by python with an args file, as Ansible's module debugging allows: the
                 module's own wall time and peak RSS, without the ansible CLI around it.
  sample         the per-object flow of the AWS sample the collection grew from, one object at a time:
                 GetObject probe, on InvalidObjectState a HeadObject, RestoreObject when no x-amz-restore.
                 Enumerated with ListObjectsV2, which the sample lacks (it takes one key).
  s3cmd          `s3cmd restore --recursive`, if s3cmd is on PATH. It stops at the first object it cannot
                 restore (a STANDARD one), so:
  s3cmd-archived the same command on the same keys less the STANDARD objects (labelled "s3cmd (archived
                 only)"; requests per object are then per archived object).
  rclone         `rclone backend restore`, if rclone is on PATH.

Nothing here is collected by pytest (no test_*.py name, no conftest.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
SERVER_SCRIPT = os.path.join(HERE, "counting_moto_server.py")
MODULE_FILE = os.path.join(REPO_ROOT, "plugins", "modules", "s3_object_restore.py")
COLLECTIONS = os.path.join(REPO_ROOT, ".collections")
MODULE_FQCN = "s3async.restore.s3_object_restore"

REGION = "us-east-1"
BUCKET = "restore-bench"
PREFIX = "bench/"
ARCHIVE_CLASSES = ("GLACIER", "DEEP_ARCHIVE")
DAYS = 7
# Decoys that a prefix-bound tool must leave alone: one shares the prefix's first characters, not its "directory".
DECOY_PREFIXES = ("bench-other/", "outside/")
DECOYS_PER_PREFIX = 10
ALL_TOOLS = ("floor", "module", "module-direct", "sample", "s3cmd", "s3cmd-archived", "rclone")
OPERATION_COLUMNS = ("ListObjectsV2", "ListObjects", "HeadObject", "GetObject", "RestoreObject")
ADHOC_RESULT = re.compile(r"^localhost \| (CHANGED|SUCCESS|FAILED!) => (\{.*)\Z", re.DOTALL | re.MULTILINE)


# ---------------------------------------------------------------------------------------------------------------
# The seeded state
# ---------------------------------------------------------------------------------------------------------------

def object_name(index):
    """A key under PREFIX, spread over "directories", some with spaces, non-ASCII characters or '+'."""
    directory = f"d{index % 23:02d}/s{(index // 23) % 7}"
    kind = index % 10
    if kind == 3:
        name = f"report {index:06d} final.csv"
    elif kind == 5:
        name = f"données-{index:06d}-日本.txt"
    elif kind == 7:
        name = f"a+b={index:06d}+c.log"
    else:
        name = f"obj-{index:06d}.bin"
    return f"{PREFIX}{directory}/{name}"


def seed_plan(count, seed=20261124):
    """[[key, storage_class], ...]: the N objects under PREFIX (40/30/30, shuffled), then the decoys."""
    glacier = round(count * 0.4)
    deep = round(count * 0.3)
    classes = ["GLACIER"] * glacier + ["DEEP_ARCHIVE"] * deep + ["STANDARD"] * (count - glacier - deep)
    random.Random(seed).shuffle(classes)
    objects = [[object_name(index), storage_class] for index, storage_class in enumerate(classes)]
    for prefix in DECOY_PREFIXES:
        objects += [[f"{prefix}decoy-{index:03d}.bin", "GLACIER"] for index in range(DECOYS_PER_PREFIX)]
    return objects


# ---------------------------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------------------------

class Server:
    """A counting moto server in a child process, with the benchmark bucket seeded."""

    def __init__(self, plan):
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, SERVER_SCRIPT, "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            self.process.kill()
            raise RuntimeError(f"the moto server did not start (said {line!r})")
        self.port = int(line.split()[1])
        self.endpoint = f"http://127.0.0.1:{self.port}"
        started = time.monotonic()
        try:
            self._create_bucket()
            self._call("seed", {"bucket": BUCKET, "prefix": PREFIX, "objects": plan})
            self.reset_counts()
        except BaseException:
            self.stop()
            raise
        self.seed_seconds = time.monotonic() - started

    def _create_bucket(self):
        request = urllib.request.Request(f"{self.endpoint}/{BUCKET}", method="PUT", headers={
            # moto's dispatcher picks the service from the signing scope of the Authorization header.
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, "
                             "SignedHeaders=host, Signature=0",
        })
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def _call(self, name, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.endpoint}/__bench/{name}", data=data,
                                         method="GET" if body is None else "POST")
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.loads(response.read())

    def counts(self):
        return self._call("counts")

    def reset_counts(self):
        self._call("reset-counts", {})

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


# ---------------------------------------------------------------------------------------------------------------
# Running a tool
# ---------------------------------------------------------------------------------------------------------------

def child_env(extra=None):
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "ANSIBLE_"))}
    env.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        ANSIBLE_CONFIG=os.path.join(REPO_ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
    )
    env.update(extra or {})
    return env


def run_child(command, env, workdir, timeout):
    """Run a command; return (exit code, wall seconds, peak RSS of its largest process in MiB, CPU s, out, err).

    os.wait4 gives the rusage of this one child (and the descendants it waited for), so the benchmark's own
    memory and that of the moto servers never mix in.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(command, env=env, cwd=workdir, stdout=out, stderr=err,  # pylint: disable=consider-using-with
                                   stdin=subprocess.DEVNULL)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
        wall = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    # ru_maxrss is in KiB on Linux.
    return process.returncode, wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime, stdout, stderr


def module_args(endpoint, options):
    args = {"bucket": BUCKET, "prefix": PREFIX, "endpoint_url": endpoint, "region": REGION,
            "concurrency": options.concurrency, "days": DAYS}
    for item in options.module_option:
        name, _sep, value = item.partition("=")
        args[name] = value
    return args


def parse_module_output(stdout):
    """The module's result from `ansible localhost` (default callback) or from a direct run (one JSON line)."""
    match = ADHOC_RESULT.search(stdout)
    text = match.group(2) if match else stdout[stdout.find("{"):] if "{" in stdout else ""
    try:
        result, _end = json.JSONDecoder().raw_decode(text.strip())
    except ValueError:
        return None
    return result


def describe_module_result(result):
    if result is None:
        return {}
    report = {"changed": result.get("changed"), "failed": bool(result.get("failed")),
              "summary": result.get("summary")}
    if result.get("failed"):
        report["msg"] = str(result.get("msg", ""))[:400]
    if isinstance(result.get("objects"), list):
        report["objects_returned"] = len(result["objects"])
    return report


def command_for(tool, endpoint, workdir, options):
    """(argv, how to read its output) for one tool, or None if it is not installed."""
    if tool in ("floor", "sample"):
        return [sys.executable, os.path.abspath(__file__), "--worker", tool, "--endpoint", endpoint,
                "--concurrency", str(options.concurrency)], None
    if tool == "module":
        args = module_args(endpoint, options)
        return [os.path.join(os.path.dirname(sys.executable), "ansible"), "localhost", "-m", MODULE_FQCN,
                "-a", json.dumps(args)], parse_module_output
    if tool == "module-direct":
        args_file = os.path.join(workdir, "module-args.json")
        with open(args_file, "w", encoding="utf-8") as handle:
            json.dump({"ANSIBLE_MODULE_ARGS": module_args(endpoint, options)}, handle)
        # Ansible's module debugging entry point (ansible.module_utils._internal._debugging.load_params in
        # ansible-core 2.19) reads {"ANSIBLE_MODULE_ARGS": {...}} from the file named by argv[1]; the
        # collections are found as the ansible_collections package on PYTHONPATH.
        return [sys.executable, MODULE_FILE, args_file], parse_module_output
    if tool in ("s3cmd", "s3cmd-archived"):
        binary = shutil.which("s3cmd")
        if not binary:
            return None
        config = os.path.join(workdir, "s3cmd.cfg")
        host = endpoint.split("://", 1)[1]
        with open(config, "w", encoding="utf-8") as handle:
            handle.write(
                "[default]\naccess_key = testing\nsecret_key = testing\n"
                f"host_base = {host}\nhost_bucket = {host}\nuse_https = False\n"
                f"bucket_location = {REGION}\nsignature_v2 = False\nprogress_meter = False\n"
            )
        return [binary, "-c", config, "restore", "--recursive", f"--restore-days={DAYS}",
                "--restore-priority=standard", f"s3://{BUCKET}/{PREFIX}"], None
    if tool == "rclone":
        binary = shutil.which("rclone")
        if not binary:
            return None
        config = os.path.join(workdir, "rclone.conf")
        with open(config, "w", encoding="utf-8") as handle:
            handle.write(
                "[bench]\ntype = s3\nprovider = Other\naccess_key_id = testing\nsecret_access_key = testing\n"
                f"endpoint = {endpoint}\nregion = {REGION}\nforce_path_style = true\n"
            )
        return [binary, "--config", config, "backend", "restore", f"bench:{BUCKET}/{PREFIX}",
                "-o", "priority=Standard", "-o", f"lifetime={DAYS}"], None
    raise ValueError(tool)


def tool_version(tool):
    try:
        if tool == "s3cmd":
            return subprocess.run(["s3cmd", "--version"], capture_output=True, text=True, check=False).stdout.strip()
        if tool == "rclone":
            return subprocess.run(["rclone", "version"], capture_output=True, text=True, check=False).stdout.splitlines()[0]
    except (OSError, IndexError):
        return None
    return None


def measure_tool(tool, label, plan, options, runs=("first", "rerun")):
    """Fresh server, seed, run the tool once per entry of runs. Returns a list of row dicts (None if absent)."""
    count = sum(1 for key, _storage_class in plan if key.startswith(PREFIX))
    if tool in ("s3cmd", "rclone") and not shutil.which(tool):
        return None
    with tempfile.TemporaryDirectory(prefix="s3async-bench-") as workdir:
        server = Server(plan)
        try:
            made = command_for(tool, server.endpoint, workdir, options)
            if made is None:
                return None
            command, parse = made
            rows = []
            for run in runs:
                server.reset_counts()
                env = child_env({"PYTHONPATH": COLLECTIONS} if tool == "module-direct" else None)
                code, wall, rss, cpu, stdout, stderr = run_child(command, env, REPO_ROOT, options.tool_timeout)
                counts = server.counts()
                row = make_row(label, run, count, code, wall, rss, cpu, counts)
                row["seed_seconds"] = round(server.seed_seconds, 2)
                if parse is not None:
                    row["tool_report"] = describe_module_result(parse(stdout))
                elif tool in ("floor", "sample"):
                    row["tool_report"] = parse_module_output(stdout) or {}
                if code != 0:
                    row["error"] = (stderr.strip() or stdout.strip())[-1500:]
                rows.append(row)
                print(f"  {label:14} {run:6} {wall:8.2f}s  exit {code}  {row['requests']} requests  "
                      f"{row['restores_sent']} restores ({row['restores_resent']} re-sent)  rss {rss:.0f} MiB",
                      file=sys.stderr, flush=True)
            return rows
        finally:
            server.stop()


def make_row(label, run, count, code, wall, rss, cpu, counts):
    operations = counts["operations"]
    restores = counts["restores"]
    total = sum(operations.values())
    return {
        "tool": label,
        "run": run,
        "exit_code": code,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "peak_rss_mib": round(rss, 1),
        "requests": total,
        "requests_per_object": round(total / count, 3) if count else None,
        "operations": operations,
        "statuses": counts["statuses"],
        "restores_sent": operations.get("RestoreObject", 0),
        "restores_accepted": restores.get("accepted", 0),
        "restores_resent": restores.get("resent", 0),
        "restores_not_archived": restores.get("not_archived", 0),
        "restores_outside_prefix": restores.get("outside_prefix", 0),
    }


# ---------------------------------------------------------------------------------------------------------------
# Workers: the floor and the sample's flow, run in a child process of this file
# ---------------------------------------------------------------------------------------------------------------

def boto3_client(endpoint, pool_size):
    import boto3  # pylint: disable=import-outside-toplevel
    from botocore.config import Config  # pylint: disable=import-outside-toplevel

    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION,
                        config=Config(max_pool_connections=pool_size, retries={"mode": "standard"}))


def worker_floor(endpoint, concurrency):
    """Exactly the calls a correct tool needs on a server whose listings carry no RestoreStatus."""
    from concurrent.futures import ThreadPoolExecutor  # pylint: disable=import-outside-toplevel

    client = boto3_client(endpoint, concurrency)
    request = {"Days": DAYS, "GlacierJobParameters": {"Tier": "Standard"}}

    def settle(key):
        head = client.head_object(Bucket=BUCKET, Key=key)
        if head.get("Restore"):
            return 0
        client.restore_object(Bucket=BUCKET, Key=key, RestoreRequest=request)
        return 1

    listed = archived = 0
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX):
            for entry in page.get("Contents", []):
                listed += 1
                if entry.get("StorageClass") in ARCHIVE_CLASSES:
                    archived += 1
                    futures.append(pool.submit(settle, entry["Key"]))
        restored = sum(future.result() for future in futures)
    print(json.dumps({"listed": listed, "archived": archived, "restore_requested": restored}))


def worker_sample(endpoint, _concurrency):
    """The sample's per-object flow, one object at a time (its notification set-up and STS calls left out)."""
    from botocore.exceptions import ClientError  # pylint: disable=import-outside-toplevel

    client = boto3_client(endpoint, 1)
    listed = heads = restored = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX):
        for entry in page.get("Contents", []):
            listed += 1
            key = entry["Key"]
            try:
                client.get_object(Bucket=BUCKET, Key=key)["Body"].close()
                continue  # readable: the sample does nothing more
            except ClientError as error:
                if error.response["Error"]["Code"] != "InvalidObjectState":
                    raise
            head = client.head_object(Bucket=BUCKET, Key=key)
            heads += 1
            restore = head["ResponseMetadata"]["HTTPHeaders"].get("x-amz-restore")
            if head.get("StorageClass") in ARCHIVE_CLASSES and restore is None:
                client.restore_object(Bucket=BUCKET, Key=key,
                                      RestoreRequest={"Days": DAYS, "GlacierJobParameters": {"Tier": "Standard"}})
                restored += 1
    print(json.dumps({"listed": listed, "heads": heads, "restore_requested": restored}))


# ---------------------------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------------------------

def median(values):
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def add_ratios(rows, floor_rows):
    """Each row's wall time over the median wall time of the floor's measurements of the same run."""
    reference = {}
    for run in ("first", "rerun"):
        walls = [row["wall_s"] for row in floor_rows if row["run"] == run and row["exit_code"] == 0]
        if walls:
            reference[run] = median(walls)
    for row in rows:
        base = reference.get(row["run"])
        row["floor_wall_s"] = round(base, 3) if base else None
        row["x_floor"] = round(row["wall_s"] / base, 2) if base else None
    return reference


def markdown_table(rows, detail=False):
    header = ["tool", "run"] + (["#"] if detail else []) + ["wall s", "x floor"]
    header += [] if detail else ["best x floor"]
    header += ["requests", "req/object", "List", "HEAD", "GET", "Restore", "other", "restores re-sent",
               "restores to non-archived", "peak RSS MiB", "exit"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        operations = row["operations"]
        listing = operations.get("ListObjectsV2", 0) + operations.get("ListObjects", 0)
        other = row["requests"] - listing - sum(operations.get(name, 0) for name in OPERATION_COLUMNS[2:])
        cells = [row["tool"], row["run"]] + ([str(row.get("attempt", 1))] if detail else []) + [
            f"{row['wall_s']:.2f}",
            f"{row['x_floor']:.2f}" if row.get("x_floor") else "-",
        ] + ([] if detail else [f"{row['best_x_floor']:.2f}" if row.get("best_x_floor") else "-"]) + [
            str(row["requests"]), f"{row['requests_per_object']:.2f}",
            str(listing), str(operations.get("HeadObject", 0)), str(operations.get("GetObject", 0)),
            str(operations.get("RestoreObject", 0)), str(other), str(row["restores_resent"]),
            str(row["restores_not_archived"]), f"{row['peak_rss_mib']:.0f}", str(row["exit_code"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def environment_report(options):
    try:
        from importlib.metadata import version  # pylint: disable=import-outside-toplevel
        packages = {name: version(name) for name in ("ansible-core", "boto3", "botocore", "moto")}
    except Exception:  # pylint: disable=broad-except
        packages = {}
    return {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "packages": packages,
        "s3cmd": tool_version("s3cmd"),
        "rclone": tool_version("rclone"),
        "concurrency": options.concurrency,
    }


def measure_named(tool, plan, options):
    if tool == "s3cmd-archived":
        # s3cmd stops at the first object it cannot restore (403 InvalidObjectState on a STANDARD object): this
        # row runs it on the same keys with the STANDARD objects left out, to show what it costs where it goes on.
        archived_plan = [item for item in plan if item[1] in ARCHIVE_CLASSES]
        return measure_tool("s3cmd", "s3cmd (archived only)", archived_plan, options)
    return measure_tool(tool, tool, plan, options)


def side_by_side(plan, tools, options, report):
    """floor, the module (both ways), the peers, ..., floor again; the floor and the module --repeat times."""
    repeated = [tool for tool in tools if tool in ("module", "module-direct")]
    peers = [tool for tool in tools if tool not in ("floor", "module", "module-direct")]
    rows = []
    for attempt in range(1, options.repeat + 2):
        if attempt <= options.repeat:
            sequence = ["floor"] + repeated + (peers if attempt == 1 else [])
        else:
            sequence = ["floor"]  # once more at the end: the floor brackets everything else
        for tool in sequence:
            measured = measure_named(tool, plan, options)
            if measured is None:
                report["skipped"].append({"tool": tool, "reason": "not installed"})
                print(f"  {tool}: not installed, skipped", file=sys.stderr)
                continue
            for row in measured:
                row["attempt"] = attempt
            rows += measured
    if "module" in tools:
        report["ansible_cli_overhead_s"] = ansible_cli_overhead()
    floor_rows = [row for row in rows if row["tool"] == "floor"]
    report["floor_reference_s"] = add_ratios(rows, floor_rows)
    report["rows"] = rows
    report["summary"] = summarize(rows, report["floor_reference_s"], floor_rows)


def ansible_cli_overhead(times=3):
    """Median wall time of `ansible localhost -m ansible.builtin.ping`: what the CLI adds to any module run."""
    command = [os.path.join(os.path.dirname(sys.executable), "ansible"), "localhost", "-m", "ansible.builtin.ping"]
    walls = [run_child(command, child_env(), REPO_ROOT, 120)[1] for _attempt in range(times)]
    return round(median(walls), 3)


def summarize(rows, reference=None, floor_rows=()):
    """One row per tool and run: the median wall time of its attempts; counts from its first attempt.

    x_floor is that median over the floor's median; best_x_floor is the tool's fastest attempt over the floor's
    fastest (on a shared machine, noise only ever adds time, so the two bracket the truth).
    """
    best_floor = {}
    for row in floor_rows:
        if row["exit_code"] == 0:
            best_floor[row["run"]] = min(best_floor.get(row["run"], row["wall_s"]), row["wall_s"])
    groups = {}
    for row in rows:
        groups.setdefault((row["tool"], row["run"]), []).append(row)
    summary = []
    for (_tool, run), members in groups.items():
        walls = sorted(member["wall_s"] for member in members)
        middle = median(walls)
        row = dict(members[0], wall_s=round(middle, 3), attempts=len(members), walls_s=walls,
                   peak_rss_mib=max(member["peak_rss_mib"] for member in members),
                   exit_code=max((member["exit_code"] for member in members), key=abs))
        row.pop("attempt", None)
        if len({member["requests"] for member in members}) > 1:
            row["requests_differ_between_attempts"] = sorted({member["requests"] for member in members})
        base = (reference or {}).get(run)
        row["floor_wall_s"] = round(base, 3) if base else None
        row["x_floor"] = round(middle / base, 2) if base else None
        row["best_x_floor"] = round(walls[0] / best_floor[run], 2) if run in best_floor else None
        summary.append(row)
    return summary


# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(description="Benchmark prefix restores against moto: the module, its peers and the floor.")
    parser.add_argument("--objects", type=int, default=2000, help="objects under the prefix (default 2000)")
    parser.add_argument("--tools", default=",".join(ALL_TOOLS),
                        help=f"comma-separated subset of {','.join(ALL_TOOLS)} (floor always runs)")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="parallel requests for the floor and the module's concurrency option (default 16)")
    parser.add_argument("--module-option", action="append", default=[], metavar="NAME=VALUE",
                        help="extra module option, e.g. status_source=head (repeatable)")
    parser.add_argument("--memory-only", action="store_true",
                        help="only the module's first run, run directly, for its peak RSS (e.g. --objects 100000)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure the floor and the module this many times (medians are reported; default 1)")
    parser.add_argument("--tool-timeout", type=float, default=3600, help="seconds before a tool run is killed")
    parser.add_argument("--json", help="write the full results as JSON to this file")
    parser.add_argument("--markdown", help="write the markdown table to this file")
    parser.add_argument("--worker", choices=("floor", "sample"), help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    options = parse_args(argv)
    if options.worker:
        {"floor": worker_floor, "sample": worker_sample}[options.worker](options.endpoint, options.concurrency)
        return 0
    if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "amazon", "aws")):
        print("run scripts/setup.sh first: .collections is missing", file=sys.stderr)
        return 2
    tools = [tool.strip() for tool in options.tools.split(",") if tool.strip()]
    unknown = sorted(set(tools) - set(ALL_TOOLS))
    if unknown:
        print(f"unknown tools: {', '.join(unknown)}", file=sys.stderr)
        return 2
    plan = seed_plan(options.objects)
    archived = sum(1 for key, storage_class in plan[:options.objects] if storage_class in ARCHIVE_CLASSES)
    pages = -(-options.objects // 1000)
    report = {"objects": options.objects, "archived": archived, "prefix": PREFIX,
              # On AWS, ListObjectsV2 with OptionalObjectAttributes=RestoreStatus tells GLACIER and DEEP_ARCHIVE
              # objects' restore state: no HEAD is needed, so the floor is the listing plus the restores.
              "aws_floor_requests": {"first": pages + archived, "rerun": pages},
              "decoys_outside_prefix": len(plan) - options.objects, "environment": environment_report(options),
              "rows": [], "skipped": []}
    print(f"{options.objects} objects ({archived} archived) under {PREFIX!r}", file=sys.stderr)

    if options.memory_only:
        report["mode"] = "memory-only"
        report["rows"] = measure_tool("module-direct", "module-direct", plan, options, runs=("first",))
        report["summary"] = summarize(report["rows"])
    else:
        report["mode"] = "side-by-side"
        side_by_side(plan, tools, options, report)
    summary_table = markdown_table(report["summary"])
    detail_table = markdown_table(report["rows"], detail=True)
    print(summary_table)
    if options.json:
        with open(options.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2, ensure_ascii=False)
    if options.markdown:
        with open(options.markdown, "w", encoding="utf-8") as handle:
            handle.write(summary_table + "\n\nEvery measurement:\n\n" + detail_table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
