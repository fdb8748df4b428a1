#!/usr/bin/env python3
"""Compares the defender with strace on the same workloads, in one run.

Usage: bench/defender/run.sh [--quick]   (builds the workload, the anchor and a release defender, then runs this)
       python3 bench/defender/bench.py --workload W --defender D [--anchor A] [--repeat 3] [--quick]
Prints a Markdown table: CPU time (user+sys of the whole tree, tracer included) and wall time, with the
ratio to native and the CPU cost per operation over native, the cost of one trapped connect, each mode's
fixed start-up cost, and the defender's RSS while tracing 200 processes.

The anchor rows (bench/defender/anchor.c) are floors measured in the same run: a one-instruction
RET_ALLOW filter with no tracer (what any seccomp filter costs an untrapped syscall on this kernel), and a
minimal C tracer with the defender's ptrace options and a filter of the same shape (what any
seccomp + ptrace tracer costs an exec or a trapped call). Modes are interleaved within each repetition, so
a change in the machine's load hits every mode alike.
"""
import argparse, os, resource, shutil, statistics, subprocess, sys, tempfile, time

p = argparse.ArgumentParser()
p.add_argument("--workload", required=True)
p.add_argument("--defender", required=True)
p.add_argument("--anchor", help="the anchor binary built from anchor.c (its rows are skipped without it)")
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
if a.anchor:
    MODES += [("anchor: RET_ALLOW filter, no tracer", [a.anchor, "allow", "--"]),
              ("anchor: minimal C tracer", [a.anchor, "trace", "--"])]
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

load_before = os.getloadavg()
results = {}
startup = {}
for label, mode, n in WORK:
    runs = {mname: [] for mname, _ in MODES}
    for _ in range(a.repeat):
        for mname, prefix in MODES:
            runs[mname].append(measure(prefix, mode, n))
    for mname, r in runs.items():
        results[(mode, mname)] = (statistics.median(x[0] for x in r), statistics.median(x[1] for x in r))
# Fixed cost of each mode (start-up, filter, exit), so that per-call figures can leave it out.
runs = {mname: [] for mname, _ in MODES}
for _ in range(max(a.repeat, 5)):
    for mname, prefix in MODES:
        runs[mname].append(measure(prefix, "getppid", 0)[0])
for mname, r in runs.items():
    startup[mname] = statistics.median(r)
load_after = os.getloadavg()

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

def per_op(seconds, n):
    ns = seconds / n * 1e9
    return f"{ns / 1000:+.1f} us" if abs(ns) >= 1000 else f"{ns:+.0f} ns"

print(f"| workload | mode | CPU s | CPU vs native | CPU per op over native | wall s | wall vs native |")
print(f"|---|---|---|---|---|---|---|")
for label, mode, n in WORK:
    base_cpu, base_wall = results[(mode, "native")]
    for mname, _ in MODES:
        cpu, wall = results[(mode, mname)]
        over = "" if mname == "native" else per_op(cpu - base_cpu, n)
        print(f"| {label if mname == 'native' else ''} | {mname} | {cpu:.3f} | {cpu / base_cpu:.2f}x | {over} | {wall:.3f} | {wall / base_wall:.2f}x |")
print()
counts = dict((m, n) for _, m, n in WORK)
for mname, _ in MODES[1:]:
    extra = (results[("connect", mname)][1] - results[("connect", "native")][1]) / counts["connect"] * 1e6
    print(f"- one trapped connect, {mname}: {extra:.1f} us (wall, over native)")
print()
for mname, _ in MODES[1:]:
    fixed = startup[mname] - startup["native"]
    calls = []
    for mode in ("getppid", "read"):
        # The untrapped cost per call with the mode's fixed cost taken out.
        cpu = results[(mode, mname)][0] - results[(mode, "native")][0] - fixed
        calls.append(f"{mode} {per_op(cpu, counts[mode])}")
    print(f"- {mname}: fixed cost {fixed * 1000:.1f} ms CPU (start-up and exit, over native); untrapped per call without it: {', '.join(calls)}")
rss, hwm = rss_while_tracing()
print(f"- scute defend RSS while tracing 200 processes: {rss} (peak {hwm})")
print(f"- {os.cpu_count()} CPUs, kernel {os.uname().release}, median of {a.repeat} runs{' (--quick: a tenth of the iterations)' if a.quick else ''}")
print(f"- load average before {load_before[0]:.2f} / {load_before[1]:.2f}, after {load_after[0]:.2f} / {load_after[1]:.2f} (1 / 5 min)")
