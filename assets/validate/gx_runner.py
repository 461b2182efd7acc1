"""Running the expectation suites with Great Expectations, and publishing each validation as Data Docs.

GX decides which rows fail: the failing rows of an expectation are its ``unexpected_index_list`` (result format
COMPLETE, indexed by ``row_number``). There is no second validator beside it.

How GX is run here, and why:

* imported lazily (importing it costs 3-5 s): only a run that validates something pays for it;
* the pandas engine on a DuckDB query result: GX 1.24's SQL engine does not work on DuckDB (every metric
  fails and is reported as a failed expectation), see docs/dagster-notes;
* progress bars and usage statistics off (no network, clean logs);
* an expectation that raises is an error of the pipeline, never "no failing rows": GX would otherwise report
  it as an unsuccessful expectation without an index list, and the rows would silently load.

Data Docs: a file-backed GX context in ``great_expectations/`` BESIDE THE WAREHOUSE FILE (the run's other
durable output; ``$DAGSTER_HOME`` is absent in some test and CLI set-ups). Before a result is stored, every
failing value that could be personal is masked or hidden (UU PDP: no raw NIK, name or birth date in a report):
the stored result keeps counts, at most :data:`SAMPLE` row numbers and masked samples.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from assets.validate.derived import Display
from assets.validate.suites import DISTRICTS, VILLAGES, read_suite, suite_columns, suite_parameters
from sejahtera.privacy import mask_number
from sejahtera.reference import region_codes

if TYPE_CHECKING:
    import pandas as pd

INDEX_KEY = "expectation_index"
"""Key added to each expectation's meta at load time: its position in the suite file."""
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["row_number"],
    "exclude_unexpected_values": True,
    "return_unexpected_index_query": False,
}
"""Every failing row, by row number, and no failing values: the rows are all the gate needs, and values
(names, NIKs, birth dates) have no place in a stored validation result. No "unexpected index query" either:
GX builds it by filtering the whole frame once more per expectation (a tenth of the validation time), only to
print the failing row numbers a second time as pandas code."""
SAMPLE = 20
"""Failing values and row numbers kept per expectation in the stored result (Data Docs)."""
DATASOURCE = "sejahtera"
ASSET = "validation_frame"
BATCH_DEFINITION = "whole_frame"


class ValidationError(RuntimeError):
    """GX could not evaluate an expectation (a broken suite or frame): the drop must not load unchecked."""


def data_docs_root(warehouse_path: Path) -> Path:
    """Where the GX project (validation results and Data Docs) lives: beside the warehouse file."""
    return Path(warehouse_path).resolve().parent / "great_expectations"


def reference_lists() -> dict[str, frozenset]:
    """The named reference lists the suites use, union of the 2022 and 2025 Kemendagri decrees."""
    codes = region_codes()
    return {VILLAGES: codes.villages, DISTRICTS: codes.districts}


@dataclass
class ExpectationOutcome:
    index: int
    type: str
    column: str
    """The frame column the expectation is about (``column``, or ``column_A`` of a pair)."""
    rule: str | None
    warning: str | None
    kwargs: dict[str, Any]
    element_count: int
    unexpected_count: int
    failing_rows: list[int]

    @property
    def name(self) -> str:
        return self.rule or self.warning or ""


@dataclass
class Validation:
    """One suite run on one file of one drop."""

    suite_name: str
    label: str
    """``<source>.<drop_id>/<file>`` (``[rows a-b]`` when a big file is validated in batches)."""
    rows: int
    success: bool
    expectations: list[ExpectationOutcome]
    file: str = ""
    gx_result: Any = field(repr=False, default=None)
    docs_url: str | None = None


def docs_path(url: str) -> str:
    """The local file behind a Data Docs URL (``file://...``), for the UI's path metadata."""
    return url.removeprefix("file://")


