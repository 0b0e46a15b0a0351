"""Print, preview or save a printout. Rendering runs on the worker thread with a progress
bar and a Cancel button (closing the dialog, locking or quitting cancels it too); every
print and save asks who it is for and why, and is logged as a disclosure. The preview
shows page images (PDFium), drawn on white. A printout that fails writes a crash report."""

from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from .. import jobs
from ..words import plural
from .messages import message_label
from .widgets import form_row, plain_label, scroll_area

log = logging.getLogger(__name__)


def page_images(pdf: bytes, dpi: int = 96) -> list[QImage]:
    """The pages as images on a white ground (a PDF page is transparent where empty)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    images = []
    try:
        count = len(document)
        for number, page in enumerate(document):
            jobs.report(number, count, "Drawing the pages")
            bitmap = page.render(scale=dpi / 72, fill_color=(255, 255, 255, 255))
            pil = bitmap.to_pil().convert("RGB")
            data = pil.tobytes("raw", "RGB")
            image = QImage(data, pil.width, pil.height, pil.width * 3, QImage.Format.Format_RGB888).copy()
            images.append(image)
    finally:
        document.close()
    return images


class PrintDialog(QDialog):
    """One printout: choose the kind (if there is a choice), who it is for and why, then
    Preview, Save PDF or Print."""

    def __init__(self, store, tasks, *, title: str, kinds: dict[str, Callable[[], object]],
                 record_type: str, record_id, parent=None):
        super().__init__(parent)
        self.store = store
        self.tasks = tasks
        self.kinds = kinds
        self.record_type, self.record_id = record_type, record_id
        self.result = None
        self._job = None
        self.setWindowTitle(title)
        self.group = QButtonGroup(self)
        kind_box = QGroupBox()  # a named group: a screen reader says which choice this is
        kind_box.setFlat(True)
        kind_box.setObjectName("radioGroup")
        kind_box.setAccessibleName("Printout")
        kind_column = QVBoxLayout(kind_box)
        kind_column.setContentsMargins(0, 0, 0, 0)
        for index, label in enumerate(kinds):
            button = QRadioButton(label)
            button.setChecked(index == 0)
            self.group.addButton(button, index)
            kind_column.addWidget(button)
        self.recipient = QLineEdit()
        self.purpose = QLineEdit()
        form = QFormLayout()
        if len(kinds) > 1:
            form.addRow("Printout", kind_box)
        for caption, edit in (("&Recipient", self.recipient), ("P&urpose", self.purpose)):
            form_row(form, caption, edit)
        note = plain_label("Printing or saving a copy is a disclosure: it goes in the audit log with the "
                           "recipient and the purpose. A preview is logged as a consultation.")
        note.setWordWrap(True)
        note.setObjectName("muted")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setAccessibleName("Progress of the printout")
        self.busy.setFormat("%p%")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop making this printout")
        self.cancel_button.clicked.connect(self.cancel)
        self.step = plain_label("")
        self.step.setObjectName("muted")
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.step)
        busy_row.addWidget(self.busy, 1)
        busy_row.addWidget(self.cancel_button)
        self.busy_box = QWidget()
        self.busy_box.setLayout(busy_row)
        self.busy_box.hide()
        self.message = message_label()
        self.pages = QVBoxLayout()  # one image a page
        pages_box = QWidget()
        pages_box.setObjectName("previewPages")
        ground = QVBoxLayout(pages_box)
        self.empty_preview = plain_label("The pages appear here: press Preview (Alt+V). Save PDF or Print asks "
                                         "who the copy is for and why.")
        self.empty_preview.setObjectName("previewNote")
        self.empty_preview.setWordWrap(True)
        self.empty_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        ground.addWidget(self.empty_preview)
        ground.addLayout(self.pages)
        self.scroll = scroll_area(pages_box, "Preview of the printout")
        self.scroll.setMinimumHeight(200)
        self.preview_button = QPushButton("Pre&view")
        self.save_button = QPushButton("&Save PDF…")
        self.print_button = QPushButton("&Print…")
        close = QPushButton("Close")
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.save_button, self.print_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.busy_box)
        layout.addWidget(self.message)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(buttons)
        self.preview_button.clicked.connect(self.preview)
        self.save_button.clicked.connect(lambda: self.save())
        self.print_button.clicked.connect(lambda: self.print_())
        close.clicked.connect(self.accept)
        self.resize(820, 640)

    # -- rendering on the worker ---------------------------------------------------------------

    def kind(self) -> str:
        return list(self.kinds)[max(0, self.group.checkedId())]

    def _render(self, then: Callable, *, images: bool = False) -> None:
        make = self.kinds[self.kind()]  # builds frozen data on this thread; renders there
        work = make()

        def job():
            result = work()
            return (result, page_images(result.pdf)) if images else (result, None)

        def finished(out) -> None:
            self._set_busy(False)
            then(*out)

        self._set_busy(True)
        self._job = self.tasks.run(job, finished, self._failed, progress=self._progress, owner=self)

    def _progress(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.busy.setRange(0, total)
            self.busy.setValue(done)
        self.step.setText(text)

    def _set_busy(self, busy: bool) -> None:
        if not busy:
            self._job = None
        self.busy.setRange(0, 0)
        self.step.setText("")
        self.busy_box.setVisible(busy)
        for button in (self.preview_button, self.save_button, self.print_button):
            button.setEnabled(not busy)

    def cancel(self) -> None:
        """Stop the printout being made (it stops within a page or so)."""
        if self._job is not None:
            self._job.cancel()
            self.step.setText("Stopping…")

    def done(self, result: int) -> None:  # closed by any means: nothing goes on rendering
        self.cancel()
        super().done(result)

    def _failed(self, exc) -> None:
        self._set_busy(False)
        if isinstance(exc, jobs.Cancelled):
            self.message.warning("Cancelled: nothing was printed or saved.")
            return
        from ..logs import write_crash_report

        log.error("printout failed: %s", type(exc).__name__)
        report = write_crash_report(self.store.paths, type(exc), exc, exc.__traceback__)
        if report is not None:
            self.message.setText(f"The printout could not be made. A report (with no personal data) was saved "
                                 f"as {report.name} in the data folder; please tell IT support.")
        else:
            self.message.setText("The printout could not be made, and no report could be saved either; "
                                 "please tell IT support.")

    def _warn(self, result) -> None:
        self.result = result
        self.message.warning(" ".join(result.warnings))

    def _disclosure_ready(self) -> bool:
        if self.recipient.text().strip() and self.purpose.text().strip():
            return True
        self.message.setText("Say who the printout is for and why: it is logged as a disclosure.")
        (self.recipient if not self.recipient.text().strip() else self.purpose).setFocus()
        return False

    # -- the three things a person does ----------------------------------------------------------

    def preview(self) -> None:
        def show(result, images) -> None:
            self._warn(result)
            self.empty_preview.hide()
            while self.pages.count():
                item = self.pages.takeAt(0)
                if item.widget():
                    item.widget().deleteLater()
            for image in images:
                label = QLabel()
                label.setPixmap(QPixmap.fromImage(image))
                label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
                self.pages.addWidget(label)
            self.store.audit.record_now("consultation", self.record_type, self.record_id,
                                        detail=f"preview of {self.kind().lower()}, {plural(result.pages, 'page')}")

        self._render(show, images=True)

    def save(self, path: str | None = None) -> None:
        if not self._disclosure_ready():
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save the PDF", "", "PDF files (*.pdf)")
            if not path:
                return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"

        def write(result, _images) -> None:
            from ..db.errors import StoreError
            from .audit_page import save_disclosed_file

            self._warn(result)
            try:
                save_disclosed_file(self.store, path, result.pdf, record_type=self.record_type,
                                    record_id=self.record_id, recipient=self.recipient.text().strip(),
                                    purpose=self.purpose.text().strip(),
                                    detail=f"{self.kind().lower()} saved as PDF, {plural(result.pages, 'page')}")
            except StoreError as exc:
                self.message.setText(f"NOT SAVED: {exc.reason}. Nothing was left half-written.")
                return
            self.message.success(f"Saved ({plural(result.pages, 'page')}). " + " ".join(result.warnings))

        self._render(write)

    def print_(self, printer=None) -> None:
        """Print through the system's dialog; each page drawn at the printer's resolution."""
        if not self._disclosure_ready():
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        if printer is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            dialog = QPrintDialog(printer, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return

        def paint(result, _images) -> None:
            images = page_images(result.pdf, dpi=min(300, max(96, printer.resolution())))
            painter = QPainter()
            if not painter.begin(printer):
                self.message.setText("The printer could not be started.")
                return
            page = painter.viewport()
            try:
                for index, image in enumerate(images):
                    if index:
                        printer.newPage()
                    target = page
                    scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                    painter.setViewport(target.x(), target.y(), scaled.width(), scaled.height())
                    painter.setWindow(image.rect())
                    painter.drawImage(0, 0, image)
            finally:
                painter.end()
            self._warn(result)
            self.store.audit.record_now("disclosure", self.record_type, self.record_id,
                                        detail=f"{self.kind().lower()} printed, {plural(result.pages, 'page')}",
                                        recipient=self.recipient.text().strip(), purpose=self.purpose.text().strip())
            self.message.success(f"Sent to the printer ({plural(result.pages, 'page')}).")

        self._render(paint)
