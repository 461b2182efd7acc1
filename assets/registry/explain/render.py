"""An :class:`~assets.registry.explain.page.Explanation` as plain text (people at a terminal), markdown (the
Dagster UI) or JSON (tools). The three show the same sections, facts and tables; only the layout differs.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from assets.registry.explain.page import Explanation, HouseholdPage, Section, Table
from assets.registry.reporting import markdown_table

LABEL = {"nik": "NIK", "kk": "KK", "household": "household"}


def _value(value: object) -> str:
    """A cell as a person reads it: no microseconds, no float noise, '-' for nothing."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value == value else "NaN"
    return str(value)


def _heading(explanation: Explanation, page: HouseholdPage) -> str:
    masked = "masked" if explanation.masked else "UNMASKED (audited)"
    asked = f"{LABEL[explanation.identifier_kind]} {explanation.identifier_shown}"
    if explanation.identifier_kind != "household":
        asked += f" -> household {page.household_id}"
    return f"sejahtera explain: {asked} ({masked})"


# --- text ---------------------------------------------------------------------------------------------------------


def _text_table(table: Table) -> list[str]:
    lines = [f"  {table.title}" + ("" if table.rows else ": none")]
    if not table.rows:
        return lines
    cells = [[_value(v) for v in row] for row in table.rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(table.columns)]
    lines.append("    " + "  ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True)).rstrip())
    lines += ["    " + "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return lines


def _text_section(section: Section) -> list[str]:
    lines = ["", f"== {section.title} =="]
    lines += [f"  {key}: {_value(value)}" for key, value in section.facts.items()]
    lines += [f"  * {note}" for note in section.notes]
    for table in section.tables:
        lines += _text_table(table)
    return lines


def to_text(explanation: Explanation) -> str:
    lines: list[str] = []
    for page in explanation.pages:
        if lines:
            lines += ["", "-" * 100, ""]
        lines.append(_heading(explanation, page))
        for section in page.sections:
            lines += _text_section(section)
    return "\n".join(lines) + "\n"


# --- markdown -----------------------------------------------------------------------------------------------------


def to_markdown(explanation: Explanation) -> str:
    parts: list[str] = []
    for page in explanation.pages:
        parts.append(f"# {_heading(explanation, page)}")
        for section in page.sections:
            parts.append(f"## {section.title}")
            if section.facts:
                parts.append(
                    markdown_table(("field", "value"), [(k, _value(v)) for k, v in section.facts.items()])
                )
            parts += [f"- {note}" for note in section.notes]
            for table in section.tables:
                parts.append(f"**{table.title}**" + ("" if table.rows else ": none"))
                if table.rows:
                    parts.append(markdown_table(table.columns, [[_value(v) for v in r] for r in table.rows]))
    return "\n\n".join(parts) + "\n"


# --- json ---------------------------------------------------------------------------------------------------------


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def as_dict(explanation: Explanation) -> dict[str, object]:
    """Sections keyed by name; each table a list of row objects (column -> value)."""
    return {
        "identifier_kind": explanation.identifier_kind,
        "identifier": explanation.identifier_shown,
        "masked": explanation.masked,
        "households": [
            {
                "household_id": page.household_id,
                "person_id": page.person_id,
                "sections": {
                    section.key: {
                        "title": section.title,
                        "facts": {k: _json_value(v) for k, v in section.facts.items()},
                        "notes": list(section.notes),
                        "tables": [
                            {
                                "title": table.title,
                                "rows": [
                                    {c: _json_value(v) for c, v in zip(table.columns, row, strict=True)}
                                    for row in table.rows
                                ],
                            }
                            for table in section.tables
                        ],
                    }
                    for section in page.sections
                },
            }
            for page in explanation.pages
        ],
    }


def to_json(explanation: Explanation) -> str:
    return json.dumps(as_dict(explanation), indent=2, ensure_ascii=False, default=str) + "\n"


FORMATS = {"text": to_text, "json": to_json, "markdown": to_markdown}
