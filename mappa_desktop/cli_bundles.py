"""``export-case`` and ``import-case``: moving cases between laptops from the command line,
for IT support, through the same use cases as the window (``transfer/exchange.py``).

Standard input carries the passphrases, one per line: first the user's, then the transfer
passphrase. ``export-case`` makes a transfer passphrase when the second line is empty or
missing, and prints it once. ``import-case`` writes nothing while any difference has no
choice (``--prefer theirs`` or ``--prefer ours``), nor with ``--preview``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from .words import plural

EXIT_OK = 0
EXIT_PROBLEM = 1
COMMANDS = ("export-case", "import-case")


def add_parsers(commands) -> None:
    """Add the two commands to the main parser's subcommands."""
    export = commands.add_parser(
        "export-case",
        help="write cases to encrypted case bundles (.mappa-case) for another laptop",
        description=(
            "Unlock as NAME and write each case (by reference) to an encrypted case bundle. "
            "Standard input: the user's passphrase on the first line, the transfer passphrase on "
            "the second (leave it empty to have one made and printed once). Give the transfer "
            "passphrase to the recipient by another channel (telephone, not e-mail). Each export "
            "is logged as a disclosure."),
    )
    export.add_argument("--data-dir", metavar="DIR", dest="sub_data_dir", help="the data folder")
    export.add_argument("--user", required=True, metavar="NAME", help="the user to unlock as")
    export.add_argument("--case", required=True, action="append", metavar="REFERENCE", dest="cases",
                        help="the case reference (repeat for several cases)")
    export.add_argument("--to", required=True, metavar="PATH",
                        help="the bundle file, or a folder (one bundle per case, named by reference and date)")
    export.add_argument("--recipient", required=True, help="who the bundle is for (logged)")
    export.add_argument("--purpose", required=True, help="why the case is sent (logged)")

    imp = commands.add_parser(
        "import-case",
        help="import case bundles, showing every difference with this store",
        description=(
            "Unlock as NAME, open each bundle with the transfer passphrase and show what it "
            "holds and how it differs from this store. Standard input: the user's passphrase, "
            "then the transfer passphrase. Nothing is written with --preview, nor while a "
            "difference has no choice: --prefer chooses one side for all of them."),
    )
    imp.add_argument("--data-dir", metavar="DIR", dest="sub_data_dir", help="the data folder")
    imp.add_argument("--user", required=True, metavar="NAME", help="the user to unlock as")
    imp.add_argument("bundles", nargs="+", metavar="BUNDLE", help="the .mappa-case files")
    imp.add_argument("--preview", action="store_true", help="show what would happen; write nothing")
    imp.add_argument("--prefer", choices=("theirs", "ours"),
                     help="the side to keep wherever the bundle and this store differ")


