"""When two records describe one identity: "name alike" and "birth date consistent", defined once.

The contract (section 3) calls a person *padan* when Dukcapil holds their NIK "with a consistent identity —
normalised name alike; birth date equal, or day and month swapped, or one year off". The same two tests decide a
deterministic NIK link and guard the probabilistic ones, so they live here, as DuckDB macros installed on any
connection that needs them (the warehouse and Splink's scratch database), and nowhere else.

Name alike works on comparison keys and consonant skeletons (:mod:`assets.reconcile.names`: titles gone,
spelling variants folded). Two names are alike when one of these holds, none tuned to a particular data set:

* equal, or equal once spaces are removed (``NUR HAYATI`` / ``NURHAYATI``);
* one's tokens are all among the other's (``SITI`` / ``SITI AMINAH``; also catches reordered tokens);
* every token of one is within one edit of a token of the other (``AMINAH`` / ``AMINA``), tokens of four letters
  or more only (short tokens must be equal: ``ANI``/``ANA`` are different names), or is an initial of one
  (``S. AMINAH`` / ``SITI AMINAH``, ``BUDI S`` / ``BUDI SANTOSO``), as long as one token is more than an initial;
* the whole names, spaces removed, are one edit apart, or one edit per five letters of the shorter one
  (typos: a letter dropped, doubled or mistyped);
* the two edit rules above hold for the names as written (standardised, not folded): folding can widen a typo
  (``FTJAR`` folds to ``FCAR``, three edits from ``FAJAR``; ``NJANG`` to ``NYANG``, two from ``UJANG``);
* they have the same consonant skeleton (dropped vowels, regional spellings: ``DDANG``/``DADANG``,
  ``AJU``/``AYU``, ``TOPIK``/``TAUFIK``).

The subset and skeleton rules are generous on purpose: "alike" is only ever used together with an agreeing
NIK or birth date, and a probabilistic link must also convince the model.

The record of an NIK's holder (``nik_holder_record``) is a little wider than a consistent identity: Dukcapil
corrects birth dates (UBAH_DATA) while the agencies keep listing the old one, so a record with the holder's NIK,
the very same name (variants folded) and sex, and a birth date one digit off or in the same month, is the
holder's too. It links the record to its person; whether the person is *padan* is the person's NIK status.
"""

from __future__ import annotations

import duckdb

FUZZY_TOKEN_MIN_LENGTH = 4
LETTERS_PER_EDIT = 5

_MACROS = f"""
CREATE OR REPLACE TEMP MACRO name_tokens(k) AS string_split(k, ' ');

CREATE OR REPLACE TEMP MACRO name_tokens_fuzzy_subset(a, b) AS
  list_bool_or(list_transform(name_tokens(a), lambda x: length(x) > 1))
  AND list_bool_and(list_transform(name_tokens(a), lambda x:
    list_bool_or(list_transform(name_tokens(b), lambda y:
      x = y
      OR (length(x) = 1 AND left(y, 1) = x)
      OR (length(x) >= {FUZZY_TOKEN_MIN_LENGTH} AND length(y) >= {FUZZY_TOKEN_MIN_LENGTH}
          AND levenshtein(x, y) <= 1)))));

CREATE OR REPLACE TEMP MACRO names_within_edits(a, b) AS
  name_tokens_fuzzy_subset(a, b)
  OR name_tokens_fuzzy_subset(b, a)
  OR levenshtein(replace(a, ' ', ''), replace(b, ' ', ''))
       <= greatest(1, least(length(replace(a, ' ', '')), length(replace(b, ' ', ''))) // {LETTERS_PER_EDIT});

CREATE OR REPLACE TEMP MACRO name_alike(nama_a, nama_b, a, b, skeleton_a, skeleton_b) AS coalesce(
  a = b
  OR skeleton_a = skeleton_b
  OR replace(a, ' ', '') = replace(b, ' ', '')
  OR list_has_all(name_tokens(a), name_tokens(b))
  OR list_has_all(name_tokens(b), name_tokens(a))
  OR names_within_edits(a, b)
  OR (a IS NOT NULL AND b IS NOT NULL AND names_within_edits(nama_a, nama_b)),
  false);

CREATE OR REPLACE TEMP MACRO birth_dates_swapped(a, b) AS
  year(a) = year(b) AND month(a) = day(b) AND day(a) = month(b);

CREATE OR REPLACE TEMP MACRO birth_dates_year_apart(a, b) AS
  month(a) = month(b) AND day(a) = day(b) AND abs(year(a) - year(b)) = 1;

CREATE OR REPLACE TEMP MACRO birth_date_consistent(a, b) AS coalesce(
  a = b OR birth_dates_swapped(a, b) OR birth_dates_year_apart(a, b), false);

CREATE OR REPLACE TEMP MACRO identity_consistent(
  nama_a, nama_b, key_a, key_b, skeleton_a, skeleton_b, date_a, date_b
) AS
  name_alike(nama_a, nama_b, key_a, key_b, skeleton_a, skeleton_b) AND birth_date_consistent(date_a, date_b);

CREATE OR REPLACE TEMP MACRO birth_date_corrected(a, b) AS coalesce(
  damerau_levenshtein(strftime(a, '%Y%m%d'), strftime(b, '%Y%m%d')) <= 1
  OR (year(a) = year(b) AND month(a) = month(b)), false);

CREATE OR REPLACE TEMP MACRO nik_holder_record(
  nama_a, nama_b, key_a, key_b, skeleton_a, skeleton_b, date_a, date_b, sex_a, sex_b
) AS
  identity_consistent(nama_a, nama_b, key_a, key_b, skeleton_a, skeleton_b, date_a, date_b)
  OR coalesce(key_a = key_b AND sex_a = sex_b AND birth_date_corrected(date_a, date_b), false);
"""


def install_identity_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the session macros ``name_alike``, ``birth_date_consistent``, ``identity_consistent`` and
    ``nik_holder_record``."""
    con.execute(_MACROS)
