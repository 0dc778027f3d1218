"""Cursor pagination: stable under inserts (activity grows while a SIEM pages through it)."""

from rest_framework.pagination import CursorPagination


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class ById(CursorPagination):
    ordering = ("id",)
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class OldestFirst(CursorPagination):
    """Held deactivations: in the order they arrived, as the connection's page lists them."""

    ordering = ("created_at", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
