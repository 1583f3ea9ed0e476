"""`vulntune synth`: generate the synthetic corpus."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="generate the synthetic vulnerable/safe corpus",
        description=(
            "Generate vulnerable samples and their minimally different safe twins for Python and Java, "
            "verify them, deduplicate, and split them by template family into train/validation/test."
        ),
        epilog=(
            "Example: vulntune synth --languages python,java --per-cwe 400 --seed 0 --out data/synth\n"
            "With a language model for 30% of the pairs (OpenAI-compatible API, key in $OPENAI_API_KEY):\n"
            "  vulntune synth --generator mix --llm-share 0.3 --endpoint http://localhost:8000/v1 "
            "--model qwen2.5-coder --max-requests 500 --out data/synth-mix\n"
            "Half of the pairs inside real functions of a corpus's train split (data/realcode/python-train/...):\n"
            "  vulntune synth --context realcode --context-dir data/realcode --context-share 0.5 "
            "--context-manifest ../shared/realcode/MANIFEST.csv --out data/synth-real"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--languages", default="python,java", help="comma-separated (default: python,java)")
    parser.add_argument("--cwes", default="", help="comma-separated CWE ids (default: every catalogued CWE)")
    parser.add_argument("--per-cwe", type=int, default=400, help="samples per language and CWE (default: 400)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--force", action="store_true", help="replace a non-empty output folder")
    parser.add_argument("--no-javac", action="store_true", help="skip compiling Java samples with javac")
    parser.add_argument("--jobs", type=int, default=1, help="parallel javac processes (default: 1)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    llm = parser.add_argument_group("language-model generator")
    llm.add_argument(
        "--generator",
        choices=("template", "llm", "mix"),
        default="template",
        help="template (default), llm (every pair from the model) or mix (a share from the model)",
    )
    llm.add_argument(
        "--endpoint", help="OpenAI-compatible base URL (e.g. http://localhost:8000/v1) or its /chat/completions URL"
    )
    llm.add_argument("--model", help="model name sent to the endpoint")
    llm.add_argument(
        "--llm-share",
        type=float,
        default=None,
        help="with --generator mix: share of each language and CWE's pairs from the model (default: 0.3)",
    )
    llm.add_argument(
        "--max-requests", type=int, default=None, help="send at most this many requests (cached answers are free)"
    )
    llm.add_argument(
        "--api-key-env",
        default="OPENAI_API_KEY",
        help="environment variable holding the API key (default: OPENAI_API_KEY; none needed locally)",
    )
    llm.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="answer cache (default: $VULNTUNE_CACHE/llm or ~/.cache/vulntune/llm)",
    )
    ctx = parser.add_argument_group("real-context twins")
    ctx.add_argument(
        "--context",
        choices=("none", "realcode"),
        default="none",
        help="none (default: template modules) or realcode (pairs spliced into real functions of --context-dir)",
    )
    ctx.add_argument(
        "--context-dir",
        type=Path,
        default=None,
        help="folder holding python-train/ and/or java-train/, one <owner>__<name>/ folder per repository "
        "(train repositories only: never a held-out split)",
    )
    ctx.add_argument(
        "--context-share",
        type=float,
        default=None,
        help="share of each language and CWE's template pairs placed in real functions (default: 1)",
    )
    ctx.add_argument(
        "--context-manifest",
        type=Path,
        default=None,
        help="realcode MANIFEST.csv: the commit of each repository (else 'unknown'); held-out rows are refused",
    )
    ctx.add_argument(
        "--context-negatives",
        choices=("none", "remote", "local", "all"),
        default=None,
        help="weak negatives: the candidates of the context's train and validation repositories reachable "
        "under this threat model join those splits as safe samples of kind 'mined' (default: none)",
    )
    parser.set_defaults(handler=run)


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def run(args: argparse.Namespace) -> int:
    from vulntune.synth.config import SynthConfig
    from vulntune.synth.pipeline import check_output_dir, synthesize

    config = SynthConfig(
        languages=_csv(args.languages),
        cwes=_csv(args.cwes),
        per_cwe=args.per_cwe,
        seed=args.seed,
        javac=not args.no_javac,
        **_llm_settings(args),
        **_context_settings(args),
    )
    from vulntune.atomic import check_folder_target

    check_output_dir(args.out, args.force)
    check_folder_target(args.out, what="--out")
    summary = synthesize(config, args.out, force=args.force, progress=not args.quiet, jobs=args.jobs)
    if not args.quiet:
        print_summary(summary, args.out)
    return 0


def _llm_settings(args: argparse.Namespace) -> dict:
    """The language-model options as config fields; options that the generator ignores are errors."""
    from vulntune.errors import VulntuneError

    settings = {"generator": args.generator}
    if args.generator == "template":
        given = [
            flag
            for flag, value in (
                ("--llm-share", args.llm_share),
                ("--max-requests", args.max_requests),
                ("--cache-dir", args.cache_dir),
            )
            if value is not None
        ]
        if given:
            raise VulntuneError(f"{given[0]} needs --generator llm or mix")
    elif args.llm_share is not None and args.generator != "mix":
        raise VulntuneError("--llm-share needs --generator mix")
    for key in ("endpoint", "model", "max_requests", "cache_dir"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    if args.llm_share is not None:
        settings["llm_share"] = args.llm_share
    if args.api_key_env != "OPENAI_API_KEY":
        settings["api_key_env"] = args.api_key_env
    return settings


def _context_settings(args: argparse.Namespace) -> dict:
    """The real-context options as config fields (the config rejects them without --context)."""
    settings: dict = {"context": args.context}
    if args.context_dir is not None:
        settings["context_dir"] = args.context_dir
    if args.context_share is not None:
        settings["context_share"] = args.context_share
    if args.context_manifest is not None:
        settings["context_manifest"] = args.context_manifest
    if args.context_negatives is not None:
        settings["context_negatives"] = args.context_negatives
    return settings


def print_summary(summary: dict, out: Path) -> None:
    counts = summary["counts"]
    for split in ("train", "validation", "test"):
        n = sum(c.get("vulnerable", 0) + c.get("safe", 0) for t in counts[split].values() for c in t.values())
        print(f"{split:<10} {n:>6} samples  {summary['families'][split]:>4} families")
    ver = summary["verification"]
    if ver["javac_available"] and ver["javac_compiled"]:
        print(f"javac: {ver['javac_passed']}/{ver['javac_compiled']} Java samples compiled")
    else:
        print("javac: not run")
    dedup = summary["dedup"]
    print(
        f"dedup: {dedup['exact_duplicate_pairs_removed']} exact, {dedup['near_duplicate_pairs_removed']} near-duplicate, "
        f"{dedup['label_conflict_pairs_removed']} conflicting pairs removed"
    )
    if "llm" in summary:
        print_llm(summary["llm"], summary.get("llm_usage", {}))
    if "context" in summary:
        print_context(summary["context"])
    for scope, values in summary["shortcut_auroc"].items():
        cells = ", ".join(f"{k}={'n/a' if v is None else f'{v:.3f}'}" for k, v in values.items())
        print(f"shortcut AUROC [{scope}]: {cells}")
    if summary["shortcut_outside_band"]:
        print(
            f"WARNING: shortcut features outside 0.40-0.60: {', '.join(summary['shortcut_outside_band'])}",
            file=sys.stderr,
        )
    timing = summary.get("timing_seconds", {})
    if timing.get("render"):
        rate = summary["rendered_samples"] / timing["render"]
        print(f"rendered {summary['rendered_samples']} samples in {timing['render']:.2f}s ({rate:,.0f} samples/s)")
    print(f"wrote {out}/train.jsonl, validation.jsonl, test.jsonl, README.md")


def print_llm(report: dict, usage: dict) -> None:
    checked = report["answers_checked"]
    rate = f"{report['pairs_accepted'] / checked:.0%}" if checked else "n/a"
    print(
        f"llm {report['model']}: {report['pairs_accepted']} pairs accepted of {checked} answers ({rate}); "
        f"{usage.get('requests', 0)} requests, {usage.get('cache_hits', 0)} cached, {usage.get('retries', 0)} retries"
    )
    dropped = ", ".join(f"{k} {v}" for k, v in report["dropped"].items() if v)
    print(f"llm dropped: {dropped or 'none'}")
    if report["max_requests_reached"]:
        print("WARNING: --max-requests reached: fewer model pairs than asked for", file=sys.stderr)


def print_context(report: dict) -> None:
    for language, stats in report["languages"].items():
        kept = ", ".join(f"{k} {v}" for k, v in stats["kept_template"].items()) or "none"
        splits: dict[str, list[str]] = {}
        for name, repo in stats["repositories"].items():
            splits.setdefault(repo["split"], []).append(name)
        print(
            f"context {language}: {stats['pairs_transplanted']} of {stats['pairs_wanted']} pairs in real functions "
            f"({stats['hosts']} hosts in {len(stats['repositories'])} repositories); kept as templates: {kept}"
        )
        print(
            f"context {language} repositories: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(splits.items()))
        )
        if "javac" in stats:
            javac = stats["javac"]
            print(
                f"context {language} javac: {javac['passed']} compiled; parse-checked only: {javac['missing_api']} "
                f"use APIs the stubs lack, {javac['error_in_real_code']} fail in the real code's own lines, "
                f"{javac['not_run']} not run; {javac['error']} failed in added lines "
                f"({stats['pairs_dropped_javac_error']} pairs dropped)"
            )
    for language, mined in report.get("mined", {}).items():
        per_split = ", ".join(f"{split} {n}" for split, n in mined["per_split"].items())
        print(f"mined negatives {language} (threat model {mined['threat_model']}): {per_split}")
    for scope, v in report["slice_lengths"].items():
        print(
            f"slices [{scope}]: {v['slices']} from {v['samples']} samples, chars median/p90 "
            f"{_num(v['chars_median'])}/{_num(v['chars_p90'])}, lines {_num(v['lines_median'])}/{_num(v['lines_p90'])}; "
            f"at sink chars {_num(v['at_sink_chars_median'])}/{_num(v['at_sink_chars_p90'])}, "
            f"lines {_num(v['at_sink_lines_median'])}/{_num(v['at_sink_lines_p90'])}; vulnerable sink found "
            f"{_pct(v['vulnerable_sink_found'])}, reachable {_pct(v['vulnerable_sink_reachable'])}"
        )


def _num(value) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.1%}"
