# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure merge of the restore events into a bucket's notification configuration.

PutBucketNotificationConfiguration replaces the bucket's whole notification configuration (S3 API Reference,
PutBucketNotificationConfiguration: "This action replaces the existing notification configuration"), so a
writer that rebuilds it from what it knows silently turns off whatever it does not know. Everything here works on
the configuration exactly as GetBucketNotificationConfiguration returned it and makes one of two changes only:
add events to one topic configuration of our topic, or add one topic configuration. Nothing here talks to AWS.
The request's checks and normalisation are in notification_input, the messages and the diff view in
notification_text, the errors in notification_errors.

Sources for the rules, cited where they are used:

* S3 User Guide, "Configuring event notifications using object key name filtering" (notification-how-to-filtering);
* S3 User Guide, "Supported event types for SQS, SNS, and Lambda" (notification-how-to-event-types-and-destinations);
* S3 API Reference, PutBucketNotificationConfiguration, NotificationConfiguration, FilterRule.
"""

from __future__ import annotations

import copy

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import NamedTuple
from urllib.parse import unquote_plus

from ansible_collections.s3async.restore.plugins.module_utils.notification_errors import NotificationConfigError
from ansible_collections.s3async.restore.plugins.module_utils.notification_errors import NotificationOverlapError
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import DEFAULT_RESTORE_EVENTS
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import events_problem
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import requested_events
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import requested_scopes
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import topic_arn_problem
from ansible_collections.s3async.restore.plugins.module_utils.notification_text import overlap_message

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


# ---------------------------------------------------------------------------------------------------------------
# Reading a configuration
# ---------------------------------------------------------------------------------------------------------------


def clean_configuration(raw: dict | None) -> dict:
    """A deep copy of a GetBucketNotificationConfiguration response without ResponseMetadata.

    Everything else, including keys this code does not know (S3 adds them, e.g. EventBridgeConfiguration in 2021),
    is kept exactly: PutBucketNotificationConfiguration replaces the whole configuration, so anything dropped here
    would be switched off.
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise NotificationConfigError(f"A bucket notification configuration must be a mapping; got {raw!r}.")
    cleaned = copy.deepcopy(raw)
    cleaned.pop("ResponseMetadata", None)
    return cleaned


def _section_entries(configuration: dict, section: str) -> list:
    entries = configuration.get(section)
    return entries if isinstance(entries, list) else []


def _iter_destinations(configuration: dict) -> Iterator[tuple[str, int, dict, str, str]]:
    """(section, index, entry, destination_type, arn_key) for every destination configuration, in a stable order."""
    for section, arn_key, destination_type in DESTINATION_SECTIONS:
        for index, entry in enumerate(_section_entries(configuration, section)):
            if isinstance(entry, dict):
                yield section, index, entry, destination_type, arn_key


def _events_of(entry: dict) -> list[str]:
    events = entry.get("Events")
    if not isinstance(events, (list, tuple)):
        return []
    return [event for event in events if isinstance(event, str)]


class _Rules(NamedTuple):
    """An entry's key filter: all prefix values, all suffix values, and whether anything else was present."""

    prefixes: list[str]
    suffixes: list[str]
    unknown: bool


def _decode(value: str) -> str:
    # notification-how-to-filtering: in a filter value a space is written '+' and other special characters are
    # percent-encoded, so "my+photos/" matches the key "my photos/a.jpg". Compare decoded values with keys.
    return unquote_plus(value)


def _rules_of(entry: dict) -> _Rules:
    key_filter = entry.get("Filter")
    if key_filter in (None, {}):
        return _Rules([], [], False)
    rules = _filter_rule_list(key_filter)
    if rules is None:
        return _Rules([], [], True)
    # A filter kind this code does not know: it narrows the entry in a way we cannot judge.
    unknown = any(name != "Key" for name in key_filter)
    kinds_and_values = [_rule_kind(rule) for rule in rules]
    prefixes = [value for kind, value in kinds_and_values if kind == "prefix"]
    suffixes = [value for kind, value in kinds_and_values if kind == "suffix"]
    return _Rules(prefixes, suffixes, unknown or any(kind is None for kind, _value in kinds_and_values))


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
    # "prefix | suffix": rule names compare case-insensitively.
    lowered = name.lower()
    if lowered in ("prefix", "suffix"):
        return lowered, _decode(value)
    return None, None


def _filter_rules_as_read(entry: dict) -> list:
    key_filter = entry.get("Filter")
    if not isinstance(key_filter, dict):
        return []
    key = key_filter.get("Key")
    if not isinstance(key, dict) or not isinstance(key.get("FilterRules"), list):
        return []
    return copy.deepcopy(key["FilterRules"])


def describe_configuration(section: str, index: int, entry: dict) -> dict:
    """A plain description of one destination configuration, for messages, conflicts and find_overlaps()."""
    destination_type, arn_key = next(((kind, key) for name, key, kind in DESTINATION_SECTIONS if name == section), (None, None))
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


