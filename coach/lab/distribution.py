"""Next-token distribution after each sampling stage, recomputed from the server's raw logprobs.

vLLM returns logprobs taken before temperature and truncation (at most 20 per position), so the page
recomputes each stage here: the shown alternatives are renormalised among themselves, which is exact
for top-k / top-p cuts inside them and an approximation of the softmax over the whole vocabulary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    name: str  # "model" | "temperature" | "top-k" | "top-p"
    probabilities: list[tuple[str, float]]  # best first, sums to 1 over the kept tokens


def softmax_with_temperature(logprobs: list[float], temperature: float) -> list[float]:
    """p_i = exp(z_i / T) / sum_j exp(z_j / T); T = 0 is greedy (all mass on the argmax)."""
    if temperature <= 0:
        best = max(range(len(logprobs)), key=logprobs.__getitem__)
        return [1.0 if i == best else 0.0 for i in range(len(logprobs))]
    scaled = [z / temperature for z in logprobs]
    peak = max(scaled)
    weights = [math.exp(z - peak) for z in scaled]
    total = sum(weights)
    return [w / total for w in weights]


def top_k_cut(probabilities: list[float], k: int) -> list[float]:
    """Keep the k most likely, zero the rest, renormalise; k <= 0 keeps everything."""
    if k <= 0 or k >= len(probabilities):
        return list(probabilities)
    keep = set(sorted(range(len(probabilities)), key=lambda i: -probabilities[i])[:k])
    return _renormalise([p if i in keep else 0.0 for i, p in enumerate(probabilities)])


def top_p_cut(probabilities: list[float], p: float) -> list[float]:
    """Keep the smallest most-likely set whose mass reaches p (the token that crosses p stays), renormalise."""
    if p >= 1.0:
        return list(probabilities)
    order = sorted(range(len(probabilities)), key=lambda i: -probabilities[i])
    keep, mass = set(), 0.0
    for i in order:
        keep.add(i)
        mass += probabilities[i]
        if mass >= p - 1e-12:
            break
    return _renormalise([q if i in keep else 0.0 for i, q in enumerate(probabilities)])


def _renormalise(values: list[float]) -> list[float]:
    total = sum(values)
    return [v / total for v in values] if total else values


def stages(alternatives: list[tuple[str, float]], temperature: float, top_k: int, top_p: float) -> list[Stage]:
    """The model's distribution, then after temperature, after top-k, after top-p (vLLM's order)."""
    tokens = [token for token, _ in alternatives]
    raw = [logprob for _, logprob in alternatives]
    model = _renormalise([math.exp(z) for z in raw])
    tempered = softmax_with_temperature(raw, temperature)
    after_k = top_k_cut(tempered, top_k)
    after_p = top_p_cut(after_k, top_p)

    def ranked(values: list[float]) -> list[tuple[str, float]]:
        return sorted(zip(tokens, values), key=lambda kv: -kv[1])

    return [Stage("model", ranked(model)), Stage("temperature", ranked(tempered)),
            Stage("top-k", ranked(after_k)), Stage("top-p", ranked(after_p))]
