"""``morphtok morph analyze|inflect|syllabify``."""

from __future__ import annotations

import json

import typer

morph_app = typer.Typer(help="Filipino morphology: analyze, inflect, syllabify.", no_args_is_help=True)


@morph_app.command("analyze")
def analyze_cmd(
    words: list[str] = typer.Argument(..., help="Words to analyze."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per word."),
    all_candidates: bool = typer.Option(False, "--all", help="Show every ranked candidate."),
) -> None:
    """Root, affixes, reduplication and morpheme spans of each word."""
    from morphtok.lang.fil import analyze

    for word in words:
        ranked = analyze(word)
        for analysis in ranked if all_candidates else ranked[:1]:
            if as_json:
                record = analysis.to_dict()
                typer.echo(json.dumps(record, ensure_ascii=False))
            else:
                pieces = "|".join(m.text for m in analysis.morphemes)
                typer.echo(f"{word}\troot={analysis.root}\t{pieces}\tscore={analysis.score:.2f}")


@morph_app.command("inflect")
def inflect_cmd(
    root: str = typer.Argument(...),
    affix: str = typer.Option(..., "--affix", "-a", help="e.g. um, -in-, nag-, -an, ka-...-an, nag-+R"),
) -> None:
    """Apply an affix to a root with Tagalog phonology."""
    from morphtok.lang.fil import inflect

    typer.echo(inflect(root, affix))


@morph_app.command("syllabify")
def syllabify_cmd(
    words: list[str] = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Orthographic syllables, their count and the stress class from accent marks."""
    from morphtok.lang.fil import stress_type, syllabify

    for word in words:
        syllables = syllabify(word)
        record = {"word": word, "syllables": syllables, "count": len(syllables), "stress": stress_type(word)}
        typer.echo(json.dumps(record, ensure_ascii=False) if as_json else f"{word}\t{'-'.join(syllables)}\t{len(syllables)}")


def register(app: typer.Typer) -> None:
    app.add_typer(morph_app, name="morph")
