// The system SQLite (Debian: libsqlite3-dev), for reading rpmdb.sqlite in ScuteScanSQLite.
#include <sqlite3.h>
