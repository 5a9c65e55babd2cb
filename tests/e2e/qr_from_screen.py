#!/usr/bin/env python3
"""tests/e2e/qr_from_screen.py - turn a QR code drawn with Unicode half
blocks in a terminal screen dump (tmux capture-pane -p) back into a module
bitmap, written as a PBM image for zbarimg.

Each cell holds two modules, one above the other: "▀" upper, "▄" lower,
"█" both, " " neither. The QR is the longest run of rows holding at least
MIN_CELLS half-block characters; its columns run from the leftmost to the
rightmost half-block cell of that run (wide CJK characters to its left
count two columns). Whether the drawn halves are the dark or the light
modules (the kiosk draws in reverse video, so the quiet zone is painted)
is told by the frame of the region: mostly painted means painted = light.
A 4-module light margin is added and each module scaled to SCALE pixels.

usage: qr_from_screen.py SCREEN.txt OUT.pbm
prints "rows=R cols=C top=T left=L modules=WxH painted=dark|light" on stdout;
exit 1 when no QR-like region is found.
"""
import sys
import unicodedata

UPPER, LOWER, FULL = "\u2580", "\u2584", "\u2588"
BLOCKS = (UPPER, LOWER, FULL)
MIN_CELLS = 8
MARGIN = 4
SCALE = 4


def cells(line):
    """The line as a list of screen columns (wide characters take two)."""
    out = []
    for ch in line.rstrip("\n"):
        out.append(ch)
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            out.append("")
    return out


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        screen = [cells(l) for l in f]
    counts = [sum(1 for c in row if c in BLOCKS) for row in screen]
    best, start = (0, 0), None
    for i, n in enumerate(counts + [0]):
        if n >= MIN_CELLS and start is None:
            start = i
        elif n < MIN_CELLS and start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    top, bottom = best
    if bottom - top < 5:
        print("no QR-like region on the screen")
        return 1
    rows = screen[top:bottom]
    left = min(next(j for j, c in enumerate(r) if c in BLOCKS) for r in rows if any(c in BLOCKS for c in r))
    right = max(max(j for j, c in enumerate(r) if c in BLOCKS) for r in rows if any(c in BLOCKS for c in r))
    width = right - left + 1
    grid = []  # painted modules, two per text row
    for r in rows:
        r = r + [" "] * (right + 1 - len(r))
        seg = r[left:right + 1]
        grid.append([c in (UPPER, FULL) for c in seg])
        grid.append([c in (LOWER, FULL) for c in seg])
    h = len(grid)
    frame = grid[0] + grid[-2] + [g[0] for g in grid] + [g[-1] for g in grid]
    painted_is_light = sum(frame) * 2 > len(frame)
    dark = [[(not p) if painted_is_light else p for p in g] for g in grid]
    # the last text row's lower half may lie below the symbol: light if it is all dark
    if painted_is_light and all(dark[-1]):
        dark[-1] = [False] * width
    W = (width + 2 * MARGIN) * SCALE
    H = (h + 2 * MARGIN) * SCALE
    with open(sys.argv[2], "w") as out:
        out.write("P1\n%d %d\n" % (W, H))
        for y in range(H):
            my = y // SCALE - MARGIN
            line = []
            for x in range(W):
                mx = x // SCALE - MARGIN
                d = 0 <= my < h and 0 <= mx < width and dark[my][mx]
                line.append("1" if d else "0")
            out.write(" ".join(line) + "\n")
    print("rows=%d cols=%d top=%d left=%d modules=%dx%d painted=%s"
          % (bottom - top, width, top, left, width, h, "light" if painted_is_light else "dark"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