def _event_covers(have: str, want: str) -> bool:
    """True when a configuration carrying event type `have` receives every event of type `want`.

    notification-how-to-event-types-and-destinations: a type ending in ':*' (s3:ObjectRestore:*,
    s3:ObjectCreated:*, ...) stands for every type under it.
    """
    if have == want:
        return True
    return have.endswith(":*") and want.startswith(have[:-1])


def _events_overlap(first: str, second: str) -> bool:
    return _event_covers(first, second) or _event_covers(second, first)


def _key_matches(rules: _Rules, key: str) -> bool:
    if rules.unknown:
        return False  # cannot prove it: treat as not covering
    return all(key.startswith(prefix) for prefix in rules.prefixes) and all(key.endswith(suffix) for suffix in rules.suffixes)


def _covers_prefix(rules: _Rules, prefix: str) -> bool:
    """Every key under `prefix` matches: each prefix rule is a prefix of it and no (non-empty) suffix rule."""
    if rules.unknown:
        return False
    return all(prefix.startswith(value) for value in rules.prefixes) and not any(rules.suffixes)


def _is_unfiltered(rules: _Rules) -> bool:
    return not rules.unknown and not any(rules.prefixes) and not any(rules.suffixes)


def _chain(values: list[str], related: Callable[[str, str], bool]) -> bool:
    """True when the values are pairwise related (each a prefix, or each a suffix, of the longest)."""
    if not values:
        return True
    longest = max(values, key=len)
    return all(related(longest, value) for value in values)


def _filters_overlap(first: _Rules, second: _Rules) -> bool:
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


def _overlapping_events(first_events: list[str], second_events: list[str]) -> list[str]:
    return [event for event in first_events if any(_events_overlap(event, other) for other in second_events)]


def _entries_overlap(first: dict, second: dict) -> bool:
    return bool(_overlapping_events(_events_of(first), _events_of(second))) and _filters_overlap(_rules_of(first), _rules_of(second))


def find_overlaps(configuration: dict) -> list[tuple[dict, dict]]:
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


def _covers_scope(rules: _Rules, scope: tuple[str, str]) -> bool:
    """Whether a filter matches every key of a scope of requested_scopes(): ("key", key) or ("prefix", prefix)."""
    kind, value = scope
    if kind == "key":
        return _key_matches(rules, value)
    return _covers_prefix(rules, value)


def _topic_configurations(configuration: dict, topic_arn: str) -> list[tuple[int, dict, _Rules]]:
    """(index, entry, rules) of every topic configuration of exactly this topic ARN, in document order."""
    return [
        (index, entry, _rules_of(entry))
        for index, entry in enumerate(_section_entries(configuration, TOPIC_SECTION))
        if isinstance(entry, dict) and entry.get("TopicArn") == topic_arn
    ]


def _covering_entries(ours: list[tuple[int, dict, _Rules]], event: str, scopes: list[tuple[str, str]]) -> list[dict] | None:
    """For each scope, the first of our configurations that carries `event` for all of it; None when one has none."""
    carriers = [(entry, rules) for _index, entry, rules in ours if any(_event_covers(have, event) for have in _events_of(entry))]
    found = []
    for scope in scopes:
        match = next((entry for entry, rules in carriers if _covers_scope(rules, scope)), None)
        if match is None:
            return None
        found.append(match)
    return found


def _coverage(ours: list[tuple[int, dict, _Rules]], wanted: list[str], scopes: list[tuple[str, str]]) -> tuple[list[str], list]:
    """(missing events, covering Ids): the wanted events some scope does not get yet, and the Ids, in first-use
    order, of the configurations that deliver the others."""
    # Coverage: an event reaches the topic for a key when some configuration of this exact topic ARN carries the
    # event (or a wildcard over it) and its filter matches the key (notification-how-to-filtering). Events are a
    # set: order and duplicates in a configuration do not matter, and coverage may be spread over several
    # configurations of the topic.
    missing = []
    covering_ids = []
    for event in wanted:
        found = _covering_entries(ours, event, scopes)
        if found is None:
            missing.append(event)
            continue
        for entry in found:
            if entry.get("Id") not in covering_ids:
                covering_ids.append(entry.get("Id"))
    return missing, covering_ids


