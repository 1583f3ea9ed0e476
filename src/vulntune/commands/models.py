"""`vulntune models`: list base models, prepare (convert and cache) one, describe a model folder."""

from __future__ import annotations

import argparse
import json


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "models",
        help="base models and model folders",
        description="List the named base models, prepare one (convert and cache its weights), or show what a "
        "model folder was trained on.",
        epilog="Examples:\n  vulntune models list\n  vulntune models prepare smollm2-135m\n  vulntune models info models/x",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True, parser_class=type(parser))
    lister = sub.add_parser("list", help="named base models")
    lister.add_argument("--json", action="store_true", help="print JSON instead of a table")
    lister.set_defaults(handler=run_list)
    prepare = sub.add_parser("prepare", help="convert and cache a base model now (smollm2-135m: ~25 s, once)")
    prepare.add_argument("base", help="base model name, local folder or hub id")
    prepare.set_defaults(handler=run_prepare)
    info = sub.add_parser("info", help="show a model folder's vulntune-model.json")
    info.add_argument("path", help="model folder")
    info.set_defaults(handler=run_info)


def _available(name: str) -> str:
    from vulntune.errors import VulntuneError
    from vulntune.models.sources import smollm2_gguf

    if name == "smollm2-135m":
        try:
            smollm2_gguf()
        except VulntuneError:
            return "missing"
    return "yes"


def run_list(args: argparse.Namespace) -> int:
    from vulntune.models.sources import DEFAULT_BASE, REGISTRY

    rows = [
        {
            "name": s.name,
            "kind": s.kind,
            "params": s.params,
            "available": _available(s.name),
            "default": s.name == DEFAULT_BASE,
            "description": s.description,
        }
        for s in REGISTRY.values()
    ]
    if args.json:
        print(json.dumps(rows, indent=2, sort_keys=True))
        return 0
    header = ("NAME", "KIND", "PARAMS", "AVAILABLE", "DESCRIPTION")
    table = [
        (r["name"] + (" (default)" if r["default"] else ""), r["kind"], r["params"], r["available"], r["description"])
        for r in rows
    ]
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]
    for row in [header, *table]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    print("\nAlso accepted as --base: a local Hugging Face model folder, or a hub id (org/name) with internet.")
    return 0


def run_prepare(args: argparse.Namespace) -> int:
    from vulntune.models.sources import resolve_base
    from vulntune.models.transformer import quiet_transformers

    with quiet_transformers():
        base = resolve_base(args.base)
    print(f"{base.name}: {base.path} (sha256 {base.sha256})")
    return 0


def run_info(args: argparse.Namespace) -> int:
    from vulntune.models.folder import read_meta

    print(json.dumps(read_meta(args.path), indent=2, sort_keys=True))
    return 0
