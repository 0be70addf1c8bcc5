"""`counter-server`: the central server's command line (administration and `serve`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from counter_app import __version__

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


_opened: list = []


def _db(args):
    from central_server.db import ServerDatabase, database_url

    db = ServerDatabase(database_url(args.database))
    _opened.append(db)
    return db


def _read_json(name: str, what: str) -> Any:
    from counter_app.services.catalog import load_json_file

    return load_json_file(Path(name), what)


def cmd_migrate(args) -> int:
    from central_server.db import database_url, migrate

    url = database_url(args.database)
    migrate(url)
    print("Cơ sở dữ liệu máy chủ đã ở phiên bản mới nhất.")
    return EXIT_OK


def cmd_serve(args) -> int:
    import uvicorn

    from central_server.db import DATABASE_ENV, ServerDatabase, current_revision, database_url
    from central_server.db import head_revision as head

    url = database_url(args.database)
    db = ServerDatabase(url)
    try:
        revision = current_revision(db.engine)
    finally:
        db.close()
    if revision != head():
        print(
            f"Cơ sở dữ liệu máy chủ đang ở phiên bản {revision or 'trống'}, cần {head()}: "
            "chạy «counter-server migrate» trước.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    # Worker processes build the app themselves from the environment.
    os.environ[DATABASE_ENV] = url
    uvicorn.run(
        "central_server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        log_level=args.log_level,
        timeout_graceful_shutdown=10,
        server_header=False,  # no "server: uvicorn" banner
        http="central_server.http_protocol:NoDelayHTTPProtocol",  # TCP_NODELAY with --workers
    )
    return EXIT_OK


def cmd_unit_add(args) -> int:
    from central_server.service import add_unit

    unit = add_unit(_db(args), args.code, args.name)
    print(f"Đã thêm đơn vị {unit.code}: {unit.name}")
    return EXIT_OK


def cmd_enroll(args) -> int:
    from central_server.service import create_enrollment

    code = create_enrollment(_db(args), args.unit_code, args.station, args.valid_days)
    print(
        f"Mã đăng ký một lần cho đơn vị {args.unit_code}, quầy số {args.station} "
        f"(hiệu lực {args.valid_days} ngày). Trên máy quầy chạy: "
        "counter-app enroll --server URL --code MÃ"
    )
    print(code)
    return EXIT_OK


def cmd_device_list(args) -> int:
    from central_server.service import list_devices

    devices = list_devices(_db(args))
    if args.json:
        print(json.dumps(devices, ensure_ascii=False, indent=2))
        return EXIT_OK
    for d in devices:
        state = f"thu hồi {d['revoked_at'][:16]}" if d["revoked_at"] else "đang hoạt động"
        print(
            f"#{d['id']:<4} {d['unit_code']:<20} quầy {d['station']}  {state:<26} "
            f"liên lạc cuối {(d['last_seen_at'] or '-')[:16]}  {d['name']}"
        )
    return EXIT_OK


def cmd_device_revoke(args) -> int:
    from central_server.service import revoke_devices

    count = revoke_devices(_db(args), args.unit_code, args.station)
    print(f"Đã thu hồi {count} mã thiết bị.")
    return EXIT_OK


def cmd_catalog_import(args) -> int:
    from central_server.service import import_catalog

    result = import_catalog(_db(args), _read_json(args.file, "danh mục"))
    print(
        f"Đã nhập danh mục: {len(result['added'])} thủ tục mới, "
        f"{len(result['new_versions'])} thủ tục có phiên bản mới, "
        f"{len(result['unchanged'])} thủ tục không đổi. Các quầy nhận ở lần đồng bộ tới."
    )
    return EXIT_OK


def cmd_calendar_import(args) -> int:
    from central_server.service import import_calendar

    result = import_calendar(_db(args), _read_json(args.file, "lịch"))
    print(
        f"Đã nhập lịch: {result['days_off']} ngày nghỉ bổ sung, {result['working_days']} ngày "
        "làm việc bù. Các quầy nhận ở lần đồng bộ tới."
    )
    return EXIT_OK


def cmd_clerk_add(args) -> int:
    from central_server.service import add_clerk

    clerk = add_clerk(
        _db(args), args.unit_code, args.username, args.full_name, args.role, not args.inactive
    )
    print(f"Đã ghi tài khoản cán bộ {clerk['username']} ({clerk['full_name']}).")
    return EXIT_OK


def cmd_agency_set_status(args) -> int:
    from central_server.service import agency_set_status

    d = agency_set_status(_db(args), args.code, args.status, args.note or "")
    if args.json:
        print(json.dumps(d, ensure_ascii=False, indent=2))
    else:
        print(f"{d['code']}: {d['status_label']}. Hẹn trả {d['appointment_at']}")
    return EXIT_OK


def cmd_stats(args) -> int:
    from central_server.service import stats

    data = stats(_db(args))
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    for code, unit in data["units"].items():
        print(f"{code}  {unit['name']}: {unit['dossiers']} hồ sơ")
        for key, count in sorted(unit["by_status"].items()):
            print(f"    {key:<24} {count}")
        for station, s in unit["stations"].items():
            print(
                f"    quầy {station}: {s['dossiers']} hồ sơ, liên lạc cuối "
                f"{(s['last_contact'] or 'chưa có')[:16]}"
            )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from central_server.service import AGENCY_STATUSES

    parser = argparse.ArgumentParser(
        prog="counter-server",
        description="Máy chủ trung tâm của tỉnh: nhận đồng bộ hồ sơ từ các quầy Một cửa.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="cơ sở dữ liệu, ví dụ postgresql://user@host/db (mặc định: biến môi trường "
        "COUNTER_SERVER_DATABASE, hoặc tệp SQLite counter-server.sqlite3 để chạy thử)",
    )
    commands = parser.add_subparsers(title="lệnh", metavar="LỆNH", required=True)

    p = commands.add_parser("migrate", help="tạo hoặc nâng cấp cơ sở dữ liệu")
    p.set_defaults(handler=cmd_migrate)

    p = commands.add_parser("serve", help="chạy máy chủ HTTP")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, help="số tiến trình (mặc định 1)")
    p.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="địa chỉ của proxy được tin cậy cho X-Forwarded-For (mặc định 127.0.0.1)",
    )
    p.add_argument("--log-level", default="info")
    p.set_defaults(handler=cmd_serve)

    unit = commands.add_parser("unit", help="đơn vị tiếp nhận").add_subparsers(
        metavar="LỆNH", required=True
    )
    p = unit.add_parser("add", help="thêm hoặc đổi tên một đơn vị")
    p.add_argument("--code", required=True)
    p.add_argument("--name", required=True)
    p.set_defaults(handler=cmd_unit_add)

    p = commands.add_parser("enroll", help="cấp mã đăng ký một lần cho một máy quầy")
    p.add_argument("--unit-code", required=True)
    p.add_argument("--station", type=int, required=True)
    p.add_argument("--valid-days", type=int, default=7)
    p.set_defaults(handler=cmd_enroll)

    device = commands.add_parser("device", help="máy quầy đã đăng ký").add_subparsers(
        metavar="LỆNH", required=True
    )
    p = device.add_parser("list", help="liệt kê")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_device_list)
    p = device.add_parser("revoke", help="thu hồi mã thiết bị của một đơn vị (hoặc một quầy)")
    p.add_argument("--unit-code", required=True)
    p.add_argument("--station", type=int)
    p.set_defaults(handler=cmd_device_revoke)

    catalog = commands.add_parser("catalog", help="danh mục thủ tục").add_subparsers(
        metavar="LỆNH", required=True
    )
    p = catalog.add_parser("import", help="nhập danh mục (cùng định dạng với máy quầy)")
    p.add_argument("file")
    p.set_defaults(handler=cmd_catalog_import)

    calendar = commands.add_parser("calendar", help="lịch nghỉ, làm bù").add_subparsers(
        metavar="LỆNH", required=True
    )
    p = calendar.add_parser("import", help="nhập ngày nghỉ, ngày làm bù (cùng định dạng)")
    p.add_argument("file")
    p.set_defaults(handler=cmd_calendar_import)

    clerk = commands.add_parser("clerk", help="tài khoản cán bộ").add_subparsers(
        metavar="LỆNH", required=True
    )
    p = clerk.add_parser("add", help="thêm hoặc sửa tài khoản cán bộ của một đơn vị")
    p.add_argument("--unit-code", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--full-name", required=True)
    p.add_argument("--role", default="clerk", choices=["clerk", "admin"])
    p.add_argument("--inactive", action="store_true", help="khóa tài khoản")
    p.set_defaults(handler=cmd_clerk_add)

    agency = commands.add_parser("agency", help="bước xử lý của cơ quan giải quyết").add_subparsers(
        metavar="LỆNH", required=True
    )
    p = agency.add_parser("set-status", help="đặt trạng thái hồ sơ")
    p.add_argument("code")
    p.add_argument("--status", required=True, choices=AGENCY_STATUSES)
    p.add_argument("--note")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_agency_set_status)

    p = commands.add_parser("stats", help="số hồ sơ theo đơn vị, trạng thái, quầy")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_stats)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from sqlalchemy.exc import DatabaseError, OperationalError

    from counter_app.domain.errors import CounterError

    try:
        return args.handler(args)
    except CounterError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OperationalError as error:
        print(
            f"Không kết nối được cơ sở dữ liệu máy chủ: {getattr(error, 'orig', None) or error}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    except DatabaseError as error:
        print(
            f"Lỗi cơ sở dữ liệu máy chủ: {getattr(error, 'orig', None) or error}. Đã chạy "
            "«counter-server migrate» chưa?",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    finally:
        while _opened:
            _opened.pop().close()


if __name__ == "__main__":
    sys.exit(main())
