"""The administrator's command line: ``init``, ``check`` and ``restore``, beside the window.

Scripts depend on these exact forms; the passphrase is read as one line from standard
input, never from an argument (arguments show up in process lists and shell history).
Exit codes: 0 all well, 1 a problem found or refused, 2 wrong usage (argparse).
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from . import APP_NAME, __version__
from .paths import ENV_DATA_DIR, resolve_data_dir
from .words import plural

EXIT_OK = 0
EXIT_PROBLEM = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mappa-desktop",
        description=(
            f"{APP_NAME} {__version__}: offline minutes, action register and printouts for "
            "MAPPA meetings. With no command, starts the application window."
        ),
        epilog=(
            f"The data folder is --data-dir, else ${ENV_DATA_DIR}, else the user's data "
            "folder. Passphrases are read from standard input, one line, never from "
            "arguments. Exit status: 0 success, 1 a problem was found or the request was "
            "refused, 2 wrong usage."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="the data folder to use")
    parser.add_argument(
        "--exit-after-start",
        action="store_true",
        help=argparse.SUPPRESS,  # for the bundle check and the start-up benchmark
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser(
        "init",
        help="create the encrypted store and its first (admin) user",
        description=(
            "Create the encrypted store in the data folder and its first user, who is an "
            "administrator. The passphrase is read as one line from standard input."
        ),
    )
    init.add_argument("--data-dir", metavar="DIR", dest="sub_data_dir", help="the data folder")
    init.add_argument("--user", required=True, metavar="NAME", help="the first user's name")
    init.add_argument("--agency", required=True, metavar="AGENCY", help="their agency")
    init.add_argument("--role", default="", metavar="ROLE", help="their role (optional)")

    check = commands.add_parser(
        "check",
        help="unlock, run integrity_check, verify the audit log's chain, list stored values the rules refuse",
        description=(
            "Unlock the store as NAME (passphrase as one line on standard input), run "
            "SQLite's integrity_check and verify the audit log's hash chain. Prints what it "
            "found; exits 1 on any problem."
        ),
    )
    check.add_argument("--data-dir", metavar="DIR", dest="sub_data_dir", help="the data folder")
    check.add_argument("--user", required=True, metavar="NAME", help="the user to unlock as")
    check.add_argument(
        "--anchor", action="append", default=[], metavar="TOKEN",
        help="an audit anchor (MAPPA-ANCHOR-1:...) from the foot of a printout or a backup's "
             "manifest: check that the log still holds it (repeatable; the anchors of the "
             "backups in the data folder are always checked)",
    )
    check.description += (
        " Opens everything read-only: nothing in the data folder is written. Verifies each "
        "entry's signature, the finalised minutes, addenda and completed review stages the log "
        "seals, and every anchor."
    )

    restore = commands.add_parser(
        "restore",
        help="put a backup in place of the store (the current store is kept aside)",
        description=(
            "Restore a backup as NAME, who must be able to unlock it (passphrase as one line on "
            "standard input). The current store is renamed and kept beside it, never deleted. "
            "With --list, lists the backups and asks for nothing."
        ),
    )
    restore.add_argument("--data-dir", metavar="DIR", dest="sub_data_dir", help="the data folder")
    restore.add_argument("--user", metavar="NAME", help="the user to unlock the backup as")
    restore.add_argument("--backup", metavar="FILE", help="the backup file (a name from --list, or a path)")
    restore.add_argument("--list", action="store_true", help="list the backups, newest first")

    from . import cli_bundles

    cli_bundles.add_parsers(commands)
    return parser


def read_passphrase(stdin: TextIO) -> str:
    """One line from standard input, without its line ending."""
    line = stdin.readline()
    return line.rstrip("\r\n")


def run_command(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    paths = resolve_data_dir(getattr(args, "sub_data_dir", None) or args.data_dir)
    if args.command == "init":
        return _init(args, paths, stdin, out, err)
    if args.command == "check":
        return _check(args, paths, stdin, out, err)
    from . import cli_bundles

    if args.command in cli_bundles.COMMANDS:
        return cli_bundles.run(args, paths, stdin, out, err)
    if args.command == "restore":
        from .cli_restore import restore_command

        return restore_command(args, paths, stdin, out, err)
    raise AssertionError(args.command)


def wait_after_failures(paths, err: TextIO, command: str, sleep=None) -> None:
    """The growing delay after wrong passphrases, as the window applies it (the count is
    kept in the data folder, so separate runs share it)."""
    import time

    from .security import FailedUnlocks

    wait = FailedUnlocks(paths.root).wait_seconds()
    if wait > 0:
        print(f"{command}: waiting {wait:.0f} s after earlier wrong passphrases", file=err)
        (sleep or time.sleep)(wait)


def _init(args, paths, stdin, out, err) -> int:
    from .paths import unsafe_location

    refusal = unsafe_location(paths.root)
    if refusal:
        print(f"init: the data folder cannot be used: {refusal}", file=err)
        return EXIT_PROBLEM
    return _create(args, paths, stdin, out, err)


def _create(args, paths, stdin, out, err) -> int:
    from .db.errors import StoreError
    from .db.session import create_store
    from .instance import AlreadyRunning, hold_instance_lock
    from .security import MIN_PASSPHRASE_LENGTH, passphrase_problem

    passphrase = read_passphrase(stdin)
    problem = passphrase_problem(passphrase, (args.user, args.agency))
    if problem:
        print(f"init: {problem} (the passphrase is read as one line from standard input; the same "
              f"rule as the window: at least {MIN_PASSPHRASE_LENGTH} characters, hard to guess)", file=err)
        return EXIT_PROBLEM
    try:
        lock = hold_instance_lock(paths)
    except AlreadyRunning as exc:
        print(f"init: {exc}", file=err)
        return EXIT_PROBLEM
    except OSError as exc:
        from .db.errors import os_reason

        print(f"init: cannot use the data folder: {os_reason(exc)}", file=err)
        return EXIT_PROBLEM
    try:
        session = create_store(
            paths, name=args.user, agency=args.agency, role=args.role, passphrase=passphrase
        )
    except StoreError as exc:
        print(f"init: {exc.reason}", file=err)
        return EXIT_PROBLEM
    finally:
        lock.release()
    session.close()
    print(f"init: created the store in {paths.root} with one administrator", file=out)
    return EXIT_OK


def _check(args, paths, stdin, out, err) -> int:
    import logging

    from .audit_chain import Anchor
    from .db.backup import manifest_anchors
    from .db.errors import StoreError
    from .db.session import open_read_only
    from .instance import AlreadyRunning, hold_instance_lock
    from .security import KeyFileError, WrongPassphrase

    log = logging.getLogger(__name__)
    passphrase = read_passphrase(stdin)
    if not paths.store.exists():
        print(f"check: there is no store in {paths.root}", file=err)
        return EXIT_PROBLEM
    anchors = {}
    for token in args.anchor:
        try:
            anchors[Anchor.parse(token)] = "the anchor given"
        except ValueError as exc:
            print(f"check: --anchor: {exc}", file=err)
            return EXIT_PROBLEM
    try:
        lock = hold_instance_lock(paths)
    except AlreadyRunning as exc:
        print(f"check: {exc}", file=err)
        return EXIT_PROBLEM
    except OSError as exc:  # a read-only or unreachable data folder: as init does
        from .db.errors import os_reason

        print(f"check: cannot use the data folder: {os_reason(exc)}", file=err)
        return EXIT_PROBLEM
    try:
        wait_after_failures(paths, err, "check")
        store = open_read_only(paths, name=args.user, passphrase=passphrase)
    except WrongPassphrase as exc:
        log.warning("check: unlock refused")
        print(f"check: {exc}", file=err)
        lock.release()
        return EXIT_PROBLEM
    except (StoreError, KeyFileError) as exc:
        log.warning("check: the store cannot be opened: %s", type(exc).__name__)
        print(f"check: the store cannot be opened: {exc.reason}", file=err)
        lock.release()
        return EXIT_PROBLEM
    problems = 0
    try:
        integrity = store.integrity_check()
        if integrity == ["ok"]:
            print("integrity_check: ok", file=out)
        else:
            problems += 1
            print(f"integrity_check: {plural(len(integrity), 'problem')}", file=out)
            for line in integrity[:20]:
                print(f"  {line}", file=out)
        from .settings import backups_folder

        for folder in {paths.backups, backups_folder(store)}:
            for anchor, source in manifest_anchors(folder):
                anchors.setdefault(anchor, source)
        report = store.audit.verify(anchors=list(anchors), anchor_sources=anchors)
        lines = report.lines()
        if report.first_broken_id is not None:
            problems += 1
            print(f"audit log: chain broken at entry {report.first_broken_id}: {report.reason}", file=out)
            lines = lines[1:]
        else:
            print(f"audit log: {plural(report.entries, 'entry')}, chain verified, signatures verified", file=out)
            lines = lines[1:]
        problems += len(report.problems)
        for line in lines:
            print(f"  {line}", file=out)
        refused = store.refused_values()
        if refused:
            problems += 1
            print(f"stored values: {len(refused)} refused by the rules (reported, not changed; "
                  "correct them in the app)", file=out)
            for found in refused[:200]:
                print(f"  {found.record_type} {found.record_id}, {found.field}: {found.message}", file=out)
        else:
            print("stored values: every one keeps the rules", file=out)
        migrations = store.applied_migrations()
        print(f"schema: {len(migrations)} migrations applied, latest {migrations[-1]}", file=out)
    except StoreError as exc:
        problems += 1
        print(f"check: {exc.reason}", file=err)
    finally:
        store.close()
        lock.release()
    print("check: ok" if not problems else f"check: {plural(problems, 'problem')} found", file=out)
    return EXIT_OK if not problems else EXIT_PROBLEM


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``mappa-desktop`` and ``python -m mappa_desktop``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command:
        from .logs import setup_logging

        paths = resolve_data_dir(getattr(args, "sub_data_dir", None) or args.data_dir)
        if args.command == "init" or paths.root.exists():  # check never creates a folder
            setup_logging(paths, console=False)
        return run_command(args, sys.stdin, sys.stdout, sys.stderr)
    from .ui.startup import run_gui

    return run_gui(args)
