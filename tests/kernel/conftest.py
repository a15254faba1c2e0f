from collections.abc import Iterator

import pytest

from tests.helpers.jupyter import ServerProcess, running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("kernel") / "root"
    root.mkdir()
    with running_server(root) as server:
        yield server
