"""Names spliced into SQL are checked: plain identifiers, and schema-qualified table names built from them."""

import pytest

from sejahtera.sql_text import identifier, qualified


def test_a_schema_qualified_name_passes_unchanged():
    assert qualified("registry.household") == "registry.household"
    assert identifier("status_hidup") == "status_hidup"


@pytest.mark.parametrize(
    "name",
    ["household", "registry.", ".household", "a.b.c", "registry.house hold", "Registry.household", "x;--.y"],
)
def test_anything_else_is_refused(name):
    with pytest.raises(ValueError):
        qualified(name)
