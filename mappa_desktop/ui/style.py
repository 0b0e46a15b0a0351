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
QLabel#sectionTitle { font-size: 12pt; font-weight: bold; color: #1f3d57; }
QLabel#guidance, QLabel#choiceHelp { color: #4a4a4a; }
QLabel#caption { color: #4a4a4a; }
QLabel#caseSummary { font-size: 11pt; }
QLabel#overdue { color: #9b1c1c; font-weight: bold; }
QLabel#warning { color: #7a4b00; }
QFrame#attentionBox { background: #fff8e6; border: 1px solid #e6c877; border-radius: 4px; }
QFrame#repeatingRow { background: palette(base); }
QPushButton#meetingLink { text-align: left; padding: 4px; border: none; }
QPushButton#meetingLink:focus { background: #dce9f5; }
QLabel#planChange { font-weight: bold; padding: 1px 6px; border-radius: 3px; }
QLabel#planChange[change="added"] { color: white; background: #2f6b3a; }
QLabel#planChange[change="changed"] { color: white; background: #1f5f8b; }
QLabel#planChange[change="ended"] { color: white; background: #6b6b6b; }
QLabel#planChange[change="carried"] { color: palette(dark); }
QLabel#planError { color: #9b1c1c; font-weight: bold; }
QLabel#entryTitle { font-weight: bold; }
QLabel#pillarTitle { font-size: 11pt; font-weight: bold; color: #1f3d57; }
QFrame#pillarBox { border-top: 1px solid palette(mid); }
QFrame#planEnded { background: palette(window); }
"""
