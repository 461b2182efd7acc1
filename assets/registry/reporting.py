"""What a person sees of the registry: counts, markdown tables and the decile chart, for the Dagster UI and the
end-of-run summary. Counts and codes only: no NIK, KK or name ever reaches these outputs.

Queries take table names from the callers' code constants (work tables before publish, published tables after),
checked against a strict pattern (``sejahtera.sql_text``); values are bound.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import duckdb

from sejahtera.reference import province_names
from sejahtera.sql_text import identifier, qualified


def province_label(code: str | None) -> str:
    if code is None:
        return "(unknown)"
    name = province_names().get(code)  # names only, never joined on
    return f"{code} {name.title()}" if name else code


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(value: object) -> str:
        text = (
            ""
            if value is None
            else f"{value:,}"
            if isinstance(value, int) and not isinstance(value, bool)
            else str(value)
        )
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def decile_counts(con: duckdb.DuckDBPyConnection, household_table: str) -> list[tuple]:
    """Per province: households in each national decile 1..10, then those not ranked (no living member), then all."""
    cells = con.execute(
        f"SELECT kode_provinsi, desil_nasional, count(*) FROM {qualified(household_table)} GROUP BY ALL"
    ).fetchall()
    provinces: dict[str | None, list[int]] = {}
    for province, decile, households in cells:
        counts = provinces.setdefault(province, [0] * 11)
        counts[decile - 1 if decile is not None else 10] += households
    ordered = sorted(provinces, key=lambda code: (code is None, code or ""))
    return [(code, *provinces[code], sum(provinces[code])) for code in ordered]


def decile_markdown(rows: Sequence[tuple]) -> str:
    headers = ["province", *(f"D{d}" for d in range(1, 11)), "not ranked", "households"]
    body = [(province_label(r[0]), *r[1:]) for r in rows]
    totals = ("**all**", *(sum(r[i] for r in rows) for i in range(1, 13)))
    return markdown_table(headers, [*body, totals])


def decile_chart_png(rows: Sequence[tuple]) -> bytes:
    """Stacked bars: the share of each province's ranked households in each national decile (1 = poorest, red)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ranked = [r for r in rows if sum(r[1:11]) > 0]
    labels = [province_label(r[0]) for r in ranked]
    height = max(2.5, 0.28 * len(ranked) + 1.6)
    fig, ax = plt.subplots(figsize=(9, height), dpi=80)
    colours = plt.get_cmap("RdYlGn")
    left = [0.0] * len(ranked)
    for decile in range(1, 11):
        shares = [r[decile] / sum(r[1:11]) for r in ranked]
        ax.barh(labels, shares, left=left, color=colours((decile - 0.5) / 10), label=f"D{decile}")
        left = [a + b for a, b in zip(left, shares, strict=True)]
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the province's households (national decile; D1 = poorest tenth)")
    ax.set_title("National welfare deciles by province")
    ax.legend(
        ncol=10, loc="upper center", bbox_to_anchor=(0.5, -0.08 - 0.6 / height), fontsize=7, frameon=False
    )
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def markdown_image(png: bytes, alt: str) -> str:
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


def change_counts(con: duckdb.DuckDBPyConnection, changelog_table: str, run_id: str) -> list[tuple]:
    """(entity, change, rows) of one run's changelog."""
    return con.execute(
        f"SELECT entity, change, count(*) FROM {qualified(changelog_table)} WHERE run_id = ? "
        "GROUP BY ALL ORDER BY entity, change",
        [run_id],
    ).fetchall()


def count_by(con: duckdb.DuckDBPyConnection, table: str, column: str) -> list[tuple]:
    """(value, rows) of one column of a table (both code constants of the callers)."""
    return con.execute(
        f"SELECT {identifier(column)}, count(*) FROM {qualified(table)} GROUP BY ALL ORDER BY 1 NULLS LAST"
    ).fetchall()


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {qualified(table)}").fetchall()[0][0]


def targeting_counts(con: duckdb.DuckDBPyConnection, table: str, by: str) -> list[tuple]:
    """Targeting errors per region (``by``: kode_provinsi or kode_kabupaten) and reason, most errors first."""
    if by not in ("kode_provinsi", "kode_kabupaten"):
        raise ValueError(f"cannot count targeting errors by {by!r}")
    return con.execute(
        f"""
        SELECT {by},
               count(*) FILTER (WHERE reason = 'dead_listed') AS dead_listed,
               count(*) FILTER (WHERE reason = 'no_living_member') AS no_living_member,
               count(*) FILTER (WHERE reason = 'above_cutoff') AS above_cutoff,
               count(*) FILTER (WHERE reason = 'eligible_receiving_nothing') AS receiving_nothing,
               count(*) AS errors
        FROM {qualified(table)}
        GROUP BY {by}
        ORDER BY errors DESC, {by}
        """
    ).fetchall()
