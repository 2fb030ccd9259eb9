"""Loaders: every supported format, every encoding we promise, and one clear error for each bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.clean import clean_text
from ingest.errors import IngestError
from ingest.loaders import read_text

TEXT = "问题一:LoRA节省的是显存还是带宽?\nLoRA 主要节省显存。\n"


@pytest.mark.parametrize(
    "encoded",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("gb18030"),
        TEXT.encode("gbk"),
        TEXT.encode("utf-16"),
        TEXT.encode("utf-16-le"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "gbk", "utf16-bom", "utf16le-no-bom"],
)
def test_text_encodings_decode_to_the_same_text(tmp_path: Path, encoded: bytes) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(encoded)
    assert read_text(path, max_mb=5) == TEXT


def test_html_keeps_headings_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<html><script>x=1</script><h2>Q1. What is LoRA?</h2><ul><li>low rank</li></ul></html>", "utf-8")
    text = read_text(path, max_mb=5)
    assert "## Q1. What is LoRA?" in text and "- low rank" in text and "x=1" not in text


def test_docx_headings_become_markdown(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Q1. What does top-k do?", level=2)
    document.add_paragraph("It keeps the k most likely tokens.")
    path = tmp_path / "notes.docx"
    document.save(str(path))
    text = read_text(path, max_mb=5)
    assert "## Q1. What does top-k do?" in text and "k most likely tokens" in text


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure()
    figure.text(0.1, 0.5, "Q1. What is beam search?")
    path = tmp_path / "notes.pdf"
    figure.savefig(path)
    plt.close(figure)
    assert "beam search" in read_text(path, max_mb=5)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "is empty"),
        ("image.png", b"\x89PNG....", "unsupported type"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip", "not a readable .docx"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("blank.md", b"   \n\n  ", "contains no text"),
    ],
)
def test_bad_files_get_one_clear_sentence(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError, match=message):
        read_text(path, max_mb=5)


def test_missing_and_directory_paths(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="does not exist"):
        read_text(tmp_path / "nope.txt", max_mb=5)
    with pytest.raises(IngestError, match="is a directory"):
        read_text(tmp_path, max_mb=5)


def test_oversized_file_is_refused_with_the_limit_named(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse file: the size check must not read it
        handle.seek(3 * 1024 * 1024)
        handle.write(b"x")
    with pytest.raises(IngestError, match=r"over the 2 MB upload limit \(COACH_MAX_FILE_MB\)"):
        read_text(path, max_mb=2)


def test_html_keeps_the_main_content_code_and_tables(tmp_path) -> None:
    """A Sphinx-style page: navigation, sidebar, anchors and footer go; code stays fenced and indented;
    table cells stay on one row."""
    page = tmp_path / "page.html"
    page.write_text("""<html><head><title>shelve — docs</title></head><body>
<div class="related" role="navigation"><ul><li>index</li><li>modules |</li></ul></div>
<div class="document"><div class="body" role="main">
<h1>shelve — persistence<a class="headerlink" href="#x">¶</a></h1>
<p>A shelf is a persistent dictionary.</p>
<div class="highlight"><pre>def load(path):
    with open(path) as handle:
        return handle.read()</pre></div>
<table><tr><th>mode</th><th>meaning</th></tr><tr><td>r</td><td>read only</td></tr></table>
<h2>Restrictions</h2><p>Keys must be strings.</p>
</div></div>
<div class="sphinxsidebar" role="navigation"><h3>Navigation</h3><ul><li>Previous topic</li></ul></div>
<div class="footer">© Copyright the authors.</div></body></html>""", "utf-8")
    text = clean_text(read_text(page, 5))
    assert text.startswith("# shelve — persistence\n") and "¶" not in text
    assert "Navigation" not in text and "modules |" not in text and "Copyright" not in text
    assert "```\ndef load(path):\n    with open(path) as handle:\n        return handle.read()\n```" in text
    assert "r | read only |" in text and "## Restrictions" in text


def test_comments_in_code_are_not_questions(tmp_path) -> None:
    """A "# comment" line in fenced code looks like a Markdown heading; the items come from the page's
    own headings only."""
    from ingest.items import parse_items
    from ingest.models import Document

    page = tmp_path / "page.html"
    page.write_text("""<html><body><div role="main">
<h1>logging cookbook</h1><p>Recipes.</p>
<h2>Logging from several threads</h2><p>Each thread logs through the same logger.</p>
<pre># do something
worker.start()
# filled with pad content
</pre>
<h2>Rotating files</h2><p>A handler that rotates by size.</p>
</div></body></html>""", "utf-8")
    items = parse_items(Document(str(page), "page", clean_text(read_text(page, 5))))
    assert [item.question for item in items] == ["Logging from several threads", "Rotating files"]
    assert "# do something" in items[0].reference_answer


def test_comments_in_code_are_not_sub_sections() -> None:
    """A "## comment" or a numbered line inside fenced code would otherwise open a sub-section, and so
    become a key point of the rubric."""
    from ingest.sections import split_sections

    answer = ("The loop has three steps.\n## Forward pass\nRun the model.\n```python\n## move to device\n"
              "x = x.to(device)\n1. not a heading\n```\n## Backward pass\nCall loss.backward().")
    assert [section.heading for section in split_sections(answer)] == ["", "Forward pass", "Backward pass"]