def _new_id(configuration: dict, topic_arn: str) -> str:
    """A stable, readable Id for the configuration we add: s3async-restore-<topic name>, -2, -3... when taken.

    Ids must be unique within the notification configuration (NotificationConfiguration, Id), across all
    destination kinds, so every section is searched.
    """
    name = topic_arn.split(":")[5]
    taken = {entry.get("Id") for _section, _index, entry, _kind, _key in _iter_destinations(configuration)}
    number = 1
    while True:
        suffix = "" if number == 1 else f"-{number}"
        candidate = (ID_PREFIX + name)[: MAX_ID_LENGTH - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


def _with_events_added(before: dict, topic_arn: str, ours: list[tuple[int, dict, _Rules]], missing: list[str]) -> tuple[dict, str, int, str]:
    """A copy of `before` with `missing` appended to our first unfiltered configuration, else in a new one.

    Returns (after, action "appended" | "added", index of our entry in TopicConfigurations, its Id).
    """
    after = copy.deepcopy(before)
    target = next((index for index, _entry, rules in ours if _is_unfiltered(rules)), None)
    if target is not None:
        # An unfiltered configuration of this topic exists: extend it rather than add a second one, so that the
        # topic keeps one rule per filter (and a second unfiltered rule with these events would overlap it).
        entry = after[TOPIC_SECTION][target]
        entry["Events"] = list(entry.get("Events") or []) + missing
        return after, "appended", target, entry.get("Id") or ""
    our_id = _new_id(after, topic_arn)
    if not isinstance(after.get(TOPIC_SECTION), list):
        after[TOPIC_SECTION] = []
    after[TOPIC_SECTION].append({"Id": our_id, "TopicArn": topic_arn, "Events": list(missing)})
    return after, "added", len(after[TOPIC_SECTION]) - 1, our_id


def _new_conflicts(after: dict, our_index: int, added: list[str]) -> list[dict]:
    """The configurations that overlap ours (TopicConfigurations[our_index]) on an event we added.

    S3 enforces the overlap rule on the whole configuration, but our emulator (moto) does not: check it here so
    that a collision caused by our change is reported clearly and nothing is written. Only pairs with our
    configuration that overlap on an event we added are ours; older overlaps are left alone.
    """
    ours = (TOPIC_SECTION, our_index)
    conflicts = []
    for pair in find_overlaps(after):
        others = [description for description in pair if (description["section"], description["index"]) != ours]
        if len(others) == 1 and _overlapping_events(others[0]["events"], added):
            conflicts.append(others[0])
    return conflicts


def plan_restore_notification(current: dict | None, topic_arn: str, events: Sequence[str] = DEFAULT_RESTORE_EVENTS,
                              keys: Iterable[str] | str = (), prefix: str | None = None) -> dict:
    """Plan the smallest change that makes `events` for the restored keys reach `topic_arn`.

    Returns {"changed", "action" ("none" | "appended" | "added"), "configuration_id", "configuration_ids",
    "missing_events", "before", "after"}; after is the configuration to PUT and equals before when not changed.
    Raises NotificationConfigError for a bad topic ARN or events, and NotificationOverlapError (nothing to write)
    when the change would make S3 reject the configuration.
    """
    problem = topic_arn_problem(topic_arn) or events_problem(events)
    if problem:
        raise NotificationConfigError(problem)
    wanted = requested_events(events)
    before = clean_configuration(current)
    scopes = requested_scopes(keys, prefix)
    ours = _topic_configurations(before, topic_arn)
    missing, covering_ids = _coverage(ours, wanted, scopes)
    if not missing:
        return _plan("none", covering_ids, [], before, copy.deepcopy(before))
    after, action, our_index, our_id = _with_events_added(before, topic_arn, ours, missing)
    conflicts = _new_conflicts(after, our_index, missing)
    if conflicts:
        raise NotificationOverlapError(overlap_message(topic_arn, action, our_id, missing, conflicts), conflicts)
    configuration_ids = [our_id] + [covering_id for covering_id in covering_ids if covering_id != our_id]
    return _plan(action, configuration_ids, list(missing), before, after)


def _plan(action: str, configuration_ids: list, missing: list[str], before: dict, after: dict) -> dict:
    """What plan_restore_notification() returns; configuration_id is the first Id ("" when none)."""
    return {
        "changed": action != "none",
        "action": action,
        "configuration_id": configuration_ids[0] if configuration_ids else "",
        "configuration_ids": configuration_ids,
        "missing_events": missing,
        "before": before,
        "after": after,
    }


# ---------------------------------------------------------------------------------------------------------------
# Checking what was written
# ---------------------------------------------------------------------------------------------------------------


def _comparable(section: str, entry: dict, arn_key: str) -> tuple:
    """What identifies a destination configuration across a write and a read-back.

    S3 capitalises rule names on the way back (FilterRule) and makes up an Id for an entry written without one
    (NotificationConfiguration), so rule names compare case-insensitively and an absent Id matches any.
    """
    rules = sorted((str(rule.get("Name", "")).lower(), rule.get("Value")) for rule in _filter_rules_as_read(entry) if isinstance(rule, dict))
    return (section, entry.get(arn_key), tuple(sorted(set(_events_of(entry)))), tuple(rules))


def missing_entries(expected: dict, actual: dict) -> list[str]:
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
            missing.append(f"{section}[{index}] (Id {entry.get('Id')!r})")
    known = {section for section, _arn_key, _kind in DESTINATION_SECTIONS}
    for name in sorted(set(expected) - known):
        if name not in actual:
            missing.append(name)
    return missing
