"""Where the application keeps its files.

One data folder holds everything: the encrypted store, its key file, backups, logs and
crash reports. It is the user's data folder (platformdirs) unless ``--data-dir`` or the
``MAPPA_DATA_DIR`` environment variable says otherwise. File names never carry personal data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import APP_NAME

ENV_DATA_DIR = "MAPPA_DATA_DIR"


@dataclass(frozen=True)
class DataPaths:
    """The files and folders under one data folder."""

    root: Path

    @property
    def store(self) -> Path:
        return self.root / "store.db"

    @property
    def keyfile(self) -> Path:
        return self.root / "keys.json"

    @property
    def instance_lock(self) -> Path:
        return self.root / "instance.lock"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def crash_reports(self) -> Path:
        return self.root / "crash-reports"

    @property
    def temp(self) -> Path:
        return self.root / "tmp"

    def exists(self) -> bool:
        """True when a store has been created in this folder."""
        return self.keyfile.exists() and self.store.exists()

    def ensure(self) -> None:
        """Create the folder tree, owner-only on POSIX."""
        for folder in (self.root, self.backups, self.logs, self.crash_reports, self.temp):
            folder.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                os.chmod(folder, 0o700)


def default_data_dir() -> Path:
    """The per-user data folder of this platform."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False, roaming=False))


def resolve_data_dir(cli_value: str | os.PathLike | None = None) -> DataPaths:
    """``--data-dir`` beats ``MAPPA_DATA_DIR``, which beats the platform default."""
    if cli_value:
        root = Path(cli_value)
    elif os.environ.get(ENV_DATA_DIR):
        root = Path(os.environ[ENV_DATA_DIR])
    else:
        root = default_data_dir()
    return DataPaths(root.expanduser().resolve())
