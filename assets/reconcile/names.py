"""Indonesian personal names, made comparable: the standard name, its titles, a comparison key, sound keys.

Agencies write the same person as ``Hj. Siti Aminah, S.Pd``, ``SITTI AMINAH`` or ``siti  aminah``. Linkage needs
these views of a name, computed once per distinct raw name before anything is loaded into DuckDB (DuckDB has no
phonetic functions, and the rules read better as Python than as nested ``regexp_replace``):

``nama``
    Upper case, letters and single spaces only, titles removed. What the registry shows.
``gelar``
    The titles that were split off (``HJ S.PD``), so no information is thrown away.
``key``
    ``nama`` with spelling variants folded, for comparison only: old spellings (``OE``->``U``, ``DJ``->``J``,
    ``TJ``->``C``, ``SJ``->``SY``, ``NJ``->``NY``, ``CH``->``KH``), then sound-alike spellings that Indonesian
    registers mix freely (``KH``/``H``, ``DH``/``D``, ``TH``/``T``, ``PH``/``F``, ``Q``/``K``, ``DZ``/``Z``,
    ``SY``/``S``, a final ``Y`` after a consonant / ``I``), doubled consonants collapsed (``SITTI``, ``MUHAMMAD``),
    and abbreviations of very common names expanded (``MOH``, ``MOCH``, ``M`` -> ``MUHAMAD``; ``ABD`` -> ``ABDUL``;
    a leading ``ST`` -> ``SITI``).
    The rules are general spelling facts, not a list of one data set's variants.
``phonetic``
    Metaphone (jellyfish) of the key with the spaces removed (``NUR HAYATI`` and ``NURHAYATI`` agree): a
    blocking key.
``skeleton``
    The key's consonant skeleton: its first letter, then its consonants other than ``H`` with ``J``/``Y``,
    ``F``/``V``/``P`` and ``Z``/``S`` folded together, ``C`` read as ``TY`` (the old ``TJ`` is ``C`` in ``TJAHJO``
    / ``CAHYO`` but ``T`` + ``Y`` in ``PRASETJO`` / ``PRASETYO``, and the key cannot know which), doubles
    collapsed, spaces removed. Clerks drop and swap
    vowels and silent letters, and write regional pronunciations (``DDANG``/``DADANG``, ``IWN``/``IWAN``,
    ``AJU``/``AYU``, ``TOPIK``/``TAUFIK``, ``NAYLA``/``NAYLAH``): all keep their skeleton. It is lenient by
    design, and only ever used together with an agreeing NIK or birth date (:mod:`assets.reconcile.identity`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jellyfish

# Titles written before a name (compared without dots): religious, academic and professional.
PREFIX_TITLES = frozenset(
    {
        "H",
        "HJ",
        "HJH",
        "HAJI",
        "HAJJAH",
        "HAJAH",
        "KH",
        "DR",
        "DRS",
        "DRA",
        "DRG",
        "DRH",
        "IR",
        "PROF",
        "NS",
        "USTADZ",
        "USTADZAH",
        "USTAZ",
        "USTAZAH",
    }
)

# Degrees written after a name (compared without dots and spaces: ``S.Pd``, ``S. Pd``, ``SPD``).
SUFFIX_TITLES = frozenset(
    {
        # Sarjana (bachelor)
        "SPD",
        "SPDI",
        "SAG",
        "SE",
        "SH",
        "SHI",
        "SKOM",
        "SKM",
        "SKEP",
        "SKED",
        "SSOS",
        "SIP",
        "SIKOM",
        "SP",
        "SPT",
        "SS",
        "SSI",
        "ST",
        "STP",
        "SFARM",
        "SPSI",
        "SHUT",
        "SGZ",
        "STR",
        "SST",
        "SSY",
        "STHI",
        "SKG",
        "SKH",
        "SAK",
        "SDS",
        "SSN",
        "SIKEP",
        # Magister (master)
        "MPD",
        "MPDI",
        "MAG",
        "MSI",
        "MM",
        "MH",
        "MKES",
        "MKOM",
        "MT",
        "MHUM",
        "MSC",
        "MBA",
        "MAP",
        "MEI",
        # Ahli madya / ahli muda (diploma)
        "AMD",
        "AMDKEP",
        "AMDKEB",
        "AMDFARM",
        "AMDKES",
        "AMA",
        "AMAPD",
        "AMK",
        "AMKEP",
        "AMKEB",
        "AMG",
        "AMF",
        "BSC",
        "BA",
        # professional
        "APT",
        "SPOG",
        "SPA",
        "SPPD",
        # almarhum / almarhumah: written after the name of someone deceased, not part of it
        "ALM",
        "ALMH",
        "ALMARHUM",
        "ALMARHUMAH",
    }
)
_LONGEST_SUFFIX_PARTS = 3  # ``A. Md. Kep`` is written as up to three space-separated parts

# Spelling folds for the comparison key, applied in this order (each a plain substring replacement).
OLD_SPELLINGS = (("OE", "U"), ("DJ", "J"), ("TJ", "C"), ("SJ", "SY"), ("NJ", "NY"), ("CH", "KH"))
SOUND_ALIKE = (("KH", "H"), ("DH", "D"), ("TH", "T"), ("PH", "F"), ("DZ", "Z"), ("Q", "K"), ("SY", "S"))
ABBREVIATIONS = {
    "MOH": "MUHAMAD",
    "MUH": "MUHAMAD",
    "MHD": "MUHAMAD",
    "MOHD": "MUHAMAD",
    "MUHD": "MUHAMAD",
    "MD": "MUHAMAD",
    "ABD": "ABDUL",
    "NOR": "NUR",
}
# Abbreviations that stand for a name only as the first of several tokens (``ST`` after a name is a degree).
LEADING_ABBREVIATIONS = {"M": "MUHAMAD", "ST": "SITI"}
# Every spelling of Muhammad once old spellings, sound-alikes and doubled letters are folded.
_MUHAMMAD = re.compile(r"^M[UO]HA?M[AE][DT]$")
_VOWELS = frozenset("AEIOU")
_MAX_FOLDS = 8
_SKELETON_FOLDS = str.maketrans({"J": "Y", "F": "P", "V": "P", "Z": "S", "C": "TY"})
_SILENT = frozenset("AEIOUH")


@dataclass(frozen=True)
class StandardName:
    nama: str | None
    gelar: str | None
    key: str | None
    phonetic: str | None
    skeleton: str | None = None


_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bc]")
_NOT_NAME_CHARS = re.compile(r"[^A-Z.,\s]")
_TOKEN = re.compile(r"[A-Z]+\.?")
"""A name token with the dot that may close it: ``H.MUHAMMAD`` is ``H.`` and ``MUHAMMAD``."""


def standardise_name(raw: str | None) -> StandardName:
    """The four views of one delivered name (None for a missing or letterless name)."""
    if raw is None:
        return StandardName(None, None, None, None, None)
    return _standardise(raw)


@lru_cache(maxsize=200_000)
def _standardise(raw: str) -> StandardName:
    text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii").upper()
    text = _APOSTROPHES.sub("", text)
    text = _NOT_NAME_CHARS.sub(" ", text)
    head, *tail = text.split(",")
    tokens = _TOKEN.findall(head)
    titles: list[str] = []

    # Degrees after a comma: "NAME, S.PD., M.PD" (a part that is not a degree stays part of the name).
    for part in tail:
        part_tokens = _TOKEN.findall(part)
        if part_tokens and _dotless("".join(part_tokens)) in SUFFIX_TITLES:
            titles.append(_title_text(part_tokens))
        else:
            tokens.extend(part_tokens)

    # Titles before the name, keeping at least one name token.
    leading: list[str] = []
    while len(tokens) > 1 and _dotless(tokens[0]) in PREFIX_TITLES:
        leading.append(_title_text([tokens.pop(0)]))

    # Degrees after the name without a comma: "NAME S.PD", "NAME S. PD", "NAME SPD".
    trailing: list[str] = []
    while len(tokens) > 1:
        for width in range(min(_LONGEST_SUFFIX_PARTS, len(tokens) - 1), 0, -1):
            if _dotless("".join(tokens[-width:])) in SUFFIX_TITLES:
                trailing.insert(0, _title_text(tokens[-width:]))
                del tokens[-width:]
                break
        else:
            break

    words = [t.rstrip(".") for t in tokens]
    if not words:
        return StandardName(None, None, None, None, None)
    nama = " ".join(words)
    gelar = " ".join(leading + titles + trailing) or None
    key = comparison_key(nama)
    compact = key.replace(" ", "")
    return StandardName(nama, gelar, key, jellyfish.metaphone(compact) or None, consonant_skeleton(compact))


def comparison_key(nama: str) -> str:
    """The variant-folded form of a standardised name (see the module docstring)."""
    folded = [_fold_token(t) for t in nama.split()]
    if len(folded) > 1 and folded[0] in LEADING_ABBREVIATIONS:  # "M. RIZKI", "ST. AMINAH"
        folded[0] = LEADING_ABBREVIATIONS[folded[0]]
    return " ".join(folded)


def consonant_skeleton(compact_key: str) -> str:
    """First letter and consonants (see the module docstring) of a key written without spaces."""
    folded = compact_key.translate(_SKELETON_FOLDS)
    letters = [folded[0]] + [c for c in folded[1:] if c not in _SILENT]
    return _collapse_doubles("".join(letters))


def _fold_token(token: str) -> str:
    """Fold until nothing changes (``QH`` -> ``KH`` -> ``H``), so that a key folded again stays the same."""
    for _ in range(_MAX_FOLDS):
        folded = _fold_once(token)
        if folded == token:
            break
        token = folded
    return token


def _fold_once(token: str) -> str:
    for old, new in OLD_SPELLINGS:
        token = token.replace(old, new)
    for old, new in SOUND_ALIKE:
        token = token.replace(old, new)
    if len(token) > 2 and token.endswith("Y") and token[-2] not in _VOWELS:
        token = token[:-1] + "I"
    token = _collapse_doubles(token, keep=_VOWELS)
    token = ABBREVIATIONS.get(token, token)
    return "MUHAMAD" if _MUHAMMAD.match(token) else token


def _collapse_doubles(token: str, keep: frozenset[str] = frozenset()) -> str:
    """``SITTI`` -> ``SITI``; letters in ``keep`` stay doubled.

    The key keeps doubled vowels: they are rare as a spelling variant (``SAADAH``, whose skeleton matches
    ``SADAH`` anyway), but a consonant dropped between two equal vowels is a common slip (``WIBOO`` for
    ``WIBOWO``, ``FAAH`` for ``FARAH``), and collapsing its ``OO`` would put the key two edits away.
    """
    out: list[str] = []
    for ch in token:
        if not out or out[-1] != ch or ch in keep:
            out.append(ch)
    return "".join(out)


def _dotless(token: str) -> str:
    return token.replace(".", "")


def _title_text(tokens: list[str]) -> str:
    return "".join(tokens).rstrip(".")
