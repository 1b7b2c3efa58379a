"""The action plan: actions people own (owner, due month, done, not relevant), and the plan of
an assessment as a document for a board or a funder."""
