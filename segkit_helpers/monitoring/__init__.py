"""The monitor step: changes against the previous cycle, drift, migration and history."""
