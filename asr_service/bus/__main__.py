"""``python -m asr_service.bus worker|serve|simulate``: the bus commands without the full CLI."""

from asr_service.bus.commands import main

main()
