"""The conversion magics in a real kernel started by a real server."""

import re
from pathlib import Path

from tests.convert import models
from tests.convert.archives import build
from tests.helpers.jupyter import ServerProcess


def test_convert_tflite_magic_converts_through_the_server_and_prints_the_report(
    server: ServerProcess,
) -> None:
    models.keras_cnn(server.root / "magic")
    output = server.run_in_new_kernel(
        "%load_ext jlab_platform.kernel\n%convert_tflite magic/cnn.keras --quantize dynamic", timeout=180
    )
    assert "Converted magic/cnn.keras -> magic/cnn_dynamic.tflite (dynamic quantization)" in output, output
    assert re.search(r"\d+%  ", output), "progress was printed"
    assert "verified        on 8 random inputs" in output
    assert "converted with  tf.lite.TFLiteConverter.from_keras_model" in output
    assert (server.root / "magic" / "cnn_dynamic.tflite").stat().st_size > 10_000


def test_convert_tflite_magic_names_what_is_wrong(server: ServerProcess) -> None:
    (server.root / "plain").mkdir(exist_ok=True)
    output = server.run_in_new_kernel("%load_ext jlab_platform.kernel\n%convert_tflite plain --quantize int3")
    assert "invalid choice: 'int3'" in output and "Usage: %convert_tflite PATH" in output
    output = server.run_in_new_kernel("%load_ext jlab_platform.kernel\n%convert_tflite plain")
    assert "The platform refused: 400: plain is not a SavedModel folder" in output, output


def test_7zx_magic_and_command_extract_beside_the_archive(server: ServerProcess) -> None:
    build(server.root / "photos.zip", [("file", "猫/1.txt".encode("gbk"), b"meow")])
    build(server.root / "evil.tar", [("symlink", "passwd", "/etc/passwd")])
    code = (
        "%load_ext jlab_platform.kernel\n"
        "%7zx photos.zip\n"
        "import os, sys\n"
        # what activating the environment does: its console scripts are on PATH
        "os.environ['PATH'] = os.path.dirname(sys.executable) + os.pathsep + os.environ['PATH']\n"
        "!7zx evil.tar\n"
    )
    output = server.run_in_new_kernel(code)
    # Every entry sits in one folder: that folder lands beside the archive, not inside photos/.
    assert "photos.zip -> 猫/  (1 files" in output, output
    assert "Refused to extract evil.tar" in output and "'/etc/passwd', an absolute or empty path" in output
    assert Path(server.root / "猫" / "1.txt").read_bytes() == b"meow"
    assert not (server.root / "evil").exists()
