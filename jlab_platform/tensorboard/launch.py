"""``python -m jlab_platform.tensorboard.launch ARGS...``: TensorBoard, without TensorFlow.

The Rust data server reads the event files, so TensorBoard needs nothing of TensorFlow; when
TensorFlow is installed TensorBoard imports it anyway, which took 38 s instead of 7 s to
start on a loaded machine (and half a gigabyte). Hidden, it runs on its own stub.
"""

import sys


def main() -> None:
    sys.modules["tensorflow"] = None  # type: ignore[assignment]  # makes `import tensorflow` fail
    from tensorboard.main import run_main

    sys.argv[0] = "tensorboard"
    run_main()


if __name__ == "__main__":
    main()
