"""Files the service creates hold personal data: the database (and its WAL) and media are owner-only
(review item 14: they were world-readable, 0644)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path


def test_the_database_the_service_creates_is_owner_only(tmp_path: Path) -> None:
    tawasul = Path(sys.executable).with_name("tawasul")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/private.db", "TAWASUL_DATA_DIR": str(tmp_path)}
    done = subprocess.run([str(tawasul), "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    created = [p for p in tmp_path.iterdir() if p.name.startswith("private.db")]
    assert created
    for path in created:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path.name} is {oct(mode)}"
