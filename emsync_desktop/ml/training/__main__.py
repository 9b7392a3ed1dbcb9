"""Train, evaluate and export the triage models, or an imaging model, in one command.

    python -m emsync_desktop.ml.training triage                     # synthetic cohort (shipped models)
    python -m emsync_desktop.ml.training triage --mimic /data/mimic  # real MIMIC-IV(-ED) files
    python -m emsync_desktop.ml.training compare --candidate ours/ --mimic /data/mimic  # against the shipped
    python -m emsync_desktop.ml.training imaging                    # synthetic demonstration model
    python -m emsync_desktop.ml.training imaging --folder /data/chest_xray   # a hospital's own images
    python -m emsync_desktop.ml.training imaging-export model.keras --classes normal,pneumonia --name ward_cxr
    python -m emsync_desktop.ml.training imaging-export --help      # preprocessing options, any classifier

Needs the ``train`` extra. Seeded: the same command on the same data gives the same models.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from emsync_desktop.ml.registry import default_models_dir
from emsync_desktop.ml.training.dataset import Cohort, stratified_split
from emsync_desktop.ml.training.export import write_models
from emsync_desktop.ml.training.report import triage_report
from emsync_desktop.ml.training.triage_training import train_all

DEFAULT_ROWS = 200_000
DEFAULT_SEED = 20261122


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "imaging":
        from emsync_desktop.ml.training.imaging.command import run

        return run(args)
    if args.command == "imaging-export":
        from emsync_desktop.ml.training.imaging.export_command import run_export

        return run_export(args)
    if args.command == "compare":
        return _compare(args)
    cohort, data = _load(args)
    split = stratified_split(cohort, args.seed)
    print(f"training on {len(split.train)} rows, validating on {len(split.validation)}, "
          f"testing on {len(split.test)}", file=sys.stderr)
    models = train_all(split, args.seed, n_jobs=args.jobs)
    data |= {"rows": len(cohort), "seed": args.seed,
             "split": {"train": len(split.train), "validation": len(split.validation), "test": len(split.test)}}
    version = args.version or f"triage-{datetime.now(UTC):%Y.%m.%d}-{data['source']}"
    triage = write_models(models, args.out, version=version, training_data=data,
                          parity_source=split.test.features, train_features=split.train.features, seed=args.seed)
    _sign_triage(args)
    report = triage_report(triage)
    print(report)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(report)
    return 0


def _compare(args: argparse.Namespace) -> int:
    from emsync_desktop.ml.training.compare import ModelSet, compare, comparison_markdown

    cohort, _data = _load(args)
    rows = stratified_split(cohort, args.seed).test
    sets = [ModelSet.load(args.baseline, "baseline"), ModelSet.load(args.candidate, "candidate")]
    report = comparison_markdown(compare(sets, rows), len(rows))
    print(report)
    if args.report:
        args.report.write_text(report)
    return 0


def _sign_triage(args: argparse.Namespace) -> None:
    """Sign the new triage section with ``--sign-key``; without one, say that the app refuses it until signed."""
    from emsync_desktop.ml.sign import sign_folder
    from emsync_desktop.ml.training.imaging.export import read_signing_key

    key = read_signing_key(args.sign_key)
    if key is not None:
        sign_folder(args.out, key, which=("triage",))


def _load(args: argparse.Namespace) -> tuple[Cohort, dict[str, Any]]:
    if args.mimic:
        from emsync_desktop.ml.training.mimic import DESCRIPTION, load_mimic

        return load_mimic(args.mimic), {"source": "mimic", "description": DESCRIPTION}
    from emsync_desktop.ml.training.synthetic import DESCRIPTION, describe_marginals, generate_cohort

    cohort = generate_cohort(args.rows, args.seed)
    return cohort, {"source": "synthetic", "description": DESCRIPTION, "generated": describe_marginals(cohort)}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m emsync_desktop.ml.training", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    triage = sub.add_parser("triage", help="train the seven triage models")
    triage.add_argument("--mimic", type=Path, help="MIMIC-IV root holding ed/, hosp/ and icu/ (see mimic.py)")
    triage.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="synthetic cohort size")
    triage.add_argument("--seed", type=int, default=DEFAULT_SEED)
    triage.add_argument("--out", type=Path, default=default_models_dir(), help="where the .onnx and manifest go")
    triage.add_argument("--report", type=Path, help="also write the Markdown report here")
    triage.add_argument("--version", help="model version (default: triage-<date>-<source>)")
    triage.add_argument("--jobs", type=int, default=2, help="threads for XGBoost")
    from emsync_desktop.ml.training.imaging.command import signing_key_option

    signing_key_option(triage)
    compare = sub.add_parser("compare", help="two sets of triage models on the same held-out rows (a report)")
    compare.add_argument("--baseline", type=Path, default=default_models_dir(), help="e.g. the shipped models")
    compare.add_argument("--candidate", type=Path, required=True, help="e.g. the models you trained")
    compare.add_argument("--mimic", type=Path, help="the data the candidate was trained on (else synthetic)")
    compare.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="synthetic cohort size")
    compare.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the seed the candidate was trained with")
    compare.add_argument("--report", type=Path, help="also write the Markdown table here")
    from emsync_desktop.ml.training.imaging.command import add_parser
    from emsync_desktop.ml.training.imaging.export_command import add_export_parser

    add_parser(sub, default_models_dir())
    add_export_parser(sub, default_models_dir())
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
