"""MAPPA Desktop: offline minutes, action register and printouts for MAPPA meetings.

The core (everything but ``mappa_desktop.ui``) never imports Qt; a test proves it.
"""

APP_NAME = "MAPPA Desktop"
APP_ID = "mappa-desktop"
__version__ = "0.1.0"