class GxRunner:
    """Loads suites from ``expectations_dir`` and validates validation frames with them.

    ``docs_dir`` None keeps everything in memory (no Data Docs); otherwise results and Data Docs are written to
    a file-backed GX project there. ``today`` fixes the run-time parameters (birth dates in the future, at most
    120 years back).
    """

    def __init__(self, expectations_dir: Path, docs_dir: Path | None, today: dt.date) -> None:
        self.expectations_dir = Path(expectations_dir)
        self.docs_dir = Path(docs_dir) if docs_dir else None
        self.parameters = suite_parameters(today)
        self._context: Any = None
        self._batch_definition: Any = None
        self._suites: dict[str, tuple[Any, list[str], dict[str, Any]]] = {}
        self._stored: list[Any] = []
        """Validation results stored this run, whose Data Docs pages :meth:`build_index` renders."""

    # -- GX set-up ------------------------------------------------------------------------------------------
    def _gx(self) -> Any:
        if self._context is None:
            os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig
            from great_expectations.execution_engine import pandas_execution_engine

            from assets.validate import reference_expectation  # registers the custom expectation

            reference_expectation.load_reference_lists(reference_lists())
            # GX fingerprints every pandas batch it is handed (an md5 of hash_pandas_object over all cells, ~2 s
            # per million rows) just to label the batch; the label is not used here. 0 turns it off.
            pandas_execution_engine.HASH_THRESHOLD = 0
            if self.docs_dir is None:
                context = gx.get_context(mode="ephemeral")
            else:
                self.docs_dir.mkdir(parents=True, exist_ok=True)
                context = gx.get_context(mode="file", project_root_dir=str(self.docs_dir))
            context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            source = context.data_sources.add_or_update_pandas(name=DATASOURCE)
            asset = next((a for a in source.assets if a.name == ASSET), None) or source.add_dataframe_asset(
                ASSET
            )
            definition = next((b for b in asset.batch_definitions if b.name == BATCH_DEFINITION), None)
            self._batch_definition = definition or asset.add_batch_definition_whole_dataframe(
                BATCH_DEFINITION
            )
            self._context = context
        return self._context

    def suite(self, suite_name: str) -> tuple[Any, list[str], dict[str, Any]]:
        """The GX suite, the frame columns it reads, and its JSON (loaded once per runner)."""
        if suite_name not in self._suites:
            self._gx()
            import great_expectations as gx

            data = read_suite(self.expectations_dir, suite_name)
            # GX does not return results in suite order: each expectation carries its index to be found again.
            tagged = copy.deepcopy(data)
            for index, expectation in enumerate(tagged.get("expectations", [])):
                expectation.setdefault("meta", {})[INDEX_KEY] = index
            try:
                suite = gx.ExpectationSuite(**tagged)
            except Exception as exc:
                raise ValidationError(
                    f"expectation suite {suite_name} is not valid GX 1.x JSON: {exc}"
                ) from None
            self._suites[suite_name] = (suite, suite_columns(data), data)
        return self._suites[suite_name]

    # -- validating -----------------------------------------------------------------------------------------
    def validate(self, rows: pa.Table, suite_name: str, label: str, file: str = "") -> Validation:
        """Run ``suite_name`` on ``rows`` (``row_number`` and every column the suite reads)."""
        suite, _, data = self.suite(suite_name)
        frame = pandas_frame(rows, pair_columns(data))
        with warnings.catch_warnings():
            # pandas warns that the NIK pattern has groups GX does not extract: expected, and noise in logs.
            warnings.filterwarnings("ignore", message="This pattern is interpreted as a regular expression")
            result = self._batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
                suite, result_format=RESULT_FORMAT, expectation_parameters=self.parameters
            )
        by_index = {evr.expectation_config.meta[INDEX_KEY]: evr for evr in result.results}
        if sorted(by_index) != list(range(len(data["expectations"]))):
            raise ValidationError(
                f"{label}: suite {suite_name} returned results for other expectations than it has"
            )
        outcomes = []
        for index, spec in enumerate(data["expectations"]):
            evr = by_index[index]
            failure = _exception_message(evr.exception_info)
            if failure is not None:
                raise ValidationError(
                    f"{label}: suite {suite_name} expectation {index} ({spec['type']} on "
                    f"{_column_of(spec['kwargs'])}) could not run: {failure[:300]}"
                )
            body = evr.result or {}
            rows_failing = failing_row_numbers(body.get("unexpected_index_list"))
            unexpected = int(body.get("unexpected_count") or 0)
            if len(rows_failing) != unexpected:
                raise ValidationError(
                    f"{label}: suite {suite_name} expectation {index} ({spec['type']}) reported {unexpected} "
                    f"failing rows but listed {len(rows_failing)}"
                )
            meta = spec.get("meta") or {}
            outcomes.append(
                ExpectationOutcome(
                    index=index,
                    type=spec["type"],
                    column=_column_of(spec["kwargs"]),
                    rule=meta.get("rule"),
                    warning=meta.get("warning"),
                    kwargs=spec["kwargs"],
                    element_count=int(body.get("element_count") or len(frame)),
                    unexpected_count=unexpected,
                    failing_rows=rows_failing,
                )
            )
        return Validation(
            suite_name=suite_name,
            label=label,
            file=file,
            rows=rows.num_rows,
            success=bool(result.success),
            expectations=outcomes,
            gx_result=result,
        )

    # -- Data Docs ------------------------------------------------------------------------------------------
    def publish(self, validation: Validation, run_name: str, display: Callable[[str], Display]) -> str | None:
        """Store the (masked) result in the GX project; returns the URL its page has once :meth:`build_index`
        renders it (all of a run's pages in one build: each build sets up GX's site builder and templates)."""
        if self.docs_dir is None or validation.gx_result is None:
            return None
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        context = self._gx()
        mask_result(validation.gx_result, display)
        identifier = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=validation.suite_name),
            run_id=RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC)),
            batch_identifier=re.sub(r"[^A-Za-z0-9_.-]+", "_", validation.label),
        )
        context.validation_results_store.set(identifier, validation.gx_result)
        self._stored.append(identifier)
        urls = context.get_docs_sites_urls(resource_identifier=identifier, only_if_exists=False)
        validation.docs_url = urls[0]["site_url"] if urls else None
        validation.gx_result = None  # the masked result is on disk; free the memory
        return validation.docs_url

    def build_index(self) -> str | None:
        """Render this run's validation pages and the index page, which lists every stored validation.

        Only this run's pages: without ``resource_identifiers`` GX renders every result ever stored again, a
        cost that grew with every night the warehouse had seen.
        """
        if self.docs_dir is None or self._context is None or not self._stored:
            return None
        sites = self._context.build_data_docs(resource_identifiers=self._stored)
        self._stored = []
        return next(iter(sites.values()), None)


