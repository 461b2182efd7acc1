"""The linkage thresholds and training sizes, read from ``linkage.yaml`` in the rule folder (versioned with the code)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sejahtera.rule_config import CONFIG_DIR, ConfigError, read_rule_file

LINKAGE_FILE = "linkage.yaml"


@dataclass(frozen=True)
class LinkageConfig:
    seed: int
    u_pairs_per_record: int
    u_min_pairs: int
    u_max_pairs: int
    em_max_pairs: int
    prior_rules_recall: float
    min_sure_matches_to_keep_model: int
    match_probability_threshold: float
    same_source_min_match_probability: float
    predict_chunks: int

    def __post_init__(self) -> None:
        for name in (
            "prior_rules_recall",
            "match_probability_threshold",
            "same_source_min_match_probability",
        ):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise ConfigError(f"{LINKAGE_FILE}: {name} must be between 0 and 1 (exclusive), got {value}")
        if min(self.u_pairs_per_record, self.u_min_pairs, self.em_max_pairs, self.predict_chunks) < 1:
            raise ConfigError(f"{LINKAGE_FILE}: pair counts and predict_chunks must be positive")
        if self.u_min_pairs > self.u_max_pairs:
            raise ConfigError(f"{LINKAGE_FILE}: u_min_pairs must not exceed u_max_pairs")

    def u_pairs(self, records: int) -> int:
        """How many record pairs to sample for u over ``records`` person records (``linkage.yaml`` says why)."""
        return min(self.u_max_pairs, max(self.u_min_pairs, self.u_pairs_per_record * records))

    @classmethod
    def load(cls, path: Path = CONFIG_DIR / LINKAGE_FILE) -> LinkageConfig:
        raw = read_rule_file(path)
        try:
            model, persons = raw["model"], raw["persons"]
            return cls(
                seed=int(model["seed"]),
                u_pairs_per_record=int(model["u_pairs_per_record"]),
                u_min_pairs=int(model["u_min_pairs"]),
                u_max_pairs=int(model["u_max_pairs"]),
                em_max_pairs=int(model["em_max_pairs"]),
                prior_rules_recall=float(model["prior_rules_recall"]),
                min_sure_matches_to_keep_model=int(model["min_sure_matches_to_keep_model"]),
                match_probability_threshold=float(persons["match_probability_threshold"]),
                same_source_min_match_probability=float(persons["same_source_min_match_probability"]),
                predict_chunks=int(persons["predict_chunks"]),
            )
        except ConfigError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: missing or malformed entry {exc}") from None
