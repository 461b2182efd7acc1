"""Hostile deliveries: whatever lands in the landing zone costs at most its own drop, in bounded memory.

The manifest parser and the CSV/Parquet readers are fuzzed with hypothesis (random bytes, wrong encodings,
unbalanced quotes, truncated gzip and Parquet files); the limits of ``read_limits`` are driven past (a 10 MB
field, 10,000 columns, a gzip bomb, a file far longer than its manifest says); and one real Dagster run of the
extract assets looks at a landing zone full of poison (deep JSON, huge numbers, over-long names, ``..`` and
absolute paths, links out of the landing zone, a FIFO manifest, names made of SQL and spreadsheet formulas)
next to good drops. Every bad input must give a one-line reason naming its file, never a stack trace; the good
drops must load; nothing outside the landing zone may be opened.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.extract_harness import Extract, LandingZone, csv_lines, good_file, typed_table
from support.landing import DataFile, parquet_bytes

from assets.extract import integrity
from assets.extract.columns import normalise_header
from assets.extract.csv_reader import read_csv_file
from assets.extract.manifest import parse_manifest
from assets.extract.outcome import DropRejected, FileRejected
from assets.extract.parquet_reader import read_parquet_file
from assets.extract.raw_tables import all_raw_tables
from assets.extract.read_limits import ReadLimits, load_read_limits, read_limits
from sejahtera.sources.dtks import ANGGOTA as DTKS_ANGGOTA  # plain CSV, ``;``
from sejahtera.sources.dtks import KELUARGA as DTKS_KELUARGA
from sejahtera.sources.p3ke import INDIVIDU as P3KE_INDIVIDU  # gzip CSV
from sejahtera.sources.regsosek import RUMAH_TANGGA as REGSOSEK_RT  # Parquet

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MEMORY_CEILING = 48 << 20
"""Peak Python allocation allowed while a hostile file is rejected: a few read buffers, never the file."""

SECRET_NIK = "3201019999990042"


def assert_one_line_reason(reason: str, name: str) -> None:
    assert reason.startswith(name), reason
    assert "\n" not in reason and "\r" not in reason, reason
    assert "Traceback" not in reason, reason
    assert SECRET_NIK not in reason, reason


def read(reader: Callable, data: bytes, name: str, spec, tmp_path: Path, **kwargs) -> pa.Table | None:
    """Decode ``data`` as the readers see a delivered file (a handle opened on it); None when it is rejected."""
    path = tmp_path / name
    path.write_bytes(data)
    with open(path, "rb") as handle:
        try:
            return reader(handle, name, spec, **kwargs)
        except FileRejected as rejection:
            assert_one_line_reason(rejection.reason, name)
            return None


def peak_bytes(action: Callable[[], object]) -> int:
    """Peak Python memory allocated while ``action`` runs (tracemalloc sees pyarrow's pool only in part, so the
    Arrow pool's peak is added)."""
    pool_before = pa.total_allocated_bytes()
    tracemalloc.start()
    try:
        action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak + max(0, pa.total_allocated_bytes() - pool_before)


def limits(**changes: int) -> ReadLimits:
    return replace(read_limits(), **changes)


# ---- fuzzing: random and mutated bytes ------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=3000), compress=st.booleans())
def test_csv_readers_take_any_bytes(tmp_path_factory, data: bytes, compress: bool) -> None:
    tmp = tmp_path_factory.mktemp("csv")
    read(read_csv_file, data, "anggota.csv", DTKS_ANGGOTA, tmp)
    read(read_csv_file, gzip.compress(data) if compress else data, "individu.csv.gz", P3KE_INDIVIDU, tmp)


MUTATIONS = {
    "quote": lambda text, at: text[:at] + '"' + text[at:],
    "latin-1": lambda text, at: text[:at] + "Ñ" + text[at:],
    "cut": lambda text, at: text[:at],
    "nul": lambda text, at: text[:at] + "\x00" + text[at:],
    "secret": lambda text, at: text[:at] + f'"{SECRET_NIK}' + text[at:],
}


@FUZZ
@given(
    mutation=st.sampled_from(sorted(MUTATIONS)),
    where=st.floats(min_value=0, max_value=1),
    encoding=st.sampled_from(["utf-8", "latin-1", "utf-16", "cp1252"]),
    gzipped=st.sampled_from(["plain", "gzip", "truncated gzip"]),
)
def test_csv_readers_take_mutated_files(tmp_path_factory, mutation, where, encoding, gzipped) -> None:
    text = "\n".join(csv_lines(P3KE_INDIVIDU, 5)) + "\n"
    text = MUTATIONS[mutation](text, int(where * len(text)))
    data = text.encode(encoding, errors="replace")
    if gzipped != "plain":
        data = gzip.compress(data)
        if gzipped == "truncated gzip":
            data = data[: max(1, int(len(data) * where))]
    table = read(
        read_csv_file, data, "individu.csv.gz", replace(P3KE_INDIVIDU), tmp_path_factory.mktemp("mut")
    )
    if table is not None:  # what is accepted is well-formed: five records (or fewer when the cut fell early)
        assert table.num_rows <= 6


@FUZZ
@given(data=st.binary(max_size=2000), magic=st.booleans())
def test_parquet_reader_takes_any_bytes(tmp_path_factory, data: bytes, magic: bool) -> None:
    if magic:  # looks like Parquet at both ends
        data = b"PAR1" + data + len(data).to_bytes(4, "little") + b"PAR1"
    read(read_parquet_file, data, "rt.parquet", REGSOSEK_RT, tmp_path_factory.mktemp("pq"))


GOOD_PARQUET = parquet_bytes(typed_table(REGSOSEK_RT, 20))


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(GOOD_PARQUET) - 1), flip=st.integers(0, 255))
def test_parquet_reader_takes_truncated_or_flipped_files(tmp_path_factory, cut: int, flip: int) -> None:
    tmp = tmp_path_factory.mktemp("pqcut")
    assert read(read_parquet_file, GOOD_PARQUET[:cut], "rt.parquet", REGSOSEK_RT, tmp) is None
    flipped = bytearray(GOOD_PARQUET)
    flipped[cut] ^= flip or 1
    read(read_parquet_file, bytes(flipped), "rt.parquet", REGSOSEK_RT, tmp)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@FUZZ