def pair_columns(suite: dict[str, Any]) -> set[str]:
    """Columns compared pairwise: pandas cannot compare two categoricals with different categories."""
    return {
        kwargs[k]
        for e in suite.get("expectations", [])
        for kwargs in [e.get("kwargs", {})]
        for k in ("column_A", "column_B")
        if k in kwargs
    }


def pandas_frame(rows: pa.Table, keep_plain: set[str]) -> pd.DataFrame:
    """The GX batch: indexed by ``row_number``, repetitive text columns dictionary-encoded.

    Why: GX filters the whole frame for every expectation (nulls, row conditions), and taking rows of 1 M
    Arrow strings 20 columns wide, 25 times, was half the validation time; categorical codes are taken as
    integers. The index named ``row_number`` lets GX list failing rows without looking each one up.
    """
    import pandas as pd  # lazily: loading the code location needs no pandas

    columns = {}
    for name, column in zip(rows.column_names, rows.columns, strict=True):
        columns[name] = column
        if (
            pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
        ) and name not in keep_plain:
            encoded = pc.dictionary_encode(column)
            if sum(len(chunk.dictionary) for chunk in encoded.chunks) <= len(column) // 2:
                columns[name] = encoded  # repetitive (codes, statuses, districts): worth it
    frame = pa.table(columns).to_pandas()
    frame.index = pd.Index(frame["row_number"].to_numpy(), name="row_number")
    return frame


def failing_row_numbers(unexpected_index_list: Any) -> list[int]:
    """Row numbers from GX's ``unexpected_index_list`` for a frame indexed by ``row_number`` with
    ``exclude_unexpected_values``: ``[{"row_number": [3, 7, ...]}]`` (or one dict per row, without it)."""
    rows: list[int] = []
    for item in unexpected_index_list or []:
        value = item["row_number"] if isinstance(item, Mapping) else item
        if isinstance(value, list | tuple):
            rows.extend(int(v) for v in value)
        else:
            rows.append(int(value))
    return rows


def _exception_message(info: Any) -> str | None:
    """The message of an exception GX caught while evaluating an expectation, or None.

    GX 1.24 reports it either flat (``{"raised_exception": True, ...}``) or per metric
    (``{"MetricConfigurationID(...)": {"raised_exception": True, ...}}``).
    """
    if not isinstance(info, Mapping):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, Mapping) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _column_of(kwargs: Mapping[str, Any]) -> str:
    return str(kwargs.get("column") or kwargs.get("column_A") or "")


def _shown(value: Any, display: Display) -> Any:
    import pandas as pd

    if display == "value" or value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    return mask_number(value) if display == "masked" else "<hidden>"


def mask_result(result: Any, display: Callable[[str], Display]) -> None:
    """Mask personal values in a GX suite result in place and cut its lists to :data:`SAMPLE` entries.

    ``display(column)`` says how a frame column's values may be shown. A pair expectation is shown only when
    both columns may be.
    """
    for evr in result.results:
        kwargs = evr.expectation_config.kwargs
        columns = [c for c in (kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B")) if c]
        modes = {display(c) for c in columns}
        mode: Display = (
            "value" if modes <= {"value"} else ("masked" if modes <= {"value", "masked"} else "hidden")
        )
        body = evr.result
        if not body:
            continue
        for key in ("unexpected_list", "partial_unexpected_list"):
            if key in body:
                body[key] = [_shown_item(v, mode) for v in body[key][:SAMPLE]]
        if "partial_unexpected_counts" in body:
            body["partial_unexpected_counts"] = [
                {**item, "value": _shown_item(item.get("value"), mode)}
                for item in body["partial_unexpected_counts"][:SAMPLE]
            ]
        for key in ("unexpected_index_list", "partial_unexpected_index_list"):
            if key in body:
                body[key] = [
                    {
                        k: (_sample(v) if k == "row_number" else _shown_item(v, mode))
                        for k, v in (item.items() if isinstance(item, dict) else {"row_number": item}.items())
                    }
                    for item in body[key][:SAMPLE]
                ]
        if "unexpected_index_query" in body:
            body["unexpected_index_query"] = (
                f"{body.get('unexpected_count', 0)} failing rows: see quality.quarantine"
            )


def _sample(value: Any) -> Any:
    return [int(v) for v in value[:SAMPLE]] if isinstance(value, list | tuple) else value


def _shown_item(value: Any, mode: Display) -> Any:
    if isinstance(value, tuple | list):
        return type(value)(_shown(v, mode) for v in value)
    return _shown(value, mode)
