import pytest

from jlab_platform.crowd.agreement import Vote, agreement_report, cohen_kappa, fleiss_kappa, majority
from jlab_platform.crowd.models import Disagreement


def test_majority_and_ties() -> None:
    assert majority(["cat", "dog", "cat"]) == Vote("cat", ())
    assert majority(["dog", "cat"]) == Vote(None, ("cat", "dog"))
    assert majority([]) == Vote(None, ())


def test_cohen_kappa_known_value() -> None:
    # The textbook example: 50 items, two raters, yes/no; kappa = 0.4.
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    assert cohen_kappa([("a", "a"), ("b", "b")]) == pytest.approx(1.0)
    assert cohen_kappa([("a", "a"), ("a", "a")]) is None  # one class throughout: undefined
    assert cohen_kappa([]) is None


def test_fleiss_kappa_known_value() -> None:
    # Fleiss (1971) as reproduced on Wikipedia: 10 items, 14 raters, 5 categories; kappa = 0.210.
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    items = [[str(category) for category, count in enumerate(row) for _ in range(count)] for row in table]
    assert fleiss_kappa(items) == pytest.approx(0.210, abs=0.001)
    assert fleiss_kappa([["a"], ["b"]]) is None


def test_report_names_the_disagreements() -> None:
    report = agreement_report(
        {
            "a.png": {"alice": "cat", "bob": "cat"},
            "b.png": {"alice": "cat", "bob": "dog"},
            "c.png": {"alice": "dog"},
        }
    )
    assert report.items == 2
    assert report.disagreements == [Disagreement(sample="b.png", labels={"alice": "cat", "bob": "dog"})]
    assert report.cohen_kappa[0].labelers == ["alice", "bob"] and report.cohen_kappa[0].items == 2
