"""Guards against a Qt binding that corrupts reference counts (PySide6 6.12.0 did: every
signal emitted with no receiver dropped a reference, and the process aborted)."""

import subprocess
import sys

SCRIPT = """
import sys
from PySide6.QtCore import QObject, Signal
class Emitter(QObject):
    flag = Signal(bool)
    value = Signal(int, object)
e = Emitter()
before = sys.getrefcount(True), sys.getrefcount(None)
for _ in range(5000):
    e.flag.emit(True)
    e.value.emit(1, None)
after = sys.getrefcount(True), sys.getrefcount(None)
print(before, after)
# The broken binding loses one reference per emit (5000 here); unrelated interpreter
# bookkeeping may move a count by a little either way.
drift = max(abs(a - b) for a, b in zip(before, after))
sys.exit(0 if drift < 100 else 3)
"""


def test_emitting_signals_keeps_reference_counts():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr[-500:])