@given(document=JSON | st.fixed_dictionaries({"source": JSON, "drop_id": JSON, "files": JSON}))
def test_manifest_parser_takes_any_json(document) -> None:
    try:
        parse_manifest(json.dumps(document).encode())
    except DropRejected as rejection:
        assert_one_line_reason(rejection.reason, "manifest.json")


@FUZZ
@given(raw=st.binary(max_size=500))
def test_manifest_parser_takes_any_bytes(raw: bytes) -> None:
    with pytest.raises(DropRejected) as rejected:
        parse_manifest(raw)
    assert rejected.value.reason.startswith("manifest.json")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"[" * 200_000 + b"]" * 200_000, "manifest.json is nested too deeply to be a manifest"),
        (b'{"files": [{"rows": ' + b"9" * 5000 + b"}]}", "manifest.json holds a number too long to read"),
    ],
    ids=["recursion", "5000-digit number"],
)
def test_poison_manifests_are_rejections_not_crashes(raw: bytes, reason: str) -> None:
    with pytest.raises(DropRejected, match=f"^{reason}$"):
        parse_manifest(raw)


# ---- limits ----------------------------------------------------------------------------------------------------


def anggota_csv(records: int = 3, *, field: str | None = None, extra_columns: int = 0) -> bytes:
    lines = csv_lines(DTKS_ANGGOTA, records)
    if field is not None:  # the first record's last value
        lines[1] = lines[1].rsplit(";", 1)[0] + ";" + field
    if extra_columns:
        lines = [
            line + "".join(f";x{i}" if n == 0 else ";v" for i in range(extra_columns))
            for n, line in enumerate(lines)
        ]
    return ("\n".join(lines) + "\n").encode()


def test_a_10_mb_field_is_read_under_a_raised_limit_and_rejected_clearly_beyond_it(tmp_path: Path) -> None:
    data = anggota_csv(field="A" * 10_000_000)
    peak = peak_bytes(lambda: read(read_csv_file, data, "anggota.csv", DTKS_ANGGOTA, tmp_path))
    path = tmp_path / "anggota.csv"
    with open(path, "rb") as handle, pytest.raises(FileRejected) as rejected:
        read_csv_file(handle, "anggota.csv", DTKS_ANGGOTA)
    assert rejected.value.reason == (
        "anggota.csv: row 1: a field is longer than read_limits.max_field_chars = 1,048,576 in "
        "config/quality.yaml characters"
    )
    assert "broken CSV quoting" not in rejected.value.reason
    assert peak < MEMORY_CEILING, f"{peak:,} bytes to reject a 10 MB field"
    roomy = limits(max_field_chars=16 << 20)
    table = read(read_csv_file, data, "anggota.csv", DTKS_ANGGOTA, tmp_path, limits=roomy)
    assert table is not None and table.num_rows == 3
    assert max(len(v or "") for v in table.column(table.num_columns - 1).to_pylist()) == 10_000_000


