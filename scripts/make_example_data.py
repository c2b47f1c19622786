"""Write provrag's bundled example data: the support knowledge base of Northwind Bank.

Northwind Bank is fictional. Every passage, question template, golden query and
gazetteer entry was written for provrag, and lives as data under
``provrag/example_data/source/`` (see its README); phone numbers come from the
ranges Ofcom reserves for drama, web addresses use the reserved ``.example`` domain.

Usage::

    python scripts/make_example_data.py [--seed 7] [--out provrag/example_data]

Same seed, same bytes: the generator uses no clock, no hash-randomised ordering,
and one ``random.Random`` per decision, seeded from ``(seed, purpose, record)``.
The code is the ``exampledata`` package next to this script.

Files written (see the generated README.md in the output directory):
``kb_v1.jsonl``, ``kb_v2.jsonl``, ``bad_records.jsonl``, ``golden.jsonl``,
``golden.meta.json``, ``gazetteer.ttl``, ``manifest.json``, ``README.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_OUT = REPO / "provrag" / "example_data"
SOURCE = DEFAULT_OUT / "source"
DEFAULT_SEED = 7

for _path in (HERE, REPO):  # the exampledata package, and provrag from a checkout
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from exampledata.build import Built, build  # noqa: E402
from exampledata.render import gazetteer_ttl, golden_meta, jsonl, readme  # noqa: E402
from exampledata.source import load_source  # noqa: E402


def write(out: Path, seed: int, source: Path = SOURCE) -> Built:
    from kg.model import SampleRecord  # the input contract; imported here so --help is instant

    src = load_source(source)
    b = build(src, seed)
    for name, records in (("kb_v1.jsonl", b.v1), ("kb_v2.jsonl", b.v2)):
        for line_no, rec in enumerate(records, start=1):
            try:
                SampleRecord.model_validate(rec)
            except Exception as exc:  # noqa: BLE001 - report which record, then stop
                raise SystemExit(f"{name}:{line_no} ({rec.get('id')}) is invalid: {exc}") from exc
    b.stats["bad_records_lines"] = len(b.bad)
    contents: dict[str, str] = {
        "kb_v1.jsonl": jsonl(b.v1),
        "kb_v2.jsonl": jsonl(b.v2),
        "bad_records.jsonl": "".join(line + "\n" for line in b.bad),
        "golden.jsonl": jsonl(b.golden),
        "golden.meta.json": json.dumps(golden_meta(src), indent=2, ensure_ascii=False) + "\n",
        "gazetteer.ttl": gazetteer_ttl(src),
    }
    files = {
        name: {
            "lines": text.count("\n"),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        }
        for name, text in contents.items()
    }
    manifest = {
        "generator": "scripts/make_example_data.py",
        "seed": seed,
        "dataset": src.dataset,
        "versions": [src.v1, src.v2],
        "counts": b.stats,
        "files": files,
    }
    contents["manifest.json"] = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    contents["README.md"] = readme(src, b, seed, files)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in contents.items():
        (out / name).write_bytes(text.encode("utf-8"))
    return b


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 7)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default: %(default)s)"
    )
    parser.add_argument(
        "--source", type=Path, default=SOURCE, help="hand-written data (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    b = write(args.out, args.seed, args.source)
    for key, value in b.stats.items():
        print(f"{key:32} {value}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
