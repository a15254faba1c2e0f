"""Job-status events reach subscribers of the server's event bus (what JupyterLab listens to)."""

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from tornado.websocket import websocket_connect

from tests.helpers.jupyter import ServerProcess, running_server

SCHEMA = "https://events.jlab-platform.dev/job-status"


async def _events_until(
    server: ServerProcess, wanted: int, submit: Any, timeout: float = 60
) -> list[dict[str, Any]]:
    url = server.url.replace("http", "ws", 1) + f"api/events/subscribe?token={server.token}"
    conn = await websocket_connect(url)
    await asyncio.to_thread(submit)
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(events) < wanted and time.monotonic() < deadline:
        raw = await asyncio.wait_for(conn.read_message(), deadline - time.monotonic())
        event = json.loads(raw or "{}")
        if event.get("schema_id") == SCHEMA:
            events.append(event)
    conn.close()
    return events


def test_success_and_terminate_are_announced_on_the_event_bus(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "ok.py").write_text("print('done')\n")
    (root / "long.py").write_text("import time\ntime.sleep(600)\n")
    with running_server(root) as server:

        def submit() -> None:
            server.request("POST", "jlab-platform/api/jobs", {"script": "ok.py", "name": "quick"})
            long = server.request("POST", "jlab-platform/api/jobs", {"script": "long.py", "name": "long"})
            server.request("POST", f"jlab-platform/api/jobs/{long['id']}/terminate", {})

        events = asyncio.run(_events_until(server, 2, submit))
    by_name = {event["name"]: event for event in events}
    assert by_name["quick"]["status"] == "success" and by_name["quick"]["finished_at"]
    assert by_name["long"]["status"] == "terminated" and by_name["long"]["reason"] == "terminated on request"
