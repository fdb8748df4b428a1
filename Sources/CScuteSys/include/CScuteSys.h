#ifndef CSCUTESYS_H
#define CSCUTESYS_H
/// Placeholder until the tracing shim lands; every symbol is prefixed scute_.
int scute_sys_version(void);
#endif
