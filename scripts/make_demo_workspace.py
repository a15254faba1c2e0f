"""Prepare the demo workspace that `make run` opens: a notebook, a script and a small image dataset.

Everything is generated locally (no downloads). Existing files are left alone,
so re-running never overwrites a user's edits.
"""

import json
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw

CLASSES = ("circle", "square", "triangle")
IMAGES_PER_CLASS = 40
IMAGE_SIZE = 32

TRAIN_SCRIPT = '''"""Train a tiny CNN on datasets/shapes and save it to results/.

Prints one JSON line per metric, which the platform plots for jobs.
"""

import json
import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

DATA = Path("datasets/shapes")
RESULTS = Path(os.environ.get("JLAB_RESULTS_DIR", "results"))
EPOCHS = int(os.environ.get("EPOCHS", "5"))


def load() -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    classes = sorted(p.name for p in DATA.iterdir() if p.is_dir())
    xs, ys = [], []
    for label, name in enumerate(classes):
        for image in sorted((DATA / name).glob("*.png")):
            xs.append(np.asarray(Image.open(image).convert("L"), dtype=np.float32) / 255.0)
            ys.append(label)
    return torch.tensor(np.stack(xs)).unsqueeze(1), torch.tensor(ys), classes


def main() -> None:
    torch.manual_seed(0)
    x, y, classes = load()
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 8 * 8, len(classes)),
    )
    optimiser = torch.optim.Adam(model.parameters(), lr=0.01)
    for epoch in range(1, EPOCHS + 1):
        optimiser.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimiser.step()
        accuracy = (model(x).argmax(1) == y).float().mean().item()
        print(json.dumps({"metric": "loss", "value": round(loss.item(), 4), "step": epoch, "total": EPOCHS}))
        print(json.dumps({"metric": "accuracy", "value": round(accuracy, 4), "step": epoch, "total": EPOCHS}))
    RESULTS.mkdir(parents=True, exist_ok=True)
    # TorchScript: the model's code travels with its weights, so the file loads (and exports
    # to ONNX from the file browser) without this script.
    torch.jit.save(torch.jit.script(model.eval()), RESULTS / "shapes_cnn.pt")
    print(f"saved {RESULTS / 'shapes_cnn.pt'}")


if __name__ == "__main__":
    main()
'''

DATASET_README = """# shapes

A small generated image dataset: {count} grayscale {size}x{size} PNG images of {classes},
one folder per class. Made by `scripts/make_demo_workspace.py` (no download).

- task type: image classification
- classes: {classes}
"""


