"""Starts a Ralph LRS with its file-system backend; run by Ralph's own Python (not ours).

Usage: python ralph_launcher.py PORT. Environment: RALPH_* settings (see tests/xapi/ralph.py)
and LMS_RALPH_USERNAME / LMS_RALPH_PASSWORD, written to Ralph's auth file first.

Ralph 5.1's fs backend accepts only the first write to its statements file unless its
default operation type is switched to APPEND before the app is served, so the app is
imported and served here rather than by ``ralph runserver`` (which also reloads whenever a
file changes in its working directory).
"""

import json
import os
import sys
from pathlib import Path


def write_auth_file() -> None:
    import bcrypt

    username = os.environ["LMS_RALPH_USERNAME"]
    password = os.environ["LMS_RALPH_PASSWORD"]
    digest = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
    credentials = [
        {
            "username": username,
            "hash": digest,
            "scopes": ["all"],
            "agent": {
                "objectType": "Agent",
                "account": {"homePage": "http://127.0.0.1", "name": "lms-tests"},
            },
        }
    ]
    path = Path(os.environ["RALPH_AUTH_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(credentials), encoding="utf-8")


def main() -> None:
    port = int(sys.argv[1])
    write_auth_file()
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.data.fs import FSDataBackend

    FSDataBackend.default_operation_type = BaseOperationType.APPEND
    import uvicorn

    uvicorn.run("ralph.api:app", host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
