"""``mappa-desktop restore``: put a backup in place of the store from the command line, as
the unlock screen can (whoever can unlock the backup's slot; the current store kept aside)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

EXIT_OK, EXIT_PROBLEM = 0, 1
log = logging.getLogger(__name__)


def restore_command(args, paths, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    from .cli import read_passphrase, wait_after_failures
    from .db.backup import list_backups
    from .db.errors import StoreError
    from .db.restore import RestoredButNotOpened, restore_backup
    from .instance import AlreadyRunning, hold_instance_lock
    from .security import KeyFileError, WrongPassphrase

    if args.list:
        backups = list_backups(paths.backups) if paths.backups.is_dir() else []
        if not backups:
            print(f"restore: there are no backups in {paths.backups}", file=out)
        for info in backups:
            print(f"{info.path.name}  made {info.created:%d/%m/%Y %H:%M} UTC  {info.reason}  "
                  f"{info.size / 1_048_576:.1f} MB", file=out)
        return EXIT_OK
    if not args.backup or not args.user:
        print("restore: give --backup FILE and --user NAME (or --list)", file=err)
        return 2
    backup = Path(args.backup)
    if not backup.is_absolute() and not backup.exists():
        backup = paths.backups / backup
    passphrase = read_passphrase(stdin)
    if not backup.is_file():
        print("restore: there is no such backup (see restore --list)", file=err)
        return EXIT_PROBLEM
    try:
        lock = hold_instance_lock(paths)
    except AlreadyRunning as exc:
        print(f"restore: {exc}", file=err)
        return EXIT_PROBLEM
    except OSError as exc:
        from .db.errors import os_reason

        print(f"restore: cannot use the data folder: {os_reason(exc)}", file=err)
        return EXIT_PROBLEM
    try:
        wait_after_failures(paths, err, "restore")
        session = restore_backup(paths, backup, name=args.user, passphrase=passphrase,
                                 now=datetime.now(timezone.utc))
    except WrongPassphrase:
        from .security import FailedUnlocks

        FailedUnlocks(paths.root).failed()
        log.warning("restore: unlock of the backup refused")
        print("restore: that name and passphrase open neither the backup's slots nor the current ones; "
              "nothing was changed", file=err)
        return EXIT_PROBLEM
    except RestoredButNotOpened as exc:
        print(f"restore: {exc.reason}", file=err)
        return EXIT_PROBLEM
    except (StoreError, KeyFileError) as exc:
        print(f"restore: not restored: {exc.reason}. Nothing was changed.", file=err)
        return EXIT_PROBLEM
    finally:
        lock.release()
    aside = session.restored_aside
    session.close()
    print(f"restore: restored {backup.name}; the store as it was is kept as {aside.name}", file=out)
    return EXIT_OK
