"""Rules from other packages arrive through the `autofix.rules` entry-point group."""

from __future__ import annotations

import sys

import pytest

from autofix import registry
from autofix.api import fix_text

PLUGIN = '''
from autofix.rules import Rule


class TopicNameUpper(Rule):
    """Upper-cases SNS topic names (a test plugin)."""

    code = "XT001"
    name = "topic-name-upper"
    summary = "SNS topic names are upper case"
    source_url = "https://example.invalid/xt001"

    def check(self, ctx):
        for res in ctx.doc.resources():
            node = res.prop("TopicName")
            if res.type == "AWS::SNS::Topic" and node is not None and node.value != node.value.upper():
                yield self.fix("upper-case it", node, edits=[ctx.doc.replace(node, node.value.upper())],
                               paths=[res.path + ("Properties", "TopicName")], resource=res)
'''


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    (tmp_path / "xt_plugin.py").write_text(PLUGIN)
    dist = tmp_path / "xt_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: xt-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[autofix.rules]\nxt = xt_plugin:TopicNameUpper\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.all_rules.cache_clear()
    yield
    registry.all_rules.cache_clear()
    sys.modules.pop("xt_plugin", None)


def test_entry_point_rule_is_listed_and_runs(plugin):
    assert registry.find("XT001") is not None
    src = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: orders\n"
    r = fix_text(src, path="t.yaml")
    assert r.output == src.replace("orders", "ORDERS")
    assert [f.rule for f in r.fixes] == ["XT001"]


def test_without_the_plugin_the_rule_is_unknown():
    registry.all_rules.cache_clear()
    assert registry.find("XT001") is None


def test_opt_in_module_list_matches_the_rules():
    """transforms.cfn.OPT_IN_MODULES (which the default selection does not import) names
    exactly the modules whose rules are all opt-in."""
    import transforms.cfn

    by_module: dict[str, list] = {}
    for r in registry.all_rules("cfn"):
        if type(r).__module__.startswith("transforms.cfn."):
            by_module.setdefault(type(r).__module__.rsplit(".", 1)[1], []).append(r.opt_in)
    assert transforms.cfn.OPT_IN_MODULES == {m for m, flags in by_module.items() if all(flags)}


def test_default_selection_is_the_same_without_importing_opt_in_modules():
    full = [r.code for r in registry.all_rules("cfn") if not r.opt_in]
    assert [r.code for r in registry.select(None, language="cfn")] == full
    assert {r.code for r in registry.select(("AF4",), language="cfn")} >= {"AF401", "AF407"}
