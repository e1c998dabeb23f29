"""User-facing errors. Each says what failed, where, and a hint.

The CLI prints ``str(err)`` without a traceback unless ``--debug`` is given.
"""

from __future__ import annotations


class MorphtokError(Exception):
    """Base class of every error a user should see as a message, not a traceback."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class ConfigError(MorphtokError):
    """A config file, preset or override is invalid."""


class ParameterError(MorphtokError):
    """A parameter is outside its allowed range or of the wrong kind."""


class TokenizerError(MorphtokError):
    """A tokenizer cannot be found, converted or loaded."""


class CorpusError(MorphtokError):
    """Corpus input is missing or malformed."""


class DatasetError(MorphtokError):
    """An indexed dataset is missing, truncated or inconsistent."""


class CheckpointError(MorphtokError):
    """A checkpoint or model cannot be loaded or saved."""


class TrainingError(MorphtokError):
    """Training cannot go on (e.g. the loss became NaN or infinite)."""


class BenchmarkError(MorphtokError):
    """A benchmark file is invalid or fails validation."""


class EvaluationError(MorphtokError):
    """Evaluation inputs or results are inconsistent."""


class NetworkError(MorphtokError):
    """A resource needs a network (or credentials) that is not available."""


class OutputLockedError(MorphtokError):
    """Another process is writing the same output (it holds the output's lock)."""


class StudyError(MorphtokError):
    """A study run cannot proceed: a phase is unavailable, or a run dir is inconsistent."""
