"""Users of the store. Their key slots live in the key file; this table says who they are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import User
from .errors import NotFound, ValidationError, storage_errors

if TYPE_CHECKING:
    from .store import Store

_COLUMNS = "id, name, agency, role, is_admin, active, slot_id, created_at"


def _user(row) -> User:
    return User(row[0], row[1], row[2], row[3], bool(row[4]), bool(row[5]), row[6], row[7])


class UsersRepo:
    def __init__(self, store: "Store"):
        self._store = store

    def add(self, *, name: str, agency: str, role: str, is_admin: bool, slot_id: str, keys=None) -> User:
        """A new user. ``keys`` (their public keys) go into the signed entry that creates
        them, which is what the audit log later trusts for them (see ``audit_chain``)."""
        name = " ".join(name.split())
        if not name:
            raise ValidationError("A user needs a name.", "name")
        with self._store.transaction():
            if self._store.db.execute(
                "SELECT 1 FROM users WHERE slot_id = ?", [slot_id]
            ).fetchone():
                raise ValidationError("There is already a user with that name.", "name")
            cursor = self._store.db.execute(
                "INSERT INTO users (name, agency, role, is_admin, active, slot_id, created_at) "
                "VALUES (?, ?, ?, ?, 1, ?, ?)",
                [name, agency.strip(), role.strip(), int(is_admin), slot_id, self._store.now_iso()],
            )
            user_id = cursor.lastrowid
            if self._store.user is None:  # the first user records their own creation
                self._store.user = self.get(user_id)
            words = ["created"] + (["administrator"] if is_admin else []) + ([keys.detail()] if keys else [])
            self._store.audit.record("collection", "user", user_id, detail="; ".join(words))
        return self.get(user_id)

    def get(self, user_id: int) -> User:
        with storage_errors():
            row = self._store.db.execute(
                f"SELECT {_COLUMNS} FROM users WHERE id = ?", [user_id]
            ).fetchone()
        if row is None:
            raise NotFound("no such user")
        return _user(row)

    def by_slot(self, slot_id: str) -> User | None:
        with storage_errors():
            row = self._store.db.execute(
                f"SELECT {_COLUMNS} FROM users WHERE slot_id = ?", [slot_id]
            ).fetchone()
        return _user(row) if row else None

    def all(self) -> list[User]:
        with storage_errors():
            rows = self._store.db.execute(f"SELECT {_COLUMNS} FROM users ORDER BY name").fetchall()
        return [_user(r) for r in rows]

    def set_active(self, user_id: int, active: bool, *, keys=None) -> None:
        """Disable or re-enable a user. Only the access functions (``db.access``) call this:
        disabling also removes the user's slot and rotates the database key; enabling
        gives them new keys (``keys``, recorded in the same signed entry)."""
        with self._store.transaction():
            user = self.get(user_id)
            if not active and user.is_admin:
                admins = self._store.db.execute(
                    "SELECT count(*) FROM users WHERE is_admin = 1 AND active = 1 AND id != ?", [user_id]
                ).fetchone()[0]
                if admins == 0:
                    raise ValidationError("The last active administrator cannot be disabled.", "active")
            self._store.db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user_id])
            detail = f"active={int(active)}" + (f"; {keys.detail()}" if keys else "")
            self._store.audit.record("alteration", "user", user_id, detail=detail)
