"""OASIS CAP 1.2 for the alert system: publishing our alerts, importing upstream ones."""
