"""Run the default embedder's encoder under ONNX Runtime, inside sentence-transformers.

Same weights, same tokenizer, same mean pooling: only the encoder's forward pass moves from torch to
ONNX Runtime. The graph is exported with eager attention so that ONNX Runtime's transformer optimizer
can fuse each layer's attention, GELU and residual layer norms into single CPU kernels (the SDPA export
leaves attention as loose MatMul / Softmax nodes the fuser does not recognise): about 1.45× faster than
the unfused graph on 2 cores and a little faster than torch (`coach bench`; how much depends on the CPU,
as torch's own kernels are strong on some), with vectors equal to torch's (cosine ≥ 0.99999,
tests/test_e5_conversion.py), so no threshold moves.
sentence-transformers' own ONNX backend needs `optimum-onnx`, which pins transformers < 4.58; this
module does the one thing we need from it."""

from __future__ import annotations

import json
import logging
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from torch import nn

from index.e5_convert import weights_digest

log = logging.getLogger(__name__)

ONNX_FILE = "onnx/encoder.onnx"
STAMP_FILE = "onnx/export.json"
OPSET = 17
# Bump when the export itself changes, so a cached graph is rebuilt (2: attention fused).
EXPORT_VERSION = 2


class _HiddenStates(nn.Module):
    """What is exported: token embeddings from ids and mask (pooling stays in sentence-transformers)."""

    def __init__(self, encoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


def export_is_current(model_dir: Path, weights_sha256: str | None = None) -> bool:
    """The graph exists, was exported from these weights (`weights_sha256` when the caller has just
    hashed them) by this exporter, and is not damaged."""
    try:
        stamp = json.loads((model_dir / STAMP_FILE).read_text("utf-8"))
        return (stamp.get("export_version") == EXPORT_VERSION
                and stamp.get("weights_sha256") == (weights_sha256 or weights_digest(model_dir / "model.safetensors"))
                and stamp.get("onnx_sha256") == weights_digest(model_dir / ONNX_FILE))
    except (OSError, ValueError):
        return False


def export_encoder(model_dir: Path) -> Path:
    """Export the checkpoint's encoder to `model_dir/onnx/`, fused for the CPU (written aside, then
    renamed into place)."""
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    target = model_dir / ONNX_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_suffix(".partial")
    fused = target.with_suffix(".fused")
    example = (torch.tensor([[0, 6, 7, 2], [0, 8, 2, 1]]), torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]]))
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's notes on ops this graph does not use
        torch.onnx.export(_HiddenStates(encoder), example, str(staging), input_names=["input_ids", "attention_mask"],
                          output_names=["last_hidden_state"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"},
                                        "last_hidden_state": {0: "batch", 1: "tokens"}})
    is_fused = _fuse(staging, fused, encoder.config)
    if is_fused:
        staging.unlink()
        fused.replace(target)
    else:
        staging.replace(target)
    stamp = {"export_version": EXPORT_VERSION, "opset": OPSET, "fused": is_fused, "weights_sha256": weights_digest(model_dir / "model.safetensors"),
             "onnx_sha256": weights_digest(target)}
    (model_dir / STAMP_FILE).write_text(json.dumps(stamp, indent=1), "utf-8")
    return target


def _fuse(source: Path, target: Path, config: object) -> bool:
    """ONNX Runtime's BERT fusions (attention, embedding layer norm, bias GELU, skip layer norm), done
    offline once; False (and the unfused graph is kept: slower, same vectors) when attention did not fuse,
    as a future exporter might lay the graph out differently."""
    from onnxruntime.transformers.optimizer import optimize_model

    model = optimize_model(str(source), model_type="bert", num_heads=config.num_attention_heads,
                           hidden_size=config.hidden_size, opt_level=0, use_gpu=False)
    attention = model.get_fused_operator_statistics().get("Attention", 0)
    if attention != config.num_hidden_layers:
        log.warning("ONNX Runtime fused %d of %d attention layers; the encoder runs unfused",
                    attention, config.num_hidden_layers)
        return False
    model.save_model_to_file(str(target))
    return True


class OnnxEncoder(nn.Module):
    """Stands where sentence-transformers keeps its Hugging Face model: same config, same output key.

    Each text of a batch runs on its own, unpadded, and `threads` of them at once on a one-thread
    session: one text per core is about 1.1× one text on both cores (a small encoder's matrices split
    poorly across threads), and a text's vector is the one it gets alone, whatever the batch or the
    thread count (tests/test_e5_conversion.py)."""

    def __init__(self, onnx_path: Path, config: object, threads: int) -> None:
        super().__init__()
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.config = config
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="onnx-encoder") if threads > 1 else None

    def _one(self, input_ids: np.ndarray) -> np.ndarray:
        (hidden,) = self.session.run(None, {"input_ids": input_ids[None, :], "attention_mask": np.ones_like(input_ids)[None, :]})
        return hidden[0]

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **_: object) -> dict[str, torch.Tensor]:
        mask = attention_mask.numpy().astype(bool)
        rows = [ids[keep] for ids, keep in zip(input_ids.numpy().astype(np.int64), mask)]
        hidden_rows = list(self._pool.map(self._one, rows)) if self._pool and len(rows) > 1 else [self._one(r) for r in rows]
        hidden = np.zeros((*input_ids.shape, self.config.hidden_size), dtype=np.float32)
        for position, (keep, row) in enumerate(zip(mask, hidden_rows)):
            hidden[position, keep] = row  # padding stays zero; mean pooling skips it by the mask
        return {"last_hidden_state": torch.from_numpy(hidden)}


def run_encoder_on_onnx(sentence_model: nn.Module, onnx_path: Path) -> None:
    """Swap the loaded torch encoder for the ONNX one (the torch weights are then freed)."""
    transformer = sentence_model[0]
    transformer.model = OnnxEncoder(onnx_path, transformer.model.config, torch.get_num_threads())
    transformer.backend = "onnx"
