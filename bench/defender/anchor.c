/* Floors for bench/defender: what any seccomp-based tracer costs on this kernel, with nothing else.
 *
 *   anchor allow -- CMD...   no tracer; a one-instruction filter (RET_ALLOW) installed before exec: the
 *                            kernel's seccomp entry path alone, the floor for untrapped syscalls.
 *   anchor trace -- CMD...   a minimal C tracer: the defender's ptrace options and a filter of the same
 *                            shape (arch check, then RET_TRACE for execve, execveat and connect), one
 *                            PTRACE_GET_SYSCALL_INFO per seccomp stop and PTRACE_CONT for everything: the
 *                            floor for exec-heavy work and for a trapped call.
 * x86_64 only. Exits with the command's status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern long ptrace(int request, ...);

static int install(int trace) {
    struct sock_filter allow_only[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    struct sock_filter traced[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execve, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execveat, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_connect, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
    };
    struct sock_fprog prog = trace ? (struct sock_fprog){sizeof traced / sizeof traced[0], traced}
                                   : (struct sock_fprog){1, allow_only};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return -1;
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int supervise(pid_t app) {
    for (;;) {
        int st;
        pid_t tid = waitpid(-1, &st, __WALL);
        if (tid < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        if (WIFEXITED(st) || WIFSIGNALED(st)) {
            if (tid == app) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            continue;
        }
        int event = st >> 16, sig = WSTOPSIG(st);
        if (event == PTRACE_EVENT_SECCOMP) {
            struct ptrace_syscall_info info;
            ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof info, &info);
            sig = 0;
        } else if (event == PTRACE_EVENT_STOP) {
            if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
                ptrace(PTRACE_LISTEN, tid, 0, 0);
                continue;
            }
            sig = 0;
        } else if (event != 0 || sig == (SIGTRAP | 0x80)) {
            sig = 0;
        }
        ptrace(PTRACE_CONT, tid, 0, sig);
    }
}

int main(int argc, char **argv) {
    if (argc < 4 || strcmp(argv[2], "--") != 0 || (strcmp(argv[1], "allow") && strcmp(argv[1], "trace"))) {
        fprintf(stderr, "usage: anchor allow|trace -- CMD [ARGS...]\n");
        return 2;
    }
    int trace = !strcmp(argv[1], "trace");
    if (!trace) {
        if (install(0) < 0) return perror("seccomp"), 126;
        execvp(argv[3], argv + 3);
        return perror("execvp"), 127;
    }
    int sync[2];
    if (pipe(sync) < 0) return perror("pipe"), 126;
    pid_t app = fork();
    if (app == 0) {
        char b;
        close(sync[1]);
        if (install(1) < 0) _exit(126);
        if (read(sync[0], &b, 1) < 0) _exit(126);
        execvp(argv[3], argv + 3);
        _exit(127);
    }
    close(sync[0]);
    unsigned long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
                         PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD;
    if (ptrace(PTRACE_SEIZE, app, 0, opts) < 0) return perror("PTRACE_SEIZE"), 126;
    if (write(sync[1], "x", 1) != 1) return 126;
    close(sync[1]);
    return supervise(app);
}
