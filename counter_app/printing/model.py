"""The plain data the renderers take besides the dossier dict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Letterhead:
    """Who issues the paper: the receiving unit as configured at setup."""

    unit_code: str
    unit_name: str
    governing_agency: str = ""
    place: str = ""
    station_number: int = 0
    hotline: str = ""


@dataclass(frozen=True, slots=True)
class PrintInfo:
    """What the print service adds: lookup address, clerk, register line, reprint number."""

    printed_at: datetime
    server_url: str | None = None
    clerk_name: str = ""
    book: str = ""
    book_line: int | None = None
    reprint: int = 0  # 0: the first print; N: "BẢN IN LẠI (lần N)"

    def lookup_text(self, code: str) -> str:
        """What the QR code holds: the public status page, or the code alone without a server."""
        if self.server_url:
            return f"{self.server_url.rstrip('/')}/track/{code}"
        return code


@dataclass(frozen=True, slots=True)
class HandOff:
    """One row of the control slip (Form 05): who hands the dossier to whom, when."""

    giver: str
    receiver: str
    at: datetime | None = None  # None: to be filled in by hand
    due: datetime | None = None  # the appointment the step is judged against
    note: str = ""


@dataclass(frozen=True, slots=True)
class BookRow:
    """One line of the register of dossiers (Sổ theo dõi hồ sơ)."""

    line: int
    code: str
    procedure: str
    sets: int
    applicant: str
    address: str
    phone: str
    agency: str
    received_at: datetime
    appointment_at: datetime
    transferred_at: datetime | None = None
    result_ready_at: datetime | None = None
    returned_at: datetime | None = None
    note: str = ""
