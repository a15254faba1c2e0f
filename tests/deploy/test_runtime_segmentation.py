"""The shipped segmentation module, trained on generated shapes, served by a real service process."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from tests.kernel.training.shapes import write_segmentation_shapes

from .classifier_support import train_module
from .runtime_service import b64_image, serving, write_config


def test_aip_answers_a_mask_at_the_images_size(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("workspace")
    write_segmentation_shapes(root / "data", count=24, size=32)
    run_dir = train_module(root, "segmentation", max_iter=150, batch_size=8, base_lr=0.1, display=50)
    config = write_config(
        root / ".deploy", name="shapes", kind="module", code_dir=root, module="segmentation", run_dir=run_dir
    )
    with Image.open(root / "data/images/circle_000.png") as source:
        circle = source.convert("RGB").resize((48, 40))
    with serving(config, env={"OMP_NUM_THREADS": "1"}) as service:
        answer = service.client.post("/aip", json={"image": b64_image(circle)})
    body = answer.json()
    assert answer.status_code == 200 and body["code"] == 200, body
    mask = np.asarray(Image.open(io.BytesIO(base64.b64decode(body["data"]["mask"]))))
    assert mask.shape == (40, 48) and set(np.unique(mask)) <= {0, 1, 2}
    shares = body["data"]["classes"]
    assert set(shares) == {"background", "circle", "square"}
    assert sum(shares.values()) == pytest.approx(1.0) and shares["circle"] > shares["square"]
