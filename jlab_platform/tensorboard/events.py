"""One TensorBoard run written with TensorBoard's own protos and record writer.

Scalars, the run's hyperparameters (the hparams plugin's session start) and its end status go
into one event file of one run folder, so the hparams dashboard shows each run once with its
final metrics (the last value of each scalar). TensorFlow is never imported: TensorBoard's
``EventFileWriter`` would load it through ``tensorboard.compat.tf``; ``RecordWriter`` and the
protos do not.
"""

import json
import os
import socket
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.plugins.hparams import api_pb2, metadata, plugin_data_pb2
from tensorboard.plugins.hparams.summary_v2 import hparams_pb
from tensorboard.plugins.scalar.summary_v2 import scalar_pb
from tensorboard.summary.writer.record_writer import RecordWriter

from . import RUNS_DIR_ENV

HParamValue = str | float | int | bool


def runs_dir_from_env() -> Path | None:
    value = os.environ.get(RUNS_DIR_ENV, "")
    return Path(value) if value else None


class RunWriter:
    """Appends the events of one run to a new event file in ``run_dir``."""

    def __init__(self, run_dir: Path, hparams: Mapping[str, HParamValue], trial: str) -> None:
        run_dir.mkdir(parents=True, exist_ok=True)
        # TensorBoard reads files whose names contain "tfevents", in name order.
        unique = f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
        name = f"events.out.tfevents.{time.time():.6f}.{unique}"
        self._file = open(run_dir / name, "ab")
        self._records = RecordWriter(self._file)
        self._write(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))
        self._summary(hparams_pb(dict(hparams), trial_id=trial), 0)
        self.flush()

    def scalar(self, tag: str, value: float, step: float, wall_time: float | None = None) -> None:
        self._summary(scalar_pb(tag, value), int(step), wall_time)

    def flush(self) -> None:
        self._records.flush()

    def close(self, status: str) -> None:
        """The run ended: success, or anything else (failed, terminated) as the hparams plugin's failure."""
        end = plugin_data_pb2.HParamsPluginData(
            session_end_info=plugin_data_pb2.SessionEndInfo(
                status=api_pb2.STATUS_SUCCESS if status == "success" else api_pb2.STATUS_FAILURE,
                end_time_secs=time.time(),
            )
        )
        summary = summary_pb2.Summary()
        summary.value.add(
            tag=metadata.SESSION_END_INFO_TAG,
            metadata=metadata.create_summary_metadata(end),
            tensor=metadata.NULL_TENSOR,  # the plugin reads only the metadata
        )
        self._summary(summary, 0)
        self._records.close()

    def _summary(self, summary: summary_pb2.Summary, step: int, wall_time: float | None = None) -> None:
        self._write(event_pb2.Event(wall_time=wall_time or time.time(), step=step, summary=summary))

    def _write(self, event: event_pb2.Event) -> None:
        self._records.write(event.SerializeToString())


def hparam_values(values: Mapping[str, object]) -> dict[str, HParamValue]:
    """Values the hparams plugin takes: numbers, bools and text as they are, anything else as JSON."""
    result: dict[str, HParamValue] = {}
    for key, value in values.items():
        if isinstance(value, bool | int | float | str):
            result[str(key)] = value
        else:
            result[str(key)] = json.dumps(value, default=str)[:1000]
    return result


def args_hparams(args: list[str]) -> dict[str, HParamValue]:
    """A script's arguments: ``--lr 0.1 --epochs=5 --fast`` -> lr=0.1, epochs=5, fast=True."""
    values: dict[str, HParamValue] = {"args": " ".join(args)[:1000]}
    index = 0
    while index < len(args):
        word = args[index]
        index += 1
        if not word.startswith("--") or len(word) == 2:
            continue
        key, equals, value = word[2:].partition("=")
        if not equals:
            if index < len(args) and not args[index].startswith("--"):
                value, index = args[index], index + 1
            else:
                values[key] = True
                continue
        values[key] = _number_or_text(value)
    return values


def _number_or_text(text: str) -> HParamValue:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text
