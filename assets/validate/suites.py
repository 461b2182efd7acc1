"""The expectation suites: ``expectations/<source>.<entity>.json`` (GX 1.x JSON), their run-time parameters,
and the drafting of a suite from an adapter's declarations.

The JSON files are the rules that run, reviewed like code. They never spell out what is defined elsewhere:
the NIK and KK shapes are ``{"$PARAMETER": "nik_pattern"}`` (from :mod:`sejahtera.rules.nik`), the birth-date
bounds are computed when the run starts, and the Kemendagri lists are named references resolved from
:mod:`sejahtera.reference` (see :mod:`assets.validate.reference_expectation` for why not a value set).

Every expectation carries ``meta.rule`` (a row rule of :mod:`sejahtera.rules.row_rules`: failing rows are
quarantined) or ``meta.warning`` (an identity warning of :mod:`assets.validate.identity_warnings`: counted,
the row still loads). ``python -m assets.validate.suites`` drafts the suites of a new agency from its adapter;
review the draft before committing it.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from assets.extract.columns import UNDECODED_SUFFIX
from assets.validate import identity_warnings as warn
from assets.validate.derived import CONTROL_CHARACTERS, EntityFrame, date_shape_pattern
from sejahtera import RULES_ROOT
from sejahtera.rules import row_rules as rule
from sejahtera.rules.nik import KK_PATTERN, NIK_PATTERN
from sejahtera.sources import SOURCES, Column

EXPECTATIONS_DIR = RULES_ROOT / "expectations"
REFERENCE_EXPECTATION = "expect_column_values_to_be_in_reference_list"
VILLAGES = "kemendagri_villages"
DISTRICTS = "kemendagri_districts"
MAX_AGE_YEARS = 120


class SuiteError(ValueError):
    """A suite file is missing, unreadable, or refers to something the pipeline does not provide."""


def suite_path(expectations_dir: Path, suite_name: str) -> Path:
    """``<source>.<entity>.json`` in ``expectations_dir``, or in the source's own folder when it declares one
    (an agency declared outside the package keeps its suites beside its declaration)."""
    source = SOURCES.get(suite_name.split(".", 1)[0])
    folder = source.suites_dir if source is not None and source.suites_dir is not None else expectations_dir
    return folder / f"{suite_name}.json"


def read_suite(expectations_dir: Path, suite_name: str) -> dict[str, Any]:
    """The suite's JSON as a dict (GX builds it with ``gx.ExpectationSuite(**data)``)."""
    path = suite_path(expectations_dir, suite_name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SuiteError(f"no expectation suite {suite_name} ({path} does not exist)") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise SuiteError(f"expectation suite {path} cannot be read: {type(exc).__name__}: {exc}") from None
    if not isinstance(data, dict) or data.get("name") != suite_name:
        raise SuiteError(f"expectation suite {path} must be a JSON object named {suite_name!r}")
    for i, expectation in enumerate(data.get("expectations", [])):
        meta = expectation.get("meta") or {}
        if (meta.get("rule") in rule.ALL) == (meta.get("warning") in warn.ALL):
            raise SuiteError(
                f"expectation suite {path}: expectation {i} ({expectation.get('type')}) needs exactly one of "
                "meta.rule (a row rule) or meta.warning (an identity warning)"
            )
    return data


def yyyymmdd(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def suite_parameters(today: date) -> dict[str, Any]:
    """The ``$PARAMETER`` values of every suite, for a run on ``today``."""
    return {
        "nik_pattern": NIK_PATTERN,
        "kk_pattern": KK_PATTERN,
        "today": yyyymmdd(today),
        "oldest_birth_date": yyyymmdd(years_before(today, MAX_AGE_YEARS)),
    }


def suite_columns(suite: dict[str, Any]) -> list[str]:
    """Every frame column a suite reads, in first-use order (the runner fetches only these)."""
    names: list[str] = []

    def add(name: object) -> None:
        if isinstance(name, str) and name not in names:
            names.append(name)

    for expectation in suite.get("expectations", []):
        kwargs = expectation.get("kwargs", {})
        for key in ("column", "column_A", "column_B"):
            add(kwargs.get(key))
        add(((kwargs.get("row_condition") or {}).get("column") or {}).get("name"))
    return names


# -- drafting from the declarations --------------------------------------------------------------------------
def _expect(
    kind: str,
    declared: Column,
    note: str,
    *,
    rule_name: str | None = None,
    warning: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"column": declared.name}
    if rule_name:
        meta["rule"] = rule_name
    else:
        meta["warning"] = warning
    return {
        "type": kind,
        "kwargs": kwargs,
        "meta": meta,
        "notes": note,
        "severity": "critical" if rule_name else "warning",
    }


def _not_null_when_given(frame_col: str, given: str) -> dict[str, Any]:
    return {
        "column": frame_col,
        "row_condition": {"type": "nullity", "column": {"name": given}, "is_null": False},
    }


def _no_control_characters(c: Column) -> dict[str, Any]:
    """Text fields (free text and the ids the agency wrote) hold no control characters."""
    return _expect(
        "expect_column_values_to_not_match_regex",
        c,
        f"{c.name}: no control characters (tab, line feed and carriage return are allowed).",
        rule_name=rule.CONTROL_CHARACTER,
        column=c.key,
        regex=CONTROL_CHARACTERS,
    )


def draft_suite(frame: EntityFrame) -> dict[str, Any]:
    """A suite covering every row rule and identity warning the declarations call for."""
    entity = frame.entity
    out: list[dict[str, Any]] = []
    nik_keys = {c.key for c in frame.nik_columns()}
    events = frame.events
    for c in entity.columns:
        k = c.key
        if c.kind == "record_id":
            out.append(
                _expect(
                    "expect_column_values_to_not_be_null",
                    c,
                    f"{c.name} identifies the row: it may not be blank.",
                    rule_name=rule.MISSING_RECORD_ID,
                    column=k,
                )
            )
            out.append(
                _expect(
                    "expect_column_values_to_be_between",
                    c,
                    f"{c.name} may not repeat: every occurrence after the first fails.",
                    rule_name=rule.DUPLICATE_RECORD_ID,
                    column=f"{k}__occurrence",
                    max_value=1,
                )
            )
            if k not in nik_keys:  # an NIK as record id (Dukcapil): NIK problems are not row rules
                out.append(_no_control_characters(c))
        elif c.kind == "household_ref":
            out.append(
                _expect(
                    "expect_column_values_to_be_in_set",
                    c,
                    f"{c.name} must name a {entity.parent} row of the same drop that was accepted.",
                    rule_name=rule.MEMBER_WITHOUT_HOUSEHOLD,
                    column=f"{k}__household",
                    value_set=["accepted"],
                )
            )
            out.append(_no_control_characters(c))
        elif c.kind == "kk":
            out.append(
                _expect(
                    "expect_column_values_to_match_regex",
                    c,
                    f"{c.name}: 16 digits, serial not 0000.",
                    warning=warn.KK_MALFORMED,
                    column=k,
                    regex={"$PARAMETER": "kk_pattern"},
                )
            )
            out.append(
                _expect(
                    REFERENCE_EXPECTATION,
                    c,
                    f"{c.name}: issued by a district of the 2022 or 2025 Kemendagri list.",
                    warning=warn.KK_UNKNOWN_DISTRICT,
                    column=f"{k}__district",
                    reference=DISTRICTS,
                )
            )
        elif c.kind == "text":
            out.append(_no_control_characters(c))
        elif c.kind == "region":
            out.append(
                _expect(
                    REFERENCE_EXPECTATION,
                    c,
                    f"{c.name}: a village code (with or without dots) of the 2022 or 2025 Kemendagri list.",
                    rule_name=rule.UNKNOWN_REGION_CODE,
                    column=f"{k}__village",
                    reference=VILLAGES,
                )
            )
        elif c.kind in ("date", "birth_date"):
            if c.date_format:
                out.append(
                    _expect(
                        "expect_column_values_to_match_regex",
                        c,
                        f"{c.name} is written {c.date_format.replace('%d', 'DD').replace('%m', 'MM').replace('%Y', 'YYYY')}.",
                        rule_name=rule.INVALID_DATE,
                        column=k,
                        regex=date_shape_pattern(c.date_format),
                    )
                )
            out.append(
                _expect(
                    "expect_column_values_to_not_be_null",
                    c,
                    f"{c.name}, when given, is a date that exists.",
                    rule_name=rule.INVALID_DATE,
                    **_not_null_when_given(f"{k}__date", k),
                )
            )
            if c.kind == "birth_date":
                out.append(
                    _expect(
                        "expect_column_values_to_be_between",
                        c,
                        f"{c.name} (as YYYYMMDD) is not in the future and at most {MAX_AGE_YEARS} years back.",
                        rule_name=rule.BIRTH_DATE_OUT_OF_RANGE,
                        column=f"{k}__date",
                        min_value={"$PARAMETER": "oldest_birth_date"},
                        max_value={"$PARAMETER": "today"},
                    )
                )
        elif c.kind in ("code", "flag"):
            out.append(
                _expect(
                    "expect_column_values_to_be_in_set",
                    c,
                    f"{c.name} is one of its declared codes.",
                    rule_name=rule.CODE_NOT_IN_SET,
                    column=k,
                    value_set=list(c.values),
                )
            )
        if events is not None and k == events.type_column:
            out.append(
                _expect(
                    "expect_column_values_to_not_be_null",
                    c,
                    f"An event needs its {c.name}.",
                    rule_name=rule.CODE_NOT_IN_SET,
                    column=k,
                )
            )
        if events is not None and k == events.date_column:
            out.append(
                _expect(
                    "expect_column_values_to_not_be_null",
                    c,
                    f"An event needs its {c.name}.",
                    rule_name=rule.INVALID_DATE,
                    column=k,
                )
            )
        if k in nik_keys:
            out.extend(_nik_expectations(frame, c))
    for c in frame.undecodable_columns():
        out.append(
            _expect(
                "expect_column_values_to_be_null",
                c,
                f"{c.name} holds only values of its type ({c.snapshot_type}): a delivered value that is not one "
                "breaks the column's rule.",
                rule_name=rule.INVALID_DATE if c.kind in ("date", "birth_date") else rule.CODE_NOT_IN_SET,
                column=f"{c.key}{UNDECODED_SUFFIX}",
            )
        )
    if events is not None:
        subject = entity.column(events.subject_column)
        out.append(
            _expect(
                "expect_column_values_to_be_in_set",
                subject,
                f"Events other than {', '.join(events.creating_types)} must be about an NIK Dukcapil knows "
                "(its current population, or born by an event applied so far).",
                rule_name=rule.UNKNOWN_NIK_EVENT,
                column=f"{subject.key}__known",
                value_set=["known"],
            )
        )
    return {
        "name": frame.suite_name,
        "expectations": out,
        "meta": {
            "source": frame.source.name,
            "entity": entity.entity,
            "drafted_from": f"sejahtera/sources/{frame.source.name}.py",
            "frame": "columns are computed by assets/validate/derived.py from the raw rows of one drop",
        },
    }


def _nik_expectations(frame: EntityFrame, c: Column) -> list[dict[str, Any]]:
    k = c.key
    out = []
    if c.kind == "nik":
        out.append(
            _expect(
                "expect_column_values_to_not_be_null",
                c,
                f"{c.name} is given (blank NIKs still load).",
                warning=warn.NIK_MISSING,
                column=k,
            )
        )
    out.append(
        _expect(
            "expect_column_values_to_match_regex",
            c,
            f"{c.name}: 16 digits, day 01-31 or 41-71, month 01-12, serial not 0000.",
            warning=warn.NIK_MALFORMED,
            column=k,
            regex={"$PARAMETER": "nik_pattern"},
        )
    )
    out.append(
        _expect(
            REFERENCE_EXPECTATION,
            c,
            f"{c.name}: district of first registration in the 2022 or 2025 list.",
            warning=warn.NIK_UNKNOWN_DISTRICT,
            column=f"{k}__district",
            reference=DISTRICTS,
        )
    )
    out.append(
        _expect(
            "expect_column_values_to_not_be_null",
            c,
            f"{c.name} encodes a birth date that exists.",
            warning=warn.NIK_IMPOSSIBLE_DATE,
            **_not_null_when_given(f"{k}__encoded_date", f"{k}__birth_hint"),
        )
    )
    birth = frame.birth_column
    if birth is not None:
        out.append(
            _expect(
                "expect_column_pair_values_to_be_equal",
                c,
                f"The birth date {c.name} encodes (DDMMYY) is the recorded {birth.name}.",
                warning=warn.NIK_BIRTH_DATE_MISMATCH,
                column_A=f"{k}__birth_hint",
                column_B=f"{birth.key}__ddmmyy",
                ignore_row_if="either_value_is_missing",
            )
        )
    sex = frame.sex_column
    if sex is not None:
        out.append(
            _expect(
                "expect_column_pair_values_to_be_equal",
                c,
                f"The sex {c.name} encodes (day + 40 for women) is the recorded {sex.name}.",
                warning=warn.NIK_SEX_MISMATCH,
                column_A=f"{k}__sex_hint",
                column_B=f"{sex.key}__sex",
                ignore_row_if="either_value_is_missing",
            )
        )
    if c.kind == "nik" and frame.events is None:  # one person has many events: a repeated NIK is normal there
        out.append(
            _expect(
                "expect_column_values_to_be_between",
                c,
                f"{c.name} is not shared with an earlier row.",
                warning=warn.NIK_REPEATED,
                column=f"{k}__occurrence",
                max_value=1,
            )
        )
    return out


def all_frames() -> list[EntityFrame]:
    return [EntityFrame(source, entity) for source in SOURCES.values() for entity in source.all_entities]


def write_drafts(expectations_dir: Path, names: list[str] | None = None) -> list[Path]:
    written = []
    for frame in all_frames():
        if names and frame.suite_name not in names:
            continue
        path = suite_path(expectations_dir, frame.suite_name)
        path.write_text(json.dumps(draft_suite(frame), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # python -m assets.validate.suites [suite names]: (re)draft suites for review
    for written_path in write_drafts(EXPECTATIONS_DIR, sys.argv[1:]):
        print(f"drafted {written_path}")
