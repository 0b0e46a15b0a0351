"""The application's look, in one place: calm, high-contrast, readable at arm's length.

Every colour is named once in ``COLOURS``; the style sheet and the palette are built from
them, and ``CONTRAST`` lists which colour is read against which, so a test can hold each
pair to WCAG 2.2 AA (4.5:1 for text, 3:1 for focus indicators and field borders).

Every control that takes the keyboard draws a focus frame in ``COLOURS["focus"]``, drawn
by this style sheet on every platform rather than left to the platform's style. The
unfocused state keeps a transparent frame of the same width, so nothing moves when the
focus arrives.
"""

from __future__ import annotations

COLOURS = {
    "text": "#1a1a1a",
    "base": "#ffffff",  # fields, lists, tables
    "window": "#efefef",  # the ground of pages and dialogs
    "button": "#f7f7f7",
    "muted": "#595959",  # secondary text: hints, counts, notes
    "heading": "#1f3d57",
    "guidance": "#4a4a4a",
    "error": "#9b1c1c",
    "warning": "#7a4b00",
    "success": "#1d6b35",
    "progress": "#595959",
    "focus": "#0b5cad",
    "accent": "#1f5f8b",  # the navigation's and the lists' selection
    "on_accent": "#ffffff",
    "border": "#767676",  # field and button borders
    "placeholder": "#6b6b6b",
    "disabled": "#767676",
    "attention": "#fff8e6",  # the "coming up" box of a case
    "attention_border": "#b07d00",
    "focus_fill": "#dce9f5",
    "highlight_found": "#ffe27a",  # words found by a search
    "preview": "#4d4d4d",  # the ground the preview's pages lie on
}

#: (foreground, background, what it is, the ratio WCAG 2.2 AA asks for).
CONTRAST = (
    ("text", "base", "text in fields and lists", 4.5),
    ("text", "window", "text on pages", 4.5),
    ("text", "button", "button text", 4.5),
    ("muted", "window", "hints and counts", 4.5),
    ("muted", "base", "hints in lists and forms", 4.5),
    ("heading", "window", "section titles", 4.5),
    ("guidance", "window", "guidance", 4.5),
    ("error", "window", "error messages", 4.5),
    ("error", "base", "error messages on white", 4.5),
    ("warning", "window", "warnings", 4.5),
    ("warning", "attention", "warnings in the coming-up box", 4.5),
    ("error", "attention", "passed dates in the coming-up box", 4.5),
    ("success", "window", "success messages", 4.5),
    ("progress", "window", "work in progress", 4.5),
    ("on_accent", "accent", "selected items", 4.5),
    ("placeholder", "base", "placeholder text", 4.5),
    ("text", "highlight_found", "words found by a search", 4.5),
    ("text", "focus_fill", "a focused link", 4.5),
    ("on_accent", "error", "the damaged-store banner and NOT SAVED", 4.5),
    ("on_accent", "preview", "the note on the empty preview", 4.5),
    ("on_accent", "success", "a plan entry marked added", 4.5),
    ("on_accent", "muted", "a plan entry marked ended", 4.5),
    ("muted", "base", "a plan entry carried over", 4.5),
    ("focus", "window", "focus frame on a page", 3.0),
    ("focus", "base", "focus frame on a field or list", 3.0),
    ("focus", "button", "focus frame around a button", 3.0),
    ("focus", "attention", "focus frame in the coming-up box", 3.0),
    ("border", "window", "field and button borders", 3.0),
    ("border", "base", "field borders on white", 3.0),
)

_C = COLOURS

