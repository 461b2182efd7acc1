"""The agencies, one declaration each. ``SOURCES`` is the only list of them the pipeline reads.

The four of the contract are declared here; more can be declared outside the package (``SEJAHTERA_EXTRA_SOURCES``,
:mod:`sejahtera.sources.extra`). ``SPINE`` is the civil registry every person links to; ``AGENCIES`` the
others, whose person and household records reconcile links to it.
"""

from sejahtera.sources.dtks import DTKS
from sejahtera.sources.dukcapil import DUKCAPIL
from sejahtera.sources.extra import extra_sources
from sejahtera.sources.p3ke import P3KE
from sejahtera.sources.regsosek import REGSOSEK
from sejahtera.sources.spec import (
    Column,
    EntitySpec,
    HouseholdFields,
    PersonFields,
    SourceSpec,
)

_DECLARED = (DTKS, REGSOSEK, P3KE, DUKCAPIL)
SOURCES: dict[str, SourceSpec] = {
    s.name: s for s in (*_DECLARED, *extra_sources({s.name for s in _DECLARED}))
}
SPINE: SourceSpec = next(s for s in SOURCES.values() if s.spine)
AGENCIES: tuple[SourceSpec, ...] = tuple(s for s in SOURCES.values() if not s.spine)

__all__ = [
    "AGENCIES",
    "SOURCES",
    "SPINE",
    "Column",
    "EntitySpec",
    "HouseholdFields",
    "PersonFields",
    "SourceSpec",
]
