"""PyInstaller entry script for both bundled executables (see build.spec).

mappa_desktop/__main__.py uses a relative import, which does not work as a frozen
script, so the bundle starts here instead. Keep it to these lines.
"""

import sys

from mappa_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
