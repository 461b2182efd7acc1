"""The Splink person-linkage model, declared in one place: what is compared, at which levels, and how pairs are found.

Read this file to review the model; the plumbing is in :mod:`assets.reconcile.linkage`. The trained parameters
(m and u per level, the prior) are an artefact stored in ``ops.linkage_model``, not code.

Each record is one row of ``LINKAGE_INPUT_SQL`` below (person records of every source, Dukcapil as the spine).
Why the comparisons look like this (``docs/linkage.md``, measured record-linkage facts copied into the repository):

* The whole name is compared, never first/last name: most Indonesians have no family name. Titles are already
  gone and spelling variants folded into ``nama_key`` (:mod:`assets.reconcile.names`). "One name's tokens are a
  subset of the other's" is its own level, weaker than a fuzzy whole-name match (``SITI`` vs ``SITI AMINAH``
  must not count as equal). Exact agreement is term-frequency adjusted (``SITI`` is common, ``WIRJOSUDARMO`` not).
* Birth date and sex carry most of the weight that separates family members, who share KK and address.
  Day/month swaps, a year off and one-digit typos are their own levels so that the data's usual errors are
  not counted as disagreement.
* NIK typos (one digit off, two adjacent digits swapped) and a second differing digit are levels of their own;
  a placeholder NIK is NULL before it gets here.
* Family and place are one comparison: relatives share both, and two agreements that always come together
  must not count twice. "Same family" also follows a family the agency still lists under its old KK: the
  record's household-mates, linked by their NIKs, are in the other record's current Dukcapil family.
* Blocking: several rules, never on a first name alone, never a Dukcapil-Dukcapil pair (one NIK, one person).
* One declaration for every Splink backend (DuckDB, Spark: :mod:`assets.reconcile.spark_linkage`): levels are
  Splink's own (which Splink writes in each backend's SQL) or plain SQL both dialects read alike; what would need
  a DuckDB-only function is precomputed as an input column in ``LINKAGE_INPUT_SQL`` (the birth date with day and
  month swapped, a name's distinct tokens), so a level is an equality or arithmetic.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import And, CustomRule

from assets.reconcile.standardise import LINKAGE_NUMBER_DIGITS
from sejahtera.sources import SPINE
from sejahtera.sql_text import literal

NOT_BOTH_SPINE = CustomRule("NOT (l.is_spine AND r.is_spine)")
"""Two Dukcapil records are two people by definition: never compare them."""


def _differing_digits(column: str, digits: int) -> str:
    """How many of the first ``digits`` positions of two equally long strings differ (their Hamming distance).

    Written in plain SQL (``substr`` and ``CASE``) because Spark has no ``hamming`` function: the one expression
    then means the same on every Splink backend. A linkage NIK has at most ``digits`` digits.
    """
    positions = " + ".join(
        f"CASE WHEN substr({column}_l, {i}, 1) <> substr({column}_r, {i}, 1) THEN 1 ELSE 0 END"
        for i in range(1, digits + 1)
    )
    return f"({positions})"


NIK = cl.CustomComparison(
    output_column_name="nik",
    comparison_description="NIK, placeholders removed",
    comparison_levels=[
        cll.NullLevel("nik"),
        cll.ExactMatchLevel("nik").configure(label_for_charts="same NIK"),
        cll.DamerauLevenshteinLevel("nik", 1).configure(
            label_for_charts="one digit off or two adjacent digits swapped"
        ),
        cll.CustomLevel(
            f"length(nik_l) = length(nik_r) AND {_differing_digits('nik', LINKAGE_NUMBER_DIGITS[1])} <= 2",
            label_for_charts="two digits differ",
        ),
        cll.ElseLevel(),
    ],
)

NAMA = cl.CustomComparison(
    output_column_name="nama",
    comparison_description="Whole name: titles removed, spelling variants folded",
    comparison_levels=[
        cll.NullLevel("nama_key"),
        cll.ExactMatchLevel("nama_key", term_frequency_adjustments=True).configure(
            label_for_charts="same name (variants folded)"
        ),
        cll.CustomLevel(
            "nama_compact_l = nama_compact_r OR nama_sorted_l = nama_sorted_r",
            label_for_charts="same letters, spacing or token order differs",
        ),
        cll.DamerauLevenshteinLevel("nama_compact", 1).configure(label_for_charts="one typo"),
        cll.ArraySubsetLevel("name_tokens").configure(
            label_for_charts="one name's tokens are a subset of the other's"
        ),
        cll.JaroWinklerLevel("nama_key", 0.9).configure(label_for_charts="similar (Jaro-Winkler >= 0.9)"),
        cll.ExactMatchLevel("nama_skeleton").configure(label_for_charts="same consonant skeleton"),
        cll.ArrayIntersectLevel("name_tokens", 1).configure(label_for_charts="share a name token"),
        cll.ElseLevel(),
    ],
)

TANGGAL_LAHIR = cl.CustomComparison(
    output_column_name="tanggal_lahir",
    comparison_description="Birth date, with the usual entry errors as their own levels",
    comparison_levels=[
        cll.NullLevel("tanggal_lahir"),
        cll.ExactMatchLevel("tanggal_lahir").configure(label_for_charts="same date"),
        cll.CustomLevel("dob_swapped_l = dob_text_r", label_for_charts="day and month swapped"),
        cll.CustomLevel(
            "birth_day_l = birth_day_r AND abs(birth_year_l - birth_year_r) = 1",
            label_for_charts="one year off",
        ),
        cll.DamerauLevenshteinLevel("dob_text", 1).configure(label_for_charts="one digit off"),
        cll.CustomLevel("birth_year_l = birth_year_r", label_for_charts="same year"),
        cll.ElseLevel(),
    ],
)

JENIS_KELAMIN = cl.ExactMatch("jenis_kelamin")

SAME_FAMILY = "(no_kk_l = no_kk_r OR family_kk_l = family_kk_r)"

KELUARGA_WILAYAH = cl.CustomComparison(
    output_column_name="keluarga_wilayah",
    comparison_description="Family and place, as one comparison: family members share both, so counting them "
    "as two independent agreements would double the evidence that merges relatives. Same family: the same KK "
    "number, or the record's household-mates are (by their NIKs) in the other record's current Dukcapil family, "
    "which follows a family that moved or got a new KK while the agency still shows the old one.",
    comparison_levels=[
        cll.CustomLevel(
            "(no_kk_l IS NULL OR no_kk_r IS NULL) AND (family_kk_l IS NULL OR family_kk_r IS NULL) "
            "AND (kode_wilayah_l IS NULL OR kode_wilayah_r IS NULL)"
        ).configure(is_null_level=True),
        cll.CustomLevel(
            f"{SAME_FAMILY} AND kode_wilayah_l = kode_wilayah_r", label_for_charts="same family, same village"
        ),
        cll.CustomLevel(SAME_FAMILY, label_for_charts="same family, another village"),
        cll.CustomLevel(
            "kode_wilayah_l = kode_wilayah_r AND (no_kk_l IS NULL OR no_kk_r IS NULL)",
            label_for_charts="same village, KK unknown",
        ),
        cll.ExactMatchLevel("kode_wilayah").configure(label_for_charts="same village, another KK"),
        cll.ExactMatchLevel("district").configure(label_for_charts="same district"),
        cll.ExactMatchLevel("regency").configure(label_for_charts="same regency"),
        cll.ElseLevel(),
    ],
)

COMPARISONS = [NIK, NAMA, TANGGAL_LAHIR, JENIS_KELAMIN, KELUARGA_WILAYAH]


def term_frequency_columns(model_settings: dict) -> list[str]:
    """The input columns whose agreement is term-frequency adjusted (``nama_key``), in declaration order.

    Their frequency tables are computed once, from the training records, and stored with the model
    (:mod:`assets.reconcile.model_store`): a pair's score is then a function of the pair and the model alone,
    not of every other record of the night, so a score computed on an earlier night is still the score.
    """
    columns: list[str] = []
    for comparison in model_settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            column = level.get("tf_adjustment_column")
            if column and column not in columns:
                columns.append(column)
    return columns


def _rule(*columns: str) -> Any:
    return And(block_on(*columns), NOT_BOTH_SPINE)


BLOCKING_KEYS: list[tuple[str, ...]] = [
    ("nik_head",),  # NIK digits 1-12: a typo in the serial
    ("nik_tail",),  # NIK digits 7-16: a typo in the region prefix
    ("tanggal_lahir", "district"),  # name spelled differently, NIK missing
    ("nama_phonetic", "birth_year", "regency"),  # birth date mistyped, NIK missing
    ("nama_key", "kode_wilayah"),  # birth date and NIK both unusable
    ("nama_key", "tanggal_lahir"),  # moved away, NIK missing
    ("no_kk", "jenis_kelamin"),  # name and birth date both mistyped, same family card
    ("nama_skeleton", "family_kk"),  # one family, NIK unusable, name spelled differently, birth date off
    ("nama_skeleton", "birth_day", "regency"),  # moved nearby, NIK unusable, name spelled, birth year off
]
"""The columns of each blocking rule: two records are a candidate pair when they agree (non-NULL) on every column
of some rule. Kept as data so that an incremental run can find the records a changed record blocks with
(:mod:`assets.reconcile.pair_cache`) by the very keys Splink blocks on."""

BLOCKING_RULES = [_rule(*columns) for columns in BLOCKING_KEYS]
"""Candidate pairs: a pair is scored when any rule puts both records in one block."""

TRAINING_BLOCKS = [
    block_on("nik"),  # estimates everything but the NIK
    block_on("tanggal_lahir", "district"),  # estimates the NIK, the name, sex
    block_on("nama_key", "kode_wilayah"),  # estimates the birth date (and the NIK, sex again)
]
"""Expectation-maximisation sessions: each estimates the m values of the comparisons it does not block on."""

SURE_MATCHES_SQL = """
SELECT count(*)
FROM linkage_input AS l
JOIN linkage_input AS r ON l.nik = r.nik AND l.unique_id < r.unique_id
WHERE identity_consistent(
    l.nama, r.nama, l.nama_key, r.nama_key, l.nama_skeleton, r.nama_skeleton, l.tanggal_lahir, r.tanggal_lahir
)
"""
"""Near-certain matches (the same NIK with a consistent identity), counted to estimate the prior: the share of
all record pairs that match is about their number divided by the recall assumed for them (config/linkage.yaml)."""


def settings(prior: float | None = None) -> SettingsCreator:
    """The untrained model: a dedupe over one table of every source's records (Dukcapil as ``is_spine``).

    ``prior`` is the probability that two records picked at random are one person (estimated in training).
    """
    optional = {} if prior is None else {"probability_two_random_records_match": prior}
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=COMPARISONS,
        blocking_rules_to_generate_predictions=BLOCKING_RULES,
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["source_dataset"],
        **optional,
    )


def declared_settings() -> dict:
    """The untrained declaration as Splink's settings dictionary (names and levels, no parameters)."""
    return settings().get_settings("duckdb").as_dict()


