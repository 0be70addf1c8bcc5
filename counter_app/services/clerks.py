"""Clerk accounts: argon2id password hashes, sign-in, adding clerks, changing passwords.

No Qt here: the window and (later) the command line call these. argon2 is imported on first use
so that the first screen does not pay for it before a clerk types a password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from counter_app.domain.errors import InvalidInput, NotAllowed, NotFound
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.domain.text import clean, nfc
from counter_app.models import Clerk
from counter_app.services.context import Context, load_clerk, new_uuid, record

MIN_PASSWORD_LENGTH = 6
ROLES = {
    "clerk": "Cán bộ tiếp nhận",
    "supervisor": "Lãnh đạo bộ phận (giám sát)",
    "admin": "Quản trị viên",
}
# Each role may do what the roles before it may do.
ROLE_RANK = {"clerk": 0, "supervisor": 1, "admin": 2}
# Lockout: this many wrong passwords in a row lock the account for LOCK_MINUTES (an
# administrator can unlock it earlier).
MAX_FAILED_SIGN_INS = 5
LOCK_MINUTES = 15
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
_WRONG = "Tên đăng nhập hoặc mật khẩu không đúng; hãy nhập lại (chú ý bộ gõ tiếng Việt, Caps Lock)."

_hasher = None


def _password_hasher():
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher  # argon2id by default

        _hasher = PasswordHasher()
    return _hasher


@dataclass(frozen=True)
class SignedIn:
    """The clerk at the desk, detached from any session."""

    id: int
    username: str
    full_name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_supervisor(self) -> bool:
        """A supervisor or an administrator (exports of personal data, imports)."""
        return ROLE_RANK.get(self.role, 0) >= ROLE_RANK["supervisor"]

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


def require_role(role: str | None, needed: str, what: str) -> None:
    """NotAllowed unless `role` ranks at least `needed`; `what` says what was refused."""
    if ROLE_RANK.get(role or "", -1) < ROLE_RANK[needed]:
        raise NotAllowed(
            f"Chỉ {ROLES[needed].lower()} trở lên mới được {what}; hãy nhờ người có quyền "
            "thực hiện."
        )


def check_acting(session, clerk: str | None, needed: str, what: str) -> Clerk | None:
    """The acting clerk (named, or the station's administrator as on the command line),
    refused unless their role ranks at least `needed`. None before any clerk exists (the
    station is being provisioned)."""
    if clerk is None and session.scalars(select(Clerk.id).limit(1)).first() is None:
        return None
    acting = load_clerk(session, clerk)
    require_role(acting.role, needed, what)
    return acting


def _signed_in(clerk: Clerk) -> SignedIn:
    return SignedIn(clerk.id, clerk.username, clerk.full_name, clerk.role)


def validate_username(username: str) -> str:
    value = clean(username).lower()
    if not _USERNAME.fullmatch(value):
        raise InvalidInput(
            f"Tên đăng nhập «{value}» không hợp lệ: 2–32 chữ thường không dấu, chữ số, dấu chấm, "
            "gạch dưới hoặc gạch ngang (ví dụ «lan.nt»).",
            field="username",
        )
    return value


def validate_new_password(password: str, confirm: str | None = None) -> str:
    value = nfc(password)
    if len(value) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.", field="password"
        )
    if value.strip() != value:
        raise InvalidInput(
            "Mật khẩu không được bắt đầu hay kết thúc bằng dấu cách.", field="password"
        )
    if confirm is not None and nfc(confirm) != value:
        raise InvalidInput("Hai lần nhập mật khẩu không khớp; hãy nhập lại.", field="confirm")
    return value


def hash_password(password: str) -> str:
    """An argon2id hash of a password already checked by `validate_new_password`."""
    return _password_hasher().hash(password)


def _verify(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _password_hasher().verify(password_hash, nfc(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_admin_password(ctx: Context) -> bool:
    """True when no active administrator can sign in yet (set up from the command line)."""
    with ctx.db.read() as session:
        admins = session.scalars(select(Clerk).where(Clerk.active, Clerk.role == "admin")).all()
        return not any(a.password_hash for a in admins)


def set_first_admin_password(
    ctx: Context, *, full_name: str, password: str, confirm: str | None = None
) -> SignedIn:
    """Give the administrator created by `counter-app setup` a name and a password, once."""
    password = validate_new_password(password, confirm)
    name = clean(full_name)
    if not name:
        raise InvalidInput("Nhập họ tên quản trị viên.", field="full_name")
    hashed = hash_password(password)
    now = ctx.now()
    with ctx.db.write() as session:
        admin = session.scalars(
            select(Clerk).where(Clerk.active, Clerk.role == "admin").order_by(Clerk.id)
        ).first()
        if admin is None:
            raise NotAllowed("Chưa có quản trị viên; hãy thiết lập đơn vị trước.")
        if admin.password_hash:
            raise NotAllowed("Quản trị viên đã có mật khẩu; hãy đăng nhập.")
        admin.password_hash, admin.full_name = hashed, name
        record(session, now, clerk_id=admin.id, action="clerk.first_password", entity="clerk",
               entity_id=admin.username)  # fmt: skip
        return _signed_in(admin)


def _locked_message(until) -> str:
    local = until.astimezone(OFFICE_TZ)
    return (
        f"Tài khoản tạm khóa đến {local:%H:%M} ngày {local:%d/%m/%Y} vì nhập sai mật khẩu "
        f"{MAX_FAILED_SIGN_INS} lần liên tiếp; thử lại sau giờ đó hoặc nhờ quản trị viên mở khóa."
    )


def sign_in(ctx: Context, username: str, password: str) -> SignedIn:
    """The clerk if the password matches; the same message for an unknown name or a bad
    password, so the screen does not tell which usernames exist. MAX_FAILED_SIGN_INS wrong
    passwords in a row lock the account for LOCK_MINUTES (the password is not even checked
    while it is locked)."""
    name = clean(username).lower()
    if not name:
        raise InvalidInput("Nhập tên đăng nhập.", field="username")
    if not password:
        raise InvalidInput("Nhập mật khẩu.", field="password")
    now = ctx.now()
    with ctx.db.read() as session:
        clerk = session.scalars(select(Clerk).where(Clerk.username == name)).first()
        found = clerk is not None and clerk.active and clerk.password_hash
        locked = bool(found) and clerk.locked_until is not None and clerk.locked_until > now
        ok = bool(found) and not locked and _verify(clerk.password_hash, password)
    with ctx.db.write() as session:
        row = session.get(Clerk, clerk.id) if found else None
        action = "clerk.sign_in" if ok else "clerk.sign_in_failed"
        details: dict = {}
        if row is not None and locked:
            details = {"locked": True}
        elif row is not None and ok:
            row.failed_sign_ins, row.locked_until = 0, None
        elif row is not None:
            row.failed_sign_ins = (row.failed_sign_ins or 0) + 1
            details = {"failures": row.failed_sign_ins}
            if row.failed_sign_ins >= MAX_FAILED_SIGN_INS:
                row.failed_sign_ins = 0
                row.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                action = "clerk.locked"
        record(session, now, clerk_id=clerk.id if ok else None, action=action, entity="clerk",
               entity_id=name, details=details)  # fmt: skip
        locked_until = row.locked_until if row is not None else None
    if not ok:
        if locked_until is not None and locked_until > now:
            raise NotAllowed(_locked_message(locked_until), field="password")
        if clerk is not None and clerk.active and not clerk.password_hash:
            raise NotAllowed(
                f"Tài khoản «{name}» chưa có mật khẩu; nhờ quản trị viên đặt mật khẩu "
                "trong Cài đặt › Cán bộ.",
                field="password",
            )
        raise InvalidInput(_WRONG, field="password")
    return _signed_in(clerk)


def unlock_clerk(ctx: Context, username: str, *, acting: SignedIn) -> None:
    """An administrator lifts a lockout before it ends."""
    _require_admin(acting)
    now = ctx.now()
    with ctx.db.write() as session:
        clerk = session.scalars(select(Clerk).where(Clerk.username == username)).first()
        if clerk is None:
            raise NotFound(f"Không có cán bộ «{username}».")
        clerk.failed_sign_ins, clerk.locked_until = 0, None
        record(session, now, clerk_id=acting.id, action="clerk.unlock", entity="clerk",
               entity_id=username)  # fmt: skip


def list_clerks(ctx: Context) -> list[SignedIn]:
    with ctx.db.read() as session:
        rows = session.scalars(select(Clerk).where(Clerk.active).order_by(Clerk.username)).all()
        return [_signed_in(c) for c in rows]


def _require_admin(acting: SignedIn) -> None:
    if not acting.is_admin:
        raise NotAllowed("Chỉ quản trị viên mới quản lý được tài khoản cán bộ.")


def create_clerk(
    ctx: Context,
    *,
    username: str,
    full_name: str,
    password: str,
    confirm: str | None = None,
    role: str = "clerk",
    acting: SignedIn,
) -> SignedIn:
    _require_admin(acting)
    username = validate_username(username)
    name = clean(full_name)
    if not name:
        raise InvalidInput("Nhập họ tên cán bộ.", field="full_name")
    if role not in ROLES:
        raise InvalidInput(f"Vai trò «{role}» không hợp lệ.", field="role")
    hashed = hash_password(validate_new_password(password, confirm))
    now = ctx.now()
    with ctx.db.write() as session:
        if session.scalars(select(Clerk).where(Clerk.username == username)).first():
            raise InvalidInput(
                f"Tên đăng nhập «{username}» đã có; hãy chọn tên khác.", field="username"
            )
        clerk = Clerk(
            uuid=new_uuid(),
            username=username,
            full_name=name,
            role=role,
            password_hash=hashed,
            created_at=now,
        )
        session.add(clerk)
        session.flush()
        record(session, now, clerk_id=acting.id, action="clerk.create", entity="clerk",
               entity_id=username, details={"role": role})  # fmt: skip
        return _signed_in(clerk)


def change_password(
    ctx: Context,
    username: str,
    *,
    new_password: str,
    confirm: str | None = None,
    acting: SignedIn,
) -> None:
    """A clerk changes their own password; an administrator may reset anyone's."""
    if acting.username != username:
        _require_admin(acting)
    hashed = hash_password(validate_new_password(new_password, confirm))
    now = ctx.now()
    with ctx.db.write() as session:
        clerk = session.scalars(select(Clerk).where(Clerk.username == username)).first()
        if clerk is None:
            raise NotFound(f"Không có cán bộ «{username}».")
        clerk.password_hash = hashed
        record(session, now, clerk_id=acting.id, action="clerk.password", entity="clerk",
               entity_id=username)  # fmt: skip


def acting_clerk(ctx: Context, username: str | None) -> SignedIn:
    """The clerk a command-line action is done as: the named one, or the station's
    administrator (whoever can run commands on this PC can open its data folder anyway)."""
    with ctx.db.read() as session:
        return _signed_in(load_clerk(session, username))


def clerk_accounts(ctx: Context) -> list[dict]:
    """Every account of this station, disabled ones included (`counter-app clerk list`)."""
    now = ctx.now()
    with ctx.db.read() as session:
        rows = session.scalars(select(Clerk).order_by(Clerk.username)).all()
        return [
            {
                "username": c.username,
                "full_name": c.full_name,
                "role": c.role,
                "role_label": ROLES.get(c.role, "Cán bộ nơi khác (từ máy chủ tỉnh)"),
                "active": c.active,
                "has_password": bool(c.password_hash),
                "locked_until": (
                    c.locked_until.astimezone(OFFICE_TZ).isoformat()
                    if c.locked_until is not None and c.locked_until > now
                    else None
                ),
            }
            for c in rows
        ]


def disable_clerk(ctx: Context, username: str, *, acting: SignedIn) -> None:
    """Close an account (no hard delete: the dossiers keep their clerk). The last active
    administrator cannot be disabled."""
    _require_admin(acting)
    name = clean(username).lower()
    now = ctx.now()
    with ctx.db.write() as session:
        clerk = session.scalars(select(Clerk).where(Clerk.username == name)).first()
        if clerk is None:
            raise NotFound(f"Không có cán bộ «{name}».")
        if not clerk.active:
            raise NotAllowed(f"Tài khoản «{name}» đã bị vô hiệu hóa từ trước.")
        if clerk.role == "admin":
            admins = session.scalars(
                select(Clerk.id).where(Clerk.active, Clerk.role == "admin", Clerk.id != clerk.id)
            ).all()
            if not admins:
                raise NotAllowed(
                    f"«{name}» là quản trị viên cuối cùng của quầy; hãy tạo một quản trị viên "
                    "khác trước khi vô hiệu hóa tài khoản này."
                )
        clerk.active = False
        record(session, now, clerk_id=acting.id, action="clerk.disable", entity="clerk",
               entity_id=name)  # fmt: skip
