"""Upgrading a server that holds radiographs from before senders were recorded (migration ``s0007blob``):
each file stays readable through the earliest study citing it, and through no later one (SQLite and
PostgreSQL)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from sync_server.app import MIGRATIONS
from tests.sync_server.conftest import AMRITA, Server
from tests.sync_server.test_blobs import FILE, fetch, put_whole, study_at


def migrate_to(server: Server, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if revision == "before s0007blob":
        revision = str(ScriptDirectory.from_config(config).get_revision("s0007blob").down_revision)
    with server.client.app.state.engine.begin() as conn:  # type: ignore[attr-defined]
        config.attributes["connection"] = conn
        if revision == "head":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)


def test_files_from_before_the_upgrade_stay_readable_through_their_first_study_only(server: Server) -> None:
    study_at(server)  # Lourdes' X-ray, sent by its ward
    put_whole(server)
    study_at(server, "anu", AMRITA, crew="ravi")  # later: another hospital's study citing the same hash
    migrate_to(server, "before s0007blob")  # as the server was before the upgrade: no senders recorded
    migrate_to(server, "head")
    assert fetch(server, "asha").content == FILE
    assert fetch(server, "ravi").status_code == 404
