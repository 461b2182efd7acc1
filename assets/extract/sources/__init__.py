"""The four agencies, one adapter each. ``SOURCES`` is the only list of them the pipeline reads."""

from assets.extract.sources.dtks import DTKS
from assets.extract.sources.dukcapil import DUKCAPIL
from assets.extract.sources.p3ke import P3KE
from assets.extract.sources.regsosek import REGSOSEK
from assets.extract.sources.spec import Column, EntitySpec, SourceSpec

SOURCES: dict[str, SourceSpec] = {s.name: s for s in (DTKS, REGSOSEK, P3KE, DUKCAPIL)}

__all__ = ["SOURCES", "Column", "EntitySpec", "SourceSpec"]
