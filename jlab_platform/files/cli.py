"""``7zx FILE...``: extract archives safely into a folder named after each, beside it.

The seed's command, for terminals and notebook cells (``!7zx data.zip``, ``%7zx data.zip``):
zip, 7z and tar archives, refusing entries that escape the folder, links pointing outside,
device files and archive bombs before anything is written.
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import PlatformError
from .extract import MB, Extraction, ExtractLimits

_PROGRESS_ABOVE_BYTES = 20 * MB


def parser() -> argparse.ArgumentParser:
    defaults = ExtractLimits()
    p = argparse.ArgumentParser(
        prog="7zx",
        description="Extract .zip, .7z, .tar, .tar.gz/.tgz, .tar.bz2 and .tar.xz archives into a "
        "new folder named after each archive, refusing unsafe entries before writing anything.",
    )
    p.add_argument("archives", nargs="+", metavar="FILE", help="archive(s) to extract")
    p.add_argument(
        "-o", "--output-dir", type=Path, help="make the new folder here (default: beside the archive)"
    )
    p.add_argument(
        "--max-total-mb",
        type=float,
        default=defaults.max_total_bytes / MB,
        help="refuse archives that expand to more than this (default: %(default).0f)",
    )
    p.add_argument(
        "--max-ratio",
        type=float,
        default=defaults.max_ratio,
        help="refuse archives that expand more than this many times (default: %(default)g)",
    )
    p.add_argument(
        "--name-encoding", help="code page of zip names without the UTF-8 flag (default: UTF-8, then GBK)"
    )
    p.add_argument(
        "--tool",
        choices=["auto", "native", "py7zr"],
        default="auto",
        help="for .7z: the 7z command when installed (auto), or py7zr",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    limits = ExtractLimits(max_total_bytes=int(args.max_total_mb * MB), max_ratio=args.max_ratio)
    failed = 0
    for name in args.archives:
        archive = Path(name)
        try:
            extraction = Extraction(
                archive, limits, parent=args.output_dir, name_encoding=args.name_encoding, tool=args.tool
            )
            show = not args.quiet and extraction.plan.total >= _PROGRESS_ABOVE_BYTES
            result = extraction.run(_print_progress if show else None)
        except (PlatformError, OSError) as exc:
            message = (
                exc.message + (f"\n  {exc.detail}" if exc.detail else "")
                if isinstance(exc, PlatformError)
                else str(exc)
            )
            print(f"7zx: {archive}: {message}", file=sys.stderr)
            failed += 1
            continue
        if not args.quiet:
            if show:
                print(file=sys.stderr)
            print(
                f"{archive} -> {result.target}/  ({result.files:,} files, {result.bytes / MB:,.1f} MB, "
                f"{result.seconds:.1f} s, {result.tool})"
            )
    return 1 if failed else 0


def _print_progress(done: int, total: int) -> None:
    percent = 100 * done // total if total else 100
    print(f"\r  {percent:3d}%  {done / MB:,.0f} of {total / MB:,.0f} MB", end="", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
