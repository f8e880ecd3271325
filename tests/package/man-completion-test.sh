#!/bin/bash
# The man pages and the bash completion against the real command line.
#
#   tests/package/man-completion-test.sh VMCAP REPO_ROOT
#
# VMCAP is the vmcap binary (any build: only --help is run). Checks, one line each:
#  - every subcommand of `vmcap --help` has its section (.SS "vmcap SUB") in
#    docs/man/vmcap.8, and every option of `vmcap SUB --help` appears in that section
#    (-h/--help, common to all, in the page's OPTIONS);
#  - completion/vmcap offers every subcommand (`vmcap <TAB>`) and every option
#    (`vmcap SUB -<TAB>`), run through the real completion function;
#  - every key of docs/config.md's key tables (global, [network], destinations with the
#    TLS keys, [arm]) appears in the matching section of docs/man/vmcap.conf.5;
#  - `man --warnings` prints no warning for either page;
#  - `bash -n completion/vmcap`;
#  - completions of `vmcap dm`, `vmcap dmesg --for`, `vmcap dmesg --format `,
#    `vmcap filter --compress z`, with bash-completion loaded and without it.
# Each missing item is printed with where it is missing; exit 1 if any check fails.
# Needs: man-db and groff-base (man --warnings), bash-completion.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 VMCAP REPO_ROOT" >&2
    exit 64
fi
vmcap=$1
root=$2
man8=$root/docs/man/vmcap.8
man5=$root/docs/man/vmcap.conf.5
completion=$root/completion/vmcap
config_md=$root/docs/config.md
bash_completion=/usr/share/bash-completion/bash_completion

failed=0
pass() { printf 'ok    %s\n' "$*"; }
fail() {
    printf 'FAIL  %s\n' "$*"
    failed=1
}
missing() { printf '      missing: %s\n' "$*"; }

for f in "$man8" "$man5" "$completion" "$config_md"; do
    [[ -f $f ]] || {
        echo "FAIL  $f does not exist"
        exit 1
    }
done
[[ -x $vmcap ]] || {
    echo "FAIL  $vmcap is not an executable"
    exit 1
}

