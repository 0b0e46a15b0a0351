"""The application's look, in one place: calm, high-contrast, readable at arm's length."""

STYLE_SHEET = """
QListWidget#navigation {
    border: none;
    border-right: 1px solid palette(mid);
    background: palette(base);
    font-size: 11pt;
    padding-top: 8px;
}
QListWidget#navigation::item { padding: 7px 14px; }
QListWidget#navigation::item:selected { background: #1f5f8b; color: white; }
QFrame#gateCard { background: palette(base); border: 1px solid palette(mid); border-radius: 6px; }
QLabel#formMessage { color: #9b1c1c; font-weight: bold; }
QLabel#muted { color: palette(dark); }
QLabel#saveStatus { padding: 0 8px; }
QLabel#saveStatus[state="error"] { color: white; background: #9b1c1c; font-weight: bold; }
QLabel#pageTitle { font-size: 15pt; font-weight: bold; }
"""
