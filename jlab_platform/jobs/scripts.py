"""Scripts the platform writes for its own jobs (a labeling round, an evaluation).

Jobs run workspace scripts, so such a job starts a small script kept in a hidden folder of the
shared results folder, which every job can reach (snapshots leave ``results/`` out and link it).
"""

import secrets
from pathlib import Path

from ..files.atomic import write_atomic
from .launch import RESULTS_LINK

# The job launcher links results/ into the folder of the script it starts; this file in
# its place keeps results/<folder>/ from holding a link to its own parent.
_PLACEHOLDER_TEXT = "jlab_platform: keeps the job launcher from linking results/ into itself here.\n"


def platform_script(results_dir: Path, folder_name: str, file_name: str, text: str) -> Path:
    """``results/<folder_name>/<file_name>`` holding ``text`` (rewritten when it differs)."""
    folder = results_dir / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    placeholder = folder / RESULTS_LINK
    if not placeholder.exists() and not placeholder.is_symlink():
        write_atomic(placeholder, _PLACEHOLDER_TEXT.encode(), secrets.token_hex(4))
    script = folder / file_name
    if not script.is_file() or script.read_text(encoding="utf-8") != text:
        write_atomic(script, text.encode(), secrets.token_hex(4))
    return script
