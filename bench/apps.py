from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmark aids: the seeding command, and (behind settings) the ceiling view and query-count header."""

    name = "bench"
    verbose_name = "Benchmark"
