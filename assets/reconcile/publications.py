"""What the reconcile stage adds to the run's single publish transaction (applied by the registry stage's
publish step): the link evidence, a linkage model trained during the run (with its term frequencies), and the
scored pairs later runs reuse (:mod:`assets.reconcile.pair_cache`)."""

from assets.reconcile.pair_cache import PUBLICATIONS as PAIR_CACHE_PUBLICATIONS
from sejahtera.warehouse import Publication

PUBLICATIONS: list[Publication] = [
    Publication(target="registry.link_evidence", source="work.link_evidence", mode="replace"),
    Publication(target="ops.linkage_model", source="work.linkage_model", mode="append"),
    Publication(
        target="ops.linkage_model_term_frequency", source="work.linkage_model_term_frequency", mode="append"
    ),
    *PAIR_CACHE_PUBLICATIONS,
]
