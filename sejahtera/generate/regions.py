"""Where the synthetic households live: villages of the Kemendagri lists, weighted like Indonesia's population.

Province weights follow the 2024 population (Java is heavy); the regional welfare effect follows each province's
reported poverty rate, so Papua and NTT are poorer than Jakarta and Bali. A small share of households sits in
villages of the 2022 decree that the 2025 decree retired (mostly the old Papua Barat codes now under Papua Barat
Daya): those codes are valid and must load as delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np
import pandas as pd

from sejahtera.reference import region_table

# Population in millions (2024) and the share of poor people in percent (BPS, March 2024), by province code.
PROVINCES: dict[str, tuple[float, float]] = {
    "11": (5.5, 14.2), "12": (15.6, 8.0), "13": (5.8, 6.0), "14": (6.7, 6.4), "15": (3.7, 7.3),
    "16": (8.8, 11.2), "17": (2.1, 13.6), "18": (9.4, 10.7), "19": (1.5, 4.5), "21": (2.2, 5.4),
    "31": (10.7, 4.3), "32": (50.3, 7.5), "33": (37.9, 10.5), "34": (3.8, 10.8), "35": (41.6, 9.8),
    "36": (12.4, 5.8), "51": (4.4, 4.0), "52": (5.6, 13.2), "53": (5.6, 19.5), "61": (5.6, 6.3),
    "62": (2.8, 5.2), "63": (4.2, 4.0), "64": (4.0, 5.8), "65": (0.7, 6.3), "71": (2.7, 7.2),
    "72": (3.1, 11.8), "73": (9.4, 8.1), "74": (2.8, 11.1), "75": (1.2, 14.6), "76": (1.5, 11.2),
    "81": (1.9, 16.0), "82": (1.4, 6.3), "91": (1.0, 17.3), "92": (0.6, 21.0), "93": (0.5, 18.0),
    "94": (1.4, 29.6), "95": (1.5, 32.0), "96": (0.6, 18.0),
}  # fmt: skip
NATIONAL_POOR_SHARE = 8.5

# Which naming traditions live where (shares), by province; others use DEFAULT_TRADITIONS.
TRADITIONS: dict[str, dict[str, float]] = {
    "11": {"muslim": 0.97, "javanese": 0.03},
    "12": {"batak": 0.45, "muslim": 0.33, "javanese": 0.15, "chinese": 0.05, "christian": 0.02},
    "13": {"muslim": 0.97, "javanese": 0.03},
    "31": {
        "javanese": 0.33,
        "muslim": 0.3,
        "sundanese": 0.15,
        "chinese": 0.08,
        "batak": 0.05,
        "christian": 0.09,
    },
    "32": {"sundanese": 0.7, "muslim": 0.14, "javanese": 0.12, "chinese": 0.02, "christian": 0.02},
    "33": {"javanese": 0.78, "muslim": 0.17, "chinese": 0.03, "christian": 0.02},
    "34": {"javanese": 0.8, "muslim": 0.14, "christian": 0.04, "chinese": 0.02},
    "35": {"javanese": 0.7, "muslim": 0.26, "chinese": 0.02, "christian": 0.02},
    "36": {"muslim": 0.45, "sundanese": 0.4, "javanese": 0.1, "chinese": 0.05},
    "51": {"balinese": 0.86, "muslim": 0.09, "javanese": 0.05},
    "52": {"muslim": 0.95, "balinese": 0.05},
    "53": {"christian": 0.86, "muslim": 0.14},
    "61": {"muslim": 0.5, "christian": 0.3, "chinese": 0.2},
    "62": {"muslim": 0.6, "christian": 0.3, "javanese": 0.1},
    "71": {"christian": 0.7, "muslim": 0.3},
    "81": {"christian": 0.5, "muslim": 0.5},
    "91": {"christian": 0.8, "muslim": 0.2},
    "92": {"christian": 0.7, "muslim": 0.3},
    "93": {"christian": 0.8, "muslim": 0.2},
    "94": {"christian": 0.85, "muslim": 0.15},
    "95": {"christian": 0.9, "muslim": 0.1},
    "96": {"christian": 0.7, "muslim": 0.3},
    "18": {"javanese": 0.6, "muslim": 0.35, "sundanese": 0.05},
}
DEFAULT_TRADITIONS = {"muslim": 0.75, "javanese": 0.2, "christian": 0.05}

RETIRED_VILLAGE_SHARE = 0.01
"""Share of households placed in a village code only the 2022 decree has."""
URBAN_WEIGHT = 3.0
"""A kelurahan (urban village, first village digit 1) holds about three times a desa's households."""


@dataclass(frozen=True)
class Geography:
    """The village lists the generator draws from, with their sampling weights and names."""

    villages: np.ndarray
    """2025 village codes (10 digits)."""
    village_p: np.ndarray
    retired_villages: np.ndarray
    """Village codes of the 2022 decree that the 2025 decree no longer has."""
    districts: np.ndarray
    """Every district code of either decree (valid NIK prefixes)."""
    district_p: np.ndarray
    """Population weights of ``districts`` (for the birthplaces of people who moved in)."""
    retired_districts: np.ndarray
    regency_names: dict[str, str]
    """Upper-case regency or city name without ``KABUPATEN``/``KOTA``, by 4-digit code (a place of birth)."""
    valid_villages: frozenset[str]


