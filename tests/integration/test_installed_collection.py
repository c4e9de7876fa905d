# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection used as users use it: the built tarball installed into a fresh collections path, and a playbook
run from a directory of its own (no ansible.cfg of this repository) with an inventory that lists localhost
explicitly, against the session's moto_server."""

from __future__ import annotations

import glob
import os
import shutil

import pytest

from cli_paths import REPO_ROOT, VENV_BIN, run_cli

AMAZON_AWS = os.path.join(REPO_ROOT, ".collections", "ansible_collections", "amazon", "aws")
README_INVENTORY_LINE = 'localhost ansible_connection=local ansible_python_interpreter="{{ ansible_playbook_python }}"'

PLAYBOOK = """\
- name: Restore an archived object, twice
  hosts: all
  gather_facts: false
  tasks:
    - name: Restore the object
      s3async.restore.s3_object_restore:
        bucket: "{{ bucket }}"
        key: backups/db.dump
        days: 1
      register: first

    - name: Restore it again
      s3async.restore.s3_object_restore:
        bucket: "{{ bucket }}"
        key: backups/db.dump
        days: 1
      register: second

    - name: Report on it
      s3async.restore.s3_object_restore_info:
        bucket: "{{ bucket }}"
        key: backups/db.dump
      register: info

    - name: The first run requested the restore, the second changed nothing
      ansible.builtin.assert:
        that:
          - first is changed
          - first.objects[0].action == 'restore_requested'
          - second is not changed
          - second.objects[0].action == 'none'
          - info.objects[0].status in ['in_progress', 'restored']
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory, aws_env):
    """A collections path holding only the built s3async.restore tarball (and amazon.aws, its dependency)."""
    work = tmp_path_factory.mktemp("installed")
    env = {name: value for name, value in aws_env.items() if name not in ("ANSIBLE_CONFIG", "ANSIBLE_PYTHON_INTERPRETER")}
    built = run_cli([os.path.join(VENV_BIN, "ansible-galaxy"), "collection", "build", REPO_ROOT,
                     "--output-path", str(work / "dist")], env, cwd=str(work))
    assert built.returncode == 0, built.stdout + built.stderr
    (tarball,) = glob.glob(str(work / "dist" / "s3async-restore-*.tar.gz"))
    collections = work / "collections"
    # amazon.aws as a user has it installed; Galaxy is not reachable here, hence --no-deps and a copy.
    shutil.copytree(AMAZON_AWS, collections / "ansible_collections" / "amazon" / "aws", symlinks=True)
    install = run_cli([os.path.join(VENV_BIN, "ansible-galaxy"), "collection", "install", "--no-deps", "-p",
                       str(collections), tarball], env, cwd=str(work))
    assert install.returncode == 0, install.stdout + install.stderr
    env["ANSIBLE_COLLECTIONS_PATH"] = str(collections)
    return work, env


def test_the_collection_is_installed_from_the_tarball(installed):
    work, env = installed
    listed = run_cli([os.path.join(VENV_BIN, "ansible-galaxy"), "collection", "list", "s3async.restore"], env,
                     cwd=str(work))
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert os.path.join(str(work), "collections", "ansible_collections") in listed.stdout
    installed_root = work / "collections" / "ansible_collections" / "s3async" / "restore"
    assert (installed_root / "MANIFEST.json").is_file()
    assert not os.path.islink(installed_root)
    # what galaxy.yml's build_ignore keeps out of the tarball
    for left_out in (".venv", ".collections", ".git", "build"):
        assert not (installed_root / left_out).exists(), left_out


def test_a_playbook_from_another_directory_restores_once(installed, aws, bucket):
    work, env = installed
    aws("s3").put_object(Bucket=bucket, Key="backups/db.dump", Body=b"x" * 10, StorageClass="GLACIER")
    project = work / f"project-{bucket}"
    project.mkdir()
    (project / "site.yml").write_text(PLAYBOOK, encoding="utf-8")
    # localhost listed explicitly: interpreter discovery would pick a Python without boto3, so say which one, with
    # the README's line ("Use it in your own playbooks"): the Python that runs ansible-playbook.
    (project / "inventory.ini").write_text(README_INVENTORY_LINE + "\n", encoding="utf-8")
    completed = run_cli([os.path.join(VENV_BIN, "ansible-playbook"), "-i", "inventory.ini", "site.yml",
                         "-e", f"bucket={bucket}"], env, cwd=str(project))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "localhost                  : ok=4    changed=1" in completed.stdout, completed.stdout
    assert "Restore" in aws("s3").head_object(Bucket=bucket, Key="backups/db.dump")


def test_the_readme_gives_that_inventory_line():
    with open(os.path.join(REPO_ROOT, "README.md"), encoding="utf-8") as readme:
        assert README_INVENTORY_LINE in readme.read()
