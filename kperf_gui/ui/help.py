"""Help: a short guide (connect a meter, run a preset, read the figures, sign a session) and the
metric definitions, in the app's language.

The definitions are those of CONTRACT.md as every workbook carries them
(:data:`kperf_gui.measure.metrics.DEFINITIONS`); :data:`DEFINITIONS` repeats them here so that
Qt's translation tools can find them, and a test keeps the two the same."""
from __future__ import annotations

import html

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

DEFINITIONS: tuple[tuple[str, str, str], ...] = (
    ('Measured requests', QT_TRANSLATE_NOOP("Definitions", 'Measured requests'),
     QT_TRANSLATE_NOOP("Definitions",
                       "A point's non-warm-up requests. Statistics use the successful ones; "
                       "percentiles are numpy's linear percentiles.")),
    ('Window (duration_s)', QT_TRANSLATE_NOOP("Definitions", 'Window (duration_s)'),
     QT_TRANSLATE_NOOP("Definitions",
                       'From the first measured request sent to the last measured request '
                       'finished, in seconds.')),
    ('TTFT (ttft_ms_*)', QT_TRANSLATE_NOOP("Definitions", 'TTFT (ttft_ms_*)'),
     QT_TRANSLATE_NOOP("Definitions",
                       'From sending the request to the first chunk that carries generated '
                       'text (text, delta.content, or a reasoning field). A chunk with only a '
                       'role or an empty string does not count.')),
    ('E2E (e2e_ms_*)', QT_TRANSLATE_NOOP("Definitions", 'E2E (e2e_ms_*)'),
     QT_TRANSLATE_NOOP("Definitions",
                       'From sending to the last chunk that carries text (on-device: from '
                       'submitting the inference to its completion).')),
    ('TPOT (tpot_ms_*)', QT_TRANSLATE_NOOP("Definitions", 'TPOT (tpot_ms_*)'),
     QT_TRANSLATE_NOOP("Definitions",
                       'Per request: (E2E - TTFT) / (output tokens - 1); requests with one '
                       'output token are left out.')),
    ('ITL (itl_ms_*)', QT_TRANSLATE_NOOP("Definitions", 'ITL (itl_ms_*)'),
     QT_TRANSLATE_NOOP("Definitions",
                       'Every gap between successive text-carrying chunks, pooled over the '
                       "point's requests.")),
    ('Output tokens', QT_TRANSLATE_NOOP("Definitions", 'Output tokens'),
     QT_TRANSLATE_NOOP("Definitions",
                       "Per request: the server's usage.completion_tokens where reported, else"
                       " the tokenizer's count, else the number of text chunks; the Requests "
                       'sheet says which.')),
    ('output_tokens_per_s', QT_TRANSLATE_NOOP("Definitions", 'output_tokens_per_s'),
     QT_TRANSLATE_NOOP("Definitions",
                       'Output tokens of successful measured requests / duration_s.')),
    ('output_tokens_per_s_per_user', QT_TRANSLATE_NOOP("Definitions", 'output_tokens_per_s_per_user'),
     QT_TRANSLATE_NOOP("Definitions",
                       'Mean over requests of (output tokens - 1) / (E2E - TTFT).')),
    ('prefill_tokens_per_s', QT_TRANSLATE_NOOP("Definitions", 'prefill_tokens_per_s'),
     QT_TRANSLATE_NOOP("Definitions",
                       'Sum of actual input tokens / sum of TTFTs (seconds), successful '
                       'measured requests. Per user and including queueing; the concurrency-1 '
                       "row is the chip's.")),
    ('requests_per_s', QT_TRANSLATE_NOOP("Definitions", 'requests_per_s'),
     QT_TRANSLATE_NOOP("Definitions",
                       'Successful measured requests / duration_s.')),
    ('Wall power', QT_TRANSLATE_NOOP("Definitions", 'Wall power'),
     QT_TRANSLATE_NOOP("Definitions",
                       'Every wall channel (meters and elements) placed on the one clock and '
                       'summed.')),
    ('energy_j', QT_TRANSLATE_NOOP("Definitions", 'energy_j'),
     QT_TRANSLATE_NOOP("Definitions",
                       'Wall power integrated over the window by the trapezoid rule, with '
                       'power interpolated at both window edges from readings at most one '
                       'update period outside the window. Where a wall channel has no power '
                       'reading within one update period of an edge, energy_j, power_w_mean, '
                       'power_w_max and the ratios built on them are left empty and '
                       'invalid_reason says why.')),
    ('power_w_mean', QT_TRANSLATE_NOOP("Definitions", 'power_w_mean'),
     QT_TRANSLATE_NOOP("Definitions",
                       'energy_j / duration_s.')),
    ('power_w_max', QT_TRANSLATE_NOOP("Definitions", 'power_w_max'),
     QT_TRANSLATE_NOOP("Definitions",
                       'The highest wall reading in the window.')),
    ('power_w_idle', QT_TRANSLATE_NOOP("Definitions", 'power_w_idle'),
     QT_TRANSLATE_NOOP("Definitions",
                       'The mean of the idle baseline measured before the sweep.')),
    ('joules_per_output_token', QT_TRANSLATE_NOOP("Definitions", 'joules_per_output_token'),
     QT_TRANSLATE_NOOP("Definitions",
                       'energy_j / output tokens (on-device: joules per inference).')),
    ('output_tokens_per_s_per_w', QT_TRANSLATE_NOOP("Definitions", 'output_tokens_per_s_per_w'),
     QT_TRANSLATE_NOOP("Definitions",
                       'output_tokens_per_s / power_w_mean.')),
    ('Live tokens/s', QT_TRANSLATE_NOOP("Definitions", 'Live tokens/s'),
     QT_TRANSLATE_NOOP("Definitions",
                       'Output tokens arriving in each meter update interval, paired with that'
                       " interval's power.")),
    ('valid', QT_TRANSLATE_NOOP("Definitions", 'valid'),
     QT_TRANSLATE_NOOP("Definitions",
                       'False, with invalid_reason naming each cause, when a request '
                       'failed, a meter read over range or no data in the window, readings '
                       'were lost (fewer than 90 % of the expected number, or any gap '
                       'longer than two update periods), or the uncertainty exceeds '
                       'meters[].max_uncertainty_pct. The expected number is floor(window x '
                       'the update rate the meter was actually set to): the whole update '
                       'periods the window holds, which a meter that loses nothing always '
                       'gives, whatever the phase of its updates. A point is invalid too '
                       'when the load client was saturated (a load process with an '
                       'event-loop lag p99 above sweep.max_client_lag_ms) or a load process '
                       'died during it.')),
    ('power_w_uncertainty_pct, energy_j_uncertainty_pct', QT_TRANSLATE_NOOP("Definitions",
                       'power_w_uncertainty_pct, energy_j_uncertainty_pct'),
     QT_TRANSLATE_NOOP("Definitions",
                       'The relative uncertainty of power_w_mean and energy_j, in %: each '
                       "wall meter's accuracy specification (% of reading + % of range, for "
                       'the range each reading was taken on and the band of its input '
                       'frequency), worked out per reading, integrated over the window as '
                       'energy_j is and added over the wall channels; a worst-case limit. '
                       "Empty where a meter's accuracy table, a reading's range or the "
                       'input frequency is not known; the Session sheet says which.')),
    ('unit', QT_TRANSLATE_NOOP("Definitions", 'unit'),
     QT_TRANSLATE_NOOP("Definitions",
                       'token for language-model endpoints; inference for on-device targets, '
                       'where the throughput columns read inferences per second and '
                       'joules_per_output_token reads joules per inference.')),
)
"""(name as in the workbook, translatable name, translatable definition)."""


