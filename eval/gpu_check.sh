#!/usr/bin/env bash
# GPU check (run on a GPU machine, never by the tests): real vLLM serving a 1-8B instruct model,
# throughput at concurrency 1 vs 32 and TTFT p50/p99, written to eval/results/gpu/.
# Needs: `pip install -e '.[vllm]'` (CUDA vLLM) and the model in the HF cache or a local path.
set -euo pipefail
model=${1:-Qwen/Qwen2.5-7B-Instruct}
out=eval/results/gpu
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total --format=csv > "$out/gpu.csv"
export COACH_HOME=${COACH_HOME:-$(mktemp -d)}
coach llm serve --model "$model" --max-model-len 4096 --gpu-memory-utilization 0.9 --json > "$out/server.json"
python - "$out" <<'PY'
import json, sys, time
from coach.config import get_settings
from eval.bench import llm_serving
settings = get_settings()
results = llm_serving(settings, concurrency=(1, 8, 32), tokens=256)
results["speedup_32_vs_1"] = round(results["concurrency_32"]["tokens_per_s"] / results["concurrency_1"]["tokens_per_s"], 2)
results["measured"] = time.strftime("%Y-%m-%dT%H:%M:%S")
open(f"{sys.argv[1]}/throughput.json", "w").write(json.dumps(results, indent=2))
print(json.dumps(results, indent=2))
PY
coach llm stop
