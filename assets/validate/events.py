"""Which entities carry life events, and what makes an event's person known (contract section 2, Dukcapil).

An event other than a birth must be about a person the civil registry knows: one in the current snapshot of the
source's population, or born by an event applied so far (in an earlier drop of this run, or earlier in the
same drop). The adapters declare the columns; this table adds the one thing they cannot: which event types
create a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from sejahtera.sources.dukcapil import DUKCAPIL, PENDUDUK, PERISTIWA


@dataclass(frozen=True)
class EventRule:
    source: str
    event_entity: str
    """The entity of ``delta`` drops holding the events."""
    type_column: str
    date_column: str
    """The event's date: events are applied in its order, so an event without one cannot be applied."""
    subject_column: str
    """The event's person: matched against the population entity's record id."""
    population_entity: str
    """The entity of ``full`` drops holding the population (one row per person, record id = identity)."""
    creating_types: tuple[str, ...]
    """Event types that add a person, so their subject need not be known yet."""


EVENT_RULES: dict[str, EventRule] = {
    DUKCAPIL.name: EventRule(
        source=DUKCAPIL.name,
        event_entity=PERISTIWA.entity,
        type_column="jenis_peristiwa",
        date_column="tanggal_peristiwa",
        subject_column="nik",
        population_entity=PENDUDUK.entity,
        creating_types=("LAHIR",),
    )
}


def event_rule(source: str, entity: str) -> EventRule | None:
    """The rule of ``source``'s event entity ``entity``, or None when ``entity`` holds no events."""
    rule = EVENT_RULES.get(source)
    return rule if rule is not None and rule.event_entity == entity else None
