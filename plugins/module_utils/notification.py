# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure merge of the restore events into a bucket's notification configuration, and their removal.

PutBucketNotificationConfiguration replaces the bucket's whole notification configuration (S3 API Reference,
PutBucketNotificationConfiguration: "This action replaces the existing notification configuration"), so a
writer that rebuilds it from what it knows silently turns off whatever it does not know. Everything here works on
the configuration exactly as GetBucketNotificationConfiguration returned it and makes one of three changes only:
add events to one unfiltered topic configuration of our topic, add one topic configuration (unfiltered, or with
the narrowest prefix filter that covers the keys restored), or remove the topic configurations this collection
added (recognised by their Id). Nothing here talks to AWS. The request's checks and normalisation are in
notification_input, the messages and the diff view in notification_text, the errors in notification_errors.

Sources for the rules, cited where they are used:

* S3 User Guide, "Configuring event notifications using object key name filtering" (notification-how-to-filtering);
* S3 User Guide, "Supported event types for SQS, SNS, and Lambda" (notification-how-to-event-types-and-destinations);
* S3 API Reference, PutBucketNotificationConfiguration, NotificationConfiguration, FilterRule.
"""

from __future__ import annotations

import copy

from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence

from ansible_collections.s3async.restore.plugins.module_utils import notification_input
from ansible_collections.s3async.restore.plugins.module_utils.notification_errors import NotificationConfigError
from ansible_collections.s3async.restore.plugins.module_utils.notification_errors import NotificationOverlapError
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import DEFAULT_RESTORE_EVENTS
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import Rules
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import covers_prefix
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import event_covers
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import events_overlap
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import filters_overlap
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import is_unfiltered
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import key_matches
from ansible_collections.s3async.restore.plugins.module_utils.notification_input import rules_of
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

ID_PREFIX = notification_input.ID_PREFIX
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


def destination_ids(configuration: dict) -> dict[str, list]:
    """{destination ARN: [Ids of the configurations sending to it]}, for naming a destination S3 cannot reach."""
    found: dict[str, list] = {}
    for _section, _index, entry, _kind, arn_key in _iter_destinations(configuration):
        if isinstance(entry.get(arn_key), str):
            found.setdefault(entry[arn_key], []).append(entry.get("Id"))
    return found


def _events_of(entry: dict) -> list[str]:
    events = entry.get("Events")
    if not isinstance(events, (list, tuple)):
        return []
    return [event for event in events if isinstance(event, str)]


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


def is_ours(entry: dict, topic_arn: str | None = None) -> bool:
    """A topic configuration this collection added (its Id starts with ID_PREFIX), for `topic_arn` when given."""
    entry_id = entry.get("Id")
    ours = isinstance(entry_id, str) and entry_id.startswith(ID_PREFIX)
    return ours and (topic_arn is None or entry.get("TopicArn") == topic_arn)


# ---------------------------------------------------------------------------------------------------------------
# Matching rules
# ---------------------------------------------------------------------------------------------------------------


def _overlapping_events(first_events: list[str], second_events: list[str]) -> list[str]:
    return [event for event in first_events if any(events_overlap(event, other) for other in second_events)]


def _entries_overlap(first: dict, second: dict) -> bool:
    return bool(_overlapping_events(_events_of(first), _events_of(second))) and filters_overlap(rules_of(first), rules_of(second))


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
# Planning the addition
# ---------------------------------------------------------------------------------------------------------------


def _covers_scope(rules: Rules, scope: tuple[str, str]) -> bool:
    """Whether a filter matches every key of a scope of requested_scopes(): ("key", key) or ("prefix", prefix)."""
    kind, value = scope
    if kind == "key":
        return key_matches(rules, value)
    return covers_prefix(rules, value)


def _topic_configurations(configuration: dict, topic_arn: str) -> list[tuple[int, dict, Rules]]:
    """(index, entry, rules) of every topic configuration of exactly this topic ARN, in document order."""
    return [
        (index, entry, rules_of(entry))
        for index, entry in enumerate(_section_entries(configuration, TOPIC_SECTION))
        if isinstance(entry, dict) and entry.get("TopicArn") == topic_arn
    ]


def _covering_entries(ours: list[tuple[int, dict, Rules]], event: str, scopes: list[tuple[str, str]]) -> list[dict] | None:
    """For each scope, the first of our configurations that carries `event` for all of it; None when one has none."""
    carriers = [(entry, rules) for _index, entry, rules in ours if any(event_covers(have, event) for have in _events_of(entry))]
    found = []
    for scope in scopes:
        match = next((entry for entry, rules in carriers if _covers_scope(rules, scope)), None)
        if match is None:
            return None
        found.append(match)
    return found


def _coverage(ours: list[tuple[int, dict, Rules]], wanted: list[str], scopes: list[tuple[str, str]]) -> tuple[list[str], list]:
    """(missing events, covering Ids): the wanted events some scope does not get yet, and the Ids, in first-use
    order, of the configurations that deliver the others."""
    # Coverage: an event reaches the topic for a key when some configuration of this exact topic ARN carries the
    # event (or a wildcard over it) with a filter that matches the key (notification-how-to-filtering).
    missing, covering_ids = [], []
    for event in wanted:
        found = _covering_entries(ours, event, scopes)
        if found is None:
            missing.append(event)
            continue
        for entry in found:
            if entry.get("Id") not in covering_ids:
                covering_ids.append(entry.get("Id"))
    return missing, covering_ids


def _configured_events(configuration: dict, topic_arn: str, wanted: list[str], scopes: list[tuple[str, str]]) -> list[str]:
    """The restore event types, as written, of the configurations that deliver the wanted events to the topic:
    what the topic is configured to receive (the wildcard is reported as the wildcard, members as members)."""
    ours = _topic_configurations(configuration, topic_arn)
    events = set()
    for event in wanted:
        for entry in _covering_entries(ours, event, scopes) or []:
            events.update(have for have in _events_of(entry) if notification_input.is_restore_event(have))
    return sorted(events)


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


def _with_events_added(before: dict, topic_arn: str, ours: list[tuple[int, dict, Rules]], missing: list[str],
                       prefix: str | None = None) -> tuple[dict, str, int, str]:
    """A copy of `before` with `missing` appended to our first configuration with exactly this filter (none, or
    the one prefix rule `prefix`), else in a new one with that filter.

    Returns (after, action "appended" | "added", index of our entry in TopicConfigurations, its Id).
    """
    after = copy.deepcopy(before)
    target = next((index for index, _entry, rules in ours if _filtered_exactly(rules, prefix)), None)
    if target is not None:
        # A configuration of this topic with this filter exists: extend it rather than add a second one, so that
        # the topic keeps one rule per filter (and a second rule with these events and filter would overlap it).
        entry = after[TOPIC_SECTION][target]
        entry["Events"] = list(entry.get("Events") or []) + missing
        return after, "appended", target, entry.get("Id") or ""
    our_id = _new_id(after, topic_arn)
    if not isinstance(after.get(TOPIC_SECTION), list):
        after[TOPIC_SECTION] = []
    entry = {"Id": our_id, "TopicArn": topic_arn, "Events": list(missing)}
    if prefix:
        # FilterRule Name is "prefix" in the API reference; the value is URL-encoded (notification-how-to-filtering).
        entry["Filter"] = {"Key": {"FilterRules": [{"Name": "prefix", "Value": notification_input.encode_filter_value(prefix)}]}}
    after[TOPIC_SECTION].append(entry)
    return after, "added", len(after[TOPIC_SECTION]) - 1, our_id


def _filtered_exactly(rules: Rules, prefix: str | None) -> bool:
    """Whether a filter is no filter (prefix None), or exactly the one prefix rule `prefix`."""
    if prefix is None:
        return is_unfiltered(rules)
    return not rules.unknown and rules.prefixes == [prefix] and not any(rules.suffixes)


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


def _least_addition(before: dict, topic_arn: str, ours: list, to_write: list[str], scopes: list) -> tuple:
    """(after, action, our index, our Id, prefix or None, conflicts) of the first addition S3 would accept: the
    unfiltered one, else one filtered on the narrowest prefix that covers the scopes. When both overlap, the last
    tried, with its conflicts."""
    after, action, our_index, our_id = _with_events_added(before, topic_arn, ours, to_write)
    conflicts = _new_conflicts(after, our_index, to_write)
    narrowest = notification_input.narrowest_prefix(scopes)
    # An empty prefix filter is no narrower than none: for the whole bucket the unfiltered addition is the only one.
    if not conflicts or not narrowest:
        return after, action, our_index, our_id, None, conflicts
    after, action, our_index, our_id = _with_events_added(before, topic_arn, ours, to_write, narrowest)
    return after, action, our_index, our_id, narrowest, _new_conflicts(after, our_index, to_write)


def plan_restore_notification(current: dict | None, topic_arn: str, events: Sequence[str] = DEFAULT_RESTORE_EVENTS,
                              keys: Iterable[str] | str = (), prefix: str | None = None) -> dict:
    """Plan the smallest change that makes `events` for the restored keys reach `topic_arn`.

    Returns {"changed", "action" ("none" | "appended" | "added"), "configuration_id", "configuration_ids",
    "missing_events", "events", "before", "after"}; after is the configuration to PUT and equals before when not
    changed; events are the restore events the topic is then configured to receive, as written.
    Raises NotificationConfigError for a bad topic ARN or events, and NotificationOverlapError (nothing to write)
    when even the narrowest addition would make S3 reject the configuration.
    """
    problem = notification_input.topic_arn_problem(topic_arn) or notification_input.events_problem(events)
    if problem:
        raise NotificationConfigError(problem)
    wanted = notification_input.wanted_members(events)
    before = clean_configuration(current)
    scopes = notification_input.requested_scopes(keys, prefix)
    ours = _topic_configurations(before, topic_arn)
    missing, covering_ids = _coverage(ours, wanted, scopes)
    if not missing:
        return _plan("none", covering_ids, [], before, copy.deepcopy(before), _configured_events(before, topic_arn, wanted, scopes))
    to_write = notification_input.events_to_write(events, missing)
    after, action, _our_index, our_id, filter_prefix, conflicts = _least_addition(before, topic_arn, ours, to_write, scopes)
    if conflicts:
        addition = {"action": action, "id": our_id, "events": to_write, "prefix": filter_prefix}
        raise NotificationOverlapError(overlap_message(topic_arn, addition, conflicts), conflicts)
    configuration_ids = [our_id] + [covering_id for covering_id in covering_ids if covering_id != our_id]
    return _plan(action, configuration_ids, to_write, before, after, _configured_events(after, topic_arn, wanted, scopes))


def _plan(action: str, configuration_ids: list, missing: list[str], before: dict, after: dict, events: list | None = None) -> dict:
    """What the planners return; configuration_id is the first Id ("" when none)."""
    return {
        "changed": action != "none",
        "action": action,
        "configuration_id": configuration_ids[0] if configuration_ids else "",
        "configuration_ids": configuration_ids,
        "missing_events": missing,
        "events": list(events or []),
        "before": before,
        "after": after,
    }


# ---------------------------------------------------------------------------------------------------------------
# Planning the removal (notification_state=absent)
# ---------------------------------------------------------------------------------------------------------------


def plan_notification_removal(current: dict | None, topic_arn: str | None = None) -> dict:
    """Plan the removal of the topic configurations this collection added (Id prefix ID_PREFIX), for `topic_arn`
    when given, else all of them. Each goes whole, whatever events it carries: it is ours by its Id. Nothing else
    is touched. Returns the plan dict of plan_restore_notification() with action "removed" | "none",
    configuration_ids the Ids removed, and events the restore events the topic still receives from the
    configurations left (none without a topic)."""
    before = clean_configuration(current)
    after = copy.deepcopy(before)
    entries = _section_entries(before, TOPIC_SECTION)
    removed = [entry.get("Id") for entry in entries if isinstance(entry, dict) and is_ours(entry, topic_arn)]
    if removed:
        after[TOPIC_SECTION] = [entry for entry in entries if not (isinstance(entry, dict) and is_ours(entry, topic_arn))]
    remaining = set()
    for _index, entry, _rules in _topic_configurations(after, topic_arn) if topic_arn else []:
        remaining.update(event for event in _events_of(entry) if notification_input.is_restore_event(event))
    return _plan("removed" if removed else "none", removed, [], before, after, sorted(remaining))


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
