# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The HTML docs site (scripts/docs_site.sh) as a reader sees it: each page opened in headless chromium, its DOM
after rendering read back. Each module page shows every option of the module in its options table; each guide
shows its title and every table of its Markdown source as a table."""

from __future__ import annotations

import ast
import glob
import os
import re
import subprocess
from html.parser import HTMLParser

import pytest
import yaml

from cli_paths import REPO_ROOT

SITE = os.path.join(REPO_ROOT, "build", "docs-site", "html")
MODULES = sorted(os.path.splitext(os.path.basename(path))[0]
                 for path in glob.glob(os.path.join(REPO_ROOT, "plugins", "modules", "*.py")))
GUIDES = sorted(os.path.splitext(os.path.basename(path))[0]
                for path in glob.glob(os.path.join(REPO_ROOT, "docs", "*.md")))
# A Markdown table's separator row: | --- | :---: |
TABLE_SEPARATOR = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+\s*$")


class Page(HTMLParser):
    """What a test needs of a rendered page: headings, option-table cells' anchors, tables, the text."""

    def __init__(self):
        super().__init__()
        self.h1 = []
        self.option_tables = 0
        self.tables = 0
        self.parameters = set()
        self.text = []
        self.links = set()
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self.tables += 1
            if "ansible-option-table" in (attributes.get("class") or ""):
                self.option_tables += 1
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")
        if tag == "a" and attributes.get("href"):
            self.links.add(attributes["href"].split("#")[0])
        anchor = attributes.get("id") or ""
        if anchor.startswith("parameter-"):
            self.parameters.add(anchor[len("parameter-"):])

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_h1:
            self.h1[-1] += data


@pytest.fixture(scope="module")
def site():
    built = subprocess.run(["bash", os.path.join(REPO_ROOT, "scripts", "docs_site.sh")], cwd=REPO_ROOT,
                           capture_output=True, text=True, timeout=900, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    return SITE


def render(path):
    """The page's DOM after chromium loaded and rendered it (scripts included)."""
    completed = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", f"file://{path}"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    page = Page()
    page.feed(completed.stdout)
    return page


def module_options(name):
    """The options of the module's own DOCUMENTATION (doc fragments' options come on top)."""
    with open(os.path.join(REPO_ROOT, "plugins", "modules", f"{name}.py"), encoding="utf-8") as source:
        tree = ast.parse(source.read())
    documentation = next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
                         and any(getattr(target, "id", None) == "DOCUMENTATION" for target in node.targets))
    return yaml.safe_load(documentation)


def markdown_tables(name):
    """How many tables the guide's Markdown has (outside code blocks), and its title."""
    tables, fenced, title = 0, False, None
    with open(os.path.join(REPO_ROOT, "docs", f"{name}.md"), encoding="utf-8") as guide:
        for line in guide:
            if line.startswith("```"):
                fenced = not fenced
            elif not fenced and TABLE_SEPARATOR.match(line.strip()):
                tables += 1
            elif not fenced and title is None and line.startswith("# "):
                title = line[2:].strip().replace("`", "")
    return tables, title


@pytest.mark.parametrize("name", MODULES)
def test_each_module_page_renders_its_options_table(site, name):
    page = render(os.path.join(site, "collections", "s3async", "restore", f"{name}_module.html"))
    documentation = module_options(name)
    assert any(f"s3async.restore.{name}" in heading for heading in page.h1), page.h1
    assert page.option_tables >= 1
    missing = set(documentation["options"]) - page.parameters
    assert not missing, f"options missing from the options table of {name}: {sorted(missing)}"
    # the attributes block (check_mode, diff_mode, platform) is rendered too
    text = " ".join(page.text)
    for attribute in ("check_mode", "diff_mode", "platform"):
        assert attribute in text


@pytest.mark.parametrize("name", GUIDES)
def test_each_guide_renders_with_its_tables(site, name):
    tables, title = markdown_tables(name)
    page = render(os.path.join(site, "guides", f"{name}.html"))
    assert title and any(title in heading for heading in page.h1), (title, page.h1)
    assert page.tables == tables, f"{name}: {tables} tables in the Markdown, {page.tables} rendered"


def test_the_start_page_leads_to_every_module_and_guide(site):
    assert "guides/index.html" in render(os.path.join(site, "index.html")).links
    collection = render(os.path.join(site, "collections", "s3async", "restore", "index.html"))
    assert {f"{name}_module.html" for name in MODULES} <= collection.links
    guides = render(os.path.join(site, "guides", "index.html"))
    assert {f"{name}.html" for name in GUIDES} <= guides.links
