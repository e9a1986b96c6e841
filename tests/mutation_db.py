"""A pytest plugin for mutation runs only (`make mutation` loads it with `-p tests.mutation_db`,
see [tool.mutmut] in pyproject.toml).

mutmut runs each mutant's tests in a process forked from its own, which has run the tests
before. Creating and migrating the SQLite test database takes longer than most of those test
runs, so here a forked process starts from a copy of its parent's test database file (the
schema and nothing else: tests leave no rows behind) and deletes the copy when it is done. The
parent's own first session creates the file as usual and keeps it for the next ones.
"""

import os
import shutil
from pathlib import Path

import pytest


class _CopiedTestDatabase:
    @pytest.fixture(scope="session")
    def django_db_setup(self, request, django_test_environment, django_db_blocker,
                        django_db_modify_db_settings):
        from django.conf import settings
        from django.db import connections
        from django.test.utils import setup_databases, teardown_databases

        db = settings.DATABASES["default"]
        if not db["ENGINE"].endswith("sqlite3"):
            with django_db_blocker.unblock():
                config = setup_databases(verbosity=0, interactive=False)
            yield
            with django_db_blocker.unblock():
                teardown_databases(config, verbosity=0)
            return
        mine = Path(db["TEST"]["NAME"])  # this process's file (tests/conftest.py)
        parents = mine.with_name(f"test-db-{os.getppid()}.sqlite3")
        copied = not mine.exists() and parents.exists()
        if copied:
            shutil.copyfile(parents, mine)
        if mine.exists():
            connections["default"].close()
            db["NAME"] = str(mine)  # the same dict as the connection's settings
        else:
            with django_db_blocker.unblock():
                setup_databases(verbosity=0, interactive=False, keepdb=True)
        yield
        connections.close_all()
        if copied:
            mine.unlink(missing_ok=True)


def pytest_configure(config):
    # registered after pytest-django, so this django_db_setup is the one used
    config.pluginmanager.register(_CopiedTestDatabase(), "mutation-copied-test-database")
