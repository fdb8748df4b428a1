/// Word and phrase rules, all matched in one pass by a shared automaton, each with a small context check.
enum KeywordRules {
    enum Check: Sendable {
        case none
        /// A call: `name(` (whitespace and comments allowed), not `.name(` or `->name(`.
        case call
        /// A call with `(` or a backtick right after the name (`alert(1)`, alert`1`).
        case tightCall
        /// Only in a `User-Agent` header.
        case userAgent
        /// The word `java` occurs earlier in the value.
        case afterJava
        /// Preceded by the start, whitespace, a quote or a shell/redirection character, not by a URL path.
        case pathStart
        /// Preceded by the start or `/`.
        case afterSlash
        /// Followed by an identifier and `=` (a configuration assignment).
        case directive
        /// `document.cookie` followed by `=`: a cookie being set.
        case cookieAssignment
        /// Only in parameter names, JSON keys, or inside brackets.
        case operatorName
        /// Not in the request path.
        case notPath
    }

    struct Entry: Sendable {
        var rule: WAASRule
        var check: Check
    }

    static let entries: [Entry] = build().entries
    static let matcher = KeywordMatcher(build().patterns)

    private static func build() -> (entries: [Entry], patterns: [KeywordMatcher.Pattern]) {
        var entries: [Entry] = []
        var patterns: [KeywordMatcher.Pattern] = []
        func add(_ rule: WAASRule, _ check: Check, _ options: KeywordMatcher.Options, _ words: [String]) {
            for word in words {
                patterns.append(KeywordMatcher.Pattern(word, tag: entries.count, options: options))
                entries.append(Entry(rule: rule, check: check))
            }
        }
        // Java.
        add(
            .javaClass,
            .none,
            .wordStart,
            [
                "java.lang.", "org.omg.corba", "java.io.", "java.net.", "java.nio.", "java.util.",
                "java.beans.", "java.rmi.", "javax.", "com.sun.", "sun.misc.", "org.apache.commons", "com.opensymphony.xwork2",
                "processbuilder", "getruntime", "org.springframework.", "org.codehaus.groovy", "bsh.interpreter",
            ]
        )
        add(.javaClass, .afterJava, .word, ["runtime"])
        add(
            .javaGadget,
            .none,
            [],
            [
                "clonetransformer", "forclosure", "instantiatefactory", "instantiatetransformer", "invokertransformer",
                "prototypeclonefactory", "prototypeserializationfactory", "whileclosure", "chainedtransformer",
                "constanttransformer", "templatesimpl", "annotationinvocationhandler", "badattributevalueexpexception",
                "jdbcrowsetimpl", "transformedmap", "lazymap",
            ]
        )
        add(.javaExpression, .none, [], ["#_memberaccess", "@ognl", "ognlcontext", "class.module.classloader", "#context[", "xwork.methodaccessor"])
        // PHP.
        add(
            .phpWrapper,
            .none,
            .wordStart,
            [
                "php://", "phar://", "zlib://", "compress.zlib://", "compress.bzip2://", "expect://", "glob://", "ogg://",
                "rar://", "ssh2.shell://", "ssh2.exec://", "ssh2.tunnel://", "ssh2.sftp://", "ssh2.scp://", "zip://",
            ]
        )
        add(
            .phpFunction,
            .call,
            .word,
            [
                "eval", "assert", "system", "exec", "popen", "fopen", "include", "phpinfo", "printf", "chr", "fwrite",
                "fputs", "symlink", "unlink", "putenv", "getenv", "dl", "usort", "uasort", "uksort", "extract", "unpack",
                "chroot", "define", "iconv", "hex2bin", "file", "glob", "scandir", "opendir", "readdir", "gzopen", "bzopen",
                "strrev",
            ]
        )
        // Distinctive names match even glued to junk before them (`FOOcall_user_func()`).
        add(
            .phpFunction,
            .call,
            .wordEnd,
            [
                "shell_exec", "passthru", "proc_open", "pcntl_exec", "base64_decode", "str_rot13", "gzinflate", "gzuncompress",
                "gzdecode", "create_function", "call_user_func", "call_user_func_array", "preg_replace", "file_get_contents",
                "file_put_contents", "fsockopen", "pfsockopen", "curl_init", "curl_exec", "include_once", "require_once",
                "print_r", "var_dump", "unserialize", "readfile", "highlight_file", "show_source", "move_uploaded_file",
                "ini_set", "ini_get", "posix_getpwuid", "posix_kill", "is_array", "date_add", "ldap_get_entries", "tidy_parse_string",
                "array_map", "array_filter", "parse_str", "assert_options", "ob_start", "register_shutdown_function", "register_tick_function",
                "set_error_handler", "filegroup", "fileowner", "gethostbyname", "get_defined_vars", "escapeshellcmd", "escapeshellarg",
                "mb_ereg_replace", "str_replace", "stream_get_contents", "curl_setopt", "simplexml_load_string", "var_export",
                "zip_open", "strip_tags", "get_defined_functions", "array_diff", "get_defined_constants", "str_repeat",
            ]
        )
        // Extension families found only in PHP.
        add(.phpFunction, .none, .wordStart, ["odbc_", "sodium_crypto", "zend_", "posix_", "pcntl_", "mysqli_", "sqlite_open"])
        add(.xssTag, .none, [], ["xi:include", "xmlns:xi", "xsi:schemalocation", "-moz-binding", "<import"])
        add(
            .phpVariable,
            .none,
            .wordEnd,
            [
                "$_server", "$_get", "$_post", "$_cookie", "$_request", "$_files", "$_env", "$_session", "$globals",
                "$http_raw_post_data", "$http_get_vars", "$http_post_vars", "$http_server_vars",
            ]
        )
        add(
            .phpConfig,
            .directive,
            .wordStart,
            [
                "opcache.", "mbstring.", "session.", "pcre.", "zend.", "xdebug.", "phar.", "apc.", "allow_url_",
                "auto_prepend_file", "auto_append_file", "disable_functions", "open_basedir", "safe_mode", "register_globals",
                "display_errors", "error_log", "include_path", "upload_tmp_dir", "memory_limit", "short_open_tag",
                "sendmail_path", "extension_dir", "php_value", "php_admin_value", "unserialize_",
            ]
        )
        // Node.js and JavaScript.
        add(
            .nodeCode,
            .none,
            [],
            [
                "child_process", "process.mainmodule", "process.binding", "process.env", "process.kill", "process[",
                "global.process", "constructor.constructor", "this.constructor", "require.main", "module.constructor",
                "process.dlopen", "process.exit",
            ]
        )
        add(.nodeCode, .call, .word, ["require", "spawn", "execsync", "spawnsync"])
        add(.nodePrototype, .none, [], ["__proto__", "constructor.prototype", "constructor[prototype]", "[constructor][prototype]"])
        add(.nodeSerialize, .none, [], ["_$$nd_func$$_", "_$$nd_cc$$_"])
        add(
            .xssSink,
            .notPath,
            [],
            [
                "document.cookie", "document.domain", "document.write", "document.location", "window.location", ".innerhtml",
                ".outerhtml", "fromcharcode", "document.queryselector", "top.location", "self.location", "window.open(",
                "execscript", ".textcontent=", "location.href=", "document.body",
            ]
        )
        add(.xssSink, .tightCall, .word, ["alert", "prompt", "confirm", "settimeout", "setinterval", "atob", "btoa", "eval"])
        add(.xssSink, .call, .wordStart, ["new function"])
        add(.sessionCookieSetting, .cookieAssignment, [], ["document.cookie"])
        // Python.
        add(
            .codePython,
            .none,
            [],
            [
                "__import__", "__builtins__", "__subclasses__", "__globals__", "__mro__", "os.system(", "os.popen(",
                "subprocess.", "compile(", "pty.spawn",
            ]
        )
        // SQL catalog and procedures.
        add(
            .sqliCatalog,
            .none,
            .word,
            [
                "information_schema", "sysobjects", "syscolumns", "sysusers", "sys.objects", "sys.tables", "pg_catalog",
                "pg_shadow", "pg_user", "sqlite_master", "sqlite_schema", "sqlite_temp_master", "mysql.user", "msysobjects",
                "msysaccessobjects", "all_tables", "user_tables", "dba_users", "xp_cmdshell", "xp_dirtree", "xp_regread",
                "xp_fileexist", "xp_servicecontrol", "sp_executesql", "sp_oacreate", "sp_makewebtask", "sp_password",
                "msdb", "@@version", "@@datadir", "@@hostname", "into outfile", "into dumpfile", "utl_http", "pg_sleep",
                "waitfor delay", "dbms_pipe", "sys.dm_exec", "openrowset", "opendatasource", "openquery", "northwind", "schema_name",
            ]
        )
        add(
            .sqliNoSQL,
            .operatorName,
            .word,
            [
                "$ne", "$eq", "$gt", "$gte", "$lt", "$lte", "$regex", "$where", "$elemmatch", "$nin", "$in", "$exists",
                "$expr", "$or", "$and", "$not", "$nor", "$all", "$size", "$function", "$accumulator", "$lookup", "$text", "$search",
                "$jsonschema", "$mod",
            ]
        )
        // Files.
        add(
            .lfiSensitiveFile,
            .none,
            [],
            [
                "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/hosts", "/etc/issue", "/etc/subuid", "/etc/subgid",
                "/etc/sudoers", "/etc/master.passwd", "/etc/crontab", "/etc/profile", "/etc/environment", "/etc/security/",
                "/etc/ssh/", "/etc/ssl/private", "/etc/resolv.conf", "/etc/hostname", "/etc/fstab", "/etc/os-release",
                "/etc/mysql/", "/etc/apache2/", "/etc/httpd/", "/proc/self/", "/proc/version", "/proc/cpuinfo",
                "/proc/net/", "/proc/sys/", "/sys/class", "/sys/kernel", "/sys/devices", ".ssh/id_rsa", ".ssh/id_dsa",
                ".ssh/id_ed25519", ".ssh/authorized_keys", ".ssh/known_hosts", ".aws/credentials", ".aws/config",
                ".docker/config", ".docker/secrets", ".kube/config", ".git/config", ".git/head", ".htpasswd", "web.config",
                "wp-config.php", "boot.ini", "win.ini", "system.ini", "windows/system32", "system32/config/sam",
                "/var/run/secrets", "/var/log/auth", "/root/.", ".bash_history", ".npmrc", ".pgpass", ".my.cnf",
            ]
        )
        add(.lfiSensitiveFile, .pathStart, [], ["/proc/", "/sys/", "/root/", "/etc/"])
        add(.lfiSensitiveFile, .afterSlash, .wordEnd, [".env", ".htaccess"])
        // PowerShell.
        add(
            .cmdiPowerShell,
            .none,
            .word,
            [
                "invoke-webrequest", "invoke-expression", "invoke-restmethod", "new-object", "downloadstring", "downloadfile",
                "start-process", "-encodedcommand", "set-executionpolicy", "add-mppreference", "invoke-command",
                "net.webclient", "start-bitstransfer",
            ]
        )
        add(.cmdiPowerShell, .call, .word, ["iex"])
        // Scanners (User-Agent only).
        add(
            .scannerAgent,
            .userAgent,
            .word,
            [
                "nikto", "sqlmap", "nessus", "arachni", "havij", "acunetix", "w3af", "nmap", "masscan", "zgrab", "nuclei",
                "dirbuster", "gobuster", "wpscan", "openvas", "netsparker", "appscan", "webinspect", "paros", "skipfish",
                "whatweb", "fimap", "jaeles", "feroxbuster", "ffuf", "wfuzz", "commix", "dirb", "sqlninja", "bsqlbf",
                "grabber", "morfeus", "zmeu", "nstealth", "brutus", "webshag", "wapiti", "xsser", "joomscan", "droopescan",
                "burpcollaborator", "interactsh", "struts-pwn", "log4j-scan", "httpx", "naabu", "zaproxy", "owasp zap",
            ]
        )
        return (entries, patterns)
    }
}
