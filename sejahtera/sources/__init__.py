"""The four agencies, one adapter each. ``SOURCES`` is the only list of them the pipeline reads."""

from sejahtera.sources.dtks import DTKS
from sejahtera.sources.dukcapil import DUKCAPIL
from sejahtera.sources.p3ke import P3KE
from sejahtera.sources.regsosek import REGSOSEK
from sejahtera.sources.spec import Column, EntitySpec, SourceSpec

SOURCES: dict[str, SourceSpec] = {s.name: s for s in (DTKS, REGSOSEK, P3KE, DUKCAPIL)}

__all__ = ["SOURCES", "Column", "EntitySpec", "SourceSpec"]
