#include "CScuteTask.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#define SCUTE_PATH_MAX 4096
#define SCUTE_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* Where the host's root stays visible inside a new root until the container's mounts are made. */
#define SCUTE_HOST_DIR "/.scute-host"

int scute_task_errno(void) { return errno; }

/* ---- helpers for the child side: system calls only ------------------------------------------------- */

static size_t copy_string(char *out, size_t capacity, size_t at, const char *text) {
    while (*text != '\0' && at + 1 < capacity) out[at++] = *text++;
    out[at] = '\0';
    return at;
}

static void join_path(char *out, const char *first, const char *second) {
    size_t at = copy_string(out, SCUTE_PATH_MAX, 0, first);
    copy_string(out, SCUTE_PATH_MAX, at, second);
}

__attribute__((noreturn)) static void fail(int fd, int stage, const char *path) {
    struct scute_task_failure failure;
    int error = errno;
    memset(&failure, 0, sizeof failure);
    failure.stage = stage;
    failure.error = error;
    if (path != NULL) copy_string(failure.path, sizeof failure.path, 0, path);
    if (fd >= 0) {
        ssize_t ignored = write(fd, &failure, sizeof failure);
        (void)ignored;
    }
    _exit(127);
}

static int compare_ints(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* Closes every descriptor but the given ones (the helpers never exec, so close-on-exec alone would not
   release what they inherited, such as another container's pipe). */
static void close_all_except(int *keep, int count) {
    int sorted[8];
    int n = 0;
    for (int i = 0; i < count && n < 8; i++) {
        if (keep[i] >= 0) sorted[n++] = keep[i];
    }
    qsort(sorted, (size_t)n, sizeof sorted[0], compare_ints);
    unsigned int next = 0;
    for (int i = 0; i < n; i++) {
        if ((unsigned int)sorted[i] > next) syscall(SYS_close_range, next, (unsigned int)sorted[i] - 1, 0U);
        next = (unsigned int)sorted[i] + 1;
    }
    syscall(SYS_close_range, next, ~0U, 0U);
}

static void reset_signals(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    for (int signal = 1; signal < NSIG; signal++) {
        if (signal == SIGKILL || signal == SIGSTOP) continue;
        sigaction(signal, &action, NULL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* mkdir -p inside the current root. */
static int make_directories(const char *path) {
    char buffer[SCUTE_PATH_MAX];
    copy_string(buffer, sizeof buffer, 0, path);
    for (char *cursor = buffer + 1;; cursor++) {
        if (*cursor == '/' || *cursor == '\0') {
            char saved = *cursor;
            *cursor = '\0';
            if (mkdir(buffer, 0755) < 0 && errno != EEXIST) return -1;
            *cursor = saved;
            if (saved == '\0') break;
        }
    }
    return 0;
}

/* Makes the mount point: a symlink in its place is removed (a bind must not follow it), missing parents
   are made, and then the directory or the empty file. */
static int make_mount_point(const char *path, int is_file) {
    struct stat status;
    if (lstat(path, &status) == 0) {
        if (!S_ISLNK(status.st_mode)) return 0;
        if (unlink(path) < 0) return -1;
    }
    char parent[SCUTE_PATH_MAX];
    copy_string(parent, sizeof parent, 0, path);
    char *slash = strrchr(parent, '/');
    if (slash != NULL && slash != parent) {
        *slash = '\0';
        if (make_directories(parent) < 0) return -1;
    }
    if (!is_file) return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

static int bind_mount(const char *source, const char *target, int is_file, int read_only) {
    if (make_mount_point(target, is_file) < 0) return -1;
    if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) < 0) return -1;
    if (read_only && mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) return -1;
    return 0;
}

static const char *const device_names[] = {"null", "zero", "full", "random", "urandom", "tty"};

/* A minimal /dev as a container engine makes it: a tmpfs with the harmless devices bound from the host, a
   private devpts, /dev/shm, /dev/mqueue and the standard links. */
static int make_devices(int error_fd) {
    char target[SCUTE_PATH_MAX], source[SCUTE_PATH_MAX];
    if (make_directories("/dev") < 0) fail(error_fd, SCUTE_TASK_STAGE_SYSTEM_MOUNTS, "/dev");
    if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") < 0)
        fail(error_fd, SCUTE_TASK_STAGE_SYSTEM_MOUNTS, "/dev");
    for (size_t i = 0; i < sizeof device_names / sizeof device_names[0]; i++) {
        join_path(target, "/dev/", device_names[i]);
        join_path(source, SCUTE_HOST_DIR "/dev/", device_names[i]);
        if (bind_mount(source, target, 1, 0) < 0) fail(error_fd, SCUTE_TASK_STAGE_SYSTEM_MOUNTS, target);
    }
    if (mkdir("/dev/pts", 0755) < 0 ||
        mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") < 0)
        fail(error_fd, SCUTE_TASK_STAGE_SYSTEM_MOUNTS, "/dev/pts");
    if (mkdir("/dev/shm", 01777) < 0 ||
        mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") < 0)
        fail(error_fd, SCUTE_TASK_STAGE_SYSTEM_MOUNTS, "/dev/shm");
    if (mkdir("/dev/mqueue", 0755) == 0) mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    if (symlink("pts/ptmx", "/dev/ptmx") < 0 || symlink("/proc/self/fd", "/dev/fd") < 0 ||
        symlink("/proc/self/fd/0", "/dev/stdin") < 0 || symlink("/proc/self/fd/1", "/dev/stdout") < 0 ||
        symlink("/proc/self/fd/2", "/dev/stderr") < 0)
        fail(error_fd, SCUTE_TASK_STAGE_SYSTEM_MOUNTS, "/dev");
    return 0;
}

static void apply_credentials(const struct scute_task_process *process) {
    for (int capability = 0; capability < 64; capability++) {
        if (process->capabilities & (1ULL << capability)) continue;
        if (prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) < 0 && errno != EINVAL)
            fail(process->error_fd, SCUTE_TASK_STAGE_CREDENTIALS, "capability bounding set");
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    /* Raw system calls: glibc's wrappers would try to signal the parent's other threads. */
    if (syscall(SYS_setgroups, (size_t)process->group_count, process->groups) < 0)
        fail(process->error_fd, SCUTE_TASK_STAGE_CREDENTIALS, "setgroups");
    if (syscall(SYS_setresgid, process->gid, process->gid, process->gid) < 0)
        fail(process->error_fd, SCUTE_TASK_STAGE_CREDENTIALS, "setgid");
    if (syscall(SYS_setresuid, process->uid, process->uid, process->uid) < 0)
        fail(process->error_fd, SCUTE_TASK_STAGE_CREDENTIALS, "setuid");
    if (process->uid == 0) {
        struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct data[2];
        memset(data, 0, sizeof data);
        for (int i = 0; i < 2; i++) {
            uint32_t word = (uint32_t)(process->capabilities >> (32 * i));
            data[i].effective = word;
            data[i].permitted = word;
            data[i].inheritable = word;
        }
        /* Only capabilities the bounding set still holds can stay permitted. */
        for (int capability = 0; capability < 64; capability++) {
            if (prctl(PR_CAPBSET_READ, capability, 0, 0, 0) == 1) continue;
            data[capability / 32].effective &= ~(1U << (capability % 32));
            data[capability / 32].permitted &= ~(1U << (capability % 32));
            data[capability / 32].inheritable &= ~(1U << (capability % 32));
        }
        if (syscall(SYS_capset, &header, data) < 0)
            fail(process->error_fd, SCUTE_TASK_STAGE_CREDENTIALS, "capset");
    }
}

/* Like execvpe, but searching the container's PATH rather than the parent's. Returns only on failure. */
static void exec_program(const struct scute_task_process *process) {
    const char *file = process->argv[0];
    char *const *argv = (char *const *)process->argv;
    char *const *envp = (char *const *)process->envp;
    if (file == NULL || *file == '\0') {
        errno = ENOENT;
        return;
    }
    if (strchr(file, '/') != NULL) {
        execve(file, argv, envp);
        return;
    }
    const char *search = process->search_path != NULL ? process->search_path : SCUTE_DEFAULT_PATH;
    int denied = 0;
    char candidate[SCUTE_PATH_MAX];
    while (1) {
        const char *end = strchr(search, ':');
        size_t length = end != NULL ? (size_t)(end - search) : strlen(search);
        size_t at = 0;
        if (length == 0) {
            at = copy_string(candidate, sizeof candidate, 0, ".");
        } else {
            for (size_t i = 0; i < length && at + 1 < sizeof candidate; i++) candidate[at++] = search[i];
            candidate[at] = '\0';
        }
        at = copy_string(candidate, sizeof candidate, at, "/");
        copy_string(candidate, sizeof candidate, at, file);
        execve(candidate, argv, envp);
        if (errno == EACCES) {
            denied = 1;
        } else if (errno != ENOENT && errno != ENOTDIR) {
            return;
        }
        if (end == NULL) break;
        search = end + 1;
    }
    errno = denied ? EACCES : ENOENT;
}

/* The common end of both starts: working directory, standard streams, credentials, exec. */
__attribute__((noreturn)) static void start_process(const struct scute_task_process *process) {
    int error_fd = process->error_fd;
    const char *directory = process->working_directory != NULL ? process->working_directory : "/";
    if (make_directories(directory) < 0 || chdir(directory) < 0) fail(error_fd, SCUTE_TASK_STAGE_WORKDIR, directory);
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) fail(error_fd, SCUTE_TASK_STAGE_EXEC, "/dev/null");
    /* Raise every descriptor above 2 first, so the dup2s below never overwrite one still to be copied. */
    int out = fcntl(process->stdout_fd, F_DUPFD_CLOEXEC, 3);
    int err = fcntl(process->stderr_fd, F_DUPFD_CLOEXEC, 3);
    if (out < 0 || err < 0 || dup2(null_fd, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        fail(error_fd, SCUTE_TASK_STAGE_EXEC, "standard streams");
    syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
    apply_credentials(process);
    exec_program(process);
    fail(error_fd, SCUTE_TASK_STAGE_EXEC, process->argv[0]);
}

struct clone_arguments {
    uint64_t flags;
    uint64_t pidfd;
    uint64_t child_tid;
    uint64_t parent_tid;
    uint64_t exit_signal;
    uint64_t stack;
    uint64_t stack_size;
    uint64_t tls;
};

/* fork() with namespace flags and a pidfd; the child keeps a copy of the caller's stack. */
static pid_t clone_with(uint64_t flags, int *pid_fd) {
    struct clone_arguments arguments;
    memset(&arguments, 0, sizeof arguments);
    arguments.flags = flags | CLONE_PIDFD;
    arguments.pidfd = (uint64_t)(uintptr_t)pid_fd;
    arguments.exit_signal = SIGCHLD;
    return (pid_t)syscall(SYS_clone3, &arguments, sizeof arguments);
}

__attribute__((noreturn)) static void container_child(const struct scute_task_container *container) {
    const struct scute_task_process *process = &container->process;
    int error_fd = process->error_fd;
    char layer[SCUTE_PATH_MAX], root[SCUTE_PATH_MAX], upper[SCUTE_PATH_MAX], work[SCUTE_PATH_MAX];
    char options[3 * SCUTE_PATH_MAX], path[SCUTE_PATH_MAX];
    int keep[] = {0, 1, 2, container->net_fd, container->uts_fd, process->stdout_fd, process->stderr_fd, error_fd};
    close_all_except(keep, 8);
    reset_signals();
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail(error_fd, SCUTE_TASK_STAGE_NAMESPACES, "/");
    if (container->net_fd >= 0 && setns(container->net_fd, CLONE_NEWNET) < 0)
        fail(error_fd, SCUTE_TASK_STAGE_NAMESPACES, "network namespace");
    if (container->uts_fd >= 0 && setns(container->uts_fd, CLONE_NEWUTS) < 0)
        fail(error_fd, SCUTE_TASK_STAGE_NAMESPACES, "UTS namespace");

    /* The root: the image's root as the lower layer of an overlay whose upper layer is a private tmpfs,
       so the container can write to its root and the image stays as it was. */
    join_path(layer, container->staging, "/layer");
    join_path(root, container->staging, "/root");
    join_path(upper, layer, "/upper");
    join_path(work, layer, "/work");
    if (mount("tmpfs", layer, "tmpfs", 0, "mode=0755") < 0) fail(error_fd, SCUTE_TASK_STAGE_ROOT, layer);
    if (mkdir(upper, 0755) < 0 || mkdir(work, 0755) < 0) fail(error_fd, SCUTE_TASK_STAGE_ROOT, upper);
    size_t at = copy_string(options, sizeof options, 0, "lowerdir=");
    at = copy_string(options, sizeof options, at, container->lower);
    at = copy_string(options, sizeof options, at, ",upperdir=");
    at = copy_string(options, sizeof options, at, upper);
    at = copy_string(options, sizeof options, at, ",workdir=");
    copy_string(options, sizeof options, at, work);
    if (mount("overlay", root, "overlay", 0, options) < 0) fail(error_fd, SCUTE_TASK_STAGE_ROOT, container->lower);

    join_path(path, root, SCUTE_HOST_DIR);
    if (mkdir(path, 0700) < 0 && errno != EEXIST) fail(error_fd, SCUTE_TASK_STAGE_PIVOT, path);
    if (syscall(SYS_pivot_root, root, path) < 0 || chdir("/") < 0) fail(error_fd, SCUTE_TASK_STAGE_PIVOT, root);

    if (make_directories("/proc") < 0 || mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        fail(error_fd, SCUTE_TASK_STAGE_SYSTEM_MOUNTS, "/proc");
    if (make_directories("/sys") < 0 ||
        mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        fail(error_fd, SCUTE_TASK_STAGE_SYSTEM_MOUNTS, "/sys");
    make_devices(error_fd);
    if (container->tmpfs_tmp &&
        (make_directories("/tmp") < 0 || mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0))
        fail(error_fd, SCUTE_TASK_STAGE_SYSTEM_MOUNTS, "/tmp");

    for (int i = 0; i < container->mount_count; i++) {
        const struct scute_task_mount *entry = &container->mounts[i];
        int result;
        if (entry->source == NULL) {
            result = make_mount_point(entry->target, 0);
            if (result == 0) result = mount("tmpfs", entry->target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
        } else {
            join_path(path, SCUTE_HOST_DIR, entry->source);
            result = bind_mount(path, entry->target, entry->is_file, entry->read_only);
        }
        if (result < 0) fail(error_fd, SCUTE_TASK_STAGE_MOUNT, entry->target);
    }
    if (umount2(SCUTE_HOST_DIR, MNT_DETACH) < 0) fail(error_fd, SCUTE_TASK_STAGE_PIVOT, SCUTE_HOST_DIR);
    rmdir(SCUTE_HOST_DIR);
    if (container->read_only_root && mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
        fail(error_fd, SCUTE_TASK_STAGE_ROOT, "/");
    start_process(process);
}

pid_t scute_task_spawn_container(const struct scute_task_container *container, int *pid_fd) {
    pid_t pid = clone_with(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC, pid_fd);
    if (pid != 0) return pid;
    container_child(container);
}

pid_t scute_task_spawn_in(int target_pid_fd, const struct scute_task_process *process, int *pid_fd) {
    pid_t pid = clone_with(0, pid_fd);
    if (pid != 0) return pid;
    int keep[] = {0, 1, 2, target_pid_fd, process->stdout_fd, process->stderr_fd, process->error_fd};
    close_all_except(keep, 7);
    reset_signals();
    if (setns(target_pid_fd, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC) < 0)
        fail(process->error_fd, SCUTE_TASK_STAGE_NAMESPACES, "container namespaces");
    /* Only children enter the PID namespace: one more fork, whose child dies with this helper. */
    pid_t inner = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
    if (inner < 0) fail(process->error_fd, SCUTE_TASK_STAGE_NAMESPACES, "fork");
    if (inner == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (chdir("/") < 0) fail(process->error_fd, SCUTE_TASK_STAGE_WORKDIR, "/");
        start_process(process);
    }
    int status = 0;
    while (waitpid(inner, &status, 0) < 0) {
        if (errno != EINTR) _exit(127);
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

int scute_task_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int scute_task_reap(int pid_fd) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid((idtype_t)P_PIDFD, (id_t)pid_fd, &info, WEXITED | WNOHANG) < 0) return -1;
    if (info.si_pid == 0) {
        errno = EAGAIN;
        return -1;
    }
    return info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
}

int scute_task_signal(int pid_fd, int signal) { return (int)syscall(SYS_pidfd_send_signal, pid_fd, signal, NULL, 0); }

static volatile int stop_signal_fd = -1;

static void on_stop_signal(int signal) {
    unsigned char byte = (unsigned char)signal;
    int saved = errno;
    ssize_t ignored = write(stop_signal_fd, &byte, 1);
    (void)ignored;
    errno = saved;
}

void scute_task_catch_stop_signals(int fd) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    stop_signal_fd = fd;
    action.sa_handler = fd >= 0 ? on_stop_signal : SIG_DFL;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}
