"""Operations on the directory of agencies and people."""

from __future__ import annotations

from ..rules.values import Problem


def save_agency(*, store, agency_id: int | None, name: str, kind: str, active: bool) -> tuple[int | None, list[Problem]]:
    """Add or change an agency; returns its id, or the problems beside the fields."""
    from ..db.errors import ValidationError

    try:
        return store.directory.save_agency(name=name, kind=kind, active=active, agency_id=agency_id), []
    except ValidationError as exc:
        return None, exc.as_problems("name")


def save_person(*, store, person_id: int | None, name: str, agency: str = "", role: str = "",
                contact: str = "", active: bool = True) -> tuple[int | None, list[Problem]]:
    """Add or change a person; returns their id, or the problems beside the fields."""
    from ..db.errors import ValidationError

    try:
        return store.directory.save_person(name=name, agency=agency, role=role, contact=contact,
                                           active=active, person_id=person_id), []
    except ValidationError as exc:
        return None, exc.as_problems("name")
