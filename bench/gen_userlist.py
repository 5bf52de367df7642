#!/usr/bin/env python3
"""gen_userlist.py N [SEED] - write N rows of a Webportal user list (CSV,
';'-separated, the SEC.5.1 columns) to stdout, deterministically: the same
N and SEED give the same bytes.  For the reconciliation benchmark; about
1 row in 50 repeats an earlier UID with a typo in the name (a duplicate),
1 in 20 is deleted, names hold a few non-ASCII letters."""
import random
import sys

FIRST = ["Jean", "Marie", "Paul", "Ana", "Jürgen", "Élodie", "Piotr",
         "Giulia", "Sven", "Inês", "Niamh", "Kostas"]
LAST = ["Dupont", "Martin", "Müller", "Rossi", "Nowak", "Silva", "Jensen",
        "O'Brien", "Papadopoulos", "García", "Virtanen", "Horváth"]
NAS = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI",
       "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL",
       "PT", "RO", "SE", "SI", "SK"]
ORGS = ["DG TAXUD", "Lot 1 contractor", "ITSM"]
RIGHTS = ["", "Full", "No", "Read", "Write"]
CSRD = ["", "NCTS", "ECS", "ICS", "EO", "NCTS, ECS", "NCTS, ECS, ICS"]
CSMIS = ["", "E", "I", "N", "NCTS", "EI", "EN", "IN", "EIN", "B"]
PROFILES = ["", "Admin", "ND Admin", "ND User", "Oper"]


def main():
    n = int(sys.argv[1])
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    out = sys.stdout
    out.write("Full name;New UID;Organisation;NA;CS/RD Domain;CS/RD TST;"
              "CS/RD PROD;CS/MIS Domain;CS/MIS;E-mail;Deleted\n")
    seen = []
    for i in range(n):
        if seen and rnd.random() < 0.02:
            last, first, uid = rnd.choice(seen)
            first = first[:-1] + "x"  # a typo
        else:
            last, first = rnd.choice(LAST), rnd.choice(FIRST)
            uid = "u%07d" % i
            seen.append((last, first, uid))
        na = rnd.choice(NAS)
        org = na + " customs" if rnd.random() < 0.8 else rnd.choice(ORGS)
        email = "%s.%s@%s.example" % (first.lower(), last.lower().replace("'", ""),
                                      na.lower())
        out.write('"%s, %s";%s;%s;%s;%s;%s;%s;%s;%s;%s;%s\n' % (
            last, first, uid, org, na if rnd.random() < 0.5 else "",
            rnd.choice(CSRD), rnd.choice(RIGHTS), rnd.choice(RIGHTS),
            rnd.choice(CSMIS), rnd.choice(PROFILES), email,
            "TRUE" if rnd.random() < 0.05 else "FALSE"))


if __name__ == "__main__":
    main()