def test_10000_columns_are_rejected_by_the_column_limit_and_read_when_it_allows(tmp_path: Path) -> None:
    data = anggota_csv(extra_columns=10_000)
    assert read(read_csv_file, data, "anggota.csv", DTKS_ANGGOTA, tmp_path) is None
    with (
        open(tmp_path / "anggota.csv", "rb") as handle,
        pytest.raises(FileRejected, match="columns, more than"),
    ):
        read_csv_file(handle, "anggota.csv", DTKS_ANGGOTA)
    table = read(
        read_csv_file, data, "anggota.csv", DTKS_ANGGOTA, tmp_path, limits=limits(max_columns=20_000)
    )
    assert table is not None and table.num_columns == len(DTKS_ANGGOTA.columns) + 10_000

    wide = pa.table({f"c{i}": [1] for i in range(10_000)})
    assert read(read_parquet_file, parquet_bytes(wide), "rt.parquet", REGSOSEK_RT, tmp_path) is None


def test_the_duplicate_column_check_scales_to_40000_columns() -> None:
    names = [f"col{i}" for i in range(40_000)]
    assert len(normalise_header("f.csv", names)) == 40_000
    with pytest.raises(FileRejected, match=r"^f\.csv: header: column col7 appears more than once$"):
        normalise_header("f.csv", [*names, "COL7 "])


def test_a_gzip_bomb_is_rejected_after_reading_at_most_the_limit(tmp_path: Path) -> None:
    header = ",".join(c.name for c in P3KE_INDIVIDU.columns).encode() + b"\n"
    bomb = gzip.compress(header + b"\n" * (16 << 20), compresslevel=9)  # 16 MiB of blank lines, ~16 KiB
    reasons = []
    for bounds in (limits(), limits(max_gzip_ratio=1_000_000, max_file_bytes=2 << 20)):
        path = tmp_path / "individu.csv.gz"
        path.write_bytes(bomb)

        def reject(bounds=bounds, path=path) -> None:
            with open(path, "rb") as handle, pytest.raises(FileRejected) as rejected:
                read_csv_file(handle, "individu.csv.gz", P3KE_INDIVIDU, 0, bounds)
            reasons.append(rejected.value.reason)

        assert peak_bytes(reject) < MEMORY_CEILING
    assert reasons[0].startswith("individu.csv.gz: gzip expands more than 200:1")
    assert reasons[1] == (
        "individu.csv.gz: more than read_limits.max_file_bytes = 2,097,152 in config/quality.yaml bytes once "
        "decompressed"
    )


class CountingFile(io.FileIO):
    """A file that counts the bytes read from it."""

    bytes_read = 0

    def readinto(self, buffer) -> int:
        count = super().readinto(buffer)
        self.bytes_read += count or 0
        return count


def test_a_file_longer_than_its_manifest_says_is_rejected_while_streaming(tmp_path: Path) -> None:
    lines = csv_lines(DTKS_ANGGOTA, 3)
    path = tmp_path / "anggota.csv"
    path.write_bytes(("\n".join(lines + lines[1:] * 100_000) + "\n").encode())  # 300,003 rows
    with CountingFile(path) as handle, pytest.raises(FileRejected) as rejected:
        read_csv_file(handle, "anggota.csv", DTKS_ANGGOTA, 3)
    assert rejected.value.reason == "anggota.csv: row count differs: more than 3 rows, manifest says 3"
    assert handle.bytes_read < path.stat().st_size / 10, "the file was read far past its fourth row"


