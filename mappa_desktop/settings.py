"""The area's settings, declared once with their defaults. Stored in the encrypted store;
window geometry and other per-machine state live in QSettings instead."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


def default_confidentiality_statement() -> str:
    text = resources.files("mappa_desktop.resources").joinpath(
        "texts/confidentiality_statement.txt"
    )
    return " ".join(text.read_text(encoding="utf-8").split())


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    default: object
    help: str = ""


SETTINGS: tuple[Setting, ...] = (
    Setting("area_name", "MAPPA area", "", "The area's name, printed on every minute."),
    Setting(
        "protective_marking",
        "Protective marking",
        "OFFICIAL-SENSITIVE",
        "Printed at the top and bottom of every page.",
    ),
    Setting(
        "confidentiality_statement",
        "Confidentiality statement",
        None,  # filled from resources/texts at first read
        "Read out at the start of each meeting.",
    ),
    Setting(
        "idle_lock_minutes",
        "Lock after idle (minutes)",
        5,
        "Between 1 and 15.",
    ),
    Setting(
        "summary_sections",
        "What an executive summary keeps",
        None,  # the printing layer's safe default
        "Sections or section.fields kept in an executive summary; everything else is left out.",
    ),
    Setting(
        "retention_years",
        "Retention period (years)",
        7,
        "Archived cases with no activity for this long are listed for erasure. Each agency sets its own.",
    ),
    Setting(
        "backup_keep",
        "Automatic backups kept",
        10,
        "Daily and on-close copies beyond this number are removed, oldest first.",
    ),
)

_BY_KEY = {s.key: s for s in SETTINGS}


def declared(key: str) -> Setting:
    return _BY_KEY[key]


def default_of(key: str) -> object:
    if key == "confidentiality_statement":
        return default_confidentiality_statement()
    if key == "summary_sections":
        from .printing.summary import DEFAULT_SUMMARY_SECTIONS

        return list(DEFAULT_SUMMARY_SECTIONS)
    return declared(key).default
