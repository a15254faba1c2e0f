"""Majority votes and inter-annotator agreement (Cohen's and Fleiss' kappa)."""

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .models import Agreement, Disagreement, PairAgreement


@dataclass(frozen=True)
class Vote:
    label: str | None  # the majority label; None on a tie
    tied: tuple[str, ...]  # the labels that tie for first place (empty when there is a winner)


def majority(labels: Iterable[str]) -> Vote:
    counts = Counter(labels).most_common()
    if not counts:
        return Vote(None, ())
    best = counts[0][1]
    leaders = sorted(label for label, count in counts if count == best)
    return Vote(leaders[0], ()) if len(leaders) == 1 else Vote(None, tuple(leaders))


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two raters over the items both labeled; None when chance agreement is total."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(1 for a, b in pairs if a == b) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    if expected >= 1.0:
        return None  # both used one and the same class throughout: kappa is undefined
    return (observed - expected) / (1.0 - expected)


def fleiss_kappa(items: list[list[str]]) -> float | None:
    """Fleiss' kappa over items with 2 or more labels (the number of labels may vary per item)."""
    rated = [labels for labels in items if len(labels) >= 2]
    if not rated:
        return None
    totals: Counter[str] = Counter()
    agreement = 0.0
    for labels in rated:
        counts = Counter(labels)
        n = len(labels)
        totals.update(counts)
        agreement += (sum(c * c for c in counts.values()) - n) / (n * (n - 1))
    observed = agreement / len(rated)
    all_labels = sum(totals.values())
    expected = sum((count / all_labels) ** 2 for count in totals.values())
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def agreement_report(by_sample: Mapping[str, Mapping[str, str]]) -> Agreement:
    """Kappas and disagreements of ``{sample: {labeler: label}}``."""
    multi = {sample: labels for sample, labels in by_sample.items() if len(labels) >= 2}
    pairs: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for labels in multi.values():
        for a, b in itertools.combinations(sorted(labels), 2):
            pairs.setdefault((a, b), []).append((labels[a], labels[b]))
    return Agreement(
        items=len(multi),
        fleiss_kappa=_rounded(fleiss_kappa([list(labels.values()) for labels in multi.values()])),
        cohen_kappa=[
            PairAgreement(labelers=[a, b], items=len(rows), kappa=_rounded(cohen_kappa(rows)))
            for (a, b), rows in sorted(pairs.items())
        ],
        disagreements=[
            Disagreement(sample=sample, labels=dict(sorted(labels.items())))
            for sample, labels in sorted(multi.items())
            if len(set(labels.values())) > 1
        ],
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
