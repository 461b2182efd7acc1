"""Regsosek housing and asset answers of an ordinary household (the columns the welfare score reads).

Tests start from :data:`MIDDLE_SURVEY` and change a few answers to make a household poorer or richer; each
builder keeps its own poor and rich variants, because the welfare rankings its tests assert were computed from
those exact answers.
"""

from __future__ import annotations

MIDDLE_SURVEY = {
    "luas_lantai_m2": 48.0,
    "jenis_lantai": 5,
    "jenis_dinding": 3,
    "jenis_atap": 4,
    "sumber_air_minum": 5,
    "fasilitas_bab": 2,
    "sumber_penerangan": 2,
    "bahan_bakar_memasak": 3,
    "status_kepemilikan_rumah": 1,
    "daya_listrik_va": 900,
    "aset_motor": True,
    "aset_mobil": False,
    "aset_kulkas": False,
    "aset_ac": False,
    "aset_tv": True,
    "aset_emas": False,
    "aset_lahan_m2": 0.0,
}
