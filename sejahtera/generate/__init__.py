"""Synthetic landing zone (``sejahtera generate``): four agencies' drops of one made-up country, plus the truth.

How it is made (one module per step):

1. ``population``: families placed in Kemendagri villages (``regions``; Java heavy, about 1 % in retired 2022
   codes), members with ages, sexes, relationship codes 1-8 and Indonesian names (``names``), and a latent
   household welfare (log per-capita consumption with a province effect).
2. ``life``: four years of deaths, moves (new village and KK), new KKs after a head's death and family splits
   (pecah KK), then a few busy days of Dukcapil deltas (births, deaths, moves, splits, corrections).
3. ``identity``: NIKs (district of first registration, birth date, women +40, unique serial) and KK numbers.
4. One module per agency (``regsosek``, ``p3ke``, ``dtks``, ``dukcapil``): what it saw on its survey day
   (``views``), with recording errors (``record_noise``) and defective rows (``defects``), written in exactly
   the contract's formats (``files``). ``housing`` turns welfare into Regsosek's housing and asset variables.
5. ``truth``: the ground truth below.

``landing_zone`` runs these steps per chunk of households (``chunk_households``, default 50,000) and appends each
chunk to the files, so memory stays flat from ten thousand households to millions; each chunk is a random sample
of the whole country, and NIK/KK serials, record ids and true ids continue from chunk to chunk.

Noise is set by :class:`NoiseConfig` (``default()``, ``none()``, ``scaled(k)``, ``harsher()``), how families
change by :class:`FamilyConfig` (``default()``, ``harsher()``: moves, pecah KK, KKs re-issued after a head's
death, widowed parents joining a family). Life always happens. ``family_records`` makes the agencies' household
records as messy as real ones: only some members listed, two families under one household id, a split family's
in-law recorded with a blank NIK.

Ground truth, under ``OUT/ground_truth/`` (Parquet; not a source folder, the pipeline ignores it). Ids are
integers: ``true_person_id`` and ``true_household_id``. "Current" means on ``as_of``, after every delta (for the
dead: at death). ``row_number`` is the 1-based data row of the file as written (header excluded).

``person_records.parquet``
    ``source, drop_id, file, row_number, source_record_id, true_person_id, true_household_id``: one row per
    person record of every source, including repeated rows and rows the gate must quarantine: DTKS ``ID_ART``,
    Regsosek ``id_art``, P3KE ``id_individu_p3ke``, Dukcapil ``nik`` (every ``penduduk`` row and every ``LAHIR``
    event). ``source_record_id`` is null when the row's id is blank. ``true_household_id`` is the person's
    current household (a member who split off has the new one, even while an agency lists them in the old).
``household_records.parquet``
    ``source, drop_id, file, row_number, source_record_id, true_household_id``: one row per household record
    (DTKS ``ID_KELUARGA``, Regsosek ``id_rt``, P3KE ``id_keluarga_p3ke``); the household is the current
    household the record was made for, which keeps its identity through moves, a new KK and a split (the part
    that kept the head and the KK); where none of the listed members is in it any more (a widowed parent who
    joined a child's family), the current household most of them belong to.
``persons.parquet``
    ``true_person_id, true_household_id, nik, sex (L/P), birth_date, alive, death_date, kode_wilayah``.
``households.parquet``
    ``true_household_id, welfare (higher = better off), kode_wilayah, province, no_kk`` (current KK).
``row_defects.parquet``
    ``source, drop_id, file, row_number, source_record_id, rule``: every row the gate must quarantine and every
    rule it breaks (names of ``sejahtera/rules/row_rules.py``), including ``member_without_household`` for the
    members of a household row that is missing or itself quarantined. A row with a blank id has only
    ``missing_record_id`` (a blank id is missing, not repeated). Dukcapil's defective events are extra rows
    (unknown NIK, or a real event re-sent with one field broken), so quarantining them loses no real event.
``record_noise.parquet``
    ``source, drop_id, file, row_number, source_record_id, noise``: what is wrong in a record that loads (DTKS,
    Regsosek, P3KE): ``nik_typo, nik_transposed, nik_blank, nik_placeholder, nik_shared, name_variant,
    name_format, title, dob_swapped, dob_year_off, kk_typo, kk_blank, region_format`` (injected), and
    ``dead_listed, moved, kk_reissued, split`` (the agency's record is older than the life that followed).
    Dukcapil's full rows that a later ``UBAH_DATA`` corrects: ``corrected_later_name``,
    ``corrected_later_birth``, ``birthplace_missing``.
"""

from sejahtera.generate.config import FamilyConfig, NoiseConfig
from sejahtera.generate.landing_zone import generate_landing_zone

__all__ = ["FamilyConfig", "NoiseConfig", "generate_landing_zone"]
