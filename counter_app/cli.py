"""`counter-app`: the command line, a second face of the same services as the window."""

from __future__ import annotations

import argparse
import errno
import json
import sys
from pathlib import Path
from typing import Any

from counter_app import __version__
from counter_app.domain.errors import CounterError, InvalidInput

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
# `sync --once` finished, but something needs the clerk: items refused, counts that differ.
EXIT_INCOMPLETE = 3


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _read_json_argument(name: str, what: str) -> Any:
    from counter_app.services.catalog import load_json_file

    if name == "-":
        try:
            return json.loads(sys.stdin.read())
        except json.JSONDecodeError as error:
            raise InvalidInput(
                f"Dữ liệu {what} trên đầu vào chuẩn không phải JSON hợp lệ "
                f"(dòng {error.lineno}, cột {error.colno}: {error.msg}).",
                field="json",
            ) from None
    return load_json_file(Path(name), what)


def _dossier_line(d: dict) -> str:
    appointment = d["appointment_at"][:16].replace("T", " ")
    return (
        f"{d['code']}  {d['applicant']['full_name']}  {d['procedure']['name']}  "
        f"[{d['status_label']}]  hẹn trả {appointment}"
    )


def _show_text(d: dict) -> str:
    lines = [
        f"Mã hồ sơ:      {d['code']}",
        f"Trạng thái:    {d['status_label']}",
        f"Thủ tục:       {d['procedure']['name']} ({d['procedure']['code']}, "
        f"phiên bản {d['procedure']['version']})",
        f"Người nộp:     {d['applicant']['full_name']}  {d['applicant']['id_number']}",
        f"Địa chỉ:       {d['applicant']['address']}",
        f"Điện thoại:    {d['applicant']['phone']}",
        f"Tiếp nhận lúc: {d['received_at']}",
        f"Hẹn trả:       {d['appointment_at']}",
        "Giấy tờ:",
    ]
    lines += [
        f"  - {doc['name']} (bản chính {doc['original']}, bản sao chứng thực "
        f"{doc['certified_copy']}, bản photo {doc['photocopy']})"
        for doc in d["documents"]
    ]
    if d.get("attachments"):
        lines.append("Bản quét đính kèm:")
        lines += [
            f"  - {a['filename']} ({a['size']} byte, {a['document_name'] or 'cả hồ sơ'}"
            + (", đã gửi lên máy chủ" if a["uploaded"] else ", chờ gửi")
            + ")"
            for a in d["attachments"]
        ]
    lines.append("Quá trình xử lý:")
    lines += [
        f"  {e['at'][:16].replace('T', ' ')}  {e['to_status_label']}"
        + (f"  — {e['reason']}" if e["reason"] else "")
        + (f"  (cán bộ {e['clerk']})" if e["clerk"] else "")
        + (f"  [XUNG ĐỘT ĐỒNG BỘ: {e['conflict']['message']}]" if e.get("conflict") else "")
        for e in d.get("history", [])
    ]
    lines += [
        f"  [XUNG ĐỘT ĐỒNG BỘ {c['detected_at'][:16].replace('T', ' ')}: {c['message']}]"
        for c in d.get("conflicts", [])
        if not c.get("in_history")
    ]
    return "\n".join(lines)


# -- commands ---------------------------------------------------------------------------------


def cmd_window(args, ctx) -> int:
    from counter_app.ui.main import run_window

    if getattr(args, "smoke", False):
        from counter_app.ui.smoke import close_after_first_paint

        close_after_first_paint()
    return run_window(ctx)


def cmd_setup(args, ctx) -> int:
    from counter_app.services.office import setup_office

    office = setup_office(
        ctx,
        unit_code=args.unit_code,
        unit_name=args.unit_name,
        station=args.station,
        place=args.place or "",
        governing_agency=args.governing_agency or "",
    )
    print(
        f"Đã thiết lập: {office.unit_name} (mã {office.unit_code}), quầy số "
        f"{office.station_number}. Dữ liệu tại {ctx.data_dir}"
    )
    return EXIT_OK


