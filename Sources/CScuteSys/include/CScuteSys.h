#ifndef CSCUTESYS_H
#define CSCUTESYS_H

/// Non-variadic wrappers for what Swift cannot call or import: ptrace, prctl, seccomp, the wait-status
/// macros and the fork/exec start sequence of a traced child. Every symbol is prefixed scute_.

#include <stdint.h>
#include <sys/types.h>
#include <linux/filter.h>

#define SCUTE_PTRACE_O_TRACESYSGOOD 0x01
#define SCUTE_PTRACE_O_TRACEFORK 0x02
#define SCUTE_PTRACE_O_TRACEVFORK 0x04
#define SCUTE_PTRACE_O_TRACECLONE 0x08
#define SCUTE_PTRACE_O_TRACEEXEC 0x10
#define SCUTE_PTRACE_O_TRACEVFORKDONE 0x20
#define SCUTE_PTRACE_O_TRACEEXIT 0x40
#define SCUTE_PTRACE_O_TRACESECCOMP 0x80
#define SCUTE_PTRACE_O_EXITKILL 0x100000

#define SCUTE_PTRACE_EVENT_FORK 1
#define SCUTE_PTRACE_EVENT_VFORK 2
#define SCUTE_PTRACE_EVENT_CLONE 3
#define SCUTE_PTRACE_EVENT_EXEC 4
#define SCUTE_PTRACE_EVENT_VFORK_DONE 5
#define SCUTE_PTRACE_EVENT_EXIT 6
#define SCUTE_PTRACE_EVENT_SECCOMP 7
#define SCUTE_PTRACE_EVENT_STOP 128

#define SCUTE_AUDIT_ARCH_X86_64 0xC000003Eu
#define SCUTE_AUDIT_ARCH_I386 0x40000003u
#define SCUTE_AUDIT_ARCH_AARCH64 0xC00000B7u
#define SCUTE_AUDIT_ARCH_ARM 0x40000028u

#define SCUTE_SECCOMP_RET_KILL_PROCESS 0x80000000u
#define SCUTE_SECCOMP_RET_TRAP 0x00030000u
#define SCUTE_SECCOMP_RET_ERRNO 0x00050000u
#define SCUTE_SECCOMP_RET_TRACE 0x7ff00000u
#define SCUTE_SECCOMP_RET_ALLOW 0x7fff0000u
#define SCUTE_SECCOMP_FILTER_FLAG_NEW_LISTENER 8u

/// The syscall a tracee is stopped in (from PTRACE_GET_SYSCALL_INFO).
struct scute_syscall {
    uint32_t arch;
    int64_t nr;
    uint64_t args[6];
};

/// Why a traced child could not start: written by the child to its error pipe before _exit(127).
struct scute_spawn_failure {
    int32_t stage; ///< 1 = seccomp filter, 2 = execve, 3 = setup (setpgid, prctl)
    int32_t error;
};

#define SCUTE_SPAWN_STAGE_FILTER 1
#define SCUTE_SPAWN_STAGE_EXEC 2
#define SCUTE_SPAWN_STAGE_SETUP 3

/// The calling thread's errno.
int scute_errno(void);

long scute_ptrace_seize(pid_t pid, unsigned long options);
long scute_ptrace_cont(pid_t pid, int sig);
long scute_ptrace_listen(pid_t pid);
long scute_ptrace_interrupt(pid_t pid);
long scute_ptrace_geteventmsg(pid_t pid, unsigned long *msg);
/// Returns 0 and fills `out` when stopped at a seccomp stop; -1 otherwise.
int scute_ptrace_get_syscall(pid_t pid, struct scute_syscall *out);
/// The user stack pointer of a stopped tracee and the arch of its current syscall (any ptrace stop;
/// at the exec event, the new image's initial stack). Returns 0, or -1.
int scute_ptrace_get_stack_pointer(pid_t pid, uint64_t *sp, uint32_t *arch);
/// Resumes a tracee so that it stops again at the exit of the current syscall.
long scute_ptrace_syscall(pid_t pid, int sig);
/// At a syscall-exit stop: the return value (negative errno on failure). Returns 0, or -1 elsewhere.
int scute_ptrace_get_syscall_exit(pid_t pid, int64_t *rval);

/// Skips the syscall the tracee is stopped in at a seccomp stop; the caller sees `retval` (-errno).
int scute_ptrace_skip_syscall(pid_t pid, long retval);

