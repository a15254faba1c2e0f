"""The shipped image classifier, trained on generated stripes, served by a real service process."""

import base64
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from .classifier_support import stripes, train_classifier
from .runtime_service import Service, b64_image, serving, write_config


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("workspace")
    config = write_config(
        root / ".deploy",
        name="stripes",
        kind="module",
        code_dir=root,
        module="image-classifier",
        run_dir=train_classifier(root),
        checkpoint="model.pt",  # chosen by name, as the manager passes it
        batch_max_size=4,
        batch_window_ms=5,
    )
    with serving(config, env={"OMP_NUM_THREADS": "1"}) as service:
        yield service


@pytest.mark.parametrize(("direction", "fmt"), [("horizontal", "PNG"), ("vertical", "JPEG")])
def test_aip_names_the_right_class(classifier: Service, direction: str, fmt: str) -> None:
    answer = classifier.client.post("/aip", json={"image": b64_image(stripes(direction), fmt)})
    assert answer.status_code == 200
    body = answer.json()
    assert body["code"] == 200 and body["message"] == "success"
    assert body["data"]["label"] == direction, body
    top = body["data"]["top"]
    assert top[0]["class"] == direction and len(top) == 2
    assert abs(sum(body["data"]["probability"]) - 1) < 1e-4


def test_bad_images_are_code_400(classifier: Service) -> None:
    not_base64 = {"image": "@@@ this is not base64 @@@"}
    not_an_image = {"image": base64.b64encode(b"just some text, no image").decode()}
    too_large = {"image": base64.b64encode(os.urandom(5 * 1024 * 1024)).decode()}
    for body, words in ((not_base64, "base64"), (not_an_image, "not an image"), (too_large, "MB")):
        answer = classifier.client.post("/aip", json=body)
        assert answer.status_code == 400, answer.text[:200]
        assert answer.json()["code"] == 400 and answer.json()["data"] is None
        assert words in answer.json()["message"]
    assert (
        classifier.client.post("/aip", json={"image": b64_image(stripes("vertical"))}).json()["code"] == 200
    )


def test_predict_and_oip_v2_score_the_same_image(classifier: Service) -> None:
    image = b64_image(stripes("horizontal"))
    predicted = classifier.client.post("/predict", json={"image": image}).json()["outputs"]
    assert predicted["label"] == "horizontal"
    request = {"inputs": [{"name": "image", "shape": [2], "datatype": "BYTES", "data": [image, image]}]}
    answer = classifier.client.post("/v2/models/stripes/infer", json=request).json()
    outputs = {tensor["name"]: tensor for tensor in answer["outputs"]}
    assert outputs["label"]["data"] == ["horizontal", "horizontal"]
    assert outputs["probability"]["shape"] == [2, 2] and outputs["probability"]["datatype"] == "FP64"
    assert answer["model_version"] == "1"


def test_the_runtime_imports_nothing_of_jupyter() -> None:
    """Checked in a fresh interpreter: the service process imports no tornado or Jupyter code."""
    code = (
        "import sys, jlab_platform.deploy.runtime.__main__, jlab_platform.deploy.runtime.modelarts\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tornado', 'jupyter_server', "
        "'jupyter_client', 'jupyter_core', 'ipykernel', 'IPython', 'torch'}))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
