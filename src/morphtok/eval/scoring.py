"""MCQ log-likelihood and greedy generation, with lm-evaluation-harness's token split.

MCQ (as lm-eval 0.4 ``loglikelihood``): the continuation is ``" " + choice``
(trailing whitespace of the context moves to it); context+continuation are encoded
jointly and the context alone, the continuation tokens are the joint encoding past
the context's length; exactly one ``<bos>`` goes in front; the score is the sum of
the continuation tokens' log-probs. ``acc`` takes the argmax of the sums,
``acc_norm`` of the sums divided by ``len(choice)`` in characters (lm-eval's
definition). Ties are broken by a seeded random choice, never in the gold's favour.

Only the positions a continuation needs go through the output layer (the 262k-wide
head dominates the cost), several questions share one batched forward pass, and
vocab-trimmed models score an unseen Gemma id as the sum over its byte pieces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from morphtok.bench.schema import MAX_NEW_TOKENS

STOP_SEQUENCES = ("\n", "Question:")
_HEAD_CHUNK = 512  # output-head positions per call: 512 x 262k fp32 logits is 0.5 GB


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

    def _continuation_logprobs(self, hidden, targets: list[int]) -> list[float]:
        """Log-prob of each target given the hidden state before it: one pass over the output head.

        The head (262k x 640 for Gemma 3 270M) is read from memory once per call, so callers
        gather every position of a whole batch into one call."""
        torch = self.torch
        picked = []
        for start in range(0, len(targets), _HEAD_CHUNK):  # bounds the (positions x vocab) logits
            logits = self.model.get_output_embeddings()(hidden[start : start + _HEAD_CHUNK]).float()
            if self.softcap:
                logits = torch.tanh(logits / self.softcap) * self.softcap
            logprobs = torch.log_softmax(logits, dim=-1)
            chunk = torch.tensor(targets[start : start + _HEAD_CHUNK])
            picked += logprobs[torch.arange(len(chunk)), chunk].tolist()
        return picked

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[float]:
        """Sum of continuation log-probs per request, in order.

        Requests run longest first in batches of ``batch_size`` rows (right-padded, so
        padding never precedes a scored token); the continuation positions of a whole batch
        go through the output head together. The grouping depends only on the requests, so
        the same requests always give the same numbers."""
        return self._score_prepared([self._prepare(req) for req in requests])

    def _score_prepared(self, prepared: list[tuple[list[int], int]]) -> list[float]:
        """:meth:`loglikelihood` of already prepared (ids, first continuation index) rows."""
        torch = self.torch
        order = sorted(range(len(prepared)), key=lambda k: -len(prepared[k][0]))
        scores = [0.0] * len(prepared)
        pad = self.tokenizer.pad_id or 0
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = max(len(prepared[k][0]) for k in rows)
            input_ids = torch.tensor([prepared[k][0] + [pad] * (width - len(prepared[k][0])) for k in rows])
            mask = torch.tensor([[1] * len(prepared[k][0]) + [0] * (width - len(prepared[k][0])) for k in rows])
            with torch.no_grad():
                hidden = self.model.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
                gathered, targets, spans = [], [], []
                for row, k in enumerate(rows):
                    ids, first = prepared[k]
                    gathered.append(hidden[row, first - 1 : len(ids) - 1])
                    spans.append((k, len(targets), len(targets) + len(ids) - first))
                    targets += ids[first:]
                if targets:
                    picked = self._continuation_logprobs(torch.cat(gathered), targets)
                    for k, lo, hi in spans:
                        scores[k] = float(sum(picked[lo:hi]))
        return scores

    def score_options(self, context: str, options: list[str]) -> list[float]:
        """:meth:`loglikelihood` of every option after one context."""
        return self.score_many([(context, options)])[0]

    def score_many(self, questions: list[tuple[str, list[str]]]) -> list[list[float]]:
        """Option scores for several (context, options) questions, batched together.

        Each batch of questions runs its shared prompts once and the options' tails on copies
        of their KV cache (:mod:`morphtok.eval.shared_prefix`; the same numbers as
        :meth:`loglikelihood` to float rounding). Where that does not apply, the plain path
        scores every (context, option) row in full."""
        from morphtok.eval.shared_prefix import score_questions

        out: list[list[float]] = []
        for start in range(0, len(questions), self.batch_size):
            batch = questions[start : start + self.batch_size]
            prepared = [[self._prepare(split_request(c, o)) for o in options] for c, options in batch]
            flat = score_questions(self, prepared) if all(prepared) else None
            if flat is None:  # the plain rows, from the same prepared ids
                flat = self._score_prepared([row for options in prepared for row in options])
            at = 0
            for options in prepared:
                out.append(flat[at : at + len(options)])
                at += len(options)
        return out

    def generate_until(self, prompts: list[str], max_new_tokens: int = MAX_NEW_TOKENS) -> list[str]:
        """Greedy continuations, cut at the first stop sequence (extracted from generated ids).

        Decoding stops as soon as a stop sequence or ``<eos>`` appears, as lm-eval's
        ``until`` does; the output is the same as decoding ``max_new_tokens`` and cutting."""
        torch = self.torch
        outputs = []
        for prompt in prompts:
            ids, _ = self._model_ids([self.tokenizer.bos_id, *self.tokenizer.encode(prompt)])
            with torch.no_grad():
                generated = self.model.generate(
                    input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                    max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=self.tokenizer.pad_id or 0,
                    stopping_criteria=[_stop_when_answered(self, len(ids))],
                )[0, len(ids):].tolist()
            outputs.append(cut_at_stop(self._decode_generated(generated)))
        return outputs

    def _decode_generated(self, generated: list[int]) -> str:
        gemma = self.vocab_map.to_gemma(generated) if self.vocab_map is not None else generated
        if self.tokenizer.eos_id in gemma:
            gemma = gemma[: gemma.index(self.tokenizer.eos_id)]
        return self.tokenizer.decode(gemma, skip_special_tokens=True)


def _stop_when_answered(scorer: ScoringModel, prompt_length: int):
    """A transformers stopping criterion: the generated text holds a stop sequence or ``<eos>``."""
    from transformers import StoppingCriteria

    class StopWhenAnswered(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            generated = input_ids[0, prompt_length:].tolist()
            gemma = scorer.vocab_map.to_gemma(generated) if scorer.vocab_map is not None else generated
            text = scorer._decode_generated(generated)
            done = scorer.tokenizer.eos_id in gemma or cut_at_stop(text) != text
            return scorer.torch.full((input_ids.shape[0],), done, dtype=scorer.torch.bool)

    return StopWhenAnswered()


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
