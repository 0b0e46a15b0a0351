"""The typist of the kill test (tests/test_kill.py): run as a subprocess, never collected.

    kill_worker.py DATA_DIR MEETING_ID NAME PASSPHRASE [INTERVAL_MS [--wait]]

With --wait it loads Qt and the app, prints "waiting", and goes on only when a line "go"
arrives on stdin (the test starts the next typist while this one types). Then it unlocks the
store, builds the real MinuteEditor offscreen, puts the cursor at the end of
the risk assessment discussion and goes on typing KILL_TEXT (from where the stored text
stops) one key event per character, paced by a QTimer so that the event loop and the
autosave timer run as they do for a person typing. Prints to stdout, flushed:

    ready <stored_len> <monotonic>      once, just before the first key
    typed <total_len> <monotonic>       after each character
    saving <len> <monotonic>            autosave begins to write the field (its length)
    saved <len> <monotonic>             ... and has committed

and types until it is killed (SIGKILL). Exit codes other than death by signal are failures:
2 = bad arguments, 3 = the stored text is not a prefix of KILL_TEXT, 4 = ran out of text,
5 = a key did not reach the field.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Importable from tests/test_kill.py without Qt: the text the typist types, cycled.
SENTENCE = (
    "Risk Matrix 2000 high; Stable 2007 moderate. Dr Nguyễn Thị Lan and Grzegorz Wiśniewski "
    "reported; Siobhán Ní Bhriain (JSW) confirmed weekly supervision — «no concerns», "
    "alcohol use up ≈20%.\n"
)
KILL_TEXT = SENTENCE * 400  # ~80,000 characters: far more than any run types
FIELD = "risk_assessment.risk_assessment"


def _key_for(char: str):
    from PySide6.QtCore import Qt

    if char == "\n":
        return Qt.Key.Key_Return, "\r"
    if char.isascii() and char.isalnum():
        return Qt.Key(ord(char.upper())), char
    if char == " ":
        return Qt.Key.Key_Space, char
    return Qt.Key.Key_unknown, char


def main(argv: list[str]) -> int:
    wait = argv[-1] == "--wait"
    if wait:
        argv = argv[:-1]
    if len(argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    data_dir, meeting_id, name, passphrase = argv[1], int(argv[2]), argv[3], argv[4]
    interval_ms = int(argv[5]) if len(argv) == 6 else 7

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from PySide6.QtCore import QEvent, Qt, QTimer
    from PySide6.QtGui import QKeyEvent, QTextCursor
    from PySide6.QtWidgets import QApplication

    from mappa_desktop.db.session import unlock
    from mappa_desktop.paths import DataPaths
    from mappa_desktop.ui.minute_editor import MinuteEditor

    app = QApplication([argv[0]])
    if wait:
        print(f"waiting {time.monotonic():.6f}", flush=True)
        if sys.stdin.readline().strip() != "go":
            return 0  # not needed after all
    session = unlock(DataPaths(Path(data_dir)), name=name, passphrase=passphrase)
    out = sys.stdout
    save_fields = session.store.minutes.save_fields

    def traced_save(meeting, section_key, values):
        # Tells the test when a commit is under way, so that it can count kills that
        # landed in the middle of one.
        length = len(values.get("risk_assessment") or "")
        out.write(f"saving {length} {time.monotonic():.6f}\n")
        out.flush()
        save_fields(meeting, section_key, values)
        out.write(f"saved {length} {time.monotonic():.6f}\n")
        out.flush()

    session.store.minutes.save_fields = traced_save
    editor = MinuteEditor(session.store, meeting_id, autosave_ms=1000)
    editor.resize(1300, 800)
    editor.show()
    editor.activateWindow()
    editor.go_to("risk_assessment")
    field = editor.field(FIELD)
    field.setFocus()
    field.moveCursor(QTextCursor.MoveOperation.End)

    stored = field.toPlainText()
    if not KILL_TEXT.startswith(stored):
        print(f"the stored text is not a prefix of the kill text (length {len(stored)}): "
              f"{stored[-80:]!r}", file=sys.stderr)
        return 3
    state = {"pos": len(stored)}

    def type_one() -> None:
        pos = state["pos"]
        if pos >= len(KILL_TEXT):
            print("ran out of text to type", file=sys.stderr)
            app.exit(4)
            return
        char = KILL_TEXT[pos]
        key, text = _key_for(char)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(field, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text))
        if field.document().characterCount() - 1 != pos + 1:  # the key did not land
            print(f"the field holds {field.document().characterCount() - 1} characters after "
                  f"typing {pos + 1}", file=sys.stderr)
            app.exit(5)
            return
        state["pos"] = pos + 1
        out.write(f"typed {pos + 1} {time.monotonic():.6f}\n")
        out.flush()

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(interval_ms)
    timer.timeout.connect(type_one)
    out.write(f"ready {len(stored)} {time.monotonic():.6f}\n")
    out.flush()
    timer.start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
