"""The minute's rules, read from the spec and held once (no Qt, no SQL).

- ``values``: whether a value may be stored (kinds, choices, bounds, conditions).
- ``completeness``: the completeness check and each section's mark.
- ``actions``: outstanding, overdue and due soon.

Every consumer calls these: the forms, the operations layer (``mappa_desktop.ops``), the
store's own refusals (``db/``), the check, the marks, the dashboard, the register and the
printouts.
"""
