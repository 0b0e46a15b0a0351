"""The look: every colour pair the style uses meets WCAG 2.2 AA (4.5:1 for text, 3:1 for
focus frames and borders), computed from the colours themselves and from the palette the
running application really has; and one message look per kind, never colour alone."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from mappa_desktop.ui import style
from mappa_desktop.ui.messages import ERROR, PROGRESS, SUCCESS, WARNING, MessageLabel


def luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of an sRGB colour."""
    value = QColor(colour)

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(value.red()) + 0.7152 * channel(value.green()) + 0.0722 * channel(value.blue())


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_formula_gives_the_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic AA grey
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize("foreground, background, what, needed", style.CONTRAST)
def test_each_colour_pair_meets_wcag_aa(foreground, background, what, needed):
    ratio = contrast(style.COLOURS[foreground], style.COLOURS[background])
    assert ratio >= needed, f"{what}: {ratio:.2f}:1, needs {needed}:1"


def test_every_colour_in_the_style_sheet_is_a_named_one():
    """No colour slips into the sheet unnamed (so none escapes the pairs above), apart from
    the shades of a pressed button, a disabled button's border and alternate table rows."""
    named = {c.lower() for c in style.COLOURS.values()}
    used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}", style.STYLE_SHEET)}
    assert used - named <= {"#c9dcee", "#b4b4b4", "#f4f6f8"}, used - named


def test_the_running_palette_is_the_styles(qapp):
    """The roles a widget draws text with, read from the application after install()."""
    style.install()
    palette = QApplication.instance().palette()
    pairs = [
        (QPalette.ColorRole.Text, QPalette.ColorRole.Base, 4.5),
        (QPalette.ColorRole.WindowText, QPalette.ColorRole.Window, 4.5),
        (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Button, 4.5),
        (QPalette.ColorRole.HighlightedText, QPalette.ColorRole.Highlight, 4.5),
        (QPalette.ColorRole.PlaceholderText, QPalette.ColorRole.Base, 4.5),
    ]
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for fg, bg, needed in pairs:
            ratio = contrast(palette.color(group, fg).name(), palette.color(group, bg).name())
            assert ratio >= needed, (group, fg, bg, ratio)


def _colour_of(label) -> str:
    label.ensurePolished()
    return label.palette().color(QPalette.ColorRole.WindowText).name()


def test_each_kind_of_message_has_its_own_look_icon_and_word(qtbot):
    """A success is green with a tick, a warning amber with a triangle, an error red with a
    cross; the kind is in the accessible name too. Progress is plain, without an icon."""
    style.install()
    label = MessageLabel()
    qtbot.addWidget(label)
    label.resize(400, 40)
    label.show()
    seen = {}
    for kind, say in ((SUCCESS, label.success), (WARNING, label.warning), (ERROR, label.error),
                      (PROGRESS, label.progress)):
        say("Saved (2 pages).")
        assert label.property("kind") == kind
        seen[kind] = _colour_of(label)
        image = label.grab().toImage()
        icon = {image.pixelColor(x, y).name() for x in range(0, 18) for y in range(0, image.height())}
        if kind == PROGRESS:
            assert label.contentsMargins().left() == 0
            assert label.accessibleName() == "Saved (2 pages)."
        else:
            # The icon is drawn in the kind's colour before the words (not colour alone).
            assert style.COLOURS[kind] in icon, kind
            assert label.accessibleName().startswith({SUCCESS: "Done:", WARNING: "Warning:", ERROR: "Error:"}[kind])
    assert seen[SUCCESS] == style.COLOURS["success"] and seen[ERROR] == style.COLOURS["error"]
    assert len(set(seen.values())) == 4
    label.setText("NOT SAVED: the disk is full")  # what a form reports beside itself: an error
    assert label.kind == ERROR and label.accessibleName().startswith("Error:")


def test_the_images_the_style_sheet_names_are_there():
    """A drop-down's arrow is an image: a missing file would draw no arrow at all."""
    from pathlib import Path

    paths = re.findall(r"url\(([^)]+)\)", style.style_sheet())
    assert paths and all(Path(p).is_file() for p in paths), paths
