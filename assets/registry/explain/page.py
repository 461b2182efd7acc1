"""One household's page: everything the published registry knows about why it looks the way it does.

A family appeals (*sanggahan*) or a regent asks why a household lost PKH: the answer is in the published tables
(``registry.*``, ``ops.drop_ledger``), spread over a dozen of them. This module reads them for one household, in
the order a person asks, into :class:`Explanation` (sections of facts and tables), which
:mod:`assets.registry.explain.render` turns into text, markdown or JSON. It only ever reads; the SQL is in
``assets/registry/sql/explain.sql``.

Masking happens inside the queries (``shown_number`` / ``shown_name``), so an unmasked value never reaches Python
unless the caller asked for ``unmask`` (which the command line allows only with an audited authorisation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

from assets.registry.config import PmtWeights, load_pmt_weights
from sejahtera import warehouse
from sejahtera.privacy import install_masking_macros, mask_number
from sejahtera.sql_files import SqlFolder

SQL = SqlFolder(Path(__file__).resolve().parents[1] / "sql")
"""The registry stage's statements (``assets/registry/sql/*.sql``): explain reads with the pipeline's own SQL."""

IdentifierKind = Literal["nik", "kk", "household"]
IDENTIFIER_KINDS: tuple[IdentifierKind, ...] = ("nik", "kk", "household")

MATCH_METHODS = {
    "dukcapil": "the Dukcapil record the person is built on",
    "nik_padan": "deterministic: the NIK is held by Dukcapil with a consistent identity",
    "splink": "probabilistic (Splink): the comparisons below, summed as match weights",
    "single_record": "nothing else matched: a person or family of its own",
    "head": "household record joined to the family its listed head is in (the head survives splits and moves)",
    "kk": "household record joined to the family whose current KK it carries",
    "members": "household record joined to the family most of its members are in (probability = that share)",
    "no_kk": "household record without linked members, joined to the family of its KK",
}
"""What each ``match_method`` of ``registry.source_link`` means (docs/architecture.md, reconcile stage)."""

FEATURE_INPUT = {
    "floor_area_per_person": "luas_lantai_m2",
    "electricity": "daya_listrik_va",
    "land": "aset_lahan_m2",
    "household_size": "jumlah_anggota",
    "dependency_ratio": "dependants",
    "education": "education_level",
    "employment": "employment_share",
}
"""The ``registry.household_welfare`` input a derived PMT feature is computed from (codebook and asset features
are named after their input)."""

REGISTRY_TABLES = ("registry.household", "registry.person", "registry.household_welfare")
"""Tables that exist once a registry has been published: without them there is nothing to explain."""


class UnknownIdentifier(LookupError):
    """No household in the published registry matches the identifier; the message is one masked line."""


class NoRegistry(LookupError):
    """The warehouse holds no published registry yet."""


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    facts: dict[str, object] = field(default_factory=dict)
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class HouseholdPage:
    household_id: str
    person_id: str | None
    """The person asked about (``--nik``), else None."""
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Explanation:
    identifier_kind: IdentifierKind
    identifier_shown: str
    """The identifier as the page may print it: masked unless unmasked by an audited request."""
    masked: bool
    pages: tuple[HouseholdPage, ...]

    @property
    def household_ids(self) -> tuple[str, ...]:
        return tuple(page.household_id for page in self.pages)


def shown_identifier(kind: IdentifierKind, identifier: str, *, unmask: bool = False) -> str:
    """A household id is not personal data; an NIK or KK is printed masked unless unmasked."""
    return identifier if kind == "household" or unmask else mask_number(identifier)


def find_households(
    con: duckdb.DuckDBPyConnection, kind: IdentifierKind, identifier: str
) -> list[tuple[str, str | None]]:
    """(household_id, person_id asked about) for every household the identifier leads to."""
    statement = {
        "nik": "explain_households_by_nik",
        "kk": "explain_households_by_kk",
        "household": "explain_households_by_id",
    }[kind]
    return [(h, p) for h, p in SQL.run(con, statement, identifier=identifier.strip()).fetchall()]


def explain(
    con: duckdb.DuckDBPyConnection,
    kind: IdentifierKind,
    identifier: str,
    *,
    unmask: bool = False,
    weights: PmtWeights | None = None,
) -> Explanation:
    """The pages of every household ``identifier`` leads to (usually one), read from the published registry."""
    if kind not in IDENTIFIER_KINDS:
        raise ValueError(f"identifier kind must be one of {IDENTIFIER_KINDS}, got {kind!r}")
    if not all(warehouse.table_exists(con, t) for t in REGISTRY_TABLES):
        raise NoRegistry("no registry has been published to this warehouse yet")
    shown = shown_identifier(kind, identifier, unmask=unmask)
    households = find_households(con, kind, identifier)
    if not households:
        label = {"nik": "NIK", "kk": "KK", "household": "household id"}[kind]
        raise UnknownIdentifier(f"no household in the published registry for {label} {shown}")
    _install_shown_macros(con, unmask=unmask)
    weights = weights or load_pmt_weights()
    _install_weights(con, weights)
    pages = tuple(_page(con, household_id, person_id, weights) for household_id, person_id in households)
    return Explanation(identifier_kind=kind, identifier_shown=shown, masked=not unmask, pages=pages)


def _install_shown_macros(con: duckdb.DuckDBPyConnection, *, unmask: bool) -> None:
    """``shown_number`` / ``shown_name``: the privacy module's masking, or the value itself when unmasked;
    ``shown_record_id``: a source's record id, shown like an NIK when it is one (Dukcapil's)."""
    install_masking_macros(con)
    number, name = ("x", "x") if unmask else ("mask_number(x)", "mask_name(x)")
    con.execute(f"CREATE OR REPLACE TEMPORARY MACRO shown_number(x) AS ({number})")
    con.execute(f"CREATE OR REPLACE TEMPORARY MACRO shown_name(x) AS ({name})")
    con.execute(
        "CREATE OR REPLACE TEMPORARY MACRO shown_record_id(source, id) AS "
        "(CASE WHEN source = 'dukcapil' THEN shown_number(id) ELSE id END)"
    )


def _install_weights(con: duckdb.DuckDBPyConnection, weights: PmtWeights) -> None:
    """The PMT weights as the temporary table the contribution macro reads (welfare.sql), with the macro."""
    con.execute("CREATE OR REPLACE TEMPORARY TABLE explain_pmt_weight (feature VARCHAR, weight DOUBLE)")
    con.executemany("INSERT INTO explain_pmt_weight VALUES (?, ?)", sorted(weights.weights.items()))
    SQL.run(con, "create_pmt_contribution_macro")


def _table(con: duckdb.DuckDBPyConnection, title: str, statement: str, **params: object) -> Table:
    cursor = SQL.run(con, statement, **params)
    columns = tuple(d[0] for d in cursor.description)
    return Table(title=title, columns=columns, rows=tuple(tuple(r) for r in cursor.fetchall()))


def _one(table: Table) -> dict[str, object]:
    return dict(zip(table.columns, table.rows[0], strict=True)) if table.rows else {}


def _page(
    con: duckdb.DuckDBPyConnection, household_id: str, person_id: str | None, weights: PmtWeights
) -> HouseholdPage:
    SQL.run(con, "explain_scope", household_id=household_id)
    h = {"household_id": household_id}
    sections = (
        _household_section(con, h, person_id),
        _links_section(con, h),
        _provenance_section(con, h),
        _members_section(con, h),
        _welfare_section(con, h, weights),
        _deciles_section(con, h),
        _eligibility_section(con, h),
        _targeting_section(con, h),
        _changes_section(con, h),
    )
    return HouseholdPage(household_id=household_id, person_id=person_id, sections=sections)


def _household_section(con: duckdb.DuckDBPyConnection, h: dict, person_id: str | None) -> Section:
    household = _one(_table(con, "household", "explain_household", **h))
    persons = _table(con, "Persons (members now first, then those who left)", "explain_persons", **h)
    notes = []
    if not household:
        notes.append(
            "This household is no longer in the registry (merged or removed): see its history below."
        )
    if person_id:
        notes.append(f"You asked about person {person_id}.")
    return Section(
        "household", "Household and persons", facts=household, tables=(persons,), notes=tuple(notes)
    )


def _links_section(con: duckdb.DuckDBPyConnection, h: dict) -> Section:
    links = _table(con, "Linked source records", "explain_source_links", **h)
    raw = _table(con, "", "explain_link_evidence", **h)
    comparisons = [c for c in raw.columns if f"{c}_weight" in raw.columns]
    evidence_rows = []
    for row in raw.rows:
        record = dict(zip(raw.columns, row, strict=True))
        said = record.get("reason") or "; ".join(
            _comparison(c, record[c], record[f"{c}_weight"]) for c in comparisons if record[c]
        )
        evidence_rows.append(
            (
                record["person_id"],
                f"{record['source_l']} {record['source_record_id_l']}",
                f"{record['source_r']} {record['source_record_id_r']}",
                record["match_method"],
                record["match_probability"],
                record.get("match_weight"),
                said,
            )
        )
    evidence = Table(
        "Why records were linked (pairwise evidence; comparison: level (match weight))",
        ("person_id", "record", "linked_to", "match_method", "match_probability", "match_weight", "evidence"),
        tuple(evidence_rows),
    )
    used = sorted({row[links.columns.index("match_method")] for row in links.rows})
    notes = tuple(f"{method}: {MATCH_METHODS.get(method, '(not described)')}" for method in used)
    return Section("links", "Linked source records and why", tables=(links, evidence), notes=notes)


def _comparison(name: str, level: object, weight: float | None) -> str:
    return f"{name}: {level}" + (f" ({weight:+.1f})" if weight is not None else "")


def _provenance_section(con: duckdb.DuckDBPyConnection, h: dict) -> Section:
    table = _table(con, "Source of every published value", "explain_field_provenance", **h)
    return Section("provenance", "Where each published value came from", tables=(table,))


def _members_section(con: duckdb.DuckDBPyConnection, h: dict) -> Section:
    return Section(
        "members",
        "Members over time",
        tables=(
            _table(con, "Membership at each run", "explain_members_over_time", **h),
            _table(con, "Household versions", "explain_household_versions", **h),
            _table(con, "Person versions", "explain_person_versions", **h),
        ),
    )


def _welfare_section(con: duckdb.DuckDBPyConnection, h: dict, weights: PmtWeights) -> Section:
    welfare = _one(_table(con, "welfare", "explain_welfare", **h))
    if not welfare:
        return Section(
            "welfare", "Welfare score", notes=("No welfare row: the household is not in the registry.",)
        )
    facts = {k: welfare[k] for k in ("welfare_score", "welfare_source", "welfare_detail", "pmt_version")}
    contributions = _table(con, "", "explain_pmt_contributions", **h)
    rows = tuple(
        (feature, welfare.get(FEATURE_INPUT.get(feature, feature)), goodness, weight, contribution)
        for feature, goodness, weight, contribution in contributions.rows
    )
    table = Table(
        "PMT inputs and their contribution (100 * weight * goodness / sum of weights)",
        ("feature", "input", "goodness", "weight", "contribution"),
        rows,
    )
    notes = []
    if rows:
        total = round(sum(r[4] for r in rows), 4)
        notes.append(f"Sum of contributions: {total} (published welfare_score {welfare['welfare_score']}).")
    else:
        notes.append(f"No PMT inputs: {welfare['welfare_detail']}.")
    if welfare["pmt_version"] != weights.version:
        notes.append(
            f"Scored with {welfare['pmt_version']}; contributions use the current weights {weights.version}."
        )
    return Section("welfare", "Welfare score", facts=facts, tables=(table,), notes=tuple(notes))


def _deciles_section(con: duckdb.DuckDBPyConnection, h: dict) -> Section:
    facts = _one(_table(con, "deciles", "explain_deciles", **h))
    notes = ("Decile 1 = poorest tenth of the ranked households (those with a living member).",)
    return Section("deciles", "Deciles", facts=facts, notes=notes)


def _eligibility_section(con: duckdb.DuckDBPyConnection, h: dict) -> Section:
    table = _table(con, "Eligibility per programme and the rule that decided it", "explain_eligibility", **h)
    return Section("eligibility", "Programme eligibility", tables=(table,))


def _targeting_section(con: duckdb.DuckDBPyConnection, h: dict) -> Section:
    table = _table(con, "Targeting errors", "explain_targeting_errors", **h)
    notes = () if table.rows else ("The household appears in no targeting error.",)
    return Section("targeting", "Targeting errors", tables=(table,), notes=notes)


def _changes_section(con: duckdb.DuckDBPyConnection, h: dict) -> Section:
    table = _table(con, "Changes, with the run and the drops it applied", "explain_changelog", **h)
    return Section("changes", "History of changes", tables=(table,))
