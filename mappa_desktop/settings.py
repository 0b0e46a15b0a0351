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
    kind: str = "text"  # text / long_text / int / lines / sections (lines of minute section or field keys)
    low: int = 0
    high: int = 0


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
        kind="long_text",
    ),
    Setting(
        "idle_lock_minutes",
        "Lock after idle (minutes)",
        5,
        "Between 1 and 15.",
        kind="int",
        low=1,
        high=15,
    ),
    Setting(
        "summary_sections",
        "What an executive summary keeps",
        None,  # the printing layer's safe default
        "Tick what a summary keeps: a whole section, or some of its fields. Everything else is left "
        "out of the summary (not covered over).",
        kind="sections",
    ),
    Setting(
        "summary_plan",
        "Risk management plan in an executive summary",
        (),  # the safe default: left out
        "Empty: the summary leaves the plan out (victim safety entries name third parties). Otherwise one "
        "pillar per line that it keeps (supervision, monitoring, interventions, victim_safety, contingency), "
        "with what is done, the agency and when only.",
        kind="lines",
    ),
    Setting(
        "retention_years",
        "Retention period (years)",
        7,
        "Archived cases with no activity for this long are listed for erasure. Each agency sets its own.",
        kind="int",
        low=1,
        high=100,
    ),
    Setting(
        "bank_holidays",
        "Bank holidays",
        None,  # oversight.workdays.DEFAULT_RULES: Scotland's
        "Not working days, for the 20 working days from referral to the initial meeting. One "
        "rule per line: '25/12 Christmas Day', 'Easter -2 Good Friday', 'first Monday of May "
        "Early May bank holiday', or '08/05/2023 Coronation' for one year only. A holiday on "
        "a Saturday or Sunday moves to the next working day.",
        kind="lines",
    ),
    Setting(
        "backup_keep",
        "Automatic backups kept",
        10,
        "Daily and on-close copies beyond this number are removed, oldest first.",
        kind="int",
        low=1,
        high=100,
    ),
    Setting(
        "backup_folder",
        "Backup folder",
        "",
        "Empty: 'backups' in the data folder. Another folder on this computer (for example an "
        "encrypted external disk); never a network share or a cloud-synced folder.",
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
    if key == "bank_holidays":
        from .oversight.workdays import DEFAULT_RULES

        return list(DEFAULT_RULES)
    return declared(key).default


class SettingError(ValueError):
    """A value a setting cannot take; the message says what it can."""


def validate(key: str, value):
    """The value in stored form, or :class:`SettingError` with a plain message."""
    setting = declared(key)
    if setting.kind == "int":
        try:
            number = int(str(value).strip())
        except ValueError:
            raise SettingError(f"{setting.label}: a whole number.") from None
        if not setting.low <= number <= setting.high:
            raise SettingError(f"{setting.label}: between {setting.low} and {setting.high}.")
        return number
    if setting.kind in ("lines", "sections"):
        lines = [line.strip() for line in str(value).splitlines() if line.strip()]
        if key == "summary_sections":
            from .printing.summary import summary_selection

            try:
                summary_selection(lines)
            except ValueError as exc:
                raise SettingError(f"{setting.label}: {exc}.") from None
        if key == "bank_holidays":
            from .oversight.workdays import RuleError, parse_rules

            try:
                parse_rules(lines)
            except RuleError as exc:
                raise SettingError(f"{setting.label}: {exc}") from None
        if key == "summary_plan":
            from .spec import PLAN_PILLARS

            known = [c.value for c in PLAN_PILLARS]
            unknown = [line for line in lines if line not in known]
            if unknown:
                raise SettingError(f"{setting.label}: {unknown[0]!r} is not a pillar ({', '.join(known)}).")
        return lines
    text = str(value or "")
    if key == "backup_folder" and text.strip():
        from pathlib import Path

        from .paths import unsafe_location

        folder = Path(text.strip()).expanduser()
        if not folder.is_absolute():
            raise SettingError("Backup folder: give the full path of a folder.")
        refusal = unsafe_location(folder)
        if refusal:
            raise SettingError(f"Backup folder cannot be used: {refusal}.")
        return str(folder)
    return text if setting.kind == "long_text" else text.strip()


def bank_holiday_rules(store):
    """The area's bank holiday rules, read (a stored list was validated when saved)."""
    from .oversight.workdays import DEFAULT_RULES, RuleError, parse_rules

    try:
        return parse_rules(store.settings.get("bank_holidays"))
    except RuleError:  # cannot happen through the settings page; never fail a report on it
        return parse_rules(DEFAULT_RULES)


def backups_folder(store):
    """Where backups go: the setting, or 'backups' in the data folder."""
    from pathlib import Path

    chosen = store.settings.get("backup_folder")
    return Path(chosen) if chosen else store.paths.backups
