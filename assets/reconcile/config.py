"""The linkage thresholds and training sizes, read from ``config/linkage.yaml`` (versioned with the code)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from sejahtera import PROJECT_ROOT

CONFIG_FILE = PROJECT_ROOT / "config" / "linkage.yaml"


@dataclass(frozen=True)
class LinkageConfig:
    seed: int
    u_max_pairs: int
    em_max_pairs: int
    prior_rules_recall: float
    match_probability_threshold: float
    same_source_min_match_probability: float
    predict_chunks: int

    @classmethod
    def load(cls, path: Path = CONFIG_FILE) -> LinkageConfig:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        model, persons = raw["model"], raw["persons"]
        return cls(
            seed=int(model["seed"]),
            u_max_pairs=int(model["u_max_pairs"]),
            em_max_pairs=int(model["em_max_pairs"]),
            prior_rules_recall=float(model["prior_rules_recall"]),
            match_probability_threshold=float(persons["match_probability_threshold"]),
            same_source_min_match_probability=float(persons["same_source_min_match_probability"]),
            predict_chunks=int(persons["predict_chunks"]),
        )
