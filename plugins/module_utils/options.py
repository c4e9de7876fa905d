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

from ansible_collections.s3async.restore.plugins.module_utils import manifests
from ansible_collections.s3async.restore.plugins.module_utils import notification_input
from ansible_collections.s3async.restore.plugins.module_utils import restore_events
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils import selection
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


def selection_options() -> dict:
    """The options of doc fragment s3async.restore.s3_objects.selection: which objects besides one key or one prefix
    (keys, manifest), which versions (versions, version_at) and the filters; for s3_objects_argument_spec()."""
    return dict(
        keys=dict(type="list", elements="raw", no_log=False),
        manifest=dict(type="str"),
        manifest_format=dict(type="str", default=manifests.FORMAT_AUTO, choices=list(manifests.FORMATS)),
        versions=dict(type="str", default=selection.VERSIONS_CURRENT, choices=list(selection.VERSION_CHOICES)),
        version_at=dict(type="str"),
        storage_classes=dict(type="list", elements="str", choices=list(selection.FILTER_STORAGE_CLASSES)),
        min_size=dict(type="raw"),
        max_size=dict(type="raw"),
        modified_after=dict(type="str"),
        modified_before=dict(type="str"),
        include=dict(type="list", elements="str"),
        exclude=dict(type="list", elements="str"),
    )


# Which objects: exactly one of key and prefix (AnsibleAWSModule's mutually_exclusive / required_one_of); with
# selection_options(), exactly one of key, prefix, keys and manifest (SOURCE_RULES).
SELECTION_RULES = dict(mutually_exclusive=[("key", "prefix")], required_one_of=[("key", "prefix")])
SOURCES = ("key", "prefix", "keys", "manifest")
SOURCE_RULES = dict(mutually_exclusive=[SOURCES], required_one_of=[SOURCES])
# The options that choose among the objects of a source, which a single key (with its version_id) does not take.
FILTER_OPTIONS = ("storage_classes", "min_size", "max_size", "modified_after", "modified_before", "include", "exclude")


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
    problems += _source_problems(params)
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


def _source_problems(params: dict, now: datetime.datetime | None = None) -> list:
    """Problems with keys, manifest, versions, version_at and the filters (the options of issue "say exactly which
    objects"), before anything is read."""
    problems = _versions_problems(params, now or datetime.datetime.now(datetime.timezone.utc)) + _keys_problems(params)
    manifest = params.get("manifest")
    if manifest is not None and (not manifest.strip() or manifest.startswith("s3://") and manifests.parse_s3_uri(manifest) is None):
        problems.append(f"manifest must be a file path on the host that runs the module or s3://bucket/key, got {manifest!r}")
    if params.get("key") is not None and any(params.get(name) for name in FILTER_OPTIONS):
        problems.append("the filters (" + ", ".join(name for name in FILTER_OPTIONS if params.get(name)) + ") choose among "
                        "the objects of prefix, keys or manifest; key names one object")
    return problems + _filter_problems(params)


def _keys_problems(params: dict) -> list:
    if params.get("keys") is None:
        return []
    try:
        pairs = selection.key_entries(params["keys"])
    except ValueError as error:
        return [str(error)]
    if not pairs:
        return ["keys is an empty list: name at least one key (or leave keys out)"]
    checked = (problem for key, _version in pairs for problem in (_uri_problem("key", key), _key_length_problem("key", key)))
    # The first few are enough to show what is wrong with a long list.
    return [f"keys: {problem}" for problem in checked if problem][:5]


def _versions_problems(params: dict, now: datetime.datetime) -> list:
    problems = []
    versions = params.get("versions") or selection.VERSIONS_CURRENT
    if versions != selection.VERSIONS_CURRENT and params.get("key") is not None:
        problems.append(f"versions={versions} needs prefix, keys or manifest; with key, name the version with version_id")
    if params.get("version_at"):
        if versions != selection.VERSIONS_CURRENT:
            problems.append(f"version_at picks one version per key: leave versions out (it is {versions})")
        if params.get("key") is not None:
            problems.append("version_at needs prefix, keys or manifest; with key, name the version with version_id")
        try:
            moment = selection.parse_moment(params["version_at"], "version_at")
        except ValueError as error:
            problems.append(str(error))
        else:
            if moment > now:
                problems.append(f"version_at {params['version_at']!r} is in the future: give a past moment (the state of "
                                "the objects then), or leave version_at out for the current versions")
    return problems


def _filter_problems(params: dict) -> list:
    problems = _size_problems(params) + _moment_problems(params)
    for name in ("include", "exclude"):
        if any(not pattern for pattern in params.get(name) or ()):
            problems.append(f"{name} holds an empty pattern: remove it (an empty pattern matches no key)")
    return problems


def _size_problems(params: dict) -> list:
    problems, sizes = [], {}
    for name in ("min_size", "max_size"):
        if params.get(name) is not None:
            try:
                sizes[name] = selection.parse_size(params[name])
            except ValueError as error:
                problems.append(f"{name}: {error}")
    if len(sizes) == 2 and sizes["min_size"] > sizes["max_size"]:
        problems.append(f"min_size ({params['min_size']}) is above max_size ({params['max_size']}): no object could match")
    return problems


def _moment_problems(params: dict) -> list:
    problems, moments = [], {}
    for name in ("modified_after", "modified_before"):
        if params.get(name):
            try:
                moments[name] = selection.parse_moment(params[name], name)
            except ValueError as error:
                problems.append(str(error))
    if len(moments) == 2 and moments["modified_after"] >= moments["modified_before"]:
        problems.append(f"modified_after ({params['modified_after']}) is not before modified_before "
                        f"({params['modified_before']}): no object could match")
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
    problems += restore_events.wait_problems(params)
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
