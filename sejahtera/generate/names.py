"""Indonesian personal names: who is called what, and how agencies misspell it.

Most Indonesians have one or two given names and no family name; many names are Arabic in origin (MUHAMMAD,
SITI, NUR), Javanese (SRI, SUPARMAN) or Sundanese (ASEP, NENG). Batak people carry a clan name (marga) and
Balinese names start with a birth-order name (WAYAN, MADE, NYOMAN, KETUT). A few hundred tokens drawn with
Zipf-like weights make the common names very common (many SITI, many MUHAMMAD), so a name alone never
identifies a person, as in reality.

Pools are ordered most common first. Names are upper case, as every agency writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np


def _words(text: str) -> list[str]:
    """A pool written as whitespace-separated words (compact to read and review)."""
    return text.split()


MUSLIM_MALE_LEAD = _words("MUHAMMAD AHMAD ABDUL MOH ANDI RIZKI NUR")
MUSLIM_MALE = _words(
    """
RAHMAN HIDAYAT RAHMAT YUSUF IBRAHIM ISMAIL HASAN ALI SYAIFUL ARIF ZAINAL FAUZI FIRMAN ILHAM ANWAR AMIN
HAKIM IMAM IQBAL HAMZAH UMAR USMAN NURDIN JAMALUDIN KHOIRUL TAUFIK RIDWAN SALIM SYAMSUL FAISAL FARHAN
ADNAN AZIZ FADLI HABIBI HAMDAN IRFAN ISKANDAR MAKMUR MUHSIN MUKHLIS NAJIB RAMLI SOLEH SULAIMAN SYARIF
WAHID YAHYA ZAINUDIN ZULKIFLI HAMID HAFIZ JAFAR KHALID LUTFI MAHMUD MANSUR MUSTOFA NASRUL RASYID ZAKARIA
BAHRUDIN DAUD GHOZALI MASRUR QOMARUDIN UBAIDILLAH HUSAIN ABDULLAH RIZAL HENDRI ERWIN YUDI RUDI FAJAR
SAPRI JUNAIDI HERMAN SYAHRIL
"""
)
MUSLIM_FEMALE_LEAD = _words("SITI NUR NURUL DEWI PUTRI")
MUSLIM_FEMALE = _words(
    """
AMINAH FATIMAH AISYAH NURHAYATI KHADIJAH ZAINAB MARYAM HALIMAH NURAINI NURJANAH RAHMAWATI HIDAYATI
AZIZAH SALMA ZAHRA LAILA MUNAWAROH ROHIMAH MASITOH SAROH SOLEHAH UMI ULFA FITRI FARIDA HASANAH JAMILAH
KHOTIMAH MAIMUNAH MUTMAINAH NAFISAH RAHMAH RUKAYAH SAFITRI SYARIFAH ZULAIKHA NURLAELA NURHASANAH
ROSMIATI MARLINA YUSNIDAR RATNA INDAH AYU RINI YULI NOVI DIAN WULANDARI KURNIASIH HERLINA NURMALA ANISA
NABILA
"""
)
JAVANESE_MALE_LEAD = _words("AGUS BUDI EKO DWI TRI JOKO BAMBANG HERU SLAMET")
JAVANESE_MALE = _words(
    """
SUPARMAN SUGENG SLAMET WAHYU SUTRISNO SUKARDI SUMARNO SUPRIYADI SUYANTO SUGIANTO PRASETYO NUGROHO
SANTOSO WIBOWO SETIAWAN HARYANTO PURNOMO KUSNADI MARDI PAIMAN PAIJO TUKIMAN SAMSUDIN WARSITO GIYANTO
SUROSO SUDARMAN SUWARNO TEGUH GUNAWAN HARTONO SUHARTO SUKIRMAN KARMIN RATNO DARMAJI SAMIDI SUBAGYO
WIDODO YULIANTO CAHYONO CAHYO JUNAEDI SUPENO SUKIMAN SUPRAPTO SURYADI SUMADI WAGIMAN KASIMAN TARYONO
TRIYONO SUJARWO SUPARNO SUNARTO SUYONO WALUYO SUPARJO SUKAMTO SUHARJO RUSDI JUMADI MARYONO PARJO SARIMAN
YANTO ARIS HADI SETIYO MUJIONO
"""
)
JAVANESE_FEMALE_LEAD = _words("SRI DWI TRI ENDANG PUJI")
JAVANESE_FEMALE = _words(
    """
