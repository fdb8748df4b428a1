/* Workloads for bench/defender: each mode does one thing N times. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: workload exec|getppid|read|connect|procs N [READY_FILE]\n");
        return 2;
    }
    const char *mode = argv[1];
    long n = atol(argv[2]);
    if (!strcmp(mode, "exec")) {
        char *args[] = {"/bin/true", 0};
        for (long i = 0; i < n; i++) {
            pid_t p = fork();
            if (p == 0) {
                execv("/bin/true", args);
                _exit(127);
            }
            int st;
            waitpid(p, &st, 0);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return 1;
        }
    } else if (!strcmp(mode, "getppid")) {
        for (long i = 0; i < n; i++) syscall(SYS_getppid);
    } else if (!strcmp(mode, "read")) {
        int fd = open("/dev/zero", O_RDONLY);
        char c;
        for (long i = 0; i < n; i++)
            if (read(fd, &c, 1) != 1) return 1;
    } else if (!strcmp(mode, "connect")) {
        /* UDP connect: no handshake, so the cost measured is the trap itself. */
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        for (long i = 0; i < n; i++)
            if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) return 1;
    } else if (!strcmp(mode, "procs")) {
        /* n processes that wait; READY_FILE appears when all exist; the tree ends on SIGTERM. */
        pid_t *kids = calloc(n, sizeof *kids);
        for (long i = 0; i < n; i++) {
            kids[i] = fork();
            if (kids[i] == 0) {
                pause();
                _exit(0);
            }
        }
        if (argc > 3) close(open(argv[3], O_CREAT | O_WRONLY, 0644));
        sleep(30);
        for (long i = 0; i < n; i++) kill(kids[i], SIGKILL);
        for (long i = 0; i < n; i++) waitpid(kids[i], 0, 0);
    } else {
        return 2;
    }
    return 0;
}
