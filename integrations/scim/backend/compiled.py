"""Hot SELECTs compiled by the ORM once per thread and run with new parameters."""

import threading
from collections.abc import Callable

from django.db.models.query import NamedValuesListIterable
from django.db.models.utils import create_namedtuple_class

from engagedly_portal.db import statement_cursor


class Compiled:
    """A SELECT built by the ORM once per thread, then run with new parameters.

    Compiling a 30-column query (filters, ordering, select list) costs the ORM more CPU than
    PostgreSQL takes to answer it; the queries of nearly every SCIM request (the userName lookup,
    the read by id, an import's list page) have a fixed shape, so they are compiled once, with
    marker values standing for the parameters, and the markers' positions in the compiled
    parameters say where each value goes. Rows go through the compiler's own converters and
    become what the ORM's iteration would make of them: instances (from_db), or named rows for a
    values_list(named=True). Per thread, because a compiler holds its thread's database connection.
    """

    def __init__(self, model, build: Callable[..., object], *markers):
        self.model, self.build, self.markers = model, build, markers
        self._local = threading.local()

    def _compile(self, shape: tuple):
        queryset = self.build(*self.markers, *shape)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        if queryset._iterable_class is NamedValuesListIterable:
            # What values_list(*fields, named=True) yields: its fields, in its order.
            if len(compiler.select) != len(queryset._fields):
                raise RuntimeError("A compiled values_list selects its named fields only.")
            row_class = create_namedtuple_class(*queryset._fields)
            columns = None
        else:
            row_class = None
            columns = [column.target.attname for column, _, _ in compiler.select]
        # Each parameter: the index of the marker it stands for, or a constant of the query.
        slots = [
            self.markers.index(value) if value in self.markers else ("constant", value) for value in params
        ]
        if sorted(slot for slot in slots if isinstance(slot, int)) != list(range(len(self.markers))):
            raise RuntimeError("Every marker must appear exactly once in the compiled query.")
        # The row converters too: results_iter would look them up again on every call (a tenth of
        # a lookup's CPU), and they depend only on the select list.
        fields = [select[0] for select in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        return compiler, sql, slots, columns, row_class, converters

    def rows(self, *values, shape: tuple = ()) -> list:
        compiled = getattr(self._local, "compiled", None)
        if compiled is None:
            compiled = self._local.compiled = {}
        if shape not in compiled:
            if len(compiled) >= 64:  # shapes carry LIMIT/OFFSET: keep odd clients from piling them up
                compiled.clear()
            compiled[shape] = self._compile(shape)
        compiler, sql, slots, columns, row_class, converters = compiled[shape]
        params = [values[slot] if isinstance(slot, int) else slot[1] for slot in slots]
        with statement_cursor(compiler.connection) as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if converters:
            fetched = compiler.apply_converters(fetched, converters)
        if row_class is not None:
            new = tuple.__new__
            return [new(row_class, row) for row in fetched]
        db = compiler.using
        return [self.model.from_db(db, columns, row) for row in fetched]
