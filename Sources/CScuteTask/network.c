#include "CScuteTask.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the task's network namespace ---------------------------------------------------------------- */

struct network_job {
    const char *hostname;
    const char *address;
    uint16_t port;
    int net_fd;
    int uts_fd;
    int listen_fd;
    int stage;
    int error;
};

static int bring_loopback_up(void) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    int result = ioctl(fd, SIOCGIFFLAGS, &request);
    if (result == 0) {
        request.ifr_flags |= IFF_UP | IFF_RUNNING;
        result = ioctl(fd, SIOCSIFFLAGS, &request);
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

static void add_attribute(struct nlmsghdr *header, size_t capacity, unsigned short type, const void *data,
                          size_t length) {
    size_t offset = NLMSG_ALIGN(header->nlmsg_len);
    struct rtattr *attribute = (struct rtattr *)((char *)header + offset);
    if (offset + RTA_SPACE(length) > capacity) return;
    attribute->rta_type = type;
    attribute->rta_len = (unsigned short)RTA_LENGTH(length);
    memcpy(RTA_DATA(attribute), data, length);
    header->nlmsg_len = (uint32_t)(offset + RTA_SPACE(length));
}

/* Adds address/32 to lo through rtnetlink (what `ip addr add ADDRESS/32 dev lo` does). */
static int add_loopback_address(struct in_addr address) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return -1;
    struct {
        struct nlmsghdr header;
        struct ifaddrmsg message;
        char attributes[64];
    } request;
    memset(&request, 0, sizeof request);
    request.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
    request.header.nlmsg_type = RTM_NEWADDR;
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    request.header.nlmsg_seq = 1;
    request.message.ifa_family = AF_INET;
    request.message.ifa_prefixlen = 32;
    request.message.ifa_scope = RT_SCOPE_UNIVERSE;
    request.message.ifa_index = if_nametoindex("lo");
    add_attribute(&request.header, sizeof request, IFA_LOCAL, &address, sizeof address);
    add_attribute(&request.header, sizeof request, IFA_ADDRESS, &address, sizeof address);
    struct sockaddr_nl kernel;
    memset(&kernel, 0, sizeof kernel);
    kernel.nl_family = AF_NETLINK;
    int result = -1;
    if (sendto(fd, &request, request.header.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) >= 0) {
        char reply[1024];
        ssize_t n = recv(fd, reply, sizeof reply, 0);
        struct nlmsghdr *answer = (struct nlmsghdr *)reply;
        if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && answer->nlmsg_type == NLMSG_ERROR) {
            struct nlmsgerr *error = NLMSG_DATA(answer);
            if (error->error == 0) {
                result = 0;
            } else {
                errno = -error->error;
            }
        } else if (n >= 0) {
            errno = EPROTO;
        }
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

static int listen_on(struct in_addr address, uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in local;
    memset(&local, 0, sizeof local);
    local.sin_family = AF_INET;
    local.sin_port = htons(port);
    local.sin_addr = address;
    if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0 || listen(fd, 128) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static void *network_thread(void *argument) {
    struct network_job *job = argument;
    struct in_addr address;
    job->stage = 1;
    if (unshare(CLONE_NEWNET | CLONE_NEWUTS) < 0) goto failed;
    job->stage = 2;
    if (bring_loopback_up() < 0) goto failed;
    job->stage = 3;
    if (inet_pton(AF_INET, job->address, &address) != 1) {
        errno = EINVAL;
        goto failed;
    }
    if (add_loopback_address(address) < 0) goto failed;
    job->stage = 4;
    if (sethostname(job->hostname, strlen(job->hostname)) < 0) goto failed;
    job->stage = 5;
    job->listen_fd = listen_on(address, job->port);
    if (job->listen_fd < 0) goto failed;
    job->stage = 6;
    job->net_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (job->net_fd < 0) goto failed;
    job->uts_fd = open("/proc/thread-self/ns/uts", O_RDONLY | O_CLOEXEC);
    if (job->uts_fd < 0) goto failed;
    job->stage = 0;
    return NULL;
failed:
    job->error = errno;
    if (job->listen_fd >= 0) close(job->listen_fd);
    if (job->net_fd >= 0) close(job->net_fd);
    return NULL;
}

int scute_task_make_network(const char *hostname, const char *listen_address, uint16_t port, int *net_fd,
                            int *uts_fd, int *listen_fd, int *stage) {
    struct network_job job = {hostname, listen_address, port, -1, -1, -1, 0, 0};
    pthread_t thread;
    int error = pthread_create(&thread, NULL, network_thread, &job);
    if (error != 0) {
        *stage = 1;
        errno = error;
        return -1;
    }
    pthread_join(thread, NULL);
    *stage = job.stage;
    if (job.stage != 0) {
        errno = job.error;
        return -1;
    }
    *net_fd = job.net_fd;
    *uts_fd = job.uts_fd;
    *listen_fd = job.listen_fd;
    return 0;
}

/* ---- sockets inside the task's network namespace (port forwards) ---------------------------------- */

struct tcp_job {
    int net_fd;
    const char *address;
    uint16_t port;
    int listen;
    int fd;
    int error;
};

static void *tcp_thread(void *argument) {
    struct tcp_job *job = argument;
    struct in_addr address;
    if (setns(job->net_fd, CLONE_NEWNET) < 0) goto failed;
    if (inet_pton(AF_INET, job->address, &address) != 1) {
        errno = EINVAL;
        goto failed;
    }
    if (job->listen) {
        job->fd = listen_on(address, job->port);
        if (job->fd < 0) goto failed;
    } else {
        job->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (job->fd < 0) goto failed;
        struct sockaddr_in remote;
        memset(&remote, 0, sizeof remote);
        remote.sin_family = AF_INET;
        remote.sin_port = htons(job->port);
        remote.sin_addr = address;
        if (connect(job->fd, (struct sockaddr *)&remote, sizeof remote) < 0) goto failed;
    }
    int flags = fcntl(job->fd, F_GETFL);
    if (flags < 0 || fcntl(job->fd, F_SETFL, flags | O_NONBLOCK) < 0) goto failed;
    return NULL;
failed:
    job->error = errno;
    if (job->fd >= 0) close(job->fd);
    job->fd = -1;
    return NULL;
}

int scute_task_tcp_in(int net_fd, const char *address, uint16_t port, int listen) {
    struct tcp_job job = {net_fd, address, port, listen, -1, 0};
    pthread_t thread;
    int error = pthread_create(&thread, NULL, tcp_thread, &job);
    if (error != 0) {
        errno = error;
        return -1;
    }
    pthread_join(thread, NULL);
    if (job.fd < 0) errno = job.error;
    return job.fd;
}
