"""Find in minutes: words, "an exact phrase" or the start of a word*, across every minute
(best first) or within one case (newest first). Enter opens the minute at the place found,
with the words highlighted. Searching is not logged; opening a result is (a consultation)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QKeySequence, QPalette, QShortcut, QTextDocument
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from ..dates import format_date
from .widgets import plain_label
from ..words import plural

PAGE = 20


def hit_html(hit) -> str:
    """Two lines: where (case, date, section) and the snippet, the words found marked.
    Every piece of stored text is escaped: this is the only markup."""
    where = " · ".join(x for x in (hit.reference, format_date(hit.meeting_date), hit.where) if x)
    parts = []
    for piece, found in hit.snippet.pieces():
        text = escape(piece)
        parts.append(f'<span style="background:#ffe27a; font-weight:bold;">{text}</span>' if found else text)
    return f"<b>{escape(where)}</b><br/>{''.join(parts) or '<i>(no text)</i>'}"


class HitsModel(QAbstractListModel):
    HIT_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None):
        super().__init__(parent)
        self.hits: list = []

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit_html(hit)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{hit.reference}, {format_date(hit.meeting_date)}, {hit.where}: {hit.snippet.text}"
        if role == self.HIT_ROLE:
            return hit
        return None

    def set_hits(self, hits, *, append: bool = False) -> None:
        if append:
            self.beginInsertRows(QModelIndex(), len(self.hits), len(self.hits) + len(hits) - 1)
            self.hits.extend(hits)
            self.endInsertRows()
        else:
            self.beginResetModel()
            self.hits = list(hits)
            self.endResetModel()


class HitDelegate(QStyledItemDelegate):
    """Draws a result's two lines of escaped rich text, wrapped to the view's width."""

    def _document(self, option, html: str) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setHtml(html)
        document.setTextWidth(max(200, option.rect.width() - 16))
        return document

    def paint(self, painter, option, index) -> None:
        self.initStyleOption(option, index)
        html = option.text
        option.text = ""
        style = option.widget.style() if option.widget else None
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        document = self._document(option, html)
        context = QAbstractTextDocumentLayout.PaintContext()
        if option.state & QStyle.StateFlag.State_Selected:
            context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.HighlightedText))
        painter.save()
        painter.translate(option.rect.left() + 8, option.rect.top() + 5)
        painter.setClipRect(QRectF(0, 0, option.rect.width() - 16, option.rect.height() - 5))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        self.initStyleOption(option, index)
        document = self._document(option, option.text)
        return QSize(int(document.idealWidth()), int(document.size().height()) + 10)


class SearchPage(QWidget):
    """The search box, an optional case, the results; ``open_hit(hit, query)`` on Enter."""

    open_hit = Signal(object, str)

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        title = plain_label("Find in minutes")
        title.setObjectName("pageTitle")
        self.query = QLineEdit()
        self.query.setPlaceholderText('Words, "an exact phrase", or the start of a word*…')
        self.query.setClearButtonEnabled(True)
        self.query.setAccessibleName("Find in minutes")
        self.case = QLineEdit()
        self.case.setPlaceholderText("All cases")
        self.case.setClearButtonEnabled(True)
        self.case.setAccessibleName("Within the case (reference)")
        self.case.setMaximumWidth(220)
        self._references: dict[str, int] = {}
        self.count_label = plain_label("")
        self.count_label.setObjectName("muted")
        self.results = QListView()
        self.results.setAccessibleName("Places found")
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        self.results.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.model = HitsModel(self)
        self.results.setModel(self.model)
        self.results.setItemDelegate(HitDelegate(self.results))
        self.more_button = QPushButton("&More results")
        self.more_button.hide()
        note = plain_label("Search covers the text typed into every minute: sections, agency updates, "
                           "disclosure reasons, actions and outcomes, addenda, documents tabled and "
                           "Significant Case Reviews. Searching is not logged; opening a result is logged "
                           "as a consultation of that minute.")
        note.setObjectName("muted")
        note.setWordWrap(True)

        find_label = QLabel("Fin&d")
        find_label.setBuddy(self.query)
        case_label = QLabel("In &case")
        case_label.setBuddy(self.case)
        top = QHBoxLayout()
        top.addWidget(find_label)
        top.addWidget(self.query, 1)
        top.addWidget(case_label)
        top.addWidget(self.case)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addLayout(top)
        layout.addWidget(self.count_label)
        layout.addWidget(self.results, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(note, 1)
        bottom.addWidget(self.more_button)
        layout.addLayout(bottom)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self.run)
        self.query.textChanged.connect(lambda _t: self._debounce.start())
        self.case.textChanged.connect(lambda _t: self._debounce.start())
        self.query.returnPressed.connect(self._enter_in_box)
        self.results.activated.connect(self._activated)
        self.more_button.clicked.connect(self.more)
        QShortcut(QKeySequence.StandardKey.Find, self, self.query.setFocus)

    def showEvent(self, event) -> None:
        # References for the case box: read when the page is shown, not at start-up.
        self._references = {r.reference.casefold(): r.id for r in self.store.cases.rows(status=None)}
        completer = QCompleter(sorted(r for r in self._references), self.case)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.case.setCompleter(completer)
        super().showEvent(event)
        self.query.setFocus()

    def case_id(self) -> int | None:
        return self._references.get(self.case.text().strip().casefold())

    def run(self) -> None:
        """Search now (typing waits 200 ms for a pause)."""
        self._debounce.stop()
        text = self.query.text()
        case_typed = self.case.text().strip()
        case_id = self.case_id()
        if case_typed and case_id is None:
            self.model.set_hits([])
            self.count_label.setText("No case has that reference.")
            self.more_button.hide()
            return
        from ..db.errors import StoreError

        try:
            hits = self.store.search.search(text, case_id=case_id, limit=PAGE)
            # A short first page is the whole count; only a full one needs counting.
            total = len(hits) if len(hits) < PAGE else self.store.search.count(text, case_id=case_id)
        except StoreError as exc:
            self.model.set_hits([])
            self.count_label.setText(f"The search could not be made: {exc.reason}.")
            self.more_button.hide()
            return
        self.model.set_hits(hits)
        if not text.strip():
            self.count_label.setText("")
        elif not hits:
            self.count_label.setText("Nothing found. Try fewer words, or the start of a word followed by * (alco*).")
        else:
            from ..db.search import RANKED

            order = f"in {case_typed.upper()}, newest first" if case_id else "best first"
            common = (f" A very common word: the best of the {RANKED:,} most recent places are listed; "
                      "add words, or a case, to narrow it." if total > RANKED and not case_id else "")
            self.count_label.setText(f"{len(hits)} of {plural(total, 'place')}, {order}. "
                                     f"Enter opens the minute there.{common}")
        self.more_button.setVisible(len(hits) == PAGE)
        if hits:
            self.results.setCurrentIndex(self.model.index(0))

    def more(self) -> None:
        from ..db.errors import StoreError

        try:
            hits = self.store.search.search(self.query.text(), case_id=self.case_id(), limit=PAGE,
                                            offset=len(self.model.hits))
        except StoreError as exc:
            self.count_label.setText(f"The search could not be made: {exc.reason}.")
            return
        self.model.set_hits(hits, append=True)
        self.more_button.setVisible(len(hits) == PAGE)

    def _enter_in_box(self) -> None:
        if self._debounce.isActive() or not self.model.hits:
            self.run()
            self.results.setFocus()
            return
        self._activated(self.results.currentIndex())

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_hit.emit(index.data(HitsModel.HIT_ROLE), self.query.text())

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Down and (self.query.hasFocus() or self.case.hasFocus()):
            self.results.setFocus()
            return
        super().keyPressEvent(event)

    def location(self) -> dict:
        return {}  # the query may hold a name: nothing of it is kept across a lock
