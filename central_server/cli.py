"""`counter-server`: the central server's command line (its commands come with the sync work)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="counter-server",
        description="Máy chủ trung tâm của tỉnh: nhận đồng bộ hồ sơ từ các quầy.",
    )
    parser.parse_args(argv)
    print(
        "Máy chủ trung tâm chưa có trong phiên bản này: các lệnh migrate, serve, unit, enroll "
        "sẽ có khi phần đồng bộ được xây dựng.",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
