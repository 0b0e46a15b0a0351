"""The audit log viewer: filter by user, kind, record and date; verify the log (its chain,
every author's signature, the finished records it seals, the anchors in the backups'
manifests) on the worker, naming the first entry that is wrong; export as CSV or PDF
(itself logged as a disclosure, with recipient and purpose)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..dates import UK, DateError, format_datetime_local
from ..model import AUDIT_KINDS
from .fields import DateField
from .table_models import LazyIdModel
from ..words import plural
from .messages import message_label
from .widgets import fit_columns, form_row, label_for, plain_label

#: The filters' names for screen readers (the captions are one word each).
FILTER_NAMES = {"&User": "Entries by user", "&Kind": "Kind of entry", "Rec&ord": "Kind of record",
                "I&d": "Record id", "Fro&m": "Entries from (date)", "&To": "Entries to (date)"}


class AuditModel(LazyIdModel):
    """Audit entries by id, newest first, fetched in pages."""

    HEADERS = ("When", "User", "Kind", "Record", "Id", "Detail", "Recipient", "Purpose")
    PAGE = 300

    def __init__(self, store, parent=None):
        from ..db.audit import audit_rows

        super().__init__(lambda ids: audit_rows(store, ids), parent)
        self.store = store
        self.users = {u.id: u.name for u in store.users.all()}

    def set_query(self, query) -> None:
        from ..db.audit import audit_ids

        self.set_ids(audit_ids(self.store, query))

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        e = self.record(index.row())
        if e is None:
            return None
        return (format_datetime_local(e.at), self.users.get(e.user_id, ""), e.kind.capitalize(), e.record_type,
                "" if e.record_id is None else str(e.record_id), e.detail, e.recipient, e.purpose)[index.column()]


class DisclosureDialog(QDialog):
    """Who receives what is printed or exported, and why: required, and logged."""

    def __init__(self, what: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Disclosure")
        self.recipient = QLineEdit()
        self.purpose = QLineEdit()
        form = QFormLayout(self)
        note = plain_label(f"{what} is a disclosure and goes in the audit log. Say who it is for and why.")
        note.setWordWrap(True)
        form.addRow(note)
        for caption, edit in (("&Recipient", self.recipient), ("&Purpose", self.purpose)):
            form_row(form, caption, edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        for edit in (self.recipient, self.purpose):
            edit.textChanged.connect(self._update)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.recipient.text().strip() and self.purpose.text().strip()))


def save_disclosed_file(store, path: str, data: bytes, *, record_type: str, record_id, recipient: str,
                        purpose: str, detail: str) -> None:
    """Write the file and log the disclosure in one step (see ``db.exports``)."""
    from ..db.exports import save_disclosed_file as save

    save(store, path, data, record_type=record_type, record_id=record_id, recipient=recipient,
         purpose=purpose, detail=detail)


class AuditPage(QWidget):
    exported = Signal(str)
    PDF_LIMIT = 5000  # rendered here, not on the worker: keep it to what a reader can use

    verified = Signal(object)  # the ChainReport

    def __init__(self, store, parent=None, *, tasks=None):
        super().__init__(parent)
        self.store = store
        self.tasks = tasks
        self.report = None
        title = plain_label("Audit log")
        title.setObjectName("pageTitle")
        note = plain_label("Every collection, change, consultation, disclosure, combination and erasure, "
                           "with who and when (Data Protection Act 2018, s.62). Entries cannot be changed; "
                           "each holds the fingerprint of the one before and is signed by its author.")
        note.setWordWrap(True)
        self.user = QComboBox()
        self.user.addItem("Anyone", None)
        for u in store.users.all():
            self.user.addItem(u.name, u.id)
        self.kind = QComboBox()
        self.kind.addItem("Any kind", "")
        for kind in AUDIT_KINDS:
            self.kind.addItem(kind.capitalize(), kind)
        self.record_type = QComboBox()
        self.record_type.addItem("Any record", "")
        for value, label in (("case", "Case"), ("meeting", "Meeting"), ("action", "Action"), ("user", "User"),
                             ("audit_log", "Audit log"), ("setting", "Setting")):
            self.record_type.addItem(label, value)
        self.record_id = QSpinBox()
        self.record_id.setRange(0, 2_000_000_000)
        self.record_id.setSpecialValueText("any id")
        self.since, self.until = DateField(), DateField()
        self.count = plain_label("")
        self.count.setObjectName("muted")
        self.model = AuditModel(store, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Audit entries")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        fit_columns(self.table, stretch=(AuditModel.HEADERS.index("Detail"),), widest=220)
        self.verify_button = QPushButton("&Verify the log")
        self.verify_progress = QProgressBar()
        self.verify_progress.setMaximumWidth(160)
        self.verify_progress.setAccessibleName("Verification progress")
        self.verify_progress.hide()
        self.export_button = QPushButton("E&xport CSV…")
        self.pdf_button = QPushButton("Export &PDF…")
        self.message = message_label()
        filters = QHBoxLayout()
        for caption, widget in (("&User", self.user), ("&Kind", self.kind), ("Rec&ord", self.record_type),
                                ("I&d", self.record_id), ("Fro&m", self.since), ("&To", self.until)):
            label = label_for(QLabel(caption), widget, FILTER_NAMES.get(caption, ""))
            filters.addWidget(label)
            filters.addWidget(widget)
        filters.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count)
        buttons.addStretch(1)
        buttons.addWidget(self.verify_progress)
        buttons.addWidget(self.verify_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.pdf_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)  # a verification can say several things: a row of its own
        layout.addLayout(buttons)
        for box in (self.user, self.kind, self.record_type):
            box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.record_id.valueChanged.connect(lambda _v: self.refresh())
        for field in (self.since, self.until):
            field.edited.connect(self.refresh)
        self.verify_button.clicked.connect(self.verify)
        self.export_button.clicked.connect(lambda: self.export_csv())
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.refresh()

    def query(self):
        from ..db.audit import AuditQuery

        def bound(field, extra_days):
            try:
                day = field.value()
            except DateError:
                return ""
            if not day:
                return ""
            # Midnight UK time at the start of the day, as the UTC the log is kept in.
            local = datetime.combine(date.fromisoformat(day) + timedelta(days=extra_days), time(0), UK)
            return local.astimezone(timezone.utc).isoformat(timespec="seconds")

        return AuditQuery(user_id=self.user.currentData(), kind=self.kind.currentData(),
                          record_type=self.record_type.currentData(), record_id=self.record_id.value() or None,
                          since=bound(self.since, 0), until=bound(self.until, 1))

    def refresh(self) -> None:
        self.model.set_query(self.query())
        self.count.setText(plural(self.model.rowCount(), "entry"))

    def showEvent(self, event) -> None:
        self.refresh()
        super().showEvent(event)

    def verify(self) -> None:
        """Verify the whole log on the worker, through a read-only connection of its own."""
        from ..db.audit_check import verify_log
        from ..db.backup import manifest_anchors
        from ..db.store import Store

        paths, key = self.store.paths, bytes(self.store.key)
        anchors = dict((a, where) for a, where in reversed(manifest_anchors(paths.backups)))
        done = [0, max(1, self.store.audit.count())]

        def work():
            reader = Store.open_read_only(paths, key, full_check=False)
            try:
                return verify_log(reader, anchors=list(anchors), anchor_sources=anchors,
                                  progress=lambda n, total: done.__setitem__(slice(0, 2), [n, max(1, total)]))
            finally:
                reader.close()

        if self.tasks is None:
            self._verified(work())
            return
        self.verify_button.setEnabled(False)
        self.verify_progress.setRange(0, 100)
        self.verify_progress.setValue(0)
        self.verify_progress.show()
        self.message.progress("Verifying every entry and signature…")
        poll = QTimer(self)
        poll.timeout.connect(lambda: self.verify_progress.setValue(int(100 * done[0] / done[1])))
        poll.start(200)

        def finished(report) -> None:
            poll.stop()
            poll.deleteLater()
            self._verified(report)

        def failed(exc) -> None:
            poll.stop()
            poll.deleteLater()
            self.verify_button.setEnabled(True)
            self.verify_progress.hide()
            self.message.setText(f"The log could not be verified: {getattr(exc, 'reason', 'an unexpected error')}.")

        self.tasks.run(work, finished, failed)

    def _verified(self, report) -> None:
        self.report = report
        self.verify_button.setEnabled(True)
        self.verify_progress.hide()
        lines = report.lines()
        if report.first_broken_id is not None:
            text = (f"THE LOG WAS TAMPERED WITH: entry {report.first_broken_id} is wrong: {report.reason}. "
                    "Tell IT support (mappa-desktop check).")
        elif report.problems:
            text = (f"THE STORE WAS CHANGED OUTSIDE THE APPLICATION: {'; '.join(report.problems)}. "
                    "Tell IT support (mappa-desktop check).")
        else:
            text = f"The log verifies: {plural(report.entries, 'entry')}, each signed by its author, none changed or removed."
        extra = [line for line in lines[1:] if line not in report.problems]
        broken = report.first_broken_id is not None or report.problems
        self.message.say(" ".join([text, *extra]), "error" if broken else "success")
        self.verified.emit(report)

    def export_pdf(self, path: str | None = None, recipient: str | None = None, purpose: str | None = None) -> bool:
        """The entries listed now as a PDF (marked, paged), logged as a disclosure."""
        from .. import printing
        from ..db.audit import audit_rows
        from ..printouts import print_meta

        ids = self.model.ids()
        if len(ids) > self.PDF_LIMIT:
            self.message.warning(f"A PDF takes at most {self.PDF_LIMIT:,} entries: filter by user, kind, record "
                                 "or dates first. The CSV export takes any number.")
            return False
        rows = audit_rows(self.store, ids)
        meta = print_meta(self.store)
        result = printing.render_audit([rows[i] for i in ids], meta, user_names=self.model.users)
        return self._export(result.pdf, "PDF", "audit-log.pdf", "PDF files (*.pdf)", len(ids), path, recipient, purpose)

    def export_csv(self, path: str | None = None, recipient: str | None = None, purpose: str | None = None) -> bool:
        from ..audit_export import audit_csv
        from ..db.audit import audit_rows

        ids = self.model.ids()
        rows = audit_rows(self.store, ids)
        data = audit_csv((rows[i] for i in ids), self.model.users)
        return self._export(data, "CSV", "audit-log.csv", "CSV files (*.csv)", len(ids), path, recipient, purpose)

    def _export(self, data: bytes, what: str, suggested: str, pattern: str, count: int,
                path: str | None, recipient: str | None, purpose: str | None) -> bool:
        """Ask for recipient, purpose and file (or take them, for tests); write; log."""
        from ..db.errors import StoreError

        if recipient is None or purpose is None:
            dialog = DisclosureDialog("Exporting the audit log", self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            recipient, purpose = dialog.recipient.text().strip(), dialog.purpose.text().strip()
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export the audit log", suggested, pattern)
            if not path:
                return False
        try:
            save_disclosed_file(self.store, path, data, record_type="audit_log", record_id=None,
                                recipient=recipient, purpose=purpose, detail=f"{what} export of {plural(count, 'entry')}")
        except StoreError as exc:
            self.message.setText(f"NOT EXPORTED: {exc.reason}.")
            return False
        self.message.success(f"Exported {plural(count, 'entry')}. The export is in the audit log as a disclosure.")
        self.refresh()
        self.exported.emit(path)
        return True
