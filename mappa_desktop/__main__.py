"""``python -m mappa_desktop``: the window, or an administrator's command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
