"""What a graded notebook may show: a hand-in's outputs made safe for feedback pages and formgrader.

Every output of a graded notebook came from the student's kernel (a read-only cell's
too: the student's code ran before it), and feedback pages and formgrader show them
as HTML in the instructor's and the student's browsers.  ``SanitizeOutputs`` (an
nbgrader/nbconvert preprocessor, after the judge) keeps only:

- ``text/plain``, streams and errors (shown as text);
- ``text/html`` cleaned by `nh3 <https://nh3.readthedocs.io>`_ (the Ammonia sanitiser): no ``<script>``, no
  ``on…=`` handlers, no ``style``; images only from ``data:`` URLs, links only to ``http(s):``, ``mailto:`` and
  ``#``, so nothing is loaded from elsewhere;
- PNG, JPEG and GIF images; an SVG image becomes an ``<img>`` of a ``data:`` URL, where browsers run no script
  and load nothing.

JavaScript, widget views, Markdown, LaTeX and every other kind of output are dropped (a line of plain text
says so), and so is the notebook's widget state.  Cells a student could edit (unlocked Markdown and raw
cells) are cleaned the same way.

>>> clean_html('<b>ok</b><script>alert(1)</script><img src=x onerror="alert(1)"><img src="http://e.example/t.png">')
'<b>ok</b><img><img>'
"""

from __future__ import annotations

import base64
import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

__all__ = ["clean_html", "clean_output", "SanitizeOutputs"]

RASTER = ("image/png", "image/jpeg", "image/gif")
SAFE_IMAGE = re.compile(r"data:image/(png|jpeg|gif|svg\+xml);base64,[A-Za-z0-9+/=\s]*\Z")
SAFE_LINK = re.compile(r"(https?:|mailto:|#)", re.I)
MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?[^)]*\)")


def _attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute in ("src", "srcset", "poster", "background", "longdesc", "cite", "action", "formaction"):
        return value if attribute == "src" and element == "img" and SAFE_IMAGE.match(value.strip()) else None
    if attribute in ("href", "xlink:href"):
        return value if SAFE_LINK.match(value.strip()) else None
    return value


def clean_html(html: str) -> str:
    """HTML with nothing that runs or loads: no script, no event handlers, no style, no external URLs."""
    import nh3

    return nh3.clean(html, attribute_filter=_attribute, url_schemes={"http", "https", "mailto", "data"})


def clean_markdown(text: str) -> str:
    """Markdown whose HTML is cleaned and whose images load nothing from elsewhere (only ``data:`` images stay)."""
    text = MARKDOWN_IMAGE.sub(lambda m: m.group(0) if SAFE_IMAGE.match(m.group(2)) else f"[image: {m.group(1)}]", text)
    return clean_html(text) if "<" in text else text


def clean_output(output: dict) -> dict:
    """One output, safe to show (a new dict)."""
    kind = output.get("output_type")
    if kind not in ("display_data", "execute_result"):
        return dict(output)
    data = output.get("data", {})
    kept: dict = {}
    dropped = []
    for mime, value in data.items():
        text = "".join(value) if isinstance(value, list) else value
        if mime == "text/plain" or mime in RASTER:
            kept[mime] = text
        elif mime == "text/html":
            kept[mime] = clean_html(text)
        elif mime == "image/svg+xml":
            encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
            kept["text/html"] = f'<img alt="picture" src="data:image/svg+xml;base64,{encoded}">'
        else:
            dropped.append(mime)
    if not kept or (dropped and "text/plain" not in kept):
        kept["text/plain"] = "[not shown when grading: " + ", ".join(dropped or ["an empty output"]) + "]"
    metadata = {m: v for m, v in output.get("metadata", {}).items() if m in RASTER and isinstance(v, dict)}
    cleaned = dict(output, data=kept, metadata=metadata)
    return cleaned


class SanitizeOutputs(Preprocessor):
    """Keep only outputs that run nothing and load nothing (see the module), and no widget state."""

    enabled = Bool(True)

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            locked = cell.get("metadata", {}).get("nbgrader", {}).get("locked", False)
            if cell.cell_type == "code":
                cell.outputs = [type(o)(clean_output(o)) for o in cell.get("outputs", [])]
            elif cell.cell_type == "markdown" and not locked:
                cell.source = clean_markdown(cell.source)
            elif cell.cell_type == "raw" and not locked:
                cell.source = clean_html(cell.source)
                cell.metadata.pop("format", None)
                cell.metadata.pop("raw_mimetype", None)
            if "attachments" in cell and not locked:
                cell.attachments = {
                    name: {m: v for m, v in bundle.items() if m in RASTER} for name, bundle in cell.attachments.items()
                }
        return nb, resources
