"""The research step: reading order lines, cleaning them, customer profiles, CLV and data readiness."""
