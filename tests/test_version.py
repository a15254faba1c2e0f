import json
import re
from pathlib import Path

from jlab_platform import __version__

ROOT = Path(__file__).resolve().parents[1]


def test_python_package_json_and_frontend_versions_agree() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    frontend = re.search(r"FRONTEND_VERSION = '([^']+)'", (ROOT / "src" / "version.ts").read_text())
    assert frontend is not None
    assert package["version"] == __version__ == frontend.group(1)