def province_effect(code: str) -> float:
    """Shift of log consumption for a province: how far its poverty rate sits from the national one (probit scale)."""
    nd = NormalDist()
    return 0.5 * (nd.inv_cdf(NATIONAL_POOR_SHARE / 100) - nd.inv_cdf(PROVINCES[code][1] / 100))


@lru_cache(maxsize=1)
def geography() -> Geography:
    table = region_table()
    level = table["tingkat"].to_numpy(dtype=object)
    code = table["kode_digits"].to_numpy(dtype=object)
    decree = table["decree"].to_numpy(dtype=object)
    is_village = level == "desa_kelurahan"
    v2025 = np.unique(code[is_village & (decree == "2025")])
    v2022 = np.unique(code[is_village & (decree == "2022")])
    retired = np.array(sorted(set(v2022) - set(v2025)), dtype=object)

    # Share a province's population among its villages, a kelurahan (first village digit 1) counting more.
    province = np.array([v[:2] for v in v2025], dtype=object)
    weight = np.where(np.array([v[6] == "1" for v in v2025]), URBAN_WEIGHT, 1.0)
    province_codes, province_index = np.unique(province, return_inverse=True)
    weight_sum = np.bincount(province_index, weights=weight)
    population = np.array([PROVINCES[c][0] for c in province_codes])
    p = population[province_index] * weight / weight_sum[province_index]

    is_district = level == "kecamatan"
    d_codes = np.unique(code[is_district])
    retired_d = np.array(sorted(set(d_codes) - set(code[is_district & (decree == "2025")])), dtype=object)
    # A district's weight: the summed weight of its 2025 villages (retired districts: small but non-zero).
    village_district = np.array([v[:6] for v in v2025], dtype=object)
    district_of_village = np.searchsorted(d_codes, village_district)
    d_weight = np.bincount(district_of_village, weights=p, minlength=len(d_codes))
    d_weight[d_weight == 0] = p.min()

    is_regency = level == "kabupaten_kota"
    # Later decrees win: 2025 names overwrite 2022 ones.
    order = np.argsort(decree[is_regency], kind="stable")
    names = table["nama"].to_numpy(dtype=object)[is_regency][order]
    regency_names = {c: _plain_regency_name(n) for c, n in zip(code[is_regency][order], names, strict=True)}
    return Geography(
        villages=v2025.astype(object),
        village_p=p / p.sum(),
        retired_villages=retired.astype(object),
        districts=d_codes.astype(object),
        district_p=d_weight / d_weight.sum(),
        retired_districts=retired_d.astype(object),
        regency_names=regency_names,
        valid_villages=frozenset(v2022) | frozenset(v2025),
    )


def _plain_regency_name(name: str) -> str:
    upper = name.upper()
    for prefix in (
        "KABUPATEN ADMINISTRASI ",
        "KOTA ADMINISTRASI ",
        "KABUPATEN ",
        "KAB. ",
        "KAB ",
        "KOTA ADM. ",
        "KOTA ",
    ):
        if upper.startswith(prefix):
            return upper[len(prefix) :]
    return upper


def draw_villages(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` village codes: population-weighted 2025 villages, a small share of retired 2022 ones."""
    geo = geography()
    out = geo.villages[rng.choice(len(geo.villages), size=n, p=geo.village_p)]
    retired = rng.random(n) < RETIRED_VILLAGE_SHARE
    out[retired] = geo.retired_villages[rng.integers(len(geo.retired_villages), size=int(retired.sum()))]
    return out


def draw_districts(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` district codes weighted by population (where people who moved in were first registered)."""
    geo = geography()
    return geo.districts[rng.choice(len(geo.districts), size=n, p=geo.district_p)]


def villages_near(rng: np.random.Generator, current: np.ndarray) -> np.ndarray:
    """A new village for each household that moves: mostly in the same district or regency, some farther."""
    n = len(current)
    out = draw_villages(rng, n)
    villages = geography().villages
    reach = rng.random(n)
    for i in range(n):
        # The 2025 list is sorted, so a district's (or regency's) villages are one contiguous slice of it.
        prefix = current[i][:6] if reach[i] < 0.55 else current[i][:4] if reach[i] < 0.85 else None
        if prefix is None:
            continue
        lo = np.searchsorted(villages, prefix, side="left")
        hi = np.searchsorted(villages, prefix + "\uffff", side="left")
        if hi > lo:
            out[i] = villages[lo + int(rng.integers(hi - lo))]
    return out


def traditions_for(rng: np.random.Generator, villages: np.ndarray) -> np.ndarray:
    """The naming tradition of each household, drawn from its province's mix."""
    out = np.empty(len(villages), dtype=object)
    provinces = pd.Series(villages).str[:2].to_numpy()
    for code in np.unique(provinces):
        idx = np.flatnonzero(provinces == code)
        mix = TRADITIONS.get(code, DEFAULT_TRADITIONS)
        names = list(mix)
        p = np.array([mix[k] for k in names])
        out[idx] = np.asarray(names, dtype=object)[rng.choice(len(names), size=idx.size, p=p / p.sum())]
    return out


def invalid_village_code(rng: np.random.Generator, like: str) -> str:
    """A 10-digit code in the shape of ``like`` that neither decree knows (its district exists, the village does not)."""
    valid = geography().valid_villages
    while True:
        candidate = f"{like[:6]}{int(rng.integers(9000, 10000)):04d}"
        if candidate not in valid:
            return candidate
