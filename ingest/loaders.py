"""Turn a file (txt, md, html, pdf, docx) into plain text, detecting the encoding of text files."""

from __future__ import annotations

from pathlib import Path

from ingest.cjk import IDEOGRAPH
from ingest.errors import IngestError

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}


def decode_text(data: bytes, name: str) -> str:
    """Decode bytes as UTF-8 (BOM or not), UTF-16 or GB18030/GBK, refusing binary data."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _looks_utf16(data):
        for codec in ("utf-16-le", "utf-16-be"):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                continue
    if b"\x00" in data:
        raise IngestError(f"{name} looks like a binary file, not text (it contains NUL bytes).")
    try:
        text = data.decode("gb18030")
        non_ascii = [c for c in text if ord(c) > 127]
        if non_ascii and sum(bool(IDEOGRAPH.match(c)) for c in non_ascii) / len(non_ascii) > 0.6:
            return text
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise IngestError(f"{name} is not readable text in UTF-8, UTF-16 or GB18030/GBK.")
    return str(best)


def _strict(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise IngestError(f"{name} starts with a {codec} byte-order mark but is not valid {codec}.") from exc


def _looks_utf16(data: bytes) -> bool:
    # UTF-16 text without a BOM has NUL in every other byte for ASCII, or a regular pattern for CJK.
    sample = data[:4000]
    if len(sample) < 4 or len(sample) % 2:
        return False
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    return max(even_nuls, odd_nuls) > len(sample) // 8


# Page furniture of real sites (Sphinx, MkDocs, blogs): navigation, sidebars, search, footers, anchors.
_HTML_FURNITURE = ("[role=navigation]", "[role=search]", "[role=contentinfo]", "[role=banner]", ".sphinxsidebar",
                   ".related", ".footer", ".headerlink", ".toctree-wrapper", "aside", "form")
_HTML_MAIN = ("main", "[role=main]", "article", "div.body")


def _html_to_text(html: str) -> str:
    """The page's main content as Markdown-ish text: headings as #, list items as -, code fenced,
    table cells joined by |; navigation, sidebars and footers dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header", "noscript", "title"]):
        tag.decompose()
    for selector in _HTML_FURNITURE:
        for tag in soup.select(selector):
            tag.decompose()
    root = next((found for selector in _HTML_MAIN if (found := soup.select_one(selector))), soup)
    for level in range(1, 7):
        for heading in root.find_all(f"h{level}"):
            heading.insert_before("\n" + "#" * level + " ")
            heading.insert_after("\n")
    for block in root.find_all("pre"):  # code stays whole: the chunker keeps fenced blocks together
        block.insert_before("\n```\n")
        block.insert_after("\n```\n")
    for item in root.find_all("li"):
        item.insert_before("\n- ")
    for cell in root.find_all(["td", "th"]):
        cell.insert_after(" | ")
    for block in root.find_all(["p", "div", "br", "tr", "dt", "dd"]):
        block.insert_after("\n")
    return root.get_text()


def _pdf_to_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(f"{path.name} is not a readable PDF ({exc.__class__.__name__}).") from exc


def _docx_to_text(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise IngestError(f"{path.name} is not a readable .docx file.") from exc
    lines = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        if style.startswith("heading"):
            level = int(style.split()[-1]) if style.split()[-1].isdigit() else 2
            lines.append("#" * level + " " + paragraph.text)
        elif "list" in style:
            lines.append("- " + paragraph.text)
        else:
            lines.append(paragraph.text)
    return "\n".join(lines)


def check_size(name: str, size: int, max_mb: int) -> None:
    """Empty and over-limit files are refused before they are read (or, from the UI, saved)."""
    if size == 0:
        raise IngestError(f"{name} is empty.")
    if size > max_mb * 1024 * 1024:
        raise IngestError(f"{name} is {size / 1024 / 1024:.0f} MB, over the {max_mb} MB upload limit (COACH_MAX_FILE_MB).")


def read_text(path: Path, max_mb: int) -> str:
    """Read one supported file as text; every failure is an IngestError with one clear sentence."""
    if not path.exists():
        raise IngestError(f"{path} does not exist.")
    if path.is_dir():
        raise IngestError(f"{path} is a directory; pass the files inside it or the directory to ingest.")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise IngestError(f"{path.name} has an unsupported type '{suffix or '(none)'}'; supported: {kinds}.")
    check_size(path.name, path.stat().st_size, max_mb)
    try:
        if suffix == ".pdf":
            text = _pdf_to_text(path)
        elif suffix == ".docx":
            text = _docx_to_text(path)
        else:
            text = decode_text(path.read_bytes(), path.name)
            if suffix in HTML_SUFFIXES:
                text = _html_to_text(text)
    except PermissionError as exc:
        raise IngestError(f"{path.name} cannot be read (permission denied).") from exc
    if not text.strip():
        raise IngestError(f"{path.name} contains no text.")
    return text.replace("\r\n", "\n").replace("\r", "\n")
