#include "CScuteSys.h"
int scute_sys_version(void) { return 1; }