# --- the command line, from --help --------------------------------------------------
# Subcommands: the lines under "Subcommands:" ("  name   description").
mapfile -t subcommands < <("$vmcap" --help |
    awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
if [[ ${#subcommands[@]} -eq 0 ]]; then
    echo "FAIL  $vmcap --help lists no subcommands"
    exit 1
fi

# Options of `vmcap SUB --help`: the names at the start of its option lines
# ("  -d,--dump-level INT ...", "  --json  ..."), short and long.
options_of() {
    "$vmcap" "$1" --help |
        awk '/^Options:/ { on = 1; next }
             /^[A-Z][a-z]*:/ { on = 0 }
             on && /^  -/ {
                 split($1, names, ",")
                 for (i in names) if (names[i] ~ /^-/) print names[i]
             }' | sort -u
}
declare -A sub_options
option_count=0
for sub in "${subcommands[@]}"; do
    sub_options[$sub]=$(options_of "$sub" | tr '\n' ' ')
    for o in ${sub_options[$sub]}; do option_count=$((option_count + 1)); done
done

# roff source as plain text: \- is -, font and spacing escapes go.
roff_text() {
    sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\[~ ]/ /g' \
        -e 's/\\[&|%:^]//g' -e 's/\\(aq/'"'"'/g' "$1"
}
# Is $1 a whole word (options: not part of a longer option) in stdin?
has_word() {
    local w=${1//./\\.}
    grep -Eq -- "(^|[^-[:alnum:]_])${w}([^-[:alnum:]_]|$)"
}

man8_text=$(roff_text "$man8")
# The text of the section .SS "vmcap SUB" up to the next .SS or .SH.
man8_section() {
    awk -v want="vmcap $1" '
        /^\.S[SH] / {
            title = $0
            sub(/^\.S[SH] +/, "", title)
            gsub(/"/, "", title)
            on = ($1 == ".SS" && title == want)
            if (on) found = 1
            next
        }
        on { print }
        END { exit found ? 0 : 1 }' <<<"$man8_text"
}
man8_options=$(awk '/^\.SH OPTIONS/ { on = 1; next } /^\.SH / { on = 0 } on' <<<"$man8_text")

# --- 1. vmcap.8: subcommands and options ----------------------------------------------
n_missing=0
for sub in "${subcommands[@]}"; do
    if ! section=$(man8_section "$sub"); then
        missing "docs/man/vmcap.8: subcommand $sub (no .SS \"vmcap $sub\")"
        n_missing=$((n_missing + 1))
        continue
    fi
    for o in ${sub_options[$sub]}; do
        if [[ $o == -h || $o == --help ]]; then
            has_word "$o" <<<"$man8_options" && continue
            missing "docs/man/vmcap.8: $o (OPTIONS)"
        else
            has_word "$o" <<<"$section" && continue
            missing "docs/man/vmcap.8: vmcap $sub $o (section vmcap $sub)"
        fi
        n_missing=$((n_missing + 1))
    done
done
if ((n_missing == 0)); then
    pass "docs/man/vmcap.8 documents ${#subcommands[@]} subcommands and $option_count options of --help"
else
    fail "docs/man/vmcap.8: $n_missing of the subcommands and options missing (above)"
fi

# --- completion: run the real function --------------------------------------------------
# complete WITH_BASH_COMPLETION WORD...: the completion of the command line WORD...
# (the last word is the one being completed), COMPREPLY sorted, one a line.
complete_line() {
    local with=$1
    shift
    bash -c '
        with=$1 completion=$2 bash_completion=$3
        shift 3
        if [[ $with == yes ]]; then
            source "$bash_completion" || exit 3
            declare -F _init_completion >/dev/null || exit 3
        fi
        source "$completion" || exit 4
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        func=$(complete -p vmcap 2>/dev/null | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
        [[ -n $func ]] || exit 5
        "$func" vmcap "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}" | sort -u
    ' complete-vmcap "$with" "$completion" "$bash_completion" "$@"
}

have_bash_completion=no
[[ -r $bash_completion ]] && have_bash_completion=yes

# --- 2. completion/vmcap: subcommands and options ---------------------------------------
n_missing=0
if ! offered=$(complete_line "$have_bash_completion" vmcap '' 2>&1); then
    printf '      %s\n' "$offered"
    fail "completion/vmcap: the completion function cannot be run (sourced from $completion)"
else
    for sub in "${subcommands[@]}"; do
        grep -qxF -- "$sub" <<<"$offered" && continue
        missing "completion/vmcap: subcommand $sub (vmcap <TAB>)"
        n_missing=$((n_missing + 1))
    done
    for sub in "${subcommands[@]}"; do
        offered=$(complete_line "$have_bash_completion" vmcap "$sub" -) || offered=
        for o in ${sub_options[$sub]}; do
            grep -qxF -- "$o" <<<"$offered" && continue
            missing "completion/vmcap: vmcap $sub $o (vmcap $sub -<TAB>)"
            n_missing=$((n_missing + 1))
        done
    done
    if ((n_missing == 0)); then
        pass "completion/vmcap offers ${#subcommands[@]} subcommands and $option_count options of --help"
    else
        fail "completion/vmcap: $n_missing of the subcommands and options not offered (above)"
    fi
fi

# --- 3. vmcap.conf.5: the keys of docs/config.md ------------------------------------------
# "section<TAB>key" for every key of config.md's key tables: the first column of the
# tables headed "| key |" (global keys, [network], [arm]); the keys column of the
# destinations table and the "TLS keys:" line; url. The section is the man page's.
config_keys=$(awk '
    function man_section(h) {
        h = tolower(h)
        if (h ~ /global/) return "GLOBAL KEYS"
        if (h ~ /network/) return "NETWORK"
        if (h ~ /destination/) return "DESTINATIONS"
        if (h ~ /arm/) return "ARM"
        return ""
    }
    # the `quoted` words of s, separated by SUBSEP
    function backticked(s,    out, n, parts, i) {
        out = ""
        n = split(s, parts, "`")
        for (i = 2; i <= n; i += 2) out = out (out == "" ? "" : SUBSEP) parts[i]
        return out
    }
    /^## / { section = man_section(substr($0, 4)); table = ""; next }
    /^\| *key *\|/ { table = "key"; next }
    /^\| *kind *\| *url *\| *keys *\|/ { table = "kinds"; print section "\turl"; next }
    /^\| *---/ { next }
    /^\|/ && table == "key" {
        split($0, cells, "|")
        n = split(backticked(cells[2]), names, SUBSEP)
        for (i = 1; i <= n; i++) print section "\t" names[i]
        next
    }
    /^\|/ && table == "kinds" {
        split($0, cells, "|")
        n = split(backticked(cells[4]), names, SUBSEP)
        for (i = 1; i <= n; i++) if (names[i] ~ /^[a-z][a-z_]*$/) print section "\t" names[i]
        next
    }
    !/^\|/ { table = "" }
    # the paragraph that starts "TLS keys:", up to a blank line
    /^TLS keys:/ { tls = 1 }
    /^$/ { tls = 0 }
    tls {
        n = split(backticked($0), names, SUBSEP)
        for (i = 1; i <= n; i++) if (names[i] ~ /^[a-z][a-z_]*$/) print section "\t" names[i]
    }' "$config_md" | sort -u)

man5_text=$(roff_text "$man5")
man5_section() {
    awk -v want="$1" '
        /^\.SH / {
            title = $0
            sub(/^\.SH +/, "", title)
            gsub(/"/, "", title)
            on = (title == want)
            next
        }
        on { print }' <<<"$man5_text"
}
n_keys=0
n_missing=0
while IFS=$'\t' read -r section key; do
    [[ -n $key ]] || continue
    n_keys=$((n_keys + 1))
    if [[ -n $section ]]; then
        text=$(man5_section "$section")
        where="section $section"
    else
        text=$man5_text
        where="anywhere"
    fi
    has_word "$key" <<<"$text" && continue
    missing "docs/man/vmcap.conf.5: key $key ($where)"
    n_missing=$((n_missing + 1))
done <<<"$config_keys"
if ((n_keys < 30)); then
    fail "docs/config.md: only $n_keys keys found in its tables (has its layout changed?)"
elif ((n_missing == 0)); then
    pass "docs/man/vmcap.conf.5 documents the $n_keys keys of docs/config.md's tables"
else
    fail "docs/man/vmcap.conf.5: $n_missing of docs/config.md's $n_keys keys missing (above)"
fi

# --- 4, 5. man --warnings ----------------------------------------------------------------
for page in "$man8" "$man5"; do
    name=${page#"$root"/}
    if ! command -v man >/dev/null; then
        fail "$name: man is not installed (apt-get install man-db groff-base)"
        continue
    fi
    if ! warnings=$(MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null); then
        fail "$name: man --warnings failed: $warnings"
    elif [[ -n $warnings ]]; then
        printf '      %s\n' "$warnings"
        fail "$name: man --warnings warns"
    else
        pass "$name: man --warnings -E UTF-8 -l -Tutf8 -Z prints no warning"
    fi
done

# --- 6. bash -n ----------------------------------------------------------------------------
if errors=$(bash -n "$completion" 2>&1); then
    pass "completion/vmcap: bash -n"
else
    printf '      %s\n' "$errors"
    fail "completion/vmcap: bash -n"
fi

# --- 7. completions, with bash-completion and without ---------------------------------------
check_completion() {
    local with=$1 expected=$2
    shift 2
    local got line="$*"
    got=$(complete_line "$with" "$@" 2>/dev/null | tr '\n' ' ') || got="(the completion failed: status $?)"
    got=${got% }
    expected=$(tr ' ' '\n' <<<"$expected" | sort -u | tr '\n' ' ')
    expected=${expected% }
    local how="with bash-completion"
    [[ $with == yes ]] || how="without bash-completion"
    if [[ $got == "$expected" ]]; then
        pass "completion of '$line' ($how): $got"
    else
        fail "completion of '$line' ($how): got '$got', expected '$expected'"
    fi
}
for with in yes no; do
    if [[ $with == yes && $have_bash_completion == no ]]; then
        fail "$bash_completion is missing (apt-get install bash-completion): completions not checked with it"
        continue
    fi
    check_completion "$with" "dmesg" vmcap dm
    check_completion "$with" "--format" vmcap dmesg --for
    check_completion "$with" "text kmsg json" vmcap dmesg --format ''
    check_completion "$with" "zstd zlib" vmcap filter --compress z
done

exit "$failed"
