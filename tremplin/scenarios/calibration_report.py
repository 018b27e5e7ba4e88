"""The calibration's figures, as the Markdown block of docs/calibration.md and as French lines
for a terminal."""

from __future__ import annotations

from pathlib import Path

from tremplin.formats import format_decimal, format_number
from tremplin.scenarios.calibration import CalibrationReport

__all__ = ["BEGIN", "END", "markdown", "summary", "update_document"]

BEGIN = "<!-- calibration:debut -->"
END = "<!-- calibration:fin -->"


def _r(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def markdown(report: CalibrationReport) -> str:
    """The figures of ``report`` as the Markdown block of docs/calibration.md."""
    m = report.fit.model
    lines = [
        BEGIN,
        "",
        f"Fitted on {report.train_offers:,} training offers ({report.pupils:,} first wishes in "
        f"all, {report.heldout_offers:,} offers held out; split seed {report.split_seed}, "
        f"cohort seeds {', '.join(map(str, report.fit_seeds))} for the fit and "
        f"{', '.join(map(str, report.eval_seeds))} for the scores). "
        f"{report.fit.evaluations} evaluations, training loss (MAE first wish + MAE all wishes) "
        f"{report.fit.start_loss:.3f} at the start, {report.fit.loss:.3f} fitted; "
        f"{report.seconds:.0f} s in all on this project's 2-core machine.",
        "",
        "| parameter | fitted value |",
        "|---|---:|",
        f"| β_distance (per km) | {m.beta_distance:.4f} |",
        f"| β_famille | {m.beta_famille:.3f} |",
        f"| β_niveau (fixed: not identified) | {m.beta_niveau:.3f} |",
        f"| β_popularité (× log(1 + first wishes)) | {m.beta_popularite:.3f} |",
        f"| mean number of further wishes (Poisson, capped at {m.max_wishes - 1}) | "
        f"{m.mean_further:.3f} |",
        "",
        "Held-out offers: mean absolute error (pupils per offer) and Pearson correlation of the "
        "assigned counts, simulation (mean of the scoring cohorts) against the naive reference "
        "min(capacity, first wishes).",
        "",
        "| scope | offers | count | MAE simulation | MAE reference | r simulation | "
        "r reference | real total | simulated total | reference total |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report.rows:
        sim, ref = row.simulation, row.baseline
        lines.append(
            f"| {row.scope} | {sim.offers:,} | affectés vœu 1 | {sim.mae_voeu_1:.3f} | "
            f"{ref.mae_voeu_1:.3f} | {_r(sim.r_voeu_1)} | {_r(ref.r_voeu_1)} | "
            f"{sim.real_voeu_1:,} | {sim.predicted_voeu_1:,.0f} | {ref.predicted_voeu_1:,.0f} |"
        )
        lines.append(
            f"| {row.scope} | {sim.offers:,} | affectés tous vœux | {sim.mae_tous_voeux:.3f} | "
            f"{ref.mae_tous_voeux:.3f} | {_r(sim.r_tous_voeux)} | {_r(ref.r_tous_voeux)} | "
            f"{sim.real_tous_voeux:,} | {sim.predicted_tous_voeux:,.0f} | "
            f"{ref.predicted_tous_voeux:,.0f} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def update_document(path: Path, report: CalibrationReport) -> None:
    """Replace the block between the calibration markers of ``path`` (or append it)."""
    block = markdown(report)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        _, after = rest.split(END, 1)
        text = before + block + after
    else:
        text = text.rstrip() + ("\n\n" if text else "") + block + "\n"
    path.write_text(text, encoding="utf-8")


def summary(report: CalibrationReport) -> str:
    """A few French lines for a terminal."""
    lines = [
        f"Modèle ajusté en {format_number(report.fit.evaluations)} évaluations "
        f"({format_decimal(report.seconds, 0)} s) : β_distance "
        f"{format_decimal(report.fit.model.beta_distance, 3)}, β_famille "
        f"{format_decimal(report.fit.model.beta_famille, 2)}, β_popularité "
        f"{format_decimal(report.fit.model.beta_popularite, 2)}, vœux supplémentaires en "
        f"moyenne {format_decimal(report.fit.model.mean_further, 2)}."
    ]
    for row in report.rows:
        sim, ref = row.simulation, row.baseline
        lines.append(
            f"{row.libelle} — {format_number(sim.offers)} offres mises de côté : écart absolu "
            f"moyen affectés vœu 1 {format_decimal(sim.mae_voeu_1, 2)} (référence "
            f"{format_decimal(ref.mae_voeu_1, 2)}), tous vœux "
            f"{format_decimal(sim.mae_tous_voeux, 2)} (référence "
            f"{format_decimal(ref.mae_tous_voeux, 2)}) ; corrélations "
            f"{format_decimal(sim.r_voeu_1, 3)} et {format_decimal(sim.r_tous_voeux, 3)}."
        )
    return "\n".join(lines)
