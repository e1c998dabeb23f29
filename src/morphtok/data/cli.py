"""``morphtok corpus fetch|split`` and ``morphtok preprocess [merge|validation]``."""

from __future__ import annotations

import json

import typer

from morphtok.segment.arm_options import ArmOptions, params_for

corpus_app = typer.Typer(help="Acquire and split the corpus.", no_args_is_help=True)
preprocess_app = typer.Typer(
    help="Tokenize a corpus with one arm into a Megatron indexed dataset (P.bin + P.idx + P.stats.json).",
    invoke_without_command=True,
)


@corpus_app.command("fetch")
def fetch_cmd(
    source: str = typer.Option("sample", "--source", help="seapile | sample | PATH (jsonl, txt, parquet or a directory)"),
    output: str = typer.Option(..., "--output", "-o", help="Output JSONL."),
    limit: int | None = typer.Option(None, "--limit", help="Stop after N documents."),
    language: str = typer.Option("fil", "--language", help="SEA-PILE language (fil -> data_dir tl)."),
    data_dir: str | None = typer.Option(None, "--data-dir", help="Override the SEA-PILE folder."),
    split: str = typer.Option("train", "--split"),
    dataset: str = typer.Option("aisingapore/SEA-PILE-v2", "--dataset", help="Hub id or a local dataset directory."),
    force: bool = typer.Option(False, "--force", help="Discard a partial fetch of another source and start over."),
) -> None:
    """Write a corpus as JSONL {"id","text"}; resumable (same source only)."""
    from morphtok.data.corpus import fetch

    path = fetch(source, output, limit=limit, language=language, data_dir=data_dir, split=split, dataset=dataset,
                 force=force)
    typer.echo(f"wrote {path}")


@corpus_app.command("split")
def split_cmd(
    input_path: str = typer.Option(..., "--input", "-i"),
    output_dir: str = typer.Option(..., "--output-dir", "-o"),
    num_chunks: int = typer.Option(20, "--num-chunks", "-n"),
) -> None:
    """Split a JSONL file into N byte-balanced chunks (chunk_0001.jsonl ...) and their manifest.json.

    Chunks an earlier split of this directory wrote and this one does not are removed;
    chunk files no split recorded are refused.
    """
    from morphtok.data.chunks import split_jsonl

    paths = split_jsonl(input_path, output_dir, num_chunks)
    typer.echo(f"wrote {len(paths)} chunks to {output_dir}")


def preprocess_cmd(
    ctx: typer.Context,
    method: str = typer.Option(None, "--method", "-m", help="A registered arm (baseline = vanilla, stochastok, patok, ...)."),
    input_path: str = typer.Option(None, "--input", "-i", help="JSONL/txt/parquet file or directory."),
    output_prefix: str = typer.Option(None, "--output-prefix", "-o"),
    workers: int = typer.Option(1, "--workers", "-w"),
    seed: int = typer.Option(1234, "--seed"),
    tokenizer: str = typer.Option("gemma3", "--tokenizer"),
    val_fraction: float = typer.Option(0.0, "--val-fraction", help="Hold out this fraction of documents (by hash)."),
    strict: bool = typer.Option(False, "--strict", help="Fail on the first bad record instead of counting it."),
    force: bool = typer.Option(False, "--force", help="Replace a dataset of other inputs or settings at this prefix."),
    language: str = typer.Option("fil", "--language", help="Language engine of an arm that reads morphology (Patok)."),
    arm_params: dict | None = None,
) -> None:
    """Tokenize with one arm (each arm's parameters are flags: --expand-prop, ...)."""
    if ctx.invoked_subcommand is not None:
        return
    if not (method and input_path and output_prefix):
        raise typer.BadParameter("--method, --input and --output-prefix are required")
    from morphtok.data.preprocess import preprocess
    from morphtok.segment.processor import with_language

    params = with_language(method, params_for(method, arm_params or {}), language)
    stats = preprocess(
        input_path, output_prefix, method, seed=seed, workers=workers, tokenizer_spec=tokenizer,
        params=params, val_fraction=val_fraction, strict=strict, force=force,
    )
    summary = {k: stats[k] for k in ("method", "documents", "tokens", "expansion_vs_baseline", "seconds", "fingerprint")}
    upstream = stats.get("upstream_skipped") or {}
    typer.echo(json.dumps({**summary, "input_records": stats["input_records"], "skipped": stats["skipped"]["total"],
                           "skipped_files": len(stats["skipped"]["files"]), "upstream_skipped": upstream.get("total")}))


preprocess_app.callback()(ArmOptions(preprocess_cmd))


@preprocess_app.command("merge")
def merge_cmd(
    prefixes: list[str] = typer.Argument(..., help="Dataset prefixes, in order."),
    output_prefix: str = typer.Option(..., "--output-prefix", "-o"),
    chunks_manifest: str = typer.Option(None, "--chunks-manifest",
                                        help="The split's manifest.json: every chunk it names must be merged."),
    force: bool = typer.Option(False, "--force", help="Replace a merged dataset of other inputs at this prefix."),
) -> None:
    """Join committed per-chunk datasets into one; refuses an incomplete set of chunks."""
    from morphtok.data.merge import merge_datasets

    stats = merge_datasets(prefixes, output_prefix, chunks_manifest=chunks_manifest, force=force)
    typer.echo(f"wrote {output_prefix}.bin/.idx/.stats.json ({stats['documents']:,} documents, "
               f"fingerprint {stats['fingerprint']})")


@preprocess_app.command("validation")
def validation_cmd(
    input_path: str = typer.Option(..., "--input", "-i"),
    output: str = typer.Option(..., "--output", "-o"),
    val_fraction: float = typer.Option(..., "--val-fraction"),
) -> None:
    """Write the shared held-out documents as raw-text JSONL."""
    from morphtok.data.preprocess import write_validation

    count = write_validation(input_path, output, val_fraction)
    typer.echo(f"wrote {count} validation documents to {output}")


def register(app: typer.Typer) -> None:
    app.add_typer(corpus_app, name="corpus")
    app.add_typer(preprocess_app, name="preprocess")
