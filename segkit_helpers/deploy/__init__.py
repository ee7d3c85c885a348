"""The deploy step: personas and service models per customer, the export and the deploy target."""
