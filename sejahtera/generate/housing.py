"""Regsosek's housing, utility and asset variables, driven by the household's latent welfare.

A proxy-means test works because housing follows consumption, imperfectly. Here every variable follows one
"housing standard" factor that correlates about 0.9 with welfare, each with its own noise, so that a reasonable
PMT recovers welfare with a Spearman correlation around 0.8-0.9, never perfectly. Coded variables are cut from
their latent by quantiles so that the codebook's marginal shares look like Indonesia's; the better-off get the
lower codes, as in the codebook of contract section 4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Shares of each code, in codebook order (code 1 first): roughly the national distribution.
CODE_SHARES: dict[str, tuple[float, ...]] = {
    "jenis_lantai": (0.03, 0.48, 0.02, 0.10, 0.10, 0.18, 0.03, 0.05, 0.01),
    "jenis_dinding": (0.70, 0.03, 0.15, 0.06, 0.02, 0.03, 0.01),
    "jenis_atap": (0.03, 0.40, 0.10, 0.35, 0.03, 0.02, 0.06, 0.01),
    "sumber_air_minum": (0.07, 0.30, 0.10, 0.18, 0.14, 0.05, 0.06, 0.03, 0.04, 0.02, 0.01),
    "fasilitas_bab": (0.80, 0.08, 0.05, 0.07),
    "bahan_bakar_memasak": (0.01, 0.08, 0.72, 0.01, 0.03, 0.01, 0.13, 0.01),
}
FACTOR_CORRELATION = 0.9
"""Correlation of the housing standard with welfare."""
VARIABLE_NOISE = 0.8
"""Standard deviation of each variable's own noise around the housing standard (which has unit variance)."""
POWER_LEVELS = np.array([0, 450, 900, 1300, 2200, 3500, 4400, 5500])
POWER_SHARES = np.array([0.03, 0.22, 0.35, 0.22, 0.11, 0.04, 0.02, 0.01])


def _by_quantile(latent: np.ndarray, shares: tuple[float, ...] | np.ndarray) -> np.ndarray:
    """Code 1 for the highest latent values, then 2 ... in the given shares."""
    order = np.argsort(-latent, kind="stable")
    cuts = np.round(np.cumsum(shares)[:-1] * len(latent)).astype(int)
    codes = np.empty(len(latent), dtype=np.int32)
    codes[order] = np.searchsorted(cuts, np.arange(len(latent)), side="right") + 1
    return codes


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def housing_variables(
    rng: np.random.Generator, welfare: np.ndarray, size: np.ndarray, urban: np.ndarray
) -> pd.DataFrame:
    """One row per household, columns named as Regsosek's ``rumah_tangga`` (contract section 2)."""
    n = len(welfare)
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype=np.int32) for c in CODE_SHARES})
    z = (welfare - welfare.mean()) / (welfare.std() or 1.0)
    standard = FACTOR_CORRELATION * z + np.sqrt(1 - FACTOR_CORRELATION**2) * rng.normal(0, 1, n)

    def latent(shift: np.ndarray | float = 0.0) -> np.ndarray:
        return standard + shift + rng.normal(0, VARIABLE_NOISE, n)

    out = pd.DataFrame(index=np.arange(n))
    for column, shares in CODE_SHARES.items():
        # Towns have piped water and tiled floors more often than villages at the same welfare.
        out[column] = _by_quantile(latent(0.3 * urban), shares)
    power = _by_quantile(latent(0.4 * urban), POWER_SHARES[::-1])
    out["daya_listrik_va"] = POWER_LEVELS[len(POWER_LEVELS) - power].astype(np.int32)
    # Lighting follows the connection: metered PLN when connected (a few without meter), else non-PLN or none.
    connected = out["daya_listrik_va"].to_numpy() > 0
    out["sumber_penerangan"] = np.where(
        connected, np.where(rng.random(n) < 0.95, 1, 2), np.where(rng.random(n) < 0.6, 3, 4)
    ).astype(np.int32)
    own = rng.random(n)
    rent_share = np.where(urban, 0.18, 0.05)
    out["status_kepemilikan_rumah"] = np.select(
        [own < 0.80 - rent_share, own < 0.80, own < 0.95, own < 0.97], [1, 2, 3, 4], default=5
    ).astype(np.int32)
    area = np.exp(
        3.7 + 0.3 * latent() / 1.3 + 0.25 * np.log(np.maximum(size, 1)) - 0.15 * urban + rng.normal(0, 0.2, n)
    )
    out["luas_lantai_m2"] = np.round(np.clip(area, 9, 600), 1)
    for asset, (a, b) in {
        "aset_motor": (1.0, 1.1),
        "aset_mobil": (-2.6, 1.4),
        "aset_kulkas": (0.2, 1.4),
        "aset_ac": (-2.9, 1.6),
        "aset_tv": (1.8, 1.1),
        "aset_emas": (-1.3, 0.9),
    }.items():
        out[asset] = rng.random(n) < _sigmoid(a + b * latent() / 1.3)
    has_land = rng.random(n) < _sigmoid(-0.2 + 0.5 * latent() / 1.3 + 0.9 * ~urban)
    land = np.exp(6.5 + 0.6 * latent() / 1.3 + rng.normal(0, 0.8, n))
    out["aset_lahan_m2"] = np.where(has_land, np.round(np.clip(land, 20, 200_000), 0), 0.0)
    return out
