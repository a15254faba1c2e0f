"""Result files, written into the dataset: ``results/crowdsourcing/<task id>/`` inside it.

- ``round-<n>.csv``: ``sample,label`` per sample with a majority label (the seed's format,
  which its modules' ``read_csv()`` reads: ``./results/crowdsourcing/<task id>/*.csv``
  seen from the dataset folder, where the runner starts modules);
- ``ties/round-<n>.csv``: ``sample,labels`` for samples whose labels tie (``a|b``); kept
  out of the folder above so a seed module's ``*.csv`` never reads them as labels;
- ``labels.json``: every label of every round with its labeler and time.

Files are written under a temporary name and renamed, so a reader never sees half a file.
"""

import csv
import io
import json
import re
from pathlib import Path

from ..files.atomic import write_atomic
from .agreement import Vote
from .models import LabelDownload, LabelExport
from .samples import RESULTS_FOLDER

CROWD_FOLDER = "crowdsourcing"
TIES_FOLDER = "ties"
EXPORT_FILE = "labels.json"
_ROUND_FILE = re.compile(r"^round-(\d+)\.csv$")


def task_folder(dataset: Path, task_id: str) -> Path:
    return dataset / RESULTS_FOLDER / CROWD_FOLDER / task_id


def round_file(folder: Path, number: int) -> Path:
    return folder / f"round-{number}.csv"


def ties_file(folder: Path, number: int) -> Path:
    return folder / TIES_FOLDER / f"round-{number}.csv"


def write_round(folder: Path, number: int, votes: list[tuple[str, Vote]]) -> list[Path]:
    """Write the round's majority labels (and its ties, when there are any); return the files."""
    rows = [(sample, vote.label) for sample, vote in votes if vote.label is not None]
    written = [_write_csv(round_file(folder, number), ("sample", "label"), rows)]
    tied = [(sample, "|".join(vote.tied)) for sample, vote in votes if vote.tied]
    ties = ties_file(folder, number)
    if tied:
        written.append(_write_csv(ties, ("sample", "labels"), tied))
    else:
        ties.unlink(missing_ok=True)
    return written


def remove_round(folder: Path, number: int) -> None:
    """A round that became incomplete again (undo) has no result until it completes again."""
    round_file(folder, number).unlink(missing_ok=True)
    ties_file(folder, number).unlink(missing_ok=True)


def write_export(folder: Path, export: LabelExport) -> Path:
    path = folder / EXPORT_FILE
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(path, export_text(export) + "\n")
    return path


def export_text(export: LabelExport | LabelDownload) -> str:
    """An export file's JSON: indented, and its names (of people, of classes) left readable."""
    return json.dumps(export.model_dump(mode="json"), indent=1, ensure_ascii=False)


def round_numbers(folder: Path) -> list[int]:
    if not folder.is_dir():
        return []
    found = (_ROUND_FILE.match(entry.name) for entry in folder.iterdir())
    return sorted(int(match.group(1)) for match in found if match)


def read_rounds(folder: Path) -> list[tuple[str, str]]:
    """Every ``(sample, label)`` of the round files, in round order (what the seed's read_csv gives)."""
    rows: list[tuple[str, str]] = []
    for number in round_numbers(folder):
        with open(round_file(folder, number), newline="", encoding="utf-8") as handle:
            rows.extend((row["sample"], row["label"]) for row in csv.DictReader(handle))
    return rows


def _write_csv(path: Path, header: tuple[str, str], rows: list[tuple[str, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, buffer.getvalue())
    return path
