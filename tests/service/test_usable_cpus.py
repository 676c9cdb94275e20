"""Thread pools are sized on the CPUs a process may really use: in a container limited by a CPU
quota (Kubernetes ``limits.cpu``), the quota, not the node's core count."""

from __future__ import annotations

import os
from pathlib import Path

from asr_service.cpus import cgroup_cpu_quota, usable_cpus


def test_a_cgroup_v2_quota_bounds_the_cpus_rounded_up(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert cgroup_cpu_quota(tmp_path) == 1.5
    assert usable_cpus(tmp_path) == min(2, len(os.sched_getaffinity(0)))
    (tmp_path / "cpu.max").write_text("10000 100000\n")  # a tenth of a CPU is still one thread
    assert usable_cpus(tmp_path) == 1


def test_no_quota_leaves_the_affinity(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert cgroup_cpu_quota(tmp_path) is None
    assert usable_cpus(tmp_path) == len(os.sched_getaffinity(0))
    assert cgroup_cpu_quota(tmp_path / "missing") is None  # no cgroup file system


def test_a_cgroup_v1_quota_is_read_too(tmp_path: Path) -> None:
    v1 = tmp_path / "cpu,cpuacct"
    v1.mkdir()
    (v1 / "cpu.cfs_quota_us").write_text("800000\n")
    (v1 / "cpu.cfs_period_us").write_text("100000\n")
    assert cgroup_cpu_quota(tmp_path) == 8.0
    (v1 / "cpu.cfs_quota_us").write_text("-1\n")
    assert cgroup_cpu_quota(tmp_path) is None
