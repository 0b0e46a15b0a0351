"""The directory: agencies and the people who attend meetings and own actions, so that
attendance and owners are picked, not re-typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import spec
from ..model import Agency, Person
from ..rules.values import record_problems
from .errors import NotFound, ValidationError, refuse, storage_errors

if TYPE_CHECKING:
    from .store import Store

AGENCY_KINDS = tuple(c.value for c in spec.AGENCY_KINDS)


def _name(text: str, what: str) -> str:
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise ValidationError(f"{what} needs a name.", "name")
    return cleaned


class DirectoryRepo:
    def __init__(self, store: "Store"):
        self._store = store

    # -- agencies ---------------------------------------------------------------------------

    def agencies(self, *, include_inactive: bool = False) -> list[Agency]:
        sql = "SELECT id, name, kind, active FROM agencies"
        if not include_inactive:
            sql += " WHERE active = 1"
        # Responsible authorities first, then duty-to-co-operate agencies, then the rest.
        sql += (
            " ORDER BY CASE kind WHEN 'responsible_authority' THEN 0 "
            "WHEN 'duty_to_cooperate' THEN 1 ELSE 2 END, name COLLATE NOCASE"
        )
        with storage_errors():
            return [Agency(r[0], r[1], r[2], bool(r[3])) for r in self._store.db.execute(sql)]

    def save_agency(self, *, name: str, kind: str = "other", active: bool = True, agency_id: int | None = None) -> int:
        name = _name(name, "An agency")
        if kind not in AGENCY_KINDS:
            raise ValidationError("Choose what kind of agency this is.", "kind")
        refuse(record_problems(spec.DIRECTORY_AGENCY.fields, {"name": name, "kind": kind}, now=self._store.clock()))
        with self._store.transaction():
            self._store.note("directory", None)
            clash = self._store.db.execute(
                "SELECT id FROM agencies WHERE name = ? COLLATE NOCASE AND id IS NOT ?",
                [name, agency_id],
            ).fetchone()
            if clash:
                raise ValidationError("There is already an agency with that name.", "name")
            if agency_id is None:
                agency_id = self._store.db.execute(
                    "INSERT INTO agencies (name, kind, active) VALUES (?, ?, ?)",
                    [name, kind, int(active)],
                ).lastrowid
                self._store.audit.record("collection", "agency", agency_id)
            else:
                cursor = self._store.db.execute(
                    "UPDATE agencies SET name = ?, kind = ?, active = ? WHERE id = ?",
                    [name, kind, int(active), agency_id],
                )
                if cursor.rowcount == 0:
                    raise NotFound("that agency does not exist")
                self._store.audit.record("alteration", "agency", agency_id)
        return agency_id

    # -- people ---------------------------------------------------------------------------

    def people(self, *, include_inactive: bool = False) -> list[Person]:
        sql = "SELECT id, name, agency, role, contact, active FROM people"
        if not include_inactive:
            sql += " WHERE active = 1"
        sql += " ORDER BY name COLLATE NOCASE"
        with storage_errors():
            return [
                Person(r[0], r[1], r[2], r[3], r[4], bool(r[5]))
                for r in self._store.db.execute(sql)
            ]

    def save_person(
        self,
        *,
        name: str,
        agency: str = "",
        role: str = "",
        contact: str = "",
        active: bool = True,
        person_id: int | None = None,
    ) -> int:
        name = _name(name, "A person")
        values = [name, agency.strip(), role.strip(), contact.strip(), int(active)]
        refuse(record_problems(spec.DIRECTORY_PERSON.fields, dict(zip(("name", "agency", "role", "contact"), values)),
                               now=self._store.clock()))
        with self._store.transaction():
            self._store.note("directory", None)
            if person_id is None:
                person_id = self._store.db.execute(
                    "INSERT INTO people (name, agency, role, contact, active) VALUES (?, ?, ?, ?, ?)",
                    values,
                ).lastrowid
                self._store.audit.record("collection", "person", person_id)
            else:
                cursor = self._store.db.execute(
                    "UPDATE people SET name = ?, agency = ?, role = ?, contact = ?, active = ? "
                    "WHERE id = ?",
                    [*values, person_id],
                )
                if cursor.rowcount == 0:
                    raise NotFound("that person does not exist")
                self._store.audit.record("alteration", "person", person_id)
        return person_id
