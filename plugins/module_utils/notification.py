# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure merge of the restore events into a bucket's notification configuration.

PutBucketNotificationConfiguration replaces the bucket's whole notification configuration (S3 API Reference,
PutBucketNotificationConfiguration: "This action replaces the existing notification configuration"), so a
writer that rebuilds it from what it knows silently turns off whatever it does not know. Everything here works on
the configuration exactly as GetBucketNotificationConfiguration returned it and makes one of two changes only:
add events to one topic configuration of our topic, or add one topic configuration. Nothing here talks to AWS.

Sources for the rules, cited where they are used:

* S3 User Guide, "Configuring event notifications using object key name filtering" (notification-how-to-filtering);
* S3 User Guide, "Supported event types for SQS, SNS, and Lambda" (notification-how-to-event-types-and-destinations);
* S3 User Guide, "Granting permissions to publish event notification messages to a destination"
  (grant-destinations-permissions-to-s3);
* S3 API Reference, PutBucketNotificationConfiguration, NotificationConfiguration, FilterRule.
"""

from __future__ import annotations

import copy
import json
import re

from urllib.parse import unquote_plus

RESTORE_WILDCARD = "s3:ObjectRestore:*"
DEFAULT_RESTORE_EVENTS = ("s3:ObjectRestore:Post", "s3:ObjectRestore:Completed")
# notification-how-to-event-types-and-destinations: Post = restore initiated, Completed = restore completed,
# Delete = the temporary copy expired. s3:ObjectRestore:* stands for all three.
RESTORE_EVENTS = ("s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete")

# The destination lists of a NotificationConfiguration, with the key holding each entry's destination ARN.
# EventBridgeConfiguration and any key S3 adds later are not destinations we reason about: they are carried over
# untouched, never interpreted.
DESTINATION_SECTIONS = (
    ("TopicConfigurations", "TopicArn", "topic"),
    ("QueueConfigurations", "QueueArn", "queue"),
    ("LambdaFunctionConfigurations", "LambdaFunctionArn", "lambda"),
)
TOPIC_SECTION = "TopicConfigurations"

ID_PREFIX = "s3async-restore-"
# The API reference states no maximum length for a configuration Id; as a precaution the Ids we make stay within
# 255 characters even for a 256-character topic name.
MAX_ID_LENGTH = 255

# ARN format: arn:partition:service:region:account-id:resource (IAM User Guide, "Amazon Resource Names").
_PARTITION_RE = re.compile(r"^aws(-[a-z]+)*$")
_REGION_RE = re.compile(r"^[a-z]{2,}(-[a-z]+)+-[0-9]+$")
_ACCOUNT_RE = re.compile(r"^[0-9]{12}$")
# SNS topic names: 1 to 256 characters, letters, digits, hyphens and underscores; FIFO topics end in ".fifo"
# (SNS API Reference, CreateTopic).
_TOPIC_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EXAMPLE_ARN = "arn:aws:sns:us-east-1:123456789012:restore-events"


class NotificationConfigError(Exception):
    """The requested notification cannot be configured; msg says what is wrong and the ways out."""

    def __init__(self, msg):
        super(NotificationConfigError, self).__init__(msg)
        self.msg = msg


class NotificationOverlapError(NotificationConfigError):
    """Our addition would collide with another configuration under S3's overlap rule.

    conflicts: one dict per colliding configuration, as returned by describe_configuration().
    """

    def __init__(self, msg, conflicts):
        super(NotificationOverlapError, self).__init__(msg)
        self.conflicts = conflicts


# ---------------------------------------------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------------------------------------------


def topic_arn_problem(arn):
    """None when arn is a valid SNS topic ARN, else a message saying what is wrong and how to fix it."""
    if not isinstance(arn, str) or not arn:
        return "An SNS topic ARN is required, such as %s; got %r." % (_EXAMPLE_ARN, arn)
    if arn != arn.strip():
        return "The SNS topic ARN %r has leading or trailing white space; remove it." % arn
    if not arn.startswith("arn:"):
        return (
            "%r is not an ARN. Give the full topic ARN (arn:<partition>:sns:<region>:<account id>:<topic name>, for "
            "example %s), not a topic name or URL; `aws sns list-topics` shows it." % (arn, _EXAMPLE_ARN)
        )
    parts = arn.split(":")
    if len(parts) < 6:
        return "%r is not a complete ARN: expected arn:<partition>:sns:<region>:<account id>:<topic name>, for example %s." % (
            arn,
            _EXAMPLE_ARN,
        )
    partition, service, region, account = parts[1], parts[2], parts[3], parts[4]
    if service != "sns":
        what = {
            "sqs": "an SQS queue ARN",
            "lambda": "a Lambda function ARN",
            "events": "an EventBridge ARN",
            "s3": "an S3 ARN",
        }.get(service, "an ARN of the %r service" % service)
        return (
            "%r is %s, not an SNS topic ARN. Restore events are routed to an SNS topic: give the topic's ARN "
            "(arn:<partition>:sns:<region>:<account id>:<topic name>); to deliver them to a queue or a function, "
            "subscribe it to that topic." % (arn, what)
        )
    if not _PARTITION_RE.match(partition):
        return "%r has an invalid partition %r; expected aws, aws-cn, aws-us-gov or another aws-* partition." % (arn, partition)
    if not region:
        return "%r has no region; an SNS topic ARN names the region of the topic, which must be the bucket's region." % arn
    if not _REGION_RE.match(region):
        return "%r has an invalid region %r; expected a region code such as us-east-1." % (arn, region)
    if not _ACCOUNT_RE.match(account):
        return "%r has an invalid account id %r; expected the 12 digits of the account that owns the topic." % (arn, account)
    if len(parts) > 6:
        topic_arn = ":".join(parts[:6])
        if len(parts) == 7 and _UUID_RE.match(parts[6]):
            # A subscription ARN is the topic ARN followed by ':<subscription id>' (a mistake made by the sample
            # this project started from); S3 rejects it as a destination.
            return "%r is an SNS subscription ARN, not a topic ARN. Use the topic ARN without the subscription id: %s" % (
                arn,
                topic_arn,
            )
        return "%r has extra ':'-separated parts after the topic name; an SNS topic ARN ends with the topic name, as in %s." % (
            arn,
            topic_arn,
        )
    name = parts[5]
    if not name:
        return "%r has no topic name after the account id." % arn
    if name.endswith(".fifo"):
        # notification-how-to-event-types-and-destinations: S3 event notifications support standard SNS topics
        # only; FIFO topics are not a supported destination.
        return (
            "%r is an SNS FIFO topic; S3 event notifications can only publish to standard (non-FIFO) topics. Use a "
            "standard topic (it can fan out to an SQS FIFO queue if you need ordering downstream)." % arn
        )
    if not _TOPIC_NAME_RE.match(name):
        return "%r has an invalid topic name %r; topic names are 1 to 256 letters, digits, hyphens or underscores." % (arn, name)
    return None


def topic_arn_region(arn):
    """The region of a valid SNS topic ARN (S3 requires the topic to be in the bucket's region)."""
    problem = topic_arn_problem(arn)
    if problem:
        raise NotificationConfigError(problem)
    return arn.split(":")[3]


def _topic_parts(arn):
    parts = arn.split(":")
    return parts[1], parts[3], parts[4], parts[5]


def events_problem(events):
    """None when events is a non-empty list of restore event types, else a message saying what is wrong."""
    allowed = list(RESTORE_EVENTS) + [RESTORE_WILDCARD]
    if isinstance(events, (str, bytes)) or not isinstance(events, (list, tuple)):
        return "The notification events must be a list of restore event types (%s); got %r." % (", ".join(allowed), events)
    if not events:
        return "At least one restore event type is needed (%s)." % ", ".join(allowed)
    bad = [event for event in events if event not in allowed]
    if not bad:
        return None
    hints = []
    for event in bad:
        spelled = [name for name in allowed if isinstance(event, str) and name.lower() == event.lower()]
        if spelled:
            # Event type names are case-sensitive in the API (notification-how-to-event-types-and-destinations).
            hints.append("%r should be spelled %r" % (event, spelled[0]))
    msg = "Only restore event types can be routed here (%s); not %s. Other event types belong to the bucket's own notification settings." % (
        ", ".join(allowed),
        ", ".join(repr(event) for event in bad),
    )
    if hints:
        msg += " (" + "; ".join(hints) + ")"
    return msg


def _normalise_events(events):
    """Requested events without duplicates, in the order given; the wildcard makes its members redundant."""
    wanted = []
    for event in events:
        if event not in wanted:
            wanted.append(event)
    if RESTORE_WILDCARD in wanted:
        return [RESTORE_WILDCARD]
    return wanted


# ---------------------------------------------------------------------------------------------------------------
# Reading a configuration
# ---------------------------------------------------------------------------------------------------------------


def clean_configuration(raw):
    """A deep copy of a GetBucketNotificationConfiguration response without ResponseMetadata.

    Everything else, including keys this code does not know (S3 adds them, e.g. EventBridgeConfiguration in 2021),
    is kept exactly: PutBucketNotificationConfiguration replaces the whole configuration, so anything dropped here
    would be switched off.
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise NotificationConfigError("A bucket notification configuration must be a mapping; got %r." % (raw,))
    cleaned = copy.deepcopy(raw)
    cleaned.pop("ResponseMetadata", None)
    return cleaned


def _section_entries(configuration, section):
    entries = configuration.get(section)
    if not isinstance(entries, list):
        return []
    return entries


def _iter_destinations(configuration):
    """(section, index, entry, destination_type, arn_key) for every destination configuration, in a stable order."""
    for section, arn_key, destination_type in DESTINATION_SECTIONS:
        for index, entry in enumerate(_section_entries(configuration, section)):
            if isinstance(entry, dict):
                yield section, index, entry, destination_type, arn_key


def _events_of(entry):
    events = entry.get("Events")
    if not isinstance(events, (list, tuple)):
        return []
    return [event for event in events if isinstance(event, str)]


class _Rules(object):
    """An entry's key filter: all prefix values, all suffix values, and whether anything else was present."""

    __slots__ = ("prefixes", "suffixes", "unknown")

    def __init__(self, prefixes, suffixes, unknown):
        self.prefixes = prefixes
        self.suffixes = suffixes
        self.unknown = unknown


def _decode(value):
    # notification-how-to-filtering: in a filter value a space is written '+' and other special characters are
    # percent-encoded, so "my+photos/" matches the key "my photos/a.jpg". Compare decoded values with keys.
    return unquote_plus(value)


def _rules_of(entry):
    prefixes, suffixes, unknown = [], [], False
    flt = entry.get("Filter")
    if flt in (None, {}):
        return _Rules(prefixes, suffixes, unknown)
    if not isinstance(flt, dict):
        return _Rules(prefixes, suffixes, True)
    if any(name != "Key" for name in flt):
        # A filter kind this code does not know: it narrows the entry in a way we cannot judge.
        unknown = True
    key = flt.get("Key") or {}
    rules = key.get("FilterRules") if isinstance(key, dict) else None
    if rules is None:
        rules = []
    if not isinstance(rules, list):
        return _Rules(prefixes, suffixes, True)
    for rule in rules:
        if not isinstance(rule, dict):
            unknown = True
            continue
        name = rule.get("Name")
        value = rule.get("Value") or ""
        if not isinstance(name, str) or not isinstance(value, str):
            unknown = True
            continue
        # GetBucketNotificationConfiguration returns "Prefix"/"Suffix" while the FilterRule reference lists
        # "prefix | suffix": rule names compare case-insensitively.
        lowered = name.lower()
        if lowered == "prefix":
            prefixes.append(_decode(value))
        elif lowered == "suffix":
            suffixes.append(_decode(value))
        else:
            unknown = True
    return _Rules(prefixes, suffixes, unknown)


def _filter_rules_as_read(entry):
    flt = entry.get("Filter")
    if not isinstance(flt, dict):
        return []
    key = flt.get("Key")
    if not isinstance(key, dict) or not isinstance(key.get("FilterRules"), list):
        return []
    return copy.deepcopy(key["FilterRules"])


def describe_configuration(section, index, entry):
    """A plain description of one destination configuration, for messages, conflicts and find_overlaps()."""
    destination_type, arn_key = None, None
    for name, key, kind in DESTINATION_SECTIONS:
        if name == section:
            destination_type, arn_key = kind, key
    return {
        "id": entry.get("Id"),
        "destination_type": destination_type,
        "destination_arn": entry.get(arn_key),
        "events": list(_events_of(entry)),
        "filter_rules": _filter_rules_as_read(entry),
        "section": section,
        "index": index,
    }


# ---------------------------------------------------------------------------------------------------------------
# Matching rules
# ---------------------------------------------------------------------------------------------------------------


def _event_covers(have, want):
    """True when a configuration carrying event type `have` receives every event of type `want`.

    notification-how-to-event-types-and-destinations: a type ending in ':*' (s3:ObjectRestore:*,
    s3:ObjectCreated:*, ...) stands for every type under it.
    """
    if have == want:
        return True
    return have.endswith(":*") and want.startswith(have[:-1])


def _events_overlap(first, second):
    return _event_covers(first, second) or _event_covers(second, first)


def _key_matches(rules, key):
    if rules.unknown:
        return False  # cannot prove it: treat as not covering
    return all(key.startswith(prefix) for prefix in rules.prefixes) and all(key.endswith(suffix) for suffix in rules.suffixes)


def _covers_prefix(rules, prefix):
    """Every key under `prefix` matches: each prefix rule is a prefix of it and no (non-empty) suffix rule."""
    if rules.unknown:
        return False
    return all(prefix.startswith(value) for value in rules.prefixes) and not any(rules.suffixes)


def _is_unfiltered(rules):
    return not rules.unknown and not any(rules.prefixes) and not any(rules.suffixes)


def _chain(values, related):
    """True when the values are pairwise related (each a prefix, or each a suffix, of the longest)."""
    if not values:
        return True
    longest = max(values, key=len)
    return all(related(longest, value) for value in values)


def _filters_overlap(first, second):
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


def _overlapping_events(first_events, second_events):
    return [event for event in first_events if any(_events_overlap(event, other) for other in second_events)]


def _entries_overlap(first, second):
    return bool(_overlapping_events(_events_of(first), _events_of(second))) and _filters_overlap(_rules_of(first), _rules_of(second))


def find_overlaps(configuration):
    """Every pair of destination configurations that S3 would reject as overlapping.

    PutBucketNotificationConfiguration fails with 400 "Configuration is ambiguously defined. Cannot have
    overlapping suffixes in two rules if the prefixes are overlapping for the same event type." when two
    configurations, whatever their destinations (topic, queue or Lambda function), share an event type (a
    wildcard overlaps its members) and their key filters overlap (notification-how-to-filtering).
    Returns a list of (description, description) tuples as made by describe_configuration(), in document order.
    """
    entries = list(_iter_destinations(configuration))
    pairs = []
    for i, (section_a, index_a, entry_a, _kind_a, _key_a) in enumerate(entries):
        for section_b, index_b, entry_b, _kind_b, _key_b in entries[i + 1:]:
            if _entries_overlap(entry_a, entry_b):
                pairs.append((describe_configuration(section_a, index_a, entry_a), describe_configuration(section_b, index_b, entry_b)))
    return pairs


# ---------------------------------------------------------------------------------------------------------------
# Planning the change
# ---------------------------------------------------------------------------------------------------------------


def _scopes(keys, prefix):
    """What must be covered: each key restored, and every key under the prefix; the whole bucket when neither."""
    if isinstance(keys, str):
        keys = [keys]
    scopes = [("key", key) for key in dict.fromkeys(keys or ())]
    if prefix is not None:
        scopes.append(("prefix", prefix))
    if not scopes:
        scopes.append(("prefix", ""))
    return scopes


def _covers_scope(rules, scope):
    kind, value = scope
    if kind == "key":
        return _key_matches(rules, value)
    return _covers_prefix(rules, value)


def _new_id(configuration, topic_arn):
    """A stable, readable Id for the configuration we add: s3async-restore-<topic name>, -2, -3... when taken.

    Ids must be unique within the notification configuration (NotificationConfiguration, Id), across all
    destination kinds, so every section is searched.
    """
    name = topic_arn.split(":")[5]
    taken = set(entry.get("Id") for _section, _index, entry, _kind, _key in _iter_destinations(configuration))
    number = 1
    while True:
        suffix = "" if number == 1 else "-%d" % number
        candidate = (ID_PREFIX + name)[: MAX_ID_LENGTH - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


def _filter_text(rules_as_read):
    if not rules_as_read:
        return "no filter (every key)"
    return "filter " + ", ".join("%s=%r" % (rule.get("Name"), rule.get("Value")) for rule in rules_as_read if isinstance(rule, dict))


def _conflict_text(conflict):
    return "%s configuration %r -> %s, events %s, %s" % (
        conflict["destination_type"],
        conflict["id"],
        conflict["destination_arn"],
        ", ".join(conflict["events"]) or "(none)",
        _filter_text(conflict["filter_rules"]),
    )


def _overlap_message(topic_arn, action, our_id, added, conflicts):
    if action == "appended":
        ours = "adding %s to this topic's unfiltered configuration %r" % (", ".join(added), our_id)
    else:
        ours = "adding the configuration %r (no filter, so that it covers every key restored) with %s" % (our_id, ", ".join(added))
    lines = [
        "Cannot route restore events to SNS topic %s: %s would overlap %d existing notification configuration%s, "
        "and S3 rejects two configurations that share an event type (a wildcard such as s3:ObjectRestore:* includes "
        "its members) when their key filters overlap, whatever their destinations (\"Configuration is ambiguously "
        "defined\"). The bucket's notification configuration was not changed." % (topic_arn, ours, len(conflicts), "" if len(conflicts) == 1 else "s"),
        "Overlapping:",
    ]
    for conflict in conflicts:
        lines.append("  - " + _conflict_text(conflict))
    lines.append("Ways out:")
    same_topic = [c for c in conflicts if c["destination_type"] == "topic" and c["destination_arn"] == topic_arn]
    others = [c for c in conflicts if c not in same_topic]
    if same_topic:
        lines.append(
            "  - configuration %s already sends these events to this topic, but only for keys matching its filter: "
            "remove its filter (the events will then be added to it), or restore only keys it covers."
            % ", ".join(repr(c["id"]) for c in same_topic)
        )
    if others:
        names = ", ".join(repr(c["id"]) for c in others)
        lines.extend(
            [
                "  - narrow configuration %s so that it no longer receives these restore events, or remove it; "
                "narrowing its key filter is not enough, because the restore configuration has no filter." % names,
                "  - move the restore events to that destination instead: run without sns_topic_arn and consume "
                "the events it already receives.",
                "  - route via one topic: take the restore events off configuration %s and subscribe its "
                "destination (queue or function) to %s, so the one topic fans them out to both." % (names, topic_arn),
            ]
        )
    return "\n".join(lines)


def plan_restore_notification(current, topic_arn, events=DEFAULT_RESTORE_EVENTS, keys=(), prefix=None):
    """Plan the smallest change that makes `events` for the restored keys reach `topic_arn`.

    Returns {"changed", "action" ("none" | "appended" | "added"), "configuration_id", "configuration_ids",
    "missing_events", "before", "after"}; after is the configuration to PUT and equals before when not changed.
    Raises NotificationConfigError for a bad topic ARN or events, and NotificationOverlapError (nothing to write)
    when the change would make S3 reject the configuration.
    """
    problem = topic_arn_problem(topic_arn)
    if problem:
        raise NotificationConfigError(problem)
    problem = events_problem(events)
    if problem:
        raise NotificationConfigError(problem)

    wanted = _normalise_events(events)
    before = clean_configuration(current)
    scopes = _scopes(keys, prefix)
    ours_rules = [
        (index, entry, _rules_of(entry))
        for index, entry in enumerate(_section_entries(before, TOPIC_SECTION))
        if isinstance(entry, dict) and entry.get("TopicArn") == topic_arn
    ]

    # Coverage: an event reaches the topic for a key when some configuration of this exact topic ARN carries the
    # event (or a wildcard over it) and its filter matches the key (notification-how-to-filtering). Events are a
    # set: order and duplicates in a configuration do not matter, and coverage may be spread over several
    # configurations of the topic.
    missing = []
    covering_ids = []
    for event in wanted:
        carriers = [(entry, rules) for _index, entry, rules in ours_rules if any(_event_covers(have, event) for have in _events_of(entry))]
        found = []
        for scope in scopes:
            match = next((entry for entry, rules in carriers if _covers_scope(rules, scope)), None)
            if match is None:
                found = None
                break
            found.append(match)
        if found is None:
            missing.append(event)
        else:
            for entry in found:
                if entry.get("Id") not in covering_ids:
                    covering_ids.append(entry.get("Id"))

    if not missing:
        return {
            "changed": False,
            "action": "none",
            "configuration_id": covering_ids[0] if covering_ids else "",
            "configuration_ids": covering_ids,
            "missing_events": [],
            "before": before,
            "after": copy.deepcopy(before),
        }

    after = copy.deepcopy(before)
    target = next((index for index, _entry, rules in ours_rules if _is_unfiltered(rules)), None)
    if target is not None:
        # An unfiltered configuration of this topic exists: extend it rather than add a second one, so that the
        # topic keeps one rule per filter (and a second unfiltered rule with these events would overlap it).
        entry = after[TOPIC_SECTION][target]
        entry["Events"] = list(entry.get("Events") or []) + missing
        action = "appended"
        our_index = target
        our_id = entry.get("Id") or ""
    else:
        our_id = _new_id(after, topic_arn)
        if not isinstance(after.get(TOPIC_SECTION), list):
            after[TOPIC_SECTION] = []
        after[TOPIC_SECTION].append({"Id": our_id, "TopicArn": topic_arn, "Events": list(missing)})
        action = "added"
        our_index = len(after[TOPIC_SECTION]) - 1

    # S3 enforces the overlap rule on the whole configuration, but our emulator (moto) does not: check it here so
    # that a collision caused by our change is reported clearly and nothing is written. Only pairs with our
    # configuration that overlap on an event we added are ours; older overlaps are left alone.
    conflicts = []
    for first, second in find_overlaps(after):
        if (first["section"], first["index"]) == (TOPIC_SECTION, our_index):
            other = second
        elif (second["section"], second["index"]) == (TOPIC_SECTION, our_index):
            other = first
        else:
            continue
        if _overlapping_events(other["events"], missing):
            conflicts.append(other)
    if conflicts:
        raise NotificationOverlapError(_overlap_message(topic_arn, action, our_id, missing, conflicts), conflicts)

    return {
        "changed": True,
        "action": action,
        "configuration_id": our_id,
        "configuration_ids": [our_id] + [cid for cid in covering_ids if cid != our_id],
        "missing_events": list(missing),
        "before": before,
        "after": after,
    }


# ---------------------------------------------------------------------------------------------------------------
# Checking what was written
# ---------------------------------------------------------------------------------------------------------------


def _comparable(section, entry, arn_key):
    """What identifies a destination configuration across a write and a read-back.

    S3 capitalises rule names on the way back (FilterRule) and makes up an Id for an entry written without one
    (NotificationConfiguration), so rule names compare case-insensitively and an absent Id matches any.
    """
    rules = sorted((str(rule.get("Name", "")).lower(), rule.get("Value")) for rule in _filter_rules_as_read(entry) if isinstance(rule, dict))
    return (section, entry.get(arn_key), tuple(sorted(set(_events_of(entry)))), tuple(rules))


def missing_entries(expected, actual):
    """Descriptions of what `expected` (the configuration written) holds that `actual` (read back) lacks.

    Used after PutBucketNotificationConfiguration to notice another writer replacing the configuration between
    our read and our write: S3 has no conditional write for it.
    """
    found = {}
    for section, _index, entry, _kind, arn_key in _iter_destinations(actual):
        found.setdefault(_comparable(section, entry, arn_key), []).append(entry.get("Id"))
    missing = []
    for section, index, entry, _kind, arn_key in _iter_destinations(expected):
        ids = found.get(_comparable(section, entry, arn_key), [])
        if not ids or (entry.get("Id") and entry.get("Id") not in ids):
            missing.append("%s[%d] (Id %r)" % (section, index, entry.get("Id")))
    known = set(section for section, _arn_key, _kind in DESTINATION_SECTIONS)
    for name in sorted(set(expected) - known):
        if name not in actual:
            missing.append(name)
    return missing


# ---------------------------------------------------------------------------------------------------------------
# Output helpers
# ---------------------------------------------------------------------------------------------------------------


def sorted_for_diff(configuration):
    """The same data with mapping keys sorted recursively (lists keep their order), for a readable diff."""
    if isinstance(configuration, dict):
        return dict((key, sorted_for_diff(configuration[key])) for key in sorted(configuration, key=str))
    if isinstance(configuration, (list, tuple)):
        return [sorted_for_diff(item) for item in configuration]
    return configuration


def destination_policy_statement(topic_arn, bucket, account_id=None):
    """The SNS topic-policy statement that lets S3 publish this bucket's events to the topic.

    grant-destinations-permissions-to-s3: principal service s3.amazonaws.com, action SNS:Publish on the topic,
    conditioned on the bucket's ARN (aws:SourceArn) and the bucket owner's account (aws:SourceAccount) so that
    no other bucket can publish through it. account_id None leaves the account condition out.
    """
    partition = topic_arn.split(":")[1] if topic_arn.count(":") >= 5 else "aws"
    condition = {"ArnLike": {"aws:SourceArn": "arn:%s:s3:::%s" % (partition, bucket)}}
    if account_id:
        condition["StringEquals"] = {"aws:SourceAccount": str(account_id)}
    return {
        "Sid": "AllowS3PublishRestoreEvents",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "SNS:Publish",
        "Resource": topic_arn,
        "Condition": condition,
    }


def destination_validation_message(topic_arn, bucket, account_id=None):
    """The message for S3's 400 "Unable to validate the following destination configurations"."""
    statement = destination_policy_statement(topic_arn, bucket, account_id)
    lines = [
        "S3 could not validate SNS topic %s as a destination for bucket %s (\"Unable to validate the following "
        "destination configurations\"); the bucket's notification configuration was not changed. S3 publishes a "
        "test message when the configuration is written, so the topic must exist in the bucket's region and its "
        "access policy must let Amazon S3 publish to it. Add this statement to the topic's policy (keep the "
        "statements it already has), then run again:" % (topic_arn, bucket),
        json.dumps(statement, indent=2),
    ]
    if not account_id:
        lines.append(
            "Also add \"StringEquals\": {\"aws:SourceAccount\": \"<bucket owner account id>\"} to the Condition, so "
            "that only this account's bucket can publish."
        )
    lines.append(
        "If the topic is encrypted with a customer managed KMS key, that key's policy must also allow the "
        "s3.amazonaws.com service principal kms:GenerateDataKey and kms:Decrypt."
    )
    return "\n".join(lines)
