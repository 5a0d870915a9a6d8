"""What several test files share."""

import io

from django.core.management import call_command


def import_video(*args) -> tuple[int, str, str]:
    """`manage.py import_video ARGS` as an editor runs it: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_video", *map(str, args), stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()
