"""``morphtok tokenize`` and ``morphtok arms compare``."""

from __future__ import annotations

import json
import sys

import typer

from morphtok.errors import CorpusError
from morphtok.segment.arm_options import ArmOptions, params_for

arms_app = typer.Typer(help="Compare the tokenization arms.", no_args_is_help=True)


def _read_text(text: str) -> str:
    if text != "-":
        return text
    raw = sys.stdin.buffer.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CorpusError(
            f"input is not valid UTF-8 (byte {err.start}: {raw[err.start:err.start + 1]!r})",
            where="<stdin>",
            hint="convert the text to UTF-8, e.g. iconv -f latin1 -t utf-8",
        ) from None


def tokenize(
    text: str = typer.Argument(..., help="Text to tokenize, or - to read stdin."),
    method: str = typer.Option("baseline", "--method", "-m", help="A registered arm (baseline, stochastok, patok, ...)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the per-document RNG."),
    doc_key: str = typer.Option("0", "--doc-key", help="Document key of the per-document RNG."),
    tokenizer_spec: str = typer.Option("gemma3", "--tokenizer", help="gemma3 | local dir | hub id."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON line."),
    language: str = typer.Option("fil", "--language", help="Language engine of an arm that reads morphology (Patok)."),
    arm_params: dict | None = None,
) -> None:
    """Tokenize TEXT with one arm and show ids and vocabulary pieces (each arm's parameters are flags)."""
    from morphtok.segment.processor import build_processor, document_rng
    from morphtok.segment.tokenizer import load_tokenizer

    body = _read_text(text)
    from morphtok.segment.processor import with_language

    params = with_language(method, params_for(method, arm_params or {}), language)
    tokenizer = load_tokenizer(tokenizer_spec)
    processor = build_processor(method, tokenizer, **params)
    ids = processor.process(body, document_rng(seed, processor.name, doc_key))
    record = {
        "method": processor.name,
        "ids": ids,
        "tokens": tokenizer.convert_ids_to_tokens(ids),
        "text_roundtrip_ok": tokenizer.decode_bytes(ids) == body.encode("utf-8"),
    }
    stats = getattr(processor, "last_stats", None) or {}
    if "morph_boundaries_kept" in stats:  # patok: how many morpheme boundaries are token boundaries
        record["morph_boundaries_kept"] = stats["morph_boundaries_kept"]
    if as_json:
        typer.echo(json.dumps(record, ensure_ascii=False))
        return
    typer.echo(f"{processor!r}: {len(ids)} tokens, round-trip {'OK' if record['text_roundtrip_ok'] else 'FAILED'}")
    typer.echo(" ".join(record["tokens"]))
    typer.echo(" ".join(map(str, ids)))


@arms_app.command("compare")
def compare(
    text_file: str | None = typer.Option(None, "--text", help="UTF-8 text file (default: bundled Filipino text)."),
    seed: int = typer.Option(0, "--seed"),
    tokenizer_spec: str = typer.Option("gemma3", "--tokenizer"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Tokenize a Filipino text with every arm and print a stats table."""
    from rich.console import Console
    from rich.table import Table

    from morphtok.segment.compare import compare_arms, default_text
    from morphtok.segment.tokenizer import load_tokenizer

    if text_file:
        try:
            with open(text_file, "rb") as handle:
                body, source = handle.read().decode("utf-8"), text_file
        except (OSError, UnicodeDecodeError) as err:
            raise CorpusError(f"cannot read text: {err}", where=text_file) from None
    else:
        body, source = default_text()
    tokenizer = load_tokenizer(tokenizer_spec)
    rows = compare_arms(body, tokenizer, seed=seed)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title=f"Tokenization arms on the {source} ({tokenizer.name}, seed {seed})")
    for column in ("arm", "tokens", "tokens/word", "expansion vs baseline", "round-trip"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["arm"],
            f"{row['tokens']:,}",
            f"{row['tokens_per_word']:.3f}",
            f"{row['expansion_vs_baseline']:+.2%}",
            "OK" if row["roundtrip_ok"] else "FAILED",
        )
    table.caption = "\n".join(
        f"{row['arm']}: " + (" ".join(f"{k}={v}" for k, v in row["params"].items()) or "-") for row in rows
    )
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command("tokenize")(ArmOptions(tokenize))
    app.add_typer(arms_app, name="arms")
