"""From a structured Document to the task ledger: measures, units and roles, deadlines, targets."""
