"""The font a PDF is printed in: one TrueType font with Hangul and Latin, found on the machine.

A Korean report needs a font with Hangul glyphs, embedded in the PDF so any reader prints it.
K-Perf Lab ships none; it looks, in order, for:

1. the file named by ``KPERF_REPORT_FONT`` (a ``.ttf``; its bold face, if any, beside it named
   ``*Bold.ttf``);
2. NanumGothic (Debian's ``fonts-nanum``, installed by scripts/setup.sh; also found through
   fontconfig's ``fc-match`` where it is elsewhere);
3. Malgun Gothic, which every Windows since Vista has (``%WINDIR%\\Fonts\\malgun.ttf``);
4. Apple SD Gothic Neo / AppleGothic on macOS;
5. DejaVu Sans (Latin only, but more than the PDF core fonts).

Without any of them the PDF core font Helvetica prints Latin-1 only; :func:`printable` says which
characters a font lacks so that the report can say so instead of printing empty boxes.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

ENV = "KPERF_REPORT_FONT"
REGULAR, BOLD = "KPerfSans", "KPerfSans-Bold"
FALLBACK_REGULAR, FALLBACK_BOLD = "Helvetica", "Helvetica-Bold"
_HANGUL_PROBE = "가"


@dataclass(frozen=True)
class FontChoice:
    """The fonts to print with: registered names, where they came from, and the characters the
    regular face has (None: Latin-1 only)."""

    regular: str
    bold: str
    source: str
    hangul: bool
    _chars: frozenset[int] | None = field(default=None, repr=False)

    def has(self, ch: str) -> bool:
        if self._chars is None:
            return ord(ch) < 256
        return ord(ch) in self._chars or ch in "\n\t"


def _candidates() -> list[tuple[Path, Path | None]]:
    out: list[tuple[Path, Path | None]] = []
    env = os.environ.get(ENV)
    if env:
        p = Path(env).expanduser()
        bold = p.with_name(p.stem + "Bold" + p.suffix)
        out.append((p, bold if bold.is_file() else None))
    nanum = Path("/usr/share/fonts/truetype/nanum")
    out.append((nanum / "NanumGothic.ttf", nanum / "NanumGothicBold.ttf"))
    fc = _fc_match("NanumGothic")
    if fc is not None:
        out.append((fc, _fc_match("NanumGothic:bold")))
    windir = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
    out.append((windir / "malgun.ttf", windir / "malgunbd.ttf"))
    out.append((Path("/System/Library/Fonts/Supplemental/AppleGothic.ttf"), None))
    out.append((Path("/Library/Fonts/AppleGothic.ttf"), None))
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    out.append((dejavu / "DejaVuSans.ttf", dejavu / "DejaVuSans-Bold.ttf"))
    return out


def _fc_match(pattern: str) -> Path | None:
    if sys.platform == "win32" or shutil.which("fc-match") is None:
        return None
    try:
        r = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                           text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip() else None
    return path if path is not None and path.suffix.lower() == ".ttf" and path.is_file() else None


_cache: dict[str, FontChoice] = {}


def choose() -> FontChoice:
    """Register and return the best font found (once per process and ``KPERF_REPORT_FONT``)."""
    key = os.environ.get(ENV, "")
    if key in _cache:
        return _cache[key]
    choice = None
    for regular, bold in _candidates():
        if not regular.is_file():
            continue
        try:
            font = TTFont(REGULAR + str(len(_cache)), str(regular))
        except (TTFError, OSError, ValueError):
            continue
        bold_font = None
        if bold is not None and bold.is_file():
            try:
                bold_font = TTFont(BOLD + str(len(_cache)), str(bold))
            except (TTFError, OSError, ValueError):
                bold_font = None
        pdfmetrics.registerFont(font)
        if bold_font is not None:
            pdfmetrics.registerFont(bold_font)
        chars = frozenset(font.face.charToGlyph)
        choice = FontChoice(font.fontName, bold_font.fontName if bold_font else font.fontName,
                            str(regular), ord(_HANGUL_PROBE) in chars, chars)
        break
    if choice is None:
        choice = FontChoice(FALLBACK_REGULAR, FALLBACK_BOLD, "PDF core font Helvetica", False)
    _cache[key] = choice
    return choice


def printable(text: str, font: FontChoice) -> tuple[str, bool]:
    """``text`` with every character the font lacks replaced by ``?``, and whether any was."""
    if all(font.has(c) for c in text):
        return text, False
    return "".join(c if font.has(c) else "?" for c in text), True
