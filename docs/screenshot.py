"""Regenerate ``docs/index.png``, the README's screenshot of the sample cycle's index page.

Run the sample first (``make cycle``), then ``make screenshot`` (or
``python docs/screenshot.py [INDEX.html] [--out FILE]``). Headless Chromium (Debian's
``chromium``, or ``$SEGKIT_CHROMIUM``) renders the page at 1100 px wide; the top of the
page is kept, scaled down and saved as a 256-colour PNG (well under 300 KB).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INDEX = ROOT / "reports" / "2011-12-09" / "index.html"
WIDTH, TOP, SCALED = 1100, 1420, 880  # rendered width, height kept, width in the README (px)


def render(index: Path, png: Path, chromium: str) -> None:
    """Screenshot the top ``TOP`` px of ``index`` at ``WIDTH`` px wide into ``png``."""
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={WIDTH},{TOP}", f"--screenshot={png}", index.resolve().as_uri()],
                   check=True, capture_output=True, timeout=120)


def shrink(png: Path, out: Path) -> None:
    """Scale ``png`` to ``SCALED`` px wide and save it to ``out`` with a 256-colour palette."""
    image = Image.open(png).convert("RGB")
    image = image.resize((SCALED, round(image.height * SCALED / image.width)), Image.LANCZOS)
    image.quantize(colors=256).save(out, optimize=True)


def main(argv: list[str] | None = None) -> int:
    """Command line: render INDEX (default: the sample's second cycle) to ``--out`` (default: docs/index.png)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", nargs="?", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "index.png")
    args = parser.parse_args(argv)
    chromium = shutil.which(os.environ.get("SEGKIT_CHROMIUM") or "chromium")
    if not args.index.is_file():
        print(f"no index at {args.index}: run `make cycle` first", file=sys.stderr)
        return 1
    if chromium is None:
        print("no Chromium found: apt-get install -y chromium, or set SEGKIT_CHROMIUM", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.png"
        render(args.index, raw, chromium)
        shrink(raw, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
