"""The Sampling Lab engine: one setting, a temperature x top-k grid, beam vs greedy, token stepping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from coach.lab.diversity import Diversity, diversity
from coach.llm.client import LLMClient, TokenLogprob
from coach.llm.sampling import SamplingSettings

DEFAULT_TEMPERATURES = (0.0, 0.7, 1.5)
DEFAULT_TOP_KS = (1, 10, 100)
Embed = Callable[[list[str]], list[list[float]]]


def prompt_messages(prompt: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": prompt}]


@dataclass(frozen=True)
class GridRun:
    text: str
    sampling: SamplingSettings

    def to_dict(self) -> dict:
        return {"text": self.text, "sampling": self.sampling.model_dump()}


@dataclass(frozen=True)
class GridCell:
    """One (temperature, top-k) setting and how varied its samples were."""

    temperature: float
    top_k: int
    diversity: Diversity

    def to_dict(self) -> dict:
        return {"temperature": self.temperature, "top_k": self.top_k, **self.diversity.to_dict()}


@dataclass(frozen=True)
class GridResult:
    runs: list[GridRun]
    cells: list[GridCell]

    def to_dict(self) -> dict:
        """The `coach sample --grid --json` shape."""
        return {"runs": [run.to_dict() for run in self.runs], "diversity": [cell.to_dict() for cell in self.cells]}


@dataclass(frozen=True)
class SampleResult:
    """n samples of one setting from one request, and how varied they were."""

    runs: list[GridRun]
    seconds: float
    diversity: Diversity

    def to_dict(self) -> dict:
        """The `coach sample --json` shape."""
        return {"runs": [{**run.to_dict(), "seconds": round(self.seconds, 3)} for run in self.runs],
                "diversity": self.diversity.to_dict()}


@dataclass(frozen=True)
class BeamComparison:
    greedy: str
    beams: list[str]


def sample(client: LLMClient, prompt: str, sampling: SamplingSettings, embed: Embed) -> SampleResult:
    """n samples of one setting, with their diversity."""
    result = client.chat(prompt_messages(prompt), sampling)
    return SampleResult([GridRun(text, sampling) for text in result.texts], result.seconds,
                        diversity(result.texts, embed))


def grid(client: LLMClient, prompt: str, base: SamplingSettings, embed: Embed,
         temperatures: tuple[float, ...] = DEFAULT_TEMPERATURES, top_ks: tuple[int, ...] = DEFAULT_TOP_KS,
         samples: int = 4) -> GridResult:
    """Every (temperature, top-k) cell: `samples` completions with fixed seeds, and one diversity row."""
    runs: list[GridRun] = []
    cells: list[GridCell] = []
    for temperature in temperatures:
        for top_k in top_ks:
            texts = []
            for offset in range(samples):
                setting = base.model_copy(update={"temperature": temperature, "top_k": top_k, "n": 1,
                                                  "seed": (base.seed or 0) + offset})
                text = client.chat(prompt_messages(prompt), setting).text
                texts.append(text)
                runs.append(GridRun(text, setting))
            cells.append(GridCell(temperature, top_k, diversity(texts, embed)))
    return GridResult(runs, cells)


def beam_vs_greedy(client: LLMClient, prompt: str, base: SamplingSettings, beams: int = 3) -> BeamComparison:
    greedy = client.chat(prompt_messages(prompt), base.model_copy(update={"temperature": 0.0, "n": 1}))
    beam = client.chat(prompt_messages(prompt), base.model_copy(update={"temperature": 0.0, "n": beams,
                                                                         "use_beam_search": True}))
    return BeamComparison(greedy.text, beam.texts)


def token_steps(client: LLMClient, prompt: str, base: SamplingSettings, steps: int = 12) -> list[TokenLogprob]:
    """A generation with the top-20 raw alternatives at every position, for stepping through tokens."""
    setting = base.model_copy(update={"logprobs": True, "top_logprobs": 20, "max_tokens": steps, "n": 1})
    return client.chat(prompt_messages(prompt), setting).logprobs[0]
