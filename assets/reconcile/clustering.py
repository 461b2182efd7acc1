"""From scored pairs to persons: a constrained, greedy clustering that never chains a family together.

Plain connected components over "probability above threshold" edges chain relatives: a child's record close to
its mother's, hers close to her sister's, and three people become one. Here links are taken strongest first
(deterministic NIK links, then Splink pairs by match weight, ties by record ids so the result is reproducible),
and a link that would put into one person

* two Dukcapil records (one NIK is one person), or
* two records of one source (an agency lists a person once), unless the link is overwhelming evidence of a
  duplicate (``duplicate_ok``: see ``DUPLICATE_EVIDENCE_SQL`` in :mod:`assets.reconcile.linkage`, and a
  probability of at least ``same_source_min_match_probability``)

is refused. So one agency record links to at most one person, and a person holds at most one record per source,
the "single best link" behaviour that favours precision: a wrong merge harms someone; a missed merge leaves a
duplicate person that the next drop can still join.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Edges:
    """Candidate links between records (ids are ``work.person_record.rid``), as parallel arrays.

    ``duplicate_ok`` says whether the pair is consistent enough to be a same-source duplicate (it must also
    reach the weight for that). Deterministic links carry an infinite weight.
    """

    rid_a: np.ndarray
    rid_b: np.ndarray
    weight: np.ndarray
    duplicate_ok: np.ndarray

    @classmethod
    def empty(cls) -> Edges:
        return cls(*(np.empty(0, dtype=t) for t in (np.int64, np.int64, np.float64, np.bool_)))

    def __len__(self) -> int:
        return len(self.rid_a)


@dataclass(frozen=True)
class Clustering:
    cluster_of: np.ndarray
    """For each rid (index), the rid of its cluster's root; index 0 is unused."""
    accepted_deterministic: np.ndarray
    """Indices of the deterministic links that were taken."""
    accepted_scored: np.ndarray
    """Indices of the scored links that merged two clusters."""


def cluster(
    sources: list[str],
    spine_source: str,
    deterministic: Edges,
    scored: Edges,
    same_source_min_weight: float,
) -> Clustering:
    """Cluster records ``1..len(sources)`` (``sources[rid - 1]`` is the record's source).

    ``deterministic`` links are taken first in the order given; ``scored`` links by weight, strongest first,
    ties by record ids.
    """
    n = len(sources)
    bits = {s: i for i, s in enumerate(sorted(set(sources)))}
    parent = list(range(n + 1))
    size = [1] * (n + 1)
    masks: list[int] = [0] + [1 << bits[s] for s in sources]
    spine_bit = 1 << bits[spine_source] if spine_source in bits else 0

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def try_merge(a: int, b: int, duplicate_ok: bool, weight: float) -> bool:
        ra, rb = find(a), find(b)
        if ra == rb:
            return False
        overlap = masks[ra] & masks[rb]
        if overlap & spine_bit:
            return False
        if overlap and not (duplicate_ok and weight >= same_source_min_weight):
            return False
        if size[ra] < size[rb]:
            ra, rb = rb, ra
        parent[rb] = ra
        size[ra] += size[rb]
        masks[ra] |= masks[rb]
        return True

    taken_det = [
        i
        for i, (a, b) in enumerate(
            zip(deterministic.rid_a.tolist(), deterministic.rid_b.tolist(), strict=True)
        )
        if try_merge(a, b, False, float("inf"))
    ]
    lo = np.minimum(scored.rid_a, scored.rid_b)
    hi = np.maximum(scored.rid_a, scored.rid_b)
    order = np.lexsort((hi, lo, -scored.weight))
    a_list, b_list = scored.rid_a.tolist(), scored.rid_b.tolist()
    w_list, ok_list = scored.weight.tolist(), scored.duplicate_ok.tolist()
    taken_scored = [i for i in order.tolist() if try_merge(a_list[i], b_list[i], ok_list[i], w_list[i])]

    roots = np.fromiter((find(i) for i in range(n + 1)), dtype=np.int64, count=n + 1)
    return Clustering(
        cluster_of=roots,
        accepted_deterministic=np.asarray(taken_det, dtype=np.int64),
        accepted_scored=np.asarray(taken_scored, dtype=np.int64),
    )
