"""Service processes of a .py file (a service class, a predict function) and a ModelArts folder."""

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from .runtime_service import Service, add_key, b64_image, serving, write_config

SERVICE_CLASS = """
import os
import time
from pathlib import Path


class Shapes:
    batchable = True

    def load(self):
        with open("loads.txt", "a") as out:
            out.write("load\\n")

    def preprocess(self, request):
        request["size"] = list(request["image"].size) if "image" in request else None
        return request

    def inference(self, batch):
        with open("batches.txt", "a") as out:
            out.write(f"{len(batch)}\\n")
        if any(item["size"] == [13, 13] for item in batch):
            raise ValueError("the model cannot read 13x13 images")
        if any(item.get("text") == "slow" for item in batch):
            time.sleep(1.5)
        return [{"size": item["size"], "text": item.get("text"), "pid": os.getpid()} for item in batch]

    def postprocess(self, result):
        return {**result, "post": True}
"""

PREDICT_FUNCTION = """
def predict(text, times=2):
    return {"echo": text * times}
"""

CUSTOMIZE_SERVICE = """
import os

import log
import numpy as np
from PIL import Image
from model_service.pytorch_model_service import PTServingBaseService

logger = log.getLogger(__name__)


class BrightnessService(PTServingBaseService):
    def __init__(self, model_name, model_path):
        super(BrightnessService, self).__init__(model_name, model_path)
        self.threshold = float(open(model_path).read())
        logger.info("loaded %s", model_path)

    def _preprocess(self, data):
        preprocessed = {}
        for k, v in data.items():
            for file_name, file_content in v.items():
                preprocessed[k] = (file_name, Image.open(file_content).convert("L"))
        return preprocessed

    def _inference(self, data):
        file_name, image = data["images"]
        return {"file": file_name, "mean": float(np.mean(np.asarray(image)))}

    def _postprocess(self, data):
        label = "bright" if data["mean"] > self.threshold else "dark"
        return {"predicted_label": label, "file": data["file"], "model": os.path.basename(self.model_path)}
"""

MODELARTS_CONFIG = {
    "model_algorithm": "image_classification",
    "model_type": "PyTorch",
    "runtime": "python3.6",
    "apis": [
        {
            "protocol": "https",
            "url": "/",
            "method": "post",
            "request": {
                "Content-type": "multipart/form-data",
                "data": {"type": "object", "properties": {"images": {"type": "file"}}},
            },
            "response": {
                "Content-type": "application/json",
                "data": {"type": "object", "properties": {"predicted_label": {"type": "string"}}},
            },
        }
    ],
}


def gray(size: int, value: int) -> str:
    return b64_image(Image.new("L", (size, size), value))


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    code = tmp_path_factory.mktemp("shapes")
    (code / "service.py").write_text(SERVICE_CLASS)
    config = write_config(
        code / ".deploy",
        name="shapes",
        kind="python",
        code_dir=code,
        entry="service.py",
        inputs={"image": {"type": "image", "required": False}, "text": {"type": "str", "required": False}},
        batch_max_size=8,
        batch_window_ms=150,
    )
    with serving(config, env={"JLAB_DEPLOY_PROXY_SECRET": "proxy-secret"}) as service:
        yield service


def batch_sizes(service: Service) -> list[int]:
    return [int(line) for line in (Path(service.config.parent.parent) / "batches.txt").read_text().split()]


def test_aip_answers_seed_003s_contract(shapes: Service) -> None:
    answer = shapes.client.post("/aip", json={"image": gray(20, 200)})
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"code", "message", "data", "time"}
    assert body["code"] == 200 and body["data"]["size"] == [20, 20] and body["data"]["post"] is True
    assert len(body["time"]) == 19 and body["time"][4] == "-" and body["time"][13] == ":"
    loads = (Path(shapes.config.parent.parent) / "loads.txt").read_text()
    assert loads == "load\n"  # load() ran once, at start


def test_an_inference_error_is_code_401_and_the_service_stays_up(shapes: Service) -> None:
    answer = shapes.client.post("/aip", json={"image": gray(13, 0)})
    assert answer.status_code == 500
    assert answer.json()["code"] == 401
    assert "cannot read 13x13" in answer.json()["message"]
    again = shapes.client.post("/aip", json={"image": gray(16, 0)})
    assert again.json()["code"] == 200


