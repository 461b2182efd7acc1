"""How much goes wrong in the generated drops (:class:`NoiseConfig`) and when each drop is delivered (:class:`Calendar`).

Noise is kept apart from life: births, deaths, moves, family splits and Dukcapil's daily events are the truth the
pipeline must follow, so they happen whatever the noise. What ``NoiseConfig`` controls is how badly the agencies
RECORD that truth (record noise: the row loads, the pipeline must see through it), which rows break a row rule
(defects: the gate must quarantine them) and the harmless oddities that must load (benign).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, timedelta


@dataclass(frozen=True)
class NoiseConfig:
    """Rates (shares of eligible records or rows, 0..1) of every kind of noise, defect and oddity the generator writes.

    ``NoiseConfig.none()`` writes pristine drops: every row clean, every agency NIK the person's own and padan,
    names and dates exactly Dukcapil's. ``scaled(k)`` multiplies every rate (capped at 1) to stress a pipeline.
    Tests that want one kind only use ``dataclasses.replace(NoiseConfig.none(), nik_typo=0.1)``.
    """

    # Record noise on agency person records (DTKS, Regsosek, P3KE): the row loads, the pipeline must see through it.
    nik_typo: float = 0.015
    """One digit of the NIK replaced by another."""
    nik_transposed: float = 0.008
    """Two adjacent, different digits of the NIK swapped."""
    nik_blank: float = 0.02
    """NIK left empty (CSV) or null (Parquet)."""
    nik_placeholder: float = 0.005
    """NIK replaced by a placeholder: all zeros, one repeated digit, or a district prefix followed by zeros."""
    nik_shared: float = 0.004
    """A child recorded with the head of the family's NIK (two people, one NIK, one file)."""
    name_variant: float = 0.06
    """Another spelling of the same name: SITI/SITTI, MUHAMMAD/MOCH., NURHAYATI/NUR HAYATI, oe/u, dj/j, tj/c ..."""
    name_format: float = 0.03
    """Lower or mixed case, double spaces, stray punctuation."""
    title: float = 0.03
    """An honorific or academic title before or after the name (H., HJ., DRS., S.PD ...), adults only."""
    dob_swapped: float = 0.01
    """Day and month of the birth date swapped (only where both are 12 or less and differ)."""
    dob_year_off: float = 0.01
    """Birth year one off."""
    # Record noise on agency household records.
    kk_typo: float = 0.01
    """One digit of the KK number wrong."""
    kk_blank: float = 0.02
    """KK number missing."""
    region_format: float = 0.05
    """P3KE village code delivered without its dots (the only source whose format allows both)."""
    # Noise in the civil registry itself, corrected by a later Dukcapil UBAH_DATA event.
    dukcapil_corrected: float = 0.5
    """Share of UBAH_DATA events that correct a wrong name or birth date in Dukcapil's full (the rest fill in a
    missing place of birth, which no agency record contradicts)."""
    nik_date_hint_off: float = 0.01
    """Persons whose NIK encodes a birth date other than their real one (Dukcapil never corrects an NIK)."""

    # Row defects: the data-quality gate must quarantine these rows (per row of a file, per kind).
    invalid_date: float = 0.003
    birth_date_out_of_range: float = 0.003
    unknown_region_code: float = 0.003
    code_not_in_set: float = 0.003
    control_character: float = 0.003
    duplicate_record_id: float = 0.003
    missing_record_id: float = 0.001
    member_without_household: float = 0.003
    """Members whose household id points at no household row."""
    household_row_missing: float = 0.002
    """Household rows left out of the household file (all their members become orphans)."""
    unknown_nik_event: float = 0.02
    """Dukcapil events (other than LAHIR) for an NIK Dukcapil does not know, per event row."""
    garbled_event: float = 0.02
    """Dukcapil events re-sent with one field broken (bad date, unknown region, bad code, control character,
    out-of-range birth date, repeated or missing id), per event row."""

    # Benign oddities: must load, never be quarantined.
    quoted_line_break: float = 0.01
    """A DTKS address with a line break inside its quoted field."""
    zero_padded_rt_rw: float = 0.3
    """DTKS RT/RW written ``003`` instead of ``3``."""
    empty_optional: float = 0.02
    """Optional text fields (place of birth, address, occupation) left empty."""

    # How agencies record families (household records that load but do not match one Dukcapil family).
    partial_listing: float = 0.03
    """Household records of three or more members listing only some of them (the head always listed)."""
    two_families_one_record: float = 0.02
    """Household records listing a second family of the same village under the same household id (two families
    sharing one house: the second family's members appear as relatives of the first's head, its own record is
    not made)."""
    split_spouse_identity: float = 0.3
    """Records of a married child's spouse, in a family that splits (pecah KK) after the survey, written with a
    blank NIK and another spelling of the name: the in-law was registered by the parents' family and is the
    member agencies know least."""

    @classmethod
    def default(cls) -> NoiseConfig:
        """Rates in the range real drops show (domain.md), with row defects far below the 20 % rejection share."""
        return cls()

    @classmethod
    def none(cls) -> NoiseConfig:
        """No noise, no defects, no oddities: the agencies record the truth as Dukcapil has it."""
        return cls(**{f.name: 0.0 for f in fields(cls)})

    @classmethod
    def harsher(cls) -> NoiseConfig:
        """Every rate of :meth:`default` doubled: the stress model for measuring on data not tuned on."""
        return cls.default().scaled(2)

    def scaled(self, factor: float) -> NoiseConfig:
        """Every rate multiplied by ``factor`` (capped at 1)."""
        if factor < 0:
            raise ValueError(f"noise factor must be >= 0, got {factor}")
        return replace(self, **{f.name: min(1.0, getattr(self, f.name) * factor) for f in fields(self)})

    def __post_init__(self) -> None:
        _require_shares(self)


