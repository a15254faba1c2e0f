"""The seed's module template as written, with ``import pandas as pd`` and ``pd.read_csv``:
the notebook environment (the ``notebook`` extra) has pandas, so it runs round after round."""

import re

from jlab_platform.crowd.identity import Identity
from tests.crowd.conftest import Crowd
from tests.crowd.modules import SEED_MAIN
from tests.crowd.test_rounds import label_round

# The seed's own read_csv (seed 000, 2.2.4), word for word.
SEED_READ_CSV = """    def read_csv(self):
        csv_files = glob.glob('./results/crowdsourcing/' + self.task_id + '/*.csv')
        print(csv_files, './results/crowdsourcing/' + self.task_id)
        x = []
        y = []
        for filename in csv_files:
            data = pd.read_csv(filename)
            x.extend(data['sample'].values.tolist())
            y.extend(data['label'].values.tolist())

        return x, y
"""


def seed_main_with_pandas() -> str:
    source, imported = re.subn(
        r"^import numpy as np$", "import numpy as np\nimport pandas as pd", SEED_MAIN, flags=re.M
    )
    source, replaced = re.subn(
        r"^    def read_csv\(self\):\n.*?^        return x, y\n",
        lambda _: SEED_READ_CSV,
        source,
        flags=re.M | re.S,
    )
    assert imported == replaced == 1, "the test module's template changed: update this variant"
    return source


def test_a_seed_module_using_pandas_runs_its_rounds(crowd: Crowd) -> None:
    (crowd.root / "modules" / "cstest" / "main.py").write_text(seed_main_with_pandas())
    created, links = crowd.create(
        {
            "name": "shapes",
            "dataset": "datasets/shapes",
            "module": "modules/cstest",
            "max_choose": 4,
            "labelers": ["alice"],
        },
        "owner",
    )
    task = crowd.wait(created.id, "labeling", "failed")
    assert task.state == "labeling", task.error  # round 1: the module imported pandas
    assert label_round(crowd, Identity.invited(links[0].token)) == 4
    crowd.service.next_round(created.id)
    task = crowd.wait(created.id, "labeling", "failed")
    assert task.state == "labeling", task.error
    # Round 2's train read round 1's labels through pd.read_csv.
    assert "trained on 4 labels" in crowd.jobs.log(task.job_id, 0, 1 << 20).data
