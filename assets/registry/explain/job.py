"""The ``explain`` op: the same page as ``sejahtera explain``, launched from the Dagster UI with a config.

A data engineer answering an appeal opens **Jobs -> explain -> Launchpad** and gives exactly one of ``nik``, ``kk``
or ``household_id``. The page is always masked here (unmasking is only for the audited command line): it goes to
the run's log as text and to the step's output metadata as markdown, which the UI renders. An unknown identifier
fails the run with one masked line, never retried.
"""

import dagster as dg

from assets.registry.explain.page import (
    IdentifierKind,
    NoRegistry,
    UnknownIdentifier,
    explain,
    shown_identifier,
)
from assets.registry.explain.render import to_markdown, to_text


class ExplainConfig(dg.Config):
    """Exactly one identifier of the household to explain (or of a person in it)."""

    nik: str | None = None
    kk: str | None = None
    household_id: str | None = None

    def identifier(self) -> tuple[IdentifierKind, str]:
        given: list[tuple[IdentifierKind, str | None]] = [
            ("nik", self.nik),
            ("kk", self.kk),
            ("household", self.household_id),
        ]
        chosen = [(kind, value.strip()) for kind, value in given if value and value.strip()]
        if len(chosen) != 1:
            raise dg.Failure(
                description="explain: give exactly one of nik, kk or household_id in the run config",
                allow_retries=False,
            )
        return chosen[0]


@dg.op(
    name="explain_household",
    pool="warehouse",
    required_resource_keys={"warehouse"},
    description="Explain one household from the published registry: a masked page in the log and the metadata.",
)
def explain_household(context: dg.OpExecutionContext, config: ExplainConfig):
    kind, identifier = config.identifier()
    warehouse = context.resources.warehouse  # the code location's WarehouseResource
    if not warehouse.file.exists():
        raise dg.Failure(description="explain: no registry published yet", allow_retries=False)
    try:
        with warehouse.connect(read_only=True) as con:
            explanation = explain(con, kind, identifier)
    except (UnknownIdentifier, NoRegistry) as exc:
        raise dg.Failure(description=f"explain: {exc}", allow_retries=False) from None
    context.log.info(to_text(explanation))
    return dg.Output(
        None,
        metadata={
            "identifier": f"{kind} {shown_identifier(kind, identifier)}",
            "households": ", ".join(explanation.household_ids),
            "page": dg.MetadataValue.md(to_markdown(explanation)),
        },
    )
