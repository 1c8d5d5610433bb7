"""What a web worker imports: libraries only the command line or a rare page uses stay out of
its memory until they are needed (Alembic and its Mako templates are about 10 MB of every
worker otherwise; Authlib and joserfc, for organisation sign-in only, a few MB more;
openpyxl with lxml, for XLSX downloads, some 13 MB)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from lms.app import create_app
app = create_app()
client = app.test_client()
assert client.get("/login").status_code == 200
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_a_worker_imports_neither_the_migration_tool_nor_the_sso_client(tmp_path):
    env = {
        **os.environ,
        "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
        "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'lms.sqlite3'}",
        "LMS_DEMO": "no",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    env.pop("TEST_DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "lms" in modules and "flask" in modules
    assert "alembic" not in modules
    assert "mako" not in modules
    assert "authlib" not in modules and "joserfc" not in modules
    assert "openpyxl" not in modules  # loaded by the first XLSX download
