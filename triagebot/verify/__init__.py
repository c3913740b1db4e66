"""`triagebot verify`: check the entries already in the list against arXiv.

Pure parts (title comparison, findings, the in-place id edit, the upkeep proposal) live here;
the arXiv lookups and the publishing happen through ports, picked by ``commands/verify.py``.
"""
