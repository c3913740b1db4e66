"""Compose: a run's accepted papers as pull requests.

:mod:`~triagebot.compose.entry` renders each entry, :mod:`~triagebot.compose.pr_body` writes the
pull request's text, :mod:`~triagebot.compose.proposals` puts them together (one PR per paper, or one
per run when grouping). Branch names and markers come from :mod:`triagebot.pr_convention`.
"""
