"""Names made comparable: titles split off, spelling variants folded, one comparison key per way of writing."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assets.reconcile.names import comparison_key, standardise_name


@pytest.mark.parametrize(
    ("raw", "nama", "gelar"),
    [
        ("Hj. Siti Aminah, S.Pd", "SITI AMINAH", "HJ S.PD"),
        ("H SITI AMINAH", "SITI AMINAH", "H"),
        ("Drs. H. Moch. Ridwan, M.Pd", "MOCH RIDWAN", "DRS H M.PD"),
        ("Ir. Bambang Wijaya", "BAMBANG WIJAYA", "IR"),
        ("Prof. Dr. Ahmad Fauzi", "AHMAD FAUZI", "PROF DR"),
        ("Budi Santoso S. Pd. I", "BUDI SANTOSO", "S.PD.I"),
        ("AHMAD FAUZI SPD", "AHMAD FAUZI", "SPD"),
        ("Rahmat,S.H.,M.H.", "RAHMAT", "S.H M.H"),
        ("Ahmad Fauzi A. Md. Kep", "AHMAD FAUZI", "A.MD.KEP"),
        ("Dewi Lestari S.Kom", "DEWI LESTARI", "S.KOM"),
        ("Hajjah Fatimah S.Ag", "FATIMAH", "HAJJAH S.AG"),
        ("siti   aminah", "SITI AMINAH", None),
        ("Nur'aini", "NURAINI", None),
        ("Siti-Aminah", "SITI AMINAH", None),
        ("AHMAD (ALM)", "AHMAD", "ALM"),  # almarhum / almarhumah: deceased, not part of the name
        ("Siti Aminah Almh.", "SITI AMINAH", "ALMH"),
    ],
)
def test_titles_before_or_after_with_or_without_dots_go_to_gelar(raw, nama, gelar):
    name = standardise_name(raw)
    assert (name.nama, name.gelar) == (nama, gelar)


def test_a_name_that_is_only_a_title_keeps_it_as_the_name():
    assert standardise_name("HAJI").nama == "HAJI"
    assert standardise_name("H.").nama == "H"


def test_a_missing_or_letterless_name_has_no_views():
    assert standardise_name(None).nama is None
    assert standardise_name("  ., ").key is None


@pytest.mark.parametrize(
    "variants",
    [
        (
            "MUHAMMAD RIZKI",
            "MUHAMAD RIZKI",
            "MOCHAMMAD RIZKY",
            "MOCH. RIZKI",
            "MOH RIZKI",
            "M. RIZKI",
            "Mohammad Rizqi",
        ),
        ("SITI AMINAH", "SITTI AMINAH", "Hj. Siti Aminah, S.Pd"),
        ("ACHMAD DJUNAEDI", "AHMAD JUNAEDI", "Akhmad Djoenaedi"),
        ("SJAHRIL", "SYAHRIL", "SAHRIL"),
        ("TJAHJA", "CAHJA"),
        ("NJOMAN", "NYOMAN"),
        ("CHAIRUL ANWAR", "KHAIRUL ANWAR", "HAIRUL ANWAR"),
        ("RAMADHAN", "RAMADAN"),
        ("ABD. RAHMAN", "ABDUL RAHMAN"),
        ("ST. AMINAH", "SITI AMINAH", "St Aminah"),
    ],
)
def test_spelling_variants_share_one_comparison_key(variants):
    keys = {standardise_name(v).key for v in variants}
    assert len(keys) == 1, keys


def test_joined_and_split_names_share_the_phonetic_key_but_not_the_key():
    joined, split = standardise_name("NURHAYATI"), standardise_name("NUR HAYATI")
    assert joined.key != split.key
    assert joined.phonetic == split.phonetic


def test_different_names_keep_different_keys():
    assert standardise_name("ANI").key != standardise_name("ANA").key
    assert standardise_name("SITI AMINAH").key != standardise_name("SITI RAHMA").key


names = st.text(alphabet=string.ascii_letters + " .,'-", min_size=0, max_size=40)


@given(names)
def test_the_standard_name_is_upper_case_letters_and_single_spaces(raw):
    nama = standardise_name(raw).nama
    if nama is not None:
        assert nama == " ".join(nama.split())
        assert set(nama) <= set(string.ascii_uppercase + " ")


@given(names)
def test_standardising_a_standard_name_changes_nothing(raw):
    first = standardise_name(raw)
    if first.nama is not None:
        again = standardise_name(first.nama)
        assert (again.nama, again.key) == (first.nama, first.key)


@given(st.text(alphabet=string.ascii_uppercase + " ", min_size=1, max_size=30).filter(str.strip))
def test_the_comparison_key_is_a_fixed_point(nama):
    nama = " ".join(nama.split())
    key = comparison_key(nama)
    assert comparison_key(key) == key
