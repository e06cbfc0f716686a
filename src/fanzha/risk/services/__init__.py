"""Writes of the risk work, one module per sub-domain: key persons, premises, sweeps, screening."""
