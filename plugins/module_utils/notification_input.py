# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a restore notification may be asked for: the restore event types, the checks of a topic ARN and of the
requested events (each problem told as a message that says how to fix it), and the request normalised: the
events without duplicates, the keys and prefix as the scopes to cover. Pure (no boto3).

Sources: IAM User Guide, "Amazon Resource Names (ARNs)"; SNS API Reference, CreateTopic; S3 User Guide,
"Supported event types for SQS, SNS, and Lambda" (notification-how-to-event-types-and-destinations).
"""

from __future__ import annotations

import re

from collections.abc import Iterable
from collections.abc import Sequence

from ansible_collections.s3async.restore.plugins.module_utils.aws_names import ACCOUNT_ID_RE
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import PARTITION_RE
from ansible_collections.s3async.restore.plugins.module_utils.notification_errors import NotificationConfigError

RESTORE_WILDCARD = "s3:ObjectRestore:*"
DEFAULT_RESTORE_EVENTS = ("s3:ObjectRestore:Post", "s3:ObjectRestore:Completed")
# notification-how-to-event-types-and-destinations: Post = restore initiated, Completed = restore completed,
# Delete = the temporary copy expired. s3:ObjectRestore:* stands for all three.
RESTORE_EVENTS = ("s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete")

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


def _partition_region_account_problem(arn: str, partition: str, region: str, account: str) -> str | None:
    if not PARTITION_RE.match(partition):
        return f"{arn!r} has an invalid partition {partition!r}; expected aws, aws-cn, aws-us-gov or another aws-* partition."
    if not region:
        return f"{arn!r} has no region; an SNS topic ARN names the region of the topic, which must be the bucket's region."
    if not _REGION_RE.match(region):
        return f"{arn!r} has an invalid region {region!r}; expected a region code such as us-east-1."
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