SUMARNI SUPARTI SUMIATI SUKINAH SUTINAH WARSINI PARTINI TUMINAH SUNARTI SUWARNI NGATINI PAINEM MARYATI
SULASTRI WAHYUNI RATNA LESTARI RAHAYU ASTUTI HANDAYANI KUSUMAWATI SETYANINGSIH YULIANI SUPRIYATI
WIDAYATI NINGSIH MULYANI KARTINI SUGIYEM JUMINAH SARINAH TITIK YANTI SUMIYATI SRIYATUN SUPARMI WAGIYEM
MURTINI SUKARSIH TUGIYEM SITI NURYANI SUHARTINI SUMINAH KASIYEM SUNARSIH SRIYANI TRIYANI SUMARSIH PARMI
SAMINAH
"""
)
SUNDANESE_MALE_LEAD = _words("ASEP UJANG DEDI CECEP ENCEP AGUS")
SUNDANESE_MALE = _words(
    """
DADANG AEP DENI YAYAN IWAN UDIN ENJANG JAJANG OMAN ENTIS KOKO DODI HENDRA SUHENDAR ROHMAT YUSUP AANG
DADAN SUPRIATNA SURYANA SOBARI HERMAWAN KURNIA RUSTANDI SUTISNA MAMAN ENDANG NANANG DEDEN JEJEN OTONG
UJAT SUNARYA SOLIHIN KOSASIH SAEPUDIN RUHIYAT HIDAYAT JUJUN ENDIN
"""
)
SUNDANESE_FEMALE_LEAD = _words("NENG SITI IMAS EUIS")
SUNDANESE_FEMALE = _words(
    """
YATI ENOK ENENG CUCU TITIN NINING LILIS ENTIN IKAH EUTIK OOM NENENG DEDEH YAYAH AAH OCOH EMAH KOKOM
NURHAYATI ROSMIATI YUYUN IIS AI EPON ELIS TATI NANI AAS UNAH IPAH ENUNG WIWIN HERNAWATI SUMIATI
"""
)
BATAK_MALE = _words(
    """
JOSUA PARLINDUNGAN MARULI TUMPAL HOTMAN BINSAR TORANG SAHAT MANGATAS BONAR RAJA DAMIANUS HOLMES LAMHOT
JONNY ROBERT MARTUA PANGIHUTAN HORAS SAUT
"""
)
BATAK_FEMALE = _words(
    """
ROSMAWATI MARTA LAMRIA TIOMINA ROSELINA DUMARIA RUGUN MASNIDAR TIURMA HOTNIDA ROMAULI NURHAIDA SONTI
LASMA
"""
)
MARGA = _words(
    """
SIREGAR NASUTION SIMANJUNTAK SITUMORANG PANJAITAN HUTAGALUNG SIAHAAN LUBIS HARAHAP SINAGA SARAGIH
MANURUNG SIHOMBING PASARIBU TAMBUNAN SITOMPUL SIMATUPANG NAINGGOLAN SIBURIAN HUTAPEA
"""
)
BALI_ORDER = (("WAYAN", "PUTU", "GEDE"), ("MADE", "KADEK"), ("NYOMAN", "KOMANG"), ("KETUT",))
BALI_GIVEN = _words(
    """