def test_parquet_is_judged_by_its_footer_before_any_data_is_read(tmp_path: Path) -> None:
    data = parquet_bytes(typed_table(REGSOSEK_RT, 50_000))
    path = tmp_path / "rt.parquet"
    path.write_bytes(data)
    with open(path, "rb") as handle, pytest.raises(FileRejected) as rejected:
        read_parquet_file(handle, "rt.parquet", REGSOSEK_RT, 3)
    assert rejected.value.reason == "rt.parquet: row count differs: 50000 rows, manifest says 3"
    small = limits(max_parquet_footer_bytes=64, max_file_bytes=1000)
    with (
        open(path, "rb") as handle,
        pytest.raises(FileRejected, match=r"Parquet footer of .* bytes is beyond"),
    ):
        read_parquet_file(handle, "rt.parquet", REGSOSEK_RT, 50_000, small)
    with open(path, "rb") as handle, pytest.raises(FileRejected, match="bytes once decompressed, more than"):
        read_parquet_file(handle, "rt.parquet", REGSOSEK_RT, 50_000, limits(max_file_bytes=1000))


def test_the_configured_limits_are_all_present_and_positive(tmp_path: Path) -> None:
    assert load_read_limits() == read_limits()
    broken = tmp_path / "quality.yaml"
    broken.write_text("read_limits:\n  max_columns: -1\n")
    with pytest.raises(ValueError, match=r"read_limits\.max_manifest_bytes must be a positive whole number"):
        load_read_limits(broken)


# ---- one night of poison: a real Dagster run of the extract assets --------------------------------------------


SQL_NAME = "x'); DROP TABLE work.drop; --.csv"
FORMULA_NAME = '=HYPERLINK("http:evil",1)+cmd.csv'


class Night:
    """The landing zone of one hostile night, what lies outside it, and the run's outcome per drop."""

    def __init__(self, root: Path) -> None:
        self.zone = LandingZone(root / "landing")
        self.zone.root.mkdir()
        self.outside = root / "outside"
        self.outside.mkdir()
        self.expected: dict[str, str] = {}
        """drop key -> the start of its expected reason (``loaded`` for a drop that must load)."""

    def poison(self, drop_id: str, reason: str, **deliver) -> Path:
        self.expected[f"dtks.{drop_id}"] = reason
        return self.zone.deliver("dtks", drop_id, **deliver)


def dtks_files(anggota_name: str = "anggota.csv") -> list[DataFile]:
    return [good_file(DTKS_KELUARGA), good_file(DTKS_ANGGOTA, name=anggota_name)]


def build_night(night: Night) -> None:
    zone, outside = night.zone, night.outside
    secret = outside / "secret.csv"
    secret.write_bytes(
        good_file(DTKS_ANGGOTA).content
    )  # a well-formed file: following the link would load it

    night.expected["dukcapil.20261101"] = "loaded"
    zone.deliver("dukcapil", "20261101")
    night.poison("20261102", "manifest.json is nested too deeply", manifest_bytes=b"[" * 100_000)
    night.poison(
        "20261103",
        "manifest.json holds a number too long",
        manifest_bytes=b'{"source": "dtks", "rows": ' + b"7" * 5000 + b"}",
    )
    long_name = "a" * 300 + ".csv"
    night.poison(
        "20261104", "file name 'aaaa", files=dtks_files(long_name), write_files=False
    )  # no file system holds the file: is_file() would raise
    night.poison(
        "20261105", "file name '../anggota.csv' holds a path separator", files=dtks_files("../anggota.csv")
    )
    night.poison(
        "20261106", "file name '/etc/passwd' holds a path separator", files=dtks_files("/etc/passwd")
    )
    folder = night.poison("20261107", "anggota.csv: is a symbolic link (never followed)", files=dtks_files())
    (folder / "anggota.csv").unlink()
    (folder / "anggota.csv").symlink_to(secret)
    night.zone.rewrite_manifest(folder, lambda m: m["files"][1].update(sha256=_sha256(secret)))
    night.poison("20261108", "loaded", files=dtks_files(SQL_NAME))
    night.poison("20261109", "loaded", files=dtks_files(FORMULA_NAME))
    fifo = zone.root / "dtks" / "20261110"
    fifo.mkdir(parents=True)
    os.mkfifo(fifo / "manifest.json")
    night.expected["dtks.20261110"] = "manifest.json is not a regular file"
    linked_manifest = zone.root / "dtks" / "20261111"
    linked_manifest.mkdir()
    (outside / "manifest.json").write_bytes(b"{}")
    (linked_manifest / "manifest.json").symlink_to(outside / "manifest.json")
    night.expected["dtks.20261111"] = "manifest.json is a symbolic link (never followed)"
    # folders that are links: never looked into (a whole good drop waits behind each)
    LandingZone(outside / "zone").deliver("dtks", "20261112")
    (zone.root / "dtks" / "20261112").symlink_to(outside / "zone" / "dtks" / "20261112")
    LandingZone(outside / "zone").deliver("regsosek", "20261113")
    (zone.root / "regsosek").symlink_to(outside / "zone" / "regsosek")
    piped = night.poison("20261115", "anggota.csv: is not a regular file", files=dtks_files())
    (piped / "anggota.csv").unlink()
    os.mkfifo(piped / "anggota.csv")  # read with a blocking open, it would hang the night
    night.expected["dtks.20261114"] = "loaded"
    zone.deliver("dtks", "20261114")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def hostile_night(tmp_path_factory) -> Iterator[tuple[Night, Extract, dg.ExecuteInProcessResult, list[str]]]:
    night = Night(tmp_path_factory.mktemp("night"))
    build_night(night)
    opened: list[str] = []
    watching = [True]

    def audit(event: str, args: tuple) -> None:
        if watching[0] and event == "open" and args and isinstance(args[0], str | bytes | os.PathLike):
            opened.append(os.fsdecode(args[0]))

    sys.addaudithook(audit)  # cannot be removed: it stops listening when the run is over
    with dg.DagsterInstance.ephemeral() as instance:
        extract = Extract(
            landing=night.zone, warehouse=night.zone.root.parent / "wh.duckdb", instance=instance
        )
        try:
            result = extract.run(raise_on_error=False)
        finally:
            watching[0] = False
        yield night, extract, result, opened


