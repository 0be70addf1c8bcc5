"""An upgrade keeps the data: a station's database made by an earlier release's own code
(tests/data/upgrade/, see make_fixture.py there) is opened by this version's command line in a
real process. It upgrades the schema to SCHEMA_HEAD after a backup of the database as it was,
and every dossier is found by code, by ID number and by a name typed without diacritics, with
the status, the received and appointment times and the history the old version showed."""

import json
import shutil

import pytest
from support import APPLICANT, ok, run_cli
from upgrade_support import RELEASES, check_upgraded, install_release, revision_of

from counter_app.models.database import DB_FILENAME, SCHEMA_HEAD


def test_there_are_earlier_releases_to_upgrade_from():
    assert {"schema-0003", "schema-0004"} <= set(RELEASES)


@pytest.mark.parametrize("release", RELEASES)
def test_an_earlier_release_upgrades_and_keeps_every_dossier(tmp_path, release):
    data_dir = tmp_path / "station"
    old = install_release(release, data_dir)
    first = old["dossiers"][0]
    backup = check_upgraded(lambda: ok(run_cli(data_dir, "find", first["code"])), data_dir, old)

    # The upgraded station goes on numbering that day where the old version stopped.
    day_codes = [d["code"] for d in old["dossiers"] if d["received_at"][:10] == "2026-11-02"]
    request = {
        "procedure_code": "1.001193",
        "applicant": {
            **APPLICANT,
            "full_name": "Vũ Thị Lan",
            "id_number": "001195009999",
            "gender": "Nữ",
            "date_of_birth": "1995-06-01",
        },
        "received_at": "2026-11-02 16:00",
    }
    made = json.loads(ok(run_cli(data_dir, "register", "--json", "-", stdin=json.dumps(request))))
    last = max(int(code.rsplit("-", 1)[1]) for code in day_codes)
    assert made["code"] == f"{old['unit_code']}-261102-{last + 1:04d}"
    ok(run_cli(data_dir, "audit", "verify"))

    # The backup is a working database of the old version: restored, it upgrades again.
    again = tmp_path / "restored"
    again.mkdir()
    shutil.copyfile(backup, again / DB_FILENAME)
    assert revision_of(again / DB_FILENAME) == old["schema"]
    assert first["code"] in ok(run_cli(again, "find", first["id_number"]))
    assert revision_of(again / DB_FILENAME) == SCHEMA_HEAD