TRAINED_LEVEL_KEYS = ("m_probability", "u_probability")
"""What training sets on a level; everything else of a trained model comes from this declaration."""


def trained_settings_for(model_settings: dict, dialect: str) -> dict:
    """A trained model (as stored: Splink's settings rendered for DuckDB) rendered for another Splink backend.

    The declaration is rendered in ``dialect`` (Splink writes its own levels in that backend's SQL) and the trained
    prior and m/u of each level are copied over; the model must have been trained for this declaration.
    """
    rendered = (
        settings(model_settings["probability_two_random_records_match"]).get_settings(dialect).as_dict()
    )
    trained_comparisons = model_settings["comparisons"]
    if [c["output_column_name"] for c in trained_comparisons] != [
        c["output_column_name"] for c in rendered["comparisons"]
    ]:
        raise ValueError("the model was trained for other comparisons than linkage_settings declares")
    for declared, trained in zip(rendered["comparisons"], trained_comparisons, strict=True):
        declared_levels, trained_levels = declared["comparison_levels"], trained["comparison_levels"]
        if [lv.get("label_for_charts") for lv in declared_levels] != [
            lv.get("label_for_charts") for lv in trained_levels
        ]:
            raise ValueError(f"the model was trained for other {declared['output_column_name']} levels")
        for level, trained_level in zip(declared_levels, trained_levels, strict=True):
            level.update({k: trained_level[k] for k in TRAINED_LEVEL_KEYS if k in trained_level})
    return rendered