def _notebook() -> dict[str, object]:
    """The getting-started notebook: the seed guide's flows, one short runnable step each.

    Headings in Chinese (the guide's language) with English beside them. Every code cell runs as
    it is, top to bottom, in the demo workspace (tests/test_getting_started.py runs them).
    """

    def code(source: str) -> dict[str, object]:
        return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}

    def markdown(source: str) -> dict[str, object]:
        return {"cell_type": "markdown", "metadata": {}, "source": source}

    return {
        "cells": [
            markdown(
                "# 入门 · Getting started\n\n"
                "左侧的**平台**（Platform）面板显示服务器检测到的 GPU 和框架，以及任务、Git、众包等部分；"
                "启动器（Launcher）的 **Platform** 一栏可以直接运行任务、打开模块与数据集、创建众包任务。"
                "依次运行下面的单元格（Shift+Enter），每一步对应开发指南中的一个功能。\n\n"
                "*The Platform panel on the left shows what the server detected; run the cells one by one.*"
            ),
            code("%load_ext jlab_platform.kernel\n%platform_info"),
            markdown(
                "## 1. 长运行任务 · Run a job\n\n"
                "长时间的训练请作为任务运行：关闭网页也不会中断。打开 `train.py`，点击工具栏的 "
                "**Run as Job**，或者在单元格中提交。任务要保存的文件请写到 `results/`。"
            ),
            code(
                "from jlab_platform.kernel import jobs\n\n"
                'job = jobs.submit("train.py", env="cpu", name="first-job")\n'
                'job = jobs.wait(job["id"])\n'
                'print(job["status"])\n'
                'print(*jobs.log(job["id"]).splitlines()[-2:], sep="\\n")  # the end of its log'
            ),
            markdown(
                "## 2. 抓取长运行程序的结果 · Capture output\n\n"
                "右键单元格选择 **Capture Output**（或在第一行写 `%%capture_output 名称`）："
                "输出会保存在服务器上，关闭网页后再打开，用 **Restore Output** 读回。"
            ),
            code(
                "%%capture_output first-capture\n"
                "import time\n\n"
                "for step in range(1, 4):\n"
                '    print(f"step {step}/3")\n'
                "    time.sleep(1)"
            ),
            code("%restore_output first-capture"),
            markdown(
                "## 3. 同步代码到 git · Git sync\n\n"
                "工具栏的 **Sync** 按钮会保存、提交、拉取并推送；平台面板的 Git 部分显示历史并可回滚。"
                "第一次使用时先初始化仓库（面板中的 **Init**）。"
            ),
            code(
                "from jlab_platform.kernel import find_server, git\n\n"
                'if not git.status()["repository"]:\n'
                '    find_server().request("POST", "git/init", {})  # as Init in the Platform panel\n'
                '%git_sync -m "Getting started"'
            ),
            markdown(
                "## 4. 模块训练与预测 · Modules & Datasets\n\n"
                "右侧的**模块与数据集**栏中，选择模块后填写 **Train** / **Predict** 表单，"
                "点击插入代码，就会得到这样的单元格："
            ),
            code(
                "from jlab_platform.kernel import modules\n\n"
                'module = modules.load("image-classifier")\n'
                'run = module.train(data_dir="datasets/shapes", epochs=3)\n'
                'predictions = module.predict(images="datasets/shapes/circle")\n'
                "predictions[:3]"
            ),
            markdown(
                "## 5. 模型转换 · Conversion\n\n"
                "在文件浏览器中右键模型文件：**Export to ONNX**（PyTorch）或 **Convert to TensorFlow Lite**"
                "（SavedModel、.keras、.h5）。在 Notebook 中也可以这样导出并验证："
            ),
            code(
                "import torch\n"
                "from jlab_platform.kernel import convert\n\n"
                'model = torch.jit.load("results/shapes_cnn.pt")  # written by the job in step 1\n'
                'report = convert.to_onnx(model, torch.randn(1, 1, 32, 32), "results/shapes_cnn.onnx")\n'
                'report["path"], report["verification"]["passed"]'
            ),
            markdown(
                "## 6. 数据集众包 · Labeling and crowdsourcing\n\n"
                "模块为样本打分，平台挑出最难判断的样本交给你和受邀的人标注；每一轮结束后用新标签重新训练。"
                "平台面板的 **Crowdsourcing** 部分可以创建任务、邀请他人、查看进度和结果。"
            ),
            code(
                "from jlab_platform.kernel import crowd\n\n"
                "task = crowd.create_task(\n"
                '    "shapes", dataset="datasets/shapes", module="image-classifier",\n'
                '    classes=["circle", "square", "triangle"], max_choose=6,\n'
                ")\n"
                "task = crowd.wait(task)\n"
                "crowd.label(task)  # 数字键选类别，Enter 提交 · digits pick a class, Enter submits"
            ),
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _draw(shape: str, rng: random.Random) -> Image.Image:
    image = Image.new("L", (IMAGE_SIZE, IMAGE_SIZE), color=rng.randint(0, 40))
    draw = ImageDraw.Draw(image)
    size = rng.randint(12, 24)
    x0 = rng.randint(1, IMAGE_SIZE - size - 1)
    y0 = rng.randint(1, IMAGE_SIZE - size - 1)
    fill = rng.randint(160, 255)
    if shape == "circle":
        draw.ellipse((x0, y0, x0 + size, y0 + size), fill=fill)
    elif shape == "square":
        draw.rectangle((x0, y0, x0 + size, y0 + size), fill=fill)
    else:
        draw.polygon([(x0 + size // 2, y0), (x0, y0 + size), (x0 + size, y0 + size)], fill=fill)
    return image


def _write_once(path: Path, text: str) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def make(workspace: Path) -> None:
    workspace.mkdir(parents=True, exist_ok=True)
    _write_once(workspace / "getting_started.ipynb", json.dumps(_notebook(), indent=1) + "\n")
    _write_once(workspace / "train.py", TRAIN_SCRIPT)
    dataset = workspace / "datasets" / "shapes"
    _write_once(
        dataset / "README.md",
        DATASET_README.format(
            count=IMAGES_PER_CLASS * len(CLASSES), size=IMAGE_SIZE, classes=", ".join(CLASSES)
        ),
    )
    rng = random.Random(0)
    for shape in CLASSES:
        folder = dataset / shape
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(IMAGES_PER_CLASS):
            image = _draw(shape, rng)
            target = folder / f"{shape}_{index:03d}.png"
            if not target.exists():
                image.save(target)
    (workspace / "results").mkdir(exist_ok=True)
    print(f"Demo workspace ready in {workspace.resolve()}")


if __name__ == "__main__":
    make(Path(sys.argv[1] if len(sys.argv) > 1 else "workspace"))
