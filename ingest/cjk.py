"""What counts as Chinese text, said once for every layer (language detection, tokenizing, splitting)."""

from __future__ import annotations

import re

# CJK unified ideographs (extension A and the basic block) and the compatibility ideographs.
IDEOGRAPHS = "\u3400-\u9fff\uf900-\ufaff"
IDEOGRAPH = re.compile(f"[{IDEOGRAPHS}]")
IDEOGRAPH_RUN = re.compile(f"[{IDEOGRAPHS}]+")
