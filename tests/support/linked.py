"""Where reconcile put a record, as the reconcile tests ask it of a warehouse file (read-only, via ``query``)."""

from __future__ import annotations

from pathlib import Path

from support.duck import query


def household_of_nik(path: Path, person_nik: str) -> str:
    """The household of the person whose Dukcapil record is ``person_nik``."""
    return query(
        path,
        "SELECT p.household_id FROM work.person_resolved AS p JOIN work.person_record AS r USING (person_id) "
        "WHERE r.source = 'dukcapil' AND r.source_record_id = ?",
        [person_nik],
    )[0][0]


def household_record(path: Path, source: str, record: str) -> tuple[str, str, float]:
    """``(household_id, match_method, match_probability)`` of one agency's household record."""
    return query(
        path,
        "SELECT household_id, match_method, match_probability FROM work.household_record "
        "WHERE source = ? AND source_record_id = ?",
        [source, record],
    )[0]