MODEL_FORMAT = "term frequencies frozen with the model"
"""What a stored model carries besides Splink's settings. Part of the fingerprint: a model stored before its
term-frequency table was (whose scores would depend on the data of the night) is not reused; the next run trains."""


def settings_fingerprint() -> str:
    """A short hash of the declaration: a stored model trained for another declaration is not reused."""
    as_dict = declared_settings()
    for key in ("linker_uid", "probability_two_random_records_match"):
        as_dict.pop(key, None)
    as_dict["sejahtera_model_format"] = MODEL_FORMAT
    text = json.dumps(as_dict, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


LINKAGE_INPUT_SQL = f"""
WITH household_family AS (
    -- The current Dukcapil family (KK) most of an agency household's NIK-linked members are in.
    SELECT a.source, a.source_household_id, d.no_kk AS family_kk
    FROM work.nik_padan_link AS k
    JOIN work.person_record AS a ON a.rid = k.rid
    JOIN work.person_record AS d ON d.rid = k.spine_rid
    WHERE d.no_kk IS NOT NULL AND a.source_household_id IS NOT NULL
    GROUP BY a.source, a.source_household_id, d.no_kk
    QUALIFY row_number() OVER (PARTITION BY a.source, a.source_household_id ORDER BY count(*) DESC, d.no_kk) = 1
)
SELECT
    rid AS unique_id,
    source AS source_dataset,
    source = {literal(SPINE.name)} AS is_spine,
    nik,
    left(nik, 12) AS nik_head,
    substr(nik, 7) AS nik_tail,
    nama,
    nama_key,
    replace(nama_key, ' ', '') AS nama_compact,
    array_to_string(list_sort(string_split(nama_key, ' ')), ' ') AS nama_sorted,
    list_sort(list_distinct(string_split(nama_key, ' '))) AS name_tokens,
    nama_phonetic,
    nama_skeleton,
    tanggal_lahir,
    year(tanggal_lahir) AS birth_year,
    strftime(tanggal_lahir, '%m%d') AS birth_day,
    strftime(tanggal_lahir, '%Y%m%d') AS dob_text,
    strftime(tanggal_lahir, '%Y%d%m') AS dob_swapped,
    jenis_kelamin,
    kode_wilayah,
    left(kode_wilayah, 6) AS district,
    left(kode_wilayah, 4) AS regency,
    no_kk,
    CASE WHEN source = {literal(SPINE.name)} THEN no_kk ELSE f.family_kk END AS family_kk
FROM work.person_record
LEFT JOIN household_family AS f USING (source, source_household_id)
ORDER BY rid
"""
"""One row per person record, in the columns the comparisons and blocking rules above name (needs
``work.nik_padan_link``: the household context comes from the deterministic links)."""
