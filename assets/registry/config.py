"""The registry's rule configuration: PMT weights, eligibility cutoffs and survivorship, read and checked.

The rules live in versioned YAML files in the rule folder (``config/``, the ``rules`` resource) so that a
reviewer reads the rules, not the plumbing.
Loading fails with one clear line naming the file and the problem: a typo in a weight or a programme must stop
the run before anything is published, never be silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sejahtera.rule_config import CONFIG_DIR, ConfigError, read_rule_file
from sejahtera.sources import AGENCIES
from sejahtera.sources import SOURCES as DECLARED_SOURCES
from sejahtera.sources.regsosek import RUMAH_TANGGA

PMT_WEIGHTS_FILE = "pmt_weights.yaml"
ELIGIBILITY_FILE = "eligibility.yaml"
SURVIVORSHIP_FILE = "survivorship.yaml"
PROGRAMMES = ("pkh", "bpnt", "pbi")
"""The programmes of the contract's ``eligible_<programme>`` columns."""

CODEBOOK_VARIABLES = (
    "jenis_lantai",
    "jenis_dinding",
    "jenis_atap",
    "sumber_air_minum",
    "fasilitas_bab",
    "sumber_penerangan",
    "bahan_bakar_memasak",
    "status_kepemilikan_rumah",
)
ASSET_VARIABLES = ("aset_mobil", "aset_ac", "aset_kulkas", "aset_motor", "aset_emas", "aset_tv")
EVIDENCE_CLASSES = ("p3ke_desil_1", "p3ke_desil_2", "p3ke_desil_3", "p3ke_desil_4", "dtks", "none")
SOURCES = tuple(DECLARED_SOURCES)
"""Sources survivorship.yaml may name: every declared source."""
PERSON_FIELDS = ("nama", "jenis_kelamin", "tanggal_lahir", "kode_wilayah", "no_kk", "status_hidup")
HOUSEHOLD_FIELDS = ("no_kk", "kode_wilayah", "survey_record", "miskin_ekstrem", "p3ke_desil", "dtks_record")
UNNAMED_SOURCE_FIELDS = {
    "person": ("nama", "jenis_kelamin", "tanggal_lahir", "kode_wilayah", "no_kk"),
    "household": ("no_kk", "kode_wilayah"),
}
"""What an agency survivorship.yaml does not name may still supply: the identity and address fields its records
carry, in a tier of its own after the listed ones (it fills in only what no listed source offers), in declaration
order. Never vital status (Dukcapil's alone) nor a welfare input (those are named by the rules that read them).
Without it a person only a newly declared agency knows would be published without a name."""


def _load(path: Path) -> dict[str, Any]:
    data = read_rule_file(path)
    if not data.get("version"):
        raise ConfigError(f"{path}: must be a mapping with a 'version'")
    return data


