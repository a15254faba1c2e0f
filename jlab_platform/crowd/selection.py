"""Uncertainty sampling: which samples a round asks people to label.

Scores are "higher = more uncertain" and defined for every input a module can give:
a single class (nothing to be uncertain about: 0), an unfitted model (uniform
probabilities: every sample ties), rows that do not sum to 1 (normalised) and
all-zero rows (taken as uniform). Ties are broken by a permutation drawn from the
task's seed, so the same scores and seed always select the same samples.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import InvalidInput

STRATEGIES = ("least_confidence", "margin", "entropy", "random")

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Selection:
    indices: IndexArray  # rows of the probability matrix, most uncertain first
    scores: FloatArray  # the score of each selected row, same order


def check_strategy(strategy: str) -> str:
    if strategy not in STRATEGIES:
        raise InvalidInput(f"Unknown strategy {strategy!r}", f"Use one of: {', '.join(STRATEGIES)}.")
    return strategy


def normalised(probabilities: npt.ArrayLike) -> FloatArray:
    """Rows as probability distributions; a clear error for what cannot be one."""
    probs = np.asarray(probabilities, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] < 1:
        raise InvalidInput(
            f"Probabilities must be a table of samples x classes, got shape {probs.shape}",
            "predict must give one list of class probabilities per sample.",
        )
    if not np.isfinite(probs).all() or (probs < 0).any():
        raise InvalidInput(
            "Probabilities contain NaN, infinite or negative values",
            "predict must give finite probabilities of 0 or more (softmax outputs, for example).",
        )
    sums = probs.sum(axis=1, keepdims=True)
    zero = sums[:, 0] == 0
    probs = probs / np.where(sums == 0, 1.0, sums)
    if zero.any():
        probs[zero] = 1.0 / probs.shape[1]
    return probs


def uncertainty(probs: FloatArray, strategy: str) -> FloatArray:
    """Per-row uncertainty in [0, 1] of normalised probabilities (``random`` gives zeros)."""
    check_strategy(strategy)
    rows, classes = probs.shape
    if strategy == "random" or classes == 1:
        return np.zeros(rows)
    if strategy == "least_confidence":
        # Scaled so that a uniform row scores 1 whatever the number of classes.
        scores: FloatArray = (1.0 - probs.max(axis=1)) * classes / (classes - 1)
        return scores
    if strategy == "margin":
        top_two = np.partition(probs, classes - 2, axis=1)[:, classes - 2 :]
        margin: FloatArray = 1.0 - (top_two[:, 1] - top_two[:, 0])
        return margin
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(probs > 0, probs * np.log(probs), 0.0)
    entropy: FloatArray = -terms.sum(axis=1) / np.log(classes)
    return entropy


def select(probabilities: npt.ArrayLike, strategy: str, count: int, seed: int) -> Selection:
    """The ``count`` most uncertain rows (fewer when there are fewer rows), most uncertain first."""
    probs = normalised(probabilities)
    scores = np.clip(uncertainty(probs, strategy), 0.0, 1.0)
    rows = len(scores)
    count = max(0, min(count, rows))
    if count == 0:
        return Selection(np.empty(0, dtype=np.intp), np.empty(0))
    # Visiting rows in a seeded random order makes every tie a seeded draw,
    # and makes "random" a plain seeded sample of the rows.
    order = np.random.default_rng(seed).permutation(rows)
    permuted = scores[order]
    if count < rows:
        top = np.argpartition(-permuted, count - 1)[:count]
        threshold = permuted[top].min()
        above = np.flatnonzero(permuted > threshold)
        ties = np.flatnonzero(permuted == threshold)[: count - len(above)]
        top = np.concatenate([above, ties])
    else:
        top = np.arange(rows)
    # Most uncertain first; equal scores keep the seeded order.
    top = top[np.lexsort((top, -permuted[top]))]
    return Selection(order[top], permuted[top])
