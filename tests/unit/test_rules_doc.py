"""Every YAML example in docs/rules.md is valid in the rule language it documents."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.config import validate_model
from bot.rules.schema import ActorSet, RuleSet
from tests.paths import ROOT

BLOCKS = re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "rules.md").read_text(), re.DOTALL)


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("block", BLOCKS)
def test_each_example_validates(block: str) -> None:
    data = yaml.safe_load(block)
    model = RuleSet if "rules" in data else ActorSet
    validate_model(data, model, "docs/rules.md")  # ConfigError with the key path otherwise
