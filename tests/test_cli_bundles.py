"""``export-case`` and ``import-case`` from a shell: passphrases on standard input, exit
codes, differences listed and nothing written until a side is chosen."""

from __future__ import annotations

from .bundle_helpers import example_case, laptop
from .test_cli import assert_plain, mappa

USER = "granite otter lantern violet"
TRANSFER = "orbit velvet canyon ladder pepper mosaic"


def test_export_then_import_from_the_command_line(tmp_path):
    a, b = laptop(tmp_path, "a"), laptop(tmp_path, "b", user="Bea Deputy")
    case = example_case(a.store)
    a.close()
    b.close()
    bundles = tmp_path / "out"
    bundles.mkdir()

    made = mappa("export-case", "--data-dir", str(tmp_path / "a"), "--user", "Ann Admin", "--case", "FS-2026-0147",
                 "--case", "NO-SUCH-REF", "--to", str(bundles), "--recipient", "Deputy chair", "--purpose", "Move",
                 stdin=f"{USER}\n\n")
    assert_plain(made)
    assert made.returncode == 1 and "NO-SUCH-REF: no case has this reference" in made.stderr
    [bundle] = list(bundles.glob("*.mappa-case"))
    assert bundle.name.startswith("FS-2026-0147-") and "AIRD" not in bundle.name
    shown = [line for line in made.stdout.splitlines() if line.startswith("Transfer passphrase")]
    assert len(shown) == 1
    transfer = shown[0].rsplit(": ", 1)[1]
    assert len(transfer.split()) == 6

    wrong = mappa("import-case", "--data-dir", str(tmp_path / "b"), "--user", "Bea Deputy", str(bundle),
                  stdin=f"{USER}\n{TRANSFER}\n")
    assert wrong.returncode == 1 and "does not open the bundle" in wrong.stderr
    preview = mappa("import-case", "--data-dir", str(tmp_path / "b"), "--user", "Bea Deputy", "--preview",
                    str(bundle), stdin=f"{USER}\n{transfer}\n")
    assert_plain(preview)
    assert preview.returncode == 0 and "it will be added whole" in preview.stdout
    done = mappa("import-case", "--data-dir", str(tmp_path / "b"), "--user", "Bea Deputy", str(bundle),
                 stdin=f"{USER}\n{transfer}\n")
    assert done.returncode == 0 and "imported" in done.stdout
    again = mappa("import-case", "--data-dir", str(tmp_path / "b"), "--user", "Bea Deputy", str(bundle),
                  stdin=f"{USER}\n{transfer}\n")
    assert again.returncode == 1 and "already imported" in again.stderr

    # An edit on each side: listed, and nothing written without --prefer.
    a, b = laptop_open(tmp_path, "a", "Ann Admin"), laptop_open(tmp_path, "b", "Bea Deputy")
    b_first = b.store.bundles.records.local_id("meeting", a.store.bundles.records.uid_of("meeting", case.first))
    a.store.minutes.save_fields(case.first, "dissent", {"dissent": "A says"})
    b.store.minutes.save_fields(b_first, "dissent", {"dissent": "B says"})
    a.close()
    b.close()
    second = tmp_path / "second.mappa-case"
    made = mappa("export-case", "--data-dir", str(tmp_path / "a"), "--user", "Ann Admin", "--case", "FS-2026-0147",
                 "--to", str(second), "--recipient", "Deputy chair", "--purpose", "Move", stdin=f"{USER}\n{TRANSFER}\n")
    assert made.returncode == 0 and "Transfer passphrase" not in made.stdout
    listed = mappa("import-case", "--data-dir", str(tmp_path / "b"), "--user", "Bea Deputy", str(second),
                   stdin=f"{USER}\n{TRANSFER}\n")
    assert listed.returncode == 1 and "1 difference to choose" in listed.stderr
    assert "theirs: A says" in listed.stdout and "ours:   B says" in listed.stdout
    chosen = mappa("import-case", "--data-dir", str(tmp_path / "b"), "--user", "Bea Deputy", "--prefer", "theirs",
                   str(second), stdin=f"{USER}\n{TRANSFER}\n")
    assert chosen.returncode == 0 and "1 chosen theirs" in chosen.stdout
    b = laptop_open(tmp_path, "b", "Bea Deputy")
    assert b.store.minutes.get(b_first, consult=False).get("dissent") == "A says"
    b.close()


def laptop_open(root, name, user):
    from mappa_desktop.db.session import unlock
    from mappa_desktop.paths import DataPaths

    return unlock(DataPaths(root / name), name=user, passphrase=USER)
