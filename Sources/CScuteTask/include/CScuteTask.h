#ifndef CSCUTETASK_H
#define CSCUTETASK_H

/// The namespace and mount plumbing of `scute task run`: the task's network namespace, a container's start
/// (its own mount, PID and IPC namespaces, an overlay root, pivot_root, credentials, capabilities, exec),
/// commands run inside a running container (health checks), and reaping through pidfds. Every symbol is
/// prefixed scute_task_. The child side of every start uses only system calls (no malloc, no stdio), since
/// the parent is multithreaded.

#include <stdint.h>
#include <sys/types.h>

/// The calling thread's errno.
int scute_task_errno(void);

/// Creates a network and UTS namespace for a task, from a short-lived thread so the caller stays where it
/// is: brings `lo` up, adds `listen_address`/32 to it, sets the host name, and opens a listening TCP socket
/// on `listen_address`:`port` inside. Returns 0 and three descriptors (close-on-exec), or -1 with errno;
/// `*stage` names the step that failed (1 unshare, 2 lo up, 3 address, 4 hostname, 5 listen, 6 open).
int scute_task_make_network(const char *hostname, const char *listen_address, uint16_t port, int *net_fd,
                            int *uts_fd, int *listen_fd, int *stage);

/// A TCP socket inside the network namespace `net_fd` (made from a short-lived thread, so the caller stays
/// where it is): `listen` 1 binds `address`:`port` and listens, `listen` 0 connects to it (blocking: meant
/// for the task's loopback). The descriptor is close-on-exec and non-blocking; -1 with errno on failure.
int scute_task_tcp_in(int net_fd, const char *address, uint16_t port, int listen);

/// One mount made inside a container's root before it starts.
struct scute_task_mount {
    /// The source on the host (absolute); NULL for a tmpfs.
    const char *source;
    /// Where it goes inside the container's root (absolute).
    const char *target;
    /// 1 when the source is a file (the target is made a file), 0 for a directory.
    int is_file;
    int read_only;
};

/// The credentials, capabilities and program of a process started in a container.
struct scute_task_process {
    const char *const *argv;
    const char *const *envp;
    /// The container's PATH, for a program name without a slash.
    const char *search_path;
    const char *working_directory;
    uint32_t uid;
    uint32_t gid;
    const uint32_t *groups;
    int group_count;
    /// The capabilities kept (bit n is capability n): the bounding set, and for root also the effective,
    /// permitted and inheritable sets.
    uint64_t capabilities;
    /// Standard output and error; standard input is /dev/null.
    int stdout_fd;
    int stderr_fd;
    /// Write end of a close-on-exec pipe: a struct scute_task_failure arrives on it when the start fails.
    int error_fd;
};

/// A container's start.
struct scute_task_container {
    /// A private host folder for this container, holding the empty folders `layer` and `root`.
    const char *staging;
    /// The image's root, the overlay's read-only lower layer ("/" for the host's root).
    const char *lower;
    int net_fd;
    int uts_fd;
    /// Mount a fresh tmpfs on /tmp (for a container on its own root; on the host's root /tmp stays as it is).
    int tmpfs_tmp;
    int read_only_root;
    const struct scute_task_mount *mounts;
    int mount_count;
    struct scute_task_process process;
};

/// Why a start failed: the step, errno, and the path involved (NUL-terminated, may be empty).
struct scute_task_failure {
    int32_t stage;
    int32_t error;
    char path[240];
};

#define SCUTE_TASK_STAGE_NAMESPACES 1
#define SCUTE_TASK_STAGE_ROOT 2
#define SCUTE_TASK_STAGE_PIVOT 3
#define SCUTE_TASK_STAGE_SYSTEM_MOUNTS 4
#define SCUTE_TASK_STAGE_MOUNT 5
#define SCUTE_TASK_STAGE_CREDENTIALS 6
#define SCUTE_TASK_STAGE_WORKDIR 7
#define SCUTE_TASK_STAGE_EXEC 8

/// Starts a container: its process is PID 1 of a new PID namespace, in a new mount and IPC namespace, in the
/// task's network and UTS namespaces. Returns its PID (in the caller's namespace) and a pidfd, or -1 with
/// errno. Failures after the start arrive on `process.error_fd` and the process exits with 127.
pid_t scute_task_spawn_container(const struct scute_task_container *container, int *pid_fd);

/// Runs a process inside the namespaces of the running container whose PID 1 is `target_pid_fd` (a health
/// check): a helper enters them and starts the process, which dies with the helper. Returns the helper's
/// PID and pidfd; the helper exits with the process's status (exit code, or 128 + signal).
pid_t scute_task_spawn_in(int target_pid_fd, const struct scute_task_process *process, int *pid_fd);

/// pipe2(fds, O_CLOEXEC).
int scute_task_pipe(int fds[2]);

/// Waits for the exited process behind `pid_fd` and returns its status as a shell would report it (the exit
/// code, or 128 + the signal), or -1 with errno (EAGAIN when it has not exited yet).
int scute_task_reap(int pid_fd);

/// Sends `signal` to the process behind `pid_fd`. Returns 0 or -1 with errno.
int scute_task_signal(int pid_fd, int signal);

/// Catches SIGINT and SIGTERM by writing the signal number to `fd` (a non-blocking pipe), or restores the
/// default handling when `fd` is -1.
void scute_task_catch_stop_signals(int fd);

#endif
