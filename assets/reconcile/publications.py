"""What the reconcile stage adds to the run's single publish transaction (applied by the registry stage's
publish step): the link evidence, and a linkage model trained during the run."""

from sejahtera.warehouse import Publication

PUBLICATIONS: list[Publication] = [
    Publication(target="registry.link_evidence", source="work.link_evidence", mode="replace"),
    Publication(target="ops.linkage_model", source="work.linkage_model", mode="append"),
]
