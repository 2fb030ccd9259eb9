"""Collapse the triple renderings that web exports leave for every formula.

A KaTeX page copied as text shows each formula three times: spaced glyphs, the LaTeX source and
compact glyphs (`x 0 x_0 x0`). We keep the LaTeX source, which is the only lossless one.
"""

from __future__ import annotations

import re
from collections import Counter

from ingest.cjk import IDEOGRAPHS

_LATEX_MARK = re.compile(r"[\\_^{}]")
_CJK = re.compile(f"[\u3000-\u303f{IDEOGRAPHS}\uff00-\uffef]")  # ideographs with CJK and full-width punctuation
_SYMBOLS = {
    r"\alpha": "α", r"\beta": "β", r"\gamma": "γ", r"\delta": "δ", r"\epsilon": "ϵ", r"\varepsilon": "ε",
    r"\theta": "θ", r"\mu": "μ", r"\sigma": "σ", r"\Sigma": "Σ", r"\sum": "∑", r"\prod": "∏", r"\pi": "π",
    r"\lambda": "λ", r"\tau": "τ", r"\phi": "ϕ", r"\omega": "ω", r"\sim": "∼", r"\|": "∥", r"\mid": "∣",
    r"\cdot": "⋅", r"\times": "×", r"\leq": "≤", r"\geq": "≥", r"\approx": "≈", r"\infty": "∞",
    r"\nabla": "∇", r"\log": "log", r"\exp": "exp", r"\in": "∈", r"\to": "→", r"\rightarrow": "→",
}
_DROP = re.compile(r"\\(?:mathcal|mathbf|mathbb|mathrm|text|operatorname|sqrt|frac|left|right|big|Big|quad|,|;|!)")


def glyphs(latex: str) -> Counter[str]:
    """The multiset of visible characters a LaTeX snippet renders to (order ignored on purpose:
    fractions render numerator/denominator in different orders in the two glyph copies)."""
    text = re.sub(r"\\bar\{([^{}]*)\}", r"\1ˉ", latex)
    for command, glyph in sorted(_SYMBOLS.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(command, glyph)
    text = _DROP.sub("", text).replace("-", "−").replace("|", "∣")
    return Counter(c for c in text if not c.isspace() and c not in "{}_^\\")


def _similarity(a: Counter[str], b: Counter[str]) -> float:
    total = max(sum(a.values()), sum(b.values()))
    return sum((a & b).values()) / total if total else 0.0


def _take_glyphs(text: str, count: int, backwards: bool) -> int:
    """Length of the shortest span at one end of `text` holding `count` non-space characters."""
    seen = 0
    indices = range(len(text) - 1, -1, -1) if backwards else range(len(text))
    for steps, i in enumerate(indices, start=1):
        if _CJK.match(text[i]):
            return -1
        if not text[i].isspace():
            seen += 1
            if seen == count:
                return steps
    return -1


def _ascii_runs(line: str) -> list[list[tuple[int, int]]]:
    """Maximal runs of whitespace-separated pure-ASCII tokens (LaTeX source is ASCII; glyphs are not)."""
    runs: list[list[tuple[int, int]]] = []
    previous_ascii = False
    for match in re.finditer(r"\S+", line):
        is_ascii = match.group().isascii()
        if is_ascii and previous_ascii:
            runs[-1].append(match.span())
        elif is_ascii:
            runs.append([match.span()])
        previous_ascii = is_ascii
    return [run for run in runs if any(_LATEX_MARK.search(line[a:b]) for a, b in run)]


def _triple_at(line: str, start: int, end: int) -> tuple[float, int, int] | None:
    """If line[start:end] is LaTeX with a glyph copy right before and after it: match score, outer bounds."""
    want = glyphs(line[start:end])
    need = sum(want.values())
    if need == 0:
        return None
    before = line[:start].rstrip()
    after_offset = len(line[end:]) - len(line[end:].lstrip())
    after = line[end + after_offset :]
    back = _take_glyphs(before, need, backwards=True)
    ahead = _take_glyphs(after, need, backwards=False)
    if back < 0 or ahead < 0:
        return None
    score = min(_similarity(glyphs(before[len(before) - back :]), want), _similarity(glyphs(after[:ahead]), want))
    return (score, len(before) - back, end + after_offset + ahead) if score >= 0.8 else None


def _collapse_line(line: str) -> str:
    for run in reversed(_ascii_runs(line)):
        # The LaTeX span inside the run whose glyph copies on both sides match best (longest on ties).
        best: tuple[float, int, int, int, int] | None = None
        for i in range(len(run)):
            for j in range(i, len(run)):
                start, end = run[i][0], run[j][1]
                if not _LATEX_MARK.search(line[start:end]):
                    continue
                found = _triple_at(line, start, end)
                if found and (best is None or (found[0], end - start) > (best[0], best[4] - best[3])):
                    best = (found[0], found[1], found[2], start, end)
        if best:
            _, outer_start, outer_end, start, end = best
            line = line[:outer_start].rstrip() + " $" + line[start:end].strip() + "$ " + line[outer_end:].lstrip()
    return _collapse_plain_triples(line)


_PLAIN_TRIPLE = re.compile(rf"(?<![\w\\])((?:[^\s{IDEOGRAPHS}]+ ){{0,4}}[^\s{IDEOGRAPHS}]+) \1 (\S+)")


def _collapse_plain_triples(line: str) -> str:
    """`t t t` and `T = 1 T = 1 T=1`: formulas without markup, same three-copy pattern."""

    def replace(match: re.Match[str]) -> str:
        spaced, compact = match.group(1), match.group(2)
        squeezed = spaced.replace(" ", "")
        if compact.startswith(squeezed):
            return spaced + compact[len(squeezed) :]
        return match.group(0)

    return _PLAIN_TRIPLE.sub(replace, line)


def collapse_latex_doubles(text: str) -> str:
    """Keep one (LaTeX) rendering of every formula in `text`; lines without one keep their
    indentation (code)."""
    collapsed = ((line, _collapse_line(line)) for line in text.split("\n"))
    return "\n".join(new if new == old else new.strip(" ") for old, new in collapsed)
