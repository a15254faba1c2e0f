"""Values go into inserted code as Python literals only, whatever text a user types."""

import ast
import math
import random

import pytest

from jlab_platform.modules.literal import render_literal, render_snippet

HOSTILE = [
    '"); import os; os.system("x',
    "'); import os; os.system('x",
    '"""; __import__("os").system("x"); """',
    "\\",
    "\\'",
    'a\\"b',
    "x\ny = 1",
    "\r\n\t\x00\x1b[31m",
    "{x}",
    "\u202e}; evil() ;{\u202c",  # bidi override: could make code read differently than it runs
    "\u200bzero\u2060width",
    "\ud800 lone surrogate",
    "数据集/花 🌸",
    "C:\\Users\\me\\datasets",
    'datasets/it\'s "quoted"/',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_becomes_one_harmless_string(text: str) -> None:
    literal = render_literal(text)
    tree = ast.parse(literal, mode="eval")
    assert isinstance(tree.body, ast.Constant) and tree.body.value == text
    assert literal.startswith('"') and "\n" not in literal
    # Invisible and direction-changing characters are escaped, never pasted raw.
    assert "\u202e" not in literal and "\u200b" not in literal and "\x00" not in literal


def test_random_unicode_round_trips() -> None:
    rng = random.Random(6)
    for _ in range(2000):
        text = "".join(
            chr(rng.choice([rng.randrange(0, 0x80), rng.randrange(0, 0x110000)])) for _ in range(12)
        )
        assert ast.literal_eval(render_literal(text)) == text


def test_other_values() -> None:
    assert render_literal(None) == "None" and render_literal(True) == "True"
    assert render_literal(3) == "3" and render_literal(0.1) == "0.1" and render_literal(1e-7) == "1e-07"
    assert render_literal([1, "a", [False]]) == '[1, "a", [False]]'
    assert render_literal(("x",)) == '("x",)'
    assert render_literal({"k": [1.5]}) == '{"k": [1.5]}'
    assert math.isinf(eval(render_literal(float("inf"))))
    with pytest.raises(TypeError):
        render_literal(object())


def _call_arguments(code: str) -> dict[str, object]:
    """The keyword arguments of the module call, asserting the code has no other effect."""
    tree = ast.parse(code)
    statements = [type(node).__name__ for node in tree.body]
    assert statements[:3] == ["ImportFrom", "Assign", "Assign"], statements
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert [ast.unparse(call.func) for call in calls] == ["modules.load", "module.train"]
    return {keyword.arg or "": ast.literal_eval(keyword.value) for keyword in calls[1].keywords}


def test_snippet_is_the_import_the_load_and_one_call() -> None:
    code = render_snippet(
        "image-classifier", "train", {"data_dir": "datasets/flowers", "epochs": 5, "lr": 0.01}
    )
    assert code == (
        "from jlab_platform.kernel import modules\n\n"
        'module = modules.load("image-classifier")\n'
        'run = module.train(data_dir="datasets/flowers", epochs=5, lr=0.01)\n'
    )
    assert _call_arguments(code) == {"data_dir": "datasets/flowers", "epochs": 5, "lr": 0.01}


def test_hostile_values_stay_values_in_the_snippet() -> None:
    values = {f"arg{i}": text for i, text in enumerate(HOSTILE)}
    code = render_snippet("x", "train", values)
    assert _call_arguments(code) == values
    # Long calls break one argument per line and still compile.
    assert code.count("\n    arg") == len(HOSTILE)


def test_predict_snippet_shows_the_first_predictions() -> None:
    code = render_snippet('we"ird', "predict", {"images": "datasets/shapes"})
    assert code.splitlines()[-2:] == [
        'predictions = module.predict(images="datasets/shapes")',
        "predictions[:5]",
    ]
    assert 'modules.load("we\\"ird")' in code


def test_job_scripts_print_the_result() -> None:
    train = render_snippet("m", "train", {"steps": 2}, script=True)
    assert train.splitlines()[-2:] == ["run = module.train(steps=2)", "print(run)"]
    predict = render_snippet("m", "predict", {}, script=True)
    assert predict.splitlines()[-2:] == ["predictions = module.predict()", "print(predictions[:5])"]
