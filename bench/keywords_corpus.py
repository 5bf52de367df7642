#!/usr/bin/env python3
"""keywords_corpus.py - deterministic corpus and keyword list for
bench/keywords.sh and tests/integration/t_keywords.sh.

usage: keywords_corpus.py LIST_OUT CORPUS_OUT MIB [SEED]

The list holds 200 entries: 160 words (10 of them short, 2 or 3 letters,
the kind that hide inside ordinary words: tor in "monitor", rce in
"source") and 40 two- or three-word phrases; no prefix entries, so grep
-F -i -w -f LIST counts the same lines as secflow.  The corpus is ASCII
text in lines of 40 to 140 bytes; about one line in 200 holds a keyword
as a whole word (in any case), others hold keywords glued inside longer
words ("passwords", "malwarex", "_tor") that must not count, and the
filler is full of words that contain the short keywords.
"""
import random
import sys

SHORT = ["tor", "rce", "soc", "c2", "apt", "dos", "xss", "ioc", "ids", "ips"]
REAL = """virus malware phishing intrusion hacked breach ransomware trojan ddos
vulnerability exploit password compromised leak spam suspicious botnet
backdoor keylogger rootkit spyware worm adware firewall unauthorised
unauthorized infected infection attacker attack hacker credential
credentials exfiltration ransom payload shellcode sqli injection spoofing
spoofed impersonation fraud fraudulent sniffing bruteforce exposure
misuse stolen theft tampering tampered defacement defaced zeroday cve
malicious blacklist blacklisted quarantine quarantined antivirus
sabotage espionage extortion hijack hijacked incident forensic forensics
lockout lockouts certificate revoked expired privilege escalation
""".split()
PHRASE_WORDS = """remote access denial of service data loss account takeover
man in the middle social engineering stolen laptop lost token privilege
escalation sql injection cross site scripting brute force login failure
security incident unauthorised change suspicious login password reset
phishing mail malicious link open relay port scan""".split()


def syllable_word(rng, syl):
    return "".join(rng.choice(syl) for _ in range(rng.randint(2, 4)))


def main():
    list_out, corpus_out, mib = sys.argv[1], sys.argv[2], float(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 42
    rng = random.Random(seed)
    syl = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "qua",
           "bri", "dul", "fen", "gor", "hap", "jin", "wex", "yul"]
    words = list(dict.fromkeys(SHORT + REAL))
    while len(words) < 160:
        w = syllable_word(rng, syl) + rng.choice(["ax", "ix", "on", "ur"])
        if w not in words:
            words.append(w)
    words = words[:160]
    phrases = []
    while len(phrases) < 40:
        n = rng.choice([2, 2, 3])
        p = " ".join(rng.choice(PHRASE_WORDS) for _ in range(n))
        if p not in phrases and len(set(p.split())) == n:
            phrases.append(p)
    entries = words + phrases
    kwset = set(words)
    with open(list_out, "w") as f:
        f.write("# bench list: 160 words (10 short), 40 phrases\n")
        for e in entries:
            f.write(e + "\n")

    # Filler: ordinary words, many holding a short keyword inside.
    base = """the a of to and in is it that for on with as was at by be this
from or an are not have has had but were which their will would there
server monitor source social history doctor factor sector motor mirror
resource forced ideas tips strips applied chapter capture rapture dose
dosage kudos ids2 soccer associate escalator operator vector director
report update ticket change request user group system network storage
backup restore patch deploy release service window night morning team
please check the log file after restart of node disk space cleanup job
queue mail gateway proxy cache latency timeout retry build pipeline
""".split()
    base = [w for w in base if w.lower() not in kwset]
    filler = base * 3 + [syllable_word(rng, syl) for _ in range(400)]
    filler = [w for w in filler if w not in kwset]
    glued = [w + "s" for w in REAL[:40]] + ["x" + w for w in SHORT] + \
        [w + "_" for w in SHORT] + ["_" + w for w in REAL[40:60]]
    caps = [str.lower, str.upper, str.title]

    target = int(mib * 1024 * 1024)
    out = open(corpus_out, "w")
    written = 0
    block = []
    choice = rng.choice
    while written < target:
        nw = rng.randint(6, 20)
        line = [choice(filler) for _ in range(nw)]
        r = rng.random()
        if r < 1 / 200:
            kw = choice(entries)
            line.insert(rng.randint(0, nw), choice(caps)(kw))
        elif r < 0.05:
            line.insert(rng.randint(0, nw), choice(glued))
        s = " ".join(line) + "\n"
        block.append(s)
        written += len(s)
        if len(block) >= 4096:
            out.write("".join(block))
            block = []
    out.write("".join(block))
    out.close()


if __name__ == "__main__":
    main()
