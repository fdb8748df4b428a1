// The system zlib (Debian: zlib1g-dev), for gzip in `scute bundle` and `scute sidecar`.
#include <zlib.h>

// deflateInit2/inflateInit2 are macros; these wrappers make them callable from Swift.
static inline int scute_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
}

static inline int scute_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 32);
}
