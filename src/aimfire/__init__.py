"""aimfire: plan every sales interaction, record it against the plan, review the week."""

__version__ = "0.1.0"
