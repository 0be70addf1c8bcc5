"""The printed papers of the counter (reportlab): forms 01-05, the 80 mm slip, the register.

Renderers take plain data (the dossier dict of `services.dossier_view`, the office letterhead,
a few print settings) and return PDF bytes: no database, no Qt. `services.printing` loads the
data, decides first print or reprint, and writes the audit row.
"""

from counter_app.printing.model import BookRow, HandOff, Letterhead, PrintInfo

__all__ = ["BookRow", "HandOff", "Letterhead", "PrintInfo"]