def test_a_hostile_night_fails_no_step_and_loads_the_good_drops(hostile_night) -> None:
    night, extract, result, _ = hostile_night
    assert result.success
    drops = extract.drops()
    assert set(drops) == set(night.expected), "a drop behind a linked folder was looked at, or one was lost"
    for key, expected in night.expected.items():
        status, reason = drops[key]
        if expected == "loaded":
            assert (status, reason) == ("loaded", None), key
        else:
            assert status == "rejected", key
            assert reason.startswith(f"{key}: {expected}"), reason
            assert_one_line_reason(
                reason.removeprefix(f"{key}: "), reason.removeprefix(f"{key}: ").split(":")[0]
            )


def test_names_made_of_sql_and_formulas_are_only_names(hostile_night) -> None:
    _, extract, _, _ = hostile_night
    files = {row[0] for table in all_raw_tables() for row in _files_of(extract, table)}
    assert {SQL_NAME, FORMULA_NAME} <= files
    assert extract.query("SELECT count(*) FROM work.drop")[0][0] == len(hostile_night[0].expected)


def _files_of(extract: Extract, table: str) -> list[tuple]:
    try:
        return extract.query(f"SELECT DISTINCT file FROM {table}")
    except Exception:  # a raw table this night did not create
        return []


def test_nothing_outside_the_landing_zone_is_opened(hostile_night) -> None:
    night, _, _, opened = hostile_night
    outside = str(night.outside)
    assert opened, "the audit hook saw nothing: it would not see a leak either"
    assert any(path.startswith(str(night.zone.root)) for path in opened)
    assert [path for path in opened if path.startswith(outside)] == []


def test_an_unforeseen_error_rejects_its_drop_naming_the_file_and_the_night_goes_on(
    landing_zone: LandingZone, tmp_path: Path, monkeypatch
) -> None:
    def broken_reader(*args, **kwargs):
        raise RuntimeError(f"decoder bug at value 3201-0101-9999-0042 of {SECRET_NIK}")

    monkeypatch.setitem(integrity.READERS, "parquet", broken_reader)
    landing_zone.deliver("regsosek", "20261101")
    landing_zone.deliver("dtks", "20261101")
    with dg.DagsterInstance.ephemeral() as instance:
        extract = Extract(landing=landing_zone, warehouse=tmp_path / "wh.duckdb", instance=instance)
        assert extract.run(raise_on_error=False).success
        drops = extract.drops()
    assert drops["dtks.20261101"] == ("loaded", None)
    status, reason = drops["regsosek.20261101"]
    assert status == "rejected"
    assert reason == (
        "regsosek.20261101: rumah_tangga.parquet: unexpected RuntimeError: decoder bug at value 3201********0042 of "
        "3201********0042"
    )


@pytest.fixture
def landing_zone(tmp_path: Path) -> LandingZone:
    root = tmp_path / "landing"
    root.mkdir()
    return LandingZone(root)
