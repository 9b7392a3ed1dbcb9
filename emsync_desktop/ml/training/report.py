"""The metric report of a training run, as Markdown (printed and written to docs/)."""

from __future__ import annotations

from typing import Any

from emsync_desktop.domain.triage import NEED_LABELS, NEEDS


def triage_report(triage: dict[str, Any]) -> str:
    models = triage["models"]
    data = triage["training_data"]
    lines = [
        f"# Triage models — {triage['version']}",
        "",
        f"Created {triage['created']}. Training data: {data['description']}",
        "",
        f"Rows: {data['rows']} (train {data['split']['train']}, validation {data['split']['validation']}, "
        f"test {data['split']['test']}); seed {data['seed']}. Every number below is measured on the "
        "**test rows**, which were used for nothing else. Probabilities have the training class weights undone.",
        "",
    ]
    if "generated" in data:
        lines += ["Generated marginals (whole cohort): " + _inline(data["generated"]), ""]
    lines += _severity_section(models["severity"])
    lines += _needs_section(models)
    lines += _parity_section(models)
    return "\n".join(lines) + "\n"


def _severity_section(entry: dict[str, Any]) -> list[str]:
    m, bayes, news2 = entry["metrics"]["model"], entry["metrics"].get("bayes_optimal"), entry["metrics"]["news2"]
    lines = ["## Severity (Critical / Moderate / Low urgency)", "",
             "| | balanced accuracy | AUROC (macro, one-vs-rest) | Brier |", "|---|---|---|---|",
             f"| XGBoost → ONNX | {m['balanced_accuracy']} | {m['auroc_macro_ovr']} | {m['brier']} |"]
    if bayes:
        lines.append(f"| Bayes-optimal (true posterior) | {bayes['balanced_accuracy']} | {bayes['auroc_macro_ovr']} "
                     f"| {bayes['brier']} |")
    lines += [f"| NEWS2 band (high → Critical, medium/single 3 → Moderate, else Low) | "
              f"{news2['balanced_accuracy_of_band']} | Critical vs rest: {news2['auroc_critical_vs_rest']} | – |", "",
              _call_rule(entry), "",
              "Confusion matrix (rows true, columns called: Critical, Moderate, Low urgency): "
              + "; ".join(str(r) for r in m["confusion"]), "",
              "Per-class AUROC: " + _inline(m["auroc_per_class"]) + ". AUPRC: " + _inline(m["auprc_per_class"]),
              "", "Calibration, Critical (predicted → observed, ten equal bins): "
              + ", ".join(f"{b['predicted']:.2f}→{b['observed']:.2f}" for b in m["calibration"]["Critical"]), ""]
    return lines


def _call_rule(entry: dict[str, Any]) -> str:
    thresholds = entry.get("ordinal_thresholds")
    if thresholds is None:
        return "Urgency is called by the balanced rule (the class most raised above its prevalence)."
    return (f"Urgency is called by cumulative thresholds chosen on the validation rows: Critical when P(Critical) "
            f">= {thresholds[0]:.3f}, else Moderate when P(Critical or Moderate) >= {thresholds[1]:.3f}, else Low "
            "urgency (a worse input never makes the call less urgent). The Bayes-optimal row uses the balanced "
            "rule, the best any decision on those probabilities can do for balanced accuracy.")


def _needs_section(models: dict[str, Any]) -> list[str]:
    lines = ["## Needs", "",
             "| need | prevalence | AUROC | Bayes AUROC | NEWS2 AUROC | AUPRC | Brier | threshold | sensitivity "
             "| specificity | balanced acc. | Bayes bal. acc. |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name in NEEDS:
        metrics = models[name]["metrics"]
        m, bayes = metrics["model"], metrics.get("bayes_optimal") or {}
        lines.append(f"| {NEED_LABELS[name]} | {m['prevalence']} | {m['auroc']} | {bayes.get('auroc', '–')} | "
                     f"{metrics['news2']['auroc']} | {m['auprc']} | {m['brier']} | {m['threshold']} | "
                     f"{m['sensitivity']} | {m['specificity']} | {m['balanced_accuracy']} | "
                     f"{bayes.get('balanced_accuracy', '–')} |")
    lines += ["", "Thresholds were chosen on the validation rows (Youden's J). Calibration (predicted → observed):", ""]
    for name in NEEDS:
        bins = models[name]["metrics"]["model"]["calibration"]
        lines.append(f"- {NEED_LABELS[name]}: " + ", ".join(f"{b['predicted']:.3f}→{b['observed']:.3f}" for b in bins))
    return [*lines, ""]


def _parity_section(models: dict[str, Any]) -> list[str]:
    worst = max(e["parity"]["max_abs_diff"] for e in models.values())
    rows = next(iter(models.values()))["parity"]["rows"]
    return ["## Export", "", f"onnxmltools export; onnxruntime vs XGBoost on {rows} rows: largest absolute "
            f"difference in any probability {worst:.1e} (tolerance 1e-5). Trees kept after early stopping: "
            + ", ".join(f"{k} {e['trees']}" for k, e in models.items()) + "."]


def _inline(values: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in values.items())
