"""First-run settings: the receiving unit, this station, and the first administrator."""

from __future__ import annotations

from sqlalchemy import select

from counter_app.domain.dossier_code import validate_station, validate_unit_code
from counter_app.domain.errors import InvalidInput
from counter_app.domain.text import clean
from counter_app.models import Clerk, Station, Unit
from counter_app.services.context import Context, Office, load_office, new_uuid, record

DEFAULT_ADMIN = "quantri"


def setup_office(
    ctx: Context,
    *,
    unit_code: str,
    unit_name: str,
    station: int = 0,
    place: str = "",
    governing_agency: str = "",
    admin_full_name: str = "",
    admin_password: str | None = None,
    admin_password_confirm: str | None = None,
) -> Office:
    """Create or update the office settings. The unit code cannot change once dossiers exist.

    On first run the administrator account is created; with `admin_password` (the window's
    set-up wizard) it gets that password (argon2id) and `admin_full_name`, in the same
    transaction: a refused password leaves nothing saved.
    """
    admin_hash = None
    if admin_password is not None:
        from counter_app.services.clerks import hash_password, validate_new_password

        if not clean(admin_full_name):
            raise InvalidInput("Nhập họ tên quản trị viên.", field="admin_full_name")
        admin_hash = hash_password(validate_new_password(admin_password, admin_password_confirm))
    unit_code = validate_unit_code(unit_code)
    station = validate_station(station)
    unit_name = clean(unit_name)
    if not unit_name:
        raise InvalidInput("Nhập tên đơn vị tiếp nhận.", field="unit_name")
    now = ctx.now()
    with ctx.db.write() as session:
        unit = session.scalars(select(Unit)).first()
        before = None
        if unit is None:
            unit = Unit(code=unit_code, name=unit_name, created_at=now)
            session.add(unit)
            session.flush()
        else:
            before = {"unit_code": unit.code, "unit_name": unit.name}
            unit.code, unit.name = unit_code, unit_name
        unit.place = clean(place)
        unit.governing_agency = clean(governing_agency)
        row = session.scalars(select(Station)).first()
        if row is None:
            session.add(Station(unit_id=unit.id, number=station, created_at=now))
        else:
            row.number = station
        admin = None
        if session.scalars(select(Clerk)).first() is None:
            admin = Clerk(
                uuid=new_uuid(),
                username=DEFAULT_ADMIN,
                full_name=clean(admin_full_name) or "Quản trị viên",
                role="admin",
                password_hash=admin_hash,
                created_at=now,
            )
            session.add(admin)
            session.flush()
        record(
            session,
            now,
            clerk_id=admin.id if admin else None,
            action="office.setup",
            entity="unit",
            entity_id=unit_code,
            details={"before": before, "station": station, "unit_name": unit_name},
        )
        office = load_office(session)
    ctx.invalidate_calendar()
    return office


def office_or_none(ctx: Context) -> Office | None:
    with ctx.db.read() as session:
        if session.scalars(select(Unit)).first() is None:
            return None
        return load_office(session)
