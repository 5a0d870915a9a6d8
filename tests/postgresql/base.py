"""PostgreSQL for the tests: Django's backend, with a flush that deletes the rows instead
of truncating the tables.

A transactional test ends with a flush of every table. Django's is one TRUNCATE of all
of them, which gives each table and index a new file, and costs about a second on an
idle server (more while another database of the server is busy) where DELETE of a
test's few rows takes milliseconds. The end is the same: every table empty, sequences
where they were (Django's flush resets them only when asked, and then truncates as
before). The foreign keys Django makes are deferred, so the order of the deletes does
not matter; the row triggers keep the search terms (`kb_*term`) and the content
version as any delete would, where TRUNCATE's own triggers emptied them.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            "SET CONSTRAINTS ALL DEFERRED",
            *(f"DELETE FROM {self.quote_name(table)}" for table in tables),
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
