"""Oversight, Qt-free: finding words in any minute, the meeting and case audits read from
the record, working days, and the Strategic Oversight Group's figures.

- ``search``: what a search box query means (words, "phrases", prefix*), the FTS5
  expressions for it, and the snippet and highlights of a hit.
- ``workdays``: Scottish bank holidays from editable rules, and working days between dates.
- ``meeting_audit``: national document 12, each item with a suggested grade and its evidence.
- ``case_audit``: national document 11, timeliness, invitations, attendance and reports.
- ``report``: the SOG's figures for a period (numbers only).
"""
