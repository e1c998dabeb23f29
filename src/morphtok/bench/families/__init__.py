"""morphtok's own benchmark families, one module (the subtasks) and one YAML file (the prompts) each.

They are registered in ``pyproject.toml`` under ``morphtok.benchmarks``, as a plugin's would be;
see :mod:`morphtok.bench.family` for the definition format.
"""