SUDARSANA ARTAWAN SUARDANA MERTA SUKADANA ASTAWA WIRAWAN ARIANI SUARTINI SRIASIH SUDIARTA ADNYANA
DARMAWAN SUPARTA WIDIASIH SUKERTI PARWATI MURNIASIH SUASTIKA DIANA
"""
)
CHINESE_MALE = _words(
    "HENDRA SUSANTO HARTANTO SUGIARTO FELIX KEVIN WILLIAM STEVEN JOHAN ANDREAS HERMAN BUDIMAN"
)
CHINESE_FEMALE = _words("LIANA MEILIANA LILY SUSANTI YENNY WENNY LINDA MELINDA VIVI CINDY LANNY")
CHINESE_FAMILY = _words("WIJAYA HALIM GUNAWAN SALIM KUSUMA TANOTO SANTOSO TANUWIJAYA LIMANTO")
CHRISTIAN_MALE_LEAD = _words("YOHANES PETRUS PAULUS MARKUS YOSEF FRANSISKUS ANTONIUS AGUSTINUS YAKOBUS")
CHRISTIAN_MALE = _words("STEFANUS MATIUS DANIEL DAVID MIKAEL KORNELIUS ALFONSUS YULIUS SIMON ELIAS NIKOLAS")
CHRISTIAN_FEMALE_LEAD = _words("MARIA YULIANA AGUSTINA FRANSISKA")
CHRISTIAN_FEMALE = _words(
    "MAGDALENA KRISTINA ELISABETH MARTHA VERONIKA MARGARETHA REGINA THERESIA SELVI NOVITA"
)
CHRISTIAN_FAMILY = _words("LEWAR PATTY RUMBIAK WENDA MANDAGI SUMAMPOUW LOBO DASILVA NDOLU KOLO TAEK WANMA")
MODERN_MALE = _words("RAFI DIMAS BAYU ANGGA REZA ARYA FARREL GIBRAN NAUFAL ALVARO RENDI DONI")
MODERN_FEMALE = _words("NAYLA AURA KEISHA ALYA ZASKIA AQILA SALSABILA CANTIKA NADIA AZZAHRA")


@dataclass(frozen=True)
class Pool:
    """Tokens of one tradition and sex: ``lead`` starts two-word names, ``given`` fills them."""

    lead: tuple[str, ...]
    given: tuple[str, ...]
    p_single: float
    """Share of one-word names among people born before 1980 (it halves for the young)."""


POOLS: dict[tuple[str, str], Pool] = {
    ("muslim", "L"): Pool(tuple(MUSLIM_MALE_LEAD), tuple(MUSLIM_MALE + MODERN_MALE), 0.35),
    ("muslim", "P"): Pool(tuple(MUSLIM_FEMALE_LEAD), tuple(MUSLIM_FEMALE + MODERN_FEMALE), 0.35),
    ("javanese", "L"): Pool(tuple(JAVANESE_MALE_LEAD + MUSLIM_MALE_LEAD[:3]), tuple(JAVANESE_MALE), 0.5),
    ("javanese", "P"): Pool(tuple([*JAVANESE_FEMALE_LEAD, "SITI", "NUR"]), tuple(JAVANESE_FEMALE), 0.5),
    ("sundanese", "L"): Pool(
        tuple([*SUNDANESE_MALE_LEAD, "MUHAMMAD"]), tuple(SUNDANESE_MALE + MUSLIM_MALE[:20]), 0.45
    ),
    ("sundanese", "P"): Pool(
        tuple(SUNDANESE_FEMALE_LEAD), tuple(SUNDANESE_FEMALE + MUSLIM_FEMALE[:15]), 0.45
    ),
    ("batak", "L"): Pool((), tuple(BATAK_MALE + CHRISTIAN_MALE), 1.0),
    ("batak", "P"): Pool((), tuple(BATAK_FEMALE + CHRISTIAN_FEMALE), 1.0),
    ("balinese", "L"): Pool((), tuple(BALI_GIVEN), 1.0),
    ("balinese", "P"): Pool((), tuple(BALI_GIVEN), 1.0),
    ("chinese", "L"): Pool((), tuple(CHINESE_MALE), 0.5),
    ("chinese", "P"): Pool((), tuple(CHINESE_FEMALE), 0.5),
    ("christian", "L"): Pool(tuple(CHRISTIAN_MALE_LEAD), tuple(CHRISTIAN_MALE + BATAK_MALE[:6]), 0.3),
    ("christian", "P"): Pool(
        tuple(CHRISTIAN_FEMALE_LEAD), tuple(CHRISTIAN_FEMALE + MUSLIM_FEMALE[-12:]), 0.3
    ),
}


def _zipf_pick(rng: np.random.Generator, pool: tuple[str, ...] | list[str], n: int) -> np.ndarray:
    """Draw ``n`` tokens, the first ones of the pool far more often than the last (Zipf, exponent 0.9)."""
    weights = 1.0 / np.arange(1, len(pool) + 1) ** 0.9
    return np.asarray(pool, dtype=object)[rng.choice(len(pool), size=n, p=weights / weights.sum())]


def _join(*parts: np.ndarray) -> np.ndarray:
    """Join token arrays with single spaces, skipping empty tokens."""
    return np.array([" ".join(t for t in tokens if t) for tokens in zip(*parts, strict=True)], dtype=object)


def family_names(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """A family name per household where its tradition has one (Batak marga, some Chinese and eastern Christian
    families); empty elsewhere. Members inherit it from the household."""
    out = np.full(len(groups), "", dtype=object)
    batak = groups == "batak"
    out[batak] = _zipf_pick(rng, MARGA, int(batak.sum()))
    chinese = (groups == "chinese") & (rng.random(len(groups)) < 0.5)
    out[chinese] = _zipf_pick(rng, CHINESE_FAMILY, int(chinese.sum()))
    christian = (groups == "christian") & (rng.random(len(groups)) < 0.4)
    out[christian] = _zipf_pick(rng, CHRISTIAN_FAMILY, int(christian.sum()))
    return out


def person_names(
    rng: np.random.Generator,
    groups: np.ndarray,
    sexes: np.ndarray,
    birth_years: np.ndarray,
    family: np.ndarray,
    carries_family: np.ndarray,
) -> np.ndarray:
    """Full names for people of the given traditions, sexes (``L``/``P``) and birth years.

    ``family`` is the household's family name and ``carries_family`` says who bears it (a Batak father and his
    children carry his marga; a Batak wife keeps her own, written ``BR <marga>`` by some).
    """
    n = len(groups)
    names = np.full(n, "", dtype=object)
    young = birth_years >= 1980
    for (group, sex), pool in POOLS.items():
        idx = np.flatnonzero((groups == group) & (sexes == sex))
        if idx.size == 0:
            continue
        k = idx.size
        given = _zipf_pick(rng, pool.given, k)
        second = _zipf_pick(rng, pool.given, k)
        p_single = np.where(young[idx], pool.p_single / 2, pool.p_single)
        single = rng.random(k) < p_single
        if pool.lead:
            lead = _zipf_pick(rng, pool.lead, k)
            with_lead = rng.random(k) < 0.55
            first = np.where(with_lead, lead, given)
            rest = np.where(with_lead, given, second)
            three = rng.random(k) < 0.08
            third = np.where(three & ~single, _zipf_pick(rng, pool.given, k), "")
            names[idx] = np.where(single, given, _join(first, rest, third))
        else:
            names[idx] = np.where(single, given, _join(given, second))
        if group == "balinese":
            order = rng.choice(4, size=k, p=[0.4, 0.3, 0.2, 0.1])
            order_name = np.array(
                [BALI_ORDER[o][rng.integers(len(BALI_ORDER[o]))] for o in order], dtype=object
            )
            prefix = np.where(rng.random(k) < 0.85, "I" if sex == "L" else "NI", "")
            names[idx] = _join(prefix, order_name, names[idx])
    fam = np.where(carries_family, family, "")
    batak_wife = (groups == "batak") & ~carries_family & (sexes == "P")
    wife_marga = _zipf_pick(rng, MARGA, n)
    fam = np.where(batak_wife, np.where(rng.random(n) < 0.5, "BR " + wife_marga, wife_marga), fam)
    return _join(names, fam)


# ----------------------------------------------------------------------------------------------------------------
# How agencies misspell names (record noise). Each function takes a clean upper-case name and returns a variant
# that a careful clerk would still recognise as the same person; the reconcile stage must see through them.

_TOKEN_VARIANTS: dict[str, tuple[str, ...]] = {
    "MUHAMMAD": ("MUHAMAD", "MOCHAMMAD", "MOCHAMAD", "MUHAMMED", "MOH.", "MOCH.", "M."),
    "MOH": ("MOH.", "MOCH", "MUH."),
    "AHMAD": ("ACHMAD", "AHMAD", "AHMAT"),
    "ABDUL": ("ABD.", "ABDOEL", "ABDUL"),
    "SITI": ("SITTI", "SITI"),
    "YUSUF": ("YUSUP", "JOESOEF", "YUSUF"),
    "FATIMAH": ("FATIMA", "PATIMAH"),
    "KHADIJAH": ("HADIJAH", "KADIJAH"),
    "AISYAH": ("AISAH", "AISYA", "AISJAH"),
    "RIZKI": ("RIZKY", "RISKI"),
    "SYAIFUL": ("SAIFUL", "SYAIPUL"),
    "NURJANAH": ("NURJANNAH",),
    "HIDAYAT": ("HIDAYAH",),
    "ZAINAL": ("ZAENAL",),
    "TAUFIK": ("TAUFIQ", "TOPIK"),
    "MUSTOFA": ("MUSTAFA",),
}
_JOINABLE_LEADS = ("NUR", "SRI", "DWI", "TRI", "ABDUL", "SITI")
_TITLES_BEFORE = {"L": ("H.", "DRS.", "IR.", "DR.", "H"), "P": ("HJ.", "DRA.", "IR.", "DR.", "HJ")}
_TITLES_AFTER = ("S.PD", "S.PD.", "S.E", "S.H.", "S.KOM", "S.AG", "M.PD", "A.MD", "S.SOS")


_RESPELLINGS: tuple[tuple[str, str], ...] = (
    (r"AH\b", "A"),  # FATIMAH -> FATIMA
    (r"([^AEIOU])A\b", r"\1AH"),  # AMINA -> AMINAH
    (r"I\b", "Y"),  # RIZKI -> RIZKY, YULI -> YULY
    (r"\bKH", "H"),  # KHOIRUL -> HOIRUL
    (r"\bF", "P"),  # FAJAR -> PAJAR (Sundanese)
    (r"\bZ", "J"),  # ZAINAL -> JAINAL
    (r"SY", "S"),  # SYAMSUL -> SAMSUL
    (r"Q", "K"),  # TAUFIQ -> TAUFIK
    (r"TH\b", "T"),  # ELISABETH -> ELISABET
    (r"IY", "I"),  # SUPRIYADI -> SUPRIADI
    (r"NN", "N"),  # NURJANNAH -> NURJANAH
    (r"([AEIOU])([LMNRS])([AEIOU])", r"\1\2\2\3"),  # HASANAH -> HASSANAH
)


def spelling_variant(name: str, rng: np.random.Generator) -> str:
    """A recognisable respelling: a known variant of a token, a split or joined compound, an old spelling
    (oe for u, dj for j, tj for c, j for y), a common respelling (final h, i/y, kh/h, f/p, sy/s ...), or, for a
    name none of these fits, one letter dropped as a clerk types fast."""
    tokens = name.split()
    options: list[str] = []
    for i, tok in enumerate(tokens):
        if tok in _TOKEN_VARIANTS:
            for alt in _TOKEN_VARIANTS[tok]:
                if alt != tok:
                    options.append(" ".join([*tokens[:i], alt, *tokens[i + 1 :]]))
        for lead in _JOINABLE_LEADS:
            if tok.startswith(lead) and len(tok) > len(lead) + 2 and tok not in _TOKEN_VARIANTS:
                options.append(" ".join([*tokens[:i], lead, tok[len(lead) :], *tokens[i + 1 :]]))
        if tok in _JOINABLE_LEADS and i + 1 < len(tokens):
            options.append(" ".join([*tokens[:i], tok + tokens[i + 1], *tokens[i + 2 :]]))
        for pattern, replacement in _RESPELLINGS if len(tok) > 2 else ():
            respelled = re.sub(pattern, replacement, tok, count=1)
            if respelled != tok:
                options.append(" ".join([*tokens[:i], respelled, *tokens[i + 1 :]]))
    old = (
        name.replace("U", "OE")
        if "U" in name and rng.random() < 0.5
        else name.replace("J", "DJ").replace("C", "TJ").replace("Y", "J")
    )
    if old != name:
        options.append(old)
    if not options:
        inner = [i for i in range(1, len(name) - 1) if name[i].isalpha() and name[i - 1] != " "]
        if not inner:
            return name + "H"
        i = inner[int(rng.integers(len(inner)))]
        return name[:i] + name[i + 1 :]
    return options[int(rng.integers(len(options)))]


def with_title(name: str, sex: str, rng: np.random.Generator) -> str:
    """The name with an honorific (H., HJ.) or academic title before it, or a degree after it."""
    if rng.random() < 0.6:
        titles = _TITLES_BEFORE[sex]
        return f"{titles[int(rng.integers(len(titles)))]} {name}"
    suffix = _TITLES_AFTER[int(rng.integers(len(_TITLES_AFTER)))]
    return f"{name}, {suffix}" if rng.random() < 0.7 else f"{name} {suffix}"


def reformatted(name: str, rng: np.random.Generator) -> str:
    """The same letters typed carelessly: lower or title case, a doubled space, stray punctuation."""
    kind = int(rng.integers(4))
    if kind == 0:
        return name.lower()
    if kind == 1:
        return name.title()
    if kind == 2:
        return re.sub(" ", "  ", name, count=1) if " " in name else f" {name} "
    return f"{name}." if rng.random() < 0.5 else name.replace(" ", ", ", 1) if " " in name else f"{name},"
