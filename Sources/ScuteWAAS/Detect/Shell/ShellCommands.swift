/// Command names, by how likely they are to be ordinary words.
enum ShellCommands {
    enum Tier: UInt8, Sendable, Comparable {
        /// An English word too (cat, time, find): needs arguments that only a shell would take.
        case word = 1
        /// A tool name people also write in prose (python, curl, git): needs a separator or arguments.
        case tool = 2
        /// Never prose (whoami, ifconfig, certutil): enough on its own.
        case unambiguous = 3
        /// A wrapper that runs the next word as a command (sudo, nohup, time).
        case prefix = 4

        static func < (lhs: Tier, rhs: Tier) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    static let table: WordTable<Tier> = {
        var pairs: [(String, Tier)] = []
        func add(_ tier: Tier, _ words: String) {
            for word in words.split(separator: " ") { pairs.append((String(word), tier)) }
        }
        add(
            .prefix,
            "sudo doas nohup time timeout nice ionice env strace ltrace xargs busybox command builtin exec stdbuf unbuffer chroot setsid watch"
        )
        add(
            .unambiguous,
            "whoami ifconfig ipconfig nslookup uname netstat crontab systemctl useradd usermod userdel groupadd passwd chpasswd "
                + "wget ncat netcat socat xxd mkfifo msfvenom msfconsole certutil bitsadmin bcdboot bcdedit regsvr32 rundll32 mshta "
                + "cscript wscript wmic schtasks vssadmin systeminfo tasklist taskkill icacls takeown powershell pwsh cmd.exe "
                + "ansible-playbook ansible-galaxy ansible-pull ansible-inventory ansible-vault ansible-console ansible-doc "
                + "ansible-config chef-run chef-vault chef-client chef-solo chef-shell cscli tcpdump tshark nmap sqlmap "
                + "hashcat unxz xzcat zstdcat bzcat zcat gunzip bunzip2 7z 7za unrar lsof pgrep pkill killall "
                + "iptables nft ufw setfacl getfacl visudo sudoedit dmesg lsmod insmod modprobe rmmod tclsh gawk nawk mawk "
                + "c89 c99 gcc g++ objdump readelf hexdump base32 openssl printenv getent python2 python3 perl5 "
                + "regedit php5 php7 php8 certreq esentutl forfiles pcalua msiexec installutil regasm regsvcs odbcconf cmstp htop"
        )
        add(
            .tool,
            "bash sh zsh ksh dash csh tcsh fish ash python perl ruby php lua irb jshell curl ssh scp sftp ftp tftp telnet "
                + "git svn rsync tar gzip bzip2 xz zstd unzip zip ls rm rmdir cp mv chmod chown chgrp ln mkdir ps kill awk sed "
                + "grep egrep fgrep nc ping traceroute dig host route arp ss ip iwr iex cmd net reg sc at vi vim nano "
                + "emacs ed ex pico less more tac nl od tee dd mount umount df du su id pwd ulimit chattr lsattr "
                + "apt apt-get yum dnf apk pip pip3 npm gem go java javac node nodejs deno docker kubectl helm terraform "
                + "rev bsdtar zipinfo base64 ansible gdb flock cpulimit lastlog lastlogin perf pipx chef"
        )
        add(
            .word,
            "cat echo print printf find sleep head tail cut sort uniq wc make touch set test man top w who last "
                + "split join paste file type read wait yes exit export alias source unset date cal free uptime history "
                + "which whereis dir copy move del ren start call eval trap shift mail write wall look open shutdown "
                + "reboot halt poweroff locate tree diff patch cmp whatis apropos info stat chef at go host route net dig more less ip "
                + "rev ping fold cd id"
        )
        return WordTable(pairs)
    }()

    /// The tier of `word`, also trying it without a version suffix (`python3.10` -> `python3` -> `python`).
    static func tier(of word: ArraySlice<UInt8>) -> Tier? {
        if let tier = table.lookup(word) { return tier }
        var trimmed = word
        while let last = trimmed.last, ByteClass.isDigit(last) || last == UInt8(ascii: ".") || last == UInt8(ascii: "-") {
            trimmed = trimmed.dropLast()
            if let tier = table.lookup(trimmed) { return tier }
        }
        if trimmed.count > 4, trimmed.hasSuffixBytes(".exe") {
            return table.lookup(trimmed.dropLast(4)).map { max($0, .tool) }
        }
        return nil
    }
}

extension ArraySlice where Element == UInt8 {
    func hasSuffixBytes(_ suffix: String) -> Bool {
        let bytes = Array(suffix.utf8)
        return count >= bytes.count && self.suffix(bytes.count).elementsEqual(bytes)
    }
}
