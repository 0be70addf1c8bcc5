import json

import pytest
from support import DATA
from support_ui import ADMIN_PASSWORD, CLERK_PASSWORD, open_window, sign_in, type_text


@pytest.fixture
def typist():
    return type_text


@pytest.fixture(autouse=True)
def no_unexpected_errors():
    """A traceback caught by the window (shown as "lỗi không mong đợi") fails the test."""
    from counter_app.ui.common import UNEXPECTED

    UNEXPECTED.clear()
    yield
    assert UNEXPECTED == [], UNEXPECTED[0] if UNEXPECTED else ""


@pytest.fixture
def desk_ctx(ctx, tmp_path):
    """A set-up station with the test catalog, an administrator and a clerk with passwords,
    printing to PDF files only."""
    from counter_app.services import clerks, settings
    from counter_app.services.catalog import import_catalog

    import_catalog(ctx, json.loads((DATA / "catalog.json").read_text("utf-8")))
    admin = clerks.set_first_admin_password(ctx, full_name="Lê Văn Quản", password=ADMIN_PASSWORD)
    clerks.create_clerk(
        ctx, username="lan.nt", full_name="Nguyễn Thị Lan", password=CLERK_PASSWORD, acting=admin
    )
    current = settings.load_settings(ctx)
    current.print_mode = "pdf"
    current.pdf_folder = str(tmp_path / "prints")
    settings.save_settings(ctx, current, acting=admin)
    return ctx


@pytest.fixture
def window(qtbot, desk_ctx):
    window = open_window(qtbot, desk_ctx)
    sign_in(qtbot, window, "lan.nt", CLERK_PASSWORD)
    assert window.desk is not None and window.clerk.username == "lan.nt"
    yield window
    window.jobs.wait()
    window.close()
