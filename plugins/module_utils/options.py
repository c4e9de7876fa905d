# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options of the object modules: their shared argument spec, every check that needs no AWS call, and the
immutable options of a restore run. Pure (no boto3).

Bad input is refused here, before anything is read or changed, with a message that says what is wrong and how
to fix it.
"""

from __future__ import annotations

import dataclasses
import datetime

from ansible_collections.s3async.restore.plugins.module_utils import notification_input
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import BUCKET_NAME_RE
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import MAX_KEY_BYTES
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import is_account_id
from ansible_collections.s3async.restore.plugins.module_utils.object_results import LIST_ALL
from ansible_collections.s3async.restore.plugins.module_utils.object_results import LIST_ATTENTION


def s3_objects_argument_spec(**module_options: dict) -> dict:
    """The options of doc fragment s3async.restore.s3_objects plus which objects (key, prefix, version_id),
    shared by the modules that read archived objects, and the module's own options."""
    spec = dict(
        bucket=dict(type="str", required=True),
        key=dict(type="str", no_log=False),
        prefix=dict(type="str"),
        version_id=dict(type="str"),
        expected_bucket_owner=dict(type="str"),
        request_payer=dict(type="bool", default=False),
        status_source=dict(type="str", default="auto", choices=["auto", "listing", "head"]),
        concurrency=dict(type="int", default=128),
        max_requests_per_second=dict(type="float"),
        list_objects=dict(type="str", default=LIST_ATTENTION, choices=[LIST_ATTENTION, LIST_ALL]),
        max_results=dict(type="int", default=25),
    )
    spec.update(module_options)
    return spec


# Which objects: exactly one of key and prefix (AnsibleAWSModule's mutually_exclusive / required_one_of).
SELECTION_RULES = dict(mutually_exclusive=[("key", "prefix")], required_one_of=[("key", "prefix")])


def _bucket_name_problem(bucket_name: str) -> str | None:
    if bucket_name and not BUCKET_NAME_RE.match(bucket_name):
        return (f"bucket {bucket_name[:70]!r} is not a valid bucket name (3 to 63 lowercase letters, digits, dots and "
                "hyphens; give the name alone, not an s3:// URI or an ARN)")
    return None


def _uri_problem(name: str, value: str | None) -> str | None:
    """An s3:// URI given where a key or prefix is expected: S3 would look for a key that starts with "s3://"."""
    if not value or not value.startswith("s3://"):
        return None
    bucket, _slash, key = value[len("s3://"):].partition("/")
    return f"{name} {value!r} is an S3 URI, not a {name}: give bucket={bucket!r} and {name}={key!r}"


def _key_length_problem(name: str, value: str | None) -> str | None:
    if not value:
        return None
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        return f"{name} contains characters that are not valid UTF-8 (undecodable bytes?)"
    if size > MAX_KEY_BYTES:
        return f"{name} is {size} bytes long; S3 keys are at most 1,024 bytes (UTF-8)"
    return None


def selection_problems(params: dict, **least_values: int) -> list:
    """Problems with the options of s3_objects_argument_spec() (and `least_values`: option name -> least value
    allowed), as a list of messages that say how to fix them."""
    problems = []
    if not params["bucket"]:
        problems.append("bucket must name a bucket, got an empty string")
    if params["key"] is not None and not params["key"]:
        problems.append("key must name an object, got an empty string (for a whole bucket, use prefix='')")
    if params["version_id"] is not None and params["key"] is None:
        problems.append("version_id needs key: a prefix covers the current version of each object")
    if params["version_id"] == "":
        # An empty VersionId is dropped by the SDK, so the current version would be restored silently.
        problems.append("version_id must name a version, got an empty string (leave it out for the current version)")
    problems += [problem for problem in (_uri_problem(name, params.get(name)) for name in ("key", "prefix")) if problem]
    checked = [_bucket_name_problem(params["bucket"])] + [_key_length_problem(name, params.get(name)) for name in ("key", "prefix")]
    problems += [problem for problem in checked if problem]
    owner = params.get("expected_bucket_owner")
    if owner is not None and not is_account_id(owner):
        problems.append(f"expected_bucket_owner must be an AWS account ID (12 digits), got {owner!r}")
    rate = params.get("max_requests_per_second")
    if rate is not None and not rate > 0:
        problems.append(f"max_requests_per_second must be more than 0, got {rate} (leave it out for no cap)")
    least_values = dict({"concurrency": 1, "max_results": 0}, **least_values)
    for name, least in least_values.items():
        if params.get(name) is not None and params[name] < least:
            problems.append(f"{name} must be {least} or more, got {params[name]}")
    return problems


def _notification_problems(params: dict) -> list:
    if params["sns_topic_arn"] is None:
        return []
    problems = []
    arn_problem = notification_input.topic_arn_problem(params["sns_topic_arn"])
    if arn_problem:
        problems.append(f"sns_topic_arn: {arn_problem}")
    events_problem = notification_input.events_problem(params["notification_events"])
    if events_problem:
        problems.append(f"notification_events: {events_problem}")
    return problems


def restore_problems(params: dict) -> str | None:
    """Problems with the arguments of s3_object_restore that need no AWS call, as one message, or None."""
    problems = []
    days_problem = restore_state.days_problem(params["days"])
    if days_problem:
        problems.append(days_problem)
    problems += _notification_problems(params)
    if params["tier_fallback"] is not None and params["tier"] != "Expedited":
        problems.append(f"tier_fallback applies to tier=Expedited only (tier is {params['tier']})")
    problems += selection_problems(params, wait_timeout=0, wait_delay=1, max_restores=0, batch_operations_threshold=1)
    return "; ".join(problems) or None


@dataclasses.dataclass(frozen=True)
class RestoreOptions:
    """What to send, and when, for one run; the same for every object.

    ``extend_before``: with option extend_expiry, now + days; restored copies expiring earlier are re-requested.
    ``upgrade_to``: with option upgrade_tier, the tier to ask of restores already running.
    ``tier_fallback``: the tier to use when S3 has no Expedited capacity (option tier_fallback).
    """

    tier: str
    days: int
    check_mode: bool = False
    max_restores: int | None = None
    extend_before: datetime.datetime | None = None
    upgrade_to: str | None = None
    tier_fallback: str | None = None

    @classmethod
    def from_params(cls, params: dict, check_mode: bool, now: datetime.datetime) -> "RestoreOptions":
        return cls(
            tier=params["tier"],
            days=params["days"],
            check_mode=check_mode,
            max_restores=params["max_restores"],
            extend_before=now + datetime.timedelta(days=params["days"]) if params["extend_expiry"] else None,
            upgrade_to=params["tier"] if params["upgrade_tier"] else None,
            tier_fallback=params["tier_fallback"],
        )

    def reason(self, obj: dict) -> str | None:
        """Why a RestoreObject should be sent for this object's result, or None (restore_state.restore_reason)."""
        return restore_state.restore_reason(obj["status"], restore_state.parse_expiry(obj["expiry_date"]),
                                            self.extend_before, self.upgrade_to)

    def request(self, obj: dict, tier: str | None = None) -> dict:
        """The RestoreRequest for this object, at `tier` (default: the run's tier)."""
        return restore_state.restore_request(obj["storage_class"], obj["archive_status"], tier or self.tier, self.days)
