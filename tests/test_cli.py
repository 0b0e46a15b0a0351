"""The administrator's command line (``init``, ``check``), the data folder and the
one-instance lock.

Some tests run ``python -m mappa_desktop`` as a shell would (real exit codes, real stdin,
the application's strong KDF); the cheaper refusals run ``run_command`` in-process.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mappa_desktop import cli
from mappa_desktop.instance import AlreadyRunning, hold_instance_lock
from mappa_desktop.paths import ENV_DATA_DIR, DataPaths, default_data_dir, resolve_data_dir


ROOT = Path(cli.__file__).resolve().parent.parent
NAME = "Kenneth AIRD"
PASSPHRASE = "heather bothy compass ninety"


def mappa(*args: str, stdin: str = "", env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != ENV_DATA_DIR}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "mappa_desktop", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def in_process(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    args = cli.build_parser().parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = cli.run_command(args, io.StringIO(stdin), out, err)
    return code, out.getvalue(), err.getvalue()


def assert_plain(result: subprocess.CompletedProcess) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream
        assert 'File "' not in stream


# -- from a shell -------------------------------------------------------------------------------


def test_help_lists_the_commands():
    result = mappa("--help")
    assert result.returncode == 0
    assert "init" in result.stdout and "check" in result.stdout
    assert "standard input" in result.stdout
    version = mappa("--version")
    assert version.returncode == 0 and "MAPPA Desktop" in version.stdout


def test_init_then_check_from_a_shell(tmp_path):
    data = tmp_path / "data"
    init = mappa(
        "init", "--data-dir", str(data), "--user", NAME, "--agency", "Police Scotland",
        stdin=PASSPHRASE + "\n",
    )
    assert init.returncode == 0, init.stderr
    assert "created" in init.stdout
    assert_plain(init)
    assert DataPaths(data).exists()

    check = mappa("check", "--data-dir", str(data), "--user", NAME.lower(), stdin=PASSPHRASE + "\n")
    assert check.returncode == 0, check.stderr
    assert_plain(check)
    assert "integrity_check: ok" in check.stdout
    assert "chain verified" in check.stdout
    assert check.stdout.rstrip().endswith("check: ok")

    # A canary name given on the command line is nowhere to be read in the data folder.
    for path in data.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            assert b"Kenneth" not in blob and b"AIRD" not in blob, path.name
            assert PASSPHRASE.encode() not in blob, path.name
    assert not (data / "store.db").read_bytes().startswith(b"SQLite format 3")


def test_check_with_a_wrong_passphrase(closed_store, folder_snapshot):
    before = folder_snapshot(closed_store.paths.root)
    result = mappa(
        "check", "--data-dir", str(closed_store.paths.root), "--user", closed_store.name,
        stdin="not my passphrase at all\n",
    )
    assert result.returncode == 1
    assert_plain(result)
    assert "That name and passphrase do not match a user of this store." in result.stderr
    assert "check: ok" not in result.stdout
    store_files = {k: v for k, v in before.items() if k.startswith("store.db") or k == "keys.json"}
    after = folder_snapshot(closed_store.paths.root)
    assert {k: v for k, v in after.items() if k.startswith("store.db") or k == "keys.json"} == store_files


def test_check_on_a_damaged_store(closed_store):
    store = closed_store.paths.store
    with open(store, "r+b") as handle:
        handle.seek(store.stat().st_size // 2)
        handle.write(b"\x00" * 64)
    before = store.read_bytes()
    result = mappa(
        "check", "--data-dir", str(closed_store.paths.root), "--user", closed_store.name,
        stdin=closed_store.passphrase + "\n",
    )
    assert result.returncode == 1
    assert_plain(result)
    assert "check: the store cannot be opened: the store file is damaged" in result.stderr
    assert store.read_bytes() == before
    assert not store.with_name("store.db-wal").exists()


def test_check_while_the_app_is_running(closed_store):
    lock = hold_instance_lock(closed_store.paths)
    try:
        result = mappa(
            "check", "--data-dir", str(closed_store.paths.root), "--user", closed_store.name,
            stdin=closed_store.passphrase + "\n",
        )
    finally:
        lock.release()
    assert result.returncode == 1
    assert_plain(result)
    assert "already running" in result.stderr


def test_usage_errors_exit_2():
    result = mappa("init", "--agency", "NHS")
    assert result.returncode == 2
    assert "--user" in result.stderr
    assert mappa("frobnicate").returncode == 2


# -- refusals, in-process ----------------------------------------------------------------------


def test_init_twice_refuses(closed_store, folder_snapshot):
    before = folder_snapshot(closed_store.paths.root)
    code, out, err = in_process(
        "init", "--data-dir", str(closed_store.paths.root), "--user", "Someone Else",
        "--agency", "NHS", stdin="a different passphrase\n",
    )
    assert code == 1
    assert "already exists" in err and out == ""
    after = folder_snapshot(closed_store.paths.root)
    after.pop("instance.lock", None)  # the lock file may stay; it holds nothing
    assert after == before


@pytest.mark.parametrize("passphrase", ["", "short", "123456789"])
def test_init_refuses_a_short_passphrase(tmp_path, passphrase):
    data = tmp_path / "data"
    code, out, err = in_process(
        "init", "--data-dir", str(data), "--user", "Ann Admin", "--agency", "Police",
        stdin=passphrase + "\n",
    )
    assert code == 1
    assert "at least 10 characters" in err
    assert not (data / "store.db").exists() and not (data / "keys.json").exists()


def test_init_refuses_a_blank_name(tmp_path):
    code, _, err = in_process(
        "init", "--data-dir", str(tmp_path / "d"), "--user", "   ", "--agency", "Police",
        stdin=PASSPHRASE + "\n",
    )
    assert code == 1 and "name" in err.lower()
    assert not (tmp_path / "d" / "store.db").exists()


@pytest.mark.parametrize("command", ["init", "check"])
def test_an_unusable_data_folder_is_a_plain_refusal(closed_store, monkeypatch, command):
    """A read-only folder (or one on a vanished drive) is refused in words, not a traceback.
    (Simulated: the tests run as root, which no folder permission stops.)"""

    def read_only(paths):
        raise PermissionError(13, "Permission denied", str(paths.instance_lock))

    monkeypatch.setattr("mappa_desktop.instance.hold_instance_lock", read_only)
    argv = [command, "--data-dir", str(closed_store.paths.root), "--user", closed_store.name]
    if command == "init":
        argv += ["--agency", "NHS"]
    code, out, err = in_process(*argv, stdin=closed_store.passphrase + "\n")
    assert code == 1
    assert f"{command}: cannot use the data folder: permission was refused" in err
    assert str(closed_store.paths.root) not in err


def test_check_without_a_store(tmp_path):
    code, out, err = in_process("check", "--data-dir", str(tmp_path / "empty"), "--user", "Ann")
    assert code == 1
    assert "there is no store" in err


def test_check_finds_a_broken_audit_chain(session, raw_connection):
    for i in range(4):
        session.store.audit.record_now("consultation", "case", i)
    paths, key, name = session.store.paths, session.store.key, session.user.name
    session.close()
    conn = raw_connection(paths.store, key)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET record_id = 99 WHERE id = 3")
    conn.commit()
    conn.close()
    code, out, err = in_process(
        "check", "--data-dir", str(paths.root), "--user", name,
        stdin="granite otter lantern violet\n",
    )
    assert code == 1
    assert "integrity_check: ok" in out
    assert "chain broken at entry 3" in out
    assert "1 problem found" in out


def test_the_passphrase_is_one_line_of_stdin():
    assert cli.read_passphrase(io.StringIO("two words\r\nsecond line\n")) == "two words"
    assert cli.read_passphrase(io.StringIO("  spaced  \n")) == "  spaced  "
    assert cli.read_passphrase(io.StringIO("")) == ""


def test_data_dir_before_or_after_the_command(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_DATA_DIR, raising=False)
    for argv in (
        ["--data-dir", str(tmp_path / "a"), "check", "--user", "x"],
        ["check", "--data-dir", str(tmp_path / "a"), "--user", "x"],
    ):
        code, _, err = in_process(*argv)
        assert code == 1 and str((tmp_path / "a").resolve()) in err


# -- the data folder ----------------------------------------------------------------------------


def test_resolve_data_dir_order(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "from-env"))
    assert resolve_data_dir(tmp_path / "from-cli").root == (tmp_path / "from-cli").resolve()
    assert resolve_data_dir(None).root == (tmp_path / "from-env").resolve()
    monkeypatch.delenv(ENV_DATA_DIR)
    assert resolve_data_dir(None).root == default_data_dir().resolve()
    assert "MAPPA Desktop" in str(default_data_dir())
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_data_dir("~/mappa").root == (tmp_path / "mappa").resolve()


def test_data_paths_layout(tmp_path):
    paths = DataPaths(tmp_path / "d")
    assert not paths.exists()
    paths.ensure()
    paths.ensure()  # twice is fine
    for folder in (paths.root, paths.backups, paths.logs, paths.crash_reports, paths.temp):
        assert folder.is_dir() and folder.parent == paths.root or folder == paths.root
    assert paths.store.name == "store.db" and paths.keyfile.name == "keys.json"
    paths.store.write_bytes(b"x")
    assert not paths.exists()
    paths.keyfile.write_bytes(b"{}")
    assert paths.exists()


def test_one_instance_per_data_folder(tmp_path):
    paths = DataPaths(tmp_path / "d")
    first = hold_instance_lock(paths)
    try:
        with pytest.raises(AlreadyRunning) as caught:
            hold_instance_lock(paths)
        assert "already running" in str(caught.value)
        # Another folder is another instance.
        other = hold_instance_lock(DataPaths(tmp_path / "e"))
        other.release()
    finally:
        first.release()
    again = hold_instance_lock(paths)
    assert again.is_locked
    again.release()