def cmd_catalog_import(args, ctx) -> int:
    from counter_app.services.catalog import import_catalog

    result = import_catalog(
        ctx, _read_json_argument(args.file, "danh mục"), source=args.file, clerk=args.clerk
    )
    print(result.summary_vi())
    return EXIT_OK


def cmd_catalog_list(args, ctx) -> int:
    from counter_app.services.catalog import list_current

    procedures = list_current(ctx)
    if args.json:
        _print_json(
            [
                {
                    "code": p.code,
                    "version": p.version,
                    "name": p.name,
                    "sector": p.sector,
                    "agency": p.agency,
                    "duration": p.duration,
                    "fee": p.fee,
                }
                for p in procedures
            ]
        )
        return EXIT_OK
    for p in procedures:
        print(f"{p.code:<16} v{p.version}  {p.sector:<24} {p.name}")
    print(f"({len(procedures)} thủ tục)")
    return EXIT_OK


def cmd_calendar_import(args, ctx) -> int:
    from counter_app.services.calendar import import_calendar

    result = import_calendar(
        ctx, _read_json_argument(args.file, "lịch"), source=args.file, clerk=args.clerk
    )
    print(result.summary_vi())
    return EXIT_OK


def cmd_calendar_show(args, ctx) -> int:
    from counter_app.services.calendar import year_calendar

    year = year_calendar(ctx, args.year)
    if args.json:
        _print_json(
            {
                "year": year.year,
                "days_off": [{"date": d.isoformat(), "name": n} for d, n in year.days_off],
                "working_days": [d.isoformat() for d in year.working_weekend_days],
            }
        )
        return EXIT_OK
    weekdays = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
    print(f"Ngày nghỉ năm {year.year} (ngoài thứ Bảy, Chủ nhật thường lệ):")
    for day, name in year.days_off:
        print(f"  {weekdays[day.weekday()]:<9} {day:%d/%m/%Y}  {name}")
    print(f"Ngày làm việc bù năm {year.year}:")
    for day in year.working_weekend_days:
        print(f"  {weekdays[day.weekday()]:<9} {day:%d/%m/%Y}")
    return EXIT_OK