@dataclass(frozen=True)
class FamilyConfig:
    """How families change between the Regsosek survey and Dukcapil's full (life, not noise: it happens whatever
    the agencies record). ``default()`` is the rate the generator was built with; ``harsher()`` changes every
    rate, for measuring household linkage on a configuration it was not tuned on."""

    move_share: float = 0.08
    """Share of families that move (new village, new KK) before Dukcapil's full."""
    split_share: float = 0.4
    """Share of three-generation families whose married child's couple takes its own KK (pecah KK)."""
    reissue_on_head_death: float = 0.5
    """Chance that a family gets a new KK number after its head died (Dukcapil re-issues it to the spouse;
    the dead head stays alone on the old KK)."""
    widowed_parent_joins: float = 0.15
    """Share of elders living alone who join a nearby family (same village, else district, else regency) as its
    head's parent (their own household record, made before, lists only them)."""

    @classmethod
    def default(cls) -> FamilyConfig:
        return cls()

    @classmethod
    def harsher(cls) -> FamilyConfig:
        """More splits, moves, re-issued KKs and widowed parents joining a child than :meth:`default`."""
        return cls(move_share=0.15, split_share=0.65, reissue_on_head_death=0.8, widowed_parent_joins=0.3)

    def __post_init__(self) -> None:
        _require_shares(self)


def _require_shares(config: NoiseConfig | FamilyConfig) -> None:
    """Every field of a rates dataclass must be a share between 0 and 1: a rate outside would not fail later, it
    would silently generate skewed data."""
    for f in fields(config):
        value = getattr(config, f.name)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{type(config).__name__}.{f.name} must be a share between 0 and 1, got {value}")


@dataclass(frozen=True)
class Calendar:
    """The dates of one generated landing zone, all derived from ``as_of`` (the day of the last Dukcapil delta).

    The agencies surveyed their households long before they delivered (their data is stale, as in reality): each
    source's ``*_view`` is the day its records describe. Life (deaths, moves, splits, births) runs from the
    Regsosek survey to ``as_of``; Dukcapil's full is the state at ``dukcapil_full`` and the deltas carry what
    happened after it.
    """

    as_of: date

    @property
    def regsosek_view(self) -> date:
        return date(self.as_of.year - 4, 10, 15)

    @property
    def p3ke_view(self) -> date:
        return date(self.as_of.year - 3, 6, 30)

    @property
    def dtks_view(self) -> date:
        return date(self.as_of.year - 2, 12, 31)

    @property
    def life_start(self) -> date:
        return self.regsosek_view

    @property
    def regsosek_drop(self) -> date:
        return self.as_of - timedelta(days=73)

    @property
    def p3ke_drop(self) -> date:
        return self.as_of - timedelta(days=57)

    @property
    def dtks_drop(self) -> date:
        return self.as_of - timedelta(days=12)

    @property
    def dukcapil_full(self) -> date:
        return self.as_of - timedelta(days=7)

    @property
    def dukcapil_deltas(self) -> tuple[date, ...]:
        """Delta drop days; each carries the events dated after the previous drop, up to its own day."""
        return (self.as_of - timedelta(days=6), self.as_of - timedelta(days=3), self.as_of)


def drop_id(day: date) -> str:
    return day.strftime("%Y%m%d")
