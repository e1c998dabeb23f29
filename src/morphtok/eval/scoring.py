"""MCQ log-likelihood and greedy generation, with lm-evaluation-harness's token split.

MCQ (as lm-eval 0.4 ``loglikelihood``): the continuation is ``" " + choice``
(trailing whitespace of the context moves to it); context+continuation are encoded
jointly and the context alone, the continuation tokens are the joint encoding past
the context's length; exactly one ``<bos>`` goes in front; the score is the sum of
the continuation tokens' log-probs. ``acc`` takes the argmax of the sums,
``acc_norm`` of the sums divided by ``len(choice)`` in characters (lm-eval's
definition). Ties are broken by a seeded random choice, never in the gold's favour.

Only the positions a continuation needs go through the output layer (the 262k-wide
head dominates the cost), and vocab-trimmed models score an unseen Gemma id as the
sum over its byte pieces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STOP_SEQUENCES = ("\n", "Question:")
MAX_NEW_TOKENS = 24  # every answer in our benchmarks is a word or a short phrase


@dataclass
class LoglikelihoodRequest:
    context: str
    continuation: str


def split_request(context: str, choice: str, delimiter: str = " ") -> LoglikelihoodRequest:
    continuation = delimiter + choice
    stripped = context.rstrip()
    moved = context[len(stripped):]
    return LoglikelihoodRequest(stripped, moved + continuation)


class ScoringModel:
    """Wraps a LoadedModel with ``loglikelihood`` and ``generate_until``."""

    def __init__(self, loaded, batch_size: int = 8):
        import torch

        self.loaded = loaded
        self.model = loaded.model
        self.tokenizer = loaded.tokenizer
        self.vocab_map = loaded.vocab_map
        self.batch_size = batch_size
        self.torch = torch
        self.softcap = getattr(self.model.config, "final_logit_softcapping", None)

    def _model_ids(self, gemma_ids: list[int]) -> tuple[list[int], list[int]]:
        if self.vocab_map is None:
            return gemma_ids, list(range(len(gemma_ids)))
        return self.vocab_map.to_model(gemma_ids)

    def _prepare(self, req: LoglikelihoodRequest) -> tuple[list[int], int]:
        """(model ids of [bos] + context + continuation, index of the first continuation token)."""
        whole = self.tokenizer.encode(req.context + req.continuation)
        n_context = len(self.tokenizer.encode(req.context))
        ids, owner = self._model_ids([self.tokenizer.bos_id, *whole])
        first = next(k for k, o in enumerate(owner) if o >= n_context + 1) if whole[n_context:] else len(ids)
        return ids, first

    def _sum_logprobs(self, hidden, ids: list[int], first: int) -> float:
        torch = self.torch
        if first >= len(ids):
            return 0.0
        logits = self.model.get_output_embeddings()(hidden).float()
        if self.softcap:
            logits = torch.tanh(logits / self.softcap) * self.softcap
        logprobs = torch.log_softmax(logits, dim=-1)
        targets = torch.tensor(ids[first:])
        return float(logprobs[torch.arange(len(targets)), targets].sum())

    def score_options(self, context: str, options: list[str]) -> list[float]:
        """:meth:`loglikelihood` of every option after one shared context, reusing its KV cache.

        The shared prefix (the options' common leading model ids, up to the first
        continuation position) runs once; the options' suffixes run as one batch on a
        copy of its cache. Same numbers as :meth:`loglikelihood`, a fraction of the work.
        """
        torch = self.torch
        requests = [split_request(context, o) for o in options]
        prepared = [self._prepare(r) for r in requests]
        shared = min(first for _, first in prepared) - 1
        for ids, _ in prepared[1:]:
            common = next((k for k, (a, b) in enumerate(zip(prepared[0][0], ids, strict=False)) if a != b), len(ids))
            shared = min(shared, common)
        if shared < 2 or any(len(ids) <= shared for ids, _ in prepared):
            return self.loglikelihood(requests)
        pad = self.tokenizer.pad_id or 0
        with torch.no_grad():
            head = self.model.model(input_ids=torch.tensor([prepared[0][0][:shared]]), use_cache=True)
            last = head.last_hidden_state[0, shared - 1]
            cache = head.past_key_values
            cache.batch_repeat_interleave(len(prepared))
            width = max(len(ids) - shared for ids, _ in prepared)
            suffix = torch.tensor([ids[shared:] + [pad] * (width - len(ids) + shared) for ids, _ in prepared])
            mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids) + shared) for ids, _ in prepared])
            tail = self.model.model(input_ids=suffix, attention_mask=mask, past_key_values=cache, use_cache=True)
            scores = []
            for row, (ids, first) in enumerate(prepared):
                positions = range(first - 1, len(ids) - 1)
                hidden = torch.stack([last if p == shared - 1 else tail.last_hidden_state[row, p - shared] for p in positions])
                scores.append(self._sum_logprobs(hidden, ids, first))
        return scores

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[float]:
        """Sum of continuation log-probs per request, in order."""
        torch = self.torch
        prepared = [self._prepare(req) for req in requests]
        scores: list[float] = []
        for start in range(0, len(prepared), self.batch_size):
            chunk = prepared[start : start + self.batch_size]
            width = max(len(ids) for ids, _ in chunk)
            pad = self.tokenizer.pad_id or 0
            input_ids = torch.tensor([ids + [pad] * (width - len(ids)) for ids, _ in chunk])
            mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in chunk])
            with torch.no_grad():
                hidden = self.model.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
                for row, (ids, first) in enumerate(chunk):
                    scores.append(self._sum_logprobs(hidden[row, first - 1 : len(ids) - 1], ids, first))
        return scores

    def generate_until(self, prompts: list[str], max_new_tokens: int = MAX_NEW_TOKENS) -> list[str]:
        """Greedy continuations, cut at the first stop sequence (extracted from generated ids)."""
        torch = self.torch
        outputs = []
        for prompt in prompts:
            ids, _ = self._model_ids([self.tokenizer.bos_id, *self.tokenizer.encode(prompt)])
            with torch.no_grad():
                generated = self.model.generate(
                    input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                    max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=self.tokenizer.pad_id or 0,
                )[0, len(ids):].tolist()
            gemma = self.vocab_map.to_gemma(generated) if self.vocab_map is not None else generated
            if self.tokenizer.eos_id in gemma:
                gemma = gemma[: gemma.index(self.tokenizer.eos_id)]
            text = self.tokenizer.decode(gemma, skip_special_tokens=True)
            outputs.append(cut_at_stop(text))
        return outputs


def cut_at_stop(text: str) -> str:
    end = len(text)
    for stop in STOP_SEQUENCES:
        at = text.find(stop)
        if at >= 0:
            end = min(end, at)
    return text[:end]


def pick(scores: list[float], rng: np.random.Generator) -> int:
    """Argmax with ties broken by a seeded random choice."""
    best = max(scores)
    tied = [k for k, s in enumerate(scores) if s == best]
    return tied[0] if len(tied) == 1 else int(tied[int(rng.integers(0, len(tied)))])
