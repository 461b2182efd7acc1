"""The ledger's memory of drops, and which drops a run picks up, as pure functions (property-tested)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from assets.extract.landing import DropFolder
from assets.extract.ledger import Ledger, LedgerRow, pending_drops


def folder(source: str, drop_id: str, mtime: int) -> DropFolder:
    path = Path("/landing") / source / drop_id
    return DropFolder(source, drop_id, path, path / "manifest.json", mtime, 100)


def test_the_latest_row_about_a_drop_is_what_was_last_seen() -> None:
    ledger = Ledger.from_rows(
        [
            LedgerRow("dtks", "20261101", "applied", "a", 1),
            LedgerRow("dtks", "20261101", "rejected", "b", 2),
            LedgerRow("dtks", "20261001", "stale", "c", 3),
        ]
    )
    assert ledger.last_seen["dtks.20261101"] == (2, "b")
    assert ledger.applied_manifest == {"dtks.20261101": "a"}
    assert ledger.newer_applied_than("dtks", "20261001") == "20261101"
    assert ledger.newer_applied_than("dtks", "20261101") is None
    assert ledger.newer_applied_than("p3ke", "20261001") is None


def test_untouched_means_same_mtime_and_same_bytes() -> None:
    ledger = Ledger.from_rows([LedgerRow("dtks", "20261101", "applied", "a", 1)])
    assert ledger.is_untouched(folder("dtks", "20261101", 1), "a")
    assert not ledger.is_untouched(folder("dtks", "20261101", 2), "a")
    assert not ledger.is_untouched(folder("dtks", "20261101", 1), "b")
    assert not ledger.is_untouched(folder("dtks", "20261102", 1), "a")


SOURCES = st.sampled_from(["dtks", "dukcapil", "p3ke"])
DROP_IDS = st.sampled_from(["20261101", "20261101T0600", "20261102", "20261130", "20261201"])


@given(
    st.lists(st.tuples(SOURCES, DROP_IDS, st.integers(1, 3)), unique_by=lambda t: (t[0], t[1]), max_size=12),
    st.lists(st.tuples(SOURCES, DROP_IDS, st.integers(1, 3)), max_size=12),
    st.lists(st.tuples(SOURCES, DROP_IDS), max_size=3),
)
def test_pending_drops_are_the_touched_or_forced_ones_in_delivery_order(
    on_disk: list[tuple[str, str, int]],
    seen: list[tuple[str, str, int]],
    forced: list[tuple[str, str]],
) -> None:
    folders = [folder(s, d, m) for s, d, m in on_disk]
    ledger = Ledger.from_rows(LedgerRow(s, d, "applied", "sha", m) for s, d, m in seen)
    last = {f"{s}.{d}": m for s, d, m in seen}
    reprocess = [f"{s}.{d}" for s, d in forced]

    pending = pending_drops(folders, ledger, {f.key: "sha" for f in folders}, reprocess)

    expected = {f.key for f in folders if last.get(f.key) != f.manifest_mtime_ns or f.key in reprocess}
    assert {f.key for f in pending} == expected
    order = [(f.source, f.drop_id) for f in pending]
    assert order == sorted(order)
