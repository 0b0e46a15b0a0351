"""The pages of the main window, in the order of its navigation: key, title, shortcut, the
name in the narrow rail, and how each is made (the first time it is shown, so that
unlocking builds only the page the person lands on)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


def _dashboard(window):
    from .dashboard import DashboardPage

    store = window.session.store
    page = DashboardPage(store, store.today)
    page.open_case.connect(window.open_case)
    page.open_meeting.connect(window.open_meeting)
    return page


def _cases(window):
    from .cases_area import CasesArea

    return CasesArea(window.session.store, window.tasks, kdf=window.kdf)


def _register(window):
    from .register_view import RegisterPage

    store = window.session.store
    page = RegisterPage(store, store.today)
    page.open_case.connect(window.open_case)
    return page


def _directory(window):
    from .directory_page import DirectoryPage

    return DirectoryPage(window.session.store)


def _users(window):
    from .users_page import UsersPage

    return UsersPage(window.session, window.kdf, tasks=window.tasks)


def _audit(window):
    from .audit_page import AuditPage

    return AuditPage(window.session.store, tasks=window.tasks)


def _retention(window):
    from .retention_page import RetentionPage

    return RetentionPage(window.session)


def _settings(window):
    from .settings_page import SettingsPage

    return SettingsPage(window.session)


def _reviews(window):
    from .scr_list import ReviewsPage

    page = ReviewsPage(window.session.store)
    page.open_case.connect(window.open_case)
    return page


def _search(window):
    from .search_page import SearchPage

    page = SearchPage(window.session.store)
    page.open_hit.connect(window.open_found)
    return page


def _oversight(window):
    from .oversight_page import OversightPage

    return OversightPage(window.session.store, window.tasks)


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    shortcut: str
    short: str  # the name in the narrow rail ("" : the title)
    make: Callable


PAGES: tuple[Page, ...] = (
    Page("dashboard", "Dashboard", "Ctrl+1", "", _dashboard),
    Page("cases", "Cases", "Ctrl+2", "", _cases),
    Page("register", "Action register", "Ctrl+3", "Register", _register),
    Page("directory", "Directory", "Ctrl+4", "", _directory),
    Page("users", "Users", "Ctrl+5", "", _users),
    Page("audit", "Audit log", "Ctrl+6", "Audit", _audit),
    Page("retention", "Retention", "Ctrl+7", "", _retention),
    Page("settings", "Settings", "Ctrl+8", "", _settings),
    Page("reviews", "Reviews", "Ctrl+9", "", _reviews),
    Page("search", "Find in minutes", "Ctrl+0", "Find", _search),
    Page("oversight", "Oversight", "Ctrl+Shift+O", "", _oversight),
)
