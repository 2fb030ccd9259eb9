"""Clean real web exports: repeated titles, tables of contents, junk tails, stray HTML, LaTeX triples."""

from __future__ import annotations

import re
from collections import Counter

from ingest.cjk import IDEOGRAPHS
from ingest.latex import collapse_latex_doubles

_JUNK_TAIL = re.compile(
    r"^\s*(?:相关文章|相关推荐|推荐阅读|猜你喜欢|热门文章|Related (?:articles|posts)|You may also like)\s*[:：]?\s*$",
    re.IGNORECASE,
)
_RULER = re.compile(r"^\s*(?:[♠⊕◆◇★☆※•·\-=_*~]\s*){8,}$")
_STRAY_HTML = re.compile(r"""(?:<img\b[^>]*>|^\s*src=["“”'][^\n]*?>\s*$|</?(?:span|div|p|br|a|font)\b[^>]*>)""", re.MULTILINE)
_TOC_TITLE = re.compile(r"^\s*[-*]?\s*(?:\*\*)?\s*(?:目录|目錄|Contents|Table of contents|TOC)\s*(?:\*\*)?\s*[:：]?\s*$", re.I)
_LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)、])\s+\S")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# A web page copied as text puts an inline English term on a line of its own inside a Chinese sentence
# ("通过\nCLIP\n模型的文本编码器"); left split, the sentence breaks in two and loses its subject.
_INLINE_TERM_BREAK = re.compile(
    rf"(?<=[{IDEOGRAPHS}，,（(])\n([A-Za-z][A-Za-z0-9_.+/()-]*(?: [A-Za-z0-9_.+/()-]+){{0,4}})\n(?=[{IDEOGRAPHS}，,。）)])")


def normalize_heading(line: str) -> str:
    """A line reduced to what a TOC entry and its heading share (no bullets, bold, numbering, colon)."""
    text = re.sub(r"^\s*(?:#+|[-*+])\s*", "", line)
    text = text.replace("**", "").strip()
    text = re.sub(r"^(?:\d+(?:\.\d+)*)[.、)]?\s*", "", text)
    return text.rstrip(":：").strip().lower()


def cut_junk_tail(lines: list[str]) -> list[str]:
    """Everything from a 'related articles' heading or a symbol ruler on is another page's content."""
    for index, line in enumerate(lines):
        if index > len(lines) // 3 and (_JUNK_TAIL.match(line) or _RULER.match(line)):
            return lines[:index]
    return lines


def drop_repeated_title(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out and line.strip() and line.strip() == out[-1].strip() and len(out) < 5:
            continue
        out.append(line)
    return out


def drop_tables_of_contents(lines: list[str]) -> list[str]:
    """Drop runs of >= 3 list lines whose entries mostly reappear later as headings (a TOC).

    Linear in the number of lines: each line is normalised once, and "what comes later" is a counter
    that loses each line as the scan passes it."""
    normalized = [normalize_heading(line) for line in lines]
    later = Counter(normalized)
    keep = [True] * len(lines)
    passed = 0

    def pass_up_to(position: int) -> None:
        nonlocal passed
        for seen in normalized[passed:position]:
            later[seen] -= 1
        passed = max(passed, position)

    index = 0
    while index < len(lines):
        if not _LIST_LINE.match(lines[index]) and not _TOC_TITLE.match(lines[index]):
            index += 1
            continue
        end = index
        while end < len(lines) and (_LIST_LINE.match(lines[end]) or _TOC_TITLE.match(lines[end])):
            end += 1
        pass_up_to(end)
        entries = [normalized[i] for i in range(index, end) if not _TOC_TITLE.match(lines[i])]
        repeated = sum(1 for entry in entries if entry and later[entry] > 0)
        if len(entries) >= 3 and repeated / len(entries) >= 0.6:
            start = index - 1 if index > 0 and _TOC_TITLE.match(lines[index - 1]) else index
            for position in range(start, end):
                keep[position] = False
        index = end
    return [line for line, kept in zip(lines, keep) if kept]


def clean_text(text: str) -> str:
    """The document as a person would read it: junk removed, formulas once, blank runs collapsed."""
    text = _INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _STRAY_HTML.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    lines = cut_junk_tail(lines)
    lines = drop_repeated_title(lines)
    lines = drop_tables_of_contents(lines)
    text = collapse_latex_doubles("\n".join(lines))
    text = _INLINE_TERM_BREAK.sub(r" \1 ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
