# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The errors of the notification merge: a request that cannot be configured, and an addition that would overlap.

Both the input checks (notification_input) and the planner (notification) raise them; they live here so that
neither has to import the other.
"""

from __future__ import annotations


class NotificationConfigError(Exception):
    """The requested notification cannot be configured; msg says what is wrong and the ways out."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


class NotificationOverlapError(NotificationConfigError):
    """Our addition would collide with another configuration under S3's overlap rule.

    conflicts: one dict per colliding configuration, as returned by describe_configuration().
    """

    def __init__(self, msg: str, conflicts: list[dict]) -> None:
        super().__init__(msg)
        self.conflicts = conflicts
