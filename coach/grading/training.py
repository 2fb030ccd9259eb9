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

from coach.grading.judge import TUNED_FILE, Judge, PairClassifier, encode_pairs, load_base
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
            on_step(step, total, float(loss))
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
