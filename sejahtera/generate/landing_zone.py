"""``generate_landing_zone``: the whole story, from families to files, seeded and reproducible, chunk by chunk.

Memory stays flat however many households are asked for: the households are cut into chunks of at most
``chunk_households`` and each chunk lives its whole story (population, life, identity, the four agencies' records,
the truth) and is appended to the drop files before the next one starts. Each chunk is a random sample of the
whole country (its families are placed in villages all over Indonesia), so everything that happens between
families happens inside it: moves to another province, pecah KK, a widowed parent joining a nearby family, records
with a retired 2022 region code, two families surveyed as one. What must hold for the whole landing zone is
carried from chunk to chunk (:class:`_Carry`): each regency's and village's welfare effect, NIK and KK serials
unique per district and date, record and event ids unique per file, true ids and row numbers continuing.

The output depends on the seed and on the chunk size (each chunk draws from its own random streams, and agencies'
coverage and P3KE's deciles are ranked within a chunk, a sample of the country): the same arguments give the same
bytes. Chunk 0 draws from the streams the generator used before it was chunked, so a landing zone of one chunk is
the one it wrote then.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from sejahtera.generate import dtks, dukcapil, p3ke, regsosek
from sejahtera.generate.config import Calendar, FamilyConfig, NoiseConfig
from sejahtera.generate.days import day
from sejahtera.generate.files import DataFileWriter, Drop, TruthWriter, write_manifest
from sejahtera.generate.identity import IdentitySerials, assign_identity
from sejahtera.generate.life import Timeline, live
from sejahtera.generate.population import RegionalEffects, build_population
from sejahtera.generate.truth import SCHEMAS, Offsets, truth_tables
from sejahtera.generate.views import IdMakers

MAX_FAILING_SHARE = 0.15
"""Refuse to write a drop with more failing rows than this: the contract rejects a drop above 20 %, and these
drops are meant to load with their defective rows quarantined (scale the noise down instead)."""
GROUND_TRUTH = "ground_truth"
DEFAULT_CHUNK_HOUSEHOLDS = 50_000
"""Households generated and written at a time: about half a gigabyte at the peak, whatever the total."""
STAGES = 8
"""Independent random streams per chunk, one per stage (population, life, identity, coverage, four agencies)."""


def generate_landing_zone(
    out: Path,
    households: int,
    seed: int,
    *,
    noise: NoiseConfig | None = None,
    family: FamilyConfig | None = None,
    as_of: date = date(2026, 11, 27),
    chunk_households: int = DEFAULT_CHUNK_HOUSEHOLDS,
) -> str:
    """Write a synthetic landing zone of ``households`` families under ``out`` and its ground truth under
    ``out/ground_truth``; ``family`` sets how often families move, split and regroup (:class:`FamilyConfig`);
    ``chunk_households`` bounds how many are held in memory at once. Return a short report (counts per source
    and file, time taken, no personal data).

    Same arguments, same bytes: every random draw comes from ``seed`` (per chunk, one independent stream per
    stage, so a change in one stage does not reshuffle the others).
    """
    if households < 1:
        raise ValueError(f"households must be at least 1, got {households}")
    if chunk_households < 1:
        raise ValueError(f"chunk_households must be at least 1, got {chunk_households}")
    started = time.perf_counter()
    noise = noise or NoiseConfig.default()
    calendar = Calendar(as_of)
    out = Path(out)
    sizes = chunk_sizes(households, chunk_households)
    seeds = np.random.SeedSequence(seed).spawn(STAGES + len(sizes) - 1)
    carry = _Carry()
    zone = _ZoneWriter(out, calendar)
    try:
        for index, size in enumerate(sizes):
            # Chunk 0 uses the first STAGES children as its stage seeds; chunk i its own child's children.
            stage_seeds = seeds[:STAGES] if index == 0 else seeds[STAGES - 1 + index].spawn(STAGES)
            streams = [np.random.default_rng(s) for s in stage_seeds]
            timeline, drops = _chunk(streams, size, calendar, noise, family, carry)
            zone.append(timeline, drops, carry)
            carry.persons += len(timeline.people)
            carry.households += len(timeline.households)
            del timeline, drops  # free this chunk before the next one is built
        zone.finish()
    finally:
        zone.close()
    return zone.report(households, seed, len(sizes), time.perf_counter() - started)


def chunk_sizes(households: int, chunk_households: int) -> list[int]:
    """``households`` cut into the fewest chunks of at most ``chunk_households``, as equal as possible (no
    small last chunk, whose agency coverage would be ranked among a handful of families)."""
    count = -(-households // chunk_households)
    return [households // count + (1 if i < households % count else 0) for i in range(count)]


@dataclass
class _Carry:
    """What one chunk hands to the next so that the landing zone reads as one."""

    regional: RegionalEffects = field(default_factory=RegionalEffects)
    serials: IdentitySerials = field(default_factory=IdentitySerials)
    ids: IdMakers = field(default_factory=IdMakers)
    events: dukcapil.EventNumbering = field(default_factory=dukcapil.EventNumbering)
    persons: int = 0
    """True person ids used by the chunks before (each chunk numbers its people from 0)."""
    households: int = 0


def _chunk(
    streams: list[np.random.Generator],
    households: int,
    calendar: Calendar,
    noise: NoiseConfig,
    family: FamilyConfig | None,
    carry: _Carry,
) -> tuple[Timeline, list[Drop]]:
    """One chunk's story: its families, their life, their numbers and the four agencies' records of them."""
    population = build_population(streams[0], households, calendar, carry.regional)
    timeline = live(streams[1], population, calendar, noise, family)
    del population
    assign_identity(streams[2], timeline, noise, carry.serials)
    _coverage_scores(streams[3], timeline)
    drops = [
        regsosek.build(streams[4], timeline, noise, calendar, carry.ids),
        p3ke.build(streams[5], timeline, noise, calendar, carry.ids),
        dtks.build(streams[6], timeline, noise, calendar, carry.ids),
        *dukcapil.build(streams[7], timeline, noise, calendar, carry.events),
    ]
    return timeline, drops


def _coverage_scores(rng: np.random.Generator, timeline: Timeline) -> None:
    """Each agency's view of a family's welfare, noisy in its own way: who gets listed is fuzzy, as in reality."""
    hh = timeline.households
    n = len(hh)
    hh["score_dtks"] = hh["welfare"].to_numpy() + rng.normal(0, 0.3, n)
    hh["score_p3ke"] = hh["welfare"].to_numpy() + rng.normal(0, 0.2, n)
    hh["draw_regsosek"] = rng.random(n)


class _ZoneWriter:
    """The landing zone's open files: every drop's data files and the ground truth, appended chunk by chunk;
    the manifests at the very end. Also keeps the counts the report needs."""

    def __init__(self, out: Path, calendar: Calendar) -> None:
        self.out = out
        self.views = {
            "dtks": day(calendar.dtks_view),
            "regsosek": day(calendar.regsosek_view),
            "p3ke": day(calendar.p3ke_view),
        }
        self.as_of = day(calendar.as_of)
        self.drops: dict[tuple[str, str], tuple[str, str]] = {}
        """Each drop's kind and delivery time (the same in every chunk)."""
        self.files: dict[tuple[str, str, str], DataFileWriter] = {}
        self.truth: dict[str, TruthWriter] = {}
        self.failing: Counter[tuple[str, str]] = Counter()
        self.rows: Counter[tuple[str, str]] = Counter()
        self.noise: Counter[str] = Counter()
        self.alive = 0
        self.finished = False

    def append(self, timeline: Timeline, drops: list[Drop], carry: _Carry) -> None:
        self._check_failing_share(drops)
        offsets = Offsets(
            rows={key: writer.rows for key, writer in self.files.items()},
            persons=carry.persons,
            households=carry.households,
        )
        for name, frame in truth_tables(timeline, drops, self.views, offsets).items():
            if name not in self.truth:
                self.truth[name] = TruthWriter(self.out / GROUND_TRUTH / f"{name}.parquet", SCHEMAS[name])
            self.truth[name].append(frame)
        for drop in drops:
            self.drops.setdefault((drop.source, drop.drop_id), (drop.kind, drop.extracted_at))
            self.noise.update(label for _, label in drop.noise)
            for file in drop.files:
                key = (drop.source, drop.drop_id, file.name)
                if key not in self.files:
                    self.files[key] = DataFileWriter(self.out / drop.source / drop.drop_id, file)
                self.files[key].append(file)
        self.alive += int((timeline.people["death"].to_numpy() > self.as_of).sum())

    def _check_failing_share(self, drops: list[Drop]) -> None:
        """Refuse a drop whose failing rows, over the chunks so far, pass the limit: checked before a chunk is
        written, so a refused first chunk writes nothing at all."""
        for drop in drops:
            key = (drop.source, drop.drop_id)
            rows = self.rows[key] + sum(f.rows for f in drop.files)
            failing = self.failing[key] + sum(int((f.frame["_rules"].map(len) > 0).sum()) for f in drop.files)
            if rows and failing / rows > MAX_FAILING_SHARE:
                raise ValueError(
                    f"{drop.source}.{drop.drop_id}: {failing} of {rows} rows ({failing / rows:.0%}) would break "
                    f"row rules; the noise rates are too high for a drop meant to load "
                    f"(limit {MAX_FAILING_SHARE:.0%})"
                )
            self.rows[key], self.failing[key] = rows, failing

    def finish(self) -> None:
        """Close every file, then write each drop's manifest (last: a folder without one is still uploading)."""
        for writer in self.truth.values():
            writer.close()
        entries: dict[tuple[str, str], list[dict]] = {}
        for (source, drop_id, _), writer in self.files.items():
            entries.setdefault((source, drop_id), []).append(writer.close())
        self.finished = True
        for (source, drop_id), (kind, extracted_at) in self.drops.items():
            write_manifest(
                self.out / source / drop_id, source, drop_id, kind, extracted_at, entries[source, drop_id]
            )

    def close(self) -> None:
        """Release the files left open by a failure (their drops get no manifest, so no run ever reads them)."""
        if not self.finished:
            for writer in [*self.truth.values(), *self.files.values()]:
                writer.abandon()

    def report(self, households: int, seed: int, chunks: int, seconds: float) -> str:
        truth = {name: writer.rows for name, writer in self.truth.items()}
        lines = [
            f"sejahtera generate: {households:,} families (seed {seed}) -> {self.out}",
            f"  truth: {truth['persons']:,} persons ({self.alive:,} alive), {truth['households']:,} households now",
        ]
        for (source, drop_id), (kind, _) in self.drops.items():
            files = ", ".join(
                f"{writer.name} {writer.rows:,}"
                for (s, d, _), writer in self.files.items()
                if (s, d) == (source, drop_id)
            )
            failing = self.failing[source, drop_id]
            lines.append(f"  {source}/{drop_id} ({kind}): {files}; {failing:,} rows break row rules")
        if self.noise:
            lines.append("  record noise: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.noise.items())))
        lines.append(
            f"  ground truth in {self.out / GROUND_TRUTH}: "
            + ", ".join(f"{k} {v:,}" for k, v in truth.items())
        )
        lines.append(f"  done in {seconds:.1f} s" + (f" ({chunks} chunks)" if chunks > 1 else ""))
        return "\n".join(lines)
