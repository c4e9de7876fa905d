# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The layers of docs/architecture.md, checked on the source: imports point one way only,
modules -> tasks -> AWS edge -> pure rules, and the pure rules import neither boto3 nor botocore."""

from __future__ import annotations

import ast
import os

import pytest

PLUGINS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))), "plugins")
MODULE_UTILS = os.path.join(PLUGINS, "module_utils")
OURS = "ansible_collections.s3async.restore.plugins.module_utils"

LAYERS = {
    "pure": ("aws_names", "batch_job", "batch_job_checks", "batch_job_status", "copy_plan", "job_manifests",
             "manifests", "notification", "notification_errors", "notification_input", "notification_text",
             "object_results", "options", "pacing", "ready_window", "restore_events", "restore_state", "result_text",
             "selection", "waiting"),
    "edge": ("aws_clients", "failures", "s3_api", "s3_copy_api", "s3control_api", "sqs_api"),
    "tasks": ("event_wait", "interruption", "job_listing", "job_task", "notification_task", "object_restore",
              "object_sources", "report_task", "restore_task", "unarchive_task"),
}
LAYER_OF = {name: layer for layer, names in LAYERS.items() for name in names}
# What each layer may import from the collection.
MAY_IMPORT = {"pure": {"pure"}, "edge": {"edge", "pure"}, "tasks": {"tasks", "edge", "pure"}, "modules": {"tasks", "pure"}}


def imports_of(path):
    """(names of our module_utils imported, other top-level packages imported) by the file at `path`."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    ours, others = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == OURS:
                ours.update(alias.name for alias in node.names)
            elif node.module.startswith(OURS + "."):
                ours.add(node.module[len(OURS) + 1:].split(".")[0])
            else:
                others.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            others.update(alias.name.split(".")[0] for alias in node.names)
    return ours, others


def module_utils_files():
    return sorted(name[:-3] for name in os.listdir(MODULE_UTILS) if name.endswith(".py") and name != "__init__.py")


def test_every_module_utils_file_has_a_layer():
    assert sorted(LAYER_OF) == module_utils_files()


@pytest.mark.parametrize("name", module_utils_files())
def test_module_utils_imports_point_down(name):
    layer = LAYER_OF[name]
    ours, others = imports_of(os.path.join(MODULE_UTILS, f"{name}.py"))
    upward = sorted(imported for imported in ours if LAYER_OF[imported] not in MAY_IMPORT[layer])
    assert not upward, f"{name} ({layer}) imports {upward} from a layer above it"
    if layer == "pure":
        assert not others & {"boto3", "botocore"}, f"{name} is pure and must not import boto3 or botocore"
    if layer != "tasks":
        assert not others & {"threading", "concurrent", "time"}, f"threads and clocks live in the tasks, not in {name}"


@pytest.mark.parametrize("name", sorted(name[:-3] for name in os.listdir(os.path.join(PLUGINS, "modules")) if name.endswith(".py")))
def test_modules_reach_the_edge_only_through_tasks(name):
    ours, others = imports_of(os.path.join(PLUGINS, "modules", f"{name}.py"))
    skipped = sorted(imported for imported in ours if LAYER_OF[imported] not in MAY_IMPORT["modules"])
    assert not skipped, f"module {name} imports {skipped}: modules call the tasks"
    assert not others & {"boto3", "botocore", "time"}, f"module {name} makes AWS calls or keeps a clock itself"


@pytest.mark.parametrize("name", module_utils_files())
def test_module_utils_files_stay_short(name):
    with open(os.path.join(MODULE_UTILS, f"{name}.py"), encoding="utf-8") as handle:
        assert len(handle.readlines()) <= 450
