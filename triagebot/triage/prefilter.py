"""The cheap keyword prefilter: drop papers that plainly are not visual anomaly detection.

No model, no cost. It errs on the side of keeping: a paper is dropped only when its title and
abstract never speak of anomalies (or out-of-distribution, novelty, defects …), or when they do
but only about data that is plainly not images or video (logs, time series, networks, text …)
and never mention anything visual.
"""

from __future__ import annotations

import re

from triagebot.models import Paper

_ANOMALY = re.compile(
    r"anomal|abnormal|out-of-distribution|out of distribution|\bood\b|novelty|outlier|defect|"
    r"unusual event|irregular|deviation from normal|open-set|open set|unknown (?:object|class)",
    re.IGNORECASE,
)
_VISUAL = re.compile(
    r"\bimage|\bvideo|visual|vision|pixel|\bframe|camera|surveillance|industrial inspection|"
    r"mvtec|\bvisa\b|medical imag|\bmri\b|\bct\b|x-ray|radiograph|segmentation|"
    r"\bclip\b|\bsam\b|diffusion|\bgan\b|autoencoder|cnn|convolution|photo|scene|pedestrian",
    re.IGNORECASE,
)
_NOT_VISUAL = re.compile(
    r"time[- ]series|\blogs?\b|log anomal|network traffic|intrusion|tabular|transaction|fraud|"
    r"\bgraph anomal|\bnodes?\b|sensor data|\bnlp\b|language model(?:s)? for text|\btext anomal|"
    r"\bkpi|telemetry|\becu\b|can bus|smart grid|financial",
    re.IGNORECASE,
)


def prefilter(paper: Paper) -> bool:
    """True when ``paper`` may be visual anomaly detection and should go on to the model.

    False only when it plainly is not: no anomaly-like term at all, or anomaly terms about
    plainly non-visual data (time series, logs, networks, tabular, text) with no visual term.
    """
    text = f"{paper.title}\n{paper.abstract}"
    if not _ANOMALY.search(text):
        return False
    return not (_NOT_VISUAL.search(text) and not _VISUAL.search(text))
