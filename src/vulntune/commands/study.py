"""`vulntune study`: the Python-vs-Java false positive experiment, resumable."""

from __future__ import annotations

import argparse
from pathlib import Path

EXAMPLES = """examples:
  vulntune study --profile quick --out studies/quick          # tiny + TF-IDF + static, <= 10 minutes on 2 CPU cores
  vulntune study --profile standard --out studies/standard --report-to reports/study
                                                              # SmolLM2-135M on slices, <= 2.5 hours on 2 CPU cores
  vulntune study --profile full --out studies/full            # SmolLM2-135M, whole corpus, most of a day on CPU
  vulntune study --config my-study.toml --out studies/x       # keys as in StudyConfig (see --help-config)
  vulntune study --profile quick --config override.toml --out studies/y   # profile, then file overrides
Interrupted? Run the same command again: finished cells (models, metrics files) are reused.
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "study",
        help="run the Python-vs-Java FPR study: corpus, static judges, zero-shot, fine-tuned slice judges, report",
        description="Generate the corpus; measure every candidate sink flagged, static reachability, the zero-shot "
        "base model on slices, the TF-IDF judge, the base model fine-tuned on slices {python-only, java-only, joint} "
        "and the function-level model, on the template-disjoint test split (and the other language: transfer), its "
        "twins and the external sets; write a report centred on the table 'FPR Python vs Java, before and after "
        "fine-tuning' at the calibrated point and at a fixed recall, with Fisher and exact McNemar tests.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", help="study settings (TOML; a [study] table or top-level keys)")
    parser.add_argument(
        "--profile", choices=["quick", "standard", "full"], help="built-in settings; --config overrides them"
    )
    parser.add_argument("--out", help="study folder (finished cells in it are reused)")
    parser.add_argument(
        "--report-to",
        metavar="DIR",
        help="also write the report (report.md, plots/, report.html, summary.json) to DIR, without the models and "
        "predictions (reports/study is the one this repository commits)",
    )
    parser.add_argument("--force", action="store_true", help="delete --out and start over")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--help-config", action="store_true", help="list the config keys with their defaults and exit")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from vulntune.errors import VulntuneError
    from vulntune.study import StudyConfig, load_study_config, run_study

    if args.help_config:
        import dataclasses

        print(StudyConfig.__doc__)
        for f in dataclasses.fields(StudyConfig):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
            print(f"  {f.name} = {default!r}")
        return 0
    if not args.out:
        raise VulntuneError("--out DIR is required")
    from vulntune.atomic import check_folder_target

    check_folder_target(args.out, what="--out")
    config = load_study_config(args.config, profile=args.profile)
    if args.report_to:
        check_folder_target(args.report_to, what="--report-to")
    summary = run_study(config, Path(args.out), force=args.force, quiet=args.quiet, report_to=args.report_to)
    for row in summary["central"]:
        p, j = row["python"], row["java"]
        py = f"{100 * p['fpr']:.1f}% ({p['fp']}/{p['negatives']})" if p else "-"
        ja = f"{100 * j['fpr']:.1f}% ({j['fp']}/{j['negatives']})" if j else "-"
        test = row["python_vs_java"]
        pval = f"  Fisher p {test['p_fisher']:.3f}" if test and test["p_fisher"] is not None else ""
        print(f"{row['stage']:<18}  {row['model']:<40}  FPR python {py:<16}  java {ja:<16}{pval}")
    print(f"wrote {args.out}/report.md, report.html, summary.json")
    return 0