def cmd_register(args, ctx) -> int:
    from counter_app.services.registration import register_dossier

    data = _read_json_argument(args.json_file, "tiếp nhận")
    dossier = register_dossier(ctx, data, clerk=args.clerk)
    _print_json(dossier)
    if args.receipt:
        from counter_app.services.printing import print_form

        try:
            printed = print_form(ctx, dossier["code"], "01", out=args.receipt, clerk=args.clerk)
        except (CounterError, OSError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            print(
                f"Lỗi: đã tiếp nhận hồ sơ {dossier['code']} nhưng chưa in được giấy tiếp nhận "
                f"({reason}). In bằng «counter-app receipt {dossier['code']} --out TỆP.pdf».",
                file=sys.stderr,
            )
            return EXIT_FAILURE
        print(printed.summary_vi(), file=sys.stderr)
    return EXIT_OK


def cmd_receipt(args, ctx) -> int:
    from counter_app.services.printing import parse_office_datetime, print_form

    new_appointment = (
        parse_office_datetime(args.new_appointment, "new_appointment")
        if args.new_appointment
        else None
    )
    printed = print_form(
        ctx,
        args.code,
        args.form,
        out=args.out,
        slip=True if args.slip else None,
        clerk=args.clerk,
        new_appointment=new_appointment,
        reason=args.reason,
    )
    print(printed.summary_vi())
    return EXIT_OK


def cmd_register_book(args, ctx) -> int:
    from counter_app.domain.period import parse_day
    from counter_app.services.printing import print_register_book

    date_from, date_to = parse_day(args.date_from, "from"), parse_day(args.date_to, "to")
    if args.xlsx or args.out.suffix.lower() == ".xlsx":
        from counter_app.services.reports import export_register_book

        out = args.out if args.out.suffix.lower() == ".xlsx" else args.out.with_suffix(".xlsx")
        print(export_register_book(ctx, date_from, date_to, out, clerk=args.clerk).summary_vi())
        return EXIT_OK
    printed = print_register_book(ctx, date_from, date_to, out=args.out, clerk=args.clerk)
    print(printed.summary_vi())
    return EXIT_OK


def cmd_report(args, ctx) -> int:
    from counter_app.domain.period import parse_day
    from counter_app.services.reports import export_statistics, period_statistics

    stats = period_statistics(
        ctx,
        parse_day(args.date_from, "from"),
        parse_day(args.date_to, "to"),
        clerk=args.clerk,
    )
    exported = None
    if args.out is not None:
        exported = export_statistics(
            ctx, stats.date_from, stats.date_to, args.out, clerk=args.clerk, statistics=stats
        )
    if args.json:
        _print_json(stats.to_dict() | {"file": str(exported.path) if exported else None})
    else:
        print("\n".join(stats.summary_vi()))
        if exported is not None:
            print(exported.summary_vi())
    return EXIT_OK


def cmd_find(args, ctx) -> int:
    from counter_app.services.search import find_dossiers

    found = find_dossiers(ctx, args.query)
    if args.json:
        _print_json(found)
        return EXIT_OK
    for dossier in found:
        print(_dossier_line(dossier))
    print(f"({len(found)} hồ sơ)")
    return EXIT_OK


def cmd_show(args, ctx) -> int:
    from counter_app.services.search import show_dossier

    dossier = show_dossier(ctx, args.code)
    if args.json:
        _print_json(dossier)
    else:
        print(_show_text(dossier))
    return EXIT_OK


def _print_transition(args, dossier: dict) -> int:
    if getattr(args, "json", False):
        _print_json(dossier)
    else:
        print(f"{dossier['code']}: {dossier['status_label']}. Hẹn trả {dossier['appointment_at']}")
    return EXIT_OK


def cmd_handback(args, ctx) -> int:
    from counter_app.services.transitions import hand_back

    return _print_transition(
        args, hand_back(ctx, args.code, clerk=args.clerk, collected_by=args.collected_by or "")
    )


def cmd_withdraw(args, ctx) -> int:
    from counter_app.services.transitions import withdraw

    return _print_transition(args, withdraw(ctx, args.code, reason=args.reason, clerk=args.clerk))


def cmd_refuse(args, ctx) -> int:
    from counter_app.services.transitions import refuse

    return _print_transition(args, refuse(ctx, args.code, reason=args.reason, clerk=args.clerk))


def cmd_supplement_request(args, ctx) -> int:
    from counter_app.services.transitions import request_supplement

    return _print_transition(
        args, request_supplement(ctx, args.code, reason=args.reason, clerk=args.clerk)
    )


def cmd_supplement_receive(args, ctx) -> int:
    from counter_app.services.transitions import receive_supplement

    return _print_transition(args, receive_supplement(ctx, args.code, clerk=args.clerk))


def cmd_agency_set_status(args, ctx) -> int:
    from counter_app.services.transitions import agency_set_status

    return _print_transition(
        args, agency_set_status(ctx, args.code, args.status, note=args.note or "", clerk=args.clerk)
    )


def cmd_enroll(args, ctx) -> int:
    from counter_app.services.sync import enroll_station

    answer = enroll_station(
        ctx, args.server, args.code, ca_bundle=args.ca_bundle, allow_http=args.allow_http
    )
    print(
        f"Đã đăng ký máy với máy chủ tỉnh {args.server.rstrip('/')}: đơn vị {answer.unit_name} "
        f"({answer.unit_code}), quầy số {answer.station}."
    )
    return EXIT_OK


def cmd_sync(args, ctx) -> int:
    from counter_app.services.sync import sync_status
    from counter_app.sync.client import ServerUnreachable

    if args.status:
        status = sync_status(ctx)
        if args.json:
            _print_json(status.to_dict())
        else:
            print("\n".join(status.lines_vi()))
        return EXIT_OK
    if not args.once:
        from counter_app.sync.runner import run_forever

        return run_forever(ctx, interval=args.interval)
    from counter_app.sync.engine import sync_once

    try:
        report = sync_once(ctx)
    except ServerUnreachable as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return EXIT_FAILURE
    if args.json:
        _print_json(
            {
                "pushed": report.pushed,
                "pulled": report.pulled,
                "uploaded": report.uploaded,
                "pending": report.pending,
                "quarantined": report.quarantined,
                "clock_skew_seconds": report.clock_skew,
                "day_mismatches": report.mismatches,
                "warnings": report.warnings,
            }
        )
    else:
        lines = report.lines_vi()
        print(lines[0])
        for line in lines[1:]:
            print(f"Cảnh báo: {line}", file=sys.stderr)
    return EXIT_OK if report.clean else EXIT_INCOMPLETE


def _new_password(args, username: str) -> tuple[str, str | None]:
    """(password, confirmation): one line of standard input with --password-stdin, else typed
    twice on the terminal without echo."""
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InvalidInput("Không có mật khẩu trên đầu vào chuẩn.", field="password")
        return line.rstrip("\r\n"), None
    import getpass

    try:
        first = getpass.getpass(f"Mật khẩu mới cho {username}: ")
        second = getpass.getpass("Nhập lại mật khẩu: ")
    except EOFError:
        raise InvalidInput(
            "Không đọc được mật khẩu từ bàn phím; dùng --password-stdin để đưa mật khẩu qua "
            "đầu vào chuẩn.",
            field="password",
        ) from None
    except KeyboardInterrupt:
        raise InvalidInput("Đã hủy; chưa thay đổi gì.", field="password") from None
    return first, second


def cmd_clerk_add(args, ctx) -> int:
    from counter_app.services.clerks import acting_clerk, create_clerk, validate_username

    acting = acting_clerk(ctx, args.clerk)
    username = validate_username(args.username)
    password, confirm = _new_password(args, username)
    clerk = create_clerk(
        ctx,
        username=username,
        full_name=args.full_name,
        password=password,
        confirm=confirm,
        role=args.role,
        acting=acting,
    )
    print(f"Đã thêm cán bộ {clerk.full_name} ({clerk.username}, {clerk.role_label}).")
    return EXIT_OK


def cmd_clerk_list(args, ctx) -> int:
    from counter_app.services.clerks import clerk_accounts

    accounts = clerk_accounts(ctx)
    if args.json:
        _print_json(accounts)
        return EXIT_OK
    for a in accounts:
        if not a["active"]:
            state = "đã vô hiệu hóa"
        elif a["locked_until"]:
            from datetime import datetime

            state = f"tạm khóa đến {datetime.fromisoformat(a['locked_until']):%H:%M %d/%m/%Y}"
        elif not a["has_password"]:
            state = "chưa có mật khẩu"
        else:
            state = "đang dùng"
        print(f"{a['username']:<20} {a['full_name']:<28} {a['role_label']:<30} {state}")
    print(f"({len(accounts)} tài khoản)")
    return EXIT_OK


def cmd_clerk_passwd(args, ctx) -> int:
    from counter_app.services.clerks import acting_clerk, change_password, validate_username

    acting = acting_clerk(ctx, args.clerk)
    username = validate_username(args.username)
    password, confirm = _new_password(args, username)
    change_password(ctx, username, new_password=password, confirm=confirm, acting=acting)
    print(f"Đã đặt mật khẩu mới cho {username}.")
    return EXIT_OK


def cmd_clerk_disable(args, ctx) -> int:
    from counter_app.services.clerks import acting_clerk, disable_clerk

    disable_clerk(ctx, args.username, acting=acting_clerk(ctx, args.clerk))
    print(
        f"Đã vô hiệu hóa tài khoản {args.username}; cán bộ này không đăng nhập được nữa, các hồ "
        "sơ đã tiếp nhận vẫn giữ tên cán bộ."
    )
    return EXIT_OK


def cmd_attach(args, ctx) -> int:
    from counter_app.services.attachments import add_attachment

    added = add_attachment(
        ctx, args.code, Path(args.file), clerk=args.clerk, document_position=args.document
    )
    print(
        f"Đã đính kèm «{added['filename']}» ({added['size']} byte) vào hồ sơ {added['code']}; "
        "tệp sẽ được gửi lên máy chủ tỉnh ở lần đồng bộ tới."
    )
    return EXIT_OK


def cmd_backup(args, ctx) -> int:
    from counter_app.services.backup import backup_now
    from counter_app.services.clerks import check_acting

    with ctx.db.read() as session:  # a full copy of personal data (Decree 13/2023)
        check_acting(session, args.clerk, "supervisor", "sao lưu cơ sở dữ liệu ra tệp")
    made = backup_now(ctx.db.path, ctx.data_dir, args.out)
    print(f"Đã sao lưu cơ sở dữ liệu vào «{made}» ({made.stat().st_size:,} byte).")
    return EXIT_OK


def cmd_restore(args, data_dir: Path) -> int:
    from counter_app.models.database import DB_FILENAME
    from counter_app.services.backup import restore_backup

    info = restore_backup(data_dir / DB_FILENAME, data_dir, args.file)
    kept = f"; cơ sở dữ liệu cũ được giữ tại «{info['kept']}»" if info["kept"] else ""
    print(
        f"Đã khôi phục từ «{args.file}» ({info['dossiers']} hồ sơ){kept}. Hãy đồng bộ "
        "(counter-app sync --once) trước khi tiếp nhận hồ sơ mới, để nhận lại các hồ sơ đã gửi "
        "lên máy chủ tỉnh sau thời điểm sao lưu."
    )
    return EXIT_OK


def cmd_audit_verify(args, ctx) -> int:
    from counter_app.services.audit import verify_chain

    result = verify_chain(ctx)
    if result.ok:
        print(f"Nhật ký thao tác nguyên vẹn: {result.rows} dòng, chuỗi băm khớp.")
        return EXIT_OK
    print(f"Lỗi: {result.message_vi()}", file=sys.stderr)
    return EXIT_FAILURE


# -- parser -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="counter-app",
        description="Quầy Một Cửa: tiếp nhận và trả kết quả hồ sơ thủ tục hành chính. "
        "Không có lệnh: mở cửa sổ làm việc.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="thư mục dữ liệu (mặc định: thư mục dữ liệu của người dùng)",
    )
    parser.add_argument(
        "--clerk",
        metavar="USERNAME",
        help="tên đăng nhập của cán bộ thực hiện (mặc định: quản trị viên)",
    )
    # The installed bundle's check: open the window, close it after its first paint.
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=cmd_window)
    commands = parser.add_subparsers(title="lệnh", metavar="LỆNH")

    p = commands.add_parser("setup", help="thiết lập đơn vị và quầy (lần chạy đầu)")
    p.add_argument("--unit-code", required=True, help="mã đơn vị, ví dụ 000.00.12.H49")
    p.add_argument("--unit-name", required=True, help="tên đơn vị tiếp nhận")
    p.add_argument("--station", type=int, default=0, help="số quầy 0–9 (mặc định 0)")
    p.add_argument("--place", help="địa danh ghi trên phiếu, ví dụ «Hà Nội»")
    p.add_argument("--governing-agency", help="cơ quan chủ quản")
    p.set_defaults(handler=cmd_setup)

    catalog = commands.add_parser("catalog", help="danh mục thủ tục").add_subparsers(
        metavar="LỆNH", required=True
    )
    p = catalog.add_parser("import", help="nhập danh mục từ tệp JSON")
    p.add_argument("file")
    p.set_defaults(handler=cmd_catalog_import)
    p = catalog.add_parser("list", help="liệt kê các thủ tục hiện hành")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_catalog_list)

    calendar = commands.add_parser("calendar", help="lịch nghỉ, làm bù").add_subparsers(
        metavar="LỆNH", required=True
    )
    p = calendar.add_parser("import", help="nhập ngày nghỉ, ngày làm bù từ tệp JSON")
    p.add_argument("file")
    p.set_defaults(handler=cmd_calendar_import)
    p = calendar.add_parser("show", help="xem ngày nghỉ và ngày làm bù của một năm")
    p.add_argument("year", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_calendar_show)

    p = commands.add_parser("register", help="tiếp nhận một hồ sơ từ JSON")
    p.add_argument(
        "--json",
        dest="json_file",
        required=True,
        metavar="FILE",
        help="tệp JSON, hoặc - để đọc từ đầu vào chuẩn",
    )
    p.add_argument(
        "--receipt",
        type=Path,
        metavar="FILE.pdf",
        help="in luôn giấy tiếp nhận và hẹn trả kết quả (mẫu 01) ra tệp PDF này",
    )
    p.set_defaults(handler=cmd_register)

    p = commands.add_parser("receipt", help="in giấy tiếp nhận (mẫu 01) hoặc mẫu 02–05 ra PDF")
    p.add_argument("code", help="mã hồ sơ")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help="tệp PDF")
    p.add_argument(
        "--form",
        default="01",
        choices=["01", "02", "03", "04", "05"],
        help="01 giấy tiếp nhận (mặc định), 02 yêu cầu bổ sung, 03 từ chối tiếp nhận, "
        "04 xin lỗi và hẹn lại, 05 phiếu kiểm soát",
    )
    p.add_argument("--slip", action="store_true", help="giấy tiếp nhận khổ 80 mm (máy in nhiệt)")
    p.add_argument(
        "--new-appointment",
        metavar="'YYYY-MM-DD HH:MM'",
        help="mẫu 04: ngày giờ hẹn trả mới (mặc định: lấy từ quá trình xử lý)",
    )
    p.add_argument("--reason", help="mẫu 04: lý do chậm trễ")
    p.set_defaults(handler=cmd_receipt)

    p = commands.add_parser(
        "register-book", help="in sổ theo dõi hồ sơ của quầy ra PDF (hoặc Excel .xlsx)"
    )
    p.add_argument("--from", dest="date_from", required=True, metavar="DD/MM/YYYY")
    p.add_argument("--to", dest="date_to", required=True, metavar="DD/MM/YYYY")
    p.add_argument(
        "--out", type=Path, required=True, metavar="FILE.pdf|FILE.xlsx", help="tệp PDF hoặc Excel"
    )
    p.add_argument("--xlsx", action="store_true", help="xuất sổ tính Excel thay vì PDF")
    p.set_defaults(handler=cmd_register_book)

    p = commands.add_parser(
        "report", help="thống kê hồ sơ trong một kỳ (tiếp nhận, giải quyết, quá hạn, đánh giá)"
    )
    p.add_argument("--from", dest="date_from", required=True, metavar="DD/MM/YYYY")
    p.add_argument("--to", dest="date_to", required=True, metavar="DD/MM/YYYY")
    p.add_argument("--out", type=Path, metavar="FILE.xlsx", help="ghi thêm sổ tính Excel")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(handler=cmd_report)

    p = commands.add_parser("find", help="tìm hồ sơ theo mã, số giấy tờ, điện thoại, họ tên")
    p.add_argument("query")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_find)

    p = commands.add_parser("show", help="xem một hồ sơ và quá trình xử lý")
    p.add_argument("code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = commands.add_parser("handback", help="trả kết quả cho người nộp")
    p.add_argument("code")
    p.add_argument("--collected-by", help="họ tên người nhận kết quả")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_handback)

    for name, handler, help_text in (
        ("withdraw", cmd_withdraw, "ghi nhận công dân rút hồ sơ"),
        ("refuse", cmd_refuse, "từ chối tiếp nhận hồ sơ"),
    ):
        p = commands.add_parser(name, help=help_text)
        p.add_argument("code")
        p.add_argument("--reason", required=True)
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=handler)

    supplement = commands.add_parser("supplement", help="bổ sung hồ sơ").add_subparsers(
        metavar="LỆNH", required=True
    )
    p = supplement.add_parser("request", help="yêu cầu bổ sung (dừng tính thời hạn)")
    p.add_argument("code")
    p.add_argument("--reason", required=True, help="giấy tờ còn thiếu và lý do")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_supplement_request)
    p = supplement.add_parser("receive", help="đã nhận hồ sơ bổ sung (tính tiếp thời hạn)")
    p.add_argument("code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_supplement_receive)

    agency = commands.add_parser(
        "agency", help="ghi nhận bước xử lý của cơ quan giải quyết"
    ).add_subparsers(metavar="LỆNH", required=True)
    p = agency.add_parser("set-status", help="đặt trạng thái do cơ quan giải quyết quyết định")
    p.add_argument("code")
    p.add_argument(
        "--status",
        required=True,
        choices=[
            "processing",
            "supplement_requested",
            "financial_obligation",
            "stopped",
            "result_ready",
        ],
    )
    p.add_argument("--note")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_agency_set_status)

    p = commands.add_parser("enroll", help="đăng ký máy với máy chủ tỉnh (mã dùng một lần)")
    p.add_argument(
        "--server", required=True, help="địa chỉ máy chủ, ví dụ https://dongbo.tinh.gov.vn"
    )
    p.add_argument("--code", required=True, help="mã đăng ký do quản trị máy chủ cấp")
    p.add_argument("--ca-bundle", metavar="FILE", help="tệp chứng chỉ CA riêng của tỉnh (PEM)")
    p.add_argument(
        "--allow-http",
        action="store_true",
        help="chấp nhận http không mã hóa (chỉ để chạy thử trong mạng nội bộ)",
    )
    p.set_defaults(handler=cmd_enroll)

    p = commands.add_parser("sync", help="đồng bộ với máy chủ tỉnh (mặc định: chạy liên tục)")
    p.add_argument("--once", action="store_true", help="đồng bộ một lần rồi thoát")
    p.add_argument("--status", action="store_true", help="xem tình trạng đồng bộ")
    p.add_argument("--interval", type=float, default=60, help="số giây giữa hai lần (mặc định 60)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_sync)

    p = commands.add_parser("backup", help="sao lưu cơ sở dữ liệu ngay (ra thư mục sao lưu)")
    p.add_argument(
        "--out", type=Path, metavar="FILE|DIR", help="ghi bản sao lưu ra tệp hoặc thư mục này"
    )
    p.set_defaults(handler=cmd_backup)

    p = commands.add_parser(
        "restore", help="khôi phục cơ sở dữ liệu từ một bản sao lưu (giữ lại bản hiện tại)"
    )
    p.add_argument("file", type=Path, help="tệp sao lưu (.sqlite3)")
    p.set_defaults(handler=cmd_restore, without_database=True)

    audit = commands.add_parser("audit", help="nhật ký thao tác").add_subparsers(
        metavar="LỆNH", required=True
    )
    p = audit.add_parser("verify", help="kiểm tra nhật ký thao tác không bị sửa ngoài phần mềm")
    p.set_defaults(handler=cmd_audit_verify)

    clerk = commands.add_parser(
        "clerk", help="tài khoản cán bộ: thêm, liệt kê, đặt mật khẩu, vô hiệu hóa"
    ).add_subparsers(metavar="LỆNH", required=True)
    p = clerk.add_parser("add", help="thêm cán bộ (hỏi mật khẩu hai lần)")
    p.add_argument("username", help="tên đăng nhập, ví dụ lan.nt")
    p.add_argument("--full-name", required=True, help="họ tên đầy đủ, có dấu")
    p.add_argument(
        "--role",
        default="clerk",
        choices=["clerk", "supervisor", "admin"],
        help="clerk: cán bộ tiếp nhận (mặc định), supervisor: lãnh đạo bộ phận, "
        "admin: quản trị viên",
    )
    p.add_argument(
        "--password-stdin", action="store_true", help="đọc mật khẩu từ một dòng đầu vào chuẩn"
    )
    p.set_defaults(handler=cmd_clerk_add)
    p = clerk.add_parser("list", help="liệt kê các tài khoản, kể cả đã vô hiệu hóa")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_clerk_list)
    p = clerk.add_parser("passwd", help="đặt mật khẩu mới cho một cán bộ")
    p.add_argument("username")
    p.add_argument(
        "--password-stdin", action="store_true", help="đọc mật khẩu từ một dòng đầu vào chuẩn"
    )
    p.set_defaults(handler=cmd_clerk_passwd)
    p = clerk.add_parser("disable", help="vô hiệu hóa tài khoản (cán bộ nghỉ, chuyển công tác)")
    p.add_argument("username")
    p.set_defaults(handler=cmd_clerk_disable)

    p = commands.add_parser("attach", help="đính kèm tệp (bản quét giấy tờ) vào hồ sơ")
    p.add_argument("code")
    p.add_argument("file", help="tệp PDF, JPG hoặc PNG")
    p.add_argument(
        "--document",
        type=int,
        metavar="N",
        help="số thứ tự của giấy tờ trong danh sách giấy tờ của hồ sơ (mặc định: cả hồ sơ)",
    )
    p.set_defaults(handler=cmd_attach)
    return parser


