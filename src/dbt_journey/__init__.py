"""dbt plugin of the project (dbt imports every installed `dbt_*` module at
start-up): runs the project's Python models on dbt-spark's session method.

dbt-spark submits a Python model to Databricks only. With `method: session`
the dbt process is the Spark driver, so the model's compiled code (its
`model()` and dbt-spark's writer, which saves the returned DataFrame as a
table in the model's file_format) runs here, in-process, on the same
SparkSession: the models set `submission_method: session`. On DuckDB this
module changes nothing."""

from __future__ import annotations

from typing import Any

from dbt.plugins.manager import dbtPlugin

try:  # dbt-spark is installed with the project, but dbt starts without it too
    from dbt.adapters.base import PythonJobHelper
    from dbt.adapters.spark.impl import SparkAdapter
except ImportError:  # pragma: no cover
    SparkAdapter = None


if SparkAdapter is not None:

    class SessionPythonJobHelper(PythonJobHelper):
        """Runs a Python model's compiled code on the active SparkSession."""

        def __init__(self, parsed_model: dict, credentials: Any) -> None:
            self.relation = f"{parsed_model['schema']}.{parsed_model['alias']}"

        def submit(self, compiled_code: str) -> None:
            from pyspark.sql import SparkSession

            # dbt-spark's session connection made the session in this process
            namespace = {"spark": SparkSession.builder.getOrCreate(), "__name__": self.relation}
            exec(compile(compiled_code, self.relation, "exec"), namespace)  # noqa: S102

    helpers = SparkAdapter.python_submission_helpers.fget  # type: ignore[attr-defined]

    def _with_session(adapter: Any) -> dict[str, type[PythonJobHelper]]:
        return {**helpers(adapter), "session": SessionPythonJobHelper}

    SparkAdapter.python_submission_helpers = property(_with_session)  # type: ignore[method-assign]


class JourneyPlugin(dbtPlugin):
    """Registered for dbt's plugin manager; the work is done on import."""

    def initialize(self) -> None:
        pass


plugins = [JourneyPlugin]
