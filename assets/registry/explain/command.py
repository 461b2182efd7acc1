"""``sejahtera explain``: print one household's page from the published warehouse, and audit every unmasking.

Read-only unless ``--unmask``: then, before anything unmasked is printed, one row (who authorised it, when, which
identifier, masked, and the households shown) goes to ``ops.unmask_audit`` in a short transaction of its own. If
the warehouse is held by a run for longer than the wait, the command fails with one line and shows nothing.

Exit codes: 0 page printed; 2 unknown identifier or a refused request (``--unmask`` without ``--authorised-by``);
1 no registry, or the warehouse stayed locked.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from assets.registry.explain.page import (
    SQL,
    IdentifierKind,
    NoRegistry,
    UnknownIdentifier,
    explain,
    shown_identifier,
)
from assets.registry.explain.render import FORMATS
from sejahtera import warehouse

PROGRAM = "sejahtera explain"
DEFAULT_WAIT_SECONDS = 30.0
"""How long to wait for a run holding the warehouse: a night's publish is seconds, a whole run can be minutes."""


def record_unmask(
    warehouse_path: Path,
    *,
    authorised_by: str,
    kind: IdentifierKind,
    identifier: str,
    household_ids: tuple[str, ...],
    wait_seconds: float,
) -> None:
    """Append one row to ``ops.unmask_audit`` (created on first use); the identifier is stored masked."""
    with warehouse.connect(warehouse_path, wait_seconds=wait_seconds) as con, warehouse.transaction(con):
        SQL.run(con, "create_unmask_audit")
        SQL.run(
            con,
            "insert_unmask_audit",
            authorised_by=authorised_by,
            identifier_kind=kind,
            identifier_masked=shown_identifier(kind, identifier),
            household_ids=",".join(household_ids),
        )


def run_explain(
    kind: IdentifierKind,
    identifier: str,
    *,
    warehouse_path: Path,
    output_format: str = "text",
    unmask: bool = False,
    authorised_by: str | None = None,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """The command's whole behaviour (the CLI only parses arguments); returns the exit code."""
    out, err = out or sys.stdout, err or sys.stderr

    def fail(message: str, code: int) -> int:
        print(f"{PROGRAM}: {message}", file=err)
        return code

    authorised_by = (authorised_by or "").strip()
    if unmask and not authorised_by:
        return fail(
            "--unmask needs --authorised-by NAME (who authorised showing personal data); nothing shown", 2
        )
    if output_format not in FORMATS:
        return fail(f"--format must be one of {sorted(FORMATS)}", 2)
    if not warehouse_path.exists():
        return fail(f"no registry published yet (no warehouse file at {warehouse_path})", 1)
    try:
        with warehouse.connect(warehouse_path, read_only=True, wait_seconds=wait_seconds) as con:
            explanation = explain(con, kind, identifier, unmask=unmask)
        if unmask:
            record_unmask(
                warehouse_path,
                authorised_by=authorised_by,
                kind=kind,
                identifier=identifier,
                household_ids=explanation.household_ids,
                wait_seconds=wait_seconds,
            )
    except UnknownIdentifier as exc:
        return fail(str(exc), 2)
    except NoRegistry as exc:
        return fail(str(exc), 1)
    except warehouse.WarehouseLocked:
        return fail(
            f"the warehouse is held by a running pipeline for more than {wait_seconds:g} s; "
            "nothing shown, try again when the run has finished",
            1,
        )
    out.write(FORMATS[output_format](explanation))
    return 0
