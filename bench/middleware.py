"""X-Query-Count: how many SQL statements a request ran (enabled by QUERY_COUNT_HEADER=1).

It sits first in the middleware stack so that every statement of the request counts: session and
authentication lookups, the view, and anything middleware writes afterwards (such as an activity record).
"""

from django.db import connection


class QueryCountHeaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
