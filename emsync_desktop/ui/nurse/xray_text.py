"""The words beside a chest X-ray: the findings, cautions about the model, what the heat map shows and
how it was made, and how the image was read. Pure functions returning rich text; colours from the theme."""

from __future__ import annotations

import math
import re

from emsync_desktop.ml.imaging import CAM_METHOD, Finding, ImagingResult, findings
from emsync_desktop.services.imaging import Analysis
from emsync_desktop.ui.theme import Theme, attention_colour

DEMONSTRATION = ("<b>DEMONSTRATION MODEL</b> — trained on synthetic images, not on chest X-rays. Its output means "
                 "nothing about this patient.")
OCCLUSION = re.compile(r"Occlusion map, (\d+)×(\d+) grid, \d+ passes in ([\d.]+) s \(budget [\d.]+ s\)(.*)")


def result_html(analysis: Analysis, theme: Theme) -> str:
    """Everything the result panel says about ``analysis``."""
    r, image = analysis.result, analysis.image
    notes = "".join(f"<br>· {n}" for n in image.notes)
    read_as = image.description if image.description.startswith(image.kind) else f"{image.kind}: {image.description}"
    return (f"{cautions_html(analysis, theme)}{_findings_table(r, theme)}{heat_map_html(r, theme)}"
            f"<p style='color:{theme.muted}'>Model {r.model_name}, version "
            f"{r.model_version.removeprefix(r.model_name + '-') or r.model_version}<br>"
            f"{read_as}{notes}<br>{timing_text(r)}</p>"
            "<p><i>Decision support, not a diagnosis: a radiologist reads the image.</i></p>")


def cautions_html(analysis: Analysis, theme: Theme) -> str:
    """The caution boxes: a demonstration model, and a model whose accuracy or parity is not known."""
    background, text = attention_colour(theme, "caution")
    box = f"<p style='background:{background};color:{text};padding:6px'>{{}}</p>"
    boxes = [DEMONSTRATION] if analysis.result.demonstration else []
    if analysis.evidence:
        boxes.append(f"<b>UNCHECKED MODEL</b> — {analysis.evidence} Read its output with extra care.")
    return "".join(box.format(b) for b in boxes)


def timing_text(result: ImagingResult) -> str:
    if math.isnan(result.inference_ms):
        return "Result as recorded when it was analysed"
    return f"Inference {_ms(result.inference_ms)}, heat map {_ms(result.heat_map_ms)}"


def _ms(value: float) -> str:
    return "<1 ms" if value < 1 else f"{value:.0f} ms"


def heat_map_html(result: ImagingResult, theme: Theme) -> str:
    """What the heat map shows (and, when it is not the most likely label, says so) and how it was made
    (a class activation map and an occlusion map differ in what they mean and how fine they are)."""
    shown, method = result.heat_map_class, result.heat_map_method
    if not shown:
        return f"<p>No heat map: {plain_method(method) if method else 'this model does not provide one'}.</p>"
    how = f"<br><span style='color:{theme.muted}'>{plain_method(method)}.</span>" if method else ""
    p = result.probabilities.get(shown, math.nan)
    if shown == result.top_class:
        return f"<p>Heat map: where the model found evidence for <b>{shown}</b> ({p:.0%}).{how}</p>"
    return (f"<p>Heat map for <b>{shown}</b> ({p:.0%}, the less likely finding): where the model found evidence "
            f"for it.{how}</p>")


def plain_method(method: str) -> str:
    """The heat-map method in plain words (studies keep the model's own text, so it is translated here)."""
    if method.startswith(CAM_METHOD):
        return "Made from the model's own last feature maps (class activation map)"
    if match := OCCLUSION.fullmatch(method):
        rows, columns, seconds, rest = match.groups()
        return f"Made by hiding parts of the image (occlusion), {rows}×{columns} squares, {seconds} s{rest}"
    return method.removesuffix(".")


def _findings_table(result: ImagingResult, theme: Theme) -> str:
    """Single-label: each class and its probability. Multi-label: the findings at or over their threshold
    first, each with its threshold, then the others in the muted colour."""
    ordered = findings(result)
    if result.thresholds is None:
        rows = "".join(f"<tr><td>{f.label}</td><td align='right'><b>{f.probability:.0%}</b></td></tr>"
                       for f in ordered)
        return f"<table width='100%' style='font-size:18px'>{rows}</table>"
    over = [f for f in ordered if f.over_threshold]
    under = [f for f in ordered if not f.over_threshold]
    head = (f"<p><b>{len(over)} of {len(ordered)} findings at or over their threshold</b></p>" if over
            else f"<p><b>No finding over its threshold</b> ({len(ordered)} checked)</p>")

    def row(f: Finding, colour: str, weight: str) -> str:
        return (f"<tr style='color:{colour}'><td>{f.label}</td><td align='right' nowrap>"
                f"<span style='font-weight:{weight}'>{f.probability:.0%}</span> (≥ {f.threshold:.0%})</td></tr>")

    header = f"<tr style='color:{theme.muted}'><td>Finding</td><td align='right'>Probability (threshold)</td></tr>"
    rows = "".join(row(f, theme.text, "700") for f in over) + "".join(row(f, theme.muted, "400") for f in under)
    return f"{head}<table width='100%' style='font-size:16px'>{header}{rows}</table>"
