"""Reads event files back (TFRecord framing + Event protos), without TensorFlow."""

import struct
from pathlib import Path

from tensorboard.compat.proto import event_pb2


def read_events(run_dir: Path) -> list[event_pb2.Event]:
    events = []
    for path in sorted(run_dir.glob("events.out.tfevents.*")):
        data = path.read_bytes()
        offset = 0
        while offset < len(data):
            (length,) = struct.unpack("<Q", data[offset : offset + 8])
            offset += 12  # length, its masked CRC
            events.append(event_pb2.Event.FromString(data[offset : offset + length]))
            offset += length + 4  # the data, its masked CRC
    return events


def scalars(run_dir: Path) -> dict[str, list[tuple[int, float]]]:
    """Each scalar tag's (step, value) points in the order written; values as float32 holds them."""
    found: dict[str, list[tuple[int, float]]] = {}
    for event in read_events(run_dir):
        for value in event.summary.value:
            if value.metadata.plugin_data.plugin_name == "scalars":
                found.setdefault(value.tag, []).append((event.step, round(value.tensor.float_val[0], 6)))
    return found


def hparams_tags(run_dir: Path) -> list[str]:
    return [
        value.tag
        for event in read_events(run_dir)
        for value in event.summary.value
        if value.metadata.plugin_data.plugin_name == "hparams"
    ]
