"""Draw the app icon (Pillow only) and write it in each platform's format.

Run after changing the drawing: ``python installers/make_icons.py``. Writes
``resources/icons/emsync.png`` (256 px: window icon, Linux desktop entry), ``installers/windows/emsync.ico``
and ``installers/macos/emsync.icns``; all three are committed, so a build needs none of this.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
BLUE, WHITE, RED = (11, 92, 173, 255), (255, 255, 255, 255), (198, 40, 40, 255)  # the light theme's accent


def draw(size: int = 1024) -> Image.Image:
    """A rounded blue square, a white cross and a red pulse line through it (drawn at 4x, then reduced)."""
    big = size * 4
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pad = big // 16
    pen.rounded_rectangle((pad, pad, big - pad, big - pad), radius=big // 5, fill=BLUE)
    arm, centre = big // 7, big // 2
    span = big // 3
    pen.rectangle((centre - arm, centre - span, centre + arm, centre + span), fill=WHITE)
    pen.rectangle((centre - span, centre - arm, centre + span, centre + arm), fill=WHITE)
    u = big // 64
    pulse = [(centre - span + 2 * u, centre), (centre - 5 * u, centre), (centre - 2 * u, centre - 8 * u),
             (centre + 2 * u, centre + 8 * u), (centre + 5 * u, centre), (centre + span - 2 * u, centre)]
    pen.line(pulse, fill=RED, width=3 * u, joint="curve")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    master = draw()
    (ROOT / "resources" / "icons").mkdir(parents=True, exist_ok=True)
    master.resize((256, 256), Image.Resampling.LANCZOS).save(ROOT / "resources" / "icons" / "emsync.png")
    master.save(ROOT / "installers" / "windows" / "emsync.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    master.save(ROOT / "installers" / "macos" / "emsync.icns")


if __name__ == "__main__":
    main()