STYLE_SHEET = f"""
QListWidget#navigation {{
    border: 2px solid transparent;
    border-right: 1px solid {_C['border']};
    background: {_C['base']};
    font-size: 11pt;
    padding-top: 8px;
}}
QListWidget#navigation:focus {{ border: 2px solid {_C['focus']}; }}
QListWidget#navigation::item {{ padding: 7px 14px; }}
QListWidget#navigation::item:selected {{ background: {_C['accent']}; color: {_C['on_accent']}; }}
QFrame#gateCard {{ background: {_C['base']}; border: 1px solid {_C['border']}; border-radius: 6px; }}

/* Messages: one look per kind, with an icon drawn before the words (ui/messages.py). */
QLabel#formMessage, QLabel#fieldError {{ color: {_C['error']}; font-weight: bold; }}
QLabel#formMessage[kind="warning"], QLabel#fieldError[kind="warning"] {{ color: {_C['warning']}; }}
QLabel#formMessage[kind="success"] {{ color: {_C['success']}; }}
QLabel#formMessage[kind="progress"] {{ color: {_C['progress']}; font-weight: normal; }}
QLabel#muted {{ color: {_C['muted']}; }}
QLabel#saveStatus {{ padding: 0 8px; }}
QLabel#saveStatus[state="error"] {{ color: {_C['on_accent']}; background: {_C['error']}; font-weight: bold; }}
QLabel#storeAlert {{ background: {_C['error']}; color: {_C['on_accent']}; padding: 8px 12px; font-weight: bold; }}
QLabel#pageTitle {{ font-size: 15pt; font-weight: bold; }}
QLabel#sectionTitle {{ font-size: 12pt; font-weight: bold; color: {_C['heading']}; }}
QLabel#guidance, QLabel#choiceHelp, QLabel#caption {{ color: {_C['guidance']}; }}
QLabel#caseSummary {{ font-size: 11pt; }}
QLabel#overdue {{ color: {_C['error']}; font-weight: bold; }}
QLabel#warning {{ color: {_C['warning']}; }}
QFrame#attentionBox {{ background: {_C['attention']}; border: 1px solid {_C['attention_border']}; border-radius: 4px; }}
QFrame#repeatingRow {{ background: {_C['base']}; }}
QWidget#previewPages {{ background: {_C['preview']}; }}
QLabel#previewNote {{ color: {_C['on_accent']}; font-size: 11pt; }}

/* Fields: a border that reads against the page, a thicker frame in the focus colour. */
QLineEdit, QPlainTextEdit, QTextEdit, QSpinBox, QDoubleSpinBox {{
    border: 1px solid {_C['border']}; border-radius: 3px; padding: 3px;
    background: {_C['base']};
    selection-background-color: {_C['accent']}; selection-color: {_C['on_accent']};
}}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus {{
    border: 2px solid {_C['focus']}; padding: 2px;
}}
QLineEdit:read-only, QPlainTextEdit[readOnly="true"] {{ background: {_C['window']}; }}
QLineEdit:disabled, QSpinBox:disabled {{ color: {_C['disabled']}; }}
QComboBox {{
    border: 1px solid {_C['border']}; border-radius: 3px; padding: 3px 6px;
    background: {_C['base']}; min-height: 1.3em;
    selection-background-color: {_C['accent']}; selection-color: {_C['on_accent']};
}}
QComboBox:focus {{ border: 2px solid {_C['focus']}; padding: 2px 5px; }}
QComboBox:disabled {{ color: {_C['disabled']}; background: {_C['window']}; }}
QComboBox::drop-down {{ border: none; width: 20px; subcontrol-origin: padding; subcontrol-position: center right; }}
QComboBox::down-arrow {{ image: url(@ICONS@/down-arrow.png); width: 10px; height: 6px; }}
QComboBox::down-arrow:disabled {{ image: url(@ICONS@/down-arrow-disabled.png); }}
QSpinBox::up-button, QSpinBox::down-button, QDoubleSpinBox::up-button, QDoubleSpinBox::down-button {{
    border: none; width: 16px; subcontrol-origin: border;
}}
QSpinBox::up-button, QDoubleSpinBox::up-button {{ subcontrol-position: top right; }}
QSpinBox::down-button, QDoubleSpinBox::down-button {{ subcontrol-position: bottom right; }}
QSpinBox::up-arrow, QDoubleSpinBox::up-arrow {{ image: url(@ICONS@/up-arrow.png); width: 8px; height: 5px; }}
QSpinBox::down-arrow, QDoubleSpinBox::down-arrow {{ image: url(@ICONS@/down-arrow.png); width: 8px; height: 5px; }}
QGroupBox#radioGroup {{ border: none; margin: 0; padding: 0; }}
QGroupBox#differenceRow {{ border: 1px solid {_C['border']}; border-radius: 4px; background: {_C['base']}; }}

/* Buttons. */
QPushButton {{
    border: 1px solid {_C['border']}; border-radius: 4px; padding: 5px 12px;
    background: {_C['button']};
}}
QPushButton:hover {{ background: {_C['focus_fill']}; }}
QPushButton:pressed {{ background: #c9dcee; }}
QPushButton:default {{ border-color: {_C['accent']}; }}
QPushButton:focus {{ border: 2px solid {_C['focus']}; padding: 4px 11px; }}
QPushButton:disabled {{ color: {_C['disabled']}; background: {_C['window']}; border-color: #b4b4b4; }}
QPushButton:flat {{ border: 2px solid transparent; background: transparent; padding: 4px 11px; }}
QPushButton:flat:focus {{ border: 2px solid {_C['focus']}; }}
QPushButton#meetingLink {{ text-align: left; padding: 4px; border: 2px solid transparent; background: transparent; }}
QPushButton#meetingLink:focus {{ background: {_C['focus_fill']}; border: 2px solid {_C['focus']}; }}
QToolButton {{ border: 2px solid transparent; border-radius: 3px; padding: 1px; }}
QToolButton:focus {{ border: 2px solid {_C['focus']}; }}
QCheckBox, QRadioButton {{ border: 2px solid transparent; border-radius: 3px; padding: 1px 3px; }}
QCheckBox:focus, QRadioButton:focus {{ border: 2px solid {_C['focus']}; }}

/* Lists, tables, tabs and areas that scroll with the keys. */
QAbstractItemView {{
    border: 2px solid transparent; outline: none;
    selection-background-color: {_C['accent']}; selection-color: {_C['on_accent']};
    alternate-background-color: #f4f6f8;
}}
QAbstractItemView:focus {{ border: 2px solid {_C['focus']}; }}
QHeaderView {{ border: none; }}
QTabBar {{ border: 2px solid transparent; }}
QTabBar:focus {{ border: 2px solid {_C['focus']}; }}
QScrollArea[keys="true"] {{ border: 2px solid transparent; }}
QScrollArea[keys="true"]:focus {{ border: 2px solid {_C['focus']}; }}
QLabel[selectable="true"] {{ border: 2px solid transparent; }}
QLabel[selectable="true"]:focus {{ border: 2px solid {_C['focus']}; }}

/* The risk management plan: what each entry's change is, in words and colour. */
QLabel#planChange {{ font-weight: bold; padding: 1px 6px; border-radius: 3px; }}
QLabel#planChange[change="added"] {{ color: {_C['on_accent']}; background: {_C['success']}; }}
QLabel#planChange[change="changed"] {{ color: {_C['on_accent']}; background: {_C['accent']}; }}
QLabel#planChange[change="ended"] {{ color: {_C['on_accent']}; background: {_C['muted']}; }}
QLabel#planChange[change="carried"] {{ color: {_C['muted']}; }}
QLabel#entryTitle {{ font-weight: bold; }}
QLabel#pillarTitle {{ font-size: 11pt; font-weight: bold; color: {_C['heading']}; }}
QFrame#pillarBox {{ border-top: 1px solid {_C['border']}; }}
QFrame#planEnded {{ background: {_C['window']}; }}
"""


