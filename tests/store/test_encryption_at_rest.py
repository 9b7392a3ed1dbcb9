from pathlib import Path

from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService

NAME, PHONE, ID_NUMBER = "Parvathy Krishnan", "+91 99461 77102", "4321 9876 5555"


def raw_bytes(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in data_dir.glob("emsync.db*"))


def test_pii_never_reaches_disk_in_plaintext(app_context: AppContext) -> None:
    user = next(u for u in demo_users(app_context.store) if u.role is Role.PARAMEDIC)
    cases = CaseService(app_context.store, user, app_context.install.device_id)
    case = cases.open_case()
    for field, value in (("name", NAME), ("phone", PHONE), ("id_number", ID_NUMBER),
                         ("chief_complaint", "Seizure")):
        assert cases.set_detail(case.id, field, value).ok
    on_disk = raw_bytes(app_context.data_dir)
    assert b"Seizure" in on_disk  # the check can see plaintext when it is there
    for secret in (NAME, PHONE, ID_NUMBER, "Parvathy", "99461"):
        assert secret.encode() not in on_disk
        assert secret.encode("utf-16-le") not in on_disk
    assert cases.load(case.id).details.name == NAME