def test_bad_requests_are_code_400(shapes: Service) -> None:
    for body in ({"image": "not base64 !!"}, {"picture": gray(8, 0)}, {"image": 5}):
        answer = shapes.client.post("/aip", json=body)
        assert (answer.status_code, answer.json()["code"]) == (400, 400), body
    answer = shapes.client.post("/aip", content=b"{not json")
    assert answer.json()["code"] == 400
    predict = shapes.client.post("/predict", json={"text": "a", "extra": 1})
    assert predict.status_code == 400 and "extra" in predict.json()["detail"]


def test_predict_takes_the_configured_inputs(shapes: Service) -> None:
    answer = shapes.client.post("/predict", json={"text": "hello", "image": gray(9, 0)})
    assert answer.status_code == 200
    assert answer.json()["outputs"]["text"] == "hello" and answer.json()["outputs"]["size"] == [9, 9]


def test_requests_arriving_together_are_batched(shapes: Service) -> None:
    before = len(batch_sizes(shapes))
    answers: list[int] = []

    def call(text: str) -> None:
        with httpx.Client(base_url=shapes.url, headers=shapes.client.headers, timeout=60) as client:
            answers.append(client.post("/predict", json={"text": text}).status_code)

    # A lone request runs at once; the seven that arrive while it runs (1.5 s) are inferred together.
    threads = [threading.Thread(target=call, args=("slow",))]
    threads[0].start()
    while len(batch_sizes(shapes)) == before:
        time.sleep(0.01)
    threads += [threading.Thread(target=call, args=(f"t{i}",)) for i in range(7)]
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 8
    sizes = batch_sizes(shapes)[before:]
    assert sizes[0] == 1 and sum(sizes) == 8 and max(sizes[1:]) >= 4, sizes


