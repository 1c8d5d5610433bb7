"""Validates JSON-lines statements with Ralph's strict model (it forbids unknown fields and
empty values, checks IRIs, language tags, UUIDs...); run by Ralph's own Python.

Reads one statement per line on stdin; writes one JSON line per statement on stdout:
``{"index": N, "errors": [...]}`` (an empty list when the statement is valid).
"""

import json
import sys


def main() -> None:
    from pydantic import ValidationError
    from ralph.models.xapi.base.statements import BaseXapiStatement

    for index, line in enumerate(sys.stdin):
        if not line.strip():
            continue
        try:
            BaseXapiStatement.model_validate_json(line)
            errors = []
        except ValidationError as exc:
            errors = [
                f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
                for error in exc.errors()
            ]
        sys.stdout.write(json.dumps({"index": index, "errors": errors}) + "\n")


if __name__ == "__main__":
    main()
