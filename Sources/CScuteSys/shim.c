#include "CScuteSys.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__aarch64__)
#include <elf.h>
#endif

/* <sys/ptrace.h> clashes with <linux/ptrace.h>: declare the libc entry point ourselves. */
extern long ptrace(int request, ...);

int scute_errno(void) { return errno; }

long scute_ptrace_seize(pid_t pid, unsigned long options) { return ptrace(PTRACE_SEIZE, pid, 0, options); }
long scute_ptrace_cont(pid_t pid, int sig) { return ptrace(PTRACE_CONT, pid, 0, (unsigned long)sig); }
long scute_ptrace_listen(pid_t pid) { return ptrace(PTRACE_LISTEN, pid, 0, 0); }
long scute_ptrace_interrupt(pid_t pid) { return ptrace(PTRACE_INTERRUPT, pid, 0, 0); }
long scute_ptrace_geteventmsg(pid_t pid, unsigned long *msg) { return ptrace(PTRACE_GETEVENTMSG, pid, 0, msg); }
long scute_ptrace_raw(long request, pid_t pid, unsigned long addr, unsigned long data) {
    return ptrace((int)request, pid, addr, data);
}

int scute_ptrace_get_syscall(pid_t pid, struct scute_syscall *out) {
    struct ptrace_syscall_info info;
    memset(&info, 0, sizeof info);
    long n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info);
    if (n < 0) return -1;
    if (info.op != PTRACE_SYSCALL_INFO_SECCOMP) {
        errno = EINVAL;
        return -1;
    }
    out->arch = info.arch;
    out->nr = (int64_t)info.seccomp.nr;
    for (int i = 0; i < 6; i++) out->args[i] = info.seccomp.args[i];
    return 0;
}

int scute_ptrace_get_stack_pointer(pid_t pid, uint64_t *sp, uint32_t *arch) {
    struct ptrace_syscall_info info;
    memset(&info, 0, sizeof info);
    if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info) < 0) return -1;
    *sp = info.stack_pointer;
    *arch = info.arch;
    return 0;
}

long scute_ptrace_syscall(pid_t pid, int sig) { return ptrace(PTRACE_SYSCALL, pid, 0, (unsigned long)sig); }

int scute_ptrace_get_syscall_exit(pid_t pid, int64_t *rval) {
    struct ptrace_syscall_info info;
    memset(&info, 0, sizeof info);
    if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info) < 0) return -1;
    if (info.op != PTRACE_SYSCALL_INFO_EXIT) {
        errno = EINVAL;
        return -1;
    }
    *rval = info.exit.rval;
    return 0;
}

int scute_ptrace_skip_syscall(pid_t pid, long retval) {
#if defined(__x86_64__)
    /* Two single-register writes: lighter than reading and writing back the whole register set. */
    if (ptrace(PTRACE_POKEUSR, pid, offsetof(struct user_regs_struct, orig_rax), (unsigned long)-1) < 0) return -1;
    return ptrace(PTRACE_POKEUSR, pid, offsetof(struct user_regs_struct, rax), (unsigned long)retval) < 0 ? -1 : 0;
#elif defined(__aarch64__)
    int nr = -1;
    struct iovec iov = {.iov_base = &nr, .iov_len = sizeof nr};
    if (ptrace(PTRACE_SETREGSET, pid, NT_ARM_SYSTEM_CALL, &iov) < 0) return -1;
    struct user_pt_regs regs;
    iov.iov_base = &regs;
    iov.iov_len = sizeof regs;
    if (ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov) < 0) return -1;
    regs.regs[0] = (unsigned long long)retval;
    return ptrace(PTRACE_SETREGSET, pid, NT_PRSTATUS, &iov) < 0 ? -1 : 0;
#else
    (void)pid;
    (void)retval;
    errno = ENOSYS;
    return -1;
#endif
}

ssize_t scute_read_memory(pid_t pid, uint64_t addr, void *buf, size_t len) {
    struct iovec local = {.iov_base = buf, .iov_len = len};
    struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
    return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

ssize_t scute_write_memory(pid_t pid, uint64_t addr, const void *buf, size_t len) {
    struct iovec local = {.iov_base = (void *)buf, .iov_len = len};
    struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
    return process_vm_writev(pid, &local, 1, &remote, 1, 0);
}

int scute_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
int scute_pidfd_getfd(int pidfd, int fd) { return (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0); }

int scute_wifexited(int status) { return WIFEXITED(status); }
int scute_wexitstatus(int status) { return WEXITSTATUS(status); }
int scute_wifsignaled(int status) { return WIFSIGNALED(status); }
int scute_wtermsig(int status) { return WTERMSIG(status); }
int scute_wifstopped(int status) { return WIFSTOPPED(status); }
int scute_wstopsig(int status) { return WSTOPSIG(status); }
int scute_wevent(int status) { return (status >> 16) & 0xffff; }
pid_t scute_waitpid_all(pid_t pid, int *status, int nohang) {
    return waitpid(pid, status, __WALL | (nohang ? WNOHANG : 0));
}

int scute_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }
int scute_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }
int scute_set_pdeathsig(int sig) { return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0); }

int scute_seccomp_install(const struct sock_filter *prog, unsigned short len) {
    struct sock_fprog fprog = {.len = len, .filter = (struct sock_filter *)prog};
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog);
}

static void child_fail(int fd, int stage) {
    struct scute_spawn_failure f = {.stage = stage, .error = errno};
    ssize_t ignored = write(fd, &f, sizeof f);
    (void)ignored;
    _exit(127);
}

/* Removes capabilities from every set of the calling thread. Errors other than those of capset are
 * expected where the caller lacks CAP_SETPCAP (bounding set) or never had the capability (ambient). */
