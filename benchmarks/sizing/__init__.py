"""Hardware sizing: how many meetings this machine holds, with which model (``asr-service bench``).

- ``machine``: the machine's description and a CPU/memory/GPU sampler;
- ``workload``: the standard French workload (shipped sample meeting, shared eval meetings, dev);
- ``batch``: RTF of the file pipeline per stage (ASR, diarization, minutes) vs plain faster-whisper;
- ``batching``: decoding many streams' windows one by one vs in one batched call;
- ``live``: the capacity ladder, N real-time meetings through the real bus and one worker;
- ``quality``: WER on the French dev set for the same settings (via ``benchmarks.bench_asr``);
- ``calculator``: users → meetings → workers → GPUs/cores and memory, with headroom;
- ``report``: ``sizing.json``, ``sizing.md`` and the PNG plots;
- ``harness``: the run's order and presets; ``command``: the ``asr-service bench`` command.

Method and assumptions: ``benchmarks/README.md``, section *Hardware sizing*.
"""
