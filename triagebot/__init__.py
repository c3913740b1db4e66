"""triagebot: keeps a curated awesome paper list alive from arXiv."""

__version__ = "0.1.0"
