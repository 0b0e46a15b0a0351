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


# -- where the store must not live -------------------------------------------------------------

NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "fuse.sshfs", "sshfs", "davfs", "fuse.davfs2",
                       "afs", "9p", "fuse.rclone", "fuse.s3fs", "ncpfs", "coda"}
CLOUD_FOLDERS = ("onedrive", "dropbox", "google drive", "googledrive", "my drive", "icloud drive",
                 "icloud", "box sync", "nextcloud", "owncloud", "mega")


def _mount_type(path: Path, mounts_text: str) -> str | None:
    """The file system type of the mount that holds ``path`` (Linux /proc/mounts)."""
    best, best_type = "", None
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        if (str(path) == mount_point or str(path).startswith(mount_point.rstrip("/") + "/")) and len(mount_point) > len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def unsafe_location(root: Path, *, mounts_text: str | None = None) -> str | None:
    """Why this data folder must not be used (a network share or a cloud-synced folder),
    or None. Only what can be detected: an unknown kind of folder is allowed."""
    root = Path(root)
    lowered = [part.casefold() for part in root.parts]
    for part in lowered:
        if any(part == name or part.startswith(name + " -") or part.startswith(name + "-") for name in CLOUD_FOLDERS):
            return ("it is inside a cloud-synced folder; the encrypted store and its backups must stay "
                    "on this computer only")
    if os.name == "nt":
        text = str(root)
        if text.startswith("\\\\"):
            return "it is on a network share"
        try:
            import ctypes

            drive = os.path.splitdrive(text)[0] + "\\"
            if ctypes.windll.kernel32.GetDriveTypeW(drive) == 4:  # DRIVE_REMOTE
                return "it is on a network drive"
        except (AttributeError, OSError):
            pass
        return None
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    # Resolve links in the part that exists; the rest (not created yet) is taken as given.
    existing, rest = root, []
    while not existing.exists() and existing != existing.parent:
        rest.insert(0, existing.name)
        existing = existing.parent
    kind = _mount_type(existing.resolve().joinpath(*rest), mounts_text)
    if kind in NETWORK_FILESYSTEMS:
        return f"it is on a network share ({kind})"
    return None