static int drop_capabilities(uint64_t mask) {
    if (mask == 0) return 0;
    for (int cap = 0; cap < 64; cap++) {
        if (!(mask & (1ull << cap))) continue;
        (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, cap, 0, 0);
        (void)prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
    }
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &header, data) < 0) return -1;
    for (int i = 0; i < 2; i++) {
        uint32_t keep = ~(uint32_t)(mask >> (32 * i));
        data[i].effective &= keep;
        data[i].permitted &= keep;
        data[i].inheritable &= keep;
    }
    return syscall(SYS_capset, &header, data) < 0 ? -1 : 0;
}

pid_t scute_spawn(const char *file, char *const argv[], char *const envp[], const struct sock_filter *prog,
                  unsigned short len, int new_group, int wait_release, int *release_fd, int *error_fd) {
    return scute_spawn_as(file, argv, envp, prog, len, new_group, wait_release, NULL, release_fd, error_fd);
}

pid_t scute_spawn_as(const char *file, char *const argv[], char *const envp[], const struct sock_filter *prog,
                     unsigned short len, int new_group, int wait_release, const struct scute_spawn_identity *identity,
                     int *release_fd, int *error_fd) {
    int release[2] = {-1, -1};
    int err[2];
    if (pipe2(err, O_CLOEXEC) < 0) return -1;
    if (wait_release && pipe2(release, O_CLOEXEC) < 0) {
        close(err[0]);
        close(err[1]);
        return -1;
    }
    /* Everything the child does before exec is async-signal-safe: the parent may have threads. */
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(err[0]);
        close(err[1]);
        if (release[0] >= 0) {
            close(release[0]);
            close(release[1]);
        }
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        close(err[0]);
        if (release[1] >= 0) close(release[1]);
        /* The defender made itself non-dumpable; its child must be traceable by a defender without
         * CAP_SYS_PTRACE. No app code has run yet, and exec replaces this copy of the defender's memory. */
        (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        sigset_t empty;
        sigemptyset(&empty);
        for (int s = 1; s < NSIG; s++) {
            if (s == SIGKILL || s == SIGSTOP) continue;
            signal(s, SIG_DFL);
        }
        sigprocmask(SIG_SETMASK, &empty, NULL);
        if (new_group && setpgid(0, 0) < 0) child_fail(err[1], SCUTE_SPAWN_STAGE_SETUP);
        if (identity && identity->set_user) {
            if (setgroups((size_t)identity->group_count, (const gid_t *)identity->groups) < 0 ||
                setresgid(identity->gid, identity->gid, identity->gid) < 0 ||
                setresuid(identity->uid, identity->uid, identity->uid) < 0)
                child_fail(err[1], SCUTE_SPAWN_STAGE_SETUP);
            (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        }
        if (identity && drop_capabilities(identity->drop_capabilities) < 0) child_fail(err[1], SCUTE_SPAWN_STAGE_SETUP);
        if (len > 0) {
            if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) child_fail(err[1], SCUTE_SPAWN_STAGE_SETUP);
            if (scute_seccomp_install(prog, len) < 0) child_fail(err[1], SCUTE_SPAWN_STAGE_FILTER);
        }
        if (release[0] >= 0) {
            char b;
            ssize_t n;
            do {
                n = read(release[0], &b, 1);
            } while (n < 0 && errno == EINTR);
            close(release[0]);
        }
        execvpe(file, argv, envp);
        child_fail(err[1], SCUTE_SPAWN_STAGE_EXEC);
    }
    close(err[1]);
    *error_fd = err[0];
    if (release[0] >= 0) {
        close(release[0]);
        *release_fd = release[1];
    } else {
        *release_fd = -1;
    }
    return pid;
}

int scute_set_dumpable(int dumpable) { return prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0); }
int scute_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
int scute_pidfd_open_thread(pid_t tid) { return (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD); }

int scute_capabilities(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable) {
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &header, data) < 0) return -1;
    *effective = (uint64_t)data[0].effective | (uint64_t)data[1].effective << 32;
    *permitted = (uint64_t)data[0].permitted | (uint64_t)data[1].permitted << 32;
    *inheritable = (uint64_t)data[0].inheritable | (uint64_t)data[1].inheritable << 32;
    return 0;
}

int scute_capability_in_bounding_set(int cap) { return prctl(PR_CAPBSET_READ, cap, 0, 0, 0); }

int scute_thread_set_effective_capabilities(uint64_t mask, uint64_t *previous) {
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &header, data) < 0) return -1;
    *previous = (uint64_t)data[0].effective | (uint64_t)data[1].effective << 32;
    data[0].effective = (uint32_t)mask & data[0].permitted;
    data[1].effective = (uint32_t)(mask >> 32) & data[1].permitted;
    return syscall(SYS_capset, &header, data) < 0 ? -1 : 0;
}

int scute_signalfd_child(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

void scute_drain_signalfd(int fd) {
    struct signalfd_siginfo info[8];
    while (read(fd, info, sizeof info) > 0) {
    }
}

static void mask_to_set(uint64_t mask, sigset_t *set) {
    sigemptyset(set);
    for (int s = 1; s <= 64; s++)
        if (mask & (1ull << (s - 1))) sigaddset(set, s);
}

int scute_block_signals(uint64_t mask) {
    sigset_t set;
    mask_to_set(mask, &set);
    return pthread_sigmask(SIG_BLOCK, &set, NULL) == 0 ? 0 : -1;
}

int scute_sigwait(uint64_t mask) {
    sigset_t set;
    mask_to_set(mask, &set);
    int sig = 0;
    return sigwait(&set, &sig) == 0 ? sig : -1;
}

pid_t scute_gettid(void) { return (pid_t)syscall(SYS_gettid); }