def run(args: argparse.Namespace, paths, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    from .cli import read_passphrase

    user_passphrase = read_passphrase(stdin)
    transfer = read_passphrase(stdin)
    opened = _unlock(args.command, args.user, user_passphrase, paths, err)
    if opened is None:
        return EXIT_PROBLEM
    session, lock = opened
    try:
        if args.command == "export-case":
            return _export(args, session.store, transfer, out, err)
        return _import(args, session.store, transfer, out, err)
    finally:
        session.close()
        lock.release()


def _unlock(command: str, name: str, passphrase: str, paths, err):
    from .db.errors import StoreError, os_reason
    from .db.session import unlock
    from .instance import AlreadyRunning, hold_instance_lock
    from .security import KeyFileError, WrongPassphrase

    if not paths.store.exists():
        print(f"{command}: there is no store in {paths.root}", file=err)
        return None
    try:
        lock = hold_instance_lock(paths)
    except AlreadyRunning as exc:
        print(f"{command}: {exc}", file=err)
        return None
    except OSError as exc:
        print(f"{command}: cannot use the data folder: {os_reason(exc)}", file=err)
        return None
    try:
        return unlock(paths, name=name, passphrase=passphrase), lock
    except WrongPassphrase as exc:
        print(f"{command}: {exc}", file=err)
    except (StoreError, KeyFileError) as exc:
        print(f"{command}: the store cannot be opened: {exc.reason}", file=err)
    lock.release()
    return None


def _export(args, store, transfer: str, out: TextIO, err: TextIO) -> int:
    from .db.errors import StoreError, os_reason
    from .transfer.container import BundleError
    from .transfer.exchange import export_case, new_transfer_passphrase, suggested_file_name

    made = not transfer
    if made:
        transfer = new_transfer_passphrase()
    target = Path(args.to)
    if len(args.cases) > 1 and not target.is_dir():
        print("export-case: with several cases, --to must be an existing folder", file=err)
        return EXIT_PROBLEM
    problems = 0
    for reference in args.cases:
        case_id = store.bundles.case_by_reference(reference)
        if case_id is None:
            print(f"export-case: {reference}: no case has this reference", file=err)
            problems += 1
            continue
        path = target / suggested_file_name(reference, store.today()) if target.is_dir() else target
        try:
            result = export_case(store=store, case_id=case_id, path=path, passphrase=transfer,
                                 recipient=args.recipient, purpose=args.purpose)
        except (BundleError, StoreError) as exc:
            print(f"export-case: {reference}: {exc.reason}", file=err)
            return EXIT_PROBLEM  # the same refusal (a weak passphrase...) would repeat for every case
        except OSError as exc:
            print(f"export-case: {reference}: the bundle could not be written: {os_reason(exc)}", file=err)
            problems += 1
            continue
        print(f"export-case: {reference}: {result.path} ({result.size:,} bytes, export {result.sequence}; "
              f"{plural(result.counts.get('meeting', 0), 'meeting')}, {plural(result.counts.get('action', 0), 'action')})", file=out)
    if made and problems < len(args.cases):
        print(f"Transfer passphrase (shown once; give it to the recipient by telephone, not with the "
              f"file): {transfer}", file=out)
    return EXIT_OK if not problems else EXIT_PROBLEM


def _import(args, store, transfer: str, out: TextIO, err: TextIO) -> int:
    from .db.errors import StoreError
    from .transfer.compare import display
    from .transfer.container import BundleError
    from .transfer.exchange import import_case, open_bundle, preview_import

    problems = 0
    for name in args.bundles:
        label = Path(name).name
        try:
            bundle = open_bundle(Path(name), transfer)
            plan = preview_import(store=store, bundle=bundle)
        except (BundleError, StoreError) as exc:
            print(f"import-case: {label}: refused: {exc.reason}", file=err)
            problems += 1
            continue
        print(f"{label}: {plan.summary()}", file=out)
        for d in plan.differences:
            mark = "choose" if d.choosable else "kept as ours"
            print(f"  [{mark}] {d.record} / {d.label}", file=out)
            print(_indent("theirs: ", display(d, d.theirs)), file=out)
            print(_indent("ours:   ", display(d, d.ours)), file=out)
        for note in plan.notes:
            print(f"  note: {note}", file=out)
        if args.preview:
            continue
        if plan.choosable and not args.prefer:
            print(f"import-case: {label}: {plural(len(plan.choosable), 'difference')} to choose: run again "
                  "with --prefer theirs or --prefer ours (nothing was written)", file=err)
            problems += 1
            continue
        try:
            result = import_case(store=store, bundle=bundle, plan=plan,
                                 choices={d.key: args.prefer for d in plan.choosable})
        except (BundleError, StoreError) as exc:
            print(f"import-case: {label}: refused: {exc.reason} (nothing was written)", file=err)
            problems += 1
            continue
        print(f"import-case: {label}: imported ({result.chosen_theirs} chosen theirs, "
              f"{result.chosen_ours} chosen ours, {result.kept} kept as ours)", file=out)
    return EXIT_OK if not problems else EXIT_PROBLEM


def _indent(prefix: str, text: str) -> str:
    lines = text.split("\n")
    return "\n".join(f"    {prefix if i == 0 else ' ' * len(prefix)}{line}" for i, line in enumerate(lines))
