import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.postgres import create_database, running_postgres
from tests.helpers.ray_cluster import RayHead, running_ray_head

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


@pytest.fixture(scope="session", autouse=True)
def own_runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Jobs the tests start look for their server's runtime file: never among this user's own."""
    saved = os.environ.get("JUPYTER_RUNTIME_DIR")
    os.environ["JUPYTER_RUNTIME_DIR"] = str(tmp_path_factory.mktemp("jupyter-runtime"))
    yield
    if saved is None:
        del os.environ["JUPYTER_RUNTIME_DIR"]
    else:
        os.environ["JUPYTER_RUNTIME_DIR"] = saved


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """One real PostgreSQL server for the whole run (each test gets its own database)."""
    with running_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The store's URL: the embedded SQLite default, and a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'platform.db'}"
    admin_url: str = request.getfixturevalue("postgres_admin_url")
    return create_database(admin_url, f"test_{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session")
def ray_head() -> Iterator[RayHead]:
    """One real Ray head node (2 CPUs, its own ports and temp dir) for the Ray tests of the run."""
    with running_ray_head(num_cpus=2) as head:
        yield head
