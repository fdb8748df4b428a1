#!/usr/bin/env python3
"""Compares the defender with strace on the same workloads, in one run.

Usage: bench/defender/run.sh [--quick]   (builds the workload and a release defender, then runs this)
       python3 bench/defender/bench.py --workload W --defender D [--repeat 3] [--quick]
Prints a Markdown table: CPU time (user+sys of the whole tree, tracer included) and wall time, with the
ratio to native, the cost of one trapped connect, and the defender's RSS while tracing 200 processes.
"""
import argparse, os, resource, shutil, statistics, subprocess, sys, tempfile, time

p = argparse.ArgumentParser()
p.add_argument("--workload", required=True)
p.add_argument("--defender", required=True)
p.add_argument("--repeat", type=int, default=3)
p.add_argument("--quick", action="store_true", help="a tenth of the iterations")
a = p.parse_args()
scale = 10 if a.quick else 1

WORK = [("2,000 fork+exec of /bin/true", "exec", 2000 // scale),
        ("1,000,000 getppid", "getppid", 1_000_000 // scale),
        ("1,000,000 one-byte reads", "read", 1_000_000 // scale),
        ("100,000 trapped connects", "connect", 100_000 // scale)]
strace = shutil.which("strace")
MODES = [("native", [])]
if strace:
    MODES += [("strace -f", [strace, "-f", "-qq", "-o", "/dev/null"]),
              ("strace -f --seccomp-bpf", [strace, "-f", "-qq", "--seccomp-bpf", "-e", "trace=execve,connect", "-o", "/dev/null"])]
POLICY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "policy.json")
MODES += [("scute defend", [a.defender, "defend", "--audit-log", "/dev/null", "--"]),
          ("scute defend + policy", [a.defender, "defend", "--policy", POLICY, "--audit-log", "/dev/null", "--"])]

def measure(prefix, mode, n):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(prefix + [a.workload, mode, str(n)], stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit(f"workload {mode} failed under {prefix[:1]}: exit {r.returncode}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall

results = {}
for label, mode, n in WORK:
    for mname, prefix in MODES:
        runs = [measure(prefix, mode, n) for _ in range(a.repeat)]
        results[(mode, mname)] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))

def rss_while_tracing(count=200):
    ready = tempfile.mktemp()
    proc = subprocess.Popen([a.defender, "defend", "--policy", POLICY, "--audit-log", "/dev/null", "--", a.workload, "procs", str(count), ready])
    deadline = time.time() + 60
    while not os.path.exists(ready) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    fields = dict(l.split(":", 1) for l in open(f"/proc/{proc.pid}/status"))
    proc.terminate()
    proc.wait()
    os.unlink(ready)
    return fields["VmRSS"].strip(), fields["VmHWM"].strip()

print(f"| workload | mode | CPU s | CPU vs native | wall s | wall vs native |")
print(f"|---|---|---|---|---|---|")
for label, mode, n in WORK:
    base_cpu, base_wall = results[(mode, "native")]
    for mname, _ in MODES:
        cpu, wall = results[(mode, mname)]
        print(f"| {label if mname == 'native' else ''} | {mname} | {cpu:.3f} | {cpu / base_cpu:.2f}x | {wall:.3f} | {wall / base_wall:.2f}x |")
n = dict((m, n) for _, m, n in WORK)["connect"]
print()
for mname, _ in MODES[1:]:
    extra = (results[("connect", mname)][1] - results[("connect", "native")][1]) / n * 1e6
    print(f"- one trapped connect, {mname}: {extra:.1f} us (wall, over native)")
rss, hwm = rss_while_tracing()
print(f"- scute defend RSS while tracing 200 processes: {rss} (peak {hwm})")
print(f"- {os.cpu_count()} CPUs, kernel {os.uname().release}, median of {a.repeat} runs{' (--quick: a tenth of the iterations)' if a.quick else ''}")
