"""`counter-app clerk add|list|passwd|disable`: clerk accounts from the command line, over the
same service as the window's settings screen. Real processes, temporary data folders."""

import json

import pytest
from test_cli import UNIT, ok, run


@pytest.fixture
def station(tmp_path):
    data_dir = tmp_path / "station"
    ok(run(data_dir, "setup", "--unit-code", UNIT, "--unit-name", "UBND xã Tân Lập"))
    return data_dir


def sign_in(data_dir, username: str, password: str):
    from counter_app.app import open_context
    from counter_app.services.clerks import sign_in as service_sign_in

    ctx = open_context(data_dir)
    try:
        return service_sign_in(ctx, username, password)
    finally:
        ctx.db.close()


def test_add_list_passwd_disable(station):
    out = ok(
        run(
            station, "clerk", "add", "lan.nt", "--full-name", "Nguyễn Thị Lan",
            "--password-stdin", stdin="lan-123456\n",
        )
    )  # fmt: skip
    assert "Đã thêm cán bộ Nguyễn Thị Lan (lan.nt, Cán bộ tiếp nhận)." in out
    ok(
        run(
            station, "clerk", "add", "hung.tv", "--full-name", "Trần Văn Hùng",
            "--role", "supervisor", "--password-stdin", stdin="hung-123456\n",
        )
    )  # fmt: skip
    assert sign_in(station, "lan.nt", "lan-123456").role == "clerk"
    assert sign_in(station, "hung.tv", "hung-123456").role == "supervisor"

    listed = json.loads(ok(run(station, "clerk", "list", "--json")))
    by_name = {a["username"]: a for a in listed}
    assert set(by_name) == {"quantri", "lan.nt", "hung.tv"}
    assert by_name["hung.tv"]["role_label"] == "Lãnh đạo bộ phận (giám sát)"
    assert by_name["quantri"]["has_password"] is False
    text = ok(run(station, "clerk", "list"))
    assert "lan.nt" in text and "Nguyễn Thị Lan" in text and "đang dùng" in text
    assert "chưa có mật khẩu" in text and "(3 tài khoản)" in text

    out = ok(run(station, "clerk", "passwd", "lan.nt", "--password-stdin", stdin="moi-654321\n"))
    assert "Đã đặt mật khẩu mới cho lan.nt." in out
    assert sign_in(station, "lan.nt", "moi-654321").username == "lan.nt"

    out = ok(run(station, "clerk", "disable", "lan.nt"))
    assert "Đã vô hiệu hóa tài khoản lan.nt" in out
    from counter_app.domain.errors import InvalidInput

    with pytest.raises(InvalidInput):
        sign_in(station, "lan.nt", "moi-654321")
    listed = {a["username"]: a for a in json.loads(ok(run(station, "clerk", "list", "--json")))}
    assert listed["lan.nt"]["active"] is False
    assert "đã vô hiệu hóa" in ok(run(station, "clerk", "list"))


def test_mistakes_are_sentences_with_status_2_and_change_nothing(station, monkeypatch, capsys):
    """In process (the same main() as the command); one real process checks the exit path."""
    import io

    from counter_app import cli

    cases = [
        (["clerk", "add", "Lan NT", "--full-name", "Lan"], "x-123456\n", "không hợp lệ"),
        (["clerk", "add", "lan.nt", "--full-name", "Lan"], "abc\n", "ít nhất 6 ký tự"),
        (["clerk", "add", "quantri", "--full-name", "X"], "x-123456\n", "đã có"),
        (["clerk", "passwd", "khong.co"], "x-123456\n", "Không có cán bộ «khong.co»"),
        (["clerk", "disable", "quantri"], None, "quản trị viên cuối cùng"),
        (["clerk", "add", "lan.nt", "--full-name", "Lan"], "", "Không có mật khẩu"),
    ]
    for args, stdin, expected in cases:
        if stdin is not None:
            args = [*args, "--password-stdin"]
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        assert cli.main(["--data-dir", str(station), *args]) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("Lỗi: ") and expected in err, err
    result = run(station, "clerk", "disable", "khong.co")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr == "Lỗi: Không có cán bộ «khong.co».\n"
    # A role the window does not know is refused by the parser.
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--data-dir", str(station), "clerk", "add", "x.y", "--full-name", "X",
                  "--role", "boss"])  # fmt: skip
    assert exit_.value.code == 2
    assert [a["username"] for a in json.loads(ok(run(station, "clerk", "list", "--json")))] == [
        "quantri"
    ]


def test_a_clerk_cannot_manage_accounts(station):
    ok(run(station, "clerk", "add", "lan.nt", "--full-name", "Lan", "--password-stdin",
           stdin="lan-123456\n"))  # fmt: skip
    result = run(
        station, "--clerk", "lan.nt", "clerk", "add", "an.nv", "--full-name", "An",
        "--password-stdin", stdin="an-1234567\n",
    )  # fmt: skip
    assert result.returncode == 2 and "Chỉ quản trị viên" in result.stderr


def test_password_typed_twice_on_the_terminal(tmp_path, monkeypatch, capsys):
    """The getpass path, in process (a terminal cannot be faked for a subprocess here)."""
    from counter_app import cli

    data_dir = tmp_path / "station"
    assert cli.main(["--data-dir", str(data_dir), "setup", "--unit-code", UNIT,
                     "--unit-name", "UBND xã Tân Lập"]) == 0  # fmt: skip
    typed = iter(["lan-123456", "lan-654321"])
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or next(typed))
    add = ["--data-dir", str(data_dir), "clerk", "add", "lan.nt", "--full-name", "Lan"]
    assert cli.main(add) == 2
    assert "Hai lần nhập mật khẩu không khớp" in capsys.readouterr().err
    assert prompts == ["Mật khẩu mới cho lan.nt: ", "Nhập lại mật khẩu: "]
    typed = iter(["lan-123456", "lan-123456"])
    assert cli.main(add) == 0
    assert sign_in(data_dir, "lan.nt", "lan-123456").full_name == "Lan"

    def interrupted(prompt):
        raise KeyboardInterrupt

    monkeypatch.setattr("getpass.getpass", interrupted)
    assert cli.main(["--data-dir", str(data_dir), "clerk", "passwd", "lan.nt"]) == 2
    assert "Đã hủy; chưa thay đổi gì." in capsys.readouterr().err
