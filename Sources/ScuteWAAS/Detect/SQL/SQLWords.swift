/// The SQL vocabulary: each word's token class and roles, looked up once per word.
enum SQLWords {
    struct Entry: Sendable {
        var kind: SQLKind
        var role: SQLRole
    }

    /// The entry for a lowercased word, without allocating.
    @inline(__always) static func lookup(_ word: ArraySlice<UInt8>) -> Entry? {
        guard word.count >= 2 && word.count <= 32 else { return nil }
        return fast.lookup(word)
    }

    private static let fast = WordTable(table.map { (String(decoding: $0.key, as: UTF8.self), $0.value) })

    static let table: [[UInt8]: Entry] = {
        var table: [[UInt8]: Entry] = [:]
        // A function name keeps the class it has when not called (`mod` stays an operator, `user` a keyword).
        func add(_ words: String, _ kind: SQLKind, _ role: SQLRole = []) {
            for word in words.split(separator: " ") {
                let key = Array(word.utf8)
                let existing = table[key]
                let resolved = kind == .function ? (existing?.kind ?? .bareword) : kind
                table[key] = Entry(kind: resolved, role: (existing?.role ?? []).union(role))
            }
        }
        add(
            "select insert update delete drop create alter truncate exec execute declare waitfor shutdown grant revoke merge "
                + "replace handler rename prepare deallocate print set",
            .statement
        )
        add("union intersect except minus", .union)
        add("and or xor not", .logic)
        add("like rlike regexp ilike glob sounds between is in match similar collate escape notnull isnull div mod", .op, .comparison)
        add("not", .logic, .unary)
        add("null true false unknown", .number, .literal)
        add("order group", .keyword, .needsBy)
        add("having limit procedure into outfile dumpfile offset", .keyword, .clause)
        add(
            "from where by as on join inner outer cross natural case when then else end asc desc all distinct top values "
                + "table database schema view index trigger exists delay time with returning fetch next rows only for "
                + "using load data infile column user login temporary if elseif",
            .keyword
        )
        add("table database schema view index trigger column procedure function user login temporary", .keyword, .objectType)
        add(
            "int integer bigint smallint text json jsonb varchar char nchar numeric decimal bool boolean date timestamp regclass "
                + "oid bytea float real uuid double",
            .keyword,
            .typeName
        )
        add(
            "sleep benchmark pg_sleep load_file extractvalue updatexml xp_cmdshell sys_eval sys_exec group_concat concat_ws "
                + "make_set elt unhex hex char chr ascii ord substring substr mid instr locate version database schema "
                + "current_user session_user system_user row_count found_rows last_insert_id name_const json_extract "
                + "jsonb_pretty json_keys jsonb_extract_path pg_read_file pg_ls_dir lo_import dbms_pipe utl_http utl_inaddr "
                + "xmltype dbms_xmlgen ctxsys randomblob sqlite_version load_extension current_database current_schema "
                + "string_agg array_agg to_char cast convert concat if ifnull nullif isnull coalesce iif octet_length "
                + "char_length bit_length unicode nchar sys_context owa_util ascii_str strcmp soundex crc32 md5 sha1 sha2 "
                + "aes_decrypt aes_encrypt encode decode compress uncompress benchmark geometrycollection polygon multipoint "
                + "linestring exp uuid_short user database_to_xml query_to_xml table_to_xml overlay string_to_array db_name "
                + "find_in_set json_valid schema_name object_id col_name host_name is_srvrolemember openrowset",
            .function,
            .sqlOnlyFunction
        )
        add(
            "count sum avg min max floor ceil ceiling round abs pow power sqrt log ln sin cos tan rand random lower upper "
                + "trim ltrim rtrim left right length len reverse repeat space now date year month day hour minute second "
                + "pi sign mod div replace format position least greatest insert field",
            .function,
            .commonFunction
        )
        return table
    }()
}
