# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests for the errors of the notification merge: the message is both msg and str(), an overlap carries its conflicts."""

from __future__ import annotations

import pytest

from ansible_collections.s3async.restore.plugins.module_utils.notification_errors import NotificationConfigError, NotificationOverlapError


def test_config_error_msg():
    error = NotificationConfigError("what is wrong")
    assert (error.msg, str(error), error.args) == ("what is wrong", "what is wrong", ("what is wrong",))
    assert not hasattr(error, "conflicts")


def test_overlap_error_is_a_config_error_with_conflicts():
    conflicts = [{"id": "q", "destination_type": "queue"}]
    with pytest.raises(NotificationConfigError) as raised:
        raise NotificationOverlapError("overlaps", conflicts)
    error = raised.value
    assert isinstance(error, NotificationOverlapError)
    assert (error.msg, str(error), error.args, error.conflicts) == ("overlaps", "overlaps", ("overlaps",), conflicts)
