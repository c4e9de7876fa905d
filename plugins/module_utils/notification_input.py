# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a restore notification may be asked for, and what S3's event types and key filters mean: the restore
event types and how event types relate, how a key filter is read and matched (and when two overlap), the checks
of a topic ARN (partition included) and of the requested events (each problem told as a message that says how to
fix it), and the request normalised: the events without duplicates, the keys and prefix as the scopes to cover,
and how a filter value is written. Pure (no boto3).

Sources: IAM User Guide, "Amazon Resource Names (ARNs)"; AWS General Reference, "AWS service endpoints" (regions
and partitions); SNS API Reference, CreateTopic; S3 User Guide, "Supported event types for SQS, SNS, and Lambda"
(notification-how-to-event-types-and-destinations), "Configuring event notifications using object key name
filtering" (notification-how-to-filtering) and "Creating object key names" (object-keys).
"""

from __future__ import annotations

import os
import re

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from typing import NamedTuple
from urllib.parse import quote_plus
from urllib.parse import unquote_plus

from ansible_collections.s3async.restore.plugins.module_utils.aws_names import ACCOUNT_ID_RE
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import PARTITION_RE
from ansible_collections.s3async.restore.plugins.module_utils.notification_errors import NotificationConfigError

RESTORE_WILDCARD = "s3:ObjectRestore:*"
DEFAULT_RESTORE_EVENTS = ("s3:ObjectRestore:Post", "s3:ObjectRestore:Completed")
# notification-how-to-event-types-and-destinations: Post = restore initiated, Completed = restore completed,
# Delete = the temporary copy expired. s3:ObjectRestore:* stands for all three.
RESTORE_EVENTS = ("s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete")

# The Ids of the topic configurations this collection adds start with this (s3async-restore-<topic name>);
# notification_state=absent removes those and nothing else.
ID_PREFIX = "s3async-restore-"

# The partitions an ARN can name (IAM User Guide, "Amazon Resource Names": aws, aws-cn, aws-us-gov, and the
# isolated and sovereign partitions), each with the region prefix of its regions; a region that matches none is
# in the commercial partition, aws (AWS General Reference, "AWS service endpoints"). Longer prefixes first, so
# that us-isob- is not read as us-iso-.
PARTITION_REGION_PREFIXES = (
    ("aws-us-gov", "us-gov-"),
    ("aws-iso-b", "us-isob-"),
    ("aws-iso-f", "us-isof-"),
    ("aws-iso-e", "eu-isoe-"),
    ("aws-iso", "us-iso-"),
    ("aws-eusc", "eusc-"),
    ("aws-cn", "cn-"),
)
KNOWN_PARTITIONS = ("aws",) + tuple(partition for partition, _prefix in PARTITION_REGION_PREFIXES)

# ARN format: arn:partition:service:region:account-id:resource (IAM User Guide, "Amazon Resource Names"); the
# partition and account-id rules are aws_names'.
_REGION_RE = re.compile(r"^[a-z]{2,}(-[a-z]+)+-[0-9]+$")
# SNS topic names: 1 to 256 characters, letters, digits, hyphens and underscores; FIFO topics end in ".fifo"
# (SNS API Reference, CreateTopic).
_TOPIC_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EXAMPLE_ARN = "arn:aws:sns:us-east-1:123456789012:restore-events"
# What an ARN of another service is, for the message that asks for a topic instead.
_OTHER_SERVICES = {
    "sqs": "an SQS queue ARN",
    "lambda": "a Lambda function ARN",
    "events": "an EventBridge ARN",
    "s3": "an S3 ARN",
}


def topic_arn_problem(arn: object) -> str | None:
    """None when arn is a valid SNS topic ARN, else a message saying what is wrong and how to fix it."""
    problem = _arn_form_problem(arn)
    if problem:
        return problem
    parts = arn.split(":")
    partition, service, region, account = parts[1], parts[2], parts[3], parts[4]
    return (
        _service_problem(arn, service)
        or _partition_region_account_problem(arn, partition, region, account)
        or _resource_problem(arn, parts)
    )


def _arn_form_problem(arn: object) -> str | None:
    """A message when arn is not a string of six or more ':'-separated parts starting with "arn:", else None."""
    if not isinstance(arn, str) or not arn:
        return f"An SNS topic ARN is required, such as {_EXAMPLE_ARN}; got {arn!r}."
    if arn != arn.strip():
        return f"The SNS topic ARN {arn!r} has leading or trailing white space; remove it."
    if not arn.startswith("arn:"):
        return (
            f"{arn!r} is not an ARN. Give the full topic ARN (arn:<partition>:sns:<region>:<account id>:<topic name>, for "
            f"example {_EXAMPLE_ARN}), not a topic name or URL; `aws sns list-topics` shows it."
        )
    if len(arn.split(":")) < 6:
        return f"{arn!r} is not a complete ARN: expected arn:<partition>:sns:<region>:<account id>:<topic name>, for example {_EXAMPLE_ARN}."
    return None


def _service_problem(arn: str, service: str) -> str | None:
    if service == "sns":
        return None
    what = _OTHER_SERVICES.get(service, f"an ARN of the {service!r} service")
    return (
        f"{arn!r} is {what}, not an SNS topic ARN. Restore events are routed to an SNS topic: give the topic's ARN "
        "(arn:<partition>:sns:<region>:<account id>:<topic name>); to deliver them to a queue or a function, "
        "subscribe it to that topic."
    )


def region_partition(region: str) -> str:
    """The partition of a region code: cn-north-1 -> aws-cn, us-gov-west-1 -> aws-us-gov, us-east-1 -> aws."""
    return next((partition for partition, prefix in PARTITION_REGION_PREFIXES if region.startswith(prefix)), "aws")


def _partition_region_account_problem(arn: str, partition: str, region: str, account: str) -> str | None:
    known = ", ".join(KNOWN_PARTITIONS)
    if not PARTITION_RE.match(partition):
        return f"{arn!r} has an invalid partition {partition!r}; expected one of {known}."
    if partition not in KNOWN_PARTITIONS:
        # S3 cannot publish to a partition it does not serve: refuse before anything is written or sent.
        return f"{arn!r} names the unknown partition {partition!r}; expected one of {known}."
    if not region:
        return f"{arn!r} has no region; an SNS topic ARN names the region of the topic, which must be the bucket's region."
    if not _REGION_RE.match(region):
        return f"{arn!r} has an invalid region {region!r}; expected a region code such as us-east-1."
    if region_partition(region) != partition:
        return (f"{arn!r} names region {region}, which is in partition {region_partition(region)}, not {partition}: "
                "check the topic ARN (`aws sns list-topics` in the bucket's region shows it).")
    if not ACCOUNT_ID_RE.match(account):
        return f"{arn!r} has an invalid account id {account!r}; expected the 12 digits of the account that owns the topic."
    return None


def _resource_problem(arn: str, parts: list[str]) -> str | None:
    """What is wrong with the part after the account id: extra parts, or the topic name."""
    if len(parts) > 6:
        topic_arn = ":".join(parts[:6])
        if len(parts) == 7 and _UUID_RE.match(parts[6]):
            # A subscription ARN is the topic ARN followed by ':<subscription id>' (a mistake made by the sample
            # this project started from); S3 rejects it as a destination.
            return f"{arn!r} is an SNS subscription ARN, not a topic ARN. Use the topic ARN without the subscription id: {topic_arn}"
        return f"{arn!r} has extra ':'-separated parts after the topic name; an SNS topic ARN ends with the topic name, as in {topic_arn}."
    name = parts[5]
    if not name:
        return f"{arn!r} has no topic name after the account id."
    if name.endswith(".fifo"):
        # notification-how-to-event-types-and-destinations: S3 event notifications support standard SNS topics
        # only; FIFO topics are not a supported destination.
        return (
            f"{arn!r} is an SNS FIFO topic; S3 event notifications can only publish to standard (non-FIFO) topics. Use a "
            "standard topic (it can fan out to an SQS FIFO queue if you need ordering downstream)."
        )
    if not _TOPIC_NAME_RE.match(name):
        return f"{arn!r} has an invalid topic name {name!r}; topic names are 1 to 256 letters, digits, hyphens or underscores."
    return None


def topic_arn_region(arn: str) -> str:
    """The region of a valid SNS topic ARN (S3 requires the topic to be in the bucket's region)."""
    problem = topic_arn_problem(arn)
    if problem:
        raise NotificationConfigError(problem)
    return arn.split(":")[3]


def events_problem(events: object) -> str | None:
    """None when events is a non-empty list of restore event types, else a message saying what is wrong."""
    allowed = list(RESTORE_EVENTS) + [RESTORE_WILDCARD]
    allowed_text = ", ".join(allowed)
    if isinstance(events, (str, bytes)) or not isinstance(events, (list, tuple)):
        return f"The notification events must be a list of restore event types ({allowed_text}); got {events!r}."
    if not events:
        return f"At least one restore event type is needed ({allowed_text})."
    bad = [event for event in events if event not in allowed]
    if not bad:
        return None
    hints = []
    for event in bad:
        spelled = [name for name in allowed if isinstance(event, str) and name.lower() == event.lower()]
        if spelled:
            # Event type names are case-sensitive in the API (notification-how-to-event-types-and-destinations).
            hints.append(f"{event!r} should be spelled {spelled[0]!r}")
    bad_text = ", ".join(repr(event) for event in bad)
    msg = (
        f"Only restore event types can be routed here ({allowed_text}); not {bad_text}. "
        "Other event types belong to the bucket's own notification settings."
    )
    if hints:
        msg += " (" + "; ".join(hints) + ")"
    return msg


def event_covers(have: str, want: str) -> bool:
    """True when a configuration carrying event type `have` receives every event of type `want`.

    notification-how-to-event-types-and-destinations: a type ending in ':*' (s3:ObjectRestore:*,
    s3:ObjectCreated:*, ...) stands for every type under it.
    """
    if have == want:
        return True
    return have.endswith(":*") and want.startswith(have[:-1])


def events_overlap(first: str, second: str) -> bool:
    """Whether two event types share events (S3's overlap rule: a wildcard overlaps its members)."""
    return event_covers(first, second) or event_covers(second, first)


def is_restore_event(event: str) -> bool:
    return event == RESTORE_WILDCARD or event in RESTORE_EVENTS


def wanted_members(events: Sequence[str]) -> list[str]:
    """The restore events that must reach the topic: the wildcard stands for its three members, so a topic that
    already receives Post, Completed and Delete has what s3:ObjectRestore:* asks for."""
    wanted = requested_events(events)
    return list(RESTORE_EVENTS) if RESTORE_WILDCARD in wanted else wanted


def events_to_write(events: Sequence[str], missing: Sequence[str]) -> list[str]:
    """What to write for the `missing` members: the wildcard itself when it was asked for and none of its members
    is configured yet (one event type, as asked), else the missing members, so that no configuration carries a
    member beside the wildcard."""
    if RESTORE_WILDCARD in requested_events(events) and set(missing) == set(RESTORE_EVENTS):
        return [RESTORE_WILDCARD]
    return list(missing)


def requested_events(events: Sequence[str]) -> list[str]:
    """Requested events without duplicates, in the order given; the wildcard makes its members redundant."""
    wanted = []
    for event in events:
        if event not in wanted:
            wanted.append(event)
    if RESTORE_WILDCARD in wanted:
        return [RESTORE_WILDCARD]
    return wanted


def requested_scopes(keys: Iterable[str] | str, prefix: str | None) -> list[tuple[str, str]]:
    """What must be covered: ("key", key) for each key restored, and ("prefix", prefix) for every key under the
    prefix; ("prefix", "") for the whole bucket when neither."""
    if isinstance(keys, str):
        keys = [keys]
    scopes = [("key", key) for key in dict.fromkeys(keys or ())]
    if prefix is not None:
        scopes.append(("prefix", prefix))
    if not scopes:
        scopes.append(("prefix", ""))
    return scopes


def narrowest_prefix(scopes: Sequence[tuple[str, str]]) -> str:
    """The longest prefix that every key of the scopes starts with: a prefix filter with it is the narrowest one
    configuration that covers them all (the prefix restored; for one key, the key itself). "" for the whole
    bucket."""
    return os.path.commonprefix([value for _kind, value in scopes]) if scopes else ""


# Object-keys: letters, digits and !-_.*'() are safe in a key, and '/' delimits; notification-how-to-filtering: a
# filter value with any other character is written URL-encoded (a space as '+').
_FILTER_VALUE_SAFE = "/!-_.*'()"


def encode_filter_value(value: str) -> str:
    """A key prefix as a filter rule's Value: URL-encoded, so that S3 matches it against keys as they are."""
    return quote_plus(value, safe=_FILTER_VALUE_SAFE)


def decode_filter_value(value: str) -> str:
    """A filter rule's Value as the key text it matches ("my+photos/" matches the key "my photos/a.jpg")."""
    return unquote_plus(value)

# ---------------------------------------------------------------------------------------------------------------
# Key filters: how S3 reads and matches them
# ---------------------------------------------------------------------------------------------------------------


class Rules(NamedTuple):
    """An entry's key filter: all prefix values, all suffix values, and whether anything else was present."""

    prefixes: list[str]
    suffixes: list[str]
    unknown: bool


def rules_of(entry: dict) -> Rules:
    key_filter = entry.get("Filter")
    if key_filter in (None, {}):
        return Rules([], [], False)
    rules = _filter_rule_list(key_filter)
    if rules is None:
        return Rules([], [], True)
    # A filter kind this code does not know: it narrows the entry in a way we cannot judge.
    unknown = any(name != "Key" for name in key_filter)
    kinds_and_values = [_rule_kind(rule) for rule in rules]
    prefixes = [value for kind, value in kinds_and_values if kind == "prefix"]
    suffixes = [value for kind, value in kinds_and_values if kind == "suffix"]
    return Rules(prefixes, suffixes, unknown or any(kind is None for kind, _value in kinds_and_values))


def _filter_rule_list(key_filter: object) -> list | None:
    """The FilterRules of a Filter ([] when it has none), or None when the Filter or its rules are not a list."""
    if not isinstance(key_filter, dict):
        return None
    key = key_filter.get("Key") or {}
    rules = key.get("FilterRules") if isinstance(key, dict) else None
    if rules is None:
        return []
    return rules if isinstance(rules, list) else None


def _rule_kind(rule: object) -> tuple[str | None, str | None]:
    """("prefix" | "suffix", decoded value) for a filter rule this code understands, else (None, None)."""
    if not isinstance(rule, dict):
        return None, None
    name = rule.get("Name")
    value = rule.get("Value") or ""
    if not isinstance(name, str) or not isinstance(value, str):
        return None, None
    # GetBucketNotificationConfiguration returns "Prefix"/"Suffix" while the FilterRule reference lists
    # "prefix | suffix": rule names compare case-insensitively. Values are URL-encoded (notification-how-to-
    # filtering): compare them decoded with keys.
    lowered = name.lower()
    if lowered in ("prefix", "suffix"):
        return lowered, decode_filter_value(value)
    return None, None


def key_matches(rules: Rules, key: str) -> bool:
    if rules.unknown:
        return False  # cannot prove it: treat as not covering
    return all(key.startswith(prefix) for prefix in rules.prefixes) and all(key.endswith(suffix) for suffix in rules.suffixes)


def covers_prefix(rules: Rules, prefix: str) -> bool:
    """Every key under `prefix` matches: each prefix rule is a prefix of it and no (non-empty) suffix rule."""
    if rules.unknown:
        return False
    return all(prefix.startswith(value) for value in rules.prefixes) and not any(rules.suffixes)


def is_unfiltered(rules: Rules) -> bool:
    return not rules.unknown and not any(rules.prefixes) and not any(rules.suffixes)


def _chain(values: list[str], related: Callable[[str, str], bool]) -> bool:
    """True when the values are pairwise related (each a prefix, or each a suffix, of the longest)."""
    if not values:
        return True
    longest = max(values, key=len)
    return all(related(longest, value) for value in values)


def filters_overlap(first: Rules, second: Rules) -> bool:
    """S3's filter overlap rule (notification-how-to-filtering, "Examples of valid notification configurations").

    Two filters overlap when their prefixes overlap (one is a prefix of the other; an absent prefix is "", which
    overlaps every prefix) and their suffixes overlap (one is a suffix of the other). That is exactly "some key
    matches both": longest prefix + longest suffix is such a key. Rules this code does not understand are ignored,
    which can only report more overlaps, never fewer.
    """
    prefixes = first.prefixes + second.prefixes
    suffixes = first.suffixes + second.suffixes
    return _chain(prefixes, lambda longest, value: longest.startswith(value)) and _chain(
        suffixes, lambda longest, value: longest.endswith(value)
    )