def _positive(path: Path, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{path}: {name} must be a number > 0, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class PmtWeights:
    """The proxy-means test: one weight per feature (``g_<feature>`` columns) and the features' parameters."""

    version: str
    weights: dict[str, float]
    """feature -> weight; features are the codebook variables, the assets and the named features below."""
    codebook_worst: dict[str, int]
    floor_area_low_m2: float
    floor_area_high_m2: float
    electricity_full_va: float
    land_full_m2: float
    worst_household_size: int
    child_below_age: int
    elderly_from_age: int
    adult_from_age: int
    min_cell_households: int
    max_size_bucket: int
    prior_quantile: dict[str, float]
    prior_score: dict[str, float]

    def sql_parameters(self) -> dict[str, object]:
        """The values the welfare SQL binds (``$name``): parameters, never text spliced into SQL."""
        params: dict[str, object] = {f"worst_{k}": v for k, v in self.codebook_worst.items()}
        params.update(
            area_low=self.floor_area_low_m2,
            area_high=self.floor_area_high_m2,
            electricity_full_va=self.electricity_full_va,
            land_full_m2=self.land_full_m2,
            worst_size=self.worst_household_size,
            child_below_age=self.child_below_age,
            elderly_from_age=self.elderly_from_age,
            adult_from_age=self.adult_from_age,
        )
        return params


def load_pmt_weights(path: Path = CONFIG_DIR / PMT_WEIGHTS_FILE) -> PmtWeights:
    data = _load(path)
    try:
        codebook = data["codebook"]
        assets = data["assets"]
        weights = {name: _positive(path, f"codebook.{name}", codebook[name]) for name in CODEBOOK_VARIABLES}
        weights |= {name: _positive(path, f"assets.{name}", assets[name]) for name in ASSET_VARIABLES}
        for feature in (
            "floor_area_per_person",
            "electricity",
            "land",
            "household_size",
            "dependency_ratio",
            "education",
            "employment",
        ):
            weights[feature] = _positive(path, f"{feature}.weight", data[feature]["weight"])
        unknown = (set(codebook) - set(CODEBOOK_VARIABLES)) | (set(assets) - set(ASSET_VARIABLES))
        if unknown:
            raise ConfigError(f"{path}: unknown variables {sorted(unknown)}")
        imputation = data["imputation"]
        prior_quantile = {k: float(imputation["prior_quantile"][k]) for k in EVIDENCE_CLASSES}
        prior_score = {k: float(imputation["prior_score"][k]) for k in EVIDENCE_CLASSES}
        if not all(0.0 <= q <= 1.0 for q in prior_quantile.values()):
            raise ConfigError(f"{path}: imputation.prior_quantile values must lie in 0..1")
        if not all(0.0 <= s <= 100.0 for s in prior_score.values()):
            raise ConfigError(f"{path}: imputation.prior_score values must lie in 0..100")
        worst = {name: max(int(v) for v in RUMAH_TANGGA.column(name).values) for name in CODEBOOK_VARIABLES}
        config = PmtWeights(
            version=str(data["version"]),
            weights=weights,
            codebook_worst=worst,
            floor_area_low_m2=_positive(
                path, "floor_area_per_person.low_m2", data["floor_area_per_person"]["low_m2"]
            ),
            floor_area_high_m2=_positive(
                path, "floor_area_per_person.high_m2", data["floor_area_per_person"]["high_m2"]
            ),
            electricity_full_va=_positive(path, "electricity.full_va", data["electricity"]["full_va"]),
            land_full_m2=_positive(path, "land.full_m2", data["land"]["full_m2"]),
            worst_household_size=int(
                _positive(path, "household_size.worst_size", data["household_size"]["worst_size"])
            ),
            child_below_age=int(data["dependency_ratio"]["child_below_age"]),
            elderly_from_age=int(data["dependency_ratio"]["elderly_from_age"]),
            adult_from_age=int(data["education"]["adult_from_age"]),
            min_cell_households=int(
                _positive(path, "imputation.min_cell_households", imputation["min_cell_households"])
            ),
            max_size_bucket=int(_positive(path, "imputation.max_size_bucket", imputation["max_size_bucket"])),
            prior_quantile=prior_quantile,
            prior_score=prior_score,
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: missing or malformed entry {exc}") from exc
    if config.floor_area_high_m2 <= config.floor_area_low_m2 or config.worst_household_size < 2:
        raise ConfigError(f"{path}: floor_area high_m2 must exceed low_m2 and worst_size must be >= 2")
    return config


@dataclass(frozen=True)
class Programme:
    key: str
    name: str
    max_desil: int
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class EligibilityRules:
    version: str
    programmes: dict[str, Programme]


def load_eligibility(path: Path = CONFIG_DIR / ELIGIBILITY_FILE) -> EligibilityRules:
    data = _load(path)
    if data.get("basis") != "desil_nasional":
        raise ConfigError(f"{path}: basis must be desil_nasional (contract section 3)")
    programmes = data.get("programmes") or {}
    if set(programmes) != set(PROGRAMMES):
        raise ConfigError(f"{path}: programmes must be exactly {list(PROGRAMMES)}, got {sorted(programmes)}")
    result = {}
    for key in PROGRAMMES:
        entry = programmes[key]
        max_desil = entry.get("max_desil")
        if isinstance(max_desil, bool) or not isinstance(max_desil, int) or not 1 <= max_desil <= 10:
            raise ConfigError(f"{path}: programmes.{key}.max_desil must be an integer 1..10")
        aliases = tuple(str(a).strip().upper() for a in entry.get("aliases") or [key.upper()])
        result[key] = Programme(
            key=key, name=str(entry.get("name", key)), max_desil=max_desil, aliases=aliases
        )
    return EligibilityRules(version=str(data["version"]), programmes=result)


@dataclass(frozen=True)
class SurvivorshipRule:
    """One row of ``work.survivorship_rule``: a source's tier and order for one field."""

    entity: str
    field: str
    source: str
    tier: int
    source_order: int


@dataclass(frozen=True)
class Survivorship:
    version: str
    rules: tuple[SurvivorshipRule, ...]
    defaults: dict[tuple[str, str], str]
    """(entity, field) -> value used when no source offers one."""


def load_survivorship(path: Path = CONFIG_DIR / SURVIVORSHIP_FILE) -> Survivorship:
    data = _load(path)
    rules: list[SurvivorshipRule] = []
    defaults: dict[tuple[str, str], str] = {}
    unnamed = _unnamed_agencies(data)
    for entity, known in (("person", PERSON_FIELDS), ("household", HOUSEHOLD_FIELDS)):
        fields = data.get(entity) or {}
        if set(fields) != set(known):
            raise ConfigError(f"{path}: {entity} fields must be exactly {list(known)}, got {sorted(fields)}")
        for field in known:
            entry = fields[field]
            tiers = entry.get("tiers") if isinstance(entry, dict) else None
            if not tiers or not all(isinstance(t, list) and t for t in tiers):
                raise ConfigError(f"{path}: {entity}.{field}.tiers must be a non-empty list of source lists")
            order = 0
            for tier_number, tier in enumerate(tiers, start=1):
                for source in tier:
                    if source not in SOURCES:
                        raise ConfigError(f"{path}: {entity}.{field}: unknown source {source!r}")
                    order += 1
                    rules.append(SurvivorshipRule(entity, field, source, tier_number, order))
            if field in UNNAMED_SOURCE_FIELDS[entity]:
                for source in unnamed[entity]:
                    order += 1
                    rules.append(SurvivorshipRule(entity, field, source, len(tiers) + 1, order))
            if "default" in entry:
                defaults[(entity, field)] = str(entry["default"])
    return Survivorship(version=str(data["version"]), rules=tuple(rules), defaults=defaults)


def _unnamed_agencies(data: dict[str, Any]) -> dict[str, list[str]]:
    """Per entity, the declared agencies with records of it that no tier of the file names (declaration order)."""
    named = {
        source
        for entity in ("person", "household")
        for entry in (data.get(entity) or {}).values()
        if isinstance(entry, dict)
        for tier in entry.get("tiers") or []
        if isinstance(tier, list)
        for source in tier
    }
    return {
        "person": [s.name for s in AGENCIES if s.persons is not None and s.name not in named],
        "household": [s.name for s in AGENCIES if s.households is not None and s.name not in named],
    }
