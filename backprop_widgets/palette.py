"""The kit's colours in one place: the Okabe-Ito palette (safe for colour-blind readers) and what each colour means.

A leaf module (it imports nothing), so the engine's neighbours, the renderers, the widgets and
the exercises can all take their colours from here.  ``render.dot.PALETTE`` is this ``PALETTE``.
"""

__all__ = ["OKABE_ITO", "PALETTE", "TEXT_COLOURS"]

# Okabe & Ito's eight colours, written in lower case because Graphviz writes them so in the SVG.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#e69f00",
    "sky_blue": "#56b4e9",
    "bluish_green": "#009e73",
    "yellow": "#f0e442",
    "blue": "#0072b2",
    "vermillion": "#d55e00",
    "reddish_purple": "#cc79a7",
}

# What each kind of node (and edge) of a graph picture is drawn with: (border, fill).
PALETTE = {
    "variable": (OKABE_ITO["blue"], "#e5f1f8"),  # blue: an input the student can change
    "constant": ("#8c8c8c", "#f5f5f5"),  # grey, dashed: a number written in the formula
    "result": (OKABE_ITO["bluish_green"], "#e5f5ef"),  # bluish green: a value an operation computed
    "op": (OKABE_ITO["orange"], "#fdf1d9"),  # orange: the operation itself
    "more": ("#8c8c8c", "#ffffff"),  # grey: a node left out of a big picture
    "edge": ("#4d4d4d", "#4d4d4d"),
    "current": (OKABE_ITO["vermillion"], OKABE_ITO["vermillion"]),  # vermillion, drawn thicker: the current step
}

# Small text on white (an exercise's verdict): Okabe-Ito's green and vermillion are too light for
# it (contrast 3.4:1 and 3.9:1, below the 4.5:1 that WCAG asks of text), so a darker green and red.
TEXT_COLOURS = {
    "right": "#1a7f37",  # contrast 5.1:1
    "wrong": "#cf222e",  # 5.4:1
    "note": "#57606a",  # 6.4:1
    "pending": "#57606a",  # a question not answered yet: neutral, the notes' grey
}
