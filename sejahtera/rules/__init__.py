"""Identity-number rules, each defined once and shared by the generator, the expectations and reconciliation."""
