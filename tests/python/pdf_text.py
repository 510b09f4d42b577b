"""Text runs of a PDF printed by Chromium (Skia), without a PDF library: inflate the
streams, map each font's glyph codes to text through its ToUnicode CMap, and read the
Tj / TJ strings of every page's content stream in paint order (document order for a
printed HTML page). Enough to read the report back; not a general PDF parser."""

from __future__ import annotations

import re
import unicodedata
import zlib
from pathlib import Path

OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
STREAM = re.compile(rb"^(.*?)stream\r?\n(.*?)\r?\nendstream", re.S)
REFERENCE = re.compile(rb"/(\w+) (\d+) 0 R")
TOKEN = re.compile(
    rb"<([0-9A-Fa-f\s]*)>|\((?:\\.|[^\\)])*\)|/([\w.+-]+)|\[|\]|([A-Za-z'\"*]+)|(-?[\d.]+)"
)


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """{object number: (dictionary text, inflated stream or None)}."""
    objects = {}
    for number, body in OBJECT.findall(data):
        match = STREAM.match(body)
        if match:
            head, raw = match.groups()
            stream = zlib.decompress(raw) if b"/FlateDecode" in head else raw
            objects[int(number)] = (head, stream)
        else:
            objects[int(number)] = (body, None)
    return objects


def _hex_units(text: bytes) -> list[int]:
    digits = re.sub(rb"\s", b"", text)
    return [int(digits[i : i + 4], 16) for i in range(0, len(digits), 4)]


def _cmap(stream: bytes) -> dict[int, str]:
    """A ToUnicode CMap: glyph code -> text (bfchar and bfrange, 2-byte codes)."""
    mapping: dict[int, str] = {}

    def text(hexa: bytes) -> str:
        return bytes.fromhex(hexa.decode()).decode("utf-16-be", errors="replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for code, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = text(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for start, end, rest in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])", block
        ):
            first, last = int(start, 16), int(end, 16)
            if rest.startswith(b"["):
                for i, target in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", rest)):
                    mapping[first + i] = text(target)
            else:
                base = bytes.fromhex(rest[1:-1].decode())
                value = int.from_bytes(base, "big")
                for i in range(last - first + 1):
                    code = (value + i).to_bytes(len(base), "big")
                    mapping[first + i] = code.decode("utf-16-be", errors="replace")
    return mapping


def text_runs(path: Path) -> list[str]:
    """Every Tj / TJ string of the PDF as text, page by page in paint order."""
    objects = _objects(path.read_bytes())
    fonts: dict[bytes, dict[int, str]] = {}
    pages = []
    for head, _ in objects.values():
        if re.search(rb"/Type /Page\b(?!s)", head):
            pages.append(head)
        font_block = re.search(rb"/Font <<(.*?)>>", head, re.S)
        if font_block:
            for name, number in REFERENCE.findall(font_block.group(1)):
                font_head = objects[int(number)][0]
                to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font_head)
                if to_unicode and name not in fonts:
                    fonts[name] = _cmap(objects[int(to_unicode.group(1))][1] or b"")
    runs: list[str] = []
    for head in pages:
        contents = re.search(rb"/Contents (\d+) 0 R", head)
        if not contents:
            continue
        stream = objects[int(contents.group(1))][1] or b""
        font: dict[int, str] = {}
        pending: list[bytes] = []
        for match in TOKEN.finditer(stream):
            hexa, name, operator, _number = match.groups()
            if hexa is not None:
                pending.append(hexa)
            elif name is not None:
                font = fonts.get(name, font)
            elif operator in (b"Tj", b"TJ"):
                text = "".join(font.get(code, "") for part in pending for code in _hex_units(part))
                runs.append(unicodedata.normalize("NFKC", text))
                pending = []
            elif operator is not None:
                pending = []
    return runs