def _storage_errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    from sqlalchemy.exc import DatabaseError

    return (DatabaseError, sqlite3.Error)


def _window_only(argv: list[str]) -> argparse.Namespace | None:
    """The arguments when the command line only opens the window (`counter-app`, with
    --data-dir, --clerk, --smoke): the full parser (every command) is not built for them."""
    values: dict[str, Any] = {"data_dir": None, "clerk": None, "smoke": False}
    rest = list(argv)
    while rest:
        word = rest.pop(0)
        name, equals, value = word.partition("=")
        if name in ("--data-dir", "--clerk"):
            if not equals:
                if not rest:
                    return None
                value = rest.pop(0)
            values[name[2:].replace("-", "_")] = Path(value) if name == "--data-dir" else value
        elif word == "--smoke":
            values["smoke"] = True
        else:
            return None
    return argparse.Namespace(**values, handler=cmd_window)


def main(argv: list[str] | None = None) -> int:
    args = _window_only(sys.argv[1:] if argv is None else argv) or build_parser().parse_args(argv)
    from counter_app.app import default_data_dir

    data_dir = (args.data_dir or default_data_dir()).expanduser()
    try:
        if getattr(args, "without_database", False):
            return args.handler(args, data_dir)  # e.g. restore: the database may be unreadable
        if args.handler is cmd_window:
            if getattr(args, "smoke", False):
                from counter_app.ui.smoke import close_after_first_paint

                close_after_first_paint()
            from counter_app.ui.launch import launch

            return launch(data_dir)  # the sign-in form before SQLAlchemy is imported
        from counter_app.app import open_context

        ctx = open_context(data_dir)
        try:
            return args.handler(args, ctx)
        finally:
            ctx.db.close()
    except CounterError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except _storage_errors() as error:  # evaluated only when an error is raised
        from counter_app.services.backup import storage_message

        print(f"Lỗi: {storage_message(error, data_dir)}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as error:
        if error.errno == errno.ENOSPC or str(error.filename or "").startswith(str(data_dir)):
            from counter_app.services.backup import storage_message

            print(f"Lỗi: {storage_message(error, data_dir)}", file=sys.stderr)
            return EXIT_FAILURE
        print(
            f"Lỗi hệ thống tệp: {error.strerror or error} ({error.filename or ''})", file=sys.stderr
        )
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
