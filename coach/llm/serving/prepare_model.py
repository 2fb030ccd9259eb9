"""Convert the GGUF shipped on PyPI into a float32 safetensors dir that vLLM's CPU build serves.

Runs with the LLM environment's interpreter (it needs transformers + gguf, not the app's packages):
    python prepare_model.py GGUF_PATH OUT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def convert(gguf_path: Path, out_dir: Path) -> None:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    folder, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    quantized = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, torch_dtype=torch.float32)
    config = AutoConfig.from_pretrained(folder, gguf_file=name)
    # The dequantized weights are plain tensors: a config without quantization_config keeps
    # vLLM from looking for a GGUF quantization method.
    if hasattr(config, "quantization_config"):
        delattr(config, "quantization_config")
    config.torch_dtype = torch.float32
    model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32)
    model.load_state_dict(quantized.state_dict(), strict=False)
    if getattr(config, "tie_word_embeddings", False):
        model.tie_weights()
    staging = out_dir.with_name(out_dir.name + ".partial")
    model.save_pretrained(staging, safe_serialization=True)
    tokenizer.save_pretrained(staging)
    (staging / "coach-source.json").write_text(json.dumps({"gguf": str(gguf_path)}))
    staging.rename(out_dir)


if __name__ == "__main__":
    convert(Path(sys.argv[1]), Path(sys.argv[2]))
