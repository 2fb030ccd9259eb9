"""The answer judge: multilingual-e5-small read as a cross-encoder over (premise, hypothesis) pairs,
mean-pooled (as e5 was trained), with a 3-way head: entailment / neutral / contradiction.

The base comes from the bundled weights (index.embedders.bundled_e5_dir); what training changed (the
top layers and the head) ships in the repo as a small fp16 file beside its model card."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from coach.grading.judge_data import LABELS, Label

WEIGHTS_DIR = Path(__file__).parent / "judge_weights"
TUNED_FILE = "judge-tuned.safetensors"
RELEVANCE_FILE = "judge-relevance.safetensors"  # a logistic head on the same pooled features
MAX_PAIR_TOKENS = 160  # a note sentence and an answer sentence; longer pairs are cut at the tail
TRAINED_LAYERS = 6  # the top layers fine-tuned; the rest stay as e5 shipped them
CACHE_SIZE = 50_000  # pairs
RELEVANT = 0.5  # the relevance head's probability above which a text bears on a note's topic


class PairClassifier(nn.Module):
    """Encoder + mean pooling over the pair's tokens + a linear head."""

    def __init__(self, encoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(hidden, len(LABELS))
        # Does the hypothesis bear on the premise's topic at all (on-topic neutral vs off-topic)?
        self.relevance = nn.Linear(hidden, 1)

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        return (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.pooled(input_ids, attention_mask)))

    def tuned_state(self) -> dict[str, torch.Tensor]:
        """What training changes: the top TRAINED_LAYERS encoder layers and the head."""
        first = self.encoder.config.num_hidden_layers - TRAINED_LAYERS
        keep = tuple(f"encoder.encoder.layer.{n}." for n in range(first, self.encoder.config.num_hidden_layers))
        return {k: v for k, v in self.state_dict().items() if k.startswith(keep) or k.startswith("head.")}

    def freeze_below_tuned_layers(self) -> None:
        tuned = set(self.tuned_state())
        for name, parameter in self.named_parameters():
            parameter.requires_grad = name in tuned


def load_base(base_dir: Path) -> tuple[PairClassifier, object]:
    from transformers import AutoTokenizer, BertModel

    encoder = BertModel.from_pretrained(str(base_dir))  # its identity pooler is loaded and unused
    return PairClassifier(encoder), AutoTokenizer.from_pretrained(str(base_dir))


def encode_pairs(tokenizer, pairs: Sequence[tuple[str, str]]) -> dict[str, torch.Tensor]:
    premises, hypotheses = zip(*pairs)
    batch = tokenizer(list(premises), list(hypotheses), truncation="longest_first", max_length=MAX_PAIR_TOKENS,
                      padding=True, return_tensors="pt")
    return {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}


@dataclass(frozen=True)
class Verdict:
    label: Label
    probs: dict[str, float]

    @property
    def entailment(self) -> float:
        return self.probs["entailment"]

    @property
    def contradiction(self) -> float:
        return self.probs["contradiction"]


# A text states itself. The model never saw a pair of identical texts, and its minimal pairs (one edit
# apart, mostly falsifications) taught it that near-copies contradict: it reads a sentence against
# itself as a contradiction (p ~ 0.95). Reflexivity is said here, not learned.
SELF_EVIDENT = np.array([1.0, 0.0, 0.0, 1.0], dtype=np.float32)  # entailment, neutral, contradiction, relevance
_NOT_WORDS = re.compile(r"[\W_]+")


def _same_text(premise: str, hypothesis: str) -> bool:
    """Equal once case, spaces and punctuation are set aside ("A, b." and "a b" are the same text)."""
    return _NOT_WORDS.sub("", premise).casefold() == _NOT_WORDS.sub("", hypothesis).casefold() != ""


class Judge:
    """Batched, cached pair classification. Deterministic: eval mode, fp32, sorted batches."""

    def __init__(self, model: PairClassifier, tokenizer, batch_size: int = 32, has_relevance: bool = False) -> None:
        self.has_relevance = has_relevance  # the relevance head was fitted (else relevance() is meaningless)
        self._model = model.eval()
        self._tokenizer = tokenizer
        self._batch_size = batch_size
        self._cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """[n, 3] probabilities in LABELS order."""
        return self._read(pairs)[:, : len(LABELS)]

    def relevance(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """[n] probability that the hypothesis bears on the premise's topic."""
        return self._read(pairs)[:, len(LABELS)]

    def bears_on(self, pairs: Sequence[tuple[str, str]]) -> bool:
        """Whether any hypothesis bears on its premise's topic (the relevance head, fitted on unseen-topic
        pairs). Without the head nothing can be told apart, so everything counts as bearing."""
        if not self.has_relevance:
            return True
        return bool(pairs) and float(self.relevance(pairs).max()) >= RELEVANT

    def _read(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        with self._lock:
            for pair in pairs:
                if _same_text(*pair):
                    self._cache[pair] = SELF_EVIDENT
            missing = list(dict.fromkeys(p for p in pairs if p not in self._cache))
            # Similar lengths together: less padding, and a pair's result never depends on its neighbours' count.
            missing.sort(key=lambda p: len(p[0]) + len(p[1]))
            for start in range(0, len(missing), self._batch_size):
                chunk = missing[start : start + self._batch_size]
                with torch.inference_mode():
                    pooled = self._model.pooled(**encode_pairs(self._tokenizer, chunk))
                    rows = torch.cat([torch.softmax(self._model.head(pooled), -1),
                                      torch.sigmoid(self._model.relevance(pooled))], dim=1)
                for pair, row in zip(chunk, rows.float().numpy()):
                    self._cache[pair] = row
            for pair in pairs:
                self._cache.move_to_end(pair)
            result = np.array([self._cache[p] for p in pairs]).reshape(len(pairs), len(LABELS) + 1)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return result

    def verdicts(self, pairs: Sequence[tuple[str, str]]) -> list[Verdict]:
        return [Verdict(LABELS[int(row.argmax())], {label: round(float(p), 4) for label, p in zip(LABELS, row)})
                for row in self.probabilities(pairs)]


def load_judge(base_dir: Path, weights_dir: Path = WEIGHTS_DIR) -> Judge:
    """The base e5 with the tuned layers and head from the repo laid over it."""
    from safetensors.torch import load_file

    tuned_path = weights_dir / TUNED_FILE
    if not tuned_path.exists():
        raise FileNotFoundError(f"The judge's weights are missing ({tuned_path}); rebuild them with `make judge`.")
    model, tokenizer = load_base(base_dir)
    tuned = {k: v.float() for k, v in load_file(str(tuned_path)).items()}
    unexpected = set(tuned) - set(model.state_dict())
    if unexpected:
        raise ValueError(f"{tuned_path} does not fit the base model ({sorted(unexpected)[:3]}…).")
    relevance_path = weights_dir / RELEVANCE_FILE
    if relevance_path.exists():
        tuned.update({k: v.float() for k, v in load_file(str(relevance_path)).items()})
    model.load_state_dict(tuned, strict=False)
    return Judge(model, tokenizer, has_relevance=relevance_path.exists())
