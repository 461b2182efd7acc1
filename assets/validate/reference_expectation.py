"""A GX expectation for membership in a long reference list (the Kemendagri codes), named, not inlined.

Why not ``expect_column_values_to_be_in_set`` with ``value_set={"$PARAMETER": ...}``: GX 1.24 copies and
re-validates an expectation's keyword arguments through pydantic a hundred-odd times per validation, so an
83,762-code value set costs about five seconds per expectation whatever the number of rows (measured here).
This expectation takes the list's NAME (``reference``), and its metric looks the codes up in
:data:`REFERENCE_LISTS`, which the runner fills from :mod:`sejahtera.reference` before validating. The rule
stays defined once, the suite file stays readable, and the check is one vectorised ``isin``.

Imports great_expectations at module level: import this module only where GX is being used (the runner).
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    column_condition_partial,
)
from great_expectations.render import LegacyRendererType, RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer

REFERENCE_LISTS: dict[str, pa.Array] = {}
"""Reference list name -> its codes; filled by :func:`assets.validate.gx_runner.GxRunner` before validating.
Kept as Arrow arrays: pandas' ``isin`` converts an 83,762-code set value by value on every call (~0.1 s)."""


def load_reference_lists(lists: dict[str, frozenset]) -> None:
    for name, codes in lists.items():
        REFERENCE_LISTS[name] = pa.array(sorted(codes), type=pa.string())


class ReferenceListNotLoaded(KeyError):
    pass


class ColumnValuesInReferenceList(ColumnMapMetricProvider):
    condition_metric_name = "column_values.in_reference_list"
    condition_value_keys = ("reference",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, reference, **kwargs):
        try:
            codes = REFERENCE_LISTS[reference]
        except KeyError:
            raise ReferenceListNotLoaded(f"reference list {reference!r} is not loaded") from None
        values = pa.array(column, from_pandas=True)
        if values.type != pa.string():
            values = pc.cast(values, pa.string())
        found = pc.is_in(values, value_set=codes).to_numpy(zero_copy_only=False)
        return pd.Series(found, index=column.index)


class ExpectColumnValuesToBeInReferenceList(ColumnMapExpectation):
    """Expect each value of a column to be in a named reference list (Kemendagri villages or districts)."""

    reference: str

    map_metric: ClassVar[str] = "column_values.in_reference_list"
    args_keys: ClassVar[tuple[str, ...]] = ("column", "reference")
    success_keys: ClassVar[tuple[str, ...]] = ("reference", "mostly")

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None, **kwargs):
        """How Data Docs state the expectation (GX's fallback prints the raw keyword arguments)."""
        return [
            RenderedStringTemplateContent(
                content_block_type="string_template",
                string_template={
                    "template": "values must belong to the reference list $reference.",
                    "params": {"reference": configuration.kwargs.get("reference")},
                    "styling": (runtime_configuration or {}).get("styling"),
                },
            )
        ]
