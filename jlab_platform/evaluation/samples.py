"""Per-sample records of an evaluation: ``all_samples.json`` (the seed's file) and ``samples.sqlite``.

The JSON file is for people and tools; the SQLite file answers the report's drill-down (one
class's misclassified samples, one page) without loading every record: indexes on
(truth, kind), (truth, predicted) and (kind) make a page of a million records a few index
lookups. Samples are named by their integer id, their place in ``all_samples.json``.
"""

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..files.atomic import atomic_output

SAMPLES_JSON = "all_samples.json"
SAMPLES_DB = "samples.sqlite"

Kind = Literal["correct", "misclassified", "noncompliant"]
KINDS: tuple[Kind, ...] = ("correct", "misclassified", "noncompliant")
_BATCH = 50_000

_SCHEMA = """
CREATE TABLE samples (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    truth INTEGER NOT NULL,
    predicted INTEGER,
    confidence REAL,
    kind TEXT NOT NULL,
    reason TEXT
);
"""
_INDEXES = (
    "CREATE INDEX samples_truth_kind ON samples (truth, kind, id)",
    "CREATE INDEX samples_truth_predicted ON samples (truth, predicted, id)",
    "CREATE INDEX samples_kind ON samples (kind, id)",
)


@dataclass(frozen=True)
class Sample:
    """One evaluated sample; ``predicted``/``confidence`` are None for a non-compliant one."""

    id: int
    path: str
    truth: int
    predicted: int | None
    confidence: float | None
    reason: str | None = None  # why it is non-compliant

    @property
    def kind(self) -> Kind:
        if self.predicted is None:
            return "noncompliant"
        return "correct" if self.predicted == self.truth else "misclassified"


@dataclass(frozen=True)
class SampleFilter:
    truth: int | None = None  # the class the drill-down is about
    predicted: int | None = None  # with truth: one confusion-matrix cell
    kind: Kind | Literal["all"] = "all"


def write_samples(folder: Path, samples: Sequence[Sample], classes: Sequence[str]) -> None:
    """``all_samples.json`` and ``samples.sqlite`` in ``folder``, each written whole or not at all."""
    _write_json(folder / SAMPLES_JSON, samples, classes)
    _write_db(folder / SAMPLES_DB, samples)


def _write_json(final: Path, samples: Sequence[Sample], classes: Sequence[str]) -> None:
    with atomic_output(final, "samples") as partial, open(partial, "w", encoding="utf-8") as out:
        out.write("[\n")
        for number, sample in enumerate(samples):
            record = {
                "id": sample.id,
                "path": sample.path,
                "true_label": classes[sample.truth],
                "predicted_label": None if sample.predicted is None else classes[sample.predicted],
                "confidence": sample.confidence,
                "noncompliant": sample.predicted is None,
                "reason": sample.reason,
            }
            out.write((",\n" if number else "") + json.dumps(record, ensure_ascii=False))
        out.write("\n]\n")


def _write_db(final: Path, samples: Sequence[Sample]) -> None:
    with atomic_output(final, "samples") as partial:
        _fill_db(partial, samples)


def _fill_db(path: Path, samples: Sequence[Sample]) -> None:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode = OFF")  # a fresh file renamed into place when whole
        db.execute("PRAGMA synchronous = OFF")
        db.executescript(_SCHEMA)
        rows = ((s.id, s.path, s.truth, s.predicted, s.confidence, s.kind, s.reason) for s in samples)
        for batch in _batches(rows):
            db.executemany("INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
        for statement in _INDEXES:
            db.execute(statement)
        db.commit()
    finally:
        db.close()


def _batches(rows: Iterable[tuple[object, ...]]) -> Iterator[list[tuple[object, ...]]]:
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class SampleIndex:
    """Read-only queries on one evaluation's ``samples.sqlite``."""

    def __init__(self, path: Path) -> None:
        # immutable=1: the file never changes once written, so SQLite skips locking entirely.
        self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)

    def close(self) -> None:
        self._db.close()

    def page(self, where: SampleFilter, offset: int, limit: int) -> tuple[int, list[Sample]]:
        """How many samples match, and ``limit`` of them from ``offset`` on, in id order."""
        clause, params = _where(where)
        total = self._db.execute(f"SELECT count(*) FROM samples{clause}", params).fetchone()[0]
        rows = self._db.execute(
            f"SELECT id, path, truth, predicted, confidence, reason FROM samples{clause} "
            "ORDER BY id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return int(total), [Sample(*row) for row in rows]

    def get(self, ids: Sequence[int]) -> list[Sample]:
        """The samples with these ids, in the order asked; unknown ids are left out."""
        found: dict[int, Sample] = {}
        for start in range(0, len(ids), 500):  # below SQLite's limit of bound parameters
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT id, path, truth, predicted, confidence, reason FROM samples WHERE id IN ({marks})",
                chunk,
            ):
                found[row[0]] = Sample(*row)
        return [found[i] for i in ids if i in found]

    def counts(self) -> dict[tuple[int, str], int]:
        """Samples per (true class, kind)."""
        rows = self._db.execute("SELECT truth, kind, count(*) FROM samples GROUP BY truth, kind")
        return {(int(truth), str(kind)): int(n) for truth, kind, n in rows}


def _where(where: SampleFilter) -> tuple[str, list[object]]:
    terms: list[str] = []
    params: list[object] = []
    if where.truth is not None:
        terms.append("truth = ?")
        params.append(where.truth)
    if where.predicted is not None:
        terms.append("predicted = ?")
        params.append(where.predicted)
    if where.kind != "all":
        terms.append("kind = ?")
        params.append(where.kind)
    return (" WHERE " + " AND ".join(terms) if terms else ""), params
