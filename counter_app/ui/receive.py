"""Tiếp nhận: choose the procedure by typing, fill the applicant (or scan the ID card), tick the
documents received, see the appointment live, save and print (Form 01); or, after the check,
request a supplement (Form 02) or refuse (Form 03)."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.registration import APPLICANT_KINDS, CHANNELS, ID_TYPES, RETURN_METHODS
from counter_app.services.context import Context
from counter_app.ui.common import MessageBar, fmt_money, fmt_when, guarded, heading

DOC_COLUMNS = ("Đã nhận", "Tên giấy tờ", "Bản chính", "Bản sao CT", "Bản photo")
APPOINTMENT_REFRESH_MS = 30_000


def _combo(choices: dict[str, str]) -> QComboBox:
    box = QComboBox()
    for key, label in choices.items():
        box.addItem(label, key)
    return box


def _select(box: QComboBox, key: str) -> None:
    index = box.findData(key)
    if index >= 0:
        box.setCurrentIndex(index)


class ReceiveScreen(QWidget):
    # (outcome "received" | "supplement" | "refused", the dossier as the services return it)
    saved = Signal(str, dict)

    def __init__(self, ctx: Context, clerk_username) -> None:
        super().__init__()
        self.ctx = ctx
        self.clerk_username = clerk_username  # a callable: the clerk signed in now
        self.choices: list | None = None
        self.chosen = None

        self.procedure_search = QLineEdit()
        self.procedure_search.setPlaceholderText(
            "Gõ một phần tên hoặc mã thủ tục, không cần dấu (ví dụ «khai sinh», «1.001193»); "
            "↑↓ để chọn, Enter để lấy"
        )
        self.procedure_search.setClearButtonEnabled(True)
        self.procedure_list = QListWidget()
        self.procedure_list.setMaximumHeight(112)
        self.procedure_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.procedure_info = QLabel("Chưa chọn thủ tục.")
        self.procedure_info.setWordWrap(True)
        self.procedure_info.setStyleSheet("color:#333;")

        self.id_number = QLineEdit(placeholderText="12 chữ số trên thẻ căn cước")
        self.full_name = QLineEdit()
        self.date_of_birth = QLineEdit(placeholderText="dd/mm/yyyy")
        self.gender = QComboBox()
        self.gender.addItems(["", "Nam", "Nữ"])
        self.address = QLineEdit()
        self.phone = QLineEdit(placeholderText="10–11 chữ số")
        self.email = QLineEdit()
        self.kind = _combo(APPLICANT_KINDS)
        self.id_type = _combo(ID_TYPES)
        self.scan_hint = QLabel(
            "Quét mã QR trên thẻ căn cước lúc nào cũng được: thông tin người nộp tự điền."
        )
        self.scan_hint.setWordWrap(True)
        self.scan_hint.setStyleSheet("color:#555; font-style:italic;")

        self.documents = QTableWidget(0, len(DOC_COLUMNS))
        self.documents.setHorizontalHeaderLabels(DOC_COLUMNS)
        self.documents.verticalHeader().hide()
        header = self.documents.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.documents.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.documents.setTabKeyNavigation(False)
        self.add_document = QPushButton("Thêm giấ&y tờ")
        self.add_document.clicked.connect(lambda: self._add_document_row("", 1, 0, 0, True, True))

        self.sets = QSpinBox(minimum=1, maximum=99)
        self.channel = _combo(CHANNELS)
        self.return_method = _combo(RETURN_METHODS)
        self.fee = QSpinBox(minimum=0, maximum=1_000_000_000, singleStep=1000)
        self.fee.setLocale(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
        self.fee.setGroupSeparatorShown(True)
        self.fee.setSuffix(" đồng")

        self.appointment = QLabel("Hẹn trả kết quả: —")
        self.appointment.setStyleSheet(
            "font-size: 13pt; font-weight: 600; color:#0b4f8a; padding:4px 0;"
        )
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(
            "Lý do (khi từ chối) hoặc giấy tờ cần bổ sung; để trống: lấy các dòng chưa nhận"
        )
        self.save_button = QPushButton("Lưu và &in giấy tiếp nhận  (Ctrl+S)")
        self.save_button.setDefault(True)
        self.save_button.setStyleSheet("font-weight:600; padding:6px 14px;")
        self.supplement_button = QPushButton("Yêu cầu bổ sung (Mẫu 0&2)")
        self.refuse_button = QPushButton("Từ chối tiếp nhận (Mẫu 0&3)")
        self.clear_button = QPushButton("Nhập &mới  (Ctrl+N)")
        self.message = MessageBar()

        self._layout()
        self._wire()
        self._tab_order()
        self.timer = QTimer(self)
        self.timer.setInterval(APPOINTMENT_REFRESH_MS)
        self.timer.timeout.connect(self.update_appointment)
        self.timer.start()

    # -- layout --------------------------------------------------------------------------

    def _layout(self) -> None:
        top = QVBoxLayout(self)
        top.addWidget(heading("Tiếp nhận hồ sơ"))
        procedure = QGroupBox("Thủ tục (&P)")
        box = QVBoxLayout(procedure)
        box.addWidget(self.procedure_search)
        box.addWidget(self.procedure_list)
        box.addWidget(self.procedure_info)
        top.addWidget(procedure)

        middle = QHBoxLayout()
        applicant = QGroupBox("Người nộp hồ sơ")
        form = QFormLayout(applicant)
        form.addRow(self.scan_hint)
        form.addRow("Số định &danh:", self.id_number)
        form.addRow("&Họ tên:", self.full_name)
        birth = QHBoxLayout()
        birth.addWidget(self.date_of_birth)
        gender_label = QLabel("&Giới tính:")
        gender_label.setBuddy(self.gender)
        birth.addWidget(gender_label)
        birth.addWidget(self.gender)
        birth_label = QLabel("Ngày &sinh:")
        birth_label.setBuddy(self.date_of_birth)
        form.addRow(birth_label, birth)
        form.addRow("Địa &chỉ:", self.address)
        form.addRow("Điện th&oại:", self.phone)
        form.addRow("&Email:", self.email)
        form.addRow("Đối tượng:", self.kind)
        form.addRow("Loại giấy tờ:", self.id_type)
        middle.addWidget(applicant, 5)

        documents = QGroupBox("Giấy tờ tiếp nhận")
        grid = QGridLayout(documents)
        grid.addWidget(self.documents, 0, 0, 1, 4)
        grid.addWidget(self.add_document, 1, 3)
        for row, (label, widget) in enumerate(
            (("Số &bộ:", self.sets), ("Hình thức nộp:", self.channel)), start=2
        ):
            text = QLabel(label)
            text.setBuddy(widget)
            grid.addWidget(text, row, 0)
            grid.addWidget(widget, row, 1)
        for row, (label, widget) in enumerate(
            (("&Trả kết quả:", self.return_method), ("Lệ phí:", self.fee)), start=2
        ):
            text = QLabel(label)
            text.setBuddy(widget)
            grid.addWidget(text, row, 2)
            grid.addWidget(widget, row, 3)
        middle.addWidget(documents, 6)
        top.addLayout(middle, 1)

        top.addWidget(self.appointment)
        reason = QFormLayout()
        reason.addRow("&Lý do / giấy tờ cần bổ sung:", self.reason)
        top.addLayout(reason)
        top.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch()
        buttons.addWidget(self.supplement_button)
        buttons.addWidget(self.refuse_button)
        buttons.addWidget(self.clear_button)
        top.addLayout(buttons)

    def _wire(self) -> None:
        self.procedure_search.textEdited.connect(self.filter_procedures)
        self.procedure_search.installEventFilter(self)
        self.procedure_list.itemClicked.connect(lambda item: self.choose(item.data(256)))
        self.save_button.clicked.connect(self.save)
        self.supplement_button.clicked.connect(lambda: self.save_outcome("supplement"))
        self.refuse_button.clicked.connect(lambda: self.save_outcome("refused"))
        self.clear_button.clicked.connect(self.reset)
        QShortcut(QKeySequence("Ctrl+S"), self, self.save)
        QShortcut(QKeySequence("Ctrl+N"), self, self.reset)
        QShortcut(QKeySequence("Ctrl+F"), self, self.procedure_search.setFocus)

    def _tab_order(self) -> None:
        chain = [
            self.procedure_search,
            self.id_number,
            self.full_name,
            self.date_of_birth,
            self.gender,
            self.address,
            self.phone,
            self.email,
            self.documents,
            self.add_document,
            self.sets,
            self.return_method,
            self.fee,
            self.save_button,
            self.reason,
            self.supplement_button,
            self.refuse_button,
            self.clear_button,
            self.kind,
            self.id_type,
            self.channel,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # -- procedure -----------------------------------------------------------------------

    def load_catalog(self) -> None:
        from counter_app.services.reception import procedure_choices

        self.choices = procedure_choices(self.ctx)
        self.filter_procedures(self.procedure_search.text())

    def filter_procedures(self, text: str) -> None:
        from counter_app.services.reception import match_procedures

        if self.choices is None:
            self.load_catalog()
            return
        self.procedure_list.clear()
        for choice in match_procedures(self.choices, text)[:100]:
            item = QListWidgetItem(f"{choice.code} — {choice.name}  ·  {choice.duration_vi}")
            item.setData(256, choice)
            self.procedure_list.addItem(item)
        if self.procedure_list.count():
            self.procedure_list.setCurrentRow(0)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.procedure_search and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            rows = self.procedure_list.count()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and rows:
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(rows - 1, self.procedure_list.currentRow() + step))
                self.procedure_list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.procedure_list.currentItem()
                if item is not None:
                    self.choose(item.data(256))
                return True
        return super().eventFilter(obj, event)

    def choose(self, choice) -> None:
        self.chosen = choice
        self.procedure_search.setText(f"{choice.code} — {choice.name}")
        self.procedure_info.setText(
            f"<b>{choice.name}</b> ({choice.code})<br>Lĩnh vực: {choice.sector} · Cơ quan giải "
            f"quyết: {choice.agency} · Thời hạn: {choice.duration_vi} · Lệ phí: "
            f"{fmt_money(choice.fee)}"
        )
        self.documents.setRowCount(0)
        for document in choice.documents:
            self._add_document_row(
                document["name"], document.get("original", 0), document.get("copy", 0), 0, True
            )
        self.fee.setValue(choice.fee)
        self.update_appointment()
        self.message.clear_message()
        (self.id_number if not self.id_number.text() else self.documents).setFocus()

    def _add_document_row(
        self,
        name: str,
        originals: int,
        copies: int,
        photocopies: int,
        received: bool,
        edit: bool = False,
    ) -> None:
        row = self.documents.rowCount()
        self.documents.insertRow(row)
        tick = QTableWidgetItem()
        tick.setFlags(
            Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
        )
        tick.setCheckState(Qt.CheckState.Checked if received else Qt.CheckState.Unchecked)
        self.documents.setItem(row, 0, tick)
        self.documents.setItem(row, 1, QTableWidgetItem(name))
        for column, value in ((2, originals), (3, copies), (4, photocopies)):
            item = QTableWidgetItem()
            item.setData(Qt.ItemDataRole.EditRole, int(value))
            self.documents.setItem(row, column, item)
        if edit:
            self.documents.setCurrentCell(row, 1)
            self.documents.setFocus()
            self.documents.editItem(self.documents.item(row, 1))

    def update_appointment(self) -> None:
        if self.chosen is None:
            self.appointment.setText("Hẹn trả kết quả: — (chọn thủ tục)")
            return
        from counter_app.services.reception import preview_appointment

        ok, moment = guarded(self.message, preview_appointment, self.ctx, self.chosen)
        if ok:
            self.appointment.setText(
                f"Hẹn trả kết quả: {fmt_when(moment)}   ({self.chosen.duration_vi}, "
                f"nếu tiếp nhận bây giờ)"
            )

    # -- the applicant from an ID card ------------------------------------------------------

    def fill_from_card(self, payload: str) -> bool:
        from counter_app.domain.cccd import parse_cccd_qr

        ok, card = guarded(self.message, parse_cccd_qr, payload)
        if not ok:
            return False
        _select(self.kind, "citizen")
        _select(self.id_type, "cccd")
        self.id_number.setText(card.id_number)
        self.full_name.setText(card.full_name)
        self.date_of_birth.setText(f"{card.date_of_birth:%d/%m/%Y}")
        self.gender.setCurrentText(card.gender)
        self.address.setText(card.address)
        self.message.info(
            f"Đã đọc thẻ căn cước của {card.full_name}; nhập số điện thoại nếu người nộp có."
        )
        (self.procedure_search if self.chosen is None else self.phone).setFocus()
        return True

    # -- saving --------------------------------------------------------------------------

    def document_rows(self) -> list[dict]:
        rows = []
        for row in range(self.documents.rowCount()):
            name = self.documents.item(row, 1).text() if self.documents.item(row, 1) else ""
            if not name.strip():
                continue
            counts = [
                int(self.documents.item(row, c).data(Qt.ItemDataRole.EditRole) or 0)
                for c in (2, 3, 4)
            ]
            rows.append(
                {
                    "name": name,
                    "original": counts[0],
                    "certified_copy": counts[1],
                    "photocopy": counts[2],
                    "received": self.documents.item(row, 0).checkState() == Qt.CheckState.Checked,
                }
            )
        return rows

    def registration_data(self) -> dict:
        from counter_app.domain.errors import InvalidInput

        if self.chosen is None:
            raise InvalidInput(
                "Chưa chọn thủ tục: gõ tên hoặc mã thủ tục rồi nhấn Enter.",
                field="procedure_code",
            )
        applicant = {
            "kind": self.kind.currentData(),
            "id_type": self.id_type.currentData(),
            "full_name": self.full_name.text(),
            "id_number": self.id_number.text(),
            "date_of_birth": self.date_of_birth.text().strip(),
            "gender": self.gender.currentText(),
            "address": self.address.text(),
            "phone": self.phone.text(),
            "email": self.email.text(),
        }
        return {
            "procedure_code": self.chosen.code,
            "applicant": {k: v for k, v in applicant.items() if v},
            "documents": self.document_rows(),
            "sets": self.sets.value(),
            "channel": self.channel.currentData(),
            "return_method": self.return_method.currentData(),
            "fee": self.fee.value(),
        }

    def _focus_field(self, field: str | None) -> None:
        widgets = {
            "procedure_code": self.procedure_search,
            "applicant.full_name": self.full_name,
            "applicant.id_number": self.id_number,
            "applicant.date_of_birth": self.date_of_birth,
            "applicant.gender": self.gender,
            "applicant.phone": self.phone,
            "applicant.email": self.email,
            "applicant.address": self.address,
            "reason": self.reason,
            "cccd_qr": self.id_number,
        }
        widget = widgets.get(field or "")
        if widget is None and field and field.startswith("documents"):
            widget = self.documents
        if widget is not None:
            widget.setFocus()

    def _attempt(self, fn, *args, **kwargs):
        from counter_app.domain.errors import CounterError

        try:
            return fn(*args, **kwargs)
        except CounterError as error:
            self.message.error(error.message)
            self._focus_field(error.field)
        except Exception as error:
            from counter_app.ui.common import error_message

            self.message.error(error_message(error))
        return None

    def save(self) -> None:
        """Receive: every document must be ticked (otherwise it is a supplement request)."""
        from counter_app.domain.errors import InvalidInput
        from counter_app.services.registration import register_dossier

        def receive():
            data = self.registration_data()
            missing = [d["name"] for d in data["documents"] if not d["received"]]
            if missing:
                raise InvalidInput(
                    "Hồ sơ còn thiếu: " + "; ".join(missing) + ". Đánh dấu «Đã nhận» khi đủ, "
                    "hoặc bấm «Yêu cầu bổ sung» để in phiếu yêu cầu bổ sung (Mẫu 02).",
                    field="documents",
                )
            return register_dossier(self.ctx, data, clerk=self.clerk_username())

        dossier = self._attempt(receive)
        if dossier is not None:
            self.reset()
            self.message.info(
                f"Đã tiếp nhận hồ sơ {dossier['code']} của {dossier['applicant']['full_name']}; "
                f"hẹn trả {fmt_when(dossier['appointment_at'])}. Đang in giấy tiếp nhận…"
            )
            self.saved.emit("received", dossier)

    def save_outcome(self, outcome: str) -> None:
        from counter_app.services.reception import refuse_at_counter, supplement_at_counter

        def run():
            data = self.registration_data()
            reason = self.reason.text().strip()
            if outcome == "supplement":
                if not reason:
                    missing = [d["name"] for d in data["documents"] if not d["received"]]
                    reason = ("Cần bổ sung: " + "; ".join(missing)) if missing else ""
                return supplement_at_counter(
                    self.ctx, data, reason=reason, clerk=self.clerk_username()
                )
            return refuse_at_counter(self.ctx, data, reason=reason, clerk=self.clerk_username())

        dossier = self._attempt(run)
        if dossier is not None:
            self.reset()
            what = "yêu cầu bổ sung (Mẫu 02)" if outcome == "supplement" else "từ chối (Mẫu 03)"
            self.message.info(
                f"Đã ghi hồ sơ {dossier['code']}: {dossier['status_label']}. Đang in phiếu {what}…"
            )
            self.saved.emit(outcome, dossier)

    def reset(self) -> None:
        self.chosen = None
        for field in (
            self.procedure_search,
            self.id_number,
            self.full_name,
            self.date_of_birth,
            self.address,
            self.phone,
            self.email,
            self.reason,
        ):
            field.clear()
        self.gender.setCurrentIndex(0)
        _select(self.kind, "citizen")
        _select(self.id_type, "cccd")
        _select(self.channel, "counter")
        _select(self.return_method, "counter")
        self.sets.setValue(1)
        self.fee.setValue(0)
        self.documents.setRowCount(0)
        self.procedure_info.setText("Chưa chọn thủ tục.")
        self.message.clear_message()
        self.filter_procedures("")
        self.update_appointment()
        self.procedure_search.setFocus()
