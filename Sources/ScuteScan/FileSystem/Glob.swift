#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Shell-style matching as dpkg applies its `path-exclude` globs (`*` also matches `/`).
func fnmatchPath(_ pattern: String, _ path: String) -> Bool {
    fnmatch(pattern, path, 0) == 0
}
