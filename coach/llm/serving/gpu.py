"""GPU serving: the real (CUDA) vLLM from the `vllm` extra, any model by name, vLLM's own flags."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from coach.config import CoachSettings
from coach.errors import LLMUnavailable
from coach.llm.serving.embedded import launch_vllm, running_server
from coach.llm.serving.state import ServerState


def gpu_available() -> bool:
    return shutil.which("nvidia-smi") is not None and importlib.util.find_spec("vllm") is not None


def start_gpu(settings: CoachSettings, model: str, port: int | None, gpu_memory_utilization: float,
              max_model_len: int, tensor_parallel_size: int, data_parallel_size: int, wait: bool = True) -> ServerState:
    """Several GPUs: --tensor-parallel-size splits each layer, --data-parallel-size replicates the model.
    Past one machine vLLM uses Ray (`ray start` on each node, then the same flags)."""
    if existing := running_server(settings):
        return existing
    if not gpu_available():
        raise LLMUnavailable("No CUDA GPU with the `vllm` extra here; install `.[vllm]` on a GPU machine "
                             "or run `coach llm serve` without --model for the embedded CPU server.")
    flags = ["--gpu-memory-utilization", str(gpu_memory_utilization), "--max-model-len", str(max_model_len),
             "--tensor-parallel-size", str(tensor_parallel_size), "--data-parallel-size", str(data_parallel_size)]
    return launch_vllm(settings, Path(sys.executable), model, model, "vllm-gpu", flags, {}, port, wait)
