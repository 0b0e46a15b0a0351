"""The operations the window performs on the record: the one way in for every write.

Keyword-only functions that take the store and what a person typed, check it against the
spec through ``mappa_desktop.rules``, write it through the store's repositories and return
the problems to show beside the fields (never a traceback, never lost words). The store
announces what changed when each write commits; views listen (``ui/changes.py``).

- ``minute``: sections, rows, actions raised and reviewed, the check, issue and finalise.
- ``actions``: the register between meetings: carry forward, re-assign.
- ``signoff``: issuing the draft for comment, the chair's approval.
- ``cases``: the case record, archiving, leaving MAPPA.
- ``directory``: agencies and people.
Significant Case Reviews have theirs in ``mappa_desktop.scr``.
"""
