"""Benchmarks: quality and speed figures, each against a baseline measured in the same run."""

# The benchmark commands' help reads like the service's: flags shown without a ``<bool>`` type.
import asr_service.cli_support  # noqa: F401
