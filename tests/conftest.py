from typing import Any

import pytest

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jlab_platform": True},
            # Handlers are tested as a real deployment runs them: no anonymous access.
            "allow_unauthenticated_access": False,
        }
    }
