"""``python -m eval [extraction|search|consistency|all] [--data-dir DIR]`` — same as ``taizhang eval``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def main(argv: list[str] | None = None) -> int:
    from pipeline.settings import Settings

    from eval.run import SCORERS, run_eval_command

    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    parser.add_argument("what", nargs="?", default="all", choices=[*SCORERS, "all"])
    parser.add_argument("--data-dir", type=Path, default=None, help="registry/index folder (search, consistency)")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.data_dir is not None:
        settings = settings.model_copy(update={"data_dir": args.data_dir})
    return 0 if run_eval_command(args.what, settings) else 1


if __name__ == "__main__":
    raise SystemExit(main())
