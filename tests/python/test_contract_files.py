"""`behavior contract` renders the dbt files that restate the raw contract: here, the
event types the models test a row's type against (fct_user_events names a type
outside them other_course_interaction; rpt_data_quality counts such rows)."""

from __future__ import annotations

import re

from behavior import contract_files
from behavior.contract import TABLES
from conftest import ROOT


def _macro_values(text: str, name: str) -> list[str]:
    body = re.search(r"macro " + name + r"\(\) -%}(.*?)endmacro", text, re.S)
    assert body, f"no macro {name}"
    return re.findall(r"'([a-z_]+)',", body.group(1))


def test_event_type_macros_list_the_contract_enums():
    text = contract_files.render_event_types()
    interactions = TABLES["user_course_interactions"].column("event_type").enum
    purchases = TABLES["user_purchases"].column("event_type").enum
    assert _macro_values(text, "course_interaction_types") == list(interactions)
    assert _macro_values(text, "commerce_event_types") == list(purchases)
    assert "refund" in purchases and "teleport" not in interactions


def test_committed_files_are_the_rendered_ones():
    for path, text in contract_files.rendered().items():
        assert (ROOT / path).read_text() == text, f"{path}: run `behavior contract`"
