# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils/job_task with a fake BatchJobs and a fake clock: what the task asks in which order, the wait
loop, and the words of its result. The whole module against Stubbers is tests/unit/plugins/modules/test_s3_restore_job.py.
"""

from __future__ import annotations

import types

import pytest

from ansible_collections.s3async.restore.plugins.module_utils import batch_job
from ansible_collections.s3async.restore.plugins.module_utils import job_task
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/batch-restore"


def params(**extra):
    base = {
        "bucket": "archive", "prefix": "db/", "manifest": None, "storage_classes": ["GLACIER"],
        "state": "present", "role_arn": ROLE, "account_id": ACCOUNT, "days": 7, "tier": "Standard",
        "report_bucket": None, "report_prefix": None, "report_scope": "all", "save_manifest": False, "priority": 10,
        "confirmation_required": False, "description": None, "tags": None, "idempotency_key": "",
        "wait_timeout": 100, "wait_delay": 60, "max_failed_tasks": 0,
    }
    base.update(extra)
    return base


def module(check_mode=False, **extra):
    return types.SimpleNamespace(params=params(**extra), check_mode=check_mode)


class Jobs:
    """A BatchJobs that answers DescribeJob from queued statuses and records every call."""

    account_id = ACCOUNT

    def __init__(self, listed=(), statuses=None):
        self.listed = list(listed)
        self.statuses = {job_id: list(queue) for job_id, queue in (statuses or {}).items()}
        self.calls = []

    def list_jobs(self):
        self.calls.append(("ListJobs",))
        return self.listed

    def describe_job(self, job_id, missing_ok=False):
        self.calls.append(("DescribeJob", job_id, missing_ok))
        status = self.statuses[job_id].pop(0)
        if status is None:
            return None
        return {"JobId": job_id, "Status": status, "Description": "d",
                "ProgressSummary": {"TotalNumberOfTasks": 200, "NumberOfTasksSucceeded": 3}}

    def create_job(self, request, bucket):
        self.calls.append(("CreateJob", request["ClientRequestToken"], bucket))
        return "job-new"

    def update_job_status(self, job_id, status, reason=None):
        self.calls.append(("UpdateJobStatus", job_id, status, reason))
        return {"JobId": job_id}


def plan(**extra):
    return batch_job.plan_jobs(params(**extra), ACCOUNT)[0]


def entry(job_id, status, description):
    return {"JobId": job_id, "Status": status, "Description": description, "Operation": "S3InitiateRestoreObject"}


# ---------------------------------------------------------------------------------------------------------------
# One entry of RV(jobs).

def test_job_result_keys_in_order():
    request = batch_job.create_job_request(plan(report_bucket="r"), params(report_bucket="r"), ACCOUNT)
    result = job_task.job_result(plan(), "created", job_id="job-1", request=request)
    assert list(result) == ["kind", "storage_classes", "action", "job_id", "job_arn", "status", "description", "progress",
                            "report", "failure_reasons", "status_update_reason", "created", "terminated", "request",
                            "client_request_token"]
    assert result["report"]["location"] == "s3://r/job-job-1/"
    assert result["client_request_token"] == request["ClientRequestToken"]


def test_job_result_from_a_summary_keeps_its_report():
    result = job_task.job_result(plan(), "found", {"job_id": "job-1", "status": "Active", "report": None})
    assert (result["job_id"], result["status"], result["report"], result["failure_reasons"]) == ("job-1", "Active", None, [])
    assert result["description"] == plan()["description"] and "request" not in result


# ---------------------------------------------------------------------------------------------------------------
# What is asked, in which order.

def test_a_conflict_is_raised_before_anything_is_created():
    """The GLACIER job could be created, but the Intelligent-Tiering one conflicts: nothing is created."""
    every_class = list(batch_job.STORAGE_CLASSES)
    plans = batch_job.plan_jobs(params(storage_classes=every_class), ACCOUNT)
    bulk = batch_job.plan_jobs(params(storage_classes=every_class, tier="Bulk"), ACCOUNT)
    jobs = Jobs()
    with pytest.raises(TaskFailure, match="^Restore job job-2 .* restores the same objects \\(INTELLIGENT_TIERING under s3://archive/db/\\)"):
        job_task.ensure_jobs(module(storage_classes=every_class), jobs, plans, [entry("job-2", "Active", bulk[1]["description"])])
    assert jobs.calls == []


@pytest.mark.parametrize("check_mode, action, status, calls", [
    (False, "created", "New", [("CreateJob", "archive")]),
    (True, "would_create", None, []),
])
def test_ensure_creates_what_is_not_listed(check_mode, action, status, calls):
    jobs = Jobs()
    results = job_task.ensure_jobs(module(check_mode), jobs, [plan()], [])
    assert [(job["action"], job["status"]) for job in results] == [(action, status)]
    assert [(call[0], call[2]) for call in jobs.calls] == calls


def test_cancel_in_check_mode_calls_nothing_and_reports_ending_jobs():
    mine = plan()
    listed = [entry("job-1", "Active", mine["description"]), entry("job-2", "Failing", mine["description"]),
              entry("job-3", "Complete", mine["description"])]
    jobs = Jobs()
    results = job_task.cancel_jobs(module(True, state="absent"), jobs, [mine], listed)
    assert [(job["job_id"], job["action"], job["status"]) for job in results] == [
        ("job-1", "would_cancel", "Active"), ("job-2", "none", "Failing")]
    assert jobs.calls == []


def test_cancel_sends_the_reason_and_assumes_cancelling():
    mine = plan()
    jobs = Jobs()
    results = job_task.cancel_jobs(module(state="absent"), jobs, [mine], [entry("job-1", "Paused", mine["description"])])
    assert jobs.calls == [("UpdateJobStatus", "job-1", "Cancelled", job_task.CANCEL_REASON)]
    assert (results[0]["action"], results[0]["status"], results[0]["report"]) == ("cancelled", "Cancelling", None)


# ---------------------------------------------------------------------------------------------------------------
# The wait.

def waiting(job_id="job-1", action="created", status="New"):
    return {"job_id": job_id, "action": action, "status": status, "progress": None, "description": "d", "job_arn": None}


def test_wait_returns_when_every_job_ended_and_grows_the_delay(make_clock):
    jobs = Jobs(statuses={"job-1": [None, "Preparing", "Active", "Complete"]})
    clock = make_clock(step=0.25)
    results = [waiting()]
    waited = job_task.wait_for_jobs(module(wait_timeout=1000), jobs, results, clock)
    assert clock.sleeps == [60, 120, 240]
    assert waited == 420.75
    assert results[0]["status"] == "Complete" and results[0]["progress"]["succeeded"] == 3
    # Only a job this run created may be missing from DescribeJob.
    assert {call[2] for call in jobs.calls} == {True}


def test_wait_does_not_describe_jobs_that_already_ended(fake_clock):
    jobs = Jobs()
    assert job_task.wait_for_jobs(module(), jobs, [waiting(status="Complete")], fake_clock) == 0.0
    assert jobs.calls == []


def test_wait_times_out_with_the_seconds_waited(make_clock):
    jobs = Jobs(statuses={"job-1": ["Active"] * 3})
    clock = make_clock(step=0.5)
    results = [waiting(action="found")]
    with pytest.raises(TaskFailure) as failure:
        job_task.wait_for_jobs(module(wait_timeout=100), jobs, results, clock)
    assert clock.sleeps == [60, 39.5]
    assert failure.value.msg == (
        "Timed out after 100 seconds waiting for 1 job(s) to finish: job job-1 is Active (1.5% of 200 objects "
        "handled). The jobs keep running; run the task again to keep waiting (nothing is created twice)."
    )
    assert failure.value.result == {"jobs": results, "waited": 100.5, "changed": False}
    assert jobs.calls[0] == ("DescribeJob", "job-1", False)


def test_wait_timeout_zero_describes_once(fake_clock):
    jobs = Jobs(statuses={"job-1": [None]})
    with pytest.raises(TaskFailure, match="^Timed out after 0 seconds .* job job-1 is New \\(0.0% of an unknown number of objects"):
        job_task.wait_for_jobs(module(wait_timeout=0), jobs, [waiting()], fake_clock)
    assert len(jobs.calls) == 1


def test_run_jobs_waits_on_job_task_time(monkeypatch, fake_clock):
    clock = fake_clock
    jobs = Jobs(statuses={"job-new": ["Active", "Complete"]})
    monkeypatch.setattr(job_task, "time", clock)
    monkeypatch.setattr(job_task.s3control_api, "BatchJobs", lambda client, account_id: jobs)
    monkeypatch.setattr(job_task.s3control_api, "s3control_client", lambda module: "client")
    monkeypatch.setattr(job_task, "warn", lambda text: None)
    result = job_task.run_jobs(module(state="completed"))
    assert clock.sleeps == [60]
    assert list(result) == ["account_id", "changed", "jobs", "waited", "msg"]
    assert result["msg"] == "Created job job-new for GLACIER with ExpirationInDays 7 (Complete, 3 of 200 objects handled, 0 failed)."


# ---------------------------------------------------------------------------------------------------------------
# RV(msg).

def summary(kind, action, job_id="job-1", status="Active", progress=None, failure_reasons=()):
    classes = ["GLACIER", "DEEP_ARCHIVE"] if kind == "glacier" else ["INTELLIGENT_TIERING"]
    return {"kind": kind, "storage_classes": classes, "action": action, "job_id": job_id, "status": status,
            "progress": progress, "failure_reasons": list(failure_reasons), "report": None}


FAILED_COUNTS = {"total": 2000, "succeeded": 900, "failed": 1100}
ADVICE = (" A run with the same parameters reports this job again rather than paying for a new one that would fail "
          "the same way: fix the cause, then run with a new idempotency_key to start a new job (state=absent is not "
          "needed for a failed job).")


MIX = (" One job per kind of object: GLACIER and DEEP_ARCHIVE need ExpirationInDays, the Intelligent-Tiering archive "
       "tiers refuse it, and one Batch Operations job cannot mix them.")


@pytest.mark.parametrize(
    "state, results, check_mode, expected",
    [
        ("present", [], False, "Nothing to do."),
        ("absent", [], True, "No restore job to cancel."),
        ("present", [summary("glacier", "found")], False,
         "Found job job-1 for GLACIER/DEEP_ARCHIVE with ExpirationInDays 3, created by an earlier run (Active)."),
        ("completed", [summary("glacier", "created", status="New"), summary("intelligent_tiering", "confirmed", "job-2", "Ready")], False,
         "Created job job-1 for GLACIER/DEEP_ARCHIVE with ExpirationInDays 3 (New); confirmed job job-2 for "
         "INTELLIGENT_TIERING without ExpirationInDays, which was waiting for confirmation (Ready)." + MIX),
        ("present", [summary("glacier", "would_create", None, None), summary("intelligent_tiering", "would_confirm")], True,
         "Check mode: Would create a job for GLACIER/DEEP_ARCHIVE with ExpirationInDays 3; would confirm job job-1 for "
         "INTELLIGENT_TIERING without ExpirationInDays, which is waiting for confirmation." + MIX),
        ("absent", [summary("glacier", "cancelled", status="Cancelling"), summary("intelligent_tiering", "none", "job-2", "Failing")], False,
         "Cancelled job job-1 for GLACIER/DEEP_ARCHIVE (Cancelling); job job-2 for INTELLIGENT_TIERING is already ending (Failing)."),
        ("absent", [summary("glacier", "would_cancel")], True, "Check mode: Would cancel job job-1 for GLACIER/DEEP_ARCHIVE (Active)."),
        ("present", [summary("glacier", "found", progress={"total": 1000, "succeeded": 398, "failed": 2})], False,
         "Found job job-1 for GLACIER/DEEP_ARCHIVE with ExpirationInDays 3, created by an earlier run (Active, 400 of "
         "1,000 objects handled, 2 failed)."),
        ("present", [summary("glacier", "found", status="Failed", progress=FAILED_COUNTS,
                             failure_reasons=[{"code": "TaskFailureRateExceeded", "reason": "rate"}])], False,
         "Found job job-1 for GLACIER/DEEP_ARCHIVE with ExpirationInDays 3, created by an earlier run (Failed, 2,000 of "
         "2,000 objects handled, 1,100 failed). Job job-1 (glacier) failed (TaskFailureRateExceeded: rate) after 900 of "
         "2,000 restore requests succeeded and 1,100 failed. No completion report was asked for (report_bucket)." + ADVICE),
        ("completed", [summary("glacier", "would_create", None, None)], True,
         "Check mode: Would create a job for GLACIER/DEEP_ARCHIVE with ExpirationInDays 3. Would then wait for the jobs "
         "to finish."),
    ],
    ids=["nothing", "nothing-absent", "found", "created-and-confirmed", "check-mode", "cancelled-and-ending", "would-cancel",
         "found-with-progress", "found-failed", "check-mode-completed"],
)
def test_summary_message(state, results, check_mode, expected):
    assert job_task.summary_message(state, results, check_mode, {"days": 3}) == expected


def test_summary_message_when_jobs_could_not_be_listed():
    assert job_task.summary_message("present", [summary("glacier", "would_create", None, None)], True, {"days": 3},
                                    unlisted=True) == (
        "Check mode: Would create a job for GLACIER/DEEP_ARCHIVE with ExpirationInDays 3. S3 Batch Operations could "
        "not be reached, so whether such a job already exists is not known (see the warning)."
    )


@pytest.mark.parametrize("state", ["present", "completed", "absent"])
def test_summary_message_is_one_line(state):
    results = [summary("glacier", "found", status="Failed", progress=FAILED_COUNTS,
                       failure_reasons=[{"code": "C", "reason": "R"}]), summary("intelligent_tiering", "created")]
    assert "\n" not in job_task.summary_message(state, results, False, {"days": 3})


def test_a_signal_ends_the_wait_and_the_jobs_keep_running(make_clock):
    """SIGTERM or Ctrl-C while state=completed waits: one poll, no sleep, and a failure that says the jobs run on."""
    import signal

    from ansible_collections.s3async.restore.plugins.module_utils.interruption import Interruption

    interruption = Interruption()
    interruption._note(signal.SIGTERM, None)  # as the handler does when the signal arrives
    jobs = Jobs(statuses={"job-1": ["Active"]})
    clock = make_clock(step=0.5)
    results = [waiting()]
    with pytest.raises(TaskFailure) as failure:
        job_task.wait_for_jobs(module(wait_timeout=1000), jobs, results, clock, interruption)
    assert clock.sleeps == []
    assert failure.value.msg.startswith("Interrupted by SIGTERM after 0 seconds waiting for 1 job(s) to finish. The jobs "
                                        "keep running")
    assert failure.value.result["interrupted"] == "SIGTERM" and failure.value.result["changed"] is True
