"""``python -m asr_service.storage``: migrate the configured database to the current schema (under
the migration lock) and print its revision; the Helm chart's migration Job runs this."""

from asr_service.storage.database import main

main()
