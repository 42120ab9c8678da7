"""Customer Journey Warehouse: simulator, CLI and benchmark around the dbt project."""

from importlib.metadata import version

# one version for the project: pyproject.toml's, which dbt_project.yml and
# CHANGELOG.md repeat (checked by tests/python/test_project.py)
__version__ = version("customer-journey-warehouse")