def definitions() -> list[tuple[str, str]]:
    """``(name, definition)`` in the app's language."""
    lookup = QCoreApplication.translate
    return [(lookup("Definitions", name), lookup("Definitions", text))
            for _, name, text in DEFINITIONS]


class GuideDialog(QDialog):
    """The guide in a window of its own, beside the main window (not modal)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("K-Perf Lab guide"))
        self.setModal(False)
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.setHtml(self.guide_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(720, 620)

    def guide_html(self) -> str:
        sections = [
            (self.tr("Connect a power meter"), [
                self.tr("On the Instruments page press Find instruments, or type the meter's "
                        "VISA resource (like TCPIP0::192.168.1.20::inst0::INSTR) or serial port. "
                        "Choose the driver of its make, the input elements the server's power "
                        "supplies are on, and the update rate."),
                self.tr("Press Connect: the meter's own maker, model, serial and firmware appear "
                        "with a live W, V, A and PF reading. Without hardware, tick “a simulated "
                        "instrument of this make”."),
                self.tr("Enter the calibration due date: a run with an expired calibration is "
                        "refused unless you allow it, and that is recorded."),
            ]),
            (self.tr("Run a preset"), [
                self.tr("On the Session page give the session a name, the operator and the "
                        "witness, and the target: an OpenAI-compatible endpoint (press Test "
                        "connection), a DEEPX NPU, a vendor benchmark program or the built-in "
                        "simulator."),
                self.tr("On the Sweep page choose a K-Perf preset (Llama 3.1 8B and 405B, "
                        "Llama 3.3 70B, EXAONE 32B): it sets the input and output lengths, the "
                        "concurrent users and how much is measured per point."),
                self.tr("Press Start on the Run page. The idle baseline is measured first, then "
                        "each point: warm-up requests, then the measurement window. Pause, Stop "
                        "after this point and Abort are beside Start (a point paused while it "
                        "is measured is measured again, whole, after Resume); closing the "
                        "window can leave the run going on its own."),
            ]),
            (self.tr("Read the figures"), [
                self.tr("Results shows one row per sweep point. A shaded row is invalid: the "
                        "Why invalid column names each cause. The workbook (results.xlsx), "
                        "summary.csv and the PNG graphs are in the session folder."),
                self.tr("Curves shows throughput, time to first token and tokens/s per watt "
                        "against concurrent users. Compare puts two or more sessions (chips) "
                        "side by side, matching sweep points aligned, and exports them."),
            ]),
            (self.tr("Sign a session"), [
                self.tr("The operator and the witness each sign the session's manifest.json "
                        "with their own key, so that any later change to a file shows. Make a "
                        "key once with “kperf keys new NAME”, then sign with “kperf sign DIR "
                        "--as operator” (or “--as witness”)."),
                self.tr("“kperf verify DIR --require operator,witness” checks every file, the "
                        "event log and both signatures; “kperf seal DIR” writes the archive to "
                        "hand over."),
            ]),
        ]
        title = self.tr("K-Perf Lab guide")
        definitions_title = self.tr("Metric definitions")
        parts = [f"<h2>{html.escape(title)}</h2>"]
        for title, paragraphs in sections:
            parts.append(f"<h3>{html.escape(title)}</h3>")
            parts += [f"<p>{html.escape(p)}</p>" for p in paragraphs]
        parts.append(f"<h3>{html.escape(definitions_title)}</h3>")
        parts.append("<table cellspacing='0' cellpadding='4' border='1' "
                     "style='border-collapse: collapse;'>")
        for name, text in definitions():
            parts.append(f"<tr><td valign='top'><b>{html.escape(name)}</b></td>"
                         f"<td>{html.escape(text)}</td></tr>")
        parts.append("</table>")
        return "\n".join(parts)
