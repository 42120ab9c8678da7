"""Customer Journey Warehouse: simulator, CLI and benchmark around the dbt project."""

__version__ = "0.1.0"