def test_auth_needs_a_listed_key_or_the_proxy_secret(shapes: Service) -> None:
    body = {"text": "x"}
    missing = httpx.post(f"{shapes.url}/predict", json=body)
    assert missing.status_code == 401 and missing.json()["error"] == "unauthorized"
    wrong = httpx.post(f"{shapes.url}/predict", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    proxied = httpx.post(
        f"{shapes.url}/predict", json=body, headers={"X-Jlab-Platform-Proxy": "proxy-secret"}
    )
    assert proxied.status_code == 200
    forged = httpx.post(f"{shapes.url}/aip", json=body, headers={"X-Jlab-Platform-Proxy": "guess"})
    assert forged.status_code == 403
    for route in ("/v2/health/ready", "/v2/models/shapes"):
        assert httpx.get(f"{shapes.url}{route}").status_code == 401
    assert httpx.get(f"{shapes.url}/healthz").status_code == 200
    assert httpx.get(f"{shapes.url}/readyz").json() == {"status": "ready"}


def test_a_revoked_key_stops_working_without_a_restart(shapes: Service) -> None:
    listed = json.loads(shapes.keys_file.read_text())
    with httpx.Client(base_url=shapes.url, timeout=30) as client:
        key = add_key(shapes.keys_file)
        headers = {"Authorization": f"Bearer {key}"}
        assert client.post("/predict", json={"text": "k"}, headers=headers).status_code == 200
        shapes.keys_file.write_text(json.dumps(listed))  # the new key's digest removed
        assert client.post("/predict", json={"text": "k"}, headers=headers).status_code == 403
    assert shapes.client.post("/predict", json={"text": "k"}).status_code == 200


def test_open_inference_protocol_v2(shapes: Service) -> None:
    assert shapes.client.get("/v2/health/ready").json() == {"ready": True}
    meta = shapes.client.get("/v2/models/shapes").json()
    assert (
        meta["name"] == "shapes" and {"name": "image", "datatype": "BYTES", "shape": [-1]} in meta["inputs"]
    )
    assert shapes.client.get("/v2/models/other").status_code == 404
    request = {
        "id": "r1",
        "inputs": [
            {"name": "image", "shape": [2], "datatype": "BYTES", "data": [gray(5, 0), gray(7, 0)]},
            {"name": "text", "shape": [1], "datatype": "BYTES", "data": ["both"]},
        ],
    }
    answer = shapes.client.post("/v2/models/shapes/infer", json=request).json()
    assert answer["id"] == "r1" and answer["model_name"] == "shapes"
    outputs = {tensor["name"]: tensor for tensor in answer["outputs"]}
    assert outputs["size"] == {"name": "size", "datatype": "INT64", "shape": [2, 2], "data": [5, 5, 7, 7]}
    assert outputs["text"]["data"] == ["both", "both"]
    bad = shapes.client.post(
        "/v2/models/shapes/infer", json={"inputs": [{"name": "image", "shape": [3], "data": []}]}
    )
    assert bad.status_code == 400 and "error" in bad.json()
    # Images are decoded with the batch, in the inference thread: one that is not an image is a 400.
    mixed = shapes.client.post(
        "/v2/models/shapes/infer",
        json={"inputs": [{"name": "image", "shape": [2], "datatype": "BYTES", "data": [gray(5, 0), "bm90"]}]},
    )
    assert mixed.status_code == 400 and "not an image" in mixed.json()["error"], mixed.text


def test_a_predict_function(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(PREDICT_FUNCTION)
    config = write_config(
        tmp_path / ".deploy",
        name="echo",
        kind="python",
        code_dir=tmp_path,
        entry="app.py",
        inputs={"text": {"type": "str"}, "times": {"type": "int", "default": 2, "required": False}},
    )
    with serving(config) as service:
        assert service.client.post("/predict", json={"text": "ab"}).json() == {"outputs": {"echo": "abab"}}
        assert (
            service.client.post("/predict", json={"text": "ab", "times": 3}).json()["outputs"]["echo"]
            == "ababab"
        )
        wrong = service.client.post("/predict", json={"text": "ab", "times": "many"})
        assert wrong.status_code == 400 and "times" in wrong.json()["detail"]
        assert service.client.post("/predict", json={}).status_code == 400  # text is required


def test_without_declared_inputs_fields_pass_as_sent(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(PREDICT_FUNCTION)
    config = write_config(tmp_path / ".deploy", name="open", kind="python", code_dir=tmp_path, entry="app.py")
    with serving(config) as service:
        answer = service.client.post("/predict", json={"text": [1], "times": 2})
        assert answer.json() == {"outputs": {"echo": [1, 1]}}
        failed = service.client.post("/predict", json={"words": "x"})  # predict() has no 'words'
        assert failed.status_code == 500 and "words" in failed.json()["detail"]


def test_a_modelarts_folder_runs_unchanged(tmp_path: Path) -> None:
    model = tmp_path / "resnet" / "model"
    model.mkdir(parents=True)
    (model / "customize_service.py").write_text(CUSTOMIZE_SERVICE)
    (model / "config.json").write_text(json.dumps(MODELARTS_CONFIG))
    (model / "weights.pth").write_text("127")
    config = write_config(
        tmp_path / ".deploy", name="brightness", kind="modelarts", code_dir=tmp_path, entry="resnet/model"
    )
    with serving(config) as service:
        bright = service.client.post("/aip", json={"image": gray(10, 230)}).json()
        assert bright["code"] == 200
        assert bright["data"] == {"predicted_label": "bright", "file": "image.png", "model": "weights.pth"}
        dark = service.client.post("/predict", json={"images": gray(10, 20)}).json()
        assert dark["outputs"]["predicted_label"] == "dark"
        meta = service.client.get("/v2/models/brightness").json()
        assert [field["name"] for field in meta["inputs"]] == ["images"]
        assert "_preprocess" not in service.output()  # no shim error in the log


def test_a_file_without_a_service_fails_to_load_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "empty.py").write_text("VALUE = 1\n")
    config = write_config(
        tmp_path / ".deploy", name="empty", kind="python", code_dir=tmp_path, entry="empty.py"
    )
    service = Service(config)
    try:
        assert service.process.wait(60) == 3
        state = service.state()
        assert state["state"] == "failed" and "predict(**inputs)" in state["reason"]
        assert "jlab-deploy: load failed:" in service.output()
    finally:
        service.stop()


def test_a_path_input_is_refused(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(PREDICT_FUNCTION)
    config = write_config(
        tmp_path / ".deploy", name="paths", kind="python", code_dir=tmp_path, entry="app.py",
        inputs={"text": {"type": "path"}},
    )  # fmt: skip
    with serving(config) as service:
        answer = service.client.post("/predict", json={"text": "/etc/passwd"})
        assert answer.status_code == 400 and "path" in answer.json()["detail"]
