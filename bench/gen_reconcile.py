#!/usr/bin/env python3
"""gen_reconcile.py DIR [N] [NAUTH] [SEED] - the inputs of bench/reconcile,
deterministically (the same arguments give the same bytes):

  DIR/webportal.csv   N Webportal rows (default 1,000,000; ';'-separated,
                      the SEC.5.1 columns, "Last, First" names quoted), the
                      NA column always filled with one of 30 NAs; about 10%
                      disabled (Deleted TRUE), 5% exact duplicates (an
                      earlier row's UID, name and NA again), 2% typo
                      duplicates (an earlier person with a typo in the first
                      name under a new UID).
  DIR/authorised.csv  NAUTH authorised UIDs (default 800,000; Team;UID;Full
                      name): 97.5% taken from the Webportal UIDs, the rest
                      UIDs that are not in it.
"""
import os
import random
import sys

FIRST = ["Jean", "Marie", "Paul", "Ana", "Jürgen", "Élodie", "Piotr",
         "Giulia", "Sven", "Inês", "Niamh", "Kostas", "Ewa", "Luca"]
LAST = ["Dupont", "Martin", "Müller", "Rossi", "Nowak", "Silva", "Jensen",
        "O'Brien", "Papadopoulos", "García", "Virtanen", "Horváth",
        "Kowalski", "Dubois", "Novák", "Ionescu"]
NAS = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI",
       "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL",
       "PT", "RO", "SE", "SI", "SK", "XI", "CH", "NO"]
RIGHTS = ["", "Full", "No", "Read", "Write"]
CSRD = ["", "NCTS", "ECS", "ICS", "EO", "NCTS, ECS", "NCTS, ECS, ICS"]
CSMIS = ["", "E", "I", "N", "NCTS", "EI", "EN", "IN", "EIN", "B"]
PROFILES = ["", "Admin", "ND Admin", "ND User", "Oper"]
TEAMS = ["XXX.ops", "XXX.dev", "XXX.sd", "XXX.sec", "lot.2", "txd.unit"]


def main():
    d = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    nauth = int(sys.argv[3]) if len(sys.argv) > 3 else 800000
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
    rows = []  # (last, first, uid, na)
    uids = []
    out = ["Full name;New UID;Organisation;NA;CS/RD Domain;CS/RD TST;"
           "CS/RD PROD;CS/MIS Domain;CS/MIS;E-mail;Deleted\n"]
    r = rnd.random
    ch = rnd.choice
    for i in range(n):
        x = r()
        if rows and x < 0.05:
            last, first, uid, na = ch(rows)
        else:
            if rows and x < 0.07:
                last, first, _, na = ch(rows)
                first = first[:-1] + "x"
            else:
                last, first, na = ch(LAST), ch(FIRST), ch(NAS)
            uid = "u%07d" % i
            rows.append((last, first, uid, na))
            uids.append(uid)
        email = "%s.%s@%s.example" % (first.lower(),
                                      last.lower().replace("'", ""),
                                      na.lower())
        out.append('"%s, %s";%s;%s customs;%s;%s;%s;%s;%s;%s;%s;%s\n' % (
            last, first, uid, na, na, ch(CSRD), ch(RIGHTS), ch(RIGHTS),
            ch(CSMIS), ch(PROFILES), email,
            "TRUE" if r() < 0.10 else "FALSE"))
        if len(out) >= 65536:
            write(d, "webportal.csv", out)
            out = []
    write(d, "webportal.csv", out)
    known = min(len(uids), nauth - nauth // 40)
    auth = rnd.sample(uids, known)
    out = ["Team;UID;Full name\n"]
    for k, uid in enumerate(auth):
        out.append("%s;%s;\n" % (TEAMS[k % len(TEAMS)], uid))
    for k in range(nauth - known):
        out.append("%s;x%07d;\n" % (TEAMS[k % len(TEAMS)], k))
    write(d, "authorised.csv", out)


opened = set()


def write(d, name, lines):
    mode = "a" if name in opened else "w"
    opened.add(name)
    with open(os.path.join(d, name), mode, encoding="utf-8",
              newline="") as f:
        f.write("".join(lines))


if __name__ == "__main__":
    main()
