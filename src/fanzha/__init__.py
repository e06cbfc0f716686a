"""fanzha (反诈): the grassroots anti-fraud campaign platform."""

__version__ = "0.1.0"
