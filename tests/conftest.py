# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Make this checkout importable as ansible_collections.s3async.restore (with amazon.aws beside it).

scripts/setup.sh lays out .collections/ansible_collections/{amazon/aws, s3async/restore -> repository root};
plain pytest then imports the collection the way Ansible does.
"""

from __future__ import annotations

import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO_ROOT, ".collections")

if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "amazon", "aws")):
    raise RuntimeError("amazon.aws is missing from .collections: run scripts/setup.sh first")
_link = os.path.join(COLLECTIONS, "ansible_collections", "s3async", "restore")
if not os.path.exists(_link):
    os.makedirs(os.path.dirname(_link), exist_ok=True)
    os.symlink(os.path.join("..", "..", ".."), _link)
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
