"""A deadlock or a serialization failure on PostgreSQL is not the data's fault: the push fails and is sent again
(it is not refused op by op as unappliable). Other database errors on the data are."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError

from sync_server.writer import _deterministic


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def test_a_deadlock_and_a_serialization_failure_are_tried_again_later() -> None:
    for state in ("40P01", "40001"):
        assert not _deterministic(DBAPIError("UPDATE …", {}, _PgError(state)))


def test_a_broken_constraint_is_the_datas_own() -> None:
    assert _deterministic(IntegrityError("INSERT …", {}, _PgError("23505")))
