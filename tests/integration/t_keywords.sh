#!/usr/bin/env bash
# t_keywords.sh - `secflow keywords`: scan --count agrees with
# `grep -c -F -i -w -f` on a generated corpus, output format and exit
# codes like grep's, --list works without a database, list file errors
# name file:line, and list/add/remove/import keep a versioned, audited
# list in the database.
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"

python3 "$SECFLOW_SOURCE_DIR/bench/keywords_corpus.py" L corpus.txt 3 7
head -c 300000 corpus.txt >small.txt
export LC_ALL=C

for f in corpus.txt small.txt; do
	want=$(grep -c -F -i -w -f L "$f")
	SECFLOW_DB="$T_DIR/none.db" sf keywords scan --count --list L "$f"
	check_eq "$OUT" "$want" "scan --count equals grep -c on $f ($want lines)"
done
check_eq "$(ls none.db 2>/dev/null)" "" "--list creates no database"
want=$(grep -c -F -i -w -f L corpus.txt small.txt /dev/null)
sf keywords scan --count --list L corpus.txt small.txt /dev/null
check_eq "$OUT" "$want" "several files: FILE:N lines as grep prints them"
check_rc 0 "exit 0 when something matched"
want=$(grep -c -F -i -w -f L <small.txt)
OUT=$("$SECFLOW_BIN" keywords scan --count --list L <small.txt)
check_eq "$OUT" "$want" "stdin counts the same"

# matches: FILE:OFFSET:KEYWORD, the offset of the keyword's first byte
printf 'virus\nmalware*\nremote access\naccess\n' >l2
printf 'A Virus here\nmalwares; antivirus\nno remote access.\n' >t.txt
sf keywords scan --list l2 t.txt
check_eq "$OUT" "t.txt:2:virus
t.txt:13:malware*
t.txt:36:remote access
t.txt:43:access" "matches with byte offsets, overlapping entries both"
OUT=$(printf 'a virus' | "$SECFLOW_BIN" keywords scan --list l2)
check_eq "$OUT" "(standard input):2:virus" "stdin is named as grep names it"
sf --json keywords scan --list l2 t.txt
check_py "$OUT" 'len(j) == 4 and j[1] == {"file": "t.txt", "offset": 13, "keyword": "malware", "prefix": True}' "--json prints the matches"
printf 'clean\n' >clean.txt
sf keywords scan --list l2 clean.txt
check_rc 1 "exit 1 when nothing matched"
check_eq "$OUT" "" "and nothing printed"
sf keywords scan --list l2 t.txt nosuch.txt
check_rc 2 "exit 2 when a file cannot be read"
check_match "cannot open nosuch.txt" "$ERR" "the error names the file"
check_match "t.txt:2:virus" "$OUT" "the other files are still scanned"
sf keywords scan --list l2 .
check_rc 2 "a directory is an error"

# list file errors name file:line
printf '# c\nok\n\n*\n' >bad1
sf keywords scan --list bad1 t.txt
check_rc 2 "a bad list file is an error"
check_match 'bad1:4: empty keyword' "$ERR" "empty entry named by file:line"
printf 'ok\nbad\001x\n' >bad2
sf keywords scan --list bad2 t.txt
check_match 'bad2:2: control character' "$ERR" "control character named by file:line"
python3 -c 'print("x" * 201)' >bad3
sf keywords scan --list bad3 t.txt
check_match 'bad3:1: keyword longer than 200 bytes' "$ERR" "overlong entry named by file:line"

# the stored list
sf migrate
sf keywords list
check_rc 0 "keywords list"
check_match '^# version 0' "$OUT" "nothing stored yet: the default list"
check_match '^malware\*$' "$OUT" "the default list holds malware*"
printf 'we were hacked\n' >h.txt
sf keywords scan h.txt
check_eq "$OUT" "h.txt:8:hacked" "scan with the stored (default) list"
sf keywords add zebrafish "blue whale" --prefix
check_rc 0 "keywords add"
check_match 'version 1' "$OUT" "the version is bumped"
sf --json keywords list
check_py "$OUT" 'j["version"] == 1 and {"word": "blue whale", "prefix": True} in j["entries"] and j["by"].startswith("cli:") and j["changed"] == "2026-12-01T09:00:00Z"' "the stored list holds the new entries, who and when"
sf keywords add ZebraFish --prefix
check_match 'unchanged \(version 1\)' "$OUT" "adding a listed word changes nothing"
sf keywords remove nosuchword
check_rc 1 "removing an unlisted word fails"
check_match 'nosuchword' "$ERR" "and names it"
sf keywords remove zebrafish
check_rc 1 "the word entry zebrafish is not the prefix entry zebrafish*"
sf keywords remove 'zebrafish*'
check_match 'version 2' "$OUT" "remove bumps the version"
sf keywords add ""
check_rc 1 "an empty word is refused"

printf 'alpha\nbeta*\n' >imp.txt
printf 'alphabet Alpha betamax\n' >a.txt
sf keywords import imp.txt
check_rc 0 "keywords import"
sf keywords scan a.txt
check_eq "$OUT" "a.txt:9:alpha
a.txt:15:beta*" "scan uses the imported list"
sf keywords list
check_eq "$(printf '%s\n' "$OUT" | grep -v '^#')" "alpha
beta*" "list prints a list file again"
printf '%s\n' "$OUT" >round.txt
sf keywords import round.txt
check_match 'unchanged' "$OUT" "importing the listed list changes nothing"
printf 'alpha\n\x01\n' >bad4
sf keywords import bad4
check_rc 1 "import of a bad file fails"
check_match 'bad4:2: control character' "$ERR" "naming file:line"

sf --json audit list --object keywords
check_py "$OUT" '[r["action"] for r in j] == ["keywords:add", "keywords:remove", "keywords:import"]' "each change wrote one audit record"
check_py "$OUT" 'j[2]["after"]["version"] == 3 and {"word": "alpha", "prefix": False} in j[2]["after"]["added"]' "the record says what changed"
sf audit verify
check_rc 0 "the audit chain holds"

add_user carol dg_requester TAXUD
sf --as carol keywords add x
check_rc 1 "a non-admin cannot change the list"
check_match 'admin' "$ERR" "the error says who may"
add_user root admin
sf --as root keywords add newword
check_rc 0 "an admin can"

sf keywords frob
check_rc 2 "an unknown subcommand is a usage error"
sf keywords scan --prefix x
check_rc 2 "--prefix with scan is a usage error"

[ "$T_FAIL" -eq 0 ]