def install() -> None:
    """Give the application this look (once): the Fusion style on every platform, its
    palette from ``COLOURS``, and the style sheet. Windows and dialogs call it, so a
    dialog shown on its own looks and behaves like the rest."""
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None or app.property("mappaStyle"):
        return
    app.setProperty("mappaStyle", True)
    if app.style().name().lower() != "fusion":  # already it on most Linux desktops: no rebuild
        app.setStyle("Fusion")
    palette = app.palette()
    roles = {
        QPalette.ColorRole.WindowText: "text", QPalette.ColorRole.Text: "text",
        QPalette.ColorRole.ButtonText: "text", QPalette.ColorRole.Base: "base",
        QPalette.ColorRole.Window: "window", QPalette.ColorRole.Button: "button",
        QPalette.ColorRole.Highlight: "accent", QPalette.ColorRole.HighlightedText: "on_accent",
        QPalette.ColorRole.PlaceholderText: "placeholder", QPalette.ColorRole.Link: "focus",
    }
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for role, name in roles.items():
            palette.setColor(group, role, QColor(COLOURS[name]))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(COLOURS["disabled"]))
    app.setPalette(palette)
    app.setStyleSheet(style_sheet())


def style_sheet() -> str:
    """The style sheet with the path of its arrow images (``resources/icons``, files on disk
    in every install and in the bundle)."""
    from pathlib import Path

    import mappa_desktop.resources as resources

    icons = Path(resources.__file__).resolve().parent / "icons"
    return STYLE_SHEET.replace("@ICONS@", icons.as_posix())