/// The calling thread's ptrace(PTRACE_TRACEME) and raw ptrace, for tests of evasion attempts.
long scute_ptrace_raw(long request, pid_t pid, unsigned long addr, unsigned long data);

ssize_t scute_read_memory(pid_t pid, uint64_t addr, void *buf, size_t len);
ssize_t scute_write_memory(pid_t pid, uint64_t addr, const void *buf, size_t len);

int scute_pidfd_open(pid_t pid);
int scute_pidfd_getfd(int pidfd, int fd);

int scute_wifexited(int status);
int scute_wexitstatus(int status);
int scute_wifsignaled(int status);
int scute_wtermsig(int status);
int scute_wifstopped(int status);
int scute_wstopsig(int status);
/// The ptrace event of a stop (status >> 16).
int scute_wevent(int status);
/// waitpid with __WALL.
pid_t scute_waitpid_all(pid_t pid, int *status, int nohang);

int scute_set_child_subreaper(void);
int scute_set_no_new_privs(void);
int scute_set_pdeathsig(int sig);

/// Installs a seccomp filter on the calling thread.
int scute_seccomp_install(const struct sock_filter *prog, unsigned short len);

/// Forks a child that resets its signal mask and handlers, calls setpgid (when `new_group`), sets
/// no-new-privs and installs `prog` (when len > 0), then waits until the parent writes a byte to
/// `*release_fd` (or closes it), then execs `file` (searching PATH when it has no slash).
/// `*error_fd` reads a struct scute_spawn_failure when the child fails before exec, EOF after exec.
/// Without `prog` and with `wait_release` 0, it execs at once. Returns the pid or -1.
pid_t scute_spawn(const char *file, char *const argv[], char *const envp[], const struct sock_filter *prog,
                  unsigned short len, int new_group, int wait_release, int *release_fd, int *error_fd);

/// What the traced child gives up before it execs the app.
struct scute_spawn_identity {
    /// Capabilities (bit numbers, CAP_SYS_PTRACE = 19) removed from the bounding, ambient, inheritable,
    /// permitted and effective sets. Dropping from the bounding set needs CAP_SETPCAP; without it,
    /// no-new-privs still keeps an exec from gaining them back.
    uint64_t drop_capabilities;
    /// When set, the child switches to `uid`, `gid` and `groups` (as root) before the filter.
    int32_t set_user;
    uint32_t uid;
    uint32_t gid;
    int32_t group_count;
    const uint32_t *groups;
};

/// scute_spawn with an identity for the child (see struct scute_spawn_identity).
pid_t scute_spawn_as(const char *file, char *const argv[], char *const envp[], const struct sock_filter *prog,
                     unsigned short len, int new_group, int wait_release, const struct scute_spawn_identity *identity,
                     int *release_fd, int *error_fd);

/// prctl(PR_SET_DUMPABLE): 0 keeps other processes of the same user out of the caller's /proc entries
/// and memory (unless they hold CAP_SYS_PTRACE).
int scute_set_dumpable(int dumpable);
int scute_get_dumpable(void);

/// pidfd_open of one thread (PIDFD_THREAD, Linux 6.9+); -1 with EINVAL on older kernels.
int scute_pidfd_open_thread(pid_t tid);

/// The capability sets of the calling thread (bit masks), for tests and diagnostics.
int scute_capabilities(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable);
/// Whether a capability is in the calling thread's bounding set: 1, 0, or -1.
int scute_capability_in_bounding_set(int cap);

/// Sets the calling thread's effective capabilities to `mask` (bounded by its permitted set) and stores
/// the previous effective set in `*previous`; returns 0 or -1.
int scute_thread_set_effective_capabilities(uint64_t mask, uint64_t *previous);

/// The signal file descriptor the tracer polls while it holds a call (SIGCHLD, blocked in the caller).
int scute_signalfd_child(void);
/// Drains a signalfd (non-blocking).
void scute_drain_signalfd(int fd);

/// Blocks the given signals in the calling thread (mask of 1 << (sig - 1)); returns 0 or -1.
int scute_block_signals(uint64_t mask);
/// Waits for one of the signals in `mask` (which must be blocked); returns the signal or -1.
int scute_sigwait(uint64_t mask);

/// Thread ID of the caller.
pid_t scute_gettid(void);

#endif
